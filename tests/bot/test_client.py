"""The bot's api client against the real app: answers, refusals in the citizen's language."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.client import ApiClient, ApiRefusal, ApiUnavailable, Upload
from tests.bot.conftest import in_process_api


@pytest.fixture
async def api(services, api_key):
    client = in_process_api(services, api_key)
    yield client
    await client.aclose()


async def test_a_complaint_is_filed_attached_and_listed(api):
    filed = await api.file_complaint(
        user="tg:77",
        locale="en",
        idempotency_key="msg-1",
        category="PUNGLI",
        description="Asked to pay Rp20.000.",
        region_code="351001",
    )
    photo = io.BytesIO()
    Image.new("RGB", (4, 4)).save(photo, format="PNG")
    attached = await api.attach(
        tracking_id=filed["tracking_id"],
        user="tg:77",
        locale="en",
        upload=Upload(photo.getvalue(), "photo.png", "image/png"),
    )
    mine = await api.my_complaints(user="tg:77", locale="en")

    assert filed["office"]["code"] == "INSPEKTORAT-3510"
    assert attached["content_type"] == "image/png"
    assert [item["tracking_id"] for item in mine] == [filed["tracking_id"]]


async def test_a_refusal_carries_the_apis_sentence_for_the_citizen(api):
    with pytest.raises(ApiRefusal) as refused:
        await api.file_complaint(
            user="tg:77",
            locale="id",
            idempotency_key="msg-2",
            category="PUNGLI",
            description="",
            region_code="351001",
        )

    assert refused.value.code == "description_empty"
    assert refused.value.message == "Tuliskan isi pengaduan Anda."


async def test_an_unreachable_api_is_reported_as_unavailable():
    client = ApiClient("http://127.0.0.1:1", "bsk_none")
    try:
        with pytest.raises(ApiUnavailable):
            await client.categories(locale="id")
    finally:
        await client.aclose()
