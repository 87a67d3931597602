"""The four-area evaluation: computed items (hand-computed), sheet items, vetoes, missing items,
the example province standard, relaxations, outputs and the command line."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from balance.errors import InputError
from balance.method.assessment import assess
from balance.method.evaluation import evaluate, school_settings, write_evaluation
from balance.method.standards import load_standard
from balance.schema import COLUMNS
from tests.factories import primary, school, table
from tests.io.test_county_sheet import full_row

COUNTY = "990101"


def p_school(code, students, classes, **extra):
    """A 小学 meeting every quality-2017 standard, with ``classes`` classes; ``extra``: optional columns."""
    row = primary(code, students)
    row["primary_classes"] = classes
    row.update(extra)
    return row


def j_school(code, students, classes, **extra):
    """An 初级中学 meeting every quality-2017 junior standard."""
    p = students
    row = school(code, school_type="初级中学", junior_students=p, junior_classes=classes, junior_teachers=p // 10,
                 junior_qualified_teachers=-(-p * 6 // 100), junior_backbone_teachers=-(-p * 2 // 100),
                 junior_pe_art_teachers=-(-p // 100), teaching_area=6.0 * p, sports_ground_area=11.0 * p,
                 equipment_value=2600.0 * p, multimedia_rooms=-(-p * 3 // 100))
    row.update(extra)
    return row


def frame(*rows) -> pd.DataFrame:
    """Canonical school rows as a DataFrame; optional columns given by Chinese header replace the
    (all-missing) canonical ones, so that the reader recognises them by their header."""
    canon = [{k: v for k, v in r.items() if not _is_extra(k)} for r in rows]
    df = table(*canon)
    extras = sorted({k for r in rows for k in r if _is_extra(k)})
    by_header = {c["header"]: c["name"] for c in COLUMNS}
    df = df.drop(columns=[by_header[k] for k in extras if k in by_header])
    for k in extras:
        df[k] = [r.get(k) for r in rows]
    return df


def _is_extra(k: str) -> bool:
    return not k.isascii()


def sheet(**over) -> pd.DataFrame:
    return pd.DataFrame([full_row(year=2025, code=COUNTY, name="测试县", **over)])


def item(ev, area, no) -> dict:
    it = ev.items
    r = it[(it.area == area) & (it.item_no == no)]
    assert len(r) == 1
    return r.iloc[0].to_dict()


def school_item(ev, code, no, stage="") -> dict:
    s = ev.school_items
    r = s[(s.school_code == code.rjust(10, "9")) & (s.item_no == no) & (s.stage == stage)]
    assert len(r) == 1, r
    return r.iloc[0].to_dict()


ROOMS = dict(音乐专用教室数=3, 美术专用教室数=3, **{"最小音乐专用教室面积(㎡)": 100, "最小美术专用教室面积(㎡)": 95})


# --------------------------------------------------------------------------------------------- item 3


def test_item3_rooms_per_12_classes_hand_computed():
    ev = evaluate(frame(
        # 25 classes: ceil(25/12) = ceil(2.08) = 3 rooms of each needed; art 2 < 3 -> fails
        p_school("1", 1000, 25, 音乐专用教室数=3, 美术专用教室数=2, **{"最小音乐专用教室面积(㎡)": 100, "最小美术专用教室面积(㎡)": 95}),
        # 24 classes: ceil(24/12) = 2; 2 and 2 rooms; smallest rooms exactly 96 and 90 ㎡ -> passes
        p_school("2", 960, 24, 音乐专用教室数=2, 美术专用教室数=2, **{"最小音乐专用教室面积(㎡)": 96, "最小美术专用教室面积(㎡)": 90}),
        # 12 classes: ceil(12/12) = 1; smallest music room 95.9 < 96 -> fails
        p_school("3", 480, 12, 音乐专用教室数=1, 美术专用教室数=1, **{"最小音乐专用教室面积(㎡)": 95.9, "最小美术专用教室面积(㎡)": 90}),
        # 13 classes: ceil(13/12) = 2; 2 and 2 -> passes
        p_school("4", 520, 13, 音乐专用教室数=2, 美术专用教室数=2, **{"最小音乐专用教室面积(㎡)": 120, "最小美术专用教室面积(㎡)": 100}),
        # 3 classes: ceil(3/12) = 1; no art room at all (area blank) -> fails on the count
        p_school("5", 100, 3, 音乐专用教室数=1, 美术专用教室数=0, **{"最小音乐专用教室面积(㎡)": 96, "最小美术专用教室面积(㎡)": None}),
    ), sheet())
    expected = {"1": False, "2": True, "3": False, "4": True, "5": False}
    assert {c: bool(school_item(ev, c, 3)["passed"]) for c in expected} == expected
    assert school_item(ev, "1", 3)["value"] == "音乐 3/3，美术 2/3"
    assert "25 个班 ÷ 12，向上取整，需音乐、美术专用教室各 3 间" in school_item(ev, "1", 3)["detail"]
    r = item(ev, "government", 3)
    assert r["passed"] is False or r["passed"] == False  # noqa: E712
    assert r["source"] == "学校数据" and r["value"] == "3 所学校未达到（共 5 所）"


def test_item3_message_names_the_sub_check_that_failed_not_those_that_passed():
    # issue 12, trap 5: school 1 lacks one art room (3 needed), school 3's music room is 95.9 < 96 ㎡
    ev = evaluate(frame(
        p_school("1", 1000, 25, 音乐专用教室数=3, 美术专用教室数=2, **{"最小音乐专用教室面积(㎡)": 100, "最小美术专用教室面积(㎡)": 95}),
        p_school("3", 480, 12, 音乐专用教室数=1, 美术专用教室数=1, **{"最小音乐专用教室面积(㎡)": 95.9, "最小美术专用教室面积(㎡)": 90}),
    ), sheet())
    d1, d3 = school_item(ev, "1", 3)["detail"], school_item(ev, "3", 3)["detail"]
    assert d1.startswith("未达到：美术专用教室 2 间（需 3 间）")
    assert "音乐专用教室" not in d1 and "最小" not in d1  # the three sub-checks that passed are not listed
    assert d3.startswith("未达到：最小音乐教室 95.9 ㎡（≥ 96 ㎡）")
    assert "美术" not in d3.split("（", 1)[0] and "最小美术" not in d3
    note = item(ev, "government", 3)["note"]
    assert "未达到：美术专用教室 2 间（需 3 间）" in note and "未达到：最小音乐教室 95.9 ㎡" in note
    assert "现有音乐" not in note


def test_item3_counts_classes_of_both_stages_of_a_combined_school():
    # 九年一贯制: 18 primary + 9 junior classes = 27; ceil(27/12) = ceil(2.25) = 3 rooms each
    row = p_school("1", 700, 18, school_type="九年一贯制学校", 音乐专用教室数=2, 美术专用教室数=3,
                   **{"最小音乐专用教室面积(㎡)": 100, "最小美术专用教室面积(㎡)": 100})
    row.update(junior_students=400, junior_classes=9, junior_teachers=40, junior_qualified_teachers=24,
               junior_backbone_teachers=8, junior_pe_art_teachers=4)
    ev = evaluate(frame(row), sheet())
    r = school_item(ev, "1", 3)
    assert r["value"] == "音乐 2/3，美术 3/3" and not r["passed"]


def test_item3_from_the_sheet_when_the_school_table_lacks_the_columns():
    ev = evaluate(frame(p_school("1", 480, 12)), sheet(g3_music_art_rooms="是"))
    r = item(ev, "government", 3)
    assert r["source"] == "县级填报表" and r["passed"] == True and r["value"] == "是"  # noqa: E712
    assert "学校数据缺少列：音乐专用教室数" in r["note"]
    ev = evaluate(frame(p_school("1", 480, 12)), sheet(g3_music_art_rooms="否"))
    assert item(ev, "government", 3)["passed"] == False  # noqa: E712
    ev = evaluate(frame(p_school("1", 480, 12)), sheet(g3_music_art_rooms=None))
    r = item(ev, "government", 3)
    assert r["status"] == "缺失" and pd.isna(r["passed"]) and r["source"] == "缺失"
    assert "县级填报表也未填写" in r["note"]


def test_item3_school_data_wins_over_the_sheet():
    ev = evaluate(frame(p_school("1", 480, 12, 音乐专用教室数=0, 美术专用教室数=1,
                                 **{"最小音乐专用教室面积(㎡)": None, "最小美术专用教室面积(㎡)": 95})),
                  sheet(g3_music_art_rooms="是"))
    r = item(ev, "government", 3)
    assert r["source"] == "学校数据" and r["passed"] == False and "以学校数据为准" in r["note"]  # noqa: E712


def test_item3_partly_blank_cells_fall_back_to_the_sheet():
    # one school passes, the other has a blank cell: not decided by school data -> the sheet's answer
    ev = evaluate(frame(p_school("1", 480, 12, **ROOMS), p_school("2", 480, 12, **{**ROOMS, "美术专用教室数": None})),
                  sheet(g3_music_art_rooms="是"))
    r = item(ev, "government", 3)
    assert r["source"] == "县级填报表" and "1 所学校数据不全" in r["note"]


def test_optional_columns_come_from_the_read_table():
    """The optional columns travel in ``SchoolTable.data``: a table read once (no file to go back to)
    and a CSV give the same items; the optional headers are not reported as unrecognised."""
    from balance.io.reading import load_school_table

    rows = frame(p_school("1", 480, 12, 小学最大班额=46, **ROOMS), p_school("2", 480, 12, 小学最大班额=40, **ROOMS))
    t = load_school_table(rows)
    assert t.data["primary_max_class_size"].tolist() == [46, 40] and t.warnings == []
    ev = evaluate(t, sheet())
    assert not school_item(ev, "1", 5, "小学")["passed"] and school_item(ev, "2", 5, "小学")["passed"]
    assert school_item(ev, "1", 3)["passed"] and item(ev, "government", 3)["source"] == "学校数据"
    assert ev.warnings.empty


def test_bad_school_table_and_bad_sheet_reported_together():
    with pytest.raises(InputError) as ei:
        evaluate(frame(p_school("1", 480, 12, 建成年份=2030)), sheet(g1_layout="yes"))
    codes = {e.code for e in ei.value.errors}
    assert {"out_of_range", "not_yes_no"} <= codes


# --------------------------------------------------------------------------------------------- item 4


def test_item4_school_size_caps_hand_computed():
    nine_ok = p_school("3", 1500, 38, school_type="九年一贯制学校")
    nine_ok.update(junior_students=1000, junior_classes=20, junior_teachers=100, junior_qualified_teachers=60)
    nine_big = p_school("4", 1501, 38, school_type="九年一贯制学校")
    nine_big.update(junior_students=1000, junior_classes=20, junior_teachers=100, junior_qualified_teachers=60)
    full = j_school("5", 1900, 38, school_type="完全中学", senior_students=1000)
    ev = evaluate(frame(p_school("1", 2000, 45), p_school("2", 2001, 45), nine_ok, nine_big, full), sheet())
    # 小学: 2000 ≤ 2000 passes, 2001 > 2000 fails
    assert school_item(ev, "1", 4)["passed"] and not school_item(ev, "2", 4)["passed"]
    # 九年一贯制: 1500 + 1000 = 2500 ≤ 2500 passes; 1501 + 1000 = 2501 > 2500 fails
    assert school_item(ev, "3", 4)["value"] == 2500 and school_item(ev, "3", 4)["limit"] == 2500
    assert school_item(ev, "3", 4)["passed"] and not school_item(ev, "4", 4)["passed"]
    # 完全中学: compulsory part only = 1900 junior (the 1000 senior pupils do not count) ≤ 2000
    assert school_item(ev, "5", 4)["value"] == 1900 and school_item(ev, "5", 4)["passed"]
    r = item(ev, "government", 4)
    assert r["source"] == "学校数据" and r["value"] == "2 所学校未达到（共 5 所）"


# --------------------------------------------------------------------------------------------- item 5


def test_item5_largest_class_hand_computed():
    ev = evaluate(frame(p_school("1", 400, 10, 小学最大班额=45), p_school("2", 400, 10, 小学最大班额=46),
                        j_school("3", 400, 9, 初中最大班额=50), j_school("4", 400, 9, 初中最大班额=51)), sheet())
    assert school_item(ev, "1", 5, "小学")["passed"] and not school_item(ev, "2", 5, "小学")["passed"]
    assert school_item(ev, "3", 5, "初中")["passed"] and not school_item(ev, "4", 5, "初中")["passed"]
    r = item(ev, "government", 5)
    assert r["source"] == "学校数据" and r["value"] == "2 所学校未达到（共 4 所）"


def test_item5_counts_of_oversized_classes():
    ev = evaluate(frame(p_school("1", 400, 10, 小学超标班额班数=0), p_school("2", 400, 10, 小学超标班额班数=1)), sheet())
    assert school_item(ev, "1", 5, "小学")["passed"] and not school_item(ev, "2", 5, "小学")["passed"]
    assert "超过 45 人的班级 1 个" in school_item(ev, "2", 5, "小学")["detail"]


def test_item5_average_above_the_limit_is_a_sure_failure():
    # no class-size columns; 470 pupils in 10 classes: average 47 > 45, so some class has > 45
    ev = evaluate(frame(p_school("1", 470, 10), p_school("2", 400, 10)), sheet(g5_class_size="是"))
    s = school_item(ev, "1", 5, "小学")
    assert s["passed"] == False and "平均班额 47.0 人已超过 45 人" in s["detail"]  # noqa: E712
    assert pd.isna(school_item(ev, "2", 5, "小学")["passed"])  # average 40: unknown
    r = item(ev, "government", 5)
    assert r["source"] == "学校数据" and r["passed"] == False  # noqa: E712


def test_item5_from_the_sheet_or_missing():
    ev = evaluate(frame(p_school("1", 400, 10)), sheet(g5_class_size="是"))
    assert item(ev, "government", 5)["source"] == "县级填报表"
    ev = evaluate(frame(p_school("1", 400, 10)), sheet(g5_class_size=None))
    r = item(ev, "government", 5)
    assert r["status"] == "缺失" and "小学最大班额" in r["note"]
    assert ev.verdicts.iloc[0]["government_status"] == "数据缺失"
    assert any("第5项" in s and "缺少数据" in s for s in ev.verdicts.iloc[0]["failing_items"])


def test_bad_optional_school_cells_are_reported():
    with pytest.raises(InputError) as ei:
        evaluate(frame(p_school("1", 400, 10, 音乐专用教室数="两间"), p_school("2", 400, 10, 音乐专用教室数=1.5),
                       p_school("3", 400, 10, 音乐专用教室数=-1)), sheet(v1_exam_admission="yes"))
    errs = ei.value.errors
    assert sorted((e.row, e.code) for e in errs if e.column == "音乐专用教室数") == [(2, "not_number"), (3, "not_integer"),
                                                                                 (4, "negative")]
    assert any(e.code == "not_yes_no" for e in errs)  # the sheet's problems come in the same report


# --------------------------------------------------------------------------------------------- sheet items, vetoes


def passing_table():
    return frame(p_school("1", 400, 10, 小学最大班额=42, **ROOMS), p_school("2", 800, 20, 小学最大班额=44, **ROOMS))


def test_everything_holds_gives_recognition():
    ev = evaluate(passing_table(), sheet())
    v = ev.verdicts.iloc[0]
    assert v["verdict"] == "达到" and v["passed"] and v["failing_items"] == []
    assert {v[f"{a}_status"] for a in ("resource", "government", "quality", "recognition")} == {"达标"}
    assert v["veto_status"] == "无否决事项"
    assert (ev.items["source"] != "缺失").all()
    sc = ev.scorecard()
    assert list(sc.columns[3:9]) == ["资源配置", "政府保障程度", "教育质量", "社会认可度", "一票否决", "结论"]
    assert sc.iloc[0]["政府保障程度"] == "达标（15/15）" and sc.iloc[0]["结论"] == "达到"


def test_veto_fails_the_county_and_is_listed_first():
    ev = evaluate(passing_table(), sheet(v2_school_choice="是", recognition_rate=84.9))
    v = ev.verdicts.iloc[0]
    assert v["verdict"] == "未达到" and v["veto_status"] == "存在否决事项"
    assert v["failing_items"][0] == "一票否决：存在违规择校行为（县级填报表填“是”）"
    assert "社会认可度第1项" in v["failing_items"][1] and "84.9 %" in v["failing_items"][1]


def test_missing_veto_answer_is_not_a_pass():
    ev = evaluate(passing_table(), sheet(v5_safety_accident=None))
    v = ev.verdicts.iloc[0]
    assert not v["veto_passed"] and v["veto_status"] == "数据缺失" and v["verdict"] == "未达到"


@pytest.mark.parametrize("over, area, no, passed", [
    (dict(recognition_rate=85), "recognition", 1, True),          # 85 ≥ 85
    (dict(recognition_rate=84.99), "recognition", 1, False),
    (dict(q9_difference_rate=0.15), "quality", 9, False),          # must be strictly below 0.15
    (dict(q9_difference_rate=0.149), "quality", 9, True),
    (dict(q9_level3="否"), "quality", 9, False),
    (dict(g8_teacher_pay=98000, g8_civil_servant_pay=100000), "government", 8, False),
    (dict(g8_teacher_pay=100000, g8_civil_servant_pay=100000), "government", 8, True),
    (dict(g11_rotation_rate=12, g11_backbone_share=19.9), "government", 11, False),
    (dict(g13_nearby_primary=99.9), "government", 13, False),     # primary must be 100 %
    (dict(g13_nearby_junior=95), "government", 13, True),
    (dict(g7_special_school_funds=5999), "government", 7, False),
    (dict(q4_training_budget_min=5), "quality", 4, True),
])
def test_sheet_item_rules(over, area, no, passed):
    ev = evaluate(passing_table(), sheet(**over))
    r = item(ev, area, no)
    assert bool(r["passed"]) is passed and r["source"] == "县级填报表"


def test_missing_sheet_items_and_rows():
    ev = evaluate(passing_table(), sheet(g8_civil_servant_pay=None, q2_disabled_enrolment=None))
    r = item(ev, "government", 8)
    assert r["status"] == "缺失" and "当地公务员平均工资收入" in r["note"]
    assert item(ev, "quality", 2)["status"] == "缺失"
    v = ev.verdicts.iloc[0]
    assert v["items_missing"] == 2 and v["verdict"] == "未达到"
    # no sheet row at all: every sheet item is missing, computed ones still decided by school data
    ev = evaluate(passing_table(), None)
    assert item(ev, "government", 4)["passed"] == True  # noqa: E712
    assert item(ev, "government", 1)["status"] == "缺失" and "没有该县区该年度的行" in item(ev, "government", 1)["note"]


def test_evidence_note_is_carried():
    df = sheet()
    df["保障1 说明及佐证材料"] = "县政府〔2024〕12号文件"
    ev = evaluate(passing_table(), df)
    assert item(ev, "government", 1)["note"] == "县政府〔2024〕12号文件"


def test_unknown_county_in_sheet_is_an_error():
    df = pd.concat([sheet(), pd.DataFrame([full_row(year=2025, code="990199", name="别的县")])])
    with pytest.raises(InputError) as ei:
        evaluate(passing_table(), df)
    assert [e.code for e in ei.value.errors] == ["unknown_county"]


# --------------------------------------------------------------------------------------------- province file


def _province_school(code, **over):
    # P = 100: every indicator exactly at the example province's primary standard
    row = school(code, primary_students=100, primary_classes=3, primary_teachers=6, primary_qualified_teachers=3,
                 primary_titled_teachers=2, teaching_area=400.0, sports_ground_area=700.0, equipment_value=100000.0,
                 computers=10, books=2500)
    row.update(over)
    return row


def test_province_example_school_rule_hand_computed():
    std = load_standard("province-example")
    assert std.school_rule.min_met == 6 and std.school_rule.floor_ratio == 0.8 and len(std.indicators) <= 10
    a = assess(table(
        _province_school("1"),                                   # 8 of 8 met -> passes
        _province_school("2", books=2100, computers=9),          # books 21/25 = 84 %, computers 9/10 = 90 %: 6 met, ≥ 80 % -> passes
        _province_school("3", books=1900),                       # 7 met but books 19/25 = 76 % < 80 % -> fails
        _province_school("4", books=2100, computers=9, equipment_value=90000.0),  # 5 met < 6 -> fails
    ), std)
    sr = a.school_results.set_index("school_code")
    assert sr["indicators_met"].tolist() == [8, 6, 7, 5]
    assert sr["school_passed"].tolist() == [True, True, False, False]
    assert sr["min_ratio"].iloc[1] == pytest.approx(0.84) and sr["min_ratio"].iloc[2] == pytest.approx(0.76)
    v = a.verdicts.iloc[0]
    assert not v["passed"] and any("2 个学段单位未达到" in s for s in v["failing_items"])


def test_province_example_resource_area_in_the_evaluation():
    ev = evaluate(table(_province_school("1"), _province_school("3", books=1900)), sheet(), "province-example")
    r = item(ev, "resource", 1)
    assert r["item"] == "小学学段单位达到学校标准" and r["value"] == "1/2" and r["passed"] == False  # noqa: E712
    assert "8 项指标中至少 6 项" in r["rule"]
    assert any(x.endswith("综合差异系数") and "差异系数差异系数" not in x for x in ev.items[ev.items.area == "resource"]["item"])


# --------------------------------------------------------------------------------------------- relaxations


def test_relaxations_apply_only_to_old_schools():
    rows = frame(
        # built 2010 (< 2016): music room 80 ㎡ < 96 nationally but ≥ 72 under the example relaxation
        p_school("1", 480, 12, 建成年份=2010, **{**ROOMS, "最小音乐专用教室面积(㎡)": 80}),
        # built 2018: no relaxation, 80 < 96 fails
        p_school("2", 480, 12, 建成年份=2018, **{**ROOMS, "最小音乐专用教室面积(㎡)": 80}),
        # built 2005 (< 2010): 2400 pupils ≤ relaxed cap 2500
        p_school("3", 2400, 54, 建成年份=2005, **ROOMS),
        # no build year: never relaxed: 2400 > 2000
        p_school("4", 2400, 54, 建成年份=None, **ROOMS),
    )
    national = evaluate(rows, sheet())
    assert [bool(school_item(national, c, 3)["passed"]) for c in "12"] == [False, False]
    assert [bool(school_item(national, c, 4)["passed"]) for c in "34"] == [False, False]
    province = evaluate(rows, sheet(), "province-example")
    assert [bool(school_item(province, c, 3)["passed"]) for c in "12"] == [True, False]
    assert [bool(school_item(province, c, 4)["passed"]) for c in "34"] == [True, False]
    assert school_item(province, "3", 4)["limit"] == 2500
    assert "2016年前建成学校音乐美术专用教室面积放宽" in school_item(province, "1", 3)["relaxation"]
    assert "2010年前建成学校规模上限放宽" in school_item(province, "3", 4)["relaxation"]
    assert school_item(province, "2", 3)["relaxation"] == ""
    # school 3 (built 2005) gets both relaxations, but item 3 lists only the room one
    assert school_item(province, "3", 3)["relaxation"] == "2016年前建成学校音乐美术专用教室面积放宽"


def test_disabled_relaxation_and_evaluation_settings(tmp_path):
    text = open(load_standard("quality-2017").source, encoding="utf-8").read()
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("id: quality-2017", "id: p") + """
evaluation_settings: {recognition_min: 90, class_size_primary: 40}
relaxations:
  - name: 已关闭的放宽
    enabled: false
    when: {built_before: 2100}
    settings: {music_room_min_area: 10}
""", encoding="utf-8")
    std = load_standard(path)
    rows = frame(p_school("1", 410, 10, 建成年份=2000, 小学最大班额=42, **{**ROOMS, "最小音乐专用教室面积(㎡)": 80}))
    ev = evaluate(rows, sheet(recognition_rate=88), std)
    assert not school_item(ev, "1", 3)["passed"]           # the relaxation is off
    assert not school_item(ev, "1", 5, "小学")["passed"]     # 42 > 40
    r = item(ev, "recognition", 1)
    assert r["passed"] == False and r["rule"] == "≥ 90 %"  # noqa: E712
    settings, applied = school_settings(table(p_school("1", 410, 10)), std)
    assert settings.iloc[0]["class_size_primary"] == 40 and applied.iloc[0] == ""


def test_bad_relaxation_setting_is_refused(tmp_path):
    path = tmp_path / "p.yaml"
    text = open(load_standard("quality-2017").source, encoding="utf-8").read()
    path.write_text(text + "\nrelaxations:\n  - {name: x, settings: {recognition_min: 80}}\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_standard(path)
    assert "recognition_min" in ei.value.errors[0].problem_en


# --------------------------------------------------------------------------------------------- outputs and CLI


def test_write_evaluation_json_and_workbook(tmp_path):
    ev = evaluate(passing_table(), sheet(g6_small_school_funding="否"))
    paths = write_evaluation(ev, tmp_path / "out")
    assert sorted(p.name for p in paths) == ["evaluation.json", "evaluation.xlsx"]
    data = json.loads((tmp_path / "out" / "evaluation.json").read_text(encoding="utf-8"))
    c = data["counties"][0]
    assert list(c)[:6] == ["year", "county_code", "county_name", "verdict", "passed", "failing_items"]
    assert c["verdict"] == "未达到" and c["failing_items"][0].startswith("政府保障程度第6项")
    assert set(c["areas"]) == {"resource", "government", "quality", "recognition", "veto"}
    g3 = c["areas"]["government"]["items"][2]
    assert g3["source"] == "学校数据" and g3["passed"] is True
    xl = pd.ExcelFile(tmp_path / "out" / "evaluation.xlsx", engine="openpyxl")
    assert xl.sheet_names[:4] == ["说明", "评估结论", "未达标事项", "逐项结果"]  # 说明 first: what each sheet holds
    top = pd.read_excel(xl, sheet_name="评估结论")
    assert top.loc[0, "结论"] == "未达到" and top.loc[0, "政府保障程度"] == "未达标"
    assert not list((tmp_path / "out").glob(".balance-tmp-*"))


def test_cli_template_and_evaluate(tmp_path):
    from balance.cli import main

    tpl = tmp_path / "county.xlsx"
    assert main(["template", "county-sheet", str(tpl)]) == 0
    assert tpl.is_file()
    schools = passing_table()
    src = tmp_path / "schools.csv"
    schools.drop(columns="source_row").to_csv(src, index=False, encoding="utf-8-sig")
    cs = tmp_path / "sheet.xlsx"
    sheet().to_excel(cs, index=False)
    out = tmp_path / "out"
    assert main(["evaluate", str(src), "--county-sheet", str(cs), "--out", str(out)]) == 0
    data = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    c = data["counties"][0]
    assert c["verdict"] == "达到", c["failing_items"]
    assert c["areas"]["government"]["items"][4]["source"] == "学校数据"  # item 5 from the CSV's 小学最大班额
    # a bad sheet: exit 2, nothing written
    bad = tmp_path / "bad.xlsx"
    sheet(g1_layout="yes").to_excel(bad, index=False)
    out2 = tmp_path / "out2"
    assert main(["evaluate", str(src), "--county-sheet", str(bad), "--out", str(out2)]) == 2
    assert not (out2 / "evaluation.json").exists()


def test_template_offers_both_forms_from_one_table():
    """``balance template`` lists its forms in one static table, and the writers' table agrees."""
    from balance.cli import build_parser
    from balance.cli.data import FORMS as CLI_FORMS
    from balance.io.templates import FORMS

    assert list(CLI_FORMS) == list(FORMS) == ["school-table", "county-sheet"]
    assert {k: v[0] for k, v in CLI_FORMS.items()} == {k: f.help for k, f in FORMS.items()}
    p = build_parser()
    assert p.parse_args(["template", "county-sheet", "x.xlsx"]).file == "x.xlsx"
    assert p.parse_args(["template", "school-table", "y.xlsx"]).file == "y.xlsx"



def test_cli_evaluate_console_names_the_four_areas(tmp_path, capsys):
    """issue 12 trap 5: a four-area run used to print "评估标准: …资源配置" (the resource standard only)."""
    from balance.cli import main

    src = tmp_path / "schools.csv"
    passing_table().drop(columns="source_row").to_csv(src, index=False, encoding="utf-8-sig")
    cs = tmp_path / "sheet.xlsx"
    sheet().to_excel(cs, index=False)
    assert main(["evaluate", str(src), "--county-sheet", str(cs), "--out", str(tmp_path / "out")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert all(a in first for a in ("资源配置", "政府保障程度", "教育质量", "社会认可度")), first
    assert not first.rstrip().endswith("资源配置")


def test_cli_validate_counts_read_as_words(tmp_path, capsys):
    """issue 12 trap 5: "1 counties" on the console."""
    from balance.cli import main

    src = tmp_path / "schools.csv"
    passing_table().drop(columns="source_row").to_csv(src, index=False, encoding="utf-8-sig")
    assert main(["validate", str(src)]) == 0
    out = capsys.readouterr().out
    assert "1 county," in out and "1 counties" not in out
