"""Mutation testing of the rule-heavy modules: ``python3 dev.py mutation [MODULE …]``.

For each module (default: all of :data:`MODULES`) this

1. runs mutmut 3 over that module alone, with that module's own tests only (mutmut copies
   ``api/`` and ``tests/`` into ``mutants/`` and switches mutants on through trampolines);
2. re-runs every mutant mutmut did not kill in a fresh ``pytest`` process against all of the
   module's tests (``MUTANT_UNDER_TEST=<mutant>``), which drops false survivors: mutmut runs
   a mutant only against the tests that called the mutated function while it collected its
   statistics, in processes forked from one that already ran the suite;
3. sets the survivors that :data:`EQUIVALENT` lists aside (a change no test can notice) and
   prints killed / non-equivalent mutants as the score, with the diff of each survivor.

``--fail-under PCT`` exits 1 when a module scores below PCT (CI: ``--fail-under 100`` over
the access rules). Results, per-module logs and mutmut's working copy stay in ``mutants/``
(ignored by git) until the next run. docs/testing.md has the scores and the reasons.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"


@dataclass(frozen=True)
class Target:
    tests: tuple[str, ...]
    # Extra pytest arguments for this module's runs.
    pytest_args: tuple[str, ...] = ()


# Each module and the tests that are its own: the one place this mapping lives.
MODULES: dict[str, Target] = {
    "api/domain/access.py": Target(
        tests=(
            "tests/api/domain/test_access.py",
            "tests/api/domain/test_access_sql.py",
            "tests/api/domain/test_access_assignment.py",
            "tests/api/domain/test_access_statistics.py",
        ),
        # The SQL form checked on SQLite only: the full suite runs it on PostgreSQL too, and
        # a fresh PostgreSQL database per mutant would cost most of the run.
        pytest_args=("-m", "not postgres"),
    ),
    "api/domain/complaints/routing.py": Target(
        tests=("tests/api/domain/complaints/test_routing.py",)
    ),
    "api/domain/complaints/working_days.py": Target(
        tests=("tests/api/domain/complaints/test_working_days.py",)
    ),
    "api/domain/complaints/tracking_id.py": Target(
        tests=("tests/api/domain/complaints/test_tracking_id.py",)
    ),
    "api/domain/nik.py": Target(tests=("tests/api/domain/test_nik.py",)),
}


@dataclass(frozen=True)
class Equivalent:
    """A mutant no test can tell from the original, recognised by the line it changes."""

    module: str
    function: str
    before: str  # the original line, stripped
    after: str  # the mutated line, stripped
    reason: str


# Listed by content rather than by mutmut's number, so renumbering after an edit elsewhere in
# the function keeps them recognised; a listed mutant that no longer survives is reported.
EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent(
        "api/domain/complaints/routing.py",
        "RoutingTable.region_desk_for",
        "return self.region_desks.get(region) if region else None",
        "return self.region_desks.get(region) if (region) or True else None",
        "region_desks is keyed by truthy region codes only (from_offices skips a desk without "
        "one), so looking up a missing or empty region gives None either way.",
    ),
    Equivalent(
        "api/domain/complaints/working_days.py",
        "load_calendar",
        'raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)',
        'raw = yaml.load(path.read_text(encoding="UTF-8"), Loader=yaml.BaseLoader)',
        "Python's codec names are case-insensitive: both name the same codec.",
    ),
    Equivalent(
        "api/domain/complaints/working_days.py",
        "WorkingCalendar.working_days_between",
        "if end <= start:",
        "if end < start:",
        "When end == start both fall on the same Jakarta date, and the count from the day "
        "after the first to the last is then 0 anyway.",
    ),
    Equivalent(
        "api/domain/nik.py",
        "_describe",
        "return str(problem)  # pragma: no cover - every member is handled above",
        "return str(None)  # pragma: no cover - every member is handled above",
        "Unreachable: the match above returns for every NikProblem (a test checks that every "
        "problem has its message).",
    ),
    Equivalent(
        "api/domain/nik.py",
        "_resolve_birth",
        "yy = int(ddmmyy[4:6])",
        "yy = int(ddmmyy[4:7])",
        "ddmmyy is always the six characters value[6:12]: a slice to 7 ends at 6 all the same.",
    ),
    Equivalent(
        "api/domain/nik.py",
        "_days_in_month",
        "return 30 if month in (4, 6, 9, 11) else 31",
        "return 30 if month in (4, 6, 9, 11) else 32",
        "Only compared with a day already checked to be at most 31 (bad_day comes first), so "
        "a 31- and a 32-day month accept the same days.",
    ),
)


# -- running mutmut ----------------------------------------------------------------------


def _mutmut_child(module: str, max_children: int) -> int:
    """Inside a child process: mutmut over ``module`` alone, with its own tests."""
    from mutmut.configuration import config

    target = MODULES[module]
    cfg = config()  # [tool.mutmut] of pyproject.toml, narrowed to this module below
    cfg.only_mutate = [module]
    cfg.pytest_add_cli_args_test_selection = list(target.tests)
    cfg.pytest_add_cli_args = [*cfg.pytest_add_cli_args, *target.pytest_args]

    from mutmut.__main__ import cli

    try:
        cli.main(["run", "--max-children", str(max_children)], standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _meta(module: str) -> dict[str, int | None]:
    import json

    meta = json.loads((WORK / f"{module}.meta").read_text())
    return meta["exit_code_by_key"]


# pytest failed (1), could not even collect the tests (2: e.g. a test module builds a table at
# import) or errored inside (3): the tests noticed. mutmut itself records only 1 and 3.
_KILLED = {1, 2, 3}
_MUTMUT_KILLED = {1, 3}  # its 2 means "interrupted": re-run those


def _fresh_run(module: str, mutant: str, timeout: float) -> str:
    """killed / survived / timeout for ``mutant`` in a new pytest process."""
    target = MODULES[module]
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "--no-header",
        "-p",
        "no:cacheprovider",
        "--rootdir=.",
        *target.tests,
        *target.pytest_args,
    ]
    try:
        done = subprocess.run(
            command, cwd=WORK, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode in _KILLED:
        return "killed"
    if done.returncode in (0, 5):  # 5: no test ran at all
        return "survived"
    raise RuntimeError(f"pytest broke on {mutant} (exit {done.returncode}):\n{done.stdout}")


def _changed_lines(mutant: str, module: str) -> tuple[str, str, str]:
    """(function, original line, mutated line) of a one-line mutant, from mutmut's diff."""
    diff = _diff(mutant, module)
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+")]
    removed = [line for line in removed if not line.startswith("--")]
    added = [line for line in added if not line.startswith("++")]
    return _function_of(mutant), " / ".join(removed), " / ".join(added)


def _function_of(mutant: str) -> str:
    """``mod.xǁClassǁmethod__mutmut_3`` → ``Class.method``; ``mod.x_f__mutmut_1`` → ``f``."""
    mangled = re.sub(r"__mutmut_\d+$", "", mutant.rpartition(".")[2])
    if "ǁ" in mangled:
        return ".".join(mangled.split("ǁ")[1:])
    return mangled.removeprefix("x_")


def _diff(mutant: str, module: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(mutant, path=module)


@dataclass
class Score:
    module: str
    total: int
    killed: int
    equivalent: list[str]
    survivors: list[str]
    seconds: float

    @property
    def percent(self) -> float:
        counted = self.total - len(self.equivalent)
        return 100.0 if counted == 0 else 100.0 * self.killed / counted


def run_module(module: str, *, max_children: int, timeout: float, verbose: bool) -> Score:
    started = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)  # a fresh copy: mutmut's cache would mix modules
    print(f"== {module}: mutmut with {', '.join(MODULES[module].tests)}", flush=True)
    log = ROOT / "mutants.log"
    with log.open("w") as out:
        child = subprocess.run(
            [sys.executable, __file__, "--child", module, "--max-children", str(max_children)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    WORK.mkdir(exist_ok=True)  # mutmut may have failed before making it
    (WORK / f"{Path(module).stem}.log").write_text(log.read_text())
    log.unlink()
    if child.returncode != 0 or not (WORK / f"{module}.meta").exists():
        print((WORK / f"{Path(module).stem}.log").read_text()[-4000:])
        raise SystemExit(f"mutmut failed on {module} (exit {child.returncode})")

    results = _meta(module)
    first_pass = [name for name, code in results.items() if code not in _MUTMUT_KILLED]
    print(
        f"   {len(results)} mutants, {len(results) - len(first_pass)} killed by mutmut; "
        f"re-running {len(first_pass)} in fresh processes",
        flush=True,
    )
    # The setup check mutmut makes too: with every trampoline failing, the tests must fail.
    if _fresh_run(module, "fail", timeout) != "killed":
        raise SystemExit(f"{module}: the fresh runs do not reach the mutated code in mutants/")
    survivors, equivalent = [], []
    known = [e for e in EQUIVALENT if e.module == module]
    os.chdir(ROOT)  # mutmut's diff helpers read mutants/ relative to the working directory
    for name in sorted(first_pass, key=_mutant_number):
        verdict = _fresh_run(module, name, timeout)
        if verdict == "survived":
            function, before, after = _changed_lines(name, module)
            seen = (function, before, after)
            match = [e for e in known if (e.function, e.before, e.after) == seen]
            if match:
                equivalent.append(name)
                known.remove(match[0])
            else:
                survivors.append(name)
        if verbose:
            print(f"   {name}: {verdict}", flush=True)
    for stale in known:
        print(f"   note: listed equivalent mutant not seen (killed or gone): {stale}")
    killed = len(results) - len(survivors) - len(equivalent)
    score = Score(module, len(results), killed, equivalent, survivors, time.monotonic() - started)
    for name in survivors:
        print(f"\n-- survived: {name}\n{_diff(name, module)}")
    return score


def _mutant_number(name: str) -> tuple[str, int]:
    function, _, number = name.rpartition("__mutmut_")
    return function, int(number) if number.isdigit() else 0


def _resolve(name: str) -> str:
    path = name if name.endswith(".py") else name.replace(".", "/") + ".py"
    if path not in MODULES:
        raise SystemExit(f"unknown module {name!r}; one of: {', '.join(MODULES)}")
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py mutation", description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help="e.g. api/domain/access.py (default: all)")
    parser.add_argument("--fail-under", type=float, help="exit 1 if a module scores below this %%")
    parser.add_argument("--max-children", type=int, default=2, help="mutmut workers (default 2)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per fresh run")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every fresh verdict")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.child:
        return _mutmut_child(args.child, args.max_children)

    modules = [_resolve(m) for m in args.modules] or list(MODULES)
    scores = [
        run_module(m, max_children=args.max_children, timeout=args.timeout, verbose=args.verbose)
        for m in modules
    ]
    print("\nmodule                                   mutants  killed  equiv.  score    time")
    for s in scores:
        print(
            f"{s.module:<40} {s.total:>7} {s.killed:>7} {len(s.equivalent):>7}  "
            f"{s.percent:5.1f} %  {s.seconds:4.0f} s"
        )
    failing = [s for s in scores if args.fail_under is not None and s.percent < args.fail_under]
    for s in failing:
        print(f"FAIL: {s.module} scores {s.percent:.1f} %, below {args.fail_under:g} %")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
