"""「与上年相比」 of the county briefing: a small table and the schools that newly pass or fail.

Issue 11: "Since last year" becomes a small table — each CV and the share of passing sections,
last year and this year — with the schools that newly pass or newly fail, by name. The numbers
are the ones of the headline's change sentence (:func:`balance.reporting.narrative.change_sentence`),
taken from the same assessment:

* share of passing sections = ``sections_passed ÷ sections`` of the verdict row (per stage from
  ``sections_passed_<stage> ÷ sections_<stage>``), shown as a percentage;
* each CV of ``county_indicators`` (3 decimals) with its limit (2 decimals) and whether it passes;
* a section *newly passes* when it is in scope both years and ``school_passed`` turns from false
  to true (newly fails: the reverse); a section in one year only is neither.
"""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from balance.reporting import display
from balance.reporting.briefing._common import STAGES, _html


def _verdict(b, year: int):
    v = b.assessment.verdicts
    return next(v[v["year"] == year].itertuples(index=False))


def change_table(b) -> pd.DataFrame:
    """Long form: one row per measure and stage (``stage`` "全县" for the county-wide share):
    ``measure`` ("学段单位达标率" or the indicator name), ``stage``, ``previous``, ``current``,
    ``kind`` ("pct" / "cv") and ``limit`` (the CV limit, NaN for a share)."""
    py, cy = b.previous_year, b.year
    rows = []
    std = b.assessment.standard
    if std.school_rule is not None:
        vp, vc = _verdict(b, py), _verdict(b, cy)

        def share(v, st=None):
            n = getattr(v, f"sections_{st}", 0) if st else v.sections
            ok = getattr(v, f"sections_passed_{st}", 0) if st else v.sections_passed
            return float(ok) / float(n) if n and not pd.isna(ok) else float("nan")
        for st in (*STAGES, None):
            if st is None or getattr(vc, f"sections_{st}", 0) or getattr(vp, f"sections_{st}", 0):
                rows.append({"measure": SHARE, "stage": st or COUNTY, "previous": share(vp, st),
                             "current": share(vc, st), "kind": "pct", "limit": float("nan")})
    ci = b.assessment.county_indicators
    key = ["stage", "indicator"]
    cur = ci[ci["year"] == cy].set_index(key)
    prev = ci[ci["year"] == py].set_index(key)
    for (st, ind), r in cur.iterrows():
        rows.append({"measure": ind, "stage": st, "previous": prev["cv"].get((st, ind), float("nan")),
                     "current": r["cv"], "kind": "cv", "limit": r["cv_limit"]})
    return pd.DataFrame(rows, columns=["measure", "stage", "previous", "current", "kind", "limit"])


SHARE, COUNTY = "学段单位达标率", "全县"
#: a cell with no value; the 全县 cells of the CV rows are explained by :data:`COUNTY_CV_NOTE`
NONE = "—"
COUNTY_CV_NOTE = ("注：差异系数按小学、初中分学段计算、分学段判定，没有全县合计值，"
                  "故全县一栏的差异系数记为“—”；全县一栏只列全县学段单位达标率。")


def _wide(t: pd.DataFrame, py: int, cy: int) -> tuple[pd.DataFrame, dict]:
    """The small table: one row per measure, two columns (last year, this year) per stage."""
    def fmt(x, kind, limit):
        if pd.isna(x):
            return "—"
        if kind == "pct":
            return f"{x:.0%}"
        over = pd.notna(limit) and x > limit
        return f"{x:.3f}" + ("（超限）" if over else "")
    t = t.assign(p=[fmt(x, k, lim) for x, k, lim in zip(t.previous, t.kind, t.limit)],
                 c=[fmt(x, k, lim) for x, k, lim in zip(t.current, t.kind, t.limit)])
    stages = [st for st in (*STAGES, COUNTY) if (t["stage"] == st).any()]
    measures = list(dict.fromkeys(t["measure"]))
    out = pd.DataFrame({"measure": [m if m == SHARE or m.endswith("差异系数") else f"{m}（差异系数）"
                                    for m in measures]})
    cols = {"measure": "项目"}
    idx = t.set_index(["measure", "stage"])
    for st in stages:
        for key, year in (("p", py), ("c", cy)):
            name = f"{st}_{key}"
            out[name] = [idx[key].get((m, st), NONE) for m in measures]
            cols[name] = f"{st} {year} 年"
    return out, cols


def movers(b) -> pd.DataFrame:
    """Sections in scope in both years whose school-rule result changed: ``stage``, ``school_name``,
    ``change`` ("新达标" / "新未达标"), ``indicators_met`` last year and this year."""
    sr = b.assessment.school_results
    cols = ["stage", "school_code", "school_name", "indicators_met", "school_passed"]
    a = sr[sr["year"] == b.previous_year][cols]
    c = sr[sr["year"] == b.year][cols]
    m = c.merge(a, on=["stage", "school_code"], suffixes=("", "_prev"))
    now, before = m["school_passed"].fillna(False).astype(bool), m["school_passed_prev"].fillna(False).astype(bool)
    m = m[now != before].assign(change=lambda d: d["school_passed"].map({True: "新达标", False: "新未达标"}))
    order = {st: i for i, st in enumerate(STAGES)}
    m = m.sort_values(["change", "stage", "school_name"], key=lambda s: s.map(order) if s.name == "stage" else s)
    return m[["change", "stage", "school_name", "indicators_met_prev", "indicators_met"]].reset_index(drop=True)


def since_last_year(b) -> HTML:
    """The 「与上年相比」 block: the table of :func:`change_table` and the list of :func:`movers`."""
    if b.previous_year is None or b.previous_year not in set(b.assessment.verdicts["year"]):
        return display.callout("数据中没有上一年度，不作年度比较。", "info")
    py, cy = b.previous_year, b.year
    show, cols = _wide(change_table(b), py, cy)
    limits = "；".join(f"{st}不超过 {v:.2f}" for st, v in (b.assessment.standard.cv_limit or {}).items())
    parts = [display.table_html(show, columns=cols, formats={c: "text" for c in show.columns},
                                caption=f"与 {py} 年相比："
                                        + ("学段单位达标率与" if b.assessment.standard.school_rule is not None else "")
                                        + "各项差异系数"
                                        + (f"（差异系数限值：{limits}）" if limits else ""))]
    if f"{COUNTY}_c" in show and (show[f"{COUNTY}_c"] == NONE).any():
        parts.append(f'<p class="balance-table-note note">{display.escape(COUNTY_CV_NOTE)}</p>')
    if b.assessment.standard.school_rule is not None:
        mv = movers(b)
        if mv.empty:
            parts.append(display.callout_html(f"与 {py} 年相比，没有学段单位新达标或新未达标。", "info"))
        else:
            parts.append(display.table_html(
                mv, columns={"change": "变化", "stage": "学段", "school_name": "学校",
                             "indicators_met_prev": f"{py} 年达标指标数", "indicators_met": f"{cy} 年达标指标数"},
                formats={"indicators_met_prev": "plain", "indicators_met": "plain"},
                caption=f"与 {py} 年相比新达标、新未达标的学段单位（{len(mv)} 个）"))
    return _html(*parts)
