"""GET /api/v1/channel: a channel's key learns which channel it is.

The api addresses a citizen's notifications to the channel of the key they came through (the
name given to `bansos create-api-key NAME`); a consumer such as the bot asks here at start-up
which name that is, so that it reads its own notifications whatever the key was called.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentChannel
from api.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["channel"], responses=error_responses(401, 422, 503))


class ChannelOut(BaseModel):
    name: str = Field(
        description="The channel the key was created for (`bansos create-api-key NAME`): "
        "notifications to the citizens who came through this key are queued under it",
        examples=["telegram-bot"],
    )


@router.get("/channel", response_model=ChannelOut)
async def own_channel(channel: CurrentChannel) -> ChannelOut:
    """The channel of the calling key, for a channel that reads its own notifications."""
    return ChannelOut(name=channel.name)
