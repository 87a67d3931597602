"""``schedule_plan``'s refusals by hand: which option, its code and message in both languages.

A mutation run (mutmut, issue 10, round 5) found that the tests only saw an InputError raised for
a target year not after the data and for an annual cap of 0, never its fields.
"""
from __future__ import annotations

import math

import pytest

from balance.analysis.planner.schedule import schedule_plan
from balance.errors import InputError
from tests.factories import primary, table


def _refusal(**kw):
    with pytest.raises(InputError) as e:
        schedule_plan(table(primary("1", 100), primary("2", 100, pe_art=0)), **kw)
    assert (e.value.summary_zh, e.value.summary_en) == ("排期参数有误", "invalid schedule options")
    (p,) = e.value.problems
    return p


@pytest.mark.parametrize("cap", [0, -3.0, math.nan, math.inf, "30"])
def test_an_annual_cap_not_a_finite_number_above_zero_is_refused(cap):
    p = _refusal(target_year=2027, annual_cap_wan=cap)
    assert (p.file, p.column, p.code) == ("--annual-cap", "--annual-cap", "schedule_invalid")
    assert p.problem_zh == "年度预算上限必须是大于0的数字（万元）"
    assert p.problem_en == "the annual cap must be a number > 0 (万元)"


@pytest.mark.parametrize("target", [2025, 2024])
def test_a_target_year_not_after_the_data_year_is_refused_naming_that_year(target):
    p = _refusal(target_year=target)
    assert (p.file, p.column, p.code) == ("--target-year", "--target-year", "schedule_invalid")
    assert p.problem_zh == "目标年份必须晚于数据年份 2025"
    assert p.problem_en == "the target year must be after the data year 2025"


def test_a_school_without_a_target_year_row_keeps_its_base_year_pupils():
    """The data hold 2028 rows (projections) for school 1 only: its 在校生数 become 260, schools 2
    and 3 keep their 100 and 150 of 2025, and the sentence says that two schools had no 2028 row."""
    base = [primary("1", 200), primary("2", 100), primary("3", 150)]
    p, _, _ = schedule_plan(table(*base, primary("1", 260, year=2028)), target_year=2028)
    assert p.planned["primary_students"].tolist() == [260, 100, 150]
    assert p.planned["primary_students"].dtype == table(*base)["primary_students"].dtype  # still whole pupils
    assert set(p.planned["year"]) == {2025}
    assert p.pupil_basis.endswith("；2 所学校没有 2028 年记录，沿用 2025 年在校生数。")


def test_when_every_school_has_a_target_year_row_the_sentence_names_no_missing_school():
    base = [primary("1", 200), primary("2", 100)]
    p, _, _ = schedule_plan(table(*base, primary("1", 260, year=2028), primary("2", 90, year=2028)),
                            target_year=2028)
    assert p.planned["primary_students"].tolist() == [260, 90]
    assert p.pupil_basis == ("按 2028 年的在校生数规划：取自数据中的 2028 年记录（预测数，只用其在校生数，"
                             "用房、设备、教师等沿用 2025 年）。")


def test_a_school_with_two_target_year_rows_takes_the_first():
    """Two 2028 rows for school 1 (260 and 300 pupils): the first is its projection, the plan has
    one row per school (mutmut round 5: ``drop_duplicates(None)`` kept both and the merge grew)."""
    p, _, _ = schedule_plan(table(primary("1", 200), primary("2", 100), primary("1", 260, year=2028),
                                  primary("1", 300, year=2028)), target_year=2028)
    assert p.planned["primary_students"].tolist() == [260, 100]


# --- round 7: the schedule of small plans worked by hand (mutmut round 6 left ~100 schedule mutants
# alive under a selection that only summed the schedule) ---------------------------------------
# costs.yaml: a PE/art teacher 120 000 元, a multimedia room 60 000 元, teaching area 3 500 元/㎡
# (planned in whole ㎡), equipment 1 元 per 元 (planned in 100 元 steps).

from balance.analysis.planner.schedule import SCHEDULE_COLUMNS  # noqa: E402

SHORT = "9999999992"


def _rows(s):
    return [(int(y), bool(b), c, col, k, float(a), float(u), float(x)) for y, b, c, col, k, a, u, x in
            zip(s["spend_year"], s["beyond_target"], s["school_code"], s["column"], s["kind"], s["amount"],
                s["unit_cost"], s["cost"])]


def _teacher_and_room(**kw):
    """School 2 lacks a PE/art teacher and has 1 multimedia room for 100 pupils: one teacher and one
    room (plus the 0-元 stage-total row of the teacher, which is not scheduled)."""
    t = table(primary("1", 100), primary("2", 100, pe_art=0, rooms=1))
    p, s, notes = schedule_plan(t, **kw)
    assert {(c, k): (a, u) for c, k, a, u in zip(p.items["column"], p.items["kind"], p.items["amount"],
                                                 p.items["unit_cost"])} == {
        ("小学体育艺术专任教师数", "add"): (1, 120_000), ("网络多媒体教室数", "add"): (1, 60_000),
        ("小学专任教师数", "teacher_total"): (1, 0)}
    assert list(s.columns) == SCHEDULE_COLUMNS
    return p, s, notes


def test_items_fill_each_year_in_order_and_one_that_does_not_fit_waits_for_the_next():
    """Cap 15 万元 a year, 2026–2028: the teacher (12 万) in 2026 leaves 3 万, too little for the room
    (6 万), which goes to 2027. Nothing beyond the target, no note."""
    _, s, notes = _teacher_and_room(target_year=2028, annual_cap_wan=15)
    assert _rows(s) == [(2026, False, SHORT, "小学体育艺术专任教师数", "add", 1.0, 120_000.0, 120_000.0),
                        (2027, False, SHORT, "网络多媒体教室数", "add", 1.0, 60_000.0, 60_000.0)]
    assert notes == []


def test_a_whole_teacher_above_the_cap_is_never_split_and_waits_beyond_the_target():
    """Cap 6 万元: the room costs exactly the cap (fits in 2026, to the yuan); the teacher (12 万)
    never fits a year and is not split into half a teacher: it is scheduled in 2029, beyond the
    target, and the note says 12.0 万元 do not fit by 2028."""
    _, s, notes = _teacher_and_room(target_year=2028, annual_cap_wan=6)
    assert _rows(s) == [(2029, True, SHORT, "小学体育艺术专任教师数", "add", 1.0, 120_000.0, 120_000.0),
                        (2026, False, SHORT, "网络多媒体教室数", "add", 1.0, 60_000.0, 60_000.0)]
    assert notes == ["2025 990101: 年度上限内到 2028 年无法完成，尚余 12.0 万元 / "
                     "12.0 万元 do not fit under the annual cap by 2028"]


def test_a_cap_one_yuan_short_of_a_room_does_not_buy_it():
    """Cap 5.9999 万元 = 59 999 元 < 60 000 元: neither item fits; both wait until 2028 (target 2027)."""
    _, s, notes = _teacher_and_room(target_year=2027, annual_cap_wan=5.9999)
    assert [(y, b, col) for y, b, _, col, *_ in _rows(s)] == [(2028, True, "小学体育艺术专任教师数"),
                                                             (2028, True, "网络多媒体教室数")]
    assert notes == ["2025 990101: 年度上限内到 2027 年无法完成，尚余 18.0 万元 / "
                     "18.0 万元 do not fit under the annual cap by 2027"]


def test_areas_split_in_whole_square_metres_and_equipment_in_hundreds_of_yuan():
    """School 2 has 300 ㎡ of teaching rooms (83 ㎡ planned), school 3 100 000 元 of equipment (70 000
    元 planned). Cap 10.005 万 = 100 050 元 for 2026–2027: each year 28 ㎡ (100 050 / 3 500 = 28.6, whole
    ㎡: 98 000 元), leaving 2 050 元, of which 2 000 元 of equipment (100-元 steps). What is left, 27 ㎡
    (94 500 元) and 66 000 元 of equipment, is scheduled in 2028: 16.05 万元, printed 16.1."""
    t = table(primary("1", 100), primary("2", 100, teaching_area=300.0), primary("3", 100, equipment=100000.0))
    p, s, notes = schedule_plan(t, target_year=2027, annual_cap_wan=10.005)
    assert p.items[["field", "amount"]].values.tolist() == [["teaching_area", 83.0], ["equipment_value", 70000.0]]
    area, eq = "教学及辅助用房面积(㎡)", "教学仪器设备值(元)"
    assert _rows(s) == [(2026, False, SHORT, area, "add", 28.0, 3500.0, 98_000.0),
                        (2027, False, SHORT, area, "add", 28.0, 3500.0, 98_000.0),
                        (2028, True, SHORT, area, "add", 27.0, 3500.0, 94_500.0),
                        (2026, False, "9999999993", eq, "add", 2000.0, 1.0, 2000.0),
                        (2027, False, "9999999993", eq, "add", 2000.0, 1.0, 2000.0),
                        (2028, True, "9999999993", eq, "add", 66000.0, 1.0, 66000.0)]
    assert notes == ["2025 990101: 年度上限内到 2027 年无法完成，尚余 16.1 万元 / "
                     "16.1 万元 do not fit under the annual cap by 2027"]


def test_without_a_cap_no_year_spends_more_than_its_share():
    """No cap: each year's budget is the total ÷ the number of years (83 ㎡ × 3 500 = 290 500 元 over
    2026–2027: at most 145 250 元 a year)."""
    t = table(primary("1", 100), primary("2", 100, teaching_area=300.0))
    p, s, _ = schedule_plan(t, target_year=2027)
    within = s[~s["beyond_target"]]
    assert set(within["spend_year"]) == {2026, 2027}
    assert (within.groupby("spend_year")["cost"].sum() <= 290_500 / 2 + 1e-6).all()
    assert s["cost"].sum() == pytest.approx(290_500)


def test_counties_are_scheduled_in_code_order_each_with_its_own_note():
    """Table order 990102 (a teacher short) then 990101 (a room short); cap 6 万: 990101's room fits
    in 2026, 990102's teacher does not and only 990102 has a note."""
    t = table(primary("5", 100, pe_art=0, county_code="990102", county_name="乙县"),
              primary("6", 100, county_code="990102", county_name="乙县"),
              primary("1", 100), primary("2", 100, rooms=1))
    _, s, notes = schedule_plan(t, target_year=2027, annual_cap_wan=6)
    assert [(y, b, cc, col) for y, b, cc, col in zip(s["spend_year"], s["beyond_target"], s["county_code"],
                                                      s["column"])] == [
        (2026, False, "990101", "网络多媒体教室数"), (2028, True, "990102", "小学体育艺术专任教师数")]
    assert notes == ["2025 990102: 年度上限内到 2027 年无法完成，尚余 12.0 万元 / "
                     "12.0 万元 do not fit under the annual cap by 2027"]


def test_a_cap_below_one_wan_is_accepted_and_the_costs_given_are_used():
    """A cap of 0.5 万元 is a valid cap (> 0); a PE/art teacher priced at 4 000 元 fits it."""
    t = table(primary("1", 100), primary("2", 100, pe_art=0))
    p, s, notes = schedule_plan(t, target_year=2026, annual_cap_wan=0.5,
                                costs={"items": {"pe_art_teachers": {"cost": 4000}}})
    assert _rows(s) == [(2026, False, SHORT, "小学体育艺术专任教师数", "add", 1.0, 4000.0, 4000.0)]
    assert notes == [] and "index" not in p.planned.columns


def test_an_assessment_is_scheduled_like_its_table():
    from balance.method.assessment import assess

    t = table(primary("1", 100), primary("2", 100, pe_art=0))
    _, s, _ = schedule_plan(assess(t), target_year=2026, annual_cap_wan=20)
    assert _rows(s) == [(2026, False, SHORT, "小学体育艺术专任教师数", "add", 1.0, 120_000.0, 120_000.0)]


def test_a_base_year_not_in_the_data_is_refused():
    with pytest.raises(InputError) as e:
        schedule_plan(table(primary("1", 100), primary("2", 100, pe_art=0)), target_year=2028, year=2024)
    assert "2024" in e.value.problems[0].problem_en and e.value.problems[0].file == "<DataFrame>"


def test_a_county_not_in_the_data_is_refused_naming_the_frame():
    with pytest.raises(InputError) as e:
        schedule_plan(table(primary("1", 100), primary("2", 100, pe_art=0)), target_year=2028, county="990199")
    assert [(x.file, x.value) for x in e.value.problems] == [("<DataFrame>", "990199")]


def test_the_trend_sentence_names_each_county_stage_and_its_rate():
    """2024 → 2025: the 小学 grows 100 → 105 pupils (+5.0 % a year), the 初中 falls 200 → 190 (−5.0 %).
    To 2027 (two years): 105 × 1.05² = 115.76 → 116 and 190 × 0.95² = 171.475 → 171, whole pupils."""
    from tests.factories import junior

    t = table(primary("1", 100, year=2024), junior("2", 200, year=2024), primary("1", 105), junior("2", 190))
    p, _, _ = schedule_plan(t, target_year=2027)
    assert p.planned["primary_students"].tolist()[0] == 116 and p.planned["junior_students"].tolist()[1] == 171
    assert p.planned["primary_students"].dtype == t["primary_students"].dtype
    assert p.pupil_basis == ("数据中没有 2027 年的在校生数：按 2024–2025 年各县各学段在校生总数的年均变化率"
                             "（990101 小学 +5.0%，990101 初中 -5.0%；每年最多 ±10%）推算到 2027 年，各校同比例变化。")


def test_the_trend_is_the_average_yearly_rate_and_a_new_stage_keeps_its_pupils():
    """2023 → 2025 (two years): the 小学 grows 400 → 441 pupils, (441/400)^(1/2) − 1 = +5.0 % a year, so
    441 × 1.05² = 486.2 → 486 in 2027; the 初中 has no pupils in 2023 (its school opened later): no rate
    (0 %), its 100 pupils are kept."""
    from tests.factories import junior

    t = table(primary("1", 400, year=2023), primary("1", 441), junior("2", 100))
    p, _, _ = schedule_plan(t, target_year=2027)
    assert p.planned["primary_students"].tolist() == [486, 0] and p.planned["junior_students"].tolist() == [0, 100]
    assert p.pupil_basis == ("数据中没有 2027 年的在校生数：按 2023–2025 年各县各学段在校生总数的年均变化率"
                             "（990101 小学 +5.0%，990101 初中 +0.0%；每年最多 ±10%）推算到 2027 年，各校同比例变化。")


def test_the_trend_sentence_lists_only_the_stages_with_pupils_and_never_the_senior_one():
    """A county of 小学 (400 → 441 pupils over 2023–2025, +5.0 %) whose school also counts 50 高中
    pupils both years: the sentence names the 小学 only (no 初中 without pupils, no 高中)."""
    t = table(primary("1", 400, year=2023, senior_students=50), primary("1", 441, senior_students=50))
    p, _, _ = schedule_plan(t, target_year=2027)
    assert p.pupil_basis == ("数据中没有 2027 年的在校生数：按 2023–2025 年各县各学段在校生总数的年均变化率"
                             "（990101 小学 +5.0%；每年最多 ±10%）推算到 2027 年，各校同比例变化。")


def test_an_empty_table_gives_an_empty_plan_and_schedule_without_a_pupil_sentence():
    """No rows: no data year (the base is None), so no projection, no years, no rows and no note;
    the plan's pupil sentence is empty."""
    t = table(primary("1", 100), primary("2", 100, pe_art=0)).iloc[:0]
    p, s, notes = schedule_plan(t, target_year=2027, annual_cap_wan=10)
    assert len(p.items) == 0 and len(s) == 0 and list(s.columns) == SCHEDULE_COLUMNS
    assert notes == [] and p.pupil_basis == ""


def _standard_with_computers_and_books(tmp_path):
    """quality-2017 with its multimedia-room indicator replaced by two of the province example's:
    computers (10 per 100 小学 pupils, whole 台) and books (25 per pupil, whole 册)."""
    from pathlib import Path

    import balance

    src = (Path(balance.__file__).parent / "data" / "standards" / "quality-2017.yaml").read_text(encoding="utf-8")
    old = src[src.index("  - name: 每百名学生拥有网络多媒体教室数"):src.index("cv_limit:")]
    new = ("  - name: 每百名学生拥有计算机台数\n    short: 计算机\n    numerator: {computers: 1}\n    per: 100\n"
           "    unit: 台/百生\n    add_unit: 台\n    whole_units: true\n    standard: {小学: 10, 初中: 12}\n"
           "  - name: 生均图书册数\n    short: 图书\n    numerator: {books: 1}\n    per: 1\n    unit: 册/生\n"
           "    add_unit: 册\n    whole_units: true\n    standard: {小学: 25, 初中: 35}\n\n")
    f = tmp_path / "computers-books.yaml"
    f.write_text(src.replace(old, new).replace("id: quality-2017", "id: computers-books"), encoding="utf-8")
    return str(f)


def test_computers_and_books_are_scheduled_in_whole_units(tmp_path):
    """School 2 has 5 computers for 100 pupils (standard 10, school floor 85 %: 9 → 4 to buy at 5 000
    元) and school 3 2 000 books (20 a pupil, under 85 % of 25: 2 125 → 125 to buy at 30 元). Cap 1.2 万
    a year for 2026–2027: 12 000 / 5 000 = 2.4 computers, so 2 a year (never 2.4); the 2 000 元 left
    buy 66 books in 2026 (66.7, whole books: 1 980 元) and the other 59 in 2027 (1 770 元)."""
    std = _standard_with_computers_and_books(tmp_path)
    t = table(primary("1", 100, computers=10, books=2500), primary("2", 100, computers=5, books=2500),
              primary("3", 100, computers=10, books=2000))
    p, s, notes = schedule_plan(t, target_year=2027, annual_cap_wan=1.2, standard=std)
    assert p.items[["field", "amount", "unit"]].values.tolist() == [["computers", 4.0, "台"], ["books", 125.0, "册"]]
    assert [(y, b, c, a, x) for y, b, c, _, _, a, _, x in _rows(s)] == [
        (2026, False, SHORT, 2.0, 10_000.0), (2027, False, SHORT, 2.0, 10_000.0),
        (2026, False, "9999999993", 66.0, 1980.0), (2027, False, "9999999993", 59.0, 1770.0)]
    assert notes == []


def test_an_area_without_a_resolution_is_scheduled_to_the_yuan():
    """Resolution 0 for teaching rooms: the area is continuous. School 2 needs 82.5 ㎡ at 3 500 元; a
    cap of 10 万 buys 100 000 / 3 500 = 28.571… ㎡ in each of 2026 and 2027 (not 28 whole ㎡), the
    remaining 82.5 − 2 × 28.571… = 25.357… ㎡ (88 750 元, 8.9 万) waits until 2028."""
    t = table(primary("1", 100), primary("2", 100, teaching_area=300.0))
    p, s, notes = schedule_plan(t, target_year=2027, annual_cap_wan=10, costs={"resolution": {"teaching_area": 0}})
    assert p.items[["field", "amount"]].values.tolist() == [["teaching_area", 82.5]]
    per_year = 100_000 / 3500
    assert [(y, b) for y, b, *_ in _rows(s)] == [(2026, False), (2027, False), (2028, True)]
    assert s["amount"].tolist() == pytest.approx([per_year, per_year, 82.5 - 2 * per_year])
    assert s["cost"].tolist() == pytest.approx([100_000, 100_000, 88_750])
    assert notes == ["2025 990101: 年度上限内到 2027 年无法完成，尚余 8.9 万元 / "
                     "8.9 万元 do not fit under the annual cap by 2027"]


def test_an_item_costing_less_than_one_yuan_is_scheduled_and_noted():
    """A PE/art teacher priced 0.5 元 (any cost > 0 is scheduled) under a cap of 0.4 元 (0.00004 万):
    it never fits, waits until 2027 (target 2026), and the note says so (0.0 万元 when printed)."""
    t = table(primary("1", 100), primary("2", 100, pe_art=0))
    _, s, notes = schedule_plan(t, target_year=2026, annual_cap_wan=0.00004,
                                costs={"items": {"pe_art_teachers": {"cost": 0.5}}})
    assert _rows(s) == [(2027, True, SHORT, "小学体育艺术专任教师数", "add", 1.0, 0.5, 0.5)]
    assert notes == ["2025 990101: 年度上限内到 2026 年无法完成，尚余 0.0 万元 / "
                     "0.0 万元 do not fit under the annual cap by 2026"]


def test_a_stage_of_one_pupil_has_a_trend_like_any_other():
    """2024 → 2025: the 小学 grows 1 → 2 pupils (+100 %, capped at +10 %), the 初中 falls 2 → 1 (−50 %,
    capped at −10 %); a county total of one pupil is a total like any other (rate computed, sentence
    names it). To 2027: 2 × 1.1² = 2.42 → 2 and 1 × 0.9² = 0.81 → 1."""
    from tests.factories import junior

    t = table(primary("1", 1, year=2024), junior("2", 2, year=2024), primary("1", 2), junior("2", 1))
    p, _, _ = schedule_plan(t, target_year=2027)
    assert p.planned[["primary_students", "junior_students"]].values.tolist() == [[2, 0], [0, 1]]
    assert p.pupil_basis == ("数据中没有 2027 年的在校生数：按 2024–2025 年各县各学段在校生总数的年均变化率"
                             "（990101 小学 +10.0%，990101 初中 -10.0%；每年最多 ±10%）推算到 2027 年，各校同比例变化。")
