"""Small-cell suppression: what the public may read of a figure without singling anyone out.

The public transparency page (and its CSV) show counts per kab/kota and month. In a small
place a small count can point at a person ("the one pungli report from Pesanggaran in
March"), so:

* a **count** from 1 to 9 is shown as "<10" (:attr:`Mark.SMALL`); 0 is shown as 0, since it
  points at nobody, and hiding it would make every quiet month look like a busy one;
* a **figure derived from complaints** (a median, a share) is shown only when at least 10
  complaints are behind it: with fewer it is "–" (:attr:`Mark.TOO_FEW`), whatever its value
  (the median of two answers is one person's wait);
* a **total shown beside its parts** would let a hidden part be worked out by subtraction
  (a region's 15 minus its kab/kota's 12 is the "<10" one's 3). When exactly one part of a
  shown total is hidden, the smallest other non-zero part is hidden too
  (:attr:`Mark.COMPLEMENT`, "*"), or the total itself when no other part has anything.

Nothing here knows a locale, a page or a database: the rule is a pure function of counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

#: The smallest count, and the fewest complaints behind a derived figure, shown as they are.
THRESHOLD = 10


class Mark(StrEnum):
    SMALL = "small"  # a count of 1..9
    TOO_FEW = "too_few"  # a median or a share of fewer than 10 complaints
    COMPLEMENT = "complement"  # hidden so that a small count elsewhere cannot be worked out


#: How each mark reads on the page and in the CSV (the footnotes say what they mean).
SHOWN_AS = {Mark.SMALL: "<10", Mark.TOO_FEW: "–", Mark.COMPLEMENT: "*"}


@dataclass(frozen=True)
class Cell:
    """A figure as the public may read it: its ``value`` when ``mark`` is None, else only
    the mark. ``value`` stays for the rule's own arithmetic; never publish it when marked."""

    value: int | float | None
    mark: Mark | None = None

    @property
    def public(self) -> int | float | None:
        return self.value if self.mark is None else None

    @property
    def hidden(self) -> bool:
        return self.mark is not None


def count(n: int) -> Cell:
    """A count: "<10" from 1 to 9."""
    if 0 < n < THRESHOLD:
        return Cell(n, Mark.SMALL)
    return Cell(n)


def derived(value: int | float | None, *, complaints: int) -> Cell:
    """A median or a share computed from ``complaints`` complaints: "–" below 10."""
    if complaints < THRESHOLD or value is None:
        return Cell(value, Mark.TOO_FEW)
    return Cell(value)


def complement(total: Cell, parts: Sequence[Cell]) -> tuple[Cell, tuple[Cell, ...]]:
    """``total`` and its ``parts`` with one more cell hidden where a shown total and exactly
    one hidden part would give the hidden part away by subtraction."""
    if total.hidden or sum(1 for part in parts if part.hidden) != 1:
        return total, tuple(parts)
    candidates = [
        index for index, part in enumerate(parts) if not part.hidden and (part.value or 0) > 0
    ]
    if not candidates:
        return replace(total, mark=Mark.COMPLEMENT), tuple(parts)
    smallest = min(candidates, key=lambda index: (parts[index].value, index))
    hidden = tuple(
        replace(part, mark=Mark.COMPLEMENT) if index == smallest else part
        for index, part in enumerate(parts)
    )
    return total, hidden


def shown(cell: Cell, write=str) -> str:
    """The cell as a page or a CSV shows it: its mark, or its value written by ``write``."""
    if cell.mark is not None:
        return SHOWN_AS[cell.mark]
    return write(cell.value)
