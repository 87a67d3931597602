"""One voice across every page and workbook of a batch (issue 11, the audit).

``tests/reporting/test_one_voice_rendered.py`` reads three county briefings (quality-2017 with the
county sheet, basic-2012, the provincial example). This module reads the rest of what a bureau
receives from one ``balance brief`` (two counties of the demo data, county sheet, target year 2027):
the county briefings, their trend briefings, the region overview and ``index.html``; plus a
basic-2012 region overview and a provincial trend briefing in the same batch; plus the workbooks of
南川县 2025 (``results.xlsx``, ``evaluation.xlsx``, ``plan.xlsx``, ``申报表.xlsx``) written by the CLI.
It asserts:

* every headline number equals the table it summarises (trend: the four-area years and the oversized
  schools; region: the counties passing and the city total);
* the verdict reads the same in a briefing's headline, ``results.json``, ``index.html``, the region
  table, the trend's year table and every workbook;
* no table header of a page and no sheet name or header of a workbook is English;
* every CV limit and school-rule percentage quoted in a sentence is the standard's own.

How each can fail (checked while writing): without the trend's ``verdict_lines`` its index cell is
empty; a region table built from another year's rows gives other counts; a workbook header left as
the CSV's English name, a sentence quoting quality-2017's 0.45 on the provincial standard, each fail.
"""
import html as _html
import json
import re
from pathlib import Path

import openpyxl
import pytest

from balance.method.standards import load_standard

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/schools.csv"
SHEET = ROOT / "data/demo/county_sheet.xlsx"
PROVINCE = ROOT / "balance/data/standards/province-example.yaml"
COUNTIES = ("990103", "990105")
YEAR, TARGET = 2025, 2027
EXTRA = {  # other standards, same batch: a basic-2012 region overview and a provincial trend
    # links only the briefings this batch writes, as ``balance brief --county`` declares them
    f"b_region_{YEAR}": {"notebook": "region_overview", "data": str(DEMO), "year": YEAR, "standard": "basic-2012",
                         "county_briefings": list(COUNTIES)},
    "p_990103_trend": {"notebook": "county_trend", "data": str(DEMO), "county_code": "990103", "standard": str(PROVINCE)},
}
STANDARDS = {f"b_region_{YEAR}": "basic-2012", "p_990103_trend": str(PROVINCE)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    import yaml

    from balance.running import run_batch
    from balance.running.brief import plan_brief, write_brief_params

    out = tmp_path_factory.mktemp("everypage") / "简报"
    plan = plan_brief(DEMO, counties=list(COUNTIES), county_sheet=SHEET, target_year=TARGET)
    paths = write_brief_params(plan, out)
    for name, p in EXTRA.items():
        path = out / "params" / f"{name}.yaml"
        path.write_text(yaml.safe_dump(p, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    result = run_batch(paths, out, workers=2, progress=False, timeout=900)
    assert {r.run: r.error for r in result.runs if r.status != "ok"} == {}
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict:
    """The four workbooks of 南川县 2025, as the CLI writes them."""
    from balance.cli import main

    tmp = tmp_path_factory.mktemp("books")
    common = [str(DEMO), "--year", str(YEAR), "--county", "990105"]
    for cmd, extra in (("assess", []), ("evaluate", ["--county-sheet", str(SHEET)]), ("plan", []),
                       ("application", ["--county-sheet", str(SHEET)])):
        assert main([cmd, *common, *extra, "--out", str(tmp / cmd)]) == 0, cmd
    names = {"assess": "results.xlsx", "evaluate": "evaluation.xlsx", "plan": "plan.xlsx", "application": "申报表.xlsx"}
    return {name: openpyxl.load_workbook(tmp / cmd / name) for cmd, name in names.items()}


# --------------------------------------------------------------------------------------------
# reading the pages

def _page(out: Path, run: str) -> str:
    return (out / f"{run}.html").read_text(encoding="utf-8")


def _plain(h: str) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", "", h)).strip()


def _text(h: str) -> str:
    return _html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h)))


def _headline(h: str) -> list[tuple[str, str]]:
    """(kind, text) of each headline line, the mark dropped."""
    box = re.search(r'<section[^>]*class="headline[^"]*"[^>]*>.*?</section>', h, flags=re.S).group(0)
    return [(k, _plain(re.sub(r'<span[^>]*class="mark"[^>]*>.*?</span>', "", t)))
            for k, t in re.findall(r'<li class="(\w+) no-mark">(.*?)</li>', box, flags=re.S)]


def _tables(h: str) -> list[tuple[str, list[str], list[list[str]]]]:
    out = []
    for t in re.findall(r"<table.*?</table>", h, flags=re.S):
        cap = re.search(r"<caption>(.*?)</caption>", t, flags=re.S)
        heads = [_plain(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", t, flags=re.S)]
        body = re.search(r"<tbody>(.*?)</tbody>", t, flags=re.S)
        rows = [[_plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
                for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", flags=re.S)]
        out.append((_plain(cap.group(1)) if cap else "", heads, rows))
    return out


def _table(h: str, caption_part: str) -> tuple[list[str], list[dict]]:
    cap, heads, rows = next(t for t in _tables(h) if caption_part in t[0])
    return heads, [dict(zip(heads, r)) for r in rows]


def _word(cell: str) -> str:
    """达到 / 未达到 of a verdict cell or sentence (✓/✗ marks, 达标 / 未达标 read the same)."""
    m = re.search(r"未达到|未达标|达到|达标", cell)
    assert m, cell
    return "未达到" if m.group(0).startswith("未") else "达到"


def _runs(out: Path) -> list[str]:
    return sorted(p.stem for p in out.glob("*.html") if p.stem != "index")


def _index_cells(out: Path) -> dict[str, list[tuple[str, str]]]:
    index = (out / "index.html").read_text(encoding="utf-8")
    cells = {}
    for row in re.findall(r'<tr class="row-\w+">.*?</tr>', index, flags=re.S):
        run = re.search(r'<span class="muted">([^<]+)</span>', row).group(1)
        cell = re.search(r'<td class="verdict">(.*?)</td>', row, flags=re.S).group(1)
        cells[_html.unescape(run)] = [(k, _plain(re.sub(r'<span[^>]*class="mark"[^>]*>.*?</span>', "", t)))
                                      for k, t in re.findall(r'<p class="verdict-line (\w+) no-mark">(.*?)</p>', cell,
                                                             flags=re.S)]
    return cells


# --------------------------------------------------------------------------------------------
# the verdict, the same everywhere

def test_the_batch_has_every_briefing_kind(batch):
    runs = set(_runs(batch))
    assert {f"{c}_{YEAR}" for c in COUNTIES} | {f"{c}_trend" for c in COUNTIES} | {f"region_{YEAR}"} | set(EXTRA) == runs


def test_index_quotes_every_briefings_verdict_word_for_word(batch):
    """Each index row's 结论 is its briefing's results.json verdict lines, and each of those lines
    is a line of that briefing's headline (same words, same mark); trend and region briefings open
    their headline with them."""
    cells = _index_cells(batch)
    for run in _runs(batch):
        shown = cells[run]
        assert shown, f"{run}: empty 结论 in index.html"
        saved = json.loads((batch / run / "results.json").read_text(encoding="utf-8"))["verdict_lines"]
        assert shown == [(x["kind"], x["text"]) for x in saved][:len(shown)], run
        head = _headline(_page(batch, run))
        assert all(line in head for line in shown), run
        if not run[0].isdigit() or run.endswith("_trend"):
            assert head[:len(shown)] == shown, run


def test_trend_headline_equals_its_year_tables(batch):
    for c in COUNTIES:
        h = _page(batch, f"{c}_trend")
        head = [t for _, t in _headline(h)]
        _, years = _table(h, "四个方面逐年结论")
        four = next(t for t in head if "督导评估四个方面综合结论" in t)
        last = years[-1]
        assert f"{last['年份']} 年{_word(last['四个方面综合结论'])}" in four
        ok = [r["年份"] for r in years if _word(r["四个方面综合结论"]) == "达到"]
        assert (f"达到的年份：{'、'.join(ok)}" in four) if ok else ("均未达到" in four)
        resource = next(t for t in head if "资源配置标准（四个方面之一）" in t)
        passed = [r["年份"] for r in years if _word(r["资源配置"]) == "达到"]
        assert (f"达到的年份：{'、'.join(passed)}" in resource) if passed else ("均未达到" in resource)
        _, over = _table(h, "大校额、大班额逐年变化")
        line = next(t for t in head if t.startswith("超规模学校由"))
        assert f"由 {over[0]['超规模学校数']} 所（{over[0]['年份']} 年）变为 {over[-1]['超规模学校数']} 所" in line
        target = next(t for t in head if t.startswith(f"目标年份 {TARGET} 年"))
        assert target.split("：", 1)[1].rstrip("。") in _text(h[h.index("按期达标趋势"):])


@pytest.mark.parametrize("run", [f"region_{YEAR}", f"b_region_{YEAR}"])
def test_region_headline_equals_its_table(batch, run):
    h = _page(batch, run)
    head = [t for _, t in _headline(h)]
    heads, rows = _table(h, "各县区达标情况与排名")
    counties = [r for r in rows if r["县区"] != "全市合计"]
    col = next(x for x in heads if x.startswith("资源配置"))
    ok = [r["县区"] for r in counties if _word(r[col]) == "达到"]
    line = next(t for t in head if "达到资源配置标准（四个方面之一）" in t)
    assert f"{len(counties)} 个县区中 {len(ok)} 个" in line and line.endswith(f"：{'、'.join(ok) or '无'}。")
    if "四个方面综合结论" in heads:
        four = [r["县区"] for r in counties if _word(r["四个方面综合结论"]) == "达到"]
        line = next(t for t in head if "四个方面综合结论为达到" in t)
        assert f"中 {len(four)} 个" in line and line.endswith(f"：{'、'.join(four) or '无'}。")
    total = next((t for t in head if t.startswith("全市") and "投入合计约" in t), None)
    if total is not None:
        cost = next(x for x in heads if x.endswith("（万元）"))
        city = next(r for r in rows if r["县区"] == "全市合计")
        assert f"约 {city[cost]} 万元" in total


def test_verdict_is_the_same_in_county_region_trend_and_every_workbook(batch, books):
    region = _page(batch, f"region_{YEAR}")
    heads, rows = _table(region, "各县区达标情况与排名")
    by_name = {r["县区"]: r for r in rows}
    resource_col = next(x for x in heads if x.startswith("资源配置"))
    cost_col = next(x for x in heads if x.endswith("（万元）"))
    for c in COUNTIES:
        h = _page(batch, f"{c}_{YEAR}")
        head = [t for _, t in _headline(h)]
        name = re.match(r"(\S+) \d{4} 年督导评估四个方面综合结论", head[0]).group(1)
        four = _word(head[0].split("：", 1)[1])
        resource = _word(next(t for t in head if t.startswith("其中资源配置")).split("：", 1)[1])
        assert (_word(by_name[name]["四个方面综合结论"]), _word(by_name[name][resource_col])) == (four, resource)
        _, years = _table(_page(batch, f"{c}_trend"), "四个方面逐年结论")
        y = next(r for r in years if r["年份"] == str(YEAR))
        assert (_word(y["四个方面综合结论"]), _word(y["资源配置"])) == (four, resource), c
        section = _text(h[h.index("督导评估四个方面"):])
        assert f"四个方面综合结论：{four}" in section  # the scorecard says what the headline says
        if c != "990105":
            continue
        plan = re.search(r"按单价测算需投入 ([\d,.]+) 万元", _text(h[h.rindex("达标投入测算"):])).group(1)
        assert by_name[name][cost_col] == plan
        res = _sheet(books["results.xlsx"], "县域结论")
        ev = _sheet(books["evaluation.xlsx"], "评估结论")
        pl = _sheet(books["plan.xlsx"], "方案汇总")
        app = {r[0]: r[1] for r in books["申报表.xlsx"]["基本情况"].iter_rows(min_row=2, values_only=True)}
        assert _word(res[0]["资源配置是否达标"]) == resource and _word(pl[0]["规划前资源配置"]) == resource
        assert _word(ev[0]["结论"]) == four and _word(app["综合结论"]) == four and _word(app["资源配置"]) == resource
        assert f"{pl[0]['追加投入（万元）']:,.1f}" == plan


def _sheet(wb, name: str) -> list[dict]:
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


# --------------------------------------------------------------------------------------------
# Chinese where people read; the standard's own thresholds

ENGLISH = re.compile(r"^[A-Za-z0-9_ ./()%-]+$|[a-z]+_[a-z]+|[A-Za-z]{4,}")
ALLOWED_LATIN = ("McLoone", "SHA-256", "balance")


def _english(header) -> bool:
    s = str(header)
    for word in ALLOWED_LATIN:
        s = s.replace(word, "")
    return bool(s.strip()) and bool(ENGLISH.search(s))


def test_no_english_table_header_on_any_page(batch):
    index = (batch / "index.html").read_text(encoding="utf-8")
    for run in [*_runs(batch), "index"]:
        h = index if run == "index" else _page(batch, run)
        for cap, heads, _ in _tables(h):
            assert not [x for x in heads if _english(x)], (run, cap, heads)


def test_no_english_sheet_name_or_header_in_any_workbook(books):
    for name, wb in books.items():
        for ws in wb.worksheets:
            assert not _english(ws.title), (name, ws.title)
            head = [c.value for c in ws[1] if c.value is not None]
            assert head and not [x for x in head if _english(x)], (name, ws.title, head)


def _limits(std) -> set[str]:
    vals = dict(std.cv_limit or {})
    comp = getattr(std, "composite_cv", None)
    limit = comp.get("limit") if isinstance(comp, dict) else getattr(comp, "limit", None)
    vals.update({f"综合{k}": v for k, v in (limit or {}).items()})
    return {f"{v:.2f}" for v in vals.values()}


@pytest.mark.parametrize("run", [f"region_{YEAR}", f"{COUNTIES[0]}_trend", f"b_region_{YEAR}", "p_990103_trend"])
def test_every_threshold_in_a_sentence_is_the_standards(batch, run):
    std = load_standard(STANDARDS.get(run, "quality-2017"))
    text = _text(_page(batch, run))
    limits = _limits(std)
    quoted = re.findall(r"(?:限值|不超过) ?(0\.\d\d)\b", text)
    assert set(quoted) <= limits, (run, set(quoted) - limits)
    floors = set(re.findall(r"不低于(?:标准值?)?的? ?(\d+) ?%", text))
    rule = std.school_rule
    assert floors <= ({f"{rule.floor_ratio * 100:.0f}"} if rule is not None else set()), (run, floors)
    if rule is None:
        assert "项中至少" not in text and "项指标中至少" not in text
    else:
        assert set(re.findall(r"(\d+) 项(?:指标)?中至少 (\d+) 项", text)) <= {(str(len(std.indicators)), str(rule.min_met))}
    assert not re.search(r"\b2,0\d\d ?年", text)  # no year with a thousands separator
