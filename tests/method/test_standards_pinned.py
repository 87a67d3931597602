"""Every number the two shipped standards carry, pinned to its source (issue 10).

The numbers live as data in ``balance/data/standards/*.yaml``; this test is the second copy that
makes a change deliberate: editing a threshold, a limit, a split weight, a scope cut-off or the
school rule fails here until the test is changed too, with its source. Source of every number:
``shared/spec/method.md`` (the project's summary of 教督〔2017〕6号 and 教督〔2012〕3号), section
given beside each value. Below: tests that the *computation* notices a change too (a limit of
0.46 instead of 0.45 flips a verdict; whole units rounded to nearest instead of up changes a
shortfall).
"""
from __future__ import annotations

import pytest

from balance.method.standards import load_standard

# method.md §3, quality-2017 table: (primary, junior) standard of each indicator
QUALITY_STANDARDS = {
    "每百名学生拥有高于规定学历教师数": (4.2, 5.3),
    "每百名学生拥有县级及以上骨干教师数": (1.0, 1.0),
    "每百名学生拥有体育、艺术专任教师数": (0.9, 0.9),
    "生均教学及辅助用房面积": (4.5, 5.8),
    "生均体育运动场馆面积": (7.5, 10.2),
    "生均教学仪器设备值": (2000, 2500),
    "每百名学生拥有网络多媒体教室数": (2.3, 2.4),
}
# method.md §3: per-100 indicators multiply by 100; the rest are per pupil
QUALITY_PER = {
    "每百名学生拥有高于规定学历教师数": 100, "每百名学生拥有县级及以上骨干教师数": 100,
    "每百名学生拥有体育、艺术专任教师数": 100, "生均教学及辅助用房面积": 1, "生均体育运动场馆面积": 1,
    "生均教学仪器设备值": 1, "每百名学生拥有网络多媒体教室数": 100,
}
# method.md §3 (practice): teaching area MINUS indoor sports area; sports area PLUS indoor sports area
QUALITY_NUMERATORS = {
    "生均教学及辅助用房面积": {"teaching_area": 1, "indoor_sports_area": -1},
    "生均体育运动场馆面积": {"sports_ground_area": 1, "indoor_sports_area": 1},
}
# method.md §1 (practice): a primary pupil weighs 1, junior 1.1, senior 1.32; 完全中学 junior : senior = 1 : 1.2
SPLIT_WEIGHTS = {
    "default": {"小学": 1.0, "初中": 1.1, "高中": 1.32},
    "九年一贯制学校": {"小学": 1.0, "初中": 1.1},
    "十二年一贯制学校": {"小学": 1.0, "初中": 1.1, "高中": 1.32},
    "完全中学": {"初中": 1.0, "高中": 1.2},
}
# method.md §3, basic-2012: the 8 indicators (师生比 is teachers ÷ pupils; the last two per pupil)
BASIC_INDICATORS = ["生均教学及辅助用房面积", "生均体育运动场馆面积", "生均教学仪器设备值", "每百名学生拥有计算机台数",
                    "生均图书册数", "师生比", "生均高于规定学历教师数", "生均中级及以上专业技术职务教师数"]


@pytest.fixture(scope="module")
def quality():
    return load_standard("quality-2017")


@pytest.fixture(scope="module")
def basic():
    return load_standard("basic-2012")


def test_quality_indicator_standards(quality):
    assert [i.name for i in quality.indicators] == list(QUALITY_STANDARDS)  # method.md §3: 7 indicators, this order
    for ind in quality.indicators:
        assert (ind.standard["小学"], ind.standard["初中"]) == QUALITY_STANDARDS[ind.name], ind.name
        assert ind.per == QUALITY_PER[ind.name], ind.name


def test_quality_area_numerators(quality):
    by = {i.name: i for i in quality.indicators}
    for name, numerator in QUALITY_NUMERATORS.items():
        assert by[name].numerator == numerator, name


def test_quality_cv_limits(quality):
    assert quality.cv_limit == {"小学": 0.50, "初中": 0.45}  # method.md §5: ≤ 0.50 primary, ≤ 0.45 junior


def test_quality_school_rule(quality):
    # method.md §5: at least 6 of the 7 indicators reach the standard, the other ≥ 85 % of it
    assert (quality.school_rule.min_met, quality.school_rule.floor_ratio) == (6, 0.85)
    assert len(quality.indicators) == 7


def test_quality_county_rule(quality):
    # method.md §5: every in-scope section passes and every CV passes (each indicator separately)
    assert quality.county_rule.all_sections_pass is True
    assert quality.county_rule.each_cv_within_limit is True
    assert quality.composite_cv is None  # a 综合 mean "may be shown but decides nothing"


def test_quality_scope(quality):
    # method.md §2: all compulsory schools except 特殊教育学校 and 教学点 with fewer than 50 pupils
    rules = [(r.when, r.reason) for r in quality.scope.exclude]
    assert [w for w, _ in rules] == [{"school_type": ["特殊教育学校"]},
                                     {"school_type": ["教学点"], "students_below": 50}]


@pytest.mark.parametrize("name", ["quality-2017", "basic-2012"])
def test_split_weights(name):
    assert load_standard(name).split_weights == SPLIT_WEIGHTS  # method.md §1


def test_basic_indicators_and_composite_limit(basic):
    assert [i.name for i in basic.indicators] == BASIC_INDICATORS  # method.md §3, basic-2012
    assert basic.cv_limit is None  # single CVs may exceed the limit (method.md §5)
    assert basic.school_rule is None  # school standards are set by each province (method.md §5)
    assert basic.composite_cv.limit == {"小学": 0.65, "初中": 0.55}  # method.md §5: ≤ 0.65 / ≤ 0.55
    assert basic.county_rule.composite_within_limit is True
    assert basic.county_rule.all_sections_pass is False and basic.county_rule.each_cv_within_limit is False
    by = {i.name: i for i in basic.indicators}
    assert by["师生比"].per == 1 and by["生均高于规定学历教师数"].per == 1  # per pupil, not per 100
    assert by["生均中级及以上专业技术职务教师数"].per == 1


def test_basic_scope(basic):
    # method.md §2: public schools only (no 民办), no 教学点, no 特殊教育学校
    whens = [r.when for r in basic.scope.exclude]
    assert {"school_type": ["特殊教育学校"]} in whens
    assert {"school_type": ["教学点"]} in whens
    assert {"ownership": ["民办"]} in whens
    assert len(whens) == 3


# ---------------------------------------------------------------------------------------------
# the computation notices a change of the method


EQUIP = "生均教学仪器设备值"
QUAL = "每百名学生拥有高于规定学历教师数"


def test_junior_cv_limit_decides_a_verdict_just_above_0_45():
    """Two equal junior schools whose equipment values give a pupil-weighted CV of 0.455: over the
    junior limit 0.45 (method.md §5), so the county fails; under a limit of 0.46 it would pass."""
    from balance.method.assessment import assess_schools
    from tests.factories import junior, table

    x0 = 2600.0
    x1 = x0 * (1 + 0.455) / (1 - 0.455)  # equal pupils: CV = (x1 - x0) / (x0 + x1) = 0.455
    a = assess_schools(table(junior("1", 400, equipment_value=400 * x0),
                             junior("2", 400, equipment_value=400 * x1)), load_standard("quality-2017"))
    ci = a.county_indicators
    row = ci[(ci.indicator == EQUIP) & (ci.stage == "初中")].iloc[0]
    assert row.cv == pytest.approx(0.455, abs=1e-9)
    assert row.cv_limit == 0.45
    assert not bool(row.cv_passed)
    v = a.verdicts.iloc[0]
    assert v.sections_passed == v.sections == 2  # both schools meet the school rule …
    assert not v.passed  # … and the county fails on this one CV alone


def test_whole_unit_shortfall_rounds_up_below_one_half():
    """初中 310 pupils need 5.3·310/100 = 16.43 teachers above the required qualification; with 15
    the shortfall is 1.43 → 2 whole teachers (rounded UP: the standard is a floor, method.md §3 and
    the shortfalls of official.py); rounding to nearest would say 1 and leave the school short."""
    from balance.method.assessment import assess_schools
    from tests.factories import school, table

    s = school("1", school_type="初级中学", junior_students=310, junior_classes=8, junior_teachers=40,
               junior_qualified_teachers=15, junior_backbone_teachers=4, junior_pe_art_teachers=3,
               teaching_area=310 * 6.0, sports_ground_area=310 * 11.0, equipment_value=310 * 2600.0,
               multimedia_rooms=8)
    a = assess_schools(table(s), load_standard("quality-2017"))
    r = a.shortfalls[a.shortfalls.indicator == QUAL].iloc[0]
    assert r.shortfall == 2
    # to the 85 % floor: 0.85 · 16.43 = 13.97 ≤ 15 → nothing
    assert r.shortfall_to_floor == 0


def test_whole_unit_shortfall_to_the_floor_rounds_up():
    """The same school with 13 such teachers: to the 85 % floor it needs 13.9655 - 13 = 0.97 → 1
    (and 3.43 → 4 to the standard)."""
    from balance.method.assessment import assess_schools
    from tests.factories import school, table

    s = school("1", school_type="初级中学", junior_students=310, junior_classes=8, junior_teachers=40,
               junior_qualified_teachers=13, junior_backbone_teachers=4, junior_pe_art_teachers=3,
               teaching_area=310 * 6.0, sports_ground_area=310 * 11.0, equipment_value=310 * 2600.0,
               multimedia_rooms=8)
    a = assess_schools(table(s), load_standard("quality-2017"))
    r = a.shortfalls[a.shortfalls.indicator == QUAL].iloc[0]
    assert (r.shortfall, r.shortfall_to_floor) == (4, 1)
