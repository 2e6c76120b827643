"""Response templates through the application: the complaint page's list, and the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.application import response_templates
from api.application.errors import AppError, Refusal
from api.application.response_templates import TemplateRefused
from api.domain.response_templates import TemplateDraft
from api.domain.staff import StaffMember, create_staff
from api.domain.vocabulary import Role
from api.models import AdministrationAudit

HANDLER = StaffMember(2, "banyuwangi", "Banyuwangi", Role.HANDLER, "DINSOS-3510", "WK4")


@pytest.fixture
async def admin(services) -> StaffMember:
    staff_id = await create_staff(
        services.engine,
        username="admin",
        display_name="Admin",
        password="kata-sandi-yang-panjang",
        role=Role.ADMIN,
        office_code=None,
    )
    return StaffMember(staff_id, "admin", "Admin", Role.ADMIN, None, None)


async def test_a_handler_is_offered_the_categorys_and_the_general_active_ones_in_a_language(
    services, admin
):
    async def add(category, locale, title):
        return await response_templates.create_template(
            services, admin, TemplateDraft(category, locale, title, "Nomor {tracking_id}.")
        )

    await add("PUNGLI", "id", "Pungli diterima")
    await add(None, "id", "Umum")
    await add("PUNGLI", "en", "Received")
    await add("KARTU_REKENING", "id", "KKS")
    retired = await add("PUNGLI", "id", "Lama")
    await response_templates.change_template(services, admin, retired.id, active=False)

    offered = await response_templates.templates_for(services, "PUNGLI", "id")
    assert [template.title for template in offered] == ["Umum", "Pungli diterima"]


async def test_every_problem_of_a_template_is_reported_and_nothing_is_saved(services, admin):
    with pytest.raises(TemplateRefused) as refused:
        await response_templates.create_template(
            services, admin, TemplateDraft("TIDAK-ADA", "id", "", "{nomor}")
        )
    assert {(p.field, p.problem.value) for p in refused.value.problems} == {
        ("title", "title_missing"),
        ("body", "placeholder_unknown"),
        ("category_code", "category_unknown"),
    }
    async with services.engine.connect() as conn:
        assert (await conn.execute(select(AdministrationAudit.id))).first() is None


async def test_only_administrators_manage_templates(services):
    with pytest.raises(AppError) as refused:
        await response_templates.create_template(
            services, HANDLER, TemplateDraft(None, "id", "Umum", "Terima kasih.")
        )
    assert refused.value.refusal == Refusal.FORBIDDEN
