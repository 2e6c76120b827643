"""ASGI entry point for servers: ``uvicorn api.asgi:app`` (settings from the environment)."""

from api.app import create_app

app = create_app()
