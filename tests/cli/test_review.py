"""``balance application`` and ``balance self-report`` from the clerk's side: run them on the demo
table, open the workbook with openpyxl and the .docx with python-docx, read the HTML, and check
that every number shown is the evaluation's (computed here through the library, never typed in)."""
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from balance.cli import main
from balance.method.evaluation import evaluate
from balance.method.standards import load_standard
from balance.reporting import narrative
from balance.reporting.review.application import LAYOUT_NOTE, SHEETS

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
COUNTY, YEAR = "990103", 2025  # 东湖区 of the demo data: fails resource allocation in 2025
SHEET = DEMO / "county_sheet.xlsx"


@pytest.fixture(scope="module")
def ev():
    return evaluate(DEMO / "schools.csv", SHEET, year=YEAR, county=COUNTY)


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("app") / "申报"
    assert main(["application", str(DEMO / "schools.csv"), "--year", str(YEAR), "--county", COUNTY,
                 "--county-sheet", str(SHEET), "--out", str(out)]) == 0
    return out / "申报表.xlsx"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sr") / "自评"
    assert main(["self-report", str(DEMO / "schools.csv"), "--year", str(YEAR), "--county", COUNTY,
                 "--county-sheet", str(SHEET), "--out", str(out)]) == 0
    return out


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_the_application_counts_the_indicators_of_the_standard_in_use(tmp_path):
    """basic-2012 has eight indicators (教督〔2012〕3号, basic-2012.yaml): the 说明 and the school
    sheets' descriptions say 8, not the seven of quality-2017 (they said 七项 under every standard)."""
    assert len(load_standard("basic-2012").indicators) == 8
    assert main(["application", str(DEMO / "schools.csv"), "--year", str(YEAR), "--county", COUNTY,
                 "--county-sheet", str(SHEET), "--standard", "basic-2012", "--out", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / "申报表.xlsx")
    text = " ".join(str(v) for r in _rows(wb["说明"]) for v in r if v)
    assert "资源配置 8 项指标" in text and "小学各学段单位的 8 项指标" in text and "七项" not in text


def test_application_has_the_sheets_in_order_and_says_how_the_layout_was_chosen(app):
    wb = openpyxl.load_workbook(app)
    assert wb.sheetnames == list(SHEETS) and SHEETS[0] == "说明"
    about = {r[0]: r[1] for r in _rows(wb["说明"])}
    assert about["表式说明"] == LAYOUT_NOTE.format(n=7) and "按评估办法的结构" in LAYOUT_NOTE
    assert "资源配置 7 项指标" in about["表式说明"]  # quality-2017 has seven indicators (method.md §4)
    basic = {r[0]: r[1] for r in _rows(wb["基本情况"]) if r[0]}
    assert basic["县区代码"] == COUNTY and basic["县区代码"] is not None
    raw = pd.read_csv(DEMO / "schools.csv", dtype=str, encoding="utf-8-sig")
    raw = raw[(raw["年份"] == str(YEAR)) & (raw["县区代码"] == COUNTY)]
    assert basic["义务教育学校数"] == len(raw)
    assert basic["小学在校生数"] == raw["小学在校生数"].astype(int).sum()
    assert basic["其中：小学"] == (raw["学校类型"] == "小学").sum()


def test_school_tables_hold_every_section_with_the_seven_indicators_and_the_standard_row(app, ev):
    wb = openpyxl.load_workbook(app)
    std = load_standard("quality-2017")
    sr = ev.assessment.school_results
    for name, stage in (("小学校际资源配置", "小学"), ("初中校际资源配置", "初中")):
        rows = _rows(wb[name])
        header, standard, body = rows[0], rows[1], rows[2:]
        assert [h.split("（")[0] for h in header[5:12]] == std.indicator_names
        assert standard[1] == "标准值"
        assert list(standard[5:12]) == [i.standard[stage] for i in std.indicators]
        want = sr[sr["stage"] == stage]
        assert len(body) == len(want) > 0
        got = {r[0]: r for r in body}
        for w in want.to_dict("records"):
            r = got[w["school_code"]]
            assert list(r[5:12]) == pytest.approx([w[n] for n in std.indicator_names])  # unrounded
            assert r[14] == ("是" if w["school_passed"] else "否")
        assert all(wb[name].cell(3 + i, 1).data_type == "s" for i in range(len(body)))  # codes stay text


def test_cv_and_item_sheets_are_the_evaluation(app, ev):
    wb = openpyxl.load_workbook(app)
    ci = ev.assessment.county_indicators
    rows = _rows(wb["差异系数"])[1:]
    assert len(rows) == len(ci)
    for r, w in zip(rows, ci.itertuples(index=False)):
        assert (r[0], r[1]) == (w.stage, w.indicator)
        assert r[5] == pytest.approx(w.cv) and r[6] == pytest.approx(w.cv_limit)
    items = _rows(wb["四个方面逐项"])[1:]
    assert [(r[0], r[1], r[6]) for r in items] == list(zip(ev.items["area_name"], ev.items["item_no"], ev.items["status"]))
    assert [r[0] for r in items][-1] == "一票否决"
    gaps = _rows(wb["缺口汇总"])
    assert gaps[0][4] == narrative.terms()["gap"]["name"]
    cs = ev.assessment.county_shortfalls
    assert sum(r[4] for r in gaps[1:]) == pytest.approx(cs["shortfall"].sum())


def test_self_report_docx_reads_back_with_the_areas_in_order_and_the_numbers(report, ev):
    d = docx.Document(str(report / "自评报告.docx"))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    tops = [h.split("（")[0] for h in heads if h[:2] in ("一、", "二、", "三、", "四、", "五、", "六、", "七、")]
    assert tops == ["一、基本情况", "二、资源配置", "三、政府保障程度", "四、教育质量", "五、社会认可度", "六、一票否决事项",
                    "七、存在的问题与整改方向"]
    text = "\n".join(p.text for p in d.paragraphs)
    cells = "\n".join(c.text for t in d.tables for row in t.rows for c in row.cells)
    v = ev.verdicts.iloc[0]
    assert f"自评结论：{v.verdict}" in text
    for r in ev.assessment.county_indicators.itertuples(index=False):
        assert f"{r.cv:.3f}" in cells
    for s in v.failing_items:
        assert s in text
    assert round(d.sections[0].page_width.mm) == 210 and round(d.sections[0].page_height.mm) == 297


def test_self_report_html_prints_to_a4_and_matches_the_docx(report, ev):
    from balance.analysis.planner import plan

    html = (report / "自评报告.html").read_text(encoding="utf-8")
    assert "size: A4" in html and "<script" not in html.lower()
    total = plan(DEMO / "schools.csv", "quality-2017", county=COUNTY, year=YEAR).total_cost
    amount = narrative.fmt_amount(total, "元")
    assert amount in html
    d = docx.Document(str(report / "自评报告.docx"))
    assert any(amount in p.text for p in d.paragraphs)


def test_names_stay_text_in_the_workbook_and_are_escaped_in_the_html(tmp_path):
    t = pd.read_csv(DEMO / "schools.csv", dtype=str, encoding="utf-8-sig")
    t = t[t["县区代码"] == COUNTY]
    t.loc[t["县区代码"] == COUNTY, "县区名称"] = "东湖<i>区</i>"
    src = tmp_path / "t.csv"
    t.to_csv(src, index=False, encoding="utf-8-sig")
    assert main(["self-report", str(src), "--year", str(YEAR), "--county", COUNTY, "--no-plan", "--out", str(tmp_path / "o")]) == 0
    html = (tmp_path / "o" / "自评报告.html").read_text(encoding="utf-8")
    assert "东湖&lt;i&gt;区&lt;/i&gt;" in html and "<i>" not in html
    assert "最低成本达标方案：" not in html
    assert main(["application", str(src), "--year", str(YEAR), "--county", COUNTY, "--out", str(tmp_path / "a")]) == 0
    basic = {r[0]: r[1] for r in _rows(openpyxl.load_workbook(tmp_path / "a" / "申报表.xlsx")["基本情况"]) if r[0]}
    assert basic["县区名称"] == "东湖<i>区</i>"
    about = {r[0]: r[1] for r in _rows(openpyxl.load_workbook(tmp_path / "a" / "申报表.xlsx")["说明"])}
    assert about["县级填报表"].startswith("未提供")


@pytest.mark.parametrize("cmd", ["application", "self-report"])
def test_unknown_county_or_year_is_refused_and_nothing_is_written(cmd, tmp_path, capsys):
    out = tmp_path / "o"
    assert main([cmd, str(DEMO / "schools.csv"), "--year", str(YEAR), "--county", "990199", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "990199" in err and COUNTY in err  # the codes that exist are listed
    assert not out.exists()
    assert main([cmd, str(DEMO / "schools.csv"), "--year", "1999", "--county", COUNTY, "--out", str(out)]) == 2
    assert str(YEAR) in capsys.readouterr().err and not out.exists()


def test_basic_2012_has_no_school_rule_and_still_writes_both(tmp_path):
    for cmd in ("application", "self-report"):
        assert main([cmd, str(DEMO / "schools.csv"), "--year", str(YEAR), "--county", COUNTY, "--standard", "basic-2012",
                     "--out", str(tmp_path / cmd)]) == 0
    html = (tmp_path / "self-report" / "自评报告.html").read_text(encoding="utf-8")
    assert "优质均衡" not in html.split("</h1>")[0]  # a basic-2012 report is not titled 优质均衡


def test_bachelor_ratio_is_in_both_when_the_column_is_there(tmp_path):
    import numpy as np

    from balance.analysis.degrees import bachelor_ratio
    from balance.io.reading import load_school_table

    d = pd.read_csv(DEMO / "schools.csv", dtype=str, encoding="utf-8-sig")
    d = d[d["县区代码"] == COUNTY].copy()
    share = d["城乡类型"].map({"城区": 0.8, "镇区": 0.7, "乡村": 0.6}).astype(float)
    d["小学本科及以上学历专任教师数"] = np.floor(d["小学专科及以上学历专任教师数"].astype(float) * share).astype(int).astype(str)
    src = tmp_path / "t.csv"
    d.to_csv(src, index=False, encoding="utf-8-sig")
    r = bachelor_ratio(load_school_table(src)).set_index("year").loc[YEAR]
    assert main(["self-report", str(src), "--year", str(YEAR), "--county", COUNTY, "--no-plan", "--out", str(tmp_path / "s")]) == 0
    html = (tmp_path / "s" / "自评报告.html").read_text(encoding="utf-8")
    assert f"比为 {r['ratio']:.3f}" in html and f"城市组 {r['urban_share']:.1%}" in html
    assert main(["application", str(src), "--year", str(YEAR), "--county", COUNTY, "--out", str(tmp_path / "a")]) == 0
    basic = {row[0]: row[1] for row in _rows(openpyxl.load_workbook(tmp_path / "a" / "申报表.xlsx")["基本情况"]) if row[0]}
    assert basic["城市 ÷ 农村"] == pytest.approx(r["ratio"])


def test_a_county_that_passes_resource_allocation_needs_no_investment(tmp_path, ev):
    passing = evaluate(DEMO / "schools.csv", SHEET, year=YEAR, county="990101")
    assert bool(passing.assessment.verdicts["passed"].iloc[0])  # the premise, from the library
    assert main(["self-report", str(DEMO / "schools.csv"), "--year", str(YEAR), "--county", "990101",
                 "--county-sheet", str(SHEET), "--out", str(tmp_path / "s")]) == 0
    html = (tmp_path / "s" / "自评报告.html").read_text(encoding="utf-8")
    assert "资源配置已达标，无需追加投入。" in html and f"{narrative.terms()['plan']['name']}：" not in html


def test_application_wears_the_house_style_on_every_sheet(app):
    """申报表.xlsx as every workbook balance writes: 说明 first, Chinese bold headers, frozen panes and
    an autofilter on every sheet, a year that is not "2,025", shares as %, 小学 before 初中."""
    import re

    from balance.io.export.xlsx import house_style

    wb = openpyxl.load_workbook(app)
    assert wb.sheetnames[0] == "说明"
    for ws in wb:
        head = [c.value for c in ws[1] if c.value is not None]
        assert head and all(ws.cell(1, j).font.b for j in range(1, len(head) + 1)), ws.title
        assert not [h for h in head if re.search(r"[A-Za-z]{3,}|_", str(h))], (ws.title, head)
        assert ws.freeze_panes and ws.freeze_panes != "A1" and ws.auto_filter.ref, ws.title
    basic = {r[0].value: r[1] for r in wb["基本情况"].iter_rows(min_row=2) if r[0].value}
    assert basic["年度"].value == YEAR and basic["年度"].number_format == house_style()["formats"]["year"]
    if "城市组比例" in basic:
        assert basic["城市组比例"].number_format.endswith("%")
    for name in ("差异系数", "缺口汇总"):
        stages = [r[0] for r in _rows(wb[name])[1:] if r[0]]
        assert stages == sorted(stages, key=["小学", "初中"].index), name
    about = {r[0]: r[1] for r in _rows(wb["说明"])}
    assert all(f"工作表「{n}」" in about for n in SHEETS[1:])
    assert "/" not in str(about.get("数据文件", "")), "the file name, not a server path"


def test_the_lowest_ratio_has_the_one_name_of_labels_yaml(app):
    """One voice: 申报表 names a section's lowest value ÷ standard as results.xlsx does
    (labels.yaml ``min_ratio``), not a second word for the same number."""
    from balance.schema import labels

    wb = openpyxl.load_workbook(app)
    for name in ("小学校际资源配置", "初中校际资源配置"):
        assert labels()["columns"]["min_ratio"] in _rows(wb[name])[0]
