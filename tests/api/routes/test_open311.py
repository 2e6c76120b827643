"""Open311 GeoReport v2: what an Open311 client sees, in JSON and in XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import messages
from api.domain.complaints.tracking_id import display, new_tracking_id, parse_tracking_id
from api.domain.complaints.working_days import JAKARTA
from api.domain.vocabulary import Action
from api.models import Complaint
from tests.complaints_support import CITIZEN, act, channel_of, file_directly
from tests.registry_support import KK, SITI, RegistryRows

BASE = "/open311/v2"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
RECORD_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def registry_rows() -> RegistryRows:
    """Siti, registered in Pesanggaran, Banyuwangi (a pilot kab/kota)."""
    return RegistryRows(beneficiaries=(f"{SITI},{KK},Siti Aminah,3510012001,3,PKH;SEMBAKO,",))


def form(api_key: str | None, **overrides) -> dict:
    fields = {
        "api_key": api_key,
        "service_code": "PUNGLI",
        "description": "Pendamping meminta Rp50.000 saat pencairan.",
        "attribute[region_code]": "351001",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


async def file_request(client, api_key, fmt="json", **overrides) -> str:
    response = await client.post(f"{BASE}/requests.{fmt}", data=form(api_key, **overrides))
    assert response.status_code == 201, response.text
    return response.json()[0]["service_request_id"]


async def fetch(client, request_id: str, **params) -> dict:
    response = await client.get(f"{BASE}/requests/{request_id}.json", params=params)
    assert response.status_code == 200, response.text
    [record] = response.json()
    return record


async def listing(client, fmt="json", **params):
    response = await client.get(f"{BASE}/requests.{fmt}", params=params)
    assert response.status_code == 200, response.text
    return response


def ids(response) -> list[str]:
    return [record["service_request_id"] for record in response.json()]


async def stored_count(services) -> int:
    async with services.engine.connect() as conn:
        return (
            await conn.execute(select(func.count()).select_from(Complaint.__table__))
        ).scalar_one()


def parse_xml(response) -> ET.Element:
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith(DECLARATION)
    return ET.fromstring(response.content)


# --- services -------------------------------------------------------------------------------


async def test_services_list_every_active_category_with_its_office_type_as_group(client, services):
    response = await client.get(f"{BASE}/services.json")

    assert response.status_code == 200
    active = (await services.directory.get()).active_categories()
    assert [s["service_code"] for s in response.json()] == [c.code for c in active]
    pungli = next(s for s in response.json() if s["service_code"] == "PUNGLI")
    category = (await services.directory.get()).categories["PUNGLI"]
    assert pungli == {
        "service_code": "PUNGLI",
        "service_name": category.label["id"],
        "description": category.description["id"],
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "INSPEKTORAT",
    }


async def test_services_speak_english_by_locale_or_accept_language(client, services):
    category = (await services.directory.get()).categories["PUNGLI"]

    by_query = await client.get(f"{BASE}/services.json", params={"locale": "en"})
    by_header = await client.get(f"{BASE}/services.json", headers={"Accept-Language": "en-US"})

    for response in (by_query, by_header):
        pungli = next(s for s in response.json() if s["service_code"] == "PUNGLI")
        assert pungli["service_name"] == category.label["en"]


async def test_services_in_xml_use_the_spec_element_names(client, services):
    response = await client.get(f"{BASE}/services.xml", params={"jurisdiction_id": "id"})

    assert response.status_code == 200
    root = parse_xml(response)
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    pungli = next(s for s in root if s.findtext("service_code") == "PUNGLI")
    assert [child.tag for child in pungli] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert pungli.findtext("metadata") == "true"
    assert pungli.findtext("type") == "realtime"
    assert pungli.findtext("group") == "INSPEKTORAT"
    category = (await services.directory.get()).categories["PUNGLI"]
    assert pungli.findtext("service_name") == category.label["id"]


async def test_a_service_that_needs_a_nik_asks_for_it_and_leaves_the_region_optional(client):
    response = await client.get(f"{BASE}/services/USUL.json")

    assert response.status_code == 200
    definition = response.json()
    assert definition["service_code"] == "USUL"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["subject_nik", "region_code", "privacy", "programme", "tahap"]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3, 4, 5]
    assert attributes["subject_nik"]["required"] is True
    assert attributes["subject_nik"]["datatype"] == "string"
    assert attributes["region_code"]["required"] is False
    for attribute in definition["attributes"]:
        assert set(attribute) == {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        }
        assert attribute["variable"] is True
        assert attribute["description"]


async def test_a_service_without_a_nik_offers_the_region_and_lists_the_choices(client):
    response = await client.get(f"{BASE}/services/PUNGLI.json", params={"locale": "en"})

    attributes = {a["code"]: a for a in response.json()["attributes"]}
    assert list(attributes) == ["region_code", "privacy", "programme", "tahap"]
    # Not required: a request without it waits at a triage desk ("no wrong door").
    assert attributes["region_code"]["required"] is False
    assert attributes["privacy"]["datatype"] == "singlevaluelist"
    assert attributes["privacy"]["required"] is False
    assert [v["key"] for v in attributes["privacy"]["values"]] == ["BIASA", "ANONIM", "RAHASIA"]
    assert attributes["privacy"]["values"][1]["name"].startswith("Anonymous")
    programmes = [v["key"] for v in attributes["programme"]["values"]]
    assert {"PKH", "SEMBAKO", "BLT"} <= set(programmes)
    assert attributes["tahap"]["datatype"] == "number"
    assert attributes["tahap"]["values"] == []


async def test_a_service_definition_in_xml_nests_attributes_and_values(client):
    response = await client.get(f"{BASE}/services/usul.xml")

    root = parse_xml(response)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "USUL"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes][:2] == ["subject_nik", "region_code"]
    assert attributes[0].findtext("required") == "true"
    privacy = next(a for a in attributes if a.findtext("code") == "privacy")
    assert [v.findtext("key") for v in privacy.findall("values/value")] == [
        "BIASA",
        "ANONIM",
        "RAHASIA",
    ]


async def test_an_unknown_service_is_a_404_in_the_spec_shape(client):
    as_json = await client.get(f"{BASE}/services/PARKIR.json")
    as_xml = await client.get(f"{BASE}/services/PARKIR.xml", params={"locale": "en"})

    assert as_json.status_code == 404
    assert as_json.json() == [
        {"code": 404, "description": messages.render("id", "open311.service_not_found")}
    ]
    assert as_xml.status_code == 404
    root = parse_xml(as_xml)
    assert root.tag == "errors"
    [error] = root.findall("error")
    assert [child.tag for child in error] == ["code", "description"]
    assert error.findtext("code") == "404"
    assert error.findtext("description") == "There is no service with that code."


async def test_an_unknown_format_suffix_is_a_404_in_the_spec_shape(client):
    for path in ("services.yaml", "services/PUNGLI.html", "requests.csv", "tokens/X.txt"):
        response = await client.get(f"{BASE}/{path}")

        assert response.status_code == 404, path
        assert response.json() == [
            {"code": 404, "description": messages.render("id", "open311.format_unknown")}
        ]


# --- POST requests --------------------------------------------------------------------------


async def test_a_request_is_filed_and_routed_like_the_channel_api(client, api_key):
    response = await client.post(f"{BASE}/requests.json", data=form(api_key))

    assert response.status_code == 201
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    request_id = created["service_request_id"]
    assert display(parse_tracking_id(request_id)) == request_id
    assert request_id in created["service_notice"]
    assert "Inspektorat Kabupaten Banyuwangi" in created["service_notice"]
    record = await fetch(client, request_id)
    assert record["agency_responsible"] == "Inspektorat Kabupaten Banyuwangi"
    assert record["status"] == "open"
    assert record["service_code"] == "PUNGLI"
    assert record["address_id"] == "351001"


async def test_a_region_outside_the_pilot_goes_to_the_provincial_dinas_sosial(client, api_key):
    request_id = await file_request(client, api_key, **{"attribute[region_code]": "110101"})

    record = await fetch(client, request_id)
    assert record["agency_responsible"] == "Dinas Sosial Provinsi Aceh"


async def test_a_registered_nik_without_a_region_waits_at_the_national_triage_desk(
    client, api_key, registry
):
    request_id = await file_request(
        client,
        api_key,
        service_code="BANTUAN_TIDAK_DITERIMA",
        **{"attribute[region_code]": None, "attribute[subject_nik]": SITI},
    )

    record = await fetch(client, request_id)
    # Never the registered person's office: that would tell anyone where a NIK's owner lives.
    assert record["agency_responsible"] == "Desk Pengaduan Bansos Nasional (Kementerian Sosial)"
    assert record["address_id"] is None
    assert SITI not in str(record)


async def test_the_spec_fields_and_our_attributes_are_stored(client, services, api_key):
    await file_request(
        client,
        api_key,
        lat="-8.5",
        long="114.1",
        address_string="Dusun Krajan RT 01",
        **{
            "attribute[programme]": "pkh",
            "attribute[tahap]": "3",
            "attribute[privacy]": "anonim",
            "jurisdiction_id": "id",
            "media_url": "http://198.51.100.1/never-fetched.jpg",
        },
    )

    async with services.engine.connect() as conn:
        row = (await conn.execute(select(Complaint.__table__))).one()
    assert (row.programme, row.tahap, row.privacy) == ("PKH", 3, "ANONIM")
    assert (row.latitude, row.longitude, row.address) == (-8.5, 114.1, "Dusun Krajan RT 01")
    assert row.channel == "telegram-bot"  # the API key's channel


async def test_a_request_can_be_filed_in_xml(client, api_key):
    response = await client.post(f"{BASE}/requests.xml", data=form(api_key))

    assert response.status_code == 201
    root = parse_xml(response)
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    request_id = request.findtext("service_request_id")
    assert (await fetch(client, request_id))["service_code"] == "PUNGLI"
    assert request_id in request.findtext("service_notice")


@pytest.mark.parametrize("key", [None, "", "bsk_unknown_key", "not-even-a-key"])
async def test_a_request_without_a_valid_api_key_is_refused_403_and_nothing_stored(
    client, services, key
):
    # The client fixture sends a valid X-API-Key header: Open311 must not accept it.
    response = await client.post(f"{BASE}/requests.json", data=form(key))

    assert response.status_code == 403
    [error] = response.json()
    assert error["code"] == 403
    assert "api_key" in error["description"]
    assert await stored_count(services) == 0


@pytest.mark.parametrize(
    ("open311_fields", "channel_fields"),
    [
        ({"service_code": "PARKIR"}, {"category": "PARKIR"}),
        ({"service_code": None}, {"category": ""}),
        ({"description": "x" * 4001}, {"description": "x" * 4001}),
        (
            {"service_code": "USUL", "attribute[subject_nik]": "35100141079000"},
            {"category": "USUL", "subject_nik": "35100141079000"},
        ),
        ({"attribute[region_code]": "35-10"}, {"region_code": "35-10"}),
        ({"attribute[privacy]": "PUBLIK"}, {"privacy": "PUBLIK"}),
        ({"attribute[tahap]": "5"}, {"tahap": 5}),
        ({"attribute[programme]": "BANSOS_X"}, {"programme": "BANSOS_X"}),
        ({"lat": "95", "long": "110"}, {"location": {"latitude": 95, "longitude": 110}}),
    ],
)
@pytest.mark.parametrize("locale", ["id", "en"])
async def test_a_bad_request_is_a_400_with_the_channel_api_message_and_stores_nothing(
    client, services, api_key, open311_fields, channel_fields, locale
):
    response = await client.post(
        f"{BASE}/requests.json", data=form(api_key, **open311_fields), params={"locale": locale}
    )
    channel_body = {
        "reporter": {"channel_user": "tg:1", "locale": locale},
        "category": "PUNGLI",
        "description": "Pendamping meminta Rp50.000 saat pencairan.",
        "region_code": "351001",
        **channel_fields,
    }
    channel = await client.post("/api/v1/complaints", json=channel_body)

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": channel.json()["error"]["message"]}]
    assert await stored_count(services) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lat": "north", "long": "114"}, "complaints.location_invalid"),
        ({"lat": "-8.5"}, "complaints.location_invalid"),
        ({"attribute[tahap]": "tiga"}, "complaints.tahap_invalid"),
        ({"attribute[tahap]": "2.5"}, "complaints.tahap_invalid"),
    ],
)
async def test_malformed_numbers_are_refused_in_the_citizen_language(
    client, services, api_key, fields, message
):
    response = await client.post(f"{BASE}/requests.xml", data=form(api_key, **fields))

    assert response.status_code == 400
    error = parse_xml(response).find("error")
    assert error.findtext("code") == "400"
    assert error.findtext("description") == messages.render("id", message)
    assert await stored_count(services) == 0


# --- GET requests ---------------------------------------------------------------------------


async def test_a_record_has_every_spec_field_with_zoned_datetimes_and_a_deadline(client, api_key):
    request_id = await file_request(
        client, api_key, service_code="LAINNYA", lat="-8.5", long="114.1"
    )

    record = await fetch(client, request_id)
    assert set(record) == RECORD_FIELDS
    assert record["lat"] == -8.5 and record["long"] == 114.1
    assert record["zipcode"] is None and record["media_url"] is None
    assert record["status_notes"] is None
    requested = datetime.fromisoformat(record["requested_datetime"])
    expected = datetime.fromisoformat(record["expected_datetime"])
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert record[field].endswith("+07:00")
    assert expected > requested + timedelta(days=14)  # COORDINATION: 14 working days


async def test_a_record_is_found_by_display_canonical_or_lowercase_id(client, api_key):
    request_id = await file_request(client, api_key)
    canonical = parse_tracking_id(request_id)

    for form_of_id in (request_id, canonical, canonical.lower(), request_id.lower()):
        assert (await fetch(client, form_of_id))["service_request_id"] == request_id


async def test_a_rahasia_complaint_never_appears_not_even_by_explicit_id(client, api_key):
    public = await file_request(client, api_key)
    secret = await file_request(client, api_key, **{"attribute[privacy]": "RAHASIA"})

    assert ids(await listing(client)) == [public]
    assert ids(await listing(client, service_request_id=f"{public},{secret}")) == [public]
    unknown = await client.get(f"{BASE}/requests/{display(new_tracking_id())}.json")
    rahasia = await client.get(f"{BASE}/requests/{secret}.json")
    malformed = await client.get(f"{BASE}/requests/NOT-AN-ID.json")
    assert rahasia.status_code == unknown.status_code == malformed.status_code == 404
    assert rahasia.content == unknown.content == malformed.content
    assert rahasia.json()[0]["code"] == 404
    rahasia_xml = await client.get(f"{BASE}/requests/{secret}.xml")
    unknown_xml = await client.get(f"{BASE}/requests/{display(new_tracking_id())}.xml")
    assert rahasia_xml.content == unknown_xml.content
    assert parse_xml(rahasia_xml).findtext("error/code") == "404"


async def test_an_anonim_record_carries_nothing_of_the_reporter(client, api_key):
    reporter = {
        "email": "siti.reporter@example.org",
        "device_id": "device-5f1e2d",
        "account_id": "account-77120",
        "first_name": "Sitiwati",
        "last_name": "Reporterini",
        "phone": "081299887766",
    }
    request_id = await file_request(client, api_key, **reporter, **{"attribute[privacy]": "ANONIM"})

    texts = [
        (await listing(client)).text,
        (await listing(client, "xml")).text,
        (await client.get(f"{BASE}/requests/{request_id}.json")).text,
        (await client.get(f"{BASE}/requests/{request_id}.xml")).text,
    ]
    assert request_id in texts[0]
    for text in texts:
        for value in reporter.values():
            assert value not in text
    assert set(await fetch(client, request_id)) == RECORD_FIELDS


async def test_nik_like_numbers_in_a_description_are_masked_in_listings(client, api_key):
    description = (
        "NIK saya 3510014107900001, anak 3510 0141 0790 0002 dan ibu 3510.0141.0790-0003. "
        "Diminta Rp50.000 oleh pendamping, HP 0812-3456-7890."
    )
    request_id = await file_request(
        client, api_key, service_code="LAINNYA", description=description
    )

    for text in (
        (await listing(client)).text,
        (await listing(client, "xml")).text,
        (await client.get(f"{BASE}/requests/{request_id}.json")).text,
    ):
        for digits in ("3510014107900001", "0141", "07900002", "0790-0003", "3456"):
            assert digits not in text
    record = await fetch(client, request_id)
    assert record["description"] == (
        "NIK saya [NIK], anak [NIK] dan ibu [NIK]. Diminta Rp50.000 oleh pendamping, HP [telepon]."
    )


SITI_AMINAH_PUNGLI = (
    "Saya Siti Aminah, HP 0812-3456-7890, dimintai Rp50.000 oleh pendamping PKH "
    "saat pencairan di balai desa."
)


@pytest.mark.parametrize(
    ("code", "said"),
    [("PUNGLI", "tidak pernah tampil"), ("LAINNYA", "disamarkan")],
)
async def test_the_privacy_attribute_says_what_the_public_listing_will_show(client, code, said):
    response = await client.get(f"{BASE}/services/{code}.json")

    [privacy] = [a for a in response.json()["attributes"] if a["code"] == "privacy"]
    assert said in privacy["description"]


async def test_the_anonim_pungli_complaint_of_the_audit_publishes_none_of_its_words(
    client, api_key
):
    request_id = await file_request(
        client,
        api_key,
        description=SITI_AMINAH_PUNGLI,
        address_string="Balai Desa Sumberagung",
        **{"attribute[privacy]": "ANONIM", "attribute[region_code]": "3510012001"},
    )

    for text in (
        (await listing(client)).text,
        (await listing(client, "xml")).text,
        (await client.get(f"{BASE}/requests/{request_id}.json")).text,
    ):
        for revealing in ("Siti", "Aminah", "0812", "Sumberagung", "3510012001"):
            assert revealing not in text
    record = await fetch(client, request_id)
    assert record["description"] is None
    assert record["address_id"] == "351001"


@pytest.mark.parametrize("category", ["USUL", "SANGGAH", "DATA_SALAH", "PUNGLI", "KARTU_REKENING"])
async def test_no_description_is_published_for_a_category_about_a_person(client, api_key, category):
    request_id = await file_request(
        client,
        api_key,
        service_code=category,
        description="Ibu Sulastri di RT 02 tidak layak menerima bantuan.",
        **{"attribute[subject_nik]": SITI},
    )

    assert (await fetch(client, request_id))["description"] is None


async def test_a_public_description_is_published_with_phone_email_nik_and_kk_masked(
    client, api_key
):
    request_id = await file_request(
        client,
        api_key,
        service_code="BANTUAN_TIDAK_DITERIMA",
        description=(
            "Bantuan tahap 3 belum cair. HP 0812-3456-7890, siti@contoh.id, "
            "NIK 3510014107900001, KK 3510 0120 0107 0003."
        ),
        **{"attribute[subject_nik]": SITI},
    )

    assert (await fetch(client, request_id))["description"] == (
        "Bantuan tahap 3 belum cair. HP [telepon], [email], NIK [NIK], KK [NIK]."
    )


async def test_listing_is_newest_first_in_json_and_xml(client, api_key):
    first = await file_request(client, api_key)
    second = await file_request(client, api_key, service_code="LAINNYA")

    assert ids(await listing(client)) == [second, first]
    root = parse_xml(await listing(client, "xml"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [second, first]
    assert [child.tag for child in root.find("request")] == list(
        (await fetch(client, second)).keys()
    )


async def test_listing_filters_by_comma_separated_service_codes(client, api_key):
    pungli = await file_request(client, api_key)
    other = await file_request(client, api_key, service_code="LAINNYA")
    await file_request(
        client, api_key, service_code="DATA_SALAH", **{"attribute[subject_nik]": SITI}
    )

    assert ids(await listing(client, service_code="PUNGLI")) == [pungli]
    assert set(ids(await listing(client, service_code="PUNGLI,lainnya"))) == {pungli, other}
    assert ids(await listing(client, service_code="PARKIR")) == []


@pytest.fixture
async def channel(services, api_key):
    return await channel_of(services, api_key)


async def test_listing_filters_by_status_open_or_closed(client, services, channel):
    now = datetime.now(UTC)
    still_open = await file_directly(services, channel, now=now - timedelta(hours=2))
    finished = await file_directly(services, channel, now=now - timedelta(hours=1))
    for action, options in [
        (Action.VERIFY, {}),
        (Action.RESOLVE, {"note": "Pungutan dikembalikan; NIK 3510014107900001 dicek."}),
        (Action.RATE, {"rating": 5, "actor": CITIZEN}),
    ]:
        await act(services, finished.id, action, **options)
    open_id, closed_id = display(still_open.tracking_id), display(finished.tracking_id)

    assert ids(await listing(client, status="open")) == [open_id]
    assert ids(await listing(client, status="closed")) == [closed_id]
    assert ids(await listing(client, status="open,closed")) == [closed_id, open_id]
    closed = await fetch(client, closed_id)
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Pungutan dikembalikan; NIK [NIK] dicek."
    assert closed["updated_datetime"] > closed["requested_datetime"]


async def test_listing_covers_the_last_90_days_unless_dates_are_given(client, services, channel):
    now = datetime.now(UTC)
    old = await file_directly(services, channel, now=now - timedelta(days=120))
    recent = await file_directly(services, channel, now=now - timedelta(days=10))
    old_id, recent_id = display(old.tracking_id), display(recent.tracking_id)

    assert ids(await listing(client)) == [recent_id]
    since = (now - timedelta(days=150)).astimezone(JAKARTA).isoformat()
    assert ids(await listing(client, start_date=since)) == [recent_id, old_id]
    window = {
        "start_date": (now - timedelta(days=130)).isoformat(),
        "end_date": (now - timedelta(days=100)).isoformat().replace("+00:00", "Z"),
    }
    assert ids(await listing(client, **window)) == [old_id]
    assert ids(await listing(client, end_date=(now - timedelta(days=60)).isoformat())) == [old_id]
    # An id list overrides every other filter, the default window included.
    assert ids(await listing(client, service_request_id=old_id, status="closed")) == [old_id]


async def test_an_unencoded_plus_in_a_date_is_read_as_the_offset(client, services, channel):
    await file_directly(services, channel)
    start = (datetime.now(JAKARTA) - timedelta(days=1)).isoformat(timespec="seconds")

    response = await client.get(f"{BASE}/requests.json?start_date={start.replace('+', ' ')}")

    assert response.status_code == 200
    assert len(response.json()) == 1


async def test_listing_by_a_list_of_ids_in_any_form(client, api_key):
    first = await file_request(client, api_key)
    second = await file_request(client, api_key)
    await file_request(client, api_key)

    chosen = f"{first}, {parse_tracking_id(second).lower()},NOT-AN-ID"
    assert ids(await listing(client, service_request_id=chosen)) == [second, first]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "yesterday"}, ("open311.date_invalid", {"field": "start_date"})),
        ({"end_date": "2026-13-01"}, ("open311.date_invalid", {"field": "end_date"})),
        ({"status": "pending"}, ("open311.status_invalid", {"field": "status"})),
    ],
)
async def test_a_malformed_filter_is_a_400_in_the_spec_shape(client, params, message):
    response = await client.get(f"{BASE}/requests.json", params={**params, "locale": "en"})

    assert response.status_code == 400
    key, values = message
    assert response.json() == [{"code": 400, "description": messages.render("en", key, **values)}]


# --- tokens ---------------------------------------------------------------------------------


async def test_a_token_is_the_service_request_id_itself(client, api_key):
    request_id = await file_request(client, api_key)

    response = await client.get(f"{BASE}/tokens/{request_id}.json")
    as_xml = await client.get(f"{BASE}/tokens/{request_id}.xml")

    assert response.status_code == 200
    assert response.json() == [{"service_request_id": request_id, "token": request_id}]
    request = parse_xml(as_xml).find("request")
    assert request.findtext("token") == request.findtext("service_request_id") == request_id


async def test_an_unknown_or_rahasia_token_is_a_404(client, api_key):
    secret = await file_request(client, api_key, **{"attribute[privacy]": "RAHASIA"})

    unknown = await client.get(f"{BASE}/tokens/{display(new_tracking_id())}.json")
    rahasia = await client.get(f"{BASE}/tokens/{secret}.json")

    assert unknown.status_code == rahasia.status_code == 404
    assert unknown.content == rahasia.content
    assert unknown.json()[0]["code"] == 404


async def test_a_parameter_fastapi_refuses_is_still_a_400_in_the_spec_shape(client):
    response = await client.get(f"{BASE}/requests.xml", params={"status": "x" * 40})

    assert response.status_code == 400
    error = parse_xml(response).find("error")
    assert error.findtext("code") == "400"
    assert "status" in error.findtext("description")


async def test_an_anonim_complaint_is_published_without_its_location(client, api_key):
    located = {"lat": "-8.4", "long": "114.3", "address_string": "Jl. Melati 7, Pesanggaran"}
    anonymous = await file_request(
        client, api_key, service_code="LAINNYA", **located, **{"attribute[privacy]": "ANONIM"}
    )
    ordinary = await file_request(client, api_key, service_code="LAINNYA", **located)
    pungli = await file_request(client, api_key, **located)

    hidden, shown = await fetch(client, anonymous), await fetch(client, ordinary)

    assert (hidden["lat"], hidden["long"], hidden["address"]) == (None, None, None)
    assert hidden["address_id"] == shown["address_id"]
    assert (shown["lat"], shown["long"]) == (-8.4, 114.3)
    assert shown["address"] == "Jl. Melati 7, Pesanggaran"
    # A complaint about a person is often located at a home: its place is withheld too.
    about_a_person = await fetch(client, pungli)
    assert (about_a_person["lat"], about_a_person["address"]) == (None, None)
