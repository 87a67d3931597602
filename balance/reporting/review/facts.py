"""The numbers of a county's review package (申报表 and 自评报告), computed once for both.

:func:`review_facts` gathers, for one county and year, from the four-area evaluation
(:func:`balance.method.evaluation.evaluate`) and its resource-allocation assessment:

* **basic facts** — compulsory schools by type and by 城乡类型, pupils, classes and full-time
  teachers per stage (sums over the school table's rows of that county and year), the sections in
  the assessment;
* **school table** — every in-scope section with its seven indicator values, indicators met,
  lowest ratio to the standard and whether it meets the school rule (``Assessment.school_results``);
* **CV table** — per stage × indicator the pupil-weighted mean, the CV, its limit and the verdict
  (``Assessment.county_indicators``);
* **items** — the four areas and the vetoes item by item, in the method's order (``Evaluation.items``);
* **shortfalls** — 补齐缺口 and 整改量 per stage × indicator (``Assessment.county_shortfalls``);
* **plan total** — the 最低成本达标方案's total cost, when it was computed (optional).

The workbook and the report only format these frames; neither computes a number of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from balance.errors import InputError, Problem

#: the basic-fact rows: (label, unit, column of the school table summed, or a callable key)
STAGE_SUMS = (("小学在校生数", "人", "primary_students"), ("初中在校生数", "人", "junior_students"),
              ("小学班数", "个", "primary_classes"), ("初中班数", "个", "junior_classes"),
              ("小学专任教师数", "人", "primary_teachers"), ("初中专任教师数", "人", "junior_teachers"))


@dataclass
class ReviewFacts:
    """The review package of one county × year (see the module docstring).

    Attributes
    ----------
    year, county_code, county_name : the county and year
    standard : Standard
    verdict : dict
        The evaluation's verdict row (``Evaluation.verdicts``): ``passed``, ``verdict``, the
        ``<area>_status`` columns, ``failing_items``, ``items_failed``, ``items_missing``.
    resource_passed : bool
        The resource-allocation verdict (``Assessment.verdicts.passed``).
    facts : DataFrame
        项目, 数值, 单位 — the county's basic facts.
    schools : DataFrame
        ``school_results`` of this county and year (English columns, indicator columns by name).
    cv : DataFrame
        ``county_indicators`` of this county and year.
    items : DataFrame
        ``Evaluation.items`` of this county and year, in order (resource, government, quality,
        recognition, veto).
    shortfalls : DataFrame
        ``county_shortfalls`` of this county and year.
    plan_total : float or None
        Total cost in 元 of the least-cost plan, ``None`` when not computed.
    has_sheet : bool
        Whether a county sheet was given (without one the other three areas are all missing).
    source : str
        The school table's path.
    sheet_row : bool
        Whether the county sheet has a row for this county and year.
    bachelor : dict or None
        The urban–rural bachelor-degree ratio row (:func:`balance.analysis.degrees.bachelor_ratio`)
        when the school table lets it be computed, else ``None``.
    plan_feasible : bool or None
        Whether the least-cost plan makes every section and CV pass (``None``: no plan computed).
    """

    year: int
    county_code: str
    county_name: str
    standard: object
    verdict: dict
    resource_passed: bool
    facts: pd.DataFrame
    schools: pd.DataFrame
    cv: pd.DataFrame
    items: pd.DataFrame
    shortfalls: pd.DataFrame
    plan_total: float | None
    has_sheet: bool
    source: str = ""
    sheet_row: bool = False
    bachelor: dict | None = None
    plan_feasible: bool | None = None

    @property
    def sections(self) -> int:
        return int(len(self.schools))

    @property
    def sections_passed(self) -> int:
        s = self.schools["school_passed"] if len(self.schools) else pd.Series(dtype="boolean")
        return int(s.astype("boolean").fillna(False).astype(bool).sum())

    def area_items(self, area: str) -> pd.DataFrame:
        """The items of one area (``resource``, ``government``, ``quality``, ``recognition``, ``veto``)."""
        return self.items[self.items["area"] == area]


def _one(df: pd.DataFrame, year: int, code: str) -> pd.DataFrame:
    if df is None or df.empty or "county_code" not in df:
        return df
    return df[(df["year"] == year) & (df["county_code"] == code)].reset_index(drop=True)


def basic_facts(rows: pd.DataFrame, sections: int) -> pd.DataFrame:
    """The county's basic facts from its school-table rows of one year.

    Counts: schools (rows) in total, per 学校类型 and per 城乡类型; sums: pupils, classes and
    full-time teachers per stage (:data:`STAGE_SUMS`); ``sections``: the sections assessed.
    """
    from balance.schema import SCHOOL_TYPE_STAGES

    out = [("义务教育学校数", int(len(rows)), "所")]
    counts = rows["school_type"].value_counts()
    for t in [*SCHOOL_TYPE_STAGES, *sorted(set(counts.index) - set(SCHOOL_TYPE_STAGES))]:
        if counts.get(t, 0):
            out.append((f"其中：{t}", int(counts[t]), "所"))
    for u in ("城区", "镇区", "乡村"):
        n = int((rows["urban_rural"] == u).sum())
        if n:
            out.append((f"位于{u}的学校", n, "所"))
    for label, unit, col in STAGE_SUMS:
        total = float(pd.to_numeric(rows[col], errors="coerce").fillna(0).sum())
        out.append((label, int(total) if total.is_integer() else total, unit))
    out.append(("纳入评估的学段单位", int(sections), "个"))
    return pd.DataFrame(out, columns=["项目", "数值", "单位"]).astype({"数值": object})


def review_facts(ev, *, year: int, county: str, plan_total: float | None = None,
                 table_rows: pd.DataFrame | None = None) -> ReviewFacts:
    """The review package of one county and year from an evaluation.

    Parameters
    ----------
    ev : Evaluation
        :func:`balance.method.evaluation.evaluate` of the school table (with or without a county sheet).
    year, county : the county and year (must be in the evaluation)
    plan_total : float, optional
        Total of the least-cost plan in 元 (:func:`balance.analysis.planner.plan`), when computed.
    table_rows : DataFrame, optional
        The school table's canonical rows (for the basic facts); default: the assessment's sections'
        school rows are not enough, so pass ``SchoolTable.data``.

    Raises
    ------
    InputError
        The county or year is not in the evaluation.
    """
    a = ev.assessment
    code, year = str(county), int(year)
    v = ev.verdicts[(ev.verdicts["year"] == year) & (ev.verdicts["county_code"] == code)]
    if v.empty:
        raise InputError([Problem(file=a.source, column="县区代码", value=code, code="county_not_in_data",
                                  problem_zh=f"{year} 年数据中没有县区代码 {code}",
                                  problem_en=f"county code {code} is not in the data of {year}")],
                         "筛选条件与数据不符", "filter does not match the data")
    verdict = v.iloc[0].to_dict()
    av = a.verdicts[(a.verdicts["year"] == year) & (a.verdicts["county_code"] == code)].iloc[0]
    schools = _one(a.school_results, year, code)
    rows = table_rows if table_rows is not None else pd.DataFrame(columns=["school_type", "urban_rural"])
    if len(rows):
        rows = rows[(rows["year"] == year) & (rows["county_code"] == code)]
    facts = basic_facts(rows, int(len(schools))) if len(rows) else pd.DataFrame(
        [("纳入评估的学段单位", int(len(schools)), "个")], columns=["项目", "数值", "单位"])
    bachelor = None
    if len(rows):
        from balance.analysis.degrees import bachelor_ratio

        br = bachelor_ratio(rows)
        bachelor = br.iloc[0].to_dict() if len(br) and not pd.isna(br["ratio"].iloc[0]) else None
    return ReviewFacts(year=year, county_code=code, county_name=str(verdict["county_name"]), standard=a.standard,
                       verdict=verdict, resource_passed=bool(av["passed"]), facts=facts, schools=schools,
                       cv=_one(a.county_indicators, year, code), items=_one(ev.items, year, code),
                       shortfalls=_one(a.county_shortfalls, year, code), plan_total=plan_total,
                       has_sheet=ev.sheet is not None, source=str(a.source),
                       sheet_row=ev.sheet is not None and ev.sheet.row(year, code) is not None, bachelor=bachelor)
