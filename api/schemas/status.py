"""Request and response bodies of the status check, and their rendering per locale."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

import messages
from api.domain.eligibility import EligibilityRules
from api.domain.regions import RegionCodes
from api.domain.status_check import Found


class StatusCheckRequest(BaseModel):
    """A NIK and a name travel only in a request body: never in a URL, never in a log."""

    nik: str = Field(max_length=64, description="NIK as typed; spaces, dots and dashes allowed")
    name: str = Field(max_length=200, description="Full name exactly as on the KTP")
    channel_user: str = Field(
        min_length=1, max_length=128, description="The channel's own id of the person asking"
    )
    locale: str | None = Field(default=None, max_length=16, description="id (default) or en")


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


def not_found_response(locale: str) -> StatusCheckResponse:
    return StatusCheckResponse(
        found=False, locale=locale, message=messages.render(locale, "status_check.not_found")
    )


def found_response(
    found: Found, *, locale: str, rules: EligibilityRules, regions: RegionCodes
) -> StatusCheckResponse:
    district = regions.district(found.district_code)
    regency = regions.regency(found.district_code[:4])
    province = regions.province(found.district_code[:2])
    programmes = []
    for item in found.eligibility:
        name = messages.render(locale, "eligibility.programme_name", code=item.programme)
        params = {
            "programme": name,
            "desil": item.params.get("desil"),
            "max_desil": item.params.get("max_desil"),
        }
        programmes.append(
            ProgrammeOut(
                code=item.programme,
                name=name,
                standing=item.standing.value,
                standing_label=messages.render(
                    locale, f"eligibility.standing_{item.standing.value}"
                ),
                eligible=item.eligible,
                reason_code=item.reason,
                reason=messages.render(locale, f"eligibility.reason_{item.reason}", **params),
                next_step=messages.render(locale, f"eligibility.next_{item.reason}", **params),
                disbursements=[
                    DisbursementOut(
                        year=d.year,
                        tahap=d.tahap,
                        tahap_label=messages.render(
                            locale, "disbursement.tahap", number=d.tahap, year=d.year
                        ),
                        stage=d.stage,
                        stage_label=messages.render(locale, "disbursement.stage", code=d.stage),
                        status=d.status,
                        status_label=messages.render(locale, "disbursement.status", code=d.status),
                        channel=d.channel,
                        channel_label=messages.render(
                            locale, "disbursement.channel", code=d.channel
                        ),
                        amount=d.amount,
                        date=d.occurred_on,
                    )
                    for d in found.disbursements.get(item.programme, [])
                ],
            )
        )
    return StatusCheckResponse(
        found=True,
        locale=locale,
        person=PersonOut(
            name_masked=found.name_masked,
            desil=found.desil,
            domicile=RegionOut(
                district_code=found.district_code,
                district=district.name if district else None,
                regency=regency.name if regency else None,
                province=province.name if province else None,
            ),
            nik_region_verified=found.region_verified,
            programmes=programmes,
        ),
    )
