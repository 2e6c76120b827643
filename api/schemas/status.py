"""Request and response bodies of the status check, and their rendering per locale."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

import messages
from api.domain.regions import RegionCodes
from api.domain.status_check import Found
from api.schemas.text import Line


class StatusCheckRequest(BaseModel):
    """A NIK and a name travel only in a request body: never in a URL, never in a log."""

    nik: Line = Field(max_length=64, description="NIK as typed; spaces, dots and dashes allowed")
    name: Line = Field(max_length=200, description="Full name exactly as on the KTP")
    channel_user: Line = Field(
        min_length=1, max_length=128, description="The channel's own id of the person asking"
    )
    locale: Line | None = Field(default=None, max_length=16, description="id (default) or en")


class DisbursementOut(BaseModel):
    year: int
    tahap: int
    tahap_label: str
    stage: str
    stage_label: str
    status: Literal["PROSES", "SUKSES", "GAGAL"]
    status_label: str
    channel: str
    channel_label: str
    amount: int = Field(description="Rupiah")
    date: date


class ProgrammeOut(BaseModel):
    code: str
    name: str
    standing: Literal["recipient", "not_designated", "not_eligible"]
    standing_label: str
    eligible: bool
    reason_code: str
    reason: str
    next_step: str
    disbursements: list[DisbursementOut]


class RegionOut(BaseModel):
    district_code: str
    district: str | None
    regency: str | None
    province: str | None


class PersonOut(BaseModel):
    name_masked: str
    desil: int | None
    domicile: RegionOut
    nik_region_verified: bool = Field(
        description="False when the NIK's region code is not in the current Kemendagri tables "
        "(e.g. after a region split): unverified, not invalid"
    )
    programmes: list[ProgrammeOut]


class StatusCheckResponse(BaseModel):
    found: bool
    locale: str
    message: str | None = Field(default=None, description="Set when nothing was found")
    person: PersonOut | None = None
    subscription_token: str | None = Field(
        default=None,
        description="Set when found: POST it to /status-subscriptions (same channel user, "
        "within 24 h) to be told when this person's aid moves",
    )


# The answers below are built as plain JSON-ready data rather than as the models above: a
# status check renders ~15 nested models and ~50 labels, which cost as much CPU as the
# database read, and every value already comes checked from the registry, the rules and the
# message files. The models stay the published schema (the route's response_model), and a
# test holds every answer to them: validated and dumped again, it must come out unchanged.


def not_found_body(locale: str) -> dict:
    return {
        "found": False,
        "locale": locale,
        "message": messages.render(locale, "status_check.not_found"),
        "person": None,
        "subscription_token": None,
    }


def found_body(found: Found, *, locale: str, regions: RegionCodes) -> dict:
    """A StatusCheckResponse for a person found, as JSON-ready data."""
    district = regions.district(found.district_code)
    regency = regions.regency(found.district_code[:4])
    province = regions.province(found.district_code[:2])
    return {
        "found": True,
        "locale": locale,
        "message": None,
        "person": {
            "name_masked": found.name_masked,
            "desil": found.desil,
            "domicile": {
                "district_code": found.district_code,
                "district": district.name if district else None,
                "regency": regency.name if regency else None,
                "province": province.name if province else None,
            },
            "nik_region_verified": found.region_verified,
            "programmes": [
                {
                    **_programme(
                        locale,
                        item.programme,
                        item.standing.value,
                        item.eligible,
                        item.reason,
                        item.params.get("desil"),
                        item.params.get("max_desil"),
                    ),
                    "disbursements": [
                        {
                            **_stage(locale, d.year, d.tahap, d.stage, d.status, d.channel),
                            "amount": d.amount,
                            "date": d.occurred_on,
                        }
                        for d in found.disbursements.get(item.programme, [])
                    ],
                }
                for item in found.eligibility
            ],
        },
    }


# Labels repeat endlessly across people: one cache entry per programme standing and per
# kind of stage, instead of a message lookup per label. Callers copy them (`**`), never
# change them.
@lru_cache(maxsize=4096)
def _programme(
    locale: str,
    code: str,
    standing: str,
    eligible: bool,
    reason: str,
    desil: object,
    max_desil: object,
) -> dict:
    name = messages.render(locale, "eligibility.programme_name", code=code)
    params = {"programme": name, "desil": desil, "max_desil": max_desil}
    return {
        "code": code,
        "name": name,
        "standing": standing,
        "standing_label": messages.render(locale, f"eligibility.standing_{standing}"),
        "eligible": eligible,
        "reason_code": reason,
        "reason": messages.render(locale, f"eligibility.reason_{reason}", **params),
        "next_step": messages.render(locale, f"eligibility.next_{reason}", **params),
    }


@lru_cache(maxsize=4096)
def _stage(locale: str, year: int, tahap: int, stage: str, status: str, channel: str) -> dict:
    return {
        "year": year,
        "tahap": tahap,
        "tahap_label": messages.render(locale, "disbursement.tahap", number=tahap, year=year),
        "stage": stage,
        "stage_label": messages.render(locale, "disbursement.stage", code=stage),
        "status": status,
        "status_label": messages.render(locale, "disbursement.status", code=status),
        "channel": channel,
        "channel_label": messages.render(locale, "disbursement.channel", code=channel),
    }
