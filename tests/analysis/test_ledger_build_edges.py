"""The rectification ledger built and written at library level (balance/analysis/ledger.py
``build_ledger``, ``ledger_counts``, ``overdue_items``, ``Ledger``; ledger_file.py ``write_ledger``;
issue 10, mutation round 6).

Before this file only the command-line tests (tests/cli/test_ledger.py, 80 s under load) reached
these functions, and they read a handful of columns of the demo data. Here a hand-made table of
four counties and a hand-made previous ledger (as :func:`read_previous_ledger` returns it) reach
every branch of the merge: an item still open past, on and without its deadline, an item new this
year, an item fixed (its value this year), an item of a county not assessed that was already
fixed, and a school gone from the data. Every expected value is worked out from the table below
(quality-2017: 生均教学及辅助用房 ≥ 4.5 ㎡, 生均体育运动场馆 ≥ 7.5 ㎡ for 小学).
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from balance.analysis.ledger import (
    COLUMNS,
    FILLED,
    STATUSES,
    Ledger,
    build_ledger,
    ledger_counts,
    open_items,
    overdue_items,
    write_ledger,
)
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import primary, table

Q = load_standard("quality-2017")
AS_OF = dt.date(2025, 7, 1)
NOT_ASSESSED = "本次未评估该县区 / county not assessed in this run"
# school 1: 1000 ㎡ for 400 pupils (2.5 ㎡ each, 800 ㎡ short); school 5: 100 ㎡ of sports ground for 200
# (0.5 ㎡ each, 1400 ㎡ short); schools 2, 3, 6 meet every standard. Counties 990100 (甲县, nothing
# open), 990101 (测试县), 990102 (乙县); 990103 (丙县) is only in the previous ledger.
R1, S1 = "R:990101:9999999991:小学:教学用房", "S:990101:9999999991:小学"
R5, S5 = "R:990101:9999999995:小学:体育场馆", "S:990101:9999999995:小学"
R2, S3 = "R:990101:9999999992:小学:教学用房", "S:990102:9999999993:小学"
CV3, R7 = "CV:990103:小学:教学用房", "R:990101:9999999997:小学:教学用房"
J8 = "S:990101:9999999998:初中"   # a junior section gone from the data


@pytest.fixture(scope="module")
def assessment():
    return assess_schools(table(
        primary("1", 400, teaching_area=1000.0), primary("2", 400), primary("5", 200, ground=100.0),
        primary("3", 300, county_code="990102", county_name="乙县"),
        primary("6", 300, county_code="990100", county_name="甲县")), Q)


def _prev(item_id, county, name, **kw) -> dict:
    rec = {k: None for k in COLUMNS}
    parts = item_id.split(":")
    rec.update(item_id=item_id, county_code=county, county_name=name, year=2024, first_year=pd.NA,
               value="", gap=np.nan, status="未完成", _row=2, stage=parts[3] if parts[0] in "RS" else parts[2],
               school_code=parts[2] if parts[0] in "RS" else "")
    rec.update(kw)
    return rec


def _previous() -> pd.DataFrame:
    """Last year's ledger as read back: the bureau's columns filled in on some rows."""
    return pd.DataFrame([
        _prev(R1, "990101", "测试县", first_year=2023, value="2.000", gap=900.0, lead_unit="教育局", owner="王一",
              measures="扩建教学楼", deadline=dt.date(2025, 6, 30), remark="县政府审定"),
        _prev(S1, "990101", "测试县", value=None, gap=1.0, owner="王二", deadline=AS_OF),
        _prev(R2, "990101", "测试县", first_year=2022, value="4.000", gap=200.0, owner="李二",
              deadline=dt.date(2024, 12, 31)),
        _prev(CV3, "990103", "丙县", value="0.700", gap=0.2, status="已整改", owner="赵三"),
        _prev(S3, "990102", "乙县", value="5/7 项达标，最低达成率 0.700", gap=1.0),
        _prev(J8, "990101", "测试县", value="6/7 项达标", gap=0.0),
        _prev(R7, "990101", "测试县（旧名）", value="3.000", gap=600.0, status="未完成"),  # the county renamed since
    ])


@pytest.fixture   # built in each test: mutmut maps a mutant to the tests that call the function
def ledger(assessment):
    return build_ledger(assessment, None, _previous(), year=2025, as_of=AS_OF, previous_path="上年台账.xlsx")


def _nan(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))


def test_a_first_ledger_lists_every_open_item_as_new_with_blank_bureau_columns(assessment):
    lg = build_ledger(assessment, year=2025, as_of=AS_OF)
    assert isinstance(lg, Ledger) and lg.year == 2025 and lg.as_of == AS_OF and lg.previous is None
    assert lg.standard == Q.title
    d = lg.rows
    assert list(d.columns) == list(COLUMNS)
    assert list(d["item_id"]) == [S1, S5, R1, R5] == list(open_items(assessment)["item_id"])
    assert set(d["status"]) == {"新增"}
    assert list(d["first_year"]) == [2025] * 4 and d["first_year"].dtype == "Int64"
    assert d["previous_year"].isna().all() and d["previous_year"].dtype == "Int64"
    assert d["year"].dtype == "Int64" and list(d["year"]) == [2025] * 4
    assert (d["value_previous"] == "").all() and (d["explanation"] == "").all()
    assert d["gap_previous"].isna().all() and d["gap_previous"].dtype == "float64"
    assert list(d["gap"]) == [0.0, 0.0, 800.0, 1400.0] and d["gap"].dtype == "float64"
    for c in FILLED:
        assert d[c].isna().all(), c
    # every county assessed, in the order of the assessment, a fresh index
    assert lg.counties.to_dict("list") == {"county_code": ["990100", "990101", "990102"],
                                           "county_name": ["甲县", "测试县", "乙县"]}
    assert list(lg.counties.index) == [0, 1, 2]
    empty = build_ledger(assessment, None, _previous().iloc[:0], year=2025, as_of=AS_OF)
    assert empty.rows.equals(d)


def test_without_as_of_deadlines_are_compared_with_today(assessment):
    assert build_ledger(assessment, year=2025).as_of == dt.date.today()


def test_the_previous_ledger_is_merged_row_by_row(ledger):
    d = ledger.rows
    assert list(d.columns) == list(COLUMNS)
    # county by county, statuses in the order 新增, 未完成, 已逾期, 已整改, 本年无数据
    assert list(d["item_id"]) == [S5, R5, S1, R1, R2, J8, R7, S3, CV3]
    assert list(d["status"]) == ["新增", "新增", "未完成", "已逾期", "已整改", "本年无数据", "本年无数据", "已整改", "本年无数据"]
    assert list(d.index) == list(range(9))
    r = d.set_index("item_id")
    # still open: the bureau's columns kept, last year beside this year
    assert r.loc[R1, ["lead_unit", "owner", "measures", "deadline", "remark"]].tolist() == [
        "教育局", "王一", "扩建教学楼", dt.date(2025, 6, 30), "县政府审定"]
    assert (r.loc[R1, "first_year"], r.loc[R1, "previous_year"], r.loc[R1, "year"]) == (2023, 2024, 2025)
    assert (r.loc[R1, "value_previous"], r.loc[R1, "gap_previous"]) == ("2.000", 900.0)
    assert (r.loc[R1, "value"], r.loc[R1, "gap"]) == ("2.500", 800.0)
    assert r.loc[S1, "first_year"] == 2024 and r.loc[S1, "owner"] == "王二"
    assert _nan(r.loc[S1, "value_previous"])   # read back empty: NaN in the reader's str column, blank in both files
    assert r.loc[S1, "deadline"] == AS_OF and r.loc[S1, "explanation"] == ""   # due today: not yet overdue
    # new this year
    assert r.loc[R5, "first_year"] == 2025 and _nan(r.loc[R5, "previous_year"]) and _nan(r.loc[R5, "owner"])
    assert r.loc[R5, "value_previous"] == "" and _nan(r.loc[R5, "gap_previous"])
    # fixed: this year's value, gap 0, the bureau's columns and last year's row kept
    fixed = r.loc[R2]
    assert (fixed["value"], fixed["gap"], fixed["value_previous"], fixed["gap_previous"]) == ("5.000", 0.0, "4.000", 200.0)
    assert (fixed["year"], fixed["previous_year"], fixed["first_year"]) == (2025, 2024, 2022)
    assert (fixed["owner"], fixed["deadline"], fixed["explanation"]) == ("李二", dt.date(2024, 12, 31), "")
    assert (fixed["county_name"], fixed["kind"] is None) == ("测试县", True)   # as last year's row had them
    assert (r.loc[S3, "value"], r.loc[S3, "gap"], r.loc[S3, "first_year"]) == ("7/7 项达标", 0.0, 2024)
    # not in this year's data: kept, no gap, the reason (and that it was fixed already)
    assert (r.loc[CV3, "value"], r.loc[CV3, "explanation"], r.loc[CV3, "owner"]) == ("", "上年已整改；" + NOT_ASSESSED, "赵三")
    assert _nan(r.loc[CV3, "gap"]) and r.loc[CV3, "gap_previous"] == 0.2 and r.loc[CV3, "year"] == 2025
    assert (r.loc[R7, "explanation"], r.loc[R7, "value_previous"]) == ("本年数据中没有该学段单位", "3.000")
    assert _nan(r.loc[R7, "gap"])
    for c in ("year", "first_year", "previous_year"):
        assert d[c].dtype == "Int64", c
    for c in ("gap", "gap_previous"):
        assert d[c].dtype == "float64", c
    assert "_row" not in d and "_s" not in d


def test_an_item_without_a_deadline_stays_open_and_an_empty_value_is_blank(assessment):
    prev = _previous()
    prev["deadline"] = None
    prev["value"] = pd.Series([None] * len(prev), dtype=object)   # every 本年值 of last year empty
    d = build_ledger(assessment, None, prev, year=2025, as_of=AS_OF).rows.set_index("item_id")
    assert (d.loc[R1, "status"], d.loc[S1, "status"]) == ("未完成", "未完成")
    assert (d.loc[R1, "value_previous"], d.loc[R2, "value_previous"]) == ("", "")


def _evaluation():
    """The four-area items of 测试县 (only what open_items reads): item 4 of 政府保障程度 not met."""
    return SimpleNamespace(items=pd.DataFrame([
        dict(year=2025, county_code="990101", county_name="测试县", area="government", area_name="政府保障程度",
             item_no=4, item="音乐、美术专用教室", rule="每12个班各1间", value=0.5, status="未达标"),
        dict(year=2025, county_code="990101", county_name="测试县", area="quality", area_name="教育质量",
             item_no=2, item="残疾儿童入学率", rule="≥ 95%", value=96.0, status="达标"),
    ]))


def test_the_items_of_the_county_sheet_enter_and_leave_the_ledger(assessment):
    prev = pd.DataFrame([_prev("E:990101:quality:2", "990101", "测试县", value="未达标：90.000", owner="周七")])
    d = build_ledger(assessment, _evaluation(), prev, year=2025, as_of=AS_OF).rows.set_index("item_id")
    e = d.loc["E:990101:government:4"]
    assert (e["status"], e["area"], e["item"], e["standard"], e["value"]) == (
        "新增", "政府保障程度", "政府保障程度第 4 项：音乐、美术专用教室", "每12个班各1间", "未达标：0.500")
    fixed = d.loc["E:990101:quality:2"]
    assert (fixed["status"], fixed["value"], fixed["gap"], fixed["owner"]) == ("已整改", "达标", 0.0, "周七")
    # without the sheet this run, the sheet's item is kept with its reason
    d = build_ledger(assessment, None, prev, year=2025, as_of=AS_OF).rows.set_index("item_id")
    assert "E:990101:government:4" not in d.index
    assert (d.loc["E:990101:quality:2", "status"], d.loc["E:990101:quality:2", "explanation"]) == (
        "本年无数据", "本次未提供县级填报表 / no county sheet given in this run")


def test_counts_list_every_status_and_every_county_assessed(ledger):
    c = ledger.counts()
    assert list(c.columns) == ["county_code", "county_name", *STATUSES, "合计"]
    assert c.to_dict("list") == {
        "county_code": ["990100", "990101", "990102", "990103"], "county_name": ["甲县", "测试县", "乙县", "丙县"],
        "新增": [0, 2, 0, 0], "未完成": [0, 1, 0, 0], "已逾期": [0, 1, 0, 0], "已整改": [0, 1, 1, 0],
        "本年无数据": [0, 2, 0, 1], "合计": [0, 7, 1, 1]}   # one row for 990101 under its first name
    assert all(c[s].dtype == "int64" for s in (*STATUSES, "合计"))
    # without the counties, only the counties with items; an empty counties frame is the same
    alone = ledger_counts(ledger.rows)
    assert list(alone["county_code"]) == ["990101", "990102", "990103"] and list(alone.index) == [0, 1, 2]
    assert ledger_counts(ledger.rows, ledger.counties.iloc[:0]).equals(alone)


def test_overdue_lists_the_overdue_items_with_their_owners(ledger):
    o = ledger.overdue()
    assert o.to_dict("records") == [{"item_id": R1, "county_code": "990101", "county_name": "测试县",
                                     "school_name": "测试学校1", "item": "小学生均教学及辅助用房面积",
                                     "lead_unit": "教育局", "owner": "王一", "deadline": dt.date(2025, 6, 30)}]
    empty = overdue_items(ledger.rows.iloc[:0])
    assert list(empty.columns) == ["item_id", "county_code", "county_name", "school_name", "item", "lead_unit",
                                   "owner", "deadline"] and empty.empty


def test_the_ledger_is_written_as_csv_and_workbook(ledger, tmp_path):
    out = tmp_path / "out"
    paths = write_ledger(ledger, out)
    assert sorted(p.name for p in paths) == ["ledger.csv", "ledger.xlsx"] and all(p.parent == out for p in paths)
    raw = (out / "ledger.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(out / "ledger.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(csv.columns) == list(COLUMNS)
    assert list(csv["item_id"]) == list(ledger.rows["item_id"])
    assert list(csv["deadline"]) == ["", "", "2025-07-01", "2025-06-30", "2024-12-31", "", "", "", ""]
    assert list(csv["owner"]) == ["", "", "王二", "王一", "李二", "", "", "", "赵三"]
    assert isinstance(ledger.rows["deadline"].iat[3], dt.date)  # the ledger itself is not changed
    wb = openpyxl.load_workbook(out / "ledger.xlsx")
    assert wb.sheetnames == ["说明", "整改台账", "状态统计"]
    ws = wb["整改台账"]
    header = [c.value for c in ws[1]]
    assert header == list(COLUMNS.values())
    col = {k: j + 1 for j, k in enumerate(COLUMNS)}
    assert ws.max_row == len(ledger.rows) + 1
    assert [ws.cell(i, 1).value for i in range(2, ws.max_row + 1)] == list(ledger.rows["item_id"])
    assert ws.cell(5, col["deadline"]).value.date() == dt.date(2025, 6, 30)
    # rows in the ledger's order (a 初中 row before a 小学 one is not moved), the gap formatted by its
    # unit (formats.yaml: ㎡ is an area, 项 a count)
    assert ws.cell(7, col["stage"]).value == "初中" and ws.cell(8, col["stage"]).value == "小学"
    assert (ws.cell(5, col["gap"]).value, ws.cell(5, col["gap"]).number_format) == (800, "#,##0.0")
    assert (ws.cell(4, col["gap"]).value, ws.cell(4, col["gap"]).number_format) == (0, "#,##0")
    for k in COLUMNS:  # the bureau's columns are yellow, and wide even while empty
        fill = ws.cell(1, col[k]).fill.fgColor.rgb
        assert (fill == "00FFF2CC") is (k in FILLED), k
    letter = openpyxl.utils.get_column_letter
    widths = {"measures": 40, "remark": 24, "lead_unit": 16, "owner": 10, "deadline": 12}
    for k, w in widths.items():
        assert ws.column_dimensions[letter(col[k])].width >= w, k
    assert ws.freeze_panes == "C2" and wb["状态统计"].freeze_panes == "C2"
    counts = wb["状态统计"]
    assert [c.value for c in counts[1]][2:] == [*STATUSES, "合计"]
    assert [[c.value for c in row] for row in counts.iter_rows(min_row=2, max_col=1)] == [
        ["990100"], ["990101"], ["990102"], ["990103"]]
    assert [c.value for c in counts[3]][2:] == [2, 1, 1, 1, 2, 7]
    about = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=2)}
    assert about["工作表「整改台账」"].startswith("每个整改事项一行：编号、状态、事项、标准、本年值与差距；黄色的列由县区填写（")
    assert about["工作表「状态统计」"] == "每个县区一行：各状态的事项数与合计（4 行）"
    assert (about["年度"], about["逾期判断日期"], about["上年台账"]) == ("2025", "2025-07-01", "上年台账.xlsx")
    assert about["评估标准"] == Q.title
    # what the bureau is told (the ledger's own lines of the 说明 sheet, as written by write_ledger)
    assert [(k, about[k]) for k in ("填写", "状态", "差距", "数据来源")] == [
        ("填写", "请只填写黄色的列：牵头单位、责任人、整改措施、完成时限（日期，如 2025-06-30）、备注。"
               "不要修改或删除编号；明年运行 balance ledger --previous 本文件 时，这些内容会原样保留。"),
        ("状态", "新增：本年新出现；未完成：上年已列入、仍未达标；已逾期：未完成且已过完成时限；"
               "已整改：本年数据显示已达到标准；本年无数据：本年数据中没有该学校/学段或该县区未评估（保留，不删除）。"),
        ("差距", "学校指标：该校应在「应补充的数据列」中增加的数量（自然单位，达到标准所需）；"
               "学段单位：还差几项指标达标；差异系数：超过上限的部分。"),
        ("数据来源", "资源配置来自学校数据表；其他三个领域与一票否决来自县级填报表，缺失的答案视为未达标。")]
    assert all(s in about["状态"] for s in STATUSES)


def test_a_first_ledgers_workbook_says_there_was_no_previous_ledger(assessment, tmp_path):
    write_ledger(build_ledger(assessment, year=2025, as_of=AS_OF), tmp_path)
    about = {r[0].value: r[1].value for r in openpyxl.load_workbook(tmp_path / "ledger.xlsx")["说明"].iter_rows(min_row=2)}
    assert about["上年台账"] == "（无：首次建立台账）"


def test_open_items_rows_whole_and_the_gap_rounded_to_three_decimals():
    """(Round 6, ``open_items``.) Every field of an ``S`` and an ``R`` row: 1000.1234 ㎡ for 400 pupils
    is 2.500 ㎡ each, 4.5 × 400 − 1000.1234 = 799.8766 ㎡ short, shown as 799.877; one of seven
    indicators below its standard, at 2.5 / 4.5 = 0.556 of it (below 85 %)."""
    a = assess_schools(table(primary("1", 400, teaching_area=1000.1234)), Q)
    common = dict(year=2025, county_code="990101", county_name="测试县", area="资源配置", school_code="9999999991",
                  school_name="测试学校1", stage="小学")
    assert open_items(a).to_dict("records") == [
        dict(item_id=S1, **common, kind="学段单位未达学校标准", item="小学学段单位达到学校资源配置标准",
             standard="7 项指标中至少 6 项达到标准，其余不低于标准的 85%", value="6/7 项达标，最低达成率 0.556",
             gap=0.0, gap_unit="项", add_column=""),
        dict(item_id=R1, **common, kind="学校指标未达标准", item="小学生均教学及辅助用房面积", standard="≥ 4.500 ㎡/生",
             value="2.500", gap=799.877, gap_unit="㎡", add_column="教学及辅助用房面积(㎡)"),
    ]


def test_a_section_whose_result_is_unknown_stays_open(assessment):
    # a section whose school-rule result is unknown (NA: a value could not be judged) is an open
    # matter, listed like a failing one; it is never dropped as if it passed (round 6: open_items'
    # fillna(True) survived)
    sr = assessment.school_results.copy()
    sr["school_passed"] = sr["school_passed"].astype("boolean")
    unknown = sr["school_code"] == "9999999992"          # school 2 meets every standard
    sr.loc[unknown, "school_passed"] = pd.NA
    a = SimpleNamespace(standard=assessment.standard, shortfalls=assessment.shortfalls, school_results=sr,
                        county_indicators=assessment.county_indicators)
    ids = set(open_items(a)["item_id"])
    assert "S:990101:9999999992:小学" in ids
    assert "S:990101:9999999992:小学" not in set(open_items(assessment)["item_id"])
