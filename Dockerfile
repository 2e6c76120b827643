# One image for every process of the service: the one-shot steps (migrate, load-reference,
# bootstrap), the api, the worker and the bot (docker-compose.yml, docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Every dependency at the version and hash of the lock (python3 dev.py lock writes it), in
# a layer of its own that a code change does not rebuild.
COPY requirements/lock.txt ./requirements/lock.txt
RUN pip install --require-hashes -r requirements/lock.txt

COPY pyproject.toml README.md ./
COPY api ./api
COPY bot ./bot
COPY messages ./messages
# The command line's composition root lists the demo's commands too (their code loads only
# when one of them runs).
COPY demo ./demo
COPY bansos ./bansos
# The console's browser libraries (pyproject.toml, web-assets), checked against their pinned
# integrity: the image serves them itself, no CDN at run time.
COPY dev.py ./
RUN python3 dev.py assets
# /data/attachments and /data/secrets exist in the image, owned by the service user, so a named
# volume mounted there starts with that ownership (secrets: the owner only; bootstrap writes
# the bot's key there, the bot reads it).
# --no-deps: the project itself adds nothing the lock did not pin.
RUN pip install --no-deps . && useradd --system --uid 10001 bansos \
    && mkdir -p /data/attachments /data/secrets \
    && chown bansos /data/attachments /data/secrets && chmod 700 /data/secrets
USER bansos

EXPOSE 8000
CMD ["bansos", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
