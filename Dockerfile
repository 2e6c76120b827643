# One image for every process of the service (api and worker now; the bot joins later).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY api ./api
COPY bot ./bot
COPY messages ./messages
# The command line's composition root lists the demo's commands too (their code loads only
# when one of them runs).
COPY demo ./demo
COPY bansos ./bansos
# /data/attachments exists in the image, owned by the service user, so a named volume mounted
# there starts with that ownership.
RUN pip install . && useradd --system --uid 10001 bansos \
    && mkdir -p /data/attachments && chown bansos /data/attachments
USER bansos

EXPOSE 8000
CMD ["bansos", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
