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

