"""Eligibility per programme, with a reason a citizen can read, from rules kept as data.

The rules (``api/data/eligibility.yaml``) give each programme its desil limit and each
exclusion code the programmes it closes. ``assess`` is pure: it turns a registry record into
one ``ProgrammeEligibility`` per programme, each with a reason code and its parameters. The
sentences themselves live in ``messages/<locale>/eligibility.j2`` (macros ``reason_<code>``
and ``next_<code>``), so this module never holds citizen-facing text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

_MAX_REMEMBERED = 10_000
_DEFAULT_RULES = Path(__file__).resolve().parent.parent / "data" / "eligibility.yaml"


class Standing(StrEnum):
    RECIPIENT = "recipient"  # designated and nothing excludes them
    NOT_DESIGNATED = "not_designated"  # meets the desil limit but is not designated: usul
    NOT_ELIGIBLE = "not_eligible"  # desil above the limit, not ranked, or excluded


@dataclass(frozen=True, slots=True)
class Programme:
    code: str
    name: str
    max_desil: int
    cash: bool
    # Paid to the family through one member: every member of the KK is covered.
    family: bool


@dataclass(frozen=True, slots=True)
class EligibilityRules:
    programmes: dict[str, Programme]
    # Exclusion code -> the programmes it closes; insertion order is the order of precedence.
    exclusions: dict[str, frozenset[str]]
    _assessed: dict[tuple, list[ProgrammeEligibility]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def is_programme(self, code: str) -> bool:
        return code in self.programmes

    def is_exclusion(self, code: str) -> bool:
        return code in self.exclusions

    def assess_record(
        self, desil: int | None, programmes: str, exclusions: str, family_enrolled: frozenset[str]
    ) -> list[ProgrammeEligibility]:
        """``assess`` for a registry record (``;``-separated codes), remembered per record
        shape: a few hundred shapes cover a whole population, and a status check then costs
        a dict lookup instead of a pass over every programme. Callers must not change the
        list or its items."""
        key = (desil, programmes, exclusions, family_enrolled)
        known = self._assessed.get(key)
        if known is None:
            if len(self._assessed) >= _MAX_REMEMBERED:
                self._assessed.clear()
            known = self._assessed[key] = assess(
                self,
                desil=desil,
                enrolled=filter(None, programmes.split(";")),
                exclusions=filter(None, exclusions.split(";")),
                family_enrolled=family_enrolled,
            )
        return known


@dataclass(frozen=True, slots=True)
class ProgrammeEligibility:
    programme: str
    standing: Standing
    # Key of the reason and of the next step in messages/<locale>/eligibility.j2.
    reason: str
    params: dict[str, int | str | None] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return self.standing is Standing.RECIPIENT


class RulesError(ValueError):
    """The rules file is malformed; the message names the entry."""


def load_rules(path: Path | None = None) -> EligibilityRules:
    raw = yaml.safe_load((path or _DEFAULT_RULES).read_text(encoding="utf-8"))
    try:
        programmes = {
            code: Programme(
                code=code,
                name=str(spec["name"]),
                max_desil=int(spec["max_desil"]),
                cash=bool(spec.get("cash", True)),
                family=bool(spec.get("family", False)),
            )
            for code, spec in raw["programmes"].items()
        }
        exclusions = {
            code: frozenset(spec["programmes"]) for code, spec in raw["exclusions"].items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"eligibility rules malformed: {exc!r}") from exc
    for code, closed in exclusions.items():
        unknown = closed - programmes.keys()
        if unknown:
            raise RulesError(f"exclusion {code} names unknown programmes {sorted(unknown)}")
    for programme in programmes.values():
        if not 1 <= programme.max_desil <= 10:
            raise RulesError(f"programme {programme.code}: max_desil must be 1..10")
    return EligibilityRules(programmes=programmes, exclusions=exclusions)


@cache
def default_rules() -> EligibilityRules:
    return load_rules()


def assess(
    rules: EligibilityRules,
    *,
    desil: int | None,
    enrolled: Iterable[str],
    exclusions: Iterable[str],
    family_enrolled: Iterable[str] = (),
) -> list[ProgrammeEligibility]:
    """Each programme's standing for one person, in the rules' programme order.

    ``enrolled`` are the person's own enrolments; ``family_enrolled`` those of the other
    members of the same family card, which cover the person for family programmes.
    """
    enrolled_set = set(enrolled)
    via_family = {
        code
        for code in family_enrolled
        if code in rules.programmes and rules.programmes[code].family
    }
    excluded = set(exclusions)
    exclusion_list = [code for code in rules.exclusions if code in excluded]
    results = []
    for programme in rules.programmes.values():
        closing = next(
            (code for code in exclusion_list if programme.code in rules.exclusions[code]), None
        )
        if closing is not None:
            # An exclusion wins even over an enrolment: the record is flagged for removal.
            standing, reason = Standing.NOT_ELIGIBLE, f"excluded_{closing.lower()}"
        elif programme.code in enrolled_set:
            standing, reason = Standing.RECIPIENT, "recipient"
        elif programme.code in via_family:
            standing, reason = Standing.RECIPIENT, "recipient_family"
        elif desil is None:
            standing, reason = Standing.NOT_ELIGIBLE, "not_ranked"
        elif desil > programme.max_desil:
            standing, reason = Standing.NOT_ELIGIBLE, "desil_above_limit"
        else:
            standing, reason = Standing.NOT_DESIGNATED, "not_designated"
        results.append(
            ProgrammeEligibility(
                programme.code, standing, reason, {"max_desil": programme.max_desil, "desil": desil}
            )
        )
    return results
