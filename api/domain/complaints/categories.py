"""Complaint categories as data (``api/data/complaint_categories.yaml``).

The file is the source loaded into the database; at run time the service reads categories
from the database, where an administrator may have changed a category's office type (its
routing rule) since. Pure: no database here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.domain.pilot_config import REGENCY_OFFICE_TYPES
from api.domain.vocabulary import DeadlineTier

DEFAULT_CATEGORIES_PATH = Path(__file__).resolve().parents[2] / "data" / "complaint_categories.yaml"
LOCALES = ("id", "en")


class CategoryConfigError(ValueError):
    """The categories file is malformed; the message names the entry."""


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    office_type: str
    requires_subject_nik: bool
    deadline_tier: str
    resolve_days: int
    label: Mapping[str, str]
    description: Mapping[str, str]
    position: int = 0
    active: bool = True
    # Whether a complaint's text may be published (masked); false for kinds about a person.
    public_description: bool = False

    def label_in(self, locale: str) -> str:
        return self.label.get(locale) or self.label["id"]

    def description_in(self, locale: str) -> str:
        return self.description.get(locale) or self.description["id"]


def load_categories(path: Path = DEFAULT_CATEGORIES_PATH) -> list[Category]:
    """Every category of the file, in its order, validated."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise CategoryConfigError(f"{path.name}: expected 'version: 1' at the top")
    if "deadline_tiers" in raw:
        # The tiers' lengths are part of the service's vocabulary, not of this file: the
        # deadline job and the field-check rule count with them too.
        raise CategoryConfigError(
            f"{path.name}: 'deadline_tiers' is no longer read; tiers are defined in "
            "api/domain/vocabulary.py (DeadlineTier)"
        )
    categories: list[Category] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw.get("categories") or []):
        category = _category(entry, position=position)
        if category.code in seen:
            raise CategoryConfigError(f"category {category.code}: listed twice")
        seen.add(category.code)
        categories.append(category)
    if not categories:
        raise CategoryConfigError(f"{path.name}: no categories")
    return categories


def _category(entry: Any, *, position: int) -> Category:
    where = f"category #{position + 1}"
    if not isinstance(entry, dict):
        raise CategoryConfigError(f"{where}: expected a mapping")
    code = entry.get("code")
    if not isinstance(code, str) or not code.isupper() or len(code) > 32:
        raise CategoryConfigError(f"{where}: 'code' must be an upper-case word of ≤ 32 chars")
    where = f"category {code}"
    office_type = entry.get("office_type")
    if office_type not in REGENCY_OFFICE_TYPES:
        allowed = ", ".join(sorted(REGENCY_OFFICE_TYPES))
        raise CategoryConfigError(f"{where}: office_type must be one of {allowed}")
    tier = entry.get("deadline_tier")
    if tier not in DeadlineTier.__members__:
        allowed = ", ".join(DeadlineTier)
        raise CategoryConfigError(f"{where}: deadline_tier must be one of {allowed}")
    public_description = entry.get("public_description", False)
    if not isinstance(public_description, bool):
        raise CategoryConfigError(f"{where}: public_description must be true or false")
    texts = {}
    for field in ("label", "description"):
        value = entry.get(field)
        if not isinstance(value, dict) or any(
            not isinstance(value.get(loc), str) or not value[loc].strip() for loc in LOCALES
        ):
            raise CategoryConfigError(f"{where}: '{field}' needs non-empty 'id' and 'en' texts")
        texts[field] = {loc: value[loc].strip() for loc in LOCALES}
    return Category(
        code=code,
        office_type=office_type,
        requires_subject_nik=bool(entry.get("requires_subject_nik", False)),
        deadline_tier=tier,
        resolve_days=DeadlineTier(tier).days,
        label=texts["label"],
        description=texts["description"],
        position=position,
        public_description=public_description,
    )
