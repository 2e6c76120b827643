"""The service's shared words are defined once, in api/domain/vocabulary.py."""

from __future__ import annotations

import ast
from pathlib import Path

from api.domain import vocabulary
from api.domain.complaints.categories import load_categories
from api.domain.vocabulary import DeadlineTier, EscalationLevel

ROOT = Path(__file__).resolve().parents[3]
SHARED_NAMES = {
    "Status",
    "Action",
    "Actor",
    "Privacy",
    "Role",
    "EscalationLevel",
    "Deadline",
    "DeadlineTier",
    "VERIFY_DAYS",
    "FOLLOW_UP_DAYS",
    "FIELD_CHECK_DAYS",
    "CITIZEN_REPLY_DAYS",
}


def _definitions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_no_module_but_the_vocabulary_defines_a_shared_word():
    redefined = {
        f"{path.relative_to(ROOT)}: {name}"
        for package in ("api", "bot")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "vocabulary.py"
        for name in _definitions(path) & SHARED_NAMES
    }
    assert redefined == set()


def test_every_shared_word_is_in_the_vocabulary():
    assert set(dir(vocabulary)) >= SHARED_NAMES


def test_deadline_tiers_have_the_sp4n_lapor_lengths():
    assert {tier: tier.days for tier in DeadlineTier} == {
        DeadlineTier.SIMPLE: 5,
        DeadlineTier.COORDINATION: 14,
        DeadlineTier.FIELD_CHECK: 60,
    }


def test_every_category_resolves_within_its_tier_from_the_vocabulary():
    for category in load_categories():
        assert category.resolve_days == DeadlineTier(category.deadline_tier).days


def test_escalation_levels_are_ordered_office_region_ministry():
    assert EscalationLevel.OFFICE < EscalationLevel.COORDINATION_REGION < EscalationLevel.MINISTRY
    assert EscalationLevel.COORDINATION_REGION == 1  # the stored value of older rows
