"""Plausible Indonesian names by region, drawn from ``demo/data/demo_names.yaml``."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import yaml

from demo.population.numbers import cumulative

NAMES_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_names.yaml"


class _Group:
    __slots__ = (
        "male",
        "female",
        "male_second",
        "female_second",
        "second_share",
        "surnames",
        "male_prefix",
        "female_prefix",
        "prefix_share",
        "birth_order",
    )

    def __init__(self, spec: dict) -> None:
        self.male = tuple(spec["male"])
        self.female = tuple(spec["female"])
        self.male_second = tuple(spec.get("male_second", ()))
        self.female_second = tuple(spec.get("female_second", ()))
        self.second_share = float(spec.get("second_share", 0.0))
        self.surnames = tuple(spec.get("surnames", ()))
        self.male_prefix = tuple(spec.get("male_prefix", ()))
        self.female_prefix = tuple(spec.get("female_prefix", ()))
        self.prefix_share = float(spec.get("prefix_share", 0.0))
        order = spec.get("birth_order")
        self.birth_order = (
            (tuple(tuple(o) for o in order["female"]), tuple(tuple(o) for o in order["male"]))
            if order
            else None
        )


class _NameBook:
    def __init__(self, raw: dict) -> None:
        self.groups = {name: _Group(spec) for name, spec in raw["groups"].items()}
        self.modern_male = tuple(raw["modern"]["male"])
        self.modern_female = tuple(raw["modern"]["female"])
        self.provinces: dict[str, tuple[tuple[str, ...], list[float], float]] = {}
        for prov, weights in raw["provinces"].items():
            names = tuple(weights)
            cum, total = cumulative(weights.values())
            self.provinces[str(prov)] = (names, cum, total)

    def group_for(self, province: str, r: float) -> str:
        names, cum, total = self.provinces.get(province) or self.provinces["default"]
        return names[bisect(cum, r * total)]


@cache
def name_book() -> _NameBook:
    return _NameBook(yaml.safe_load(NAMES_PATH.read_text(encoding="utf-8")))


def pick(seq: Sequence[str], r: float) -> str:
    return seq[int(r * len(seq))]


def make_name(
    rng: random.Random,
    book: _NameBook,
    group_name: str,
    female: bool,
    birth_year: int,
    *,
    surname: str | None,
    birth_order: int,
) -> str:
    g = book.groups[group_name]
    r = rng.random
    if g.birth_order is not None:  # Balinese: I WAYAN / NI MADE ... + a given name
        prefix = pick(g.birth_order[0 if female else 1][birth_order % 4], r())
        return f"{prefix} {pick(g.female if female else g.male, r())}"
    words: list[str] = []
    if g.prefix_share and r() < g.prefix_share:
        words.append(pick(g.female_prefix if female else g.male_prefix, r()))
    if birth_year >= 2000 and r() < 0.5:
        words.append(pick(book.modern_female if female else book.modern_male, r()))
    else:
        words.append(pick(g.female if female else g.male, r()))
    second = g.female_second if female else g.male_second
    # Younger people more often have two given names.
    share = g.second_share + (0.2 if birth_year >= 1990 else 0.0)
    if second and r() < share:
        word = pick(second, r())
        if word != words[-1]:
            words.append(word)
    if g.surnames:
        words.append(surname or pick(g.surnames, r()))
    if len(words) > 3:
        del words[1:-2]
    return " ".join(words)
