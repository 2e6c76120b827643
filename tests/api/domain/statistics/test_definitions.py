"""Every compliance, appeal and routing figure has its one-sentence definition, in English
here and as a label and a definition in each language the pages speak."""

from __future__ import annotations

from dataclasses import fields

import messages
from api.domain.statistics.deadlines import StageCompliance
from api.domain.statistics.definitions import DEFINITIONS


def test_each_figure_of_a_compliance_row_and_of_appeals_is_defined():
    # "breached" keeps the wording the overview already shows.
    named = {field.name for field in fields(StageCompliance)} | {"share_met", "share_late"}
    named |= {"poor_ratings", "appealed", "share_appealed"}
    assert named - {"breached"} <= DEFINITIONS.keys()


def test_each_defined_figure_has_a_label_and_a_definition_in_every_language():
    for locale in messages.LOCALES:
        defined = messages.keys(locale)
        missing = {
            f"{kind}_{key}"
            for key in [*DEFINITIONS, "breached"]
            for kind in ("label", "define")
            if f"statistics.{kind}_{key}" not in defined
        }
        assert not missing, (locale, missing)
