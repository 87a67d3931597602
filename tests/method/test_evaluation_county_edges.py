"""The whole-county functions of the four-area evaluation on small hand-built inputs (issue 10,
mutation round 7): ``_verdict_row`` called directly, ``evaluate`` / ``_county_items`` /
``_read_inputs`` / ``_unused_sheet_rows`` on a few schools given as frames (no workbook, no CLI),
so a mutant costs about a second.

Round 6 reached these functions only through tests/method/test_evaluation.py (14 s a run under
no load) and left 567 of their mutants unrun. Expected values below are derived by hand from
method.md §§5–6 and the docstrings of balance/method/evaluation.py (named in each comment): the
counts of items (8 resource items for one stage with 7 indicators, 15 government, 9 quality,
1 recognition, 6 veto), the order of the sentences, the warnings' fields.
"""
from __future__ import annotations

from collections import namedtuple

import pandas as pd
import pytest

from balance.errors import InputError, Problem
from balance.io.county_sheet import load_county_sheet
from balance.io.reading import load_school_table
from balance.method.evaluation import ITEM_COLUMNS, _verdict_row, evaluate
from balance.method.standards import load_standard
from tests.io.test_county_sheet import full_row
from tests.method.test_evaluation import ROOMS, frame, p_school

A, B = ("990101", "测试县"), ("990102", "乙县")
Q = load_standard("quality-2017")
V = namedtuple("V", "year county_code county_name passed failing_items")


def _row(area, no, passed, source="县级填报表", item=None, value="是", rule="是", note=""):
    return {"area": area, "item_no": no, "item": item or f"{area}{no}", "value": value, "rule": rule,
            "source": source, "passed": passed, "note": note}


def _all(passed=True):
    """One item per area (a verdict row only looks at area, passed, source and the sentence fields)."""
    return [_row("resource", 1, passed, "学校数据"), _row("government", 1, passed), _row("quality", 1, passed),
            _row("recognition", 1, passed), _row("veto", 1, passed)]


# ------------------------------------------------------------------------------------ _verdict_row


def test_a_county_with_every_item_holding_is_recognised():
    vr = _verdict_row(V(2025, "990101", "测试县", True, []), _all(), Q, has_sheet_row=True)
    assert vr == {"year": 2025, "county_code": "990101", "county_name": "测试县", "standard_id": "quality-2017",
                  "resource_passed": True, "resource_status": "达标", "government_passed": True,
                  "government_status": "达标", "quality_passed": True, "quality_status": "达标",
                  "recognition_passed": True, "recognition_status": "达标", "veto_passed": True,
                  "veto_status": "无否决事项", "passed": True, "verdict": "达到", "failing_items": [],
                  "items_failed": 0, "items_missing": 0}


def test_vetoes_then_failing_items_then_missing_items_each_with_its_sentence():
    # method.md §6: a county is recognised only when all four areas hold and no veto applies.
    # The resource assessment failed (v.passed False) but none of its items is in `rows` as failed:
    # its own failing items lead the failing sentences. quality: one item missing only → 数据缺失;
    # recognition: no item at all → not held, 数据缺失; veto: one 是 → 存在否决事项.
    rows = [_row("resource", 1, True, "学校数据"),
            _row("government", 1, False, value=8000.0, rule="≥ 6000 元/生"),
            _row("government", 2, None, note="县级填报表未填写"),
            _row("government", 3, True),
            _row("quality", 1, None, note="未填"),
            _row("veto", 1, True), _row("veto", 2, False, item="存在违规择校行为", value="是", rule="否")]
    vr = _verdict_row(V(2024, "990102", "乙县", False, ["小学差异系数未达到", "初中未达到"]), rows, Q, has_sheet_row=True)
    assert {k: vr[k] for k in vr if k.endswith(("_passed", "_status"))} == {
        "resource_passed": False, "resource_status": "未达标", "government_passed": False,
        "government_status": "未达标", "quality_passed": False, "quality_status": "数据缺失",
        "recognition_passed": False, "recognition_status": "数据缺失", "veto_passed": False,
        "veto_status": "存在否决事项"}
    assert (vr["passed"], vr["verdict"], vr["standard_id"]) == (False, "未达到", "quality-2017")
    assert vr["failing_items"] == [
        "一票否决：存在违规择校行为（县级填报表填“是”）",
        "资源配置未达到：小学差异系数未达到；初中未达到",
        "政府保障程度第1项“government1”未达到：8000，要求 ≥ 6000 元/生（县级填报表）",
        "政府保障程度第2项“government2”缺少数据（县级填报表未填写）",
        "教育质量第1项“quality1”缺少数据（未填）"]
    assert (vr["items_failed"], vr["items_missing"]) == (3, 2)   # veto + resource + government 1; two missing


def test_a_failed_resource_item_stands_for_the_assessment_and_a_missing_veto_is_not_a_veto():
    rows = [_row("resource", 1, False, "学校数据", item="小学生均教学仪器设备值差异系数", value=0.61234, rule="≤ 0.50"),
            _row("government", 1, True), _row("quality", 1, True), _row("recognition", 1, True),
            _row("veto", 1, None, note="县级填报表未填写")]
    vr = _verdict_row(V(2025, "990101", "测试县", False, ["不应出现"]), rows, Q, has_sheet_row=True)
    assert vr["failing_items"] == [
        "资源配置第1项“小学生均教学仪器设备值差异系数”未达到：0.612，要求 ≤ 0.50（学校数据）",
        "一票否决第1项“veto1”缺少数据（县级填报表未填写）"]
    assert (vr["resource_status"], vr["veto_passed"], vr["veto_status"]) == ("未达标", False, "数据缺失")
    assert (vr["government_status"], vr["passed"], vr["items_failed"], vr["items_missing"]) == ("达标", False, 1, 1)
    # an area is 未达标 when one of its items fails, 数据缺失 when none fails but one is missing
    rows = _all()[:1] + [_row("government", 1, True), _row("government", 2, None), _row("quality", 1, False),
                         _row("quality", 2, None), _row("recognition", 1, True), _row("veto", 1, True)]
    vr = _verdict_row(V(2025, "990101", "测试县", True, []), rows, Q, has_sheet_row=True)
    assert (vr["government_status"], vr["quality_status"], vr["recognition_status"]) == ("数据缺失", "未达标", "达标")
    # the resource area follows the assessment's verdict, not its items
    vr = _verdict_row(V(2025, "990101", "测试县", True, []), rows[:1] + _all()[1:], Q, has_sheet_row=True)
    assert (vr["resource_passed"], vr["resource_status"], vr["passed"], vr["verdict"]) == (True, "达标", True, "达到")


def test_without_a_sheet_row_the_sheet_items_get_one_sentence_and_the_school_items_their_own():
    # evaluate(): "no sheet row: one sentence for the sheet items instead of one per item"
    rows = [_row("resource", 1, True, "学校数据"),
            _row("government", 3, None, "缺失", item="每12个班级", note="学校数据缺少列：音乐专用教室数；县级填报表也未填写"),
            _row("government", 4, True, "学校数据"),
            _row("government", 1, None), _row("quality", 1, None), _row("veto", 1, None)]
    vr = _verdict_row(V(2024, "990101", "测试县", True, []), rows, Q, has_sheet_row=False)
    assert vr["failing_items"] == [
        "政府保障程度第3项“每12个班级”缺少数据（学校数据缺少列：音乐专用教室数；县级填报表也未填写）",
        "县级填报表中没有该县区 2024 年的数据：政府保障程度、教育质量、社会认可度、一票否决共 3 项缺少数据"]
    assert (vr["items_failed"], vr["items_missing"]) == (0, 4)
    # with no sheet item missing, no such sentence
    vr = _verdict_row(V(2024, "990101", "测试县", True, []), rows[:3], Q, has_sheet_row=False)
    assert vr["failing_items"] == ["政府保障程度第3项“每12个班级”缺少数据（学校数据缺少列：音乐专用教室数；县级填报表也未填写）"]


# ------------------------------------------------------------------ evaluate and _county_items


@pytest.fixture(scope="module")
def two_counties():
    """A: one school in 2025 and one in 2024; B: one school in 2025. The sheet has A 2025, B 2025
    and two rows without school data (B 2024, A 2023)."""
    schools = frame(p_school("1", 400, 10), p_school("2", 400, 10, year=2024),
                    p_school("3", 400, 10, county_code=B[0], county_name=B[1]))
    sheet = pd.DataFrame([full_row(2025, *A), full_row(2024, *B), full_row(2023, *A), full_row(2025, *B)])
    return schools, sheet


AREA_ITEMS = [("resource", "资源配置", 8), ("government", "政府保障程度", 15), ("quality", "教育质量", 9),
              ("recognition", "社会认可度", 1), ("veto", "一票否决", 6)]


def test_every_item_of_every_county_year_in_order(two_counties):
    schools, sheet = two_counties
    ev = evaluate(schools, sheet)
    assert list(ev.items.columns) == ITEM_COLUMNS
    assert ev.verdicts[["year", "county_code", "county_name"]].values.tolist() == [
        [2024, A[0], A[1]], [2025, A[0], A[1]], [2025, B[0], B[1]]]
    expected = [(a, name, k) for a, name, n in AREA_ITEMS for k in range(1, n + 1)]   # 39 items, numbered per area
    assert len(ev.items) == 3 * 39
    for k, (y, c, n) in enumerate([(2024, *A), (2025, *A), (2025, *B)]):
        sub = ev.items.iloc[39 * k:39 * (k + 1)]
        assert list(zip(sub.area, sub.area_name, sub.item_no)) == expected, (y, c)
        assert set(zip(sub.year, sub.county_code, sub.county_name)) == {(y, c, n)}
    # status follows passed: 达标 / 未达标 / 缺失 (the sheet's rows hold everything: only A 2024 has gaps)
    assert ev.items["passed"].dtype == "boolean"
    s = ev.items[(ev.items.year == 2024)]
    assert s["status"].tolist() == ["缺失" if pd.isna(p) else "达标" if p else "未达标" for p in s["passed"]]
    assert s["passed"].isna().sum() == 30 and s["passed"].fillna(False).sum() == 9   # 8 resource + item 4
    assert ev.verdicts["items_missing"].tolist() == [30, 0, 0]
    assert ev.verdicts["verdict"].tolist() == ["未达到", "达到", "达到"]
    # A 2024 has no sheet row: the two computed items its schools cannot decide (3 and 5: no room or
    # class-size columns) each with its sentence, then one sentence for the other 28 sheet items
    # (31 items outside 资源配置, less items 3, 4 and 5)
    fi = ev.verdicts["failing_items"][0]
    assert [x.split("“")[0] for x in fi[:2]] == ["政府保障程度第3项", "政府保障程度第5项"]
    assert fi[2:] == ["县级填报表中没有该县区 2024 年的数据：政府保障程度、教育质量、社会认可度、一票否决共 28 项缺少数据"]
    # notes: "" where there is none, never NaN
    assert ev.items["note"].map(type).eq(str).all() and (ev.items.loc[ev.items.area == "resource", "note"] == "").all()
    i4 = ev.items[(ev.items.year == 2024) & (ev.items.area == "government") & (ev.items.item_no == 4)].iloc[0]
    assert (i4["item"], i4["value"], i4["source"], i4["status"]) == (
        "学校规模不超过2000人（小学、初中），九年一贯制学校、十二年一贯制学校义务教育阶段规模不超过2500人",
        "1 所学校全部达到", "学校数据", "达标")
    assert i4["rule"] == "义务教育阶段在校生 ≤ 2000 人（九年一贯制、十二年一贯制 ≤ 2500 人）"
    # the Evaluation carries what it was computed from
    assert ev.standard.id == "quality-2017" and ev.sheet is not None and len(ev.sheet.data) == 4
    assert ev.assessment.verdicts[["year", "county_code"]].values.tolist() == [[2024, A[0]], [2025, A[0]], [2025, B[0]]]
    assert set(ev.school_items["school_code"]) == {"9999999991", "9999999992", "9999999993"}


def test_a_blank_cell_of_a_sheet_row_is_a_missing_item_of_its_own():
    # a county with its sheet row, one cell blank: that item's own sentence, not "the sheet has no row"
    ev = evaluate(frame(p_school("1", 400, 10)), pd.DataFrame([full_row(2025, *A, recognition_rate=None)]))
    fi = ev.verdicts["failing_items"][0]
    assert len(fi) == 1 and fi[0].startswith("社会认可度第1项“社会认可度达到85%以上”缺少数据（"), fi
    assert (ev.verdicts["items_missing"][0], ev.verdicts["recognition_status"][0]) == (1, "数据缺失")


def test_the_resource_area_is_assessed_with_the_standard_given():
    # basic-2012 (基本均衡): no school rule and no per-indicator CV limit, only the composite CV
    # (≤ 0.65 for 小学): one resource item, where quality-2017 has eight
    ev = evaluate(frame(p_school("1", 400, 10), p_school("2", 400, 10)), None, "basic-2012")
    r = ev.items[ev.items.area == "resource"]
    assert r[["item_no", "item", "rule"]].values.tolist() == [[1, "小学综合差异系数", "≤ 0.65"]]
    assert ev.verdicts["standard_id"].tolist() == ["basic-2012"] and ev.assessment.standard.id == "basic-2012"


def test_the_year_and_county_filters(two_counties):
    schools, sheet = two_counties
    ev = evaluate(schools, sheet, year=2025)
    assert ev.verdicts[["year", "county_code"]].values.tolist() == [[2025, A[0]], [2025, B[0]]]
    assert set(ev.items["year"]) == {2025} and set(ev.school_items["year"]) == {2025}
    ev = evaluate(schools, sheet, county=B[0])
    assert ev.verdicts[["year", "county_code"]].values.tolist() == [[2025, B[0]]]
    assert set(ev.items["county_code"]) == {B[0]} and set(ev.school_items["school_code"]) == {"9999999993"}
    ev = evaluate(schools, sheet, year=2024, county=A[0])
    assert ev.verdicts[["year", "county_code"]].values.tolist() == [[2024, A[0]]]
    assert set(ev.school_items["school_code"]) == {"9999999992"}


def _unused(row, county, year):
    return Problem(file="<DataFrame>", sheet=None, row=row, column="年份", value=str(year), severity="warning",
                   code="no_school_data", problem_zh=f"学校数据中没有县区 {county} 的 {year} 年，此行未使用",
                   problem_en=f"no school data for county {county} in {year}; row not used")


def test_sheet_rows_without_school_data_are_warned_within_the_filter(two_counties):
    # rows from 2 (the header is row 1): A 2025 (2), B 2024 (3), A 2023 (4), B 2025 (5)
    schools, sheet = two_counties

    def warned(**kw):
        return [Problem(**r) for r in evaluate(schools, sheet, **kw).warnings.to_dict("records")]

    assert warned() == [_unused(3, B[0], 2024), _unused(4, A[0], 2023)]
    assert warned(year=2024) == [_unused(3, B[0], 2024)]
    assert warned(year=2025) == []
    assert warned(county=A[0]) == [_unused(4, A[0], 2023)]
    assert warned(county=B[0]) == [_unused(3, B[0], 2024)]
    assert warned(year=2024, county=A[0]) == []


def test_warnings_of_the_table_then_of_the_sheet_then_the_unused_rows(two_counties):
    schools, sheet = two_counties
    schools, sheet = schools.assign(备用列="x"), sheet.assign(另一列="y")
    w = evaluate(schools, sheet).warnings
    assert w["code"].tolist() == ["unknown_columns", "unknown_columns", "no_school_data", "no_school_data"]
    assert "备用列" in w["problem_zh"][0] and "另一列" in w["problem_zh"][1]
    # without a sheet: the table's warnings only, no sheet, every sheet item missing
    ev = evaluate(schools, None)
    assert ev.warnings["code"].tolist() == ["unknown_columns"] and ev.sheet is None
    assert ev.verdicts["items_missing"].tolist() == [30, 30, 30]


def test_the_rule_of_a_computed_item_says_when_a_relaxation_applied():
    # province-example relaxes the music/art room areas for schools built before 2016 (method.md §7);
    # item 3's rule then ends with （部分学校适用省级放宽规定）, in the county with such a school only
    schools = frame(p_school("1", 480, 12, 建成年份=2010, **ROOMS), p_school("2", 480, 12, 建成年份=2018, **ROOMS),
                    p_school("3", 480, 12, 建成年份=2018, county_code=B[0], county_name=B[1], **ROOMS))
    ev = evaluate(schools, None, "province-example")
    i3 = ev.items[(ev.items.area == "government") & (ev.items.item_no == 3)].set_index("county_code")
    assert i3.loc[A[0], "rule"].endswith("（部分学校适用省级放宽规定）")
    assert not i3.loc[B[0], "rule"].endswith("）") and i3.loc[B[0], "rule"].startswith("每校音乐、美术专用教室各不少于")
    assert i3["passed"].tolist() == [True, True] and i3["value"].tolist() == ["2 所学校全部达到", "1 所学校全部达到"]
    # item 4 (school size) has no relaxation in force for these schools: no suffix in either county
    i4 = ev.items[(ev.items.area == "government") & (ev.items.item_no == 4)]
    assert not i4["rule"].str.contains("放宽").any()


def test_a_computed_item_without_school_columns_takes_the_sheets_answer():
    # item 3 without the four room columns: the sheet's 音乐美术专用教室配备达标 (是 / 否) decides
    schools = frame(p_school("1", 400, 10))
    ev = evaluate(schools, pd.DataFrame([full_row(2025, *A, g3_music_art_rooms="否")]))
    r = ev.items[(ev.items.area == "government") & (ev.items.item_no == 3)].iloc[0]
    assert (r["value"], r["rule"], r["source"], r["passed"], r["status"]) == (
        "否", "音乐美术专用教室配备达标：是", "县级填报表", False, "未达标")


# ---------------------------------------------------------------------------------- _read_inputs


def test_a_school_table_already_read_is_used_as_it_is(two_counties):
    schools, sheet = two_counties
    table = load_school_table(schools)
    assert evaluate(table, sheet).items.equals(evaluate(schools, sheet).items)


def test_the_worksheet_of_the_school_table_is_chosen(two_counties, tmp_path):
    schools, _ = two_counties
    path = tmp_path / "schools.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"说明": ["封面"]}).to_excel(xw, sheet_name="封面", index=False)
        schools.to_excel(xw, sheet_name="学校", index=False)
    ev = evaluate(path, None, sheet="学校")
    assert len(ev.verdicts) == 3 and ev.warnings.empty


def _bad_table(schools):
    bad = schools.copy()
    bad.loc[0, "primary_students"] = -5
    return bad


def test_problems_of_the_table_and_of_the_sheet_are_raised_together(two_counties):
    schools, sheet = two_counties
    bad_sheet = pd.DataFrame([full_row(2025, *A), full_row(2025, *B, recognition_rate="很高")])
    with pytest.raises(InputError) as table_only:
        load_school_table(_bad_table(schools))
    with pytest.raises(InputError) as sheet_only:
        load_county_sheet(bad_sheet)
    with pytest.raises(InputError) as ei:
        evaluate(_bad_table(schools), bad_sheet)
    assert ei.value.problems == table_only.value.problems + sheet_only.value.problems
    assert (ei.value.summary_zh, ei.value.summary_en) == ("输入数据有误", "invalid input")
    # the sheet alone wrong: its problems, the same summary
    with pytest.raises(InputError) as ei:
        evaluate(schools, bad_sheet)
    assert ei.value.problems == sheet_only.value.problems
    assert (ei.value.summary_zh, ei.value.summary_en) == ("输入数据有误", "invalid input")


def test_a_wrong_table_with_a_right_sheet_raises_the_tables_own_error(two_counties):
    # the sheet is then read without the table's counties (there are none to check against)
    schools, sheet = two_counties
    with pytest.raises(InputError) as table_only:
        load_school_table(_bad_table(schools))
    for s in (sheet, load_county_sheet(sheet), None):
        with pytest.raises(InputError) as ei:
            evaluate(_bad_table(schools), s)
        assert ei.value.problems == table_only.value.problems
        assert (ei.value.summary_zh, ei.value.summary_en) == (table_only.value.summary_zh, table_only.value.summary_en)
        assert ei.value.summary_zh != "输入数据有误"


def test_a_sheet_already_read_with_a_county_the_table_lacks(two_counties):
    schools, _ = two_counties
    cs = load_county_sheet(pd.DataFrame([full_row(2025, *A), full_row(2025, "990109", "外县"), full_row(2024, "990109", "外县")]))
    with pytest.raises(InputError) as ei:
        evaluate(schools, cs)
    assert ei.value.problems == [Problem(file="<DataFrame>", sheet=None, row=3, column="县区代码", value="990109",
                                         code="unknown_county", problem_zh="县区代码 990109 不在学校数据中",
                                         problem_en="county code 990109 is not in the school data")]
    ev = evaluate(schools, cs, other_counties="ignore")
    assert ev.sheet.data["county_code"].tolist() == [A[0]]
    assert ev.warnings["code"].tolist() == ["other_counties_ignored"]
    # a dropped county named differently on its rows is named by its first row, as the reader does
    rows = pd.DataFrame([full_row(2025, *A), full_row(2025, "990109", "外县"), full_row(2024, "990109", "外县区")])
    mine = evaluate(schools, load_county_sheet(rows), other_counties="ignore").warnings
    reader = evaluate(schools, rows, other_counties="ignore").warnings
    assert mine["problem_zh"].tolist() == reader["problem_zh"].tolist() == [
        "县级填报表中有 1 个县区不在学校数据中，其 2 行未使用（已忽略）：990109 外县"]
