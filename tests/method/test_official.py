"""The official CV, school rule, verdicts and shortfalls (method.md §§2–5), hand-computed."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance.method.assessment import assess_schools
from balance.method.official import at_least, pupil_weighted_cv
from balance.method.standards import load_standard
from tests.factories import junior, primary, school, table

Q = load_standard("quality-2017")
B = load_standard("basic-2012")
EQUIP = "生均教学仪器设备值"
QUAL = "每百名学生拥有高于规定学历教师数"
ROOMS = "每百名学生拥有网络多媒体教室数"
TEACH = "生均教学及辅助用房面积"
SPORT = "生均体育运动场馆面积"


def ci_row(a, indicator, stage="小学", county="990101"):
    ci = a.county_indicators
    r = ci[(ci.indicator == indicator) & (ci.stage == stage) & (ci.county_code == county)]
    assert len(r) == 1
    return r.iloc[0]


def test_cv_hand_computed_three_schools():
    # equipment per pupil: 100 pupils × 2000 元, 200 × 3000, 100 × 5000 (values in 元/生)
    # X = (100·2000 + 200·3000 + 100·5000)/400 = (200000 + 600000 + 500000)/400 = 3250
    # S² = (100·(2000−3250)² + 200·(3000−3250)² + 100·(5000−3250)²)/400
    #    = (100·1562500 + 200·62500 + 100·3062500)/400 = (156250000 + 12500000 + 306250000)/400 = 1187500
    # CV = sqrt(1187500)/3250 = 1089.7247…/3250 = 0.335300…
    t = table(primary("1", 100, equipment=200_000.0), primary("2", 200, equipment=600_000.0),
              primary("3", 100, equipment=500_000.0))
    a = assess_schools(t, Q)
    r = ci_row(a, EQUIP)
    assert r.value == pytest.approx(3250.0)
    assert r.cv == pytest.approx(math.sqrt(1187500) / 3250, rel=1e-12)
    assert r.cv == pytest.approx(0.3353, abs=5e-5)
    assert bool(r.cv_passed) is True and r.cv_limit == 0.50


def test_cv_is_pupil_weighted_not_unweighted_or_sample():
    # x = (2, 4), P = (100, 300): weighted X = 3.5, S² = 0.75, CV = 0.247436
    # unweighted population: mean 3, sd 1 → 0.3333; sample sd √2 → 0.4714: both wrong
    cv = pupil_weighted_cv([2, 4], [100, 300])
    assert cv == pytest.approx(math.sqrt(0.75) / 3.5)
    assert abs(cv - 1 / 3) > 0.05 and abs(cv - math.sqrt(2) / 3) > 0.05


def test_mean_is_ratio_of_totals_per100():
    # qualified teachers 5 of 100 pupils and 10 of 300: X = 100·(5+10)/(100+300) = 3.75 per 100
    t = table(primary("1", 100, qualified=5), primary("2", 300, qualified=10))
    assert ci_row(assess_schools(t, Q), QUAL).value == pytest.approx(3.75)


def test_cv_can_exceed_one_and_is_not_clipped():
    # x = (0, 10) 元/生 equipment with P = (900, 100): X = 1, S² = (900·1 + 100·81)/1000 = 9, CV = 3
    t = table(primary("1", 900, equipment=0.0), primary("2", 100, equipment=1000.0))
    r = ci_row(assess_schools(t, Q), EQUIP)
    assert r.cv == pytest.approx(3.0)
    assert bool(r.cv_passed) is False


def test_single_section_county_cv_zero():
    t = table(primary("1", 333, equipment=832_500.7), junior("2", 280))  # 2500.0021 元/生; one junior section
    a = assess_schools(t, Q)
    assert (a.county_indicators["cv"] == 0.0).all()
    assert a.verdicts["passed"].iloc[0]


def test_zero_mean_indicator_cv_missing_and_fails():
    t = table(primary("1", 100, equipment=0.0), primary("2", 200, equipment=0.0))
    a = assess_schools(t, Q)
    r = ci_row(a, EQUIP)
    assert np.isnan(r.cv) and bool(r.cv_passed) is False
    assert "mean is 0" in r.cv_note
    v = a.verdicts.iloc[0]
    assert not v.passed
    assert any("无法计算" in s for s in v.failing_items)


def test_school_rule_85_percent_edge():
    # multimedia rooms standard 2.3 per 100; 85 % = 1.955 per 100.
    # 400 pupils: exactly 85 % needs 7.82 rooms (not whole); use 1000 pupils → 19.55 rooms, still not whole.
    # Use teaching area (m², fractional): standard 4.5 ㎡/生 → 85 % = 3.825 ㎡/生.
    # 200 pupils × 3.825 = 765 ㎡ exactly at 85 % → passes (6 met + 1 at 85 %)
    at85 = primary("1", 200, teaching_area=765.0)
    below = primary("2", 200, teaching_area=764.9)  # 3.8245 ㎡/生 < 3.825 → fails
    a = assess_schools(table(at85, below), Q)
    sr = a.school_results.set_index("school_code")
    assert sr.iloc[0]["indicators_met"] == 6 and bool(sr.iloc[0]["school_passed"]) is True
    assert sr.iloc[1]["indicators_met"] == 6 and bool(sr.iloc[1]["school_passed"]) is False
    assert sr.iloc[0]["min_ratio"] == pytest.approx(0.85)


def test_school_rule_two_indicators_missed_fails():
    s = primary("1", 200, teaching_area=890.0, rooms=4)  # 4.45 < 4.5 and 2.0 < 2.3: 5 of 7 met
    a = assess_schools(table(s), Q)
    r = a.school_results.iloc[0]
    assert r["indicators_met"] == 5 and not r["school_passed"]


def test_floating_point_edge_compare():
    # A section at exactly 85 % of 4.2 per 100: 10000 pupils × 3.57/100 = 357 teachers exactly.
    s = primary("1", 10000, qualified=357, teachers=2000)
    r = assess_schools(table(s), Q).school_results.iloc[0]
    assert r["indicators_met"] == 6 and bool(r["school_passed"]) is True
    # binary representation: 0.1 + 0.2 = 0.30000000000000004 > 0.3, yet 0.3 reaches it
    assert 0.3 < 0.1 + 0.2 and at_least(0.3, 0.1 + 0.2)
    assert not at_least(0.2999999, 0.3)  # a real shortfall of 1e-7 is never absorbed


def test_area_practice_rules():
    # teaching area 1200 incl. 200 indoor sports, ground 1500, 100 pupils:
    # 生均教学及辅助用房 = (1200 − 200)/100 = 10; 生均体育运动场馆 = (1500 + 200)/100 = 17
    s = primary("1", 100, teaching_area=1200.0, indoor=200.0, ground=1500.0)
    r = assess_schools(table(s), Q).school_results.iloc[0]
    assert r[TEACH] == pytest.approx(10.0) and r[SPORT] == pytest.approx(17.0)


def test_scope_quality_2017():
    t = table(primary("1", 300), primary("2", 49, school_type="教学点"), primary("3", 50, school_type="教学点"),
              primary("4", 300, ownership="民办"), primary("5", 80, school_type="特殊教育学校"))
    a = assess_schools(t, Q)
    assert sorted(a.school_results.school_code.str[-1]) == ["1", "3", "4"]
    ex = a.excluded.set_index(a.excluded.school_code.str[-1])
    assert "50人" in ex.loc["2", "exclusion_reason"] and "特殊教育" in ex.loc["5", "exclusion_reason"]


def test_scope_basic_2012():
    t = table(primary("1", 300), primary("3", 500, school_type="教学点"), primary("4", 300, ownership="民办"),
              primary("5", 80, school_type="特殊教育学校"))
    a = assess_schools(t, B)
    assert list(a.school_results.school_code.str[-1]) == ["1"]
    assert set(a.excluded.school_code.str[-1]) == {"3", "4", "5"}
    assert "民办" in a.excluded.set_index(a.excluded.school_code.str[-1]).loc["4", "exclusion_reason"]


def test_basic_2012_indicators_and_composite():
    # two primary schools; 师生比 = teachers ÷ pupils
    s1 = primary("1", 100, teachers=5, titled=2, computers=10, books=2000)
    s2 = primary("2", 300, teachers=20, titled=9, computers=15, books=9000)
    a = assess_schools(table(s1, s2), B)
    sr = a.school_results.set_index(a.school_results.school_code.str[-1])
    assert sr.loc["1", "师生比"] == pytest.approx(0.05)        # 5/100, not 100/5
    assert sr.loc["2", "每百名学生拥有计算机台数"] == pytest.approx(5.0)  # 15·100/300
    assert sr.loc["1", "生均图书册数"] == pytest.approx(20.0)
    assert sr.loc["1", "生均中级及以上专业技术职务教师数"] == pytest.approx(0.02)  # per pupil, not per 100
    ci = a.county_indicators
    comp = ci[ci.indicator == "综合差异系数"].iloc[0]
    singles = ci[(ci.indicator != "综合差异系数") & (ci.stage == "小学")]
    assert len(singles) == 8 and singles.cv_passed.isna().all() and not singles.decisive.any()
    assert comp.cv == pytest.approx(singles.cv.mean()) and np.isnan(comp.value)
    assert comp.cv_limit == 0.65 and bool(comp.cv_passed) == (comp.cv <= 0.65)
    # 师生比 CV by hand: x = (0.05, 1/15), P = (100, 300): X = (5 + 20)/400 = 0.0625
    # S² = (100·(0.05−0.0625)² + 300·(0.0666…−0.0625)²)/400
    x2 = 20 / 300
    s2_ = (100 * (0.05 - 0.0625) ** 2 + 300 * (x2 - 0.0625) ** 2) / 400
    assert ci[ci.indicator == "师生比"].cv.iloc[0] == pytest.approx(math.sqrt(s2_) / 0.0625)


def test_county_verdict_needs_all_sections_and_all_cvs():
    good = [primary(str(i), 300) for i in range(1, 5)] + [junior("8", 420)]
    a = assess_schools(table(*good), Q)
    assert a.verdicts["passed"].iloc[0] and a.verdicts["failing_items"].iloc[0] == []
    bad = good + [primary("9", 300, rooms=1, teaching_area=1000.0)]  # 2 indicators missed
    a = assess_schools(table(*bad), Q)
    v = a.verdicts.iloc[0]
    assert not v.passed and v.sections_passed == 5 and v.sections == 6
    assert any("未达到学校资源配置标准" in s for s in v.failing_items)


def test_shortfall_whole_teachers_rounded_up():
    # 初中 320 pupils, 15 qualified teachers: standard 5.3 → 5.3·320/100 = 16.96 → ceil(1.96) = 2
    s = school("1", school_type="初级中学", junior_students=320, junior_classes=8, junior_teachers=40,
               junior_qualified_teachers=15, junior_backbone_teachers=4, junior_pe_art_teachers=3,
               teaching_area=320 * 6.0, sports_ground_area=320 * 11.0, equipment_value=320 * 2600.0,
               multimedia_rooms=8)
    a = assess_schools(table(s), Q)
    sh = a.shortfalls
    r = sh[sh.indicator == QUAL].iloc[0]
    assert r.shortfall == 2 and r.add_unit == "人" and r.add_column == "初中本科及以上学历专任教师数"
    # 85 %: 0.85·16.96 = 14.416 ≤ 15 → nothing needed to reach the floor
    assert r.shortfall_to_floor == 0


def test_shortfall_area_fractional_and_county_sum():
    # 200 pupils at 4.0 ㎡/生 (800 ㎡): needs 4.5·200 − 800 = 100 ㎡; second school 100 pupils at 4.2: 30 ㎡
    a = assess_schools(table(primary("1", 200, teaching_area=800.0), primary("2", 100, teaching_area=420.0)), Q)
    sh = a.shortfalls[a.shortfalls.indicator == TEACH]
    assert sorted(sh.shortfall.round(9)) == [30.0, 100.0]
    assert (sh.add_column == "教学及辅助用房面积(㎡)").all()
    cs = a.county_shortfalls
    assert cs[cs.indicator == TEACH].shortfall.iloc[0] == pytest.approx(130.0)


def test_shortfall_exact_multiple_not_overcounted():
    # 0.9 per 100 × 1000 pupils = 9.000000000000002 in binary; 8 PE/art teachers → exactly 1 more
    a = assess_schools(table(primary("1", 1000, pe_art=8, teachers=100)), Q)
    sh = a.shortfalls
    assert sh[sh.indicator == "每百名学生拥有体育、艺术专任教师数"].shortfall.iloc[0] == 1


def test_many_counties_and_years_at_once_match_one_by_one():
    rows = []
    rng = np.random.default_rng(7)
    for county in ("990101", "990102", "990103"):
        for year in (2024, 2025):
            for i in range(6):
                p = int(rng.integers(60, 900))
                rows.append(primary(f"{county[-1]}{i}", p, county_code=county, year=year,
                                    equipment=float(rng.uniform(800, 4000) * p), teaching_area=float(rng.uniform(3, 7) * p)))
    t = table(*rows)
    full = assess_schools(t, Q).county_indicators.set_index(["year", "county_code", "stage", "indicator"])
    for (year, county), sub in t.groupby(["year", "county_code"]):
        one = assess_schools(sub.reset_index(drop=True), Q).county_indicators
        for r in one.itertuples():
            assert full.loc[(year, county, r.stage, r.indicator), "cv"] == pytest.approx(r.cv, rel=1e-12)


positive = st.floats(min_value=0.5, max_value=1e4, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), positive), min_size=1, max_size=12), st.floats(0.01, 1000))
def test_cv_scale_invariant_and_mean_is_ratio_of_totals(data, k):
    p = np.array([d[0] for d in data], dtype=float)
    x = np.array([d[1] for d in data])
    cv = pupil_weighted_cv(x, p)
    assert pupil_weighted_cv(k * x, p) == pytest.approx(cv, rel=1e-9, abs=1e-12)
    # through the whole pipeline: equipment totals x·P
    t = table(*[primary(str(i), int(pi), equipment=float(xi * pi)) for i, (pi, xi) in enumerate(zip(p, x))])
    r = assess_schools(t, Q).county_indicators
    r = r[r.indicator == EQUIP].iloc[0]
    assert r.value == pytest.approx((x * p).sum() / p.sum(), rel=1e-12)
    assert r.cv == pytest.approx(cv, rel=1e-9, abs=1e-12)


def test_county_with_a_stage_entirely_out_of_scope_does_not_pass():
    # two passing primary sections; the county's only junior section is a special school (excluded):
    # junior CVs cannot be computed, so not "all 14 CVs pass" (method.md §5) → not a pass
    special = school("9", school_type="特殊教育学校", junior_students=60, junior_teachers=12)
    a = assess_schools(table(primary("1", 300), primary("2", 400), special), Q)
    v = a.verdicts.iloc[0]
    assert v.sections_passed == 2 and v.cvs_passed == v.cvs_decisive == 7
    assert not v.passed
    assert any("初中学段单位均未纳入评估" in s for s in v.failing_items)
    # a county with no junior school at all has no junior CVs to judge
    assert assess_schools(table(primary("1", 300), primary("2", 400)), Q).verdicts.iloc[0].passed


def test_missing_value_never_passes_a_cv():
    # an unvalidated frame with a missing facility value: the mean is NaN → CV undefined with a reason
    t = table(primary("1", 300, equipment=float("nan")))
    a = assess_schools(t, Q)
    r = ci_row(a, EQUIP)
    assert np.isnan(r.cv) and bool(r.cv_passed) is False and "missing" in r.cv_note
    assert not a.verdicts.iloc[0].passed
