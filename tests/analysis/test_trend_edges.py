"""Edges of ``balance.analysis.trend`` that the round-5 mutmut run showed no test watched
(docs/mutation/round5-analysis-read.md): every column of ``on_course``, the exact reasons, which CVs
are projected, the passing share's line and its text, the target year at the latest year, and the
matching, order and county of ``movers``. Each test names the mutants it kills.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from balance.analysis.trend import STATUS_OFF, STATUS_ON, STATUS_PASSED, _line_at, movers, on_course

COUNTY = "990199"


def _ci(*rows, county=COUNTY) -> pd.DataFrame:
    """County-indicator rows ``(year, stage, indicator, cv, cv_limit, decisive)``. As the method gives
    them: ``cv_passed`` is ``cv <= limit`` (NaN → False) for a decisive CV, NA for another."""
    df = pd.DataFrame(rows, columns=["year", "stage", "indicator", "cv", "cv_limit", "decisive"])
    df.insert(1, "county_code", county)
    df["cv_passed"] = pd.array([bool(c <= lim) if d else pd.NA for c, lim, d in
                                zip(df["cv"], df["cv_limit"], df["decisive"])], dtype="boolean")
    return df


def _cv(indicator, cvs: dict, *, stage="初中", limit=0.45, decisive=True) -> list[tuple]:
    return [(y, stage, indicator, c, limit, decisive) for y, c in cvs.items()]


def _verdicts(passed: dict, sections_passed: dict | None = None, sections: dict | int = 100, *,
              county=COUNTY, name="测试县") -> pd.DataFrame:
    years = sorted(passed)
    sp = sections_passed or {y: (sections if isinstance(sections, int) else sections[y]) for y in years}
    return pd.DataFrame({"year": years, "county_code": county, "county_name": name,
                         "sections": [sections if isinstance(sections, int) else sections[y] for y in years],
                         "sections_passed": [sp[y] for y in years], "passed": [passed[y] for y in years]})


def _assessment(ci, v, school_rule=True):
    std = SimpleNamespace(school_rule=object() if school_rule else None)
    return SimpleNamespace(verdicts=v, county_indicators=ci, standard=std)


FAILING = {2023: False, 2024: False, 2025: False}
ON_TRACK = {2023: 0.60, 2024: 0.55, 2025: 0.50}     # the line reaches 0.400 in 2027
TOO_SLOW = {2023: 0.52, 2024: 0.51, 2025: 0.505}    # about 0.49 in 2027


def test_every_column_of_a_passing_county():
    # kills every renamed key of the row (county_code, county_name, latest_year, target_year,
    # reasons) and of the frame's columns, columns=None / dropped, the on_course column renamed
    # (an extra column, left as objects), and on_course None / dropped / False for a passing county
    a = _assessment(_ci(*_cv("A", {2024: 0.6, 2025: 0.3})), _verdicts({2024: False, 2025: True}, name="乙县"))
    out = on_course(a, 2027)
    assert list(out.columns) == ["county_code", "county_name", "latest_year", "target_year", "status",
                                 "on_course", "reasons"]
    assert str(out["on_course"].dtype) == "boolean"
    assert out.astype(object).to_dict("records") == [{
        "county_code": COUNTY, "county_name": "乙县", "latest_year": 2025, "target_year": 2027,
        "status": STATUS_PASSED, "on_course": True, "reasons": []}]


def test_counties_come_in_code_order():
    # kills groupby("county_code", sort=None / False): verdicts listed 990199 first
    v = pd.concat([_verdicts({2024: False, 2025: True}), _verdicts({2024: False, 2025: True}, county="990101")])
    out = on_course(_assessment(_ci(), v), 2027)
    assert list(out["county_code"]) == ["990101", COUNTY]


def test_a_target_at_the_latest_year_is_judged_on_that_year():
    # kills `target < years[-1]`, years[+1], years[-2] (the line at 2025, 0.400, is within 0.45, so a
    # projection would say on course) and on_course None / dropped / `(len < 2) or True` / `len <= 2`
    # / `len < 3` / `else True` (a county that cannot reach a past target is False, not unknown)
    ci = _ci(*_cv("A", {2023: 0.70, 2024: 0.30, 2025: 0.50}))
    out = on_course(_assessment(ci, _verdicts(FAILING)), 2025)
    assert (out.loc[0, "status"], out.loc[0, "on_course"], out.loc[0, "reasons"]) == (STATUS_OFF, False, [])
    two = _ci(*_cv("A", {2024: 0.60, 2025: 0.50}))
    out = on_course(_assessment(two, _verdicts({2024: False, 2025: False})), 2024)
    assert (out.loc[0, "status"], out.loc[0, "on_course"]) == (STATUS_OFF, False)


def test_only_the_failing_decisive_cvs_of_the_latest_year_are_projected():
    # kills the filter `& decisive &` turned into `|` at either place, `year != last` and
    # `stage == … | indicator == …` (the line of A in 初中 only), and fillna(None) of cv_passed
    # (the NA of a CV that decides nothing, as in a composite-CV standard, made the mask fail);
    # the sections reached 100 % in 2025, so no share is projected though 2023 had failures
    # (kills `vc[year != last]`, `school_rule or …` and `sections_passed <= sections`)
    ci = _ci(*_cv("A", ON_TRACK), *_cv("B", {2023: 0.3, 2024: 0.3, 2025: 0.3}),
             *_cv("A", {2023: 0.2, 2024: 0.2, 2025: 0.2}, stage="小学"),
             *_cv("C", {2023: 0.9, 2024: 0.9, 2025: 0.9}, limit=np.nan, decisive=False))
    v = _verdicts(FAILING, {2023: 90, 2024: 95, 2025: 100})
    out = on_course(_assessment(ci, v), 2027)
    assert out.loc[0, "status"] == STATUS_ON and out.loc[0, "on_course"]
    assert out.loc[0, "reasons"] == ["初中“A”差异系数 2027 年预计 0.400（限值 0.45，2025 年 0.500）"]


def test_every_failing_cv_must_reach_its_limit():
    # kills `ok = good` (the last CV's answer only): A is too slow, B on course
    ci = _ci(*_cv("A", TOO_SLOW), *_cv("B", ON_TRACK))
    out = on_course(_assessment(ci, _verdicts(FAILING)), 2027)
    assert (out.loc[0, "status"], out.loc[0, "on_course"]) == (STATUS_OFF, False)
    assert len(out.loc[0, "reasons"]) == 2


def test_the_share_must_be_on_course_too():
    # kills `ok = good` of the share (the share's answer only): the CV is too slow, the share
    # (60 → 70 → 80 %) reaches 100 % in 2027; and, the other way round, a CV on course with a share
    # that is not (60 → 62 → 64 %)
    slow = on_course(_assessment(_ci(*_cv("A", TOO_SLOW)), _verdicts(FAILING, {2023: 60, 2024: 70, 2025: 80})), 2027)
    assert (slow.loc[0, "status"], slow.loc[0, "on_course"], len(slow.loc[0, "reasons"])) == (STATUS_OFF, False, 2)
    ci = _ci(*_cv("A", ON_TRACK))
    out = on_course(_assessment(ci, _verdicts(FAILING, {2023: 60, 2024: 62, 2025: 64})), 2027)
    assert (out.loc[0, "status"], out.loc[0, "on_course"]) == (STATUS_OFF, False)


def test_a_line_that_reaches_the_limit_exactly_is_on_course():
    # kills `p < limit`: the rule is a + b·T ≤ limit. The limit is the line's own value at 2026
    # (0.75 → 0.625 → 0.5, up to rounding), as no decimal lands exactly on a fitted line
    limit = _line_at([2024, 2025], [0.75, 0.625], 2026)
    ci = _ci(*_cv("A", {2024: 0.75, 2025: 0.625}, limit=limit))
    out = on_course(_assessment(ci, _verdicts({2024: False, 2025: False})), 2026)
    assert out.loc[0, "status"] == STATUS_ON


def test_a_cv_without_values_cannot_be_projected():
    # a decisive CV that is NaN every year (no line): kills `len < 2 and ptp == 0` (ptp of nothing
    # fails), float(None) / float("XXnanXX") for the missing line, the text 无法外推 replaced by the
    # number ("nan") or by "XX无法外推XX"
    ci = _ci(*_cv("A", {2024: np.nan, 2025: np.nan}))
    out = on_course(_assessment(ci, _verdicts({2024: False, 2025: False})), 2027)
    assert (out.loc[0, "status"], out.loc[0, "on_course"]) == (STATUS_OFF, False)
    [reason] = out.loc[0, "reasons"]
    assert reason.startswith("初中“A”差异系数 2027 年预计 无法外推（限值 0.45，2025 年 ")


def _share_reasons(sections_passed: dict, target: int, *, sections=100, school_rule=True):
    ci = _ci(*_cv("A", {y: 0.3 for y in sections_passed}))  # every CV passes: the share decides
    v = _verdicts({y: False for y in sections_passed}, sections_passed, sections)
    out = on_course(_assessment(ci, v, school_rule=school_rule), target)
    return out.loc[0, "status"], out.loc[0, "reasons"]


def test_the_text_of_the_passing_share():
    # kills shown = None, `isnan(p) or True`, max(p, 1.0), min(…, 2.0), reasons.append(None) and
    # share.iloc[+1] / iloc[-2] for the latest year's share; and `p >= 1 + 1e-12` (a line that
    # reaches exactly 100 % in 2027 is on course)
    sp = {2023: 60, 2024: 70, 2025: 80}
    assert _share_reasons(sp, 2026) == (STATUS_OFF, ["学段单位达标率 2026 年预计 90%（须 100%，2025 年 80%）"])
    assert _share_reasons(sp, 2027) == (STATUS_ON, ["学段单位达标率 2027 年预计 100%（须 100%，2025 年 80%）"])
    assert _share_reasons(sp, 2028) == (STATUS_ON, ["学段单位达标率 2028 年预计 100%（须 100%，2025 年 80%）"])


def test_a_share_without_a_line_cannot_be_projected():
    # kills `isnan(p) and False` ("nan%") and "XX无法外推XX": the share is known in 2025 only
    assert _share_reasons({2024: np.nan, 2025: 80}, 2027) == (
        STATUS_OFF, ["学段单位达标率 2027 年预计 无法外推（须 100%，2025 年 80%）"])


def test_no_share_without_a_school_rule():
    # kills `school_rule and notna(…) or …`: a standard without a school rule has no share to reach
    assert _share_reasons({2024: 60, 2025: 80}, 2027, school_rule=False) == (STATUS_ON, [])


def test_a_county_of_one_section_is_not_halved():
    # kills clip(lower=2): 2024 had one section (passing: 100 %), 2025 two (one passing: 50 %); the
    # line falls to −50 % in 2027 (shown 0 %), not flat at 50 %
    status, reasons = _share_reasons({2024: 1, 2025: 1}, 2027, sections={2024: 1, 2025: 2})
    assert (status, reasons) == (STATUS_OFF, ["学段单位达标率 2027 年预计 0%（须 100%，2025 年 50%）"])


def _sr(rows) -> pd.DataFrame:
    """School results ``(year, school_code, stage, school_name, school_passed, indicators_met)``."""
    df = pd.DataFrame(rows, columns=["year", "school_code", "stage", "school_name", "school_passed", "indicators_met"])
    df["urban_rural"] = "乡村"
    df["school_passed"] = df["school_passed"].astype("boolean")
    return df


def test_a_school_of_one_year_only_is_no_mover():
    # kills the join's how="inner" dropped (a left join): d is new in 2025 and passes, e closed
    sr = _sr([(2024, "a", "小学", "甲校", False, 5), (2025, "a", "小学", "甲校", True, 7),
              (2025, "d", "小学", "丁校", True, 7), (2024, "e", "小学", "戊校", True, 7)])
    assert list(movers(sr, 2024, 2025)["school_code"]) == ["a"]


def test_movers_keep_their_county():
    # kills `"XXcounty_codeXX" not in j` / "COUNTY_CODE" (the county overwritten with None)
    sr = _sr([(2024, "a", "小学", "甲校", False, 5), (2025, "a", "小学", "甲校", True, 7)])
    sr["county_code"] = "990102"
    assert list(movers(sr, 2024, 2025)["county_code"]) == ["990102"]


def test_primary_sections_come_before_junior_ones():
    # kills _s=None and the map {"XX小学XX": 0, …} / {"小学": 1, …}: by name 乙校 (初中) would come
    # before 甲校 (小学)
    sr = _sr([(2024, "a", "小学", "甲校", False, 5), (2025, "a", "小学", "甲校", True, 7),
              (2024, "b", "初中", "乙校", False, 5), (2025, "b", "初中", "乙校", True, 7)])
    m = movers(sr, 2024, 2025)
    assert list(zip(m["stage"], m["school_name"])) == [("小学", "甲校"), ("初中", "乙校")]


def test_an_unknown_result_counts_as_not_passing():
    # kills fillna(None) (NA cannot be cast to bool) and fillna(True), before and after: a is
    # unknown (NA) in 2024 then passes, b passes then is unknown
    sr = _sr([(2024, "a", "小学", "甲校", None, 5), (2025, "a", "小学", "甲校", True, 7),
              (2024, "b", "小学", "乙校", True, 7), (2025, "b", "小学", "乙校", None, 5)])
    m = movers(sr, 2024, 2025)
    assert list(zip(m["change"], m["school_code"])) == [("improved", "a"), ("fell_back", "b")]


def test_a_latest_cv_that_cannot_be_computed_reads_so():
    # the latest year's CV is NaN: the reason names it 无法计算, never "nan"
    ci = _ci(*_cv("A", {2024: 0.60, 2025: np.nan}))
    out = on_course(_assessment(ci, _verdicts({2024: False, 2025: False})), 2027)
    [reason] = out.loc[0, "reasons"]
    assert reason == "初中“A”差异系数 2027 年预计 无法外推（限值 0.45，2025 年 无法计算）"
    assert "nan" not in reason


def test_a_year_without_sections_gives_no_point_to_the_share():
    # 2024 had no sections in the data: its share is unknown, not 0 %. The line runs through 2023
    # (60 %) and 2025 (80 %) only and reaches 100 % in 2027; counting 2024 as 0 % would bend it down
    status, reasons = _share_reasons({2023: 60, 2024: 0, 2025: 80}, 2027,
                                     sections={2023: 100, 2024: 0, 2025: 100})
    assert (status, reasons) == (STATUS_ON, ["学段单位达标率 2027 年预计 100%（须 100%，2025 年 80%）"])
