"""Fast unit tests of the computed items 3, 4 and 5 (``balance.method.school_items``) on hand-built frames.

``compute_school_items`` is called directly on a few schools (no reader, no county sheet), so the file
runs in about a second and a mutation run can afford it per mutant (round 7, docs/mutation/). Every
expected number is worked by hand from method.md §6 and the national settings of
``evaluation_items.yaml`` (``computed_defaults``): item 3 needs ⌈classes ÷ 12⌉ (at least 1) music and
art rooms, the smallest music room ≥ 96 ㎡ and art room ≥ 90 ㎡; item 4 caps the compulsory pupils at
2000, 2500 for 九年一贯制 / 十二年一贯制; item 5 caps the largest class at 45 (小学) / 50 (初中). The
texts are the ones a reader sees in the evaluation table, written out here in full.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from balance.method.school_items import (
    EVALUATION_COLUMNS,
    _fmt,
    base_settings,
    compute_school_items,
    computed_rule,
    optional_school_columns,
    school_extras,
    school_settings,
)
from balance.method.standards import Relaxation, RelaxationWhen, load_standard

Q = load_standard("quality-2017")
CP = "3000000"  # school codes: CP + 3 digits


def school(code, county, stage_type, *, pc=0, ps=0, jc=0, js=0, year=2025, **extra):
    """One canonical school row: ``pc``/``ps`` primary classes/pupils, ``jc``/``js`` junior; ``extra``:
    optional columns by their canonical name (music_rooms, primary_max_class_size, built_year, …)."""
    row = dict(year=year, county_code=county, county_name=f"县{county[-1]}", school_code=CP + code,
               school_name=f"学校{code}", school_type=stage_type, primary_classes=pc, primary_students=ps,
               junior_classes=jc, junior_students=js)
    row.update(extra)
    return row


def frames(rows, out_of_scope=()):
    """(schools, extras, sections) for ``rows``: every stage with pupils is a section, in scope unless
    its school code ends in one of ``out_of_scope``."""
    schools = pd.DataFrame(rows)
    secs = [dict(year=r["year"], school_code=r["school_code"], stage=st,
                 in_scope=not r["school_code"].endswith(tuple(out_of_scope)) if out_of_scope else True)
            for r in rows for st, k in (("小学", "primary_students"), ("初中", "junior_students")) if r[k] > 0]
    return schools, school_extras(schools), pd.DataFrame(secs)


# A (小学, county 2): 25 classes → ⌈25/12⌉ = 3 rooms needed; art 2 < 3 fails; largest class 46 > 45.
# B (九年一贯制, county 2): 24 + 12 = 36 classes → exactly 3 needed (no rounding up of 36/12 = 3);
#   smallest art room 89 < 90 fails; pupils 1200 + 1100 = 2300 ≤ 2500 (combined cap);
#   小学 largest class 45 ≤ 45 passes, though the average is 1200/24 = 50 > 45 (the data warning);
#   初中 no largest class, 0 oversized classes: passes.
# C (初级中学, county 1, code 005): no room data → item 3 unknown; 10 classes → 1 needed;
#   初中 600/10 = 60 pupils a class > 50 without the largest class: fails.
# D (小学, county 1, code 003): 50 classes → ⌈4.17⌉ = 5 needed; no music room (its area 50 ㎡ then
#   does not count), art 5 rooms of ≥ 90 ㎡; pupils 2100 > 2000 fails; average 42 ≤ 45 → unknown.
# F (初级中学, county 1, code 004): 12 classes → exactly 1 needed, one room each of exactly 96 / 90 ㎡:
#   passes; 500 pupils; 2 classes over 50: fails.
# H (小学, county 2, 2024, code 009): 6 classes, 200 pupils, nothing else: item 3 and 5 unknown.
# E (小学, county 1, code 007): out of scope, so absent from the result.
ROWS = [
    school("001", "110102", "小学", pc=25, ps=1000, music_rooms=3, art_rooms=2, music_room_min_area=100,
           art_room_min_area=95, primary_max_class_size=46),
    school("002", "110102", "九年一贯制学校", pc=24, ps=1200, jc=12, js=1100, music_rooms=3, art_rooms=3,
           music_room_min_area=96, art_room_min_area=89, primary_max_class_size=45, junior_oversized_classes=0),
    school("005", "110101", "初级中学", jc=10, js=600),
    school("003", "110101", "小学", pc=50, ps=2100, music_rooms=0, art_rooms=5, music_room_min_area=50,
           art_room_min_area=90),
    school("004", "110101", "初级中学", jc=12, js=500, music_rooms=1, art_rooms=1, music_room_min_area=96,
           art_room_min_area=90, junior_oversized_classes=2),
    school("009", "110102", "小学", pc=6, ps=200, year=2024),
    school("007", "110101", "小学", pc=6, ps=200, music_rooms=9),
]

NA = pd.NA
N3 = "{c} 个班 ÷ 12，向上取整，需音乐、美术专用教室各 {n} 间"
# (year, county, school code, item, stage, value, limit, passed, detail), in the order of the result:
# year, county, item, stage (school-level, 小学, 初中), school code
EXPECTED = [
    (2024, "110102", "009", 3, "", "音乐 —/1，美术 —/1", "各 ≥ 1 间；音乐 ≥ 96 ㎡，美术 ≥ 90 ㎡", NA,
     N3.format(c=6, n=1) + "；音乐专用教室 —（需 1 间）；美术专用教室 —（需 1 间）；最小音乐教室 —（≥ 96 ㎡）；"
     "最小美术教室 —（≥ 90 ㎡）"),
    (2024, "110102", "009", 4, "", 200.0, 2000.0, True, "义务教育阶段在校生 200 人（上限 ≤ 2000 人）"),
    (2024, "110102", "009", 5, "小学", None, 45.0, NA, "缺少最大班额（平均班额 33.3 人）"),
    (2025, "110101", "003", 3, "", "音乐 0/5，美术 5/5", "各 ≥ 5 间；音乐 ≥ 96 ㎡，美术 ≥ 90 ㎡", False,
     "未达到：音乐专用教室 0 间（需 5 间）（" + N3.format(c=50, n=5) + "）"),
    (2025, "110101", "004", 3, "", "音乐 1/1，美术 1/1", "各 ≥ 1 间；音乐 ≥ 96 ㎡，美术 ≥ 90 ㎡", True,
     N3.format(c=12, n=1) + "；音乐专用教室 1 间（需 1 间）；美术专用教室 1 间（需 1 间）；最小音乐教室 96 ㎡（≥ 96 ㎡）；"
     "最小美术教室 90 ㎡（≥ 90 ㎡）"),
    (2025, "110101", "005", 3, "", "音乐 —/1，美术 —/1", "各 ≥ 1 间；音乐 ≥ 96 ㎡，美术 ≥ 90 ㎡", NA,
     N3.format(c=10, n=1) + "；音乐专用教室 —（需 1 间）；美术专用教室 —（需 1 间）；最小音乐教室 —（≥ 96 ㎡）；"
     "最小美术教室 —（≥ 90 ㎡）"),
    (2025, "110101", "003", 4, "", 2100.0, 2000.0, False, "义务教育阶段在校生 2100 人（上限 ≤ 2000 人）"),
    (2025, "110101", "004", 4, "", 500.0, 2000.0, True, "义务教育阶段在校生 500 人（上限 ≤ 2000 人）"),
    (2025, "110101", "005", 4, "", 600.0, 2000.0, True, "义务教育阶段在校生 600 人（上限 ≤ 2000 人）"),
    (2025, "110101", "003", 5, "小学", None, 45.0, NA, "缺少最大班额（平均班额 42 人）"),
    (2025, "110101", "004", 5, "初中", None, 50.0, False, "超过 50 人的班级 2 个"),
    (2025, "110101", "005", 5, "初中", None, 50.0, False, "平均班额 60.0 人已超过 50 人，必有班级超标"),
    (2025, "110102", "001", 3, "", "音乐 3/3，美术 2/3", "各 ≥ 3 间；音乐 ≥ 96 ㎡，美术 ≥ 90 ㎡", False,
     "未达到：美术专用教室 2 间（需 3 间）（" + N3.format(c=25, n=3) + "）"),
    (2025, "110102", "002", 3, "", "音乐 3/3，美术 3/3", "各 ≥ 3 间；音乐 ≥ 96 ㎡，美术 ≥ 90 ㎡", False,
     "未达到：最小美术教室 89 ㎡（≥ 90 ㎡）（" + N3.format(c=36, n=3) + "）"),
    (2025, "110102", "001", 4, "", 1000.0, 2000.0, True, "义务教育阶段在校生 1000 人（上限 ≤ 2000 人）"),
    (2025, "110102", "002", 4, "", 2300.0, 2500.0, True, "义务教育阶段在校生 2300 人（九年/十二年一贯制 ≤ 2500 人）"),
    (2025, "110102", "001", 5, "小学", 46.0, 45.0, False, "最大班额 46 人（≤ 45）"),
    (2025, "110102", "002", 5, "小学", 45.0, 45.0, True,
     "最大班额 45 人（≤ 45）；注意：最大班额小于平均班额 50.0，数据可能有误"),
    (2025, "110102", "002", 5, "初中", None, 50.0, True, "超过 50 人的班级 0 个"),
]
COLS = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "stage", "item_no",
        "value", "limit", "passed", "relaxation", "detail"]


def _rows(out):
    got = []
    for r in out.itertuples(index=False):
        value = None if isinstance(r.value, float) and math.isnan(r.value) else r.value
        got.append((r.year, r.county_code, r.school_code[-3:], r.item_no, r.stage, value, r.limit, r.passed, r.detail))
    return got


@pytest.fixture  # not module-scoped: a mutation run must see every test that reads the result call the function
def result():
    return compute_school_items(*frames(ROWS, out_of_scope=("007",)), Q)


def test_every_row_of_items_3_4_5_worked_by_hand_in_order(result):
    got = _rows(result)
    assert len(got) == len(EXPECTED)
    for g, e in zip(got, EXPECTED):
        assert g[:5] == e[:5]
        assert g[5:] == e[5:] if e[7] is not NA else (g[5:7] == e[5:7] and g[7] is NA and g[8] == e[8]), (g, e)


def test_the_result_has_its_contract_columns_and_types(result):
    assert list(result.columns) == COLS
    assert str(result["passed"].dtype) == "boolean"
    assert (result["relaxation"] == "").all()
    ident = result[result.school_code == CP + "002"].iloc[0]
    assert (ident.county_name, ident.school_name, ident.school_type) == ("县2", "学校002", "九年一贯制学校")
    assert list(result.index) == list(range(len(result)))


def test_no_schools_or_no_section_in_scope_give_an_empty_table_with_the_columns():
    schools, extras, sections = frames(ROWS[:2])
    empty = compute_school_items(schools.iloc[0:0], extras.iloc[0:0], sections, Q)
    assert list(empty.columns) == COLS and empty.empty
    sections["in_scope"] = False
    none = compute_school_items(schools, extras, sections, Q)
    assert list(none.columns) == COLS and none.empty


def test_the_optional_columns_come_from_extras_not_from_the_school_rows():
    # the school rows say 0 music rooms, the checked optional columns (extras) say 1 of 100 ㎡: 12 classes
    # need 1 room each (⌈12/12⌉), so with the extras the school passes item 3
    rows = [school("001", "110101", "初级中学", jc=12, js=500, music_rooms=1, art_rooms=1, music_room_min_area=100,
                   art_room_min_area=100)]
    schools, extras, sections = frames(rows)
    schools["music_rooms"] = 0
    out = compute_school_items(schools, extras, sections, Q)
    assert bool(out[out.item_no == 3].passed.iloc[0]) is True


def test_a_school_with_only_its_junior_section_in_scope_gets_only_the_junior_class_item():
    rows = [school("002", "110101", "九年一贯制学校", pc=12, ps=500, jc=12, js=600, junior_max_class_size=50,
                   primary_max_class_size=60)]
    schools, extras, sections = frames(rows)
    sections.loc[sections.stage == "小学", "in_scope"] = False
    out = compute_school_items(schools, extras, sections, Q)
    five = out[out.item_no == 5]
    assert list(five.stage) == ["初中"] and bool(five.passed.iloc[0]) is True
    assert list(out.item_no) == [3, 4, 5]


def test_none_classes_still_need_one_room_and_exact_multiples_are_not_rounded_up():
    # 0 classes: max(1, ⌈0⌉) = 1 room; 24 classes: 24/12 = 2 exactly, so 2 rooms pass
    rows = [school("001", "110101", "初级中学", jc=0, js=10, music_rooms=0, art_rooms=1, art_room_min_area=90),
            school("002", "110101", "初级中学", jc=24, js=900, music_rooms=2, art_rooms=2, music_room_min_area=96,
                   art_room_min_area=90)]
    out = compute_school_items(*frames(rows), Q)
    three = out[out.item_no == 3].set_index("school_code")
    assert three.loc[CP + "001", "value"] == "音乐 0/1，美术 1/1"
    assert bool(three.loc[CP + "001", "passed"]) is False
    assert three.loc[CP + "002", "value"] == "音乐 2/2，美术 2/2"
    assert bool(three.loc[CP + "002", "passed"]) is True


RELAXED = Q.model_copy(update={"relaxations": [
    Relaxation(name="旧校舍音乐教室", enabled=True, when=RelaxationWhen(built_before=2016),
               settings={"music_room_min_area": 72.0}),
    Relaxation(name="旧校舍美术教室", enabled=True, when=RelaxationWhen(built_before=2016),
               settings={"art_room_min_area": 67.0}),
    Relaxation(name="老校规模", enabled=True, when=RelaxationWhen(built_before=2010),
               settings={"school_size_cap": 2500.0, "class_size_primary": 40.0}),
]})


def test_each_item_names_only_the_relaxations_touching_its_settings():
    # P (built 2008): all three apply; item 3 names both room relaxations, item 4 and 5 the size one
    # (class_size_primary 40 is stricter than 45, so the 45 stays: a relaxation never tightens).
    # Q (built 2012): the two room relaxations only. R (built 2020): none.
    rows = [school("001", "110101", "小学", pc=12, ps=2400, built_year=2008, music_rooms=1, art_rooms=1,
                   music_room_min_area=80, art_room_min_area=70, primary_max_class_size=44),
            school("002", "110101", "小学", pc=12, ps=400, built_year=2012),
            school("003", "110101", "小学", pc=12, ps=400, built_year=2020)]
    out = compute_school_items(*frames(rows), RELAXED).set_index(["school_code", "item_no"])
    rel = out["relaxation"].to_dict()
    assert rel == {(CP + "001", 3): "旧校舍音乐教室；旧校舍美术教室", (CP + "002", 3): "旧校舍音乐教室；旧校舍美术教室",
                   (CP + "003", 3): "", (CP + "001", 4): "老校规模", (CP + "002", 4): "", (CP + "003", 4): "",
                   (CP + "001", 5): "老校规模", (CP + "002", 5): "", (CP + "003", 5): ""}
    p = out.loc[(CP + "001", 3)]
    assert p["limit"] == "各 ≥ 1 间；音乐 ≥ 72 ㎡，美术 ≥ 67 ㎡" and bool(p["passed"]) is True
    assert out.loc[(CP + "001", 4), "limit"] == 2500.0 and bool(out.loc[(CP + "001", 4), "passed"]) is True
    assert out.loc[(CP + "001", 5), "limit"] == 45.0
    settings, applied = school_settings(pd.DataFrame(rows), RELAXED)
    assert list(applied) == ["旧校舍音乐教室；旧校舍美术教室；老校规模", "旧校舍音乐教室；旧校舍美术教室", ""]
    assert list(settings["school_size_cap"]) == [2500.0, 2000.0, 2000.0]


def test_base_settings_are_the_national_ones_changed_by_the_standard():
    s = base_settings(Q)
    assert (s["classes_per_room"], s["music_room_min_area"], s["school_size_cap_combined"], s["class_size_junior"]) \
        == (12.0, 96.0, 2500.0, 50.0)
    t = base_settings(Q.model_copy(update={"evaluation_settings": {"class_size_junior": 55}}))
    assert t["class_size_junior"] == 55.0 and isinstance(t["class_size_junior"], float)
    assert t["class_size_primary"] == 45.0


def test_computed_rule_texts_name_the_settings_in_force():
    s = base_settings(Q)
    assert computed_rule(3, s) == "每校音乐、美术专用教室各不少于 ⌈班数÷12⌉ 间；音乐教室 ≥ 96 ㎡，美术教室 ≥ 90 ㎡"
    assert computed_rule(4, s) == "义务教育阶段在校生 ≤ 2000 人（九年一贯制、十二年一贯制 ≤ 2500 人）"
    assert computed_rule(5, s) == "每个班级小学 ≤ 45 人、初中 ≤ 50 人"
    assert computed_rule(5, {**s, "class_size_primary": 42.5}, relaxed=True) == \
        "每个班级小学 ≤ 42.5 人、初中 ≤ 50 人（部分学校适用省级放宽规定）"
    assert computed_rule(4, s, True).endswith("人）（部分学校适用省级放宽规定）")


def test_fmt_writes_whole_numbers_plainly_one_decimal_otherwise_and_a_dash_for_missing():
    assert [_fmt(3.0), _fmt(2.5), _fmt(7), _fmt(0.0, " 间"), _fmt(96.25, " ㎡")] == ["3", "2.5", "7", "0 间", "96.2 ㎡"]
    assert [_fmt(None), _fmt(float("nan")), _fmt(np.nan, " 间")] == ["—", "—", "—"]


def test_school_extras_reads_the_optional_columns_as_numbers_and_drops_empty_ones():
    data = pd.DataFrame({"school_code": ["a", "b"], "music_rooms": ["2", None], "art_rooms": [None, None],
                         "built_year": [2001, "x"], "other": [1, 2]}, index=[5, 7])
    ex = school_extras(data)
    assert list(ex.columns) == ["music_rooms", "built_year"]
    assert list(ex.index) == [5, 7] and (ex.dtypes == "float64").all()
    assert ex["music_rooms"].iloc[0] == 2.0 and math.isnan(ex["music_rooms"].iloc[1])
    assert ex["built_year"].iloc[0] == 2001.0 and math.isnan(ex["built_year"].iloc[1])

    class Table:  # the reader's table: its frame is ``.data``
        pass

    t = Table()
    t.data = data
    assert school_extras(t).equals(ex)


def test_the_optional_columns_are_the_evaluation_columns():
    assert sorted(c["name"] for c in optional_school_columns()) == sorted(EVALUATION_COLUMNS)


# round 7 (docs/mutation/round7-method-core.md): the survivors of the first run of this file


def test_rows_keep_their_own_index_when_the_first_school_is_out_of_scope_and_no_optional_column_exists():
    # row 0 is out of scope, so the schools assessed are rows 1 and 2; without any optional column, item 3
    # is unknown and item 5 falls back on the average: 400/10 = 40 ≤ 45 unknown, 220/4 = 55 > 50 fails
    rows = [school("007", "110101", "小学", pc=6, ps=200),
            school("001", "110101", "小学", pc=10, ps=400),
            school("002", "110101", "初级中学", jc=4, js=220)]
    schools, extras, sections = frames(rows, out_of_scope=("007",))
    assert extras.columns.empty
    out = compute_school_items(schools, extras, sections, Q)
    got = [(r.school_code[-3:], r.item_no, r.stage, r.value if r.item_no == 3 else None, r.passed, r.detail)
           for r in out.itertuples() if r.item_no != 4]
    assert got == [
        ("001", 3, "", "音乐 —/1，美术 —/1", NA, N3.format(c=10, n=1) + "；音乐专用教室 —（需 1 间）；"
         "美术专用教室 —（需 1 间）；最小音乐教室 —（≥ 96 ㎡）；最小美术教室 —（≥ 90 ㎡）"),
        ("002", 3, "", "音乐 —/1，美术 —/1", NA, N3.format(c=4, n=1) + "；音乐专用教室 —（需 1 间）；"
         "美术专用教室 —（需 1 间）；最小音乐教室 —（≥ 96 ㎡）；最小美术教室 —（≥ 90 ㎡）"),
        ("001", 5, "小学", None, NA, "缺少最大班额（平均班额 40 人）"),
        ("002", 5, "初中", None, False, "平均班额 55.0 人已超过 50 人，必有班级超标"),
    ]
    assert list(out[out.item_no == 4].passed) == [True, True]


def test_item5_rows_put_every_primary_section_before_the_junior_ones():
    # school 001 (九年一贯制) has both sections, 002 only a 小学: 小学 001, 小学 002, then 初中 001
    rows = [school("001", "110101", "九年一贯制学校", pc=6, ps=200, jc=3, js=120),
            school("002", "110101", "小学", pc=6, ps=200)]
    out = compute_school_items(*frames(rows), Q)
    five = out[out.item_no == 5]
    assert [(c[-3:], s) for c, s in zip(five.school_code, five.stage)] == [("001", "小学"), ("002", "小学"),
                                                                           ("001", "初中")]


def test_item3_checks_each_room_and_area_and_an_area_counts_only_where_there_is_a_room():
    # 12 classes: 1 room of each needed; areas ≥ 96 ㎡ (music) and ≥ 90 ㎡ (art)
    rows = [school("001", "110101", "小学", pc=12, ps=400, music_rooms=1, art_rooms=0, music_room_min_area=100,
                   art_room_min_area=30),  # no art room: fails on the count only, its 30 ㎡ does not count
            school("002", "110101", "小学", pc=12, ps=400, music_rooms=1, art_rooms=1, music_room_min_area=100,
                   art_room_min_area=60),  # one art room of 60 ㎡ < 90: fails on the area
            school("003", "110101", "小学", pc=12, ps=400, music_rooms=1, art_rooms=1, music_room_min_area=80,
                   art_room_min_area=95),  # music room 80 ㎡ < 96: fails on the area alone
            school("004", "110101", "小学", pc=12, ps=400, music_rooms=0, art_rooms=0)]  # two failures
    out = compute_school_items(*frames(rows), Q)
    three = out[out.item_no == 3]
    need = "（" + N3.format(c=12, n=1) + "）"
    assert list(three.passed) == [False, False, False, False]
    assert list(three.detail) == [
        "未达到：美术专用教室 0 间（需 1 间）" + need,
        "未达到：最小美术教室 60 ㎡（≥ 90 ㎡）" + need,
        "未达到：最小音乐教室 80 ㎡（≥ 96 ㎡）" + need,
        "未达到：音乐专用教室 0 间（需 1 间）；美术专用教室 0 间（需 1 间）" + need,
    ]


def test_item5_average_needs_classes_and_the_warning_needs_a_largest_class_below_the_average():
    # 001: 30 pupils, 0 classes: no average, unknown. 002: one class of 60 > 45: fails by the average.
    # 003: largest 45 = average 450/10: no warning. 004: largest 45 < average 455/10 = 45.5: warning.
    rows = [school("001", "110101", "小学", pc=0, ps=30),
            school("002", "110101", "小学", pc=1, ps=60),
            school("003", "110101", "小学", pc=10, ps=450, primary_max_class_size=45),
            school("004", "110101", "小学", pc=10, ps=455, primary_max_class_size=45)]
    out = compute_school_items(*frames(rows), Q)
    five = out[out.item_no == 5]
    assert ["NA" if p is NA else bool(p) for p in five.passed] == ["NA", False, True, True]
    assert list(five.detail) == [
        "缺少最大班额（平均班额 — 人）",
        "平均班额 60.0 人已超过 45 人，必有班级超标",
        "最大班额 45 人（≤ 45）",
        "最大班额 45 人（≤ 45）；注意：最大班额小于平均班额 45.5，数据可能有误",
    ]


def test_school_extras_keeps_the_index_without_optional_columns_and_makes_whole_numbers_float():
    data = pd.DataFrame({"school_code": ["a", "b"]}, index=[5, 7])
    ex = school_extras(data)
    assert ex.columns.empty and list(ex.index) == [5, 7]
    ints = school_extras(pd.DataFrame({"music_rooms": [2, 3]}, index=[5, 7]))
    assert str(ints["music_rooms"].dtype) == "float64"
