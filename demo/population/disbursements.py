"""The 2026 disbursement history of a family: which stages each tahap reached, with what
status, through which penyalur, on which (non-decreasing) dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from demo.population.parameters import (
    BLT_PER_TAHAP,
    BLT_TAHAP,
    POS_STAGES,
    SEMBAKO_PER_TAHAP,
    STAGES,
)
from demo.population.records import DemoDisbursement

_BUREKOL_GAGAL = 0.02
_TOPUP_GAGAL = 0.02

# Current-tahap progress: (index of the last stage reached, its status).
_BANK_PROGRESS = (
    (5, 0, "SUKSES"),
    (4, 1, "PROSES"),
    (4, 2, "PROSES"),
    (8, 3, "PROSES"),
    (9, 4, "PROSES"),
    (15, 5, "PROSES"),
    (15, 6, "PROSES"),
    (40, 6, "SUKSES"),
)
_POS_PROGRESS = ((10, 0, "SUKSES"), (30, 1, "PROSES"), (20, 2, "PROSES"), (40, 2, "SUKSES"))


def tahap_window(year: int, tahap: int) -> tuple[int, int]:
    start = date(year, 3 * tahap - 2, 1).toordinal()
    end = (date(year + 1, 1, 1) if tahap == 4 else date(year, 3 * tahap + 1, 1)).toordinal() - 1
    return start, end


Plan = list[tuple[str, str, str]]  # (stage, status, channel)


def full_plan(channel: str) -> Plan:
    chain = POS_STAGES if channel == "POS" else STAGES
    return [(stage, "SUKSES", channel) for stage in chain]


def _progress(x: float, table: tuple[tuple[int, int, str], ...]) -> tuple[int, str]:
    """Pick (last stage index, status) from a table of (weight in %, index, status)."""
    x *= 100
    for weight, last, status in table:
        if x < weight:
            return last, status
        x -= weight
    return table[-1][1], table[-1][2]


def _random_plan(r, channel: str, current: bool) -> Plan:
    if channel == "POS":
        if not current:
            return full_plan(channel)
        last, status = _progress(r(), _POS_PROGRESS)
        plan = [(stage, "SUKSES", channel) for stage in POS_STAGES[:last]]
        plan.append((POS_STAGES[last], status, channel))
        return plan
    x = r()
    if x < _BUREKOL_GAGAL:
        plan = [("PENETAPAN", "SUKSES", channel), ("BUREKOL", "GAGAL", channel)]
        y = r() if current else 1.0
        if y >= 0.8:  # re-routed to PT Pos and paid
            plan.append(("SPM", "SUKSES", "POS"))
            plan.append(("TRANSAKSI", "SUKSES" if not current or y >= 0.9 else "PROSES", "POS"))
        elif y >= 0.4:
            plan.append(("SPM", "PROSES", "POS"))
        return plan
    if x < _BUREKOL_GAGAL + _TOPUP_GAGAL:
        plan = [(stage, "SUKSES", channel) for stage in STAGES[:5]]
        plan.append(("TOPUP", "GAGAL", channel))
        y = r() if current else 1.0
        if y >= 0.5:
            plan.append(("TRANSAKSI", "SUKSES" if not current or y >= 0.85 else "PROSES", "POS"))
        return plan
    if not current:
        return full_plan(channel)
    last, status = _progress(r(), _BANK_PROGRESS)
    plan = [(stage, "SUKSES", channel) for stage in STAGES[:last]]
    plan.append((STAGES[last], status, channel))
    return plan


def _dated(r, plan: Plan, start: int, cap: int) -> list[int]:
    """Non-decreasing dates in [start, cap] for the rows of one tahap."""
    day = min(start + int(r() * 12), cap)
    dates = [day]
    for _ in range(len(plan) - 1):
        day = min(day + 1 + int(r() * 8), cap)
        dates.append(day)
    return dates


def disbursement_history(
    r,
    *,
    head_nik: str,
    programmes: Sequence[str],
    pkh_per_tahap: int,
    channel: str,
    start_tahap: int,
    today: date,
    current_plans: dict[str, Plan] | None = None,
) -> list[DemoDisbursement]:
    rows: list[DemoDisbursement] = []
    year = today.year
    today_ord = today.toordinal()
    for program in programmes:
        if program == "PKH":
            amount = pkh_per_tahap
        elif program == "SEMBAKO":
            amount = SEMBAKO_PER_TAHAP
        elif program == "BLT":
            amount = BLT_PER_TAHAP
        else:
            continue
        for tahap in range(1, 5):
            if tahap < start_tahap or (program == "BLT" and tahap != BLT_TAHAP):
                continue
            start, end = tahap_window(year, tahap)
            if start > today_ord:
                break
            current = end >= today_ord
            if current and current_plans is not None and program in current_plans:
                plan = current_plans[program]
            elif current_plans is not None and not current:
                plan = full_plan(channel)
            else:
                plan = _random_plan(r, channel, current)
            dates = _dated(r, plan, start, min(end, today_ord))
            for (stage, status, via), day in zip(plan, dates, strict=True):
                rows.append(
                    DemoDisbursement(
                        head_nik,
                        program,
                        year,
                        tahap,
                        stage,
                        status,
                        via,
                        amount,
                        date.fromordinal(day),
                    )
                )
    return rows
