"""Kept kernels (balance.running.kernel) and the per-kernel read / assessment cache (balance.method.cache).

* a briefing from a warm kernel that ran others first (one of them failing) is the briefing from a
  fresh kernel, byte for byte apart from the generated-at time;
* the namespace is reset between runs, the kernel is kept after a good run and replaced after a
  failed one;
* the cached assessment of one county equals ``assess(table, standard, county=…)``.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from balance.running import run_batch

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"

#: "生成时间" (generated at) is the only text that may differ between two runs of one briefing.
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _params(folder: Path, name: str, county: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{name}.yaml"
    p.write_text(f'notebook: county_briefing\ndata: {DEMO / "schools.csv"}\ncounty_code: "{county}"\nyear: 2025\n'
                 f'county_sheet: {DEMO / "county_sheet.xlsx"}\n', encoding="utf-8")
    return p


def test_warm_kernel_briefing_equals_fresh_kernel_briefing(tmp_path):
    fresh = run_batch([_params(tmp_path / "p1", "c_990101", "990101")], tmp_path / "fresh", workers=1,
                      progress=False, warm_kernel=False)
    assert [r.status for r in fresh.runs] == ["ok"]
    # one worker, one kept kernel: a failing run (county not in the data), another county, then ours
    warm_params = [_params(tmp_path / "p2", "a_fail", "999999"), _params(tmp_path / "p2", "b_990102", "990102"),
                   _params(tmp_path / "p2", "c_990101", "990101")]
    warm = run_batch(warm_params, tmp_path / "warm", workers=1, progress=False)
    assert {r.run: r.status for r in warm.runs} == {"a_fail": "failed", "b_990102": "ok", "c_990101": "ok"}
    assert "999999" in warm.runs[0].error
    a = (tmp_path / "fresh" / "c_990101.html").read_text(encoding="utf-8")
    b = (tmp_path / "warm" / "c_990101.html").read_text(encoding="utf-8")
    assert "图 1</span>" in b  # the figure numbering starts again in every run
    assert _STAMP.sub("T", a) == _STAMP.sub("T", b)
    other = (tmp_path / "warm" / "b_990102.html").read_text(encoding="utf-8")
    assert _STAMP.sub("T", other) != _STAMP.sub("T", b)  # the comparison can fail


def _nb(path: Path, *sources: str) -> Path:
    cells = [new_code_cell('out = ""')]
    cells[0].metadata["tags"] = ["parameters"]
    cells += [new_code_cell(s) for s in sources]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "P",
                                                                      "language": "python"}}), path)
    return path


def test_kept_kernel_is_reset_between_runs_and_replaced_after_a_failure(tmp_path):
    from balance.running import kernel as warm
    from balance.running.worker import _execute

    pid_and_names = "import os, pathlib\npathlib.Path(out).write_text(f'{os.getpid()} {sorted(k for k in globals() if not k.startswith(\"_\"))}')"
    define = _nb(tmp_path / "define.ipynb", "leftover = 1", pid_and_names)
    check = _nb(tmp_path / "check.ipynb", pid_and_names)
    fails = _nb(tmp_path / "fails.ipynb", "leftover = 2", "raise ValueError('deliberate')")
    spec = {"timeout": 60, "out_dir": str(tmp_path)}

    def run(nb, name):
        out = tmp_path / f"{name}.txt"
        err = _execute(nb, tmp_path / f".{name}.tmp.ipynb", {"out": str(out)}, spec)
        return err, (out.read_text(encoding="utf-8").split(" ", 1) if out.exists() else None)

    try:
        err, (pid1, names1) = run(define, "one")
        assert err is None and "'leftover'" in names1
        err, (pid2, names2) = run(check, "two")
        assert err is None and pid2 == pid1, "the kernel is kept after a good run"
        assert "leftover" not in names2, "the namespace is reset between runs"
        err, _ = run(fails, "three")
        assert err.startswith("ValueError: deliberate")
        err, (pid4, names4) = run(check, "four")
        assert err is None and pid4 != pid1, "a new kernel after a failed run"
        assert "leftover" not in names4
        # the fresh-kernel path still works and starts its own kernel
        cold = {**spec, "warm_kernel": False}
        out = tmp_path / "six.txt"
        assert _execute(check, tmp_path / ".six.tmp.ipynb", {"out": str(out)}, cold) is None
        assert out.read_text(encoding="utf-8").split(" ", 1)[0] not in (pid1, pid4)
    finally:
        warm.shutdown_kernel()


@pytest.mark.parametrize("standard", ["quality-2017", "basic-2012"])
def test_cached_county_assessment_equals_direct_assessment(standard):
    from balance.io.reading import load_school_table
    from balance.method import cache
    from balance.method.assessment import assess

    cache.clear()
    table = cache.school_table(str(DEMO / "schools.csv"))
    again = cache.school_table(str(DEMO / "schools.csv"))  # read once, handed out as its own copy
    assert again is not table and again.data.equals(table.data)
    direct_table = load_school_table(str(DEMO / "schools.csv"))
    codes = sorted(table.data["county_code"].unique())
    assert len(codes) > 2
    for code in codes:
        got = cache.county_assessment(table, standard, code)
        want = assess(direct_table, standard, county=code)
        for name in ("sections", "school_results", "excluded", "section_values", "county_indicators",
                     "shortfalls", "county_shortfalls", "verdicts", "warnings"):
            pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True),
                                          getattr(want, name).reset_index(drop=True), check_exact=True,
                                          obj=f"{code} {name}")
    # a county not in the data: the same refusal as without the cache
    from balance.errors import InputError

    with pytest.raises(InputError) as e1:
        cache.county_assessment(table, standard, "999999")
    with pytest.raises(InputError) as e2:
        assess(direct_table, standard, county="999999")
    assert str(e1.value) == str(e2.value)
    cache.clear()


def test_papermill_saves_are_throttled_in_the_kept_kernel():
    """papermill rewrites the output notebook at every cell's start and end; in the kept kernel
    only one write per SAVE_EVERY seconds goes through (the final write is made by run())."""
    import datetime as dt

    from balance.running.kernel import _throttle_saves

    class Man:
        def __init__(self):
            self.clock = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
            self.last_save_time = self.clock
            self.writes = 0

        def now(self):
            return self.clock

        def save(self, **kw):
            self.writes += 1
            self.last_save_time = self.clock

    man = Man()
    _throttle_saves(man, 10.0)
    for _ in range(60):  # 30 cells, start and end, 0.5 s apart
        man.clock += dt.timedelta(seconds=0.5)
        man.save()
    assert man.writes == 3  # at 10 s, 20 s and 30 s, not 60 times


def test_cache_warm_fills_what_a_briefing_then_takes_without_assessing_again(monkeypatch):
    """cache.warm (what a kept kernel runs while the batch plans) reads and assesses the data once;
    the briefing's county_assessment is then served from it, equal to a direct assessment."""
    import balance.method.assessment as assessment
    from balance.io.reading import load_school_table
    from balance.method import cache

    cache.clear()
    data = str(DEMO / "schools.csv")
    assert cache.warm(data, None, "quality-2017") is True
    calls = []
    real = assessment.assess
    monkeypatch.setattr(assessment, "assess", lambda *a, **k: calls.append(k) or real(*a, **k))
    got = cache.county_assessment(cache.school_table(data), "quality-2017", "990103")
    assert calls == []  # nothing read or assessed again
    want = real(load_school_table(data), "quality-2017", county="990103")
    pd.testing.assert_frame_equal(got.verdicts.reset_index(drop=True), want.verdicts.reset_index(drop=True))
    assert cache.warm(str(DEMO / "no-such-file.csv"), None, "quality-2017") is False  # best effort, never raises
    cache.clear()


def test_county_sheet_is_read_once_per_content_and_evaluations_are_unchanged(monkeypatch, tmp_path):
    """Every county briefing evaluates against the same county sheet: it is read once per kernel
    (per file content); the evaluation of each county equals one made with the cache emptied."""
    import shutil

    import balance.io.county_sheet as county_sheet
    from balance.method import cache
    from balance.method.evaluation import evaluate

    cache.clear()
    sheet = tmp_path / "county_sheet.xlsx"
    shutil.copy(DEMO / "county_sheet.xlsx", sheet)
    data = str(DEMO / "schools.csv")
    reads = []
    real = county_sheet.load_county_sheet
    monkeypatch.setattr(county_sheet, "load_county_sheet", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    first = {c: evaluate(data, str(sheet), "quality-2017", year=2025, county=c) for c in ("990101", "990102")}
    assert len(reads) == 1
    for c, ev in first.items():
        cache.clear()
        again = evaluate(data, str(sheet), "quality-2017", year=2025, county=c)
        pd.testing.assert_frame_equal(ev.items, again.items)
        pd.testing.assert_frame_equal(ev.verdicts, again.verdicts)
    assert len(reads) == 3  # emptied: read again
    import openpyxl

    wb = openpyxl.load_workbook(sheet)
    wb.save(sheet)  # the same sheet, other bytes: read again
    evaluate(data, str(sheet), "quality-2017", year=2025, county="990101")
    evaluate(data, str(sheet), "quality-2017", year=2025, county="990102")
    assert len(reads) == 4
    cache.clear()


def test_a_briefing_that_changes_its_assessment_does_not_change_the_next_in_the_kept_kernel(tmp_path):
    """Two briefings of one kept kernel: the first changes the frames it was given (a column
    added, cells written, the table's rows), the second gets the numbers of a fresh read and
    assessment (fingerprints of its frames, compared with ones made here without any cache)."""
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess
    from balance.running import kernel as warm
    from balance.running.worker import _execute

    data = str(DEMO / "schools.csv")
    brief = f"from balance.reporting import briefing as bf\nb = bf.county_briefing({data!r}, '990101', 2025)"
    spoil = _nb(tmp_path / "spoil.ipynb", brief, "\n".join((
        "for df in (b.assessment.verdicts, b.assessment.school_results, b.assessment.county_indicators,",
        "           b.assessment.warnings, b._table.data):",
        "    df['spoilt'] = 1",
        "    if len(df): df.iloc[0, 0] = None",
        "b.assessment.verdicts.loc[:, 'passed'] = True",
        "import os, pathlib\npathlib.Path(out).write_text(str(os.getpid()))")))
    fingerprint = ("import hashlib, os, pathlib\n"
                   "fp = [hashlib.sha256(d.to_csv(index=False).encode()).hexdigest() for d in (b.assessment.verdicts, "
                   "b.assessment.school_results, b.assessment.county_indicators, b._table.data)]\n"
                   "pathlib.Path(out).write_text(f'{os.getpid()} {fp}')")
    check = _nb(tmp_path / "check.ipynb", brief, fingerprint)
    spec = {"timeout": 120, "out_dir": str(tmp_path)}
    table = load_school_table(data)
    a = assess(table, "quality-2017", county="990101")
    import hashlib

    want = [hashlib.sha256(d.to_csv(index=False).encode()).hexdigest()
            for d in (a.verdicts, a.school_results, a.county_indicators, table.data)]
    try:
        assert _execute(spoil, tmp_path / ".spoil.tmp.ipynb", {"out": str(tmp_path / "x.txt")}, spec) is None
        out = tmp_path / "check.txt"
        assert _execute(check, tmp_path / ".check.tmp.ipynb", {"out": str(out)}, spec) is None
        pid, got = out.read_text(encoding="utf-8").split(" ", 1)
        assert pid == (tmp_path / "x.txt").read_text(encoding="utf-8"), "one kept kernel ran both"
        assert got == str(want)
    finally:
        warm.shutdown_kernel()
