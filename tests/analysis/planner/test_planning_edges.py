"""``plan()``'s options, its certificate frame and the school table behind an Assessment: the edges the
mutation run (round 5) found unwatched.

The county is the hand-computed one of ``tests/analysis/test_planner.py::
test_school_rule_uses_the_85_percent_floor_for_the_cheapest_indicator``: three primary schools of
200 pupils, school 1 with 6 qualified teachers → 2 hires of 120 000 元 = 240 000 元 (1 teacher-year).
"""
from __future__ import annotations

import pandas as pd
import pytest

from balance.analysis.planner import plan
from balance.errors import InputError
from balance.method.assessment import assess
from tests.factories import primary, table

CERT_COLUMNS = ["year", "county_code", "county_name", "cost_wan", "lower_bound_wan", "gap", "gap_optimisation",
                "gap_rounding", "solver_status"]


def _county(code="990101", name="测试县"):
    rows = (primary("1", 200, qualified=6), primary("2", 200), primary("3", 200))
    return table(*[dict(r, county_code=code, county_name=name, school_code=code + r["school_code"][6:])
                   for r in rows])


def _two_counties():
    return pd.concat([_county(), _county("990102", "乙县")], ignore_index=True).assign(
        source_row=lambda d: range(2, 2 + len(d)))


def test_certificate_is_one_row_per_county_year_with_cost_bound_gap_and_status():
    # no test called Plan.certificate() (74 mutants "no tests": every column name, 1e4 → other
    # divisors, each c.get(key) renamed, the None test of lower_bound)
    p = plan(_county())
    c = p.counties[0]
    cert = p.certificate()
    assert list(cert.columns) == CERT_COLUMNS and len(cert) == 1
    row = cert.iloc[0]
    assert (row["year"], row["county_code"], row["county_name"]) == (2025, "990101", "测试县")
    assert row["cost_wan"] == 24.0 == c["total_cost"] / 1e4
    assert c["lower_bound"] is not None and row["lower_bound_wan"] == pytest.approx(c["lower_bound"] / 1e4)
    assert 0 < row["lower_bound_wan"] <= 24.0
    for k in ("gap", "gap_optimisation", "gap_rounding", "solver_status"):
        assert c[k] is not None and row[k] == c[k], k
    # the heuristic has no bound: its lower_bound_wan is missing, not 0
    w = plan(_county(), method="waterfill").certificate()
    assert w.iloc[0]["cost_wan"] == 24.0 and w.iloc[0]["lower_bound_wan"] is None


def test_plan_passes_every_option_on_to_the_planner():
    # kills, in plan(): costs dropped / replaced by the defaults (cst = None, load_costs(None), plan_schools(…,
    # None) and without cst), transfers=None / dropped / default True, method dropped, budget_wan=None / dropped
    t = _county()
    assert plan(t).total_cost == 240_000 and plan(t).transfers is False
    assert plan(t, costs={"teacher_years": 2}).total_cost == 480_000  # two years of the two hires
    assert plan(t, transfers=True).transfers is True
    assert plan(t, method="waterfill").method == "waterfill"
    assert plan(t, budget_wan=100).method == "budget"


def test_a_canonical_frame_is_planned_as_it_is_and_keeps_its_columns():
    # kills _canonical's shortcut mutants (all(c not in …), "source_row" not in / renamed: the canonical
    # frame would go to the header reader) and reset_index(drop=False / None) after the county filter
    # (an extra "index" column in the planned table)
    t = _two_counties()
    p = plan(t, county="990102")
    assert list(p.planned.columns) == list(t.columns)
    assert set(p.planned["county_code"]) == {"990102"} and p.total_cost == 240_000


def test_a_county_not_in_a_frame_is_refused_naming_the_frame():
    # kills "<DataFrame>" → "XX<DataFrame>XX" / "<dataframe>" / "<DATAFRAME>", _filter(…, None) and
    # an Assessment's source = None: the problem names where the data came from
    for src in (_county(), assess(_county())):
        with pytest.raises(InputError) as e:
            plan(src, county="990199")
        assert [(x.file, x.column, x.value) for x in e.value.problems] == [("<DataFrame>", "县区代码", "990199")]


def test_an_assessment_without_its_table_is_planned_from_its_file(tmp_path):
    # _schools_of's re-read branch (a file behind an Assessment that kept no table): kills the
    # condition mutants (or / == / renamed "<DataFrame>" / _P(None)), data = None, load_school_table(None),
    # keys = None and the renamed key columns, and the merge's None / dropped keys / renamed on= / how=
    f = tmp_path / "schools.csv"
    _chinese(_two_counties()).to_csv(f, index=False, encoding="utf-8-sig")
    a = assess(str(f), county="990102")
    a.__dict__["_schools"] = None
    p = plan(a)
    assert set(p.planned["county_code"]) == {"990102"} and len(p.planned) == 3 and p.total_cost == 240_000


def test_an_assessment_without_table_or_file_is_refused_bilingually():
    # kills every mutant of the refusal (InputError(None …), Problem fields None / dropped / renamed, the
    # summary texts None / dropped / renamed)
    a = assess(_county())
    a.__dict__["_schools"] = None
    with pytest.raises(InputError) as e:
        plan(a)
    (pr,) = e.value.problems
    assert (pr.file, pr.code) == ("<DataFrame>", "plan_needs_table")
    assert pr.problem_zh == "该评估结果不是从文件读取的，无法取得学校数据表；请直接传入学校数据表"
    assert pr.problem_en == "this assessment was not read from a file: pass the school table itself"
    assert (e.value.summary_zh, e.value.summary_en) == ("无法规划", "cannot plan")


def _chinese(t: pd.DataFrame) -> pd.DataFrame:
    from balance.analysis.planner import planned_input_frame

    return planned_input_frame(t)



# --- round 7 (mutmut round 6 survivors of planning: the planned table's types, an unknown method,
# the rows of a second county) ---------------------------------------------------------------

def test_typed_gives_the_planned_table_the_inputs_column_types():
    """Counts back to whole numbers (10.9999999 → 11, int64; the optional 音乐专用教室数 nullable
    Int64, missing kept missing), a changed area or money value tidied to 6 decimals, an unchanged
    one left as it is, other columns (the year, planned as float) back to their input type."""
    import numpy as np

    from balance.analysis.planner.planning import _typed

    schools = table(primary("1", 100, music_rooms=None), primary("2", 100, music_rooms=2))
    planned = schools.copy()
    for c in ("primary_teachers", "music_rooms", "teaching_area", "equipment_value", "year"):
        planned[c] = planned[c].astype("float64")
    planned.loc[0, "primary_teachers"] = 10.9999999
    planned.loc[1, "music_rooms"] = 3.0000001
    planned.loc[1, "teaching_area"] = 400.12345678
    planned.loc[1, "equipment_value"] = 250000.0000004
    out = _typed(planned, schools)
    assert out["primary_teachers"].tolist() == [11, 10] and out["primary_teachers"].dtype == "int64"
    assert out["music_rooms"].dtype == "Int64" and out["music_rooms"].isna().tolist() == [True, False]
    assert int(out["music_rooms"].iloc[1]) == 3
    assert out["teaching_area"].tolist() == [500.0, 400.123457] and out["teaching_area"].dtype == "float64"
    assert out["equipment_value"].tolist() == [250000.0, 250000.0]
    assert out["year"].dtype == schools["year"].dtype and out["year"].tolist() == [2025, 2025]
    assert np.array_equal(planned["primary_teachers"].to_numpy()[:1], [10.9999999])  # the input is not changed


def test_an_unknown_method_is_refused_naming_the_two_methods():
    from balance.analysis.planner import plan_schools
    from balance.method.standards import load_standard

    with pytest.raises(ValueError, match="'optimal' or 'waterfill', not 'greedy'"):
        plan_schools(table(primary("1", 100), primary("2", 100, pe_art=0)), load_standard("quality-2017"),
                     method="greedy")


@pytest.mark.parametrize("method", ["optimal", "waterfill"])
def test_each_county_s_items_go_to_its_own_schools(method):
    """Two failing counties: 990101's school 2 lacks a PE/art teacher, 990102's school 4 a multimedia
    room (1 for 100 pupils). Each item is at the school that lacks it (the county's rows, not the
    first county's rows of the same position) and each county passes after the plan."""
    t = table(primary("1", 100), primary("2", 100, pe_art=0),
              primary("3", 100, county_code="990102", county_name="乙县"),
              primary("4", 100, rooms=1, county_code="990102", county_name="乙县"))
    p = plan(t, method=method)
    adds = p.items[p.items["kind"] == "add"]
    assert sorted(zip(adds["county_code"], adds["school_code"], adds["field"])) == [
        ("990101", "9999999992", "pe_art_teachers"), ("990102", "9999999994", "multimedia_rooms")]
    assert p.feasible and p.planned["multimedia_rooms"].tolist() == [3, 3, 3, 1 + 1]


def test_more_failing_counties_than_rounds_are_all_planned_in_the_first():
    """Nine county-years (more than the 8 rounds, ``MAX_ROUNDS``) each a PE/art teacher short: all are
    planned in the first round (one county per round would leave the ninth failing)."""
    from balance.analysis.planner.costs import MAX_ROUNDS

    rows = []
    for k in range(MAX_ROUNDS + 1):
        cc = f"9901{k + 10}"
        rows += [primary(f"{k}1", 100, county_code=cc), primary(f"{k}2", 100, pe_art=0, county_code=cc)]
    p = plan(table(*rows))
    assert p.feasible and len(p.counties) == MAX_ROUNDS + 1
    assert [c["total_cost"] for c in p.counties] == [120_000.0] * (MAX_ROUNDS + 1)


@pytest.mark.parametrize("method", ["waterfill", "optimal"])
def test_a_failing_county_without_sections_in_scope_does_not_stop_the_next(method):
    """County 990101 has only a 特殊教育学校 (out of scope: no section, so no verdict and it counts as
    failing, and nothing can be planned for it); 990102, after it in code order, is one PE/art
    teacher short at school 5 and is planned all the same (120 000 元). The note names 990101."""
    from balance.analysis.planner import plan_schools
    from balance.method.standards import load_standard

    t = table(primary("1", 100, school_type="特殊教育学校"),
              primary("5", 100, pe_art=0, county_code="990102", county_name="乙县"),
              primary("6", 100, county_code="990102", county_name="乙县"))
    p = plan_schools(t, load_standard("quality-2017"), method=method)
    assert p.items[["county_code", "school_code", "field", "amount"]].values.tolist() == [
        ["990102", "9999999995", "pe_art_teachers", 1.0], ["990102", "9999999995", "teachers", 1.0]]
    assert p.total_cost == 120_000 and p.notes == ["2025 990101: 规划后仍未全部达标 / still failing after the plan"]


def test_the_heuristic_s_local_search_runs_by_default_in_the_first_round_only():
    """Three primary schools of 100 pupils (quality-2017: 4.5 ㎡ a pupil, 4.2 qualified teachers per 100,
    CV limit 0.50; 6 of 7 at the standard, the 7th at ≥ 85 %). School 1: 400 ㎡ (4.0, under 4.5, above
    3.825) and 4 qualified teachers (4.0, under 4.2, above 3.57); school 2: 2 000 ㎡ (20.0); school 3:
    500 ㎡ (5.0). The first choice exempts school 1's area (50 ㎡ × 3 500 = 175 000 元 > one teacher,
    120 000 元) and hires a teacher. But the area CV (values 4, 20, 5) is over 0.50 anyway: the water-
    filling lifts schools 1 and 3 to a common L with CV(L, L, 20) = 0.5, i.e. d = 20 − L with
    d·√2 / (60 − 2d) = 0.5, d = 30 / (1 + √2) = 12.426, L = 7.574: 357.4 → 358 ㎡ at school 1 and 257.4
    → 258 ㎡ at school 3 (whole ㎡), 616 × 3 500 = 2 156 000 元. School 1's area is above 4.5 then, so the
    local search (on by default) moves its exemption to the teachers: no hire. Without it: the hire too."""
    from balance.analysis.planner import plan_schools
    from balance.method.standards import load_standard

    t = table(primary("1", 100, qualified=4, teaching_area=400.0), primary("2", 100, teaching_area=2000.0),
              primary("3", 100))
    q = load_standard("quality-2017")
    area = [["9999999991", "teaching_area", 358.0], ["9999999993", "teaching_area", 258.0]]
    p = plan_schools(t, q, method="waterfill")
    assert p.feasible and p.total_cost == 2_156_000
    assert p.items[p.items["kind"] == "add"][["school_code", "field", "amount"]].values.tolist() == area
    p = plan_schools(t, q, method="waterfill", search=False)
    assert p.feasible and p.total_cost == 2_156_000 + 120_000
    assert p.items[p.items["kind"] == "add"][["school_code", "field", "amount"]].values.tolist() == [
        ["9999999991", "qualified_teachers", 1.0], area[0], area[1]]
