"""The region overview (区域总览): all counties of one year."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from IPython.display import HTML

from balance.io.reading import load_school_table
from balance.method.assessment import Assessment, assess
from balance.reporting import display, plotting, wording
from balance.reporting.briefing._common import _html, _now


@dataclass
class RegionBriefing:
    assessment: Assessment
    year: int
    title: str
    data_path: str
    sha256: str | None
    standard_id: str
    generated: str = field(default_factory=_now)
    county_code: str = "全部"
    county_name: str = "全部县区"

    @property
    def verdicts(self) -> pd.DataFrame:
        v = self.assessment.verdicts
        return v[v["year"] == self.year].reset_index(drop=True)


def region_overview(data: str, year: int, standard: str = "quality-2017", title: str | None = None,
                    sheet: str | None = None) -> RegionBriefing:
    """Every county in the data for one year (``sheet``: the workbook's sheet holding the table)."""
    table = load_school_table(data, sheet=sheet)
    a = assess(table, standard, year=int(year))
    return RegionBriefing(a, int(year), title or f"{year} 年各县区义务教育{wording.programme(a.standard)}监测总览", table.path, table.sha256,
                          a.standard.id)


def region_cover(r: RegionBriefing) -> HTML:
    std = r.assessment.standard
    items = {"年份": f"{r.year} 年", "县区数": f"{len(r.verdicts)} 个", "评估标准": std.title,
             "数据文件": Path(r.data_path).name, "生成时间": r.generated}
    demo = "/demo/" in str(r.data_path).replace("\\", "/")
    note = display.callout_html("本简报使用演示用模拟数据（示例市），不代表任何真实学校。", "warn") if demo else ""
    return _html(display.cover_html(r.title, "各县区资源配置达标情况总览", items), note)


def region_headline(r: RegionBriefing) -> HTML:
    v = r.verdicts
    n, k = len(v), int(v["passed"].sum())
    lines = [(f"{r.year} 年 {n} 个县区中 {k} 个达到资源配置标准：{'、'.join(v.loc[v.passed, 'county_name']) or '无'}。",
              "pass" if k == n else "warn")]
    ci = r.assessment.county_indicators
    bad = ci[ci["decisive"] & ~ci["cv_passed"].fillna(False).astype(bool)]
    if len(bad):
        lines.append((f"差异系数超限 {len(bad)} 项，涉及 {bad['county_code'].nunique()} 个县区："
                      + "；".join(f"{r_.county_name}{r_.stage}“{r_.indicator}”{r_.cv:.3f}" for r_ in bad.head(6).itertuples()),
                      "fail"))
    else:
        lines.append(("所有县区的差异系数均在限值以内。", "pass"))
    if r.assessment.standard.school_rule is not None:
        fail_secs = v["sections"].sum() - v["sections_passed"].sum()
        lines.append((f"全区共有 {int(fail_secs)} 个学段单位未达到学校资源配置标准。", "info"))
    return display.headline(lines, title="")


#: The ranking of the region table, stated in the page (issue 11): a county whose sections all pass
#: with one CV slightly over its limit ranks above one where a quarter of the sections fail.
RANK_BY = ["passed", "share", "fail_cvs"]
RANK_ASCENDING = [False, False, True]
RANK_RULE = "先按资源配置是否达标，再按学段单位达标率（高者在前），再按超限差异系数项数（少者在前）。"


def region_table(r: RegionBriefing, link_pattern: str = "{county_code}_{year}.html") -> HTML:
    """County ranking: verdict, passing sections, failing CVs, with links to each county briefing."""
    v = r.verdicts.copy()
    v["fail_cvs"] = v["cvs_decisive"] - v["cvs_passed"]
    if "sections_passed" in v and v["sections_passed"].notna().all():
        v["share"] = v["sections_passed"].astype(float) / v["sections"].clip(lower=1)
    else:
        v["share"] = np.nan
    v = v.sort_values(RANK_BY, ascending=RANK_ASCENDING, na_position="last").reset_index(drop=True)
    v["rank"] = np.arange(1, len(v) + 1)
    table = display.table_html(v, columns={"rank": "排名", "county_name": "县区", "county_code": "代码", "passed": "资源配置（四个方面之一）",
                                           "sections": "学段单位数", "sections_passed": "达标学段单位数",
                                           "share": "学段单位达标率", "fail_cvs": "超限差异系数"},
                               formats={"share": "pct"}, pass_columns=["passed"],
                               caption=f"各县区资源配置达标情况（仅资源配置一项，不是四个方面综合结论）。排名规则：{RANK_RULE}")
    # the file name is built from the quoted county code, then the whole link is escaped (display.links_html)
    links = [(link_pattern.format(county_code=quote(str(c), safe=""), year=r.year), f"{n}（{c}）{r.year} 年简报")
             for c, n in zip(v["county_code"], v["county_name"])]
    return _html(table, display.links_html(links, "各县区简报：", label="各县区简报"))


def region_heatmap(r: RegionBriefing) -> HTML:
    return display.show_figure(plotting.region_cv_heatmap(r.assessment.county_indicators, year=r.year))
