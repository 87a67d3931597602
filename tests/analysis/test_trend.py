"""Movers between years and the on-course rule (balance.analysis.trend) on hand-made tables."""
from types import SimpleNamespace

import pandas as pd
import pytest

from balance.analysis.trend import STATUS_OFF, STATUS_ON, STATUS_PASSED, STATUS_UNKNOWN, movers, on_course


def _assessment(cvs, shares, passed, limit=0.45, school_rule=True):
    """One county 990199: the CV of one decisive indicator per year and the passing share (of 100)."""
    years = sorted(cvs)
    ci = pd.DataFrame({"year": years, "county_code": "990199", "stage": "初中", "indicator": "生均体育运动场馆面积",
                       "cv": [cvs[y] for y in years], "cv_limit": limit, "decisive": True,
                       "cv_passed": [cvs[y] <= limit for y in years]})
    v = pd.DataFrame({"year": years, "county_code": "990199", "county_name": "测试县",
                      "sections": 100, "sections_passed": [round(shares[y] * 100) for y in years],
                      "passed": [passed[y] for y in years]})
    std = SimpleNamespace(school_rule=object() if school_rule else None)
    return SimpleNamespace(verdicts=v, county_indicators=ci, standard=std)


def test_a_falling_cv_that_reaches_its_limit_is_on_course():
    # 0.60, 0.55, 0.50 → the line reaches 0.40 in 2027 (slope -0.05 a year), under 0.45
    a = _assessment({2023: 0.60, 2024: 0.55, 2025: 0.50}, {2023: 1, 2024: 1, 2025: 1}, {2023: 0, 2024: 0, 2025: 0})
    r = on_course(a, 2027).iloc[0]
    assert r.status == STATUS_ON and bool(r.on_course)
    assert "0.400" in r.reasons[0] and "限值 0.45" in r.reasons[0]


def test_a_cv_falling_too_slowly_is_not_on_course():
    # 0.52, 0.51, 0.505 → about 0.49 in 2027: still over 0.45
    a = _assessment({2023: 0.52, 2024: 0.51, 2025: 0.505}, {2023: 1, 2024: 1, 2025: 1}, {2023: 0, 2024: 0, 2025: 0})
    r = on_course(a, 2027).iloc[0]
    assert r.status == STATUS_OFF and not bool(r.on_course)


def test_the_passing_share_must_reach_all_sections():
    ok = _assessment({2024: 0.3, 2025: 0.3}, {2024: 0.6, 2025: 0.8}, {2024: 0, 2025: 0})   # 100 % in 2026
    slow = _assessment({2024: 0.3, 2025: 0.3}, {2024: 0.7, 2025: 0.75}, {2024: 0, 2025: 0})  # 85 % in 2027
    assert on_course(ok, 2027).iloc[0].status == STATUS_ON
    assert on_course(slow, 2027).iloc[0].status == STATUS_OFF


def test_passing_and_single_year_counties():
    done = _assessment({2024: 0.6, 2025: 0.3}, {2024: 0.5, 2025: 1}, {2024: 0, 2025: 1})
    assert on_course(done, 2027).iloc[0].status == STATUS_PASSED
    one = _assessment({2025: 0.6}, {2025: 1}, {2025: 0})
    r = on_course(one, 2027).iloc[0]
    assert r.status == STATUS_UNKNOWN and pd.isna(r.on_course)


def test_movers_by_school_and_stage():
    sr = pd.DataFrame({"year": [2024] * 3 + [2025] * 3, "school_code": ["a", "b", "c"] * 2, "stage": "小学",
                       "school_name": ["甲校", "乙校", "丙校"] * 2, "urban_rural": "乡村",
                       "school_passed": [False, True, True, True, False, True], "indicators_met": [5, 7, 7, 6, 5, 7]})
    m = movers(sr, 2024, 2025)
    assert list(zip(m["change"], m["school_name"])) == [("improved", "甲校"), ("fell_back", "乙校")]
    assert list(m["indicators_met_before"]) == [5, 7] and list(m["indicators_met"]) == [6, 5]


def test_target_year_must_be_after_the_latest_year():
    a = _assessment({2024: 0.6, 2025: 0.5}, {2024: 1, 2025: 1}, {2024: 0, 2025: 0})
    assert on_course(a, 2025).iloc[0].status == STATUS_OFF
    with pytest.raises(TypeError):
        on_course(a, None)
