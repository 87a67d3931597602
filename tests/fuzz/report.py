"""The fuzz table for the closing note of issue 9: ``python -m tests.fuzz.report``.

Runs every kind of hostile input of the fuzz suite through the real command line (each in its own
temporary sandbox folder, which is also the working directory):

* every :class:`~tests.fuzz.harness.Case` of ``tests/fuzz/test_fuzz_cli.py`` and
  ``tests/fuzz/test_fuzz_more.py``;
* every malformed school table of ``tests/test_fuzz_input.py`` under ``validate`` and ``assess``.

Each kind lands in exactly one column:

``refused``   refused cleanly: non-zero exit (the expected one), a message in Chinese and English
              naming the file / option / key (and row / column where there is one), no traceback,
              nothing written, input unchanged (a refused batch may record the failed run in
              ``<out>/manifest.csv``, nothing else);
``ok``        a legitimate input that must be accepted (``expect="ok"``) and was, writing only
              under ``--out``;
``crashed``   a traceback, the "unexpected error" of the last line of defence, a negative exit
              status (killed by a signal) or a hang (over ``--timeout`` seconds);
``outside``   a file or folder added, removed or changed outside the folders the kind may write;
``other``     anything else that fails the kind's check (accepted instead of refused, the wrong exit
              status, a message that does not name the file …); listed by name.

Prints the table per command and in total, and the kinds that are not clean; exit status 1 when
any kind crashed, touched a file outside ``--out`` or failed its check.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fuzz.harness import UNEXPECTED, Case, Result, check_case, outside, run_cli

COLUMNS = ("tried", "refused", "ok", "crashed", "outside", "other")


@dataclass
class Outcome:
    kind: str
    command: str
    column: str
    detail: str = ""


def _input_cases() -> list[Case]:
    """The school-table kinds of ``tests/test_fuzz_input.py`` as cases of ``validate`` and ``assess``."""
    from tests.cli import test_fuzz_input as fi

    cases = []
    for kind, (make, phrase, row) in fi.KINDS.items():
        for command in ("validate", "assess"):
            def build(d: Path, make=make, command=command) -> list[str]:
                inp = d / "in"
                inp.mkdir()
                mp = _MONKEY[0]
                try:
                    src = make(inp, mp)
                except TypeError:
                    src = make(inp)
                rel = str(src.relative_to(d)) if src.is_relative_to(d) else str(src)
                return ["validate", rel] if command == "validate" else ["assess", rel, "--out", "out"]
            names = (phrase,) + ((f" {row} ",) if row is not None else ())
            cases.append(Case(f"table:{kind}:{command}", build, names=names))
    return cases


_MONKEY: list = [None]


def all_cases() -> list[Case]:
    from tests.fuzz.test_fuzz_cli import CASES as CLI
    from tests.fuzz.test_fuzz_more import CASES as MORE

    return list(CLI) + list(MORE) + _input_cases()


def classify(case: Case, sandbox: Path) -> Outcome:
    """Run one case in ``sandbox`` and put it in one column (see the module docstring)."""
    _MONKEY[0] = pytest.MonkeyPatch()
    captured: dict[str, Result] = {}
    real = run_cli

    def spy(*a, **k):
        r = real(*a, **k)
        captured["r"] = r
        return r

    import tests.fuzz.harness as h

    h.run_cli = spy
    command = "?"
    try:
        try:
            check_case(case, sandbox)
            column, detail = ("ok" if case.expect == "ok" else "refused"), ""
        except AssertionError as exc:
            column, detail = "other", str(exc).splitlines()[0]
        except Exception as exc:  # noqa: BLE001 - the harness itself failed: count it, go on
            column, detail = "crashed", f"{type(exc).__name__}: {exc}"
        r = captured.get("r")
        if r is not None:
            command = r.args[0] if r.args else "?"
            if "Traceback" in r.text or UNEXPECTED in r.text or r.code < 0:
                column, detail = "crashed", (detail or f"exit {r.code}")
            elif outside(r, case.writes):
                column, detail = "outside", ", ".join(outside(r, case.writes)[:5])
    finally:
        h.run_cli = real
        _MONKEY[0].undo()
    return Outcome(case.kind, command, column, detail)


def table(outcomes: list[Outcome]) -> str:
    by: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        by[o.command][o.column] += 1
        by[o.command]["tried"] += 1
        by["TOTAL"][o.column] += 1
        by["TOTAL"]["tried"] += 1
    head = f"| {'command':<10} | " + " | ".join(f"{c:>7}" for c in COLUMNS) + " |"
    lines = [head, "|" + "|".join("-" * (len(x)) for x in head.split("|")[1:-1]) + "|"]
    for cmd in sorted(k for k in by if k != "TOTAL") + ["TOTAL"]:
        lines.append(f"| {cmd:<10} | " + " | ".join(f"{by[cmd][c]:>7}" for c in COLUMNS) + " |")
    return "\n".join(lines)


def _run(case: Case) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="balance-fuzz-") as d:
        return classify(case, Path(d))


def _run_index(i: int) -> Outcome:  # in a worker process: cases hold lambdas, so pass their index
    return _run(all_cases()[i])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fuzz.report", description=__doc__.splitlines()[0])
    ap.add_argument("-k", help="only kinds whose name contains this text")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="kinds run at once (separate processes)")
    args = ap.parse_args(argv)
    cases = [c for c in all_cases() if not args.k or args.k in c.kind]
    outcomes = []
    start = time.perf_counter()
    if args.jobs > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        index = {c.kind: i for i, c in enumerate(all_cases())}
        with ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("fork")) as pool:
            for i, o in enumerate(pool.map(_run_index, [index[c.kind] for c in cases]), 1):
                outcomes.append(o)
                print(f"[{i}/{len(cases)}] {o.column:<8} {o.command:<10} {o.kind}", file=sys.stderr, flush=True)
    else:
        for i, case in enumerate(cases, 1):
            outcomes.append(o := _run(case))
            print(f"[{i}/{len(cases)}] {o.column:<8} {o.command:<10} {o.kind}", file=sys.stderr, flush=True)
    print(f"fuzz kinds through the real CLI ({time.perf_counter() - start:.0f} s)\n")
    print(table(outcomes))
    bad = [o for o in outcomes if o.column in ("crashed", "outside", "other")]
    if bad:
        print("\nnot clean:")
        for o in bad:
            print(f"  {o.column:<8} {o.command:<10} {o.kind}: {o.detail[:160]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
