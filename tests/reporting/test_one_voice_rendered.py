"""One voice, read from the rendered briefings (issue 11, "Checks that keep it so").

Three county briefings go through the batch runner (papermill + nbconvert) on the demo data —
quality-2017 with the county sheet and last year's filled ledger, basic-2012, and the provincial
example — and the tests read the exported HTML and ``index.html``:

* each number of the headline equals the table it summarises (failing sections ↔ 整改清单,
  failing CVs ↔ the CV table, 整改量 ↔ the 整改清单 totals, change since last year ↔ its table);
* the verdict of the headline, the scorecard and ``index.html`` agree word for word;
* no table header of any briefing is an English / code name;
* no threshold sentence quotes another standard's limit or school rule.
"""
import html as _html
import json
import re
from pathlib import Path

import pytest

from balance.method.standards import load_standard
from balance.running import run_batch

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/schools.csv"
SHEET = ROOT / "data/demo/county_sheet.xlsx"
RUNS = {
    "q_990105": {"county_code": "990105", "standard": "quality-2017", "county_sheet": str(SHEET)},
    "q_990103": {"county_code": "990103", "standard": "quality-2017"},
    "b_990103": {"county_code": "990103", "standard": "basic-2012"},
    "p_990103": {"county_code": "990103", "standard": str(ROOT / "balance/data/standards/province-example.yaml")},
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from balance.cli import main

    tmp = tmp_path_factory.mktemp("onevoice")
    ledger = tmp / "ledger2024"
    assert main(["ledger", str(DEMO), "--year", "2024", "--county", "990103", "--out", str(ledger)]) == 0
    RUNS["q_990103"]["previous_ledger"] = str(ledger / "ledger.xlsx")
    pdir = tmp / "params"
    pdir.mkdir()
    for name, p in RUNS.items():
        lines = ["notebook: county_briefing", f"data: {DEMO}", "year: 2025"]
        lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in p.items()]
        (pdir / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "out"
    result = run_batch([pdir], out, workers=2, progress=False, timeout=600)
    assert {r.run: r.error for r in result.runs if r.status != "ok"} == {}
    return out


def _page(out: Path, run: str) -> str:
    return (out / f"{run}.html").read_text(encoding="utf-8")


def _text(h: str) -> str:
    return _html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h)))


def _headline(h: str) -> list[tuple[str, str]]:
    box = re.search(r'<section[^>]*class="headline[^"]*"[^>]*>.*?</section>', h, flags=re.S).group(0)
    return [(k, _html.unescape(re.sub(r"<[^>]+>", "", t)).replace("•", "").replace("✓", "").replace("✗", "")
             .replace("!", "").strip())
            for k, t in re.findall(r'<li class="(\w+) no-mark">(.*?)</li>', box, flags=re.S)]


def _tables(h: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, headers, rows) of every table of a page."""
    out = []
    for t in re.findall(r"<table.*?</table>", h, flags=re.S):
        cap = re.search(r"<caption>(.*?)</caption>", t, flags=re.S)
        cells = lambda tr, tag: [_html.unescape(re.sub(r"<[^>]+>", "", c)).strip()  # noqa: E731
                                 for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", tr, flags=re.S)]
        heads = cells(t, "th")
        body = re.search(r"<tbody>(.*?)</tbody>", t, flags=re.S)
        rows = [cells(tr, "td") for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", flags=re.S)]
        out.append((_html.unescape(re.sub(r"<[^>]+>", "", cap.group(1))) if cap else "", heads, rows))
    return out


def _table(h: str, caption_part: str):
    return next(t for t in _tables(h) if caption_part in t[0])


def test_every_briefing_renders(rendered):
    for run in RUNS:
        assert "结论要点" in _page(rendered, run)


@pytest.mark.parametrize("run", ["q_990103", "p_990103"])
def test_failing_sections_in_the_headline_are_the_rectification_list(rendered, run):
    h = _page(rendered, run)
    line = next(t for _, t in _headline(h) if "个学段单位中" in t)
    n, ok = map(int, re.search(r"纳入评估的 (\d+) 个学段单位中，(\d+) 个达到", line).groups())
    cap, heads, rows = _table(h, "未达到学校达标规则的学段单位")
    assert f"（{n - ok} 个）" in cap and len(rows) == n - ok
    for st, a, b in re.findall(r"(小学|初中) (\d+)/(\d+)", line):
        assert sum(r[0] == st for r in rows) == int(b) - int(a)


@pytest.mark.parametrize("run", list(RUNS))
def test_failing_cvs_in_the_headline_are_those_of_the_cv_table(rendered, run):
    h = _page(rendered, run)
    line = next(t for _, t in _headline(h) if "差异系数" in t and ("限值以内" in t or "超过限值" in t))
    _, heads, rows = _table(h, "县域均值与差异系数")
    cv, lim = heads.index("差异系数"), heads.index("限值")
    table = {(r[0], r[1]): (r[cv], r[lim]) for r in rows}
    quoted = re.findall(r"(小学|初中)“([^”]+)”([\d.]+)（限值 ([\d.]+)）", line)
    for st, ind, v, limit in quoted:
        assert table[(st, ind)] == (v, limit)
    if "均在限值以内" in line:
        assert not quoted
    if run == "q_990105":  # 南川县: one CV 0.505 over 0.45
        assert quoted


def test_rectification_amounts_in_the_headline_are_the_list_totals(rendered):
    h = _page(rendered, "q_990103")
    line = next(t for _, t in _headline(h) if t.startswith("整改量"))
    _, heads, rows = _table(h, "整改量合计")
    total = heads.index("学段合计需增加")
    table = {(r[0], r[1]): (r[2], r[total]) for r in rows}
    quoted = re.findall(r"(小学|初中)“([^”]+)”(\d+) 个学段单位需增加 ([\d,.]+ \S+?)(?:；|。)", line)
    assert quoted
    for st, ind, n, amount in quoted:
        assert table[(st, ind)] == (n, amount)


def test_change_since_last_year_in_the_headline_is_its_table(rendered):
    h = _page(rendered, "q_990103")
    line = next(t for _, t in _headline(h) if t.startswith("与 2024 年相比"))
    a, b = re.search(r"学段单位达标率由 (\d+%) \S+至 (\d+%)", line).groups()
    _, heads, rows = _table(h, "与 2024 年相比：学段单位达标率")
    share = next(r for r in rows if r[0] == "学段单位达标率")
    assert (share[heads.index("全县 2024 年")], share[heads.index("全县 2025 年")]) == (a, b)


def test_verdict_of_headline_scorecard_and_index_agree(rendered):
    index = (rendered / "index.html").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr class="row-\w+">.*?<span class="muted">([^<]+)</span>.*?</tr>',
                                                         index, flags=re.S)}
    for run in RUNS:
        h = _page(rendered, run)
        head = _headline(h)
        cell = re.search(r'<td class="verdict">(.*?)</td>', rows[run], flags=re.S).group(1)
        shown = [(k, _html.unescape(re.sub(r"<[^>]+>", "", t)).replace("✓", "").replace("✗", "").strip())
                 for k, t in re.findall(r'<p class="verdict-line (\w+) no-mark">(.*?)</p>', cell, flags=re.S)]
        assert shown, run
        if "county_sheet" in RUNS[run]:
            resource = next(x for x in head if x[1].startswith("其中资源配置"))
            assert shown == [head[0], resource]  # the four-area verdict, then resource allocation
            word = re.search(r"综合结论：(未达到|达到)", head[0][1]).group(1)
            assert f"四个方面综合结论：{word}" in _text(h[h.index("督导评估四个方面"):])
        else:
            assert shown == [head[0]]
            assert "仅资源配置一项" in shown[0][1]


ENGLISH = re.compile(r"^[A-Za-z0-9_ ./()%-]+$|[a-z]+_[a-z]+")


@pytest.mark.parametrize("run", list(RUNS))
def test_no_english_column_header_in_any_table(rendered, run):
    for cap, heads, _ in _tables(_page(rendered, run)):
        bad = [x for x in heads if ENGLISH.search(x)]
        assert not bad, (cap, bad)


@pytest.mark.parametrize("run", ["b_990103", "p_990103"])
def test_no_threshold_of_another_standard_is_quoted(rendered, run):
    std = load_standard(RUNS[run]["standard"])
    text = _text(_page(rendered, run))
    q = load_standard("quality-2017")
    for st, v in q.cv_limit.items():
        if (std.cv_limit or {}).get(st) != v:
            assert f"{st}不超过 {v:.2f}" not in text
    if std.school_rule is None:
        assert "项不低于" not in text and not re.search(r"(标准值?的|不低于) ?85%", text)
    elif std.school_rule.floor_ratio != 0.85:
        assert not re.search(r"(标准值?的|不低于) ?85%", text)
    if std.school_rule is None or std.school_rule.min_met != 6:
        assert "至少 6 项达到标准" not in text
    assert "2,025" not in text and "2,024" not in text


def test_ledger_progress_is_in_the_briefing(rendered):
    h = _page(rendered, "q_990103")
    cap, heads, rows = _table(h, "整改台账进展")
    assert heads == ["状态", "事项数"] and rows[-1][0] == "合计" and int(rows[-1][1]) > 0
