"""The plan's files (``write_plan``) and CV contributions: the edges the mutation run (round 5) found unwatched.

The plan is the hand-computed one of ``tests/analysis/test_planner.py::
test_school_rule_uses_the_85_percent_floor_for_the_cheapest_indicator``: three primary schools of
200 pupils, school 1 with 6 qualified teachers, 2 hires of 120 000 元 → 240 000 元.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from balance import __version__
from balance.analysis.planner import load_costs, plan_schools, write_plan
from balance.method.standards import load_standard
from tests.factories import junior, primary, table

Q = load_standard("quality-2017")
PAYLOAD_KEYS = ["generator", "standard", "transfers", "feasible", "total_cost", "method", "lower_bound", "gap",
                "costs_illustrative", "costs", "notes", "seconds", "counties"]


def _plan():
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q)
    # a run time with more than 3 decimals and a Chinese note: what the JSON must carry, rounded / in UTF-8
    return dataclasses.replace(p, seconds=1.23456, notes=["990101：规划说明 / a note"])


@pytest.fixture(scope="module")
def a_plan():
    return _plan()


def test_plan_summary_json_carries_every_field_of_the_plan(tmp_path, a_plan):
    # kills every renamed key of the payload ("XXgeneratorXX", "GENERATOR" … 26 mutants) and the
    # rounding of `seconds` (round(…, None) / round(3) / round(…, ) / round(…, 4))
    p = a_plan
    write_plan(p, tmp_path)
    js = json.loads((tmp_path / "plan_summary.json").read_bytes().decode("utf-8"))
    assert list(js) == PAYLOAD_KEYS
    assert js["generator"] == f"balance {__version__}" and js["standard"] == "quality-2017"
    assert js["transfers"] is False and js["feasible"] is True and js["method"] == "optimal"
    assert js["total_cost"] == 240_000 == p.total_cost
    assert js["lower_bound"] == pytest.approx(p.lower_bound) and js["gap"] == pytest.approx(p.gap)
    assert js["costs_illustrative"] is True
    assert js["costs"] == json.loads(json.dumps(load_costs().to_dict()))
    assert js["notes"] == ["990101：规划说明 / a note"]
    assert js["seconds"] == 1.235
    assert len(js["counties"]) == 1 and js["counties"][0]["total_cost"] == 240_000


def test_the_contributions_and_schedule_files_have_their_contract_names(tmp_path, a_plan):
    # kills "cv_contributions.csv" → "XXcv_contributions.csvXX" / upper case, and the same for
    # "plan_schedule.csv" (the names are the command's output contract)
    schedule = pd.DataFrame({"year": [2025], "county_code": ["990101"], "cost": [240_000.0]})
    paths = write_plan(_plan(), tmp_path, schedule=schedule)
    assert sorted(x.name for x in paths) == ["cv_contributions.csv", "plan.csv", "plan_schedule.csv",
                                             "plan_summary.csv", "plan_summary.json", "planned_input.csv"]
    back = pd.read_csv(tmp_path / "plan_schedule.csv", encoding="utf-8-sig", dtype={"county_code": str})
    assert back.to_dict("list") == {"year": [2025], "county_code": ["990101"], "cost": [240_000.0]}
    cv = pd.read_csv(tmp_path / "cv_contributions.csv", encoding="utf-8-sig", nrows=0)
    assert list(cv.columns[:3]) == ["year", "county_code", "county_name"]


def test_plan_summary_json_is_utf8_whatever_the_locale(tmp_path):
    # kills `write_text(json_text(payload), encoding=None)` and the dropped `encoding=`: under a
    # non-UTF-8 locale (POSIX/ASCII with coercion and UTF-8 mode off, as a GBK Windows locale would
    # be) the default encoding fails on, or mis-encodes, the Chinese county name and note
    code = ("import sys; from balance.analysis.planner import write_plan;"
            "from tests.analysis.planner.test_writing_edges import _plan;"
            "write_plan(_plan(), sys.argv[1])")
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0", PYTHONIOENCODING="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-X", "utf8=0", "-c", code, str(out)], env=env, capture_output=True,
                       text=True, encoding="utf-8", cwd=os.getcwd())
    assert r.returncode == 0, r.stderr
    js = json.loads((out / "plan_summary.json").read_bytes().decode("utf-8"))
    assert js["counties"][0]["county_name"] == "测试县" and js["notes"] == ["990101：规划说明 / a note"]


# Round 6 (mutmut): ``cv_contributions`` beyond the one county-year of test_planner.py's hand case.

def _contributions(*rows):
    from balance.analysis.planner import cv_contributions
    from balance.method.assessment import assess_schools

    return cv_contributions(assess_schools(table(*rows), Q))


def test_cv_contributions_of_a_county_without_a_section_in_scope_keep_their_columns():
    # two special-education schools (out of scope): no row, but cv_contributions.csv keeps its header
    c = _contributions(primary("1", 100, school_type="特殊教育学校"), primary("2", 100, school_type="特殊教育学校"))
    assert c.empty
    assert list(c.columns) == CONTRIBUTION_COLUMNS


CONTRIBUTION_COLUMNS = ["year", "county_code", "county_name", "stage", "indicator", "school_code",
                               "school_name", "students", "value", "mean", "side", "contribution", "cumulative",
                               "rank", "cv", "cv_limit", "cv_passed"]


def test_cv_contributions_are_grouped_by_year_county_stage_and_the_standards_order():
    """Two years × two counties × a 小学 and a 初中 pair, listed in the table in the reverse
    order (2025 first, county 990102 first, 初中 first): the rows come by year, county, stage
    (小学 before 初中) and indicator in the standard's order, each group by contribution, largest
    first, the sections without variance (NaN) last. The 小学 shares interleave across indicators
    (qualified teachers 2, 4, 5 per 100 pupils: 2/3, 0, 1/3; teaching area 4.5, 5, 6 ㎡: 0.3, 0.1,
    0.6), so sorting by share alone would mix the indicators."""
    rows = [r for y in (2025, 2024) for cc in ("990102", "990101")
            for r in (junior("3", 100, year=y, county_code=cc), junior("4", 200, year=y, county_code=cc),
                      primary("1", 100, qualified=2, teaching_area=450.0, year=y, county_code=cc),
                      primary("2", 300, qualified=12, year=y, county_code=cc),
                      primary("5", 200, teaching_area=1200.0, year=y, county_code=cc))]
    c = _contributions(*rows)
    runs = [k for k, _ in itertools.groupby(zip(c["year"], c["county_code"], c["stage"], c["indicator"]))]
    assert runs == [(y, cc, s, ind) for y in (2024, 2025) for cc in ("990101", "990102") for s in ("小学", "初中")
                      for ind in Q.indicator_names]
    for _, g in c.groupby(["year", "county_code", "stage", "indicator"], sort=False):
        shares = g["contribution"].dropna().tolist()
        assert shares == sorted(shares, reverse=True)
        assert g["contribution"].isna().tolist() == sorted(g["contribution"].isna().tolist())
        assert g["rank"].tolist() == list(range(1, len(g) + 1))


def test_sections_at_the_county_mean_are_at_it_and_have_no_share():
    # backbone teachers 2 per 100 pupils in both schools (2 of 100, 6 of 300): no variance
    c = _contributions(primary("1", 100, qualified=2), primary("2", 300, qualified=12))
    same = c[c["indicator"] == "每百名学生拥有县级及以上骨干教师数"]
    assert same["side"].tolist() == ["at", "at"] and same["contribution"].isna().all()


def test_a_small_variance_still_has_its_shares():
    """Teaching area 4.5 and 4.505 ㎡ per pupil (100 and 300 pupils): X = 4.50375 ㎡,
    P(x − X)² = 100 × 0.00375² and 300 × 0.00125² (0.00140625 and 0.00046875, a total far
    below 1): shares 0.75 and 0.25, as with large deviations."""
    c = _contributions(primary("1", 100, teaching_area=450.0), primary("2", 300, teaching_area=1351.5))
    ta = c[c["indicator"] == "生均教学及辅助用房面积"]
    assert ta["school_code"].tolist() == ["9999999991", "9999999992"]
    assert ta["contribution"].tolist() == pytest.approx([0.75, 0.25])
    assert ta["side"].tolist() == ["below", "above"]


def test_each_row_carries_its_groups_cv_limit_and_verdict_and_nothing_else():
    from balance.analysis.planner import cv_contributions
    from balance.method.assessment import assess_schools

    a = assess_schools(table(primary("1", 100, qualified=2), primary("2", 300, qualified=12)), Q)
    c = cv_contributions(a)
    assert list(c.columns) == CONTRIBUTION_COLUMNS and list(c.index) == list(range(len(c)))
    ci = a.county_indicators.set_index("indicator")
    for col in ("cv", "cv_limit", "cv_passed"):
        assert c[col].tolist() == ci.loc[c["indicator"], col].tolist()
    q = c[c["indicator"] == "每百名学生拥有高于规定学历教师数"]
    # X = 3.5, pupil-weighted SD = sqrt((225 + 75) / 400): CV = 0.2474 ≤ 0.50
    assert q["cv"].tolist() == pytest.approx([0.75 ** 0.5 / 3.5] * 2)
    assert q["cv_passed"].tolist() == [True, True] and q["cv_limit"].tolist() == [0.5, 0.5]
