# One image for every process of the service (api now; bot and worker join later).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY api ./api
COPY bot ./bot
COPY messages ./messages
RUN pip install . && useradd --system --uid 10001 bansos
USER bansos

EXPOSE 8000
CMD ["bansos", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
