"""Tracking IDs: short, readable aloud over the phone, typo-checked, and unguessable.

A tracking ID is eight random symbols and one check symbol from Crockford's base-32 alphabet
(digits and letters without I, L, O and U, so nothing is mistaken for 1, 0 or V), shown in
groups of three: ``7K3-M9Q-X2D``. Being random (40 bits), an ID says nothing about how many
complaints exist or what the neighbouring IDs are. The check symbol (Luhn mod 32) catches
every single mistyped symbol and most swaps of two neighbours, so a typo is reported as a
typo instead of "not found".

Reading is forgiving the way people type: any case, spaces or dashes anywhere, and O/I/L
read as 0/1/1.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ_AS = {"O": "0", "I": "1", "L": "1"}
RANDOM_SYMBOLS = 8
LENGTH = RANDOM_SYMBOLS + 1


class TrackingIdProblem(StrEnum):
    EMPTY = "empty"
    LENGTH = "length"
    SYMBOL = "symbol"
    CHECK = "check"


class TrackingIdError(ValueError):
    def __init__(self, problem: TrackingIdProblem) -> None:
        super().__init__(f"tracking ID: {problem.value}")
        self.problem = problem


def check_symbol(symbols: str) -> str:
    """Luhn mod N over the alphabet: doubles every second symbol from the right."""
    total, factor = 0, 2
    for symbol in reversed(symbols):
        addend = factor * _VALUE[symbol]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_tracking_id() -> str:
    """A fresh tracking ID in canonical form (no dashes), e.g. ``7K3M9QX2D``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return body + check_symbol(body)


def display(tracking_id: str) -> str:
    """``7K3M9QX2D`` → ``7K3-M9Q-X2D``, the form printed to citizens."""
    return "-".join(tracking_id[i : i + 3] for i in range(0, len(tracking_id), 3))


def parse_tracking_id(text: str) -> str:
    """The canonical form of what a person typed, or :class:`TrackingIdError` saying why not."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_.\t")
    if not cleaned:
        raise TrackingIdError(TrackingIdProblem.EMPTY)
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    if len(cleaned) != LENGTH:
        raise TrackingIdError(TrackingIdProblem.LENGTH)
    if any(ch not in _VALUE for ch in cleaned):
        raise TrackingIdError(TrackingIdProblem.SYMBOL)
    if check_symbol(cleaned[:-1]) != cleaned[-1]:
        raise TrackingIdError(TrackingIdProblem.CHECK)
    return cleaned


def candidates(typed: str) -> list[str]:
    """The canonical IDs ``typed`` can be: itself when its check symbol holds; else every ID
    one mistyped symbol or one swap of neighbours away whose check holds (at most one per
    position, so a short list). Empty when it is not nine symbols of the alphabet."""
    try:
        return [parse_tracking_id(typed)]
    except TrackingIdError as error:
        if error.problem != TrackingIdProblem.CHECK:
            return []
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in typed.upper() if ch not in " -_.\t")
    found: list[str] = []
    for position in range(LENGTH):
        for symbol in ALPHABET:
            if symbol != cleaned[position]:
                _keep_if_valid(found, cleaned[:position] + symbol + cleaned[position + 1 :])
    for position in range(LENGTH - 1):
        a, b = cleaned[position], cleaned[position + 1]
        if a != b:
            _keep_if_valid(found, cleaned[:position] + b + a + cleaned[position + 2 :])
    return found


def _keep_if_valid(found: list[str], candidate: str) -> None:
    if check_symbol(candidate[:-1]) == candidate[-1] and candidate not in found:
        found.append(candidate)
