"""The plan's item records (``balance.analysis.planner.records``) by hand: the stage total that
follows added subset teachers, and a standard whose indicator counts the full-time teachers.

A mutation run (mutmut, issue 10, round 5) found that no test looked at the ``field`` and
``indicator`` of the ``teacher_total`` rows of ``plan.csv``, nor planned under a standard with an
indicator on the total of full-time teachers (a province's 师生比), whose additions are that total.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.analysis.planner import plan
from balance.analysis.planner.costs import PLAN_COLUMNS
from balance.method.standards import load_standard
from tests.factories import primary, table

QUALITY = Path(__file__).resolve().parents[3] / "balance" / "data" / "standards" / "quality-2017.yaml"


def test_added_subset_teachers_give_one_stage_total_row_of_their_sum():
    """School 1 (100 pupils) has 3 qualified and 0 PE/art teachers: 0 < 0.85 × 0.9 and
    3 < 0.85 × 4.2 = 3.57, both must rise; the plan adds one of each (4 ≥ 3.57 may stay below 4.2,
    the rule's one exemption). The full-time total of 小学 rises by 1 + 1 = 2: one row, field
    ``teachers``, no indicator of its own, no cost (the subset rows carry it)."""
    p = plan(table(primary("1", 100, qualified=3, pe_art=0), primary("2", 100)))
    it = p.items
    adds = it[it["kind"] == "add"]
    assert sorted(adds["field"]) == ["pe_art_teachers", "qualified_teachers"]
    assert adds["amount"].tolist() == [1, 1]
    tot = it[it["kind"] == "teacher_total"]
    assert len(tot) == 1
    row = tot.iloc[0]
    assert (row["school_code"], row["column"], row["field"], row["indicator"]) == \
        ("9999999991", "小学专任教师数", "teachers", "")
    assert (row["amount"], row["unit_cost"], row["cost"]) == (2, 0, 0)
    assert p.planned["primary_teachers"].tolist() == [10 + 2, 10]


def test_teachers_added_to_the_full_time_total_are_not_counted_twice(tmp_path):
    """quality-2017 with its PE/art indicator counting all full-time teachers instead (0.9 per 100
    pupils, CV ≤ 0.50). Teachers 0 and 10 per 100 pupils in two schools of 100: with u added at
    school 1, X = (u + 10)/2 and CV = (10 − u)/(10 + u) ≤ 0.5 ⇔ u ≥ 10/3, so 4 teachers. They are
    the stage total itself: no ``teacher_total`` row, and the planned total is 4, not 8."""
    f = tmp_path / "teachers.yaml"
    f.write_text(QUALITY.read_text(encoding="utf-8").replace("numerator: {pe_art_teachers: 1}",
                                                             "numerator: {teachers: 1}"), encoding="utf-8")
    std = load_standard(f)
    for method in ("optimal", "waterfill"):
        p = plan(table(primary("1", 100, teachers=0, pe_art=0), primary("2", 100)), std, method=method)
        it = p.items
        assert p.feasible
        assert it[["school_code", "field", "kind", "amount"]].values.tolist() == [["9999999991", "teachers", "add", 4]]
        assert p.planned["primary_teachers"].tolist() == [4, 10]


# Round 6 (mutmut, the part of ``_finish_records`` and ``_items_frame`` round 5 did not reach).

def test_the_stage_totals_of_a_rotation_name_no_counterpart():
    """PE/art teachers 0, 1, 2 per 100 pupils in three schools of 100 (the optimiser's rotation of
    test_optimal_model_edges.py): school 1 takes one from school 3. The moves name each other's
    school; the two stage-total rows that follow them (+1 at school 1, −1 at school 3) are
    bookkeeping and name nobody."""
    t = table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1), primary("3", 100, pe_art=2))
    it = plan(t, transfers=True).items
    rows = sorted(zip(it["school_code"], it["kind"], it["amount"], it["counterpart"]))
    assert rows == [("9999999991", "teacher_total", 1, ""), ("9999999991", "transfer_in", 1, "9999999993"),
                    ("9999999993", "teacher_total", -1, ""), ("9999999993", "transfer_out", -1, "9999999991")]


def test_a_facility_addition_below_one_unit_costs_its_share():
    """School 1 has 449.6 ㎡ of teaching area for 100 pupils (4.496 < 4.5 ㎡) and 7 ㎡ of ground per
    pupil (< 7.5, above the floor 0.85 × 7.5): 5 of 7 standards met, 6 needed. The cheapest is
    0.4 ㎡ of teaching area (resolution 0.1 ㎡ in this costs file) at 3 500 元/㎡ = 1 400 元, not
    the price of a whole square metre."""
    t = table(primary("1", 100, teaching_area=449.6, ground=700.0), primary("2", 100))
    for method in ("optimal", "waterfill"):
        p = plan(t, costs={"resolution": {"teaching_area": 0.1}}, method=method)
        assert p.feasible
        assert p.items[["field", "amount", "unit_cost", "cost"]].values.tolist() == \
            [["teaching_area", pytest.approx(0.4), 3500, pytest.approx(1400)]]
        assert p.total_cost == pytest.approx(1400)


def test_a_county_that_needs_nothing_has_an_empty_plan_with_every_column():
    """Both schools meet every standard: no item, but ``plan.csv`` keeps its header."""
    p = plan(table(primary("1", 100), primary("2", 100)))
    assert p.feasible and p.items.empty
    assert list(p.items.columns) == PLAN_COLUMNS


# Round 7 (mutmut round 6 survivors of ``_items_frame`` and ``_unit_of``): the plan rows of
# hand-built records, called directly.

def _records(rows):
    import pandas as pd

    cols = ["_row", "column_field", "field", "indicator", "stage", "kind", "amount", "unit_cost", "cost", "counterpart"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def _schools():
    from tests.factories import school

    return table(school("1", school_name="甲校"), school("2", school_name="乙校"), school("3", school_name="丙校"))


def test_items_frame_orders_kinds_then_columns_and_joins_counterparts():
    """School 2 (row 1) receives a backbone teacher from schools 1 and 3 (one row, 2 teachers,
    counterparts joined in code order), gives a PE/art teacher to school 3, and has two additions:
    PE/art teachers (0.9999999 → 1, whole units) and 10.5 ㎡ of teaching rooms (kept). Rows of a
    school follow the kinds' order add → transfer_in → transfer_out → teacher_total, then the column
    (so the area, 教…, after the PE/art 体…, although that order is not the columns' own); a row of
    amount 0 is left out. Additions name no counterpart (""). Units and Chinese kind names by field."""
    from balance.analysis.planner.records import _items_frame

    pe, bb, tot = "primary_pe_art_teachers", "primary_backbone_teachers", "primary_teachers"
    rec = _records([
        (1, bb, "backbone_teachers", "骨干", "小学", "transfer_in", 1.0, 20000.0, 20000.0, "9999999991"),
        (1, pe, "pe_art_teachers", "体艺", "小学", "transfer_out", -1.0, 0.0, 0.0, "9999999993"),
        (1, tot, "teachers", "", "小学", "teacher_total", 1.0, 0.0, 0.0, ""),
        (1, "teaching_area", "teaching_area", "用房", "小学", "add", 10.5, 3500.0, 36750.0, None),
        (1, bb, "backbone_teachers", "骨干", "小学", "transfer_in", 1.0, 20000.0, 20000.0, "9999999993"),
        (1, pe, "pe_art_teachers", "体艺", "小学", "add", 0.9999999, 120000.0, 120000.0, ""),
        (2, "multimedia_rooms", "multimedia_rooms", "多媒体", "小学", "add", 0.0, 60000.0, 0.0, ""),
    ])
    out = _items_frame([rec], _schools())
    assert list(out.columns) == PLAN_COLUMNS
    got = [(r.school_code, r.column, r.kind, r.kind_zh, r.amount, r.unit, r.cost, r.counterpart)
           for r in out.itertuples(index=False)]
    from balance.analysis.planner.costs import KIND_ZH

    z = KIND_ZH
    assert got == [
        ("9999999992", "小学体育艺术专任教师数", "add", z["add"], 1.0, "人", 120000.0, ""),
        ("9999999992", "教学及辅助用房面积(㎡)", "add", z["add"], 10.5, "㎡", 36750.0, ""),
        ("9999999992", "小学县级及以上骨干教师数", "transfer_in", z["transfer_in"], 2.0, "人", 40000.0,
         "9999999991、9999999993"),
        ("9999999992", "小学体育艺术专任教师数", "transfer_out", z["transfer_out"], -1.0, "人", 0.0, "9999999993"),
        ("9999999992", "小学专任教师数", "teacher_total", z["teacher_total"], 1.0, "人", 0.0, "")]
    assert out["school_name"].tolist() == ["乙校"] * 5 and out.index.tolist() == list(range(5))


def test_items_frame_without_rotations_names_no_counterpart():
    from balance.analysis.planner.records import _items_frame

    rec = _records([(0, "multimedia_rooms", "multimedia_rooms", "多媒体", "小学", "add", 2.0, 60000.0, 120000.0, None)])
    out = _items_frame([rec], _schools())
    assert out["counterpart"].tolist() == [""] and out["unit"].tolist() == ["间"]


@pytest.mark.parametrize("field, unit", [("teaching_area", "㎡"), ("sports_ground_area", "㎡"),
                                         ("indoor_sports_area", "㎡"), ("equipment_value", "元"),
                                         ("multimedia_rooms", "间"), ("computers", "台"), ("books", "册"),
                                         ("pe_art_teachers", "人"), ("teachers", "人")])
def test_the_unit_of_each_field(field, unit):
    from balance.analysis.planner.records import _unit_of

    assert _unit_of(field) == unit
