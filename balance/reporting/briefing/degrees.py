"""Briefing section: the urban–rural ratio of teachers' bachelor-degree shares (issue 14 §5).

One function, one notebook cell (after :func:`balance.reporting.briefing.county.urban_rural`):
the county's ratio per year in the data against the target of ``bachelor_ratio.yaml``.
"""
from __future__ import annotations

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
    intro = (f"城乡教师本科及以上学历比例之比 =（{r['groups'].iloc[0] if len(r) else ''}）两组学校本科及以上学历专任教师"
             f"占专任教师的比例之比；目标不高于 {target:g}（{cfg['target_year']} 年）。") if len(r) else ""
    if r.empty or r["ratio"].isna().all():
        why = "学校数据没有「小学本科及以上学历专任教师数」列（或该列未填全），无法计算城乡教师本科学历比例之比；" \
              "需要时请在学校数据表中补充该选填列。"
        return display.callout(why, "info", title="城乡教师本科学历比例之比")
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
    table = display.table_html(
        r[["year", "urban_share", "rural_share", "ratio", "note"]],
        columns={"year": "年份", "urban_share": "城市组比例", "rural_share": "农村组比例", "ratio": "城市 ÷ 农村",
                 "note": "说明"},
        formats={"urban_share": "pct1", "rural_share": "pct1", "ratio": 3}, caption="城乡教师本科及以上学历比例")
    return _html(f"<p>{display.escape(intro)}</p>", *(f"<p>{display.escape(s)}</p>" for s in lines), fig, table)
