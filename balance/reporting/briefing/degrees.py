"""Briefing section: the urban–rural ratio of teachers' bachelor-degree shares (issue 14 §5).

One function per briefing, one notebook cell each, all computed by
:func:`balance.analysis.degrees.bachelor_ratio` and shown by one table (:func:`ratio_table`), so a
county's ratio reads the same in every briefing:

* :func:`bachelor_ratio_section` — county briefing (after :func:`balance.reporting.briefing.county.urban_rural`):
  the county's ratio per year in the data, a sentence for the year and a figure;
* :func:`trend_bachelor_ratio` — trend briefing: the same county, every year (table only);
* :func:`region_bachelor_ratio` — region overview: every county of the year (table only).
"""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from balance.analysis.degrees import bachelor_ratio, ratio_settings
from balance.reporting import display
from balance.reporting.briefing._common import _html


def bachelor_ratio_section(b) -> HTML:
    """城乡教师本科及以上学历比例之比 of ``b``'s county, every year of its data, with the target line."""
    from balance.reporting.plotting.degrees import bachelor_ratio_chart

    cfg = ratio_settings()
    data = b._table.data
    r = bachelor_ratio(data[data["county_code"] == b.county_code])
    target = float(cfg["target"])
    if r.empty or r["ratio"].isna().all():
        return display.callout(_MISSING, "info", title="城乡教师本科学历比例之比")
    intro = _intro(r)
    this = r[r["year"] == b.year]
    lines = []
    if len(this) and not this["ratio"].isna().all():
        x = this.iloc[0]
        met = "达到" if bool(x["met"]) else "未达到"
        lines.append(f"{b.year} 年：城市组 {x['urban_share']:.1%}，农村组 {x['rural_share']:.1%}，"
                     f"比为 {x['ratio']:.3f}，{met}目标（≤ {target:g}）。")
    elif len(this):
        lines.append(f"{b.year} 年：{this.iloc[0]['note'] or '数据不全'}，无法计算。")
    fig = display.figure_html(bachelor_ratio_chart(r, county=b.assessment.verdicts["county_name"].iloc[0]))
    table = ratio_table(r, "year", caption="城乡教师本科及以上学历比例")
    return _html(f"<p>{display.escape(intro)}</p>", *(f"<p>{display.escape(s)}</p>" for s in lines), fig, table)


def _intro(r: pd.DataFrame) -> str:
    """What the ratio is and its target (the groups as :func:`~balance.analysis.degrees.groups_text` says)."""
    cfg = ratio_settings()
    return (f"城乡教师本科及以上学历比例之比 =（{r['groups'].iloc[0]}）两组学校本科及以上学历专任教师"
            f"占专任教师的比例之比；目标不高于 {float(cfg['target']):g}（{cfg['target_year']} 年）。")


_MISSING = ("学校数据没有「小学本科及以上学历专任教师数」列（或该列未填全），无法计算城乡教师本科学历比例之比；"
            "需要时请在学校数据表中补充该选填列。")


def ratio_table(r: pd.DataFrame, first: str, caption: str) -> str:
    """The table of :func:`~balance.analysis.degrees.bachelor_ratio` rows ``r``: ``first`` (``year``
    or ``county_name``), both groups' shares (percent, 1 decimal), the ratio (3 decimals), whether it
    meets the target and the note; headers from ``labels.yaml`` ``bachelor_columns``."""
    from balance.schema import labels

    heads = labels()["bachelor_columns"]
    cols = [first, "urban_share", "rural_share", "ratio", "met", "note"]
    return display.table_html(r, columns={c: heads[c] for c in cols}, pass_columns=["met"],
                              pass_labels=("✓ 达到", "✗ 未达到"),  # colour and symbol
                              formats={"urban_share": "pct1", "rural_share": "pct1", "ratio": 3}, caption=caption)


def trend_bachelor_ratio(t) -> HTML:
    """Trend briefing: the county's ratio in every year (``t.bachelor``, computed once by
    :func:`balance.reporting.briefing.trend.county_trend`), the same rows as the county briefing's."""
    r = getattr(t, "bachelor", None)
    if r is None or r.empty or r["ratio"].isna().all():
        return display.callout(_MISSING, "info", title="城乡教师本科学历比例之比")
    table = ratio_table(r.sort_values("year"), "year", caption=f"{t.county_name}城乡教师本科及以上学历比例逐年变化")
    return _html(f"<p>{display.escape(_intro(r))}</p>", table)


def region_bachelor_ratio(rb) -> HTML:
    """Region overview: every county's ratio in the year (``rb.bachelor``, computed once by
    :func:`balance.reporting.briefing.region.region_overview`), in the order of the county table."""
    r = getattr(rb, "bachelor", None)
    if r is None or r.empty or r["ratio"].isna().all():
        return display.callout(_MISSING, "info", title="城乡教师本科学历比例之比")
    order = {c: i for i, c in enumerate(rb.rows["county_code"])}
    r = r.assign(_o=r["county_code"].map(order)).sort_values(["_o", "county_code"], kind="stable")
    met = int(r["met"].fillna(False).sum())
    known = int(r["met"].notna().sum())
    summary = (f"{rb.year} 年 {known} 个可计算的县区中，{met} 个达到目标（≤ {float(ratio_settings()['target']):g}）。"
               if known else "")
    table = ratio_table(r, "county_name", caption=f"{rb.year} 年各县区城乡教师本科及以上学历比例")
    return _html(f"<p>{display.escape(_intro(r))}{display.escape(summary)}</p>", table)
