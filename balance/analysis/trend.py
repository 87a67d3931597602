"""One county over the years: schools that moved, and whether the county is on course for a target year.

:func:`movers` lists the school sections whose school-rule status changed between two years of
the data (``improved``: failed → passed; ``fell_back``: passed → failed), matched by school code
and stage.

:func:`on_course` states, per county, whether it is on course to pass resource allocation by a
target year. The rule (:data:`ON_COURSE_RULE`, shown on the page):

* for each decisive CV over its limit in the latest year, the least-squares line through that CV's
  values over the years of the data, ``cv(t) = a + b·t``, evaluated at the target year, must be
  within the limit: ``a + b·T ≤ limit``;
* when some sections fail the school rule, the same line through the passing share
  (sections passing ÷ sections) must reach 100 % by the target year: ``a + b·T ≥ 1``.

A county that passes in the latest year is 已达标; with one year of data (no line) the answer is
无法判断; a target year not after the latest year is judged on the latest year alone (on course only
when it passes). Units: CVs and shares are dimensionless; years are calendar years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ON_COURSE_RULE", "STATUS_PASSED", "STATUS_ON", "STATUS_OFF", "STATUS_UNKNOWN", "movers", "on_course"]

ON_COURSE_RULE = ("判定规则：对最近一年超限的每项差异系数，按各年数值作最小二乘直线外推到目标年份，须不超过限值；"
                  "若有学段单位未达到学校资源配置标准，学段单位达标率的直线外推到目标年份须达到 100%。"
                  "全部满足为“按期可达标”，否则为“按当前趋势难以按期达标”。")

STATUS_PASSED, STATUS_ON, STATUS_OFF, STATUS_UNKNOWN = "已达标", "按期可达标", "按当前趋势难以按期达标", "无法判断（只有一年数据）"


def _line_at(years, values, target: int) -> float:
    """Least-squares line through (year, value), evaluated at ``target`` (NaN values are dropped)."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    ok = ~np.isnan(y)
    x, y = x[ok], y[ok]
    if len(x) < 2 or np.ptp(x) == 0:
        return float("nan")
    b, a = np.polyfit(x, y, 1)
    return float(a + b * target)


def movers(school_results: pd.DataFrame, year0: int, year1: int) -> pd.DataFrame:
    """Sections whose school-rule status changed from ``year0`` to ``year1`` (one county's results).

    Columns: change (``improved`` / ``fell_back``), county_code, stage, school_code, school_name, urban_rural,
    indicators_met (in ``year1``), indicators_met_before. Several counties may be given at once
    (school codes are unique).
    """
    cols = ["change", "county_code", "stage", "school_code", "school_name", "urban_rural", "indicators_met", "indicators_met_before"]
    a = school_results[school_results["year"] == year0].set_index(["school_code", "stage"])
    b = school_results[school_results["year"] == year1].set_index(["school_code", "stage"])
    j = b.join(a[["school_passed", "indicators_met"]].rename(columns={"school_passed": "before",
                                                                     "indicators_met": "indicators_met_before"}),
               how="inner")
    before = j["before"].fillna(False).astype(bool)
    after = j["school_passed"].fillna(False).astype(bool)
    j["change"] = np.where(~before & after, "improved", np.where(before & ~after, "fell_back", ""))
    j = j[j["change"] != ""].reset_index()
    order = {"improved": 0, "fell_back": 1}
    j = j.assign(_o=j["change"].map(order), _s=j["stage"].map({"小学": 0, "初中": 1}))
    if "county_code" not in j:
        j["county_code"] = None
    return j.sort_values(["_o", "_s", "school_name"]).reset_index(drop=True)[cols]


def on_course(assessment, target_year: int) -> pd.DataFrame:
    """Per county of ``assessment``: whether it is on course to pass by ``target_year`` (rule above).

    Columns: county_code, county_name, latest_year, target_year, status (see the ``STATUS_*`` texts),
    on_course (boolean; NA when unknown), reasons (list of plain-Chinese sentences, one per
    projected item, e.g. "初中“生均体育运动场馆面积”差异系数 2027 年预计 0.431（限值 0.45）").
    """
    target = int(target_year)
    v = assessment.verdicts
    ci = assessment.county_indicators
    sr_rule = assessment.standard.school_rule is not None
    rows = []
    for code, vc in v.groupby("county_code", sort=True):
        vc = vc.sort_values("year")
        last = vc.iloc[-1]
        years = [int(y) for y in vc["year"]]
        row = {"county_code": code, "county_name": last["county_name"], "latest_year": int(last["year"]),
               "target_year": target, "reasons": []}
        if bool(last["passed"]):
            row.update(status=STATUS_PASSED, on_course=True)
        elif len(years) < 2 or target <= years[-1]:
            row.update(status=STATUS_UNKNOWN if len(years) < 2 else STATUS_OFF,
                       on_course=pd.NA if len(years) < 2 else False)
        else:
            ok, reasons = _project(ci[ci["county_code"] == code], vc, int(last["year"]), target, sr_rule)
            row.update(status=STATUS_ON if ok else STATUS_OFF, on_course=ok, reasons=reasons)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["county_code", "county_name", "latest_year", "target_year", "status",
                                      "on_course", "reasons"])
    out["on_course"] = out["on_course"].astype("boolean")
    return out


def _project(ci: pd.DataFrame, vc: pd.DataFrame, last: int, target: int, school_rule: bool) -> tuple[bool, list[str]]:
    ok, reasons = True, []
    now = ci[(ci["year"] == last) & ci["decisive"] & ~ci["cv_passed"].fillna(False).astype(bool)]
    for r in now.itertuples(index=False):
        s = ci[(ci["stage"] == r.stage) & (ci["indicator"] == r.indicator)].sort_values("year")
        p = _line_at(s["year"], s["cv"], target)
        good = bool(not np.isnan(p) and p <= float(r.cv_limit))
        ok &= good
        shown = "无法外推" if np.isnan(p) else f"{max(p, 0.0):.3f}"
        now_cv = "无法计算" if pd.isna(r.cv) else f"{r.cv:.3f}"
        reasons.append(f"{r.stage}“{r.indicator}”差异系数 {target} 年预计 {shown}（限值 {r.cv_limit:.2f}，"
                       f"{last} 年 {now_cv}）")
    lv = vc[vc["year"] == last].iloc[0]
    if school_rule and pd.notna(lv["sections_passed"]) and int(lv["sections_passed"]) < int(lv["sections"]):
        # a year without sections has no share (not 0 %): it gives no point to the line
        sections = vc["sections"].astype(float)
        share = vc["sections_passed"].astype(float) / sections.where(sections > 0)
        p = _line_at(vc["year"], share, target)
        good = bool(not np.isnan(p) and p >= 1.0 - 1e-12)
        ok &= good
        shown = "无法外推" if np.isnan(p) else f"{min(max(p, 0.0), 1.0):.0%}"
        reasons.append(f"学段单位达标率 {target} 年预计 {shown}（须 100%，{last} 年 "
                       f"{float(share.iloc[-1]):.0%}）")
    return ok, reasons
