"""Edges of the computed items' settings (``balance.method.school_items``) that no other test reached.

Written for the mutmut survivors of round 4 (docs/mutation/round4-method-a.md): a relaxation's
conditions are a conjunction (built before *and* school type *and* urban/rural), ``built_before``
is strict, a disabled or empty relaxation does not stop the ones after it, and the settings keep
the school rows' own index when the table's first row is out of scope. Every expectation is read
off ``evaluation_items.yaml`` (smallest music room ≥ 96 ㎡) and the relaxation written here (72 ㎡).
"""
from __future__ import annotations

from balance.method.evaluation import evaluate
from balance.method.standards import load_standard
from tests.method.test_evaluation import ROOMS, frame, p_school, school_item, sheet

Q = open(load_standard("quality-2017").source, encoding="utf-8").read()
SMALL_MUSIC = {**ROOMS, "最小音乐专用教室面积(㎡)": 80}  # 80 < 96 ㎡ nationally, ≥ 72 ㎡ when relaxed
NAME = "乡村小学旧校舍音乐教室放宽"


def _standard(tmp_path, relaxations: str):
    path = tmp_path / "p.yaml"
    path.write_text(Q.replace("id: quality-2017", "id: p") + "\nrelaxations:\n" + relaxations, encoding="utf-8")
    return load_standard(path)


def _item3(ev, codes):
    return {c: (bool(school_item(ev, c, 3)["passed"]), school_item(ev, c, 3)["relaxation"]) for c in codes}


def test_a_relaxation_selects_only_schools_meeting_every_condition_and_built_strictly_before(tmp_path):
    std = _standard(tmp_path, f"""  - name: {NAME}
    enabled: true
    when: {{built_before: 2016, school_type: [小学], urban_rural: [乡村]}}
    settings: {{music_room_min_area: 72}}
""")
    rows = frame(
        p_school("1", 480, 12, urban_rural="乡村", 建成年份=2010, **SMALL_MUSIC),  # every condition: relaxed
        p_school("2", 480, 12, urban_rural="乡村", 建成年份=2018, **SMALL_MUSIC),  # built too late
        p_school("3", 480, 12, urban_rural="乡村", 建成年份=2010, school_type="教学点", **SMALL_MUSIC),  # not a 小学
        p_school("4", 480, 12, urban_rural="城区", 建成年份=2010, **SMALL_MUSIC),  # not 乡村
        p_school("5", 480, 12, urban_rural="乡村", 建成年份=2016, **SMALL_MUSIC),  # 2016 is not before 2016
    )
    ev = evaluate(rows, sheet(), std)
    assert _item3(ev, "12345") == {"1": (True, NAME), "2": (False, ""), "3": (False, ""), "4": (False, ""),
                                   "5": (False, "")}


def test_a_disabled_relaxation_and_one_selecting_no_school_do_not_stop_the_next(tmp_path):
    std = _standard(tmp_path, f"""  - name: 已关闭
    enabled: false
    when: {{built_before: 2100}}
    settings: {{music_room_min_area: 10}}
  - name: 没有学校适用
    enabled: true
    when: {{built_before: 1900}}
    settings: {{music_room_min_area: 10}}
  - name: {NAME}
    enabled: true
    when: {{built_before: 2016}}
    settings: {{music_room_min_area: 72}}
""")
    ev = evaluate(frame(p_school("1", 480, 12, 建成年份=2010, **SMALL_MUSIC)), sheet(), std)
    assert _item3(ev, "1") == {"1": (True, NAME)}


def test_settings_follow_the_school_rows_when_the_first_row_is_out_of_scope():
    # row 0, a 特殊教育学校, is outside quality-2017's scope: the schools assessed are rows 1 and 2
    rows = frame(
        p_school("0", 480, 12, school_type="特殊教育学校", 建成年份=2010, **SMALL_MUSIC),
        p_school("1", 480, 12, 建成年份=2010, **SMALL_MUSIC),
        p_school("2", 480, 12, 建成年份=2018, **SMALL_MUSIC),
    )
    ev = evaluate(rows, sheet(), "province-example")
    assert set(ev.school_items["school_code"]) == {"9999999991", "9999999992"}
    assert _item3(ev, "12") == {"1": (True, "2016年前建成学校音乐美术专用教室面积放宽"), "2": (False, "")}


# round 6 (docs/mutation/round6-method-core.md): the detail texts of items 4 and 5, which no test read


def test_item4_detail_names_the_pupils_and_the_cap_of_its_school_type():
    """The detail a reader sees for item 4: the compulsory pupils and the cap in force, the combined
    cap (2500, evaluation_items.yaml) named as 九年/十二年一贯制, the plain cap (2000) as 上限. Kills
    the ``detail`` mutants of ``_item4``: ``None``, the renamed column (2), ``_fmt(None)`` for the
    pupils or the cap, the type test ``and False`` / ``or True`` and both texts renamed."""
    nine = p_school("2", 1500, 38, school_type="九年一贯制学校")
    nine.update(junior_students=1000, junior_classes=20, junior_teachers=100, junior_qualified_teachers=60)
    ev = evaluate(frame(p_school("1", 2001, 45), nine), sheet())
    assert school_item(ev, "1", 4)["detail"] == "义务教育阶段在校生 2001 人（上限 ≤ 2000 人）"
    assert school_item(ev, "2", 4)["detail"] == "义务教育阶段在校生 2500 人（九年/十二年一贯制 ≤ 2500 人）"


def test_item5_detail_names_the_largest_class_and_the_limit():
    """With the largest class given, item 5's detail is 最大班额 46 人（≤ 45）(小学 limit 45,
    evaluation_items.yaml). Kills ``_class_detail``'s ``pd.isna(None)`` (the text of a section
    without the largest class), ``d = None`` and ``_fmt(None)`` for the class or the limit."""
    ev = evaluate(frame(p_school("1", 400, 10, 小学最大班额=46)), sheet())
    assert school_item(ev, "1", 5, "小学")["detail"] == "最大班额 46 人（≤ 45）"
