"""index.html marks a region overview whose county links do not work: a county briefing of the
same batch that failed (its .html removed) is still linked from the overview (issue 11)."""
from __future__ import annotations

import json
from pathlib import Path

from balance.running.index_page import write_index

LINKED = [{"file": "990101_2025.html", "text": "青山县（990101）2025 年简报"},
          {"file": "990102_2025.html", "text": "清河县（990102）2025 年简报"}]


def _batch(tmp_path: Path, written: list[str]) -> str:
    (tmp_path / "region_2025").mkdir()
    (tmp_path / "region_2025" / "results.json").write_text(json.dumps(
        {"verdict_lines": [{"text": "2025 年 2 个县区中 1 个达到资源配置标准。", "kind": "warn"}], "linked": LINKED},
        ensure_ascii=False), encoding="utf-8")
    for name in ["region_2025.html", *written]:
        (tmp_path / name).write_text("<html></html>", encoding="utf-8")
    rows = [{"run": "region_2025", "notebook": "region_overview", "year": 2025, "status": "ok",
             "html": "region_2025.html", "ipynb": ""},
            {"run": "990101_2025", "notebook": "county_briefing", "year": 2025, "county_code": "990101",
             "status": "ok", "html": "990101_2025.html", "ipynb": ""},
            {"run": "990102_2025", "notebook": "county_briefing", "year": 2025, "county_code": "990102",
             "status": "failed", "html": "", "ipynb": "", "error": "ValueError: boom"}]
    return write_index(tmp_path, rows).read_text(encoding="utf-8")


def test_a_failed_county_briefing_linked_from_the_overview_is_marked(tmp_path):
    page = _batch(tmp_path, ["990101_2025.html"])
    region_row = next(r for r in page.split("<tr") if "region_2025" in r and "verdict-line" in r)
    assert "链接暂不可用" in region_row and "清河县（990102）" in region_row
    assert "青山县（990101）" not in region_row  # its briefing exists: its link works


def test_no_mark_when_every_link_works(tmp_path):
    assert "链接暂不可用" not in _batch(tmp_path, ["990101_2025.html", "990102_2025.html"])


def test_a_linked_name_that_is_not_a_plain_file_is_never_looked_up(tmp_path):
    """``linked`` comes from a file in DIR: a path outside it counts as missing, never as present."""
    LINKED.append({"file": "../outside.html", "text": "外部"})
    try:
        (tmp_path / "outside.html").write_text("x", encoding="utf-8")
        sub = tmp_path / "batch"
        sub.mkdir()
        page = _batch(sub, ["990101_2025.html", "990102_2025.html"])
        assert "链接暂不可用" in page and "外部" in page
    finally:
        LINKED.pop()


def test_in_progress_index_labels_finished_pending_and_failed_runs(tmp_path):
    """The index written during a batch (the tracker's): a finished run ✓ 成功, a run not finished
    yet 进行中/待生成 (even when its last batch failed it), a failed one ✗ 失败; the overview's note
    says which linked briefing is still to come and which failed."""
    from balance.running.batch import _Tracker
    from balance.running.planning import _pending_row
    from balance.running.results import RunResult

    (tmp_path / "region_2025").mkdir()
    (tmp_path / "region_2025" / "results.json").write_text(json.dumps({"linked": LINKED}, ensure_ascii=False),
                                                           encoding="utf-8")
    (tmp_path / "region_2025.html").write_text("<html></html>", encoding="utf-8")
    previous = {"990101_2025": {"run": "990101_2025", "status": "failed", "error": "OldError: last batch"}}
    runs = ["region_2025", "990101_2025", "990102_2025"]
    track = _Tracker(tmp_path, runs, previous, 3, False, 0.0)
    track.pending = {r: _pending_row(r, Path(f"{r}.yaml"), None, previous.get(r)) for r in runs}
    track.record(RunResult(run="region_2025", notebook="region_overview", status="ok", html="region_2025.html",
                           year="2025"))
    track.record(RunResult(run="990102_2025", notebook="county_briefing", status="failed", county_code="990102",
                           year="2025", error="ValueError: boom"))
    track.publish(index=True)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = {r: next(x for x in page.split("<tr")[2:] if f'muted">{r}<' in x) for r in runs}
    assert "✓ 成功" in rows["region_2025"]
    assert "… 进行中/待生成" in rows["990101_2025"] and "失败" not in rows["990101_2025"]
    assert "OldError" not in rows["990101_2025"]  # the last batch's error is not this batch's
    assert "✗ 失败" in rows["990102_2025"] and "boom" in rows["990102_2025"]
    assert "进行中/待生成（本批次尚未运行完）：青山县（990101）" in rows["region_2025"]
    assert "链接暂不可用（简报运行失败）：清河县（990102）" in rows["region_2025"]
    assert "<dt>进行中/待生成</dt><dd>1</dd>" in page
    # the batch is over (here: stopped before 990101 ran): its last row again, as in the manifest
    track.pending.clear()
    track.publish(index=True)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "进行中/待生成" not in page and "OldError" in page
