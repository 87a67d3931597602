"""The county briefing (县区简报): one function per section, each returning HTML for one notebook cell."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from balance import __version__
from balance.io.reading import load_school_table  # noqa: F401 - county.load_school_table, as before the move
from balance.method.assessment import Assessment, assess  # noqa: F401 - county.assess, as before the move
from balance.reporting import display, narrative, plotting, wording
from balance.reporting.briefing._common import STAGES, _check_present, _html, _now
from balance.reporting.briefing.plan import planning  # noqa: F401 - the plan section lives in .plan


@dataclass
class CountyBriefing:
    """Everything one county's briefing shows (built by :func:`county_briefing`)."""

    assessment: Assessment          # this county, every year in the data
    county_code: str
    county_name: str
    year: int
    title: str
    data_path: str
    sha256: str | None
    standard_id: str
    previous_year: int | None = None
    county_sheet: str | None = None
    generated: str = field(default_factory=_now)
    previous_ledger: str | None = None  # last year's 整改台账 as the bureau filled it (issue 14)
    _evaluation: object = None
    _ledger: object = None
    _plan: object = None
    _table: object = None

    @property
    def verdict(self):
        v = self.assessment.verdicts
        return next(v[v["year"] == self.year].itertuples(index=False))

    def year_view(self, year: int | None = None) -> Assessment:
        return self.assessment.county(self.county_code, self.year if year is None else year)

    @property
    def evaluation(self):
        """Four-area evaluation (only with a county sheet)."""
        if self._evaluation is None and self.county_sheet:
            from balance.method.evaluation import evaluate

            self._evaluation = evaluate(self._table, self.county_sheet, self.standard_id, year=self.year,
                                        county=self.county_code, other_counties="ignore")
        return self._evaluation

    @property
    def plan(self):
        """Least-cost plan to pass (computed on first use; quality-type standards only)."""
        if self._plan is None and self.assessment.standard.school_rule is not None and \
                self.assessment.standard.cv_limit:
            from balance.analysis.planner import plan

            self._plan = plan(self._table, self.standard_id, county=self.county_code, year=self.year)
        return self._plan


def county_briefing(data: str, county_code: str, year: int, standard: str = "quality-2017",
                    title: str | None = None, county_sheet: str | None = None,
                    previous_year: int | None = None, sheet: str | None = None,
                    previous_ledger: str | None = None) -> CountyBriefing:
    """Read, validate and assess the school table for one county (all years, for comparisons).
    ``sheet``: the workbook's sheet holding the table (default: found as ``balance validate`` does).

    Raises :class:`~balance.errors.InputError` when the table has errors or the county / year is
    not in the data; the runner records the message and the briefing is not produced.
    """
    from balance.method import cache  # read and assess once per kernel (a batch's kept kernel)

    table = cache.school_table(data, sheet)
    a = cache.county_assessment(table, standard, str(county_code))
    _check_present(a, str(county_code), int(year), table.path)
    name = a.verdicts["county_name"].iloc[0]
    if previous_year is None:
        earlier = sorted(y for y in a.verdicts["year"].unique() if y < int(year))
        previous_year = int(earlier[-1]) if earlier else None
    b = CountyBriefing(a, str(county_code), name, int(year), title or f"{name} {year} 年义务教育{wording.programme(a.standard)}监测简报",
                       table.path, table.sha256, a.standard.id, previous_year, county_sheet,
                       previous_ledger=previous_ledger or None)
    b._table = table
    return b


#: the cover's 县级填报表 item when no county sheet was given (county, trend and region covers)
NO_SHEET = "未提供（仅评估资源配置一项）"


def cover(b, target_year: int | None = None) -> HTML:
    """The cover block of a county or trend briefing: title, county, year (a trend: its years),
    standard, county sheet, target year, data, generation date — the same items as the region cover.
    ``target_year``: the run's target year (a trend briefing carries its own)."""
    std = b.assessment.standard
    items = {"县区": f"{b.county_name}（{b.county_code}）"}
    years = getattr(b, "years", None)
    if getattr(b, "year", None) is not None:
        items["年份"] = f"{b.year} 年"
    elif years:
        items["年份"] = f"{wording.year_span(years)}（{len(years)} 年）"
    items["评估标准"] = std.title
    items["县级填报表"] = Path(b.county_sheet).name if b.county_sheet else NO_SHEET
    target = target_year if target_year is not None else getattr(b, "target_year", None)
    if target:
        items["目标年份"] = f"{int(target)} 年"
    items.update({"数据文件": Path(b.data_path).name, "生成时间": b.generated})
    subtitle = "义务教育学校资源配置监测 · 内部参考"
    demo = "模拟数据" in str(b.data_path) or "/demo/" in str(b.data_path).replace("\\", "/")
    note = display.callout_html("本简报使用演示用模拟数据（示例市），不代表任何真实学校。", "warn") if demo else ""
    return _html(display.cover_html(b.title, subtitle, items), note)


AREAS = (("resource", "资源配置"), ("government", "政府保障程度"), ("quality", "教育质量"),
         ("recognition", "社会认可度"))


def recognition_lines(b: CountyBriefing) -> list[tuple[str, str]]:
    """The overall four-area verdict first, then one line per area (only with a county sheet)."""
    if not b.county_sheet:
        return []
    v = next(b.evaluation.verdicts.itertuples(index=False))
    std = b.assessment.standard
    lines = [(f"{b.county_name} {b.year} 年督导评估四个方面综合结论：{v.verdict}{std.short_title}标准。",
              "pass" if v.passed else "fail")]
    areas = "；".join(f"{zh}{getattr(v, f'{key}_status')}" for key, zh in AREAS)
    lines.append((f"四个方面：{areas}；一票否决：{v.veto_status}。", "info"))
    return lines + [(t, "warn") for t in fraction_notes(b)]


def sheet_warnings(b: CountyBriefing):
    """Warnings of the county sheet (not those of the school table, shown with the assessment's)."""
    w = getattr(b.evaluation, "warnings", None) if b.county_sheet else None
    if w is None:  # no county sheet, or an evaluation without warnings (a stand-in in tests)
        return b.assessment.warnings.iloc[0:0]
    return w[~w["file"].isin(set(b.assessment.warnings["file"]))]


def fraction_notes(b: CountyBriefing) -> list[str]:
    """The county sheet's rate columns that look like fractions (issue 12): they change verdicts,
    so the headline says so, not only the appendix."""
    from balance.io.rates import FRACTION_CODES

    w = sheet_warnings(b)
    return [f"县级填报表：{t}" for t in w.loc[w["code"].isin(FRACTION_CODES), "problem_zh"]]


def headline_lines(b: CountyBriefing) -> list[tuple[str, str]]:
    """The headline's lines with their marks (the four-area lines first when a county sheet is given)."""
    return recognition_lines(b) + narrative.headline_items(b.assessment, b.county_code, b.year,
                                                           four_areas=bool(b.county_sheet),
                                                           previous_year=b.previous_year)


def verdict_lines(b: CountyBriefing) -> list[tuple[str, str]]:
    """The verdict lines of the headline, word for word, for ``index.html`` and ``results.json``:
    the four-area verdict (with a county sheet) and the resource-allocation verdict, which is always
    labelled as such ("其中资源配置：…" or "…（仅资源配置一项；…）")."""
    lines = headline_lines(b)
    n_recognition = len(recognition_lines(b))
    return ([lines[0]] if n_recognition else []) + [lines[n_recognition]]


def headline(b: CountyBriefing) -> HTML:
    """The plain-Chinese headline: the overall verdict first, then resource allocation (labelled as such).

    With a county sheet the first line is the four-area recognition verdict and the area verdicts
    follow; without one the resource-allocation line says that it is one area of four.
    """
    return display.headline(headline_lines(b), title="")


def _para(text: str) -> HTML:
    return HTML(f'<p class="section-intro">{display._esc(text)}</p>')


def cv_intro(b) -> HTML:
    """The CV definition and the limits of the standard in use (not a fixed text in the notebook)."""
    return _para(wording.cv_intro(b.assessment.standard))


def distribution_intro(b) -> HTML:
    """How to read the per-school bars, with the school rule of the standard in use."""
    return _para(wording.distribution_intro(b.assessment.standard))


def rectification_intro(b) -> HTML:
    return _para(wording.rectification_intro(b.assessment.standard))


def _floor(b) -> dict:
    r = b.assessment.standard.school_rule
    return {"floor": r.floor_ratio, "min_met": r.min_met} if r is not None else {}


def cv_table(b: CountyBriefing) -> HTML:
    """The CVs of this year against their limits (and the county means against standards)."""
    ci = b.year_view().county_indicators
    df = ci[["stage", "indicator", "value", "standard", "unit", "cv", "cv_limit", "cv_passed"]].copy()
    cols = {"stage": "学段", "indicator": "指标", "value": "县域均值", "standard": "标准值", "unit": "单位",
            "cv": "差异系数", "cv_limit": "限值", "cv_passed": "差异系数达标"}
    return display.show_table(df, columns=cols, formats={"value": 2, "standard": 2, "cv": 3, "cv_limit": 2},
                              pass_columns=["cv_passed"],
                              caption=f"{b.county_name} {b.year} 年各项指标县域均值与差异系数（按学生数加权）")


def cv_figure(b: CountyBriefing) -> HTML:
    return display.show_figure(plotting.cv_chart(b.year_view().county_indicators, year=b.year))


def indicator_figures(b: CountyBriefing) -> HTML:
    """Every section's value per indicator, sorted, with the standard and 85 % lines (per stage)."""
    sv = b.year_view().section_values
    parts = [display.figure_html(plotting.indicator_small_multiples(sv, st, year=b.year, **_floor(b)))
             for st in STAGES if (sv["stage"] == st).any()]
    return _html(*parts)


def attainment_figures(b: CountyBriefing) -> HTML:
    """Section × indicator heat table of value ÷ standard (per stage): an HTML table coloured like
    the heatmap, the ratios as text (issue 16: milliseconds where the 120-row heatmap took seconds)."""
    sv = b.year_view().section_values
    if sv["standard"].isna().all():
        return display.callout("本评估标准未设学校达标值，不绘制达成率热力图。", "info")
    parts = [plotting.attainment_table_html(sv, st, year=b.year, **_floor(b))
             for st in STAGES if (sv["stage"] == st).any()]
    return _html(*parts)


def rectification_list(b: CountyBriefing) -> HTML:
    """整改清单: failing sections with what each lacks in natural units, and county totals."""
    a = b.year_view()
    sh = a.shortfalls
    if a.standard.school_rule is None:
        return display.callout("本评估标准未规定学校达标规则（基本均衡由各省制定），不生成整改清单。", "info")
    failing = sh[~sh["school_passed"].fillna(False).astype(bool)] if len(sh) else sh
    if failing.empty:
        t = narrative.terms()
        return display.callout(f"所有纳入评估的学段单位均达到学校达标规则，{t['rectification']['name']}为零。"
                               f"{t['gap']['name']}（见结论要点）计入个别指标低于标准值但学校已达标的学段单位，"
                               "不属于整改。", "pass")
    lack = failing.assign(need=[_need_text(r) for r in failing.itertuples(index=False)])
    per_school = (lack.groupby(["stage", "school_code", "school_name", "urban_rural", "students"], sort=False)
                  .agg(items=("indicator", "size"), need=("need", "；".join)).reset_index())
    sr = a.school_results.set_index(["stage", "school_code"])
    per_school["indicators_met"] = [sr.loc[(s, c), "indicators_met"] for s, c in zip(per_school.stage, per_school.school_code)]
    order = {st: i for i, st in enumerate(STAGES)}  # 小学 before 初中 (not code-point order)
    per_school = per_school.sort_values(["stage", "indicators_met", "students"], ascending=[True, True, False],
                                        key=lambda c: c.map(order) if c.name == "stage" else c)
    t1 = display.table_html(per_school, columns={"stage": "学段", "school_name": "学校", "urban_rural": "城乡",
                                                 "students": "在校生数", "indicators_met": "达标指标数",
                                                 "need": "本校需增加（填报数据项 + 数量）"},
                            caption=f"{narrative.terms()['rectification']['name']}：未达到学校达标规则的学段单位"
                                    f"（{len(per_school)} 个）及补齐到标准值需增加的数量")
    totals = failing.groupby(["stage", "indicator", "add_unit"], sort=False).agg(
        sections=("school_code", "size"), shortfall=("shortfall", "sum")).reset_index()
    totals = totals.sort_values("stage", key=lambda c: c.map(order), kind="stable")
    totals["total"] = [narrative.fmt_amount(x, u) for x, u in zip(totals.shortfall, totals.add_unit)]
    # what the schools add to their own input columns (more than the sections lack where a section
    # gets only a share of a shared facility)
    at_school = failing.groupby(["stage", "indicator"], sort=False)["add_to_school"].sum()
    totals["school_total"] = [narrative.fmt_addition(at_school.loc[(st, i)], u)
                              for st, i, u in zip(totals.stage, totals.indicator, totals.add_unit)]
    t2 = display.table_html(totals, columns={"stage": "学段", "indicator": "指标", "sections": "未达标学段单位数",
                                             "total": "学段合计需增加", "school_total": "各校数据项合计需增加"},
                            caption=f"{narrative.terms()['rectification']['name']}合计（全县，未达标学段单位）")
    return _html(t1, t2)


def _need_text(r) -> str:
    """One shortfall as a clerk acts on it: the school's own input column and the amount to add
    there (issue 11 item 4); for a section that gets only a share of a shared facility, the
    section's own gap and its share follow in brackets."""
    amount = narrative.fmt_addition(r.add_to_school, r.add_unit)
    text = f"{r.indicator}：{r.add_column} +{amount}"
    if r.facility_share < 1 - 1e-9:
        text += (f"（本学段缺 {narrative.fmt_amount(r.shortfall, r.add_unit)}，"
                 f"分摊全校的 {wording.pct(r.facility_share)}）")
    return text


def urban_rural(b: CountyBriefing) -> HTML:
    """Urban / town / rural comparison: pupil-weighted means per 城乡 type against the standard."""
    sv = b.year_view().section_values
    fig = display.callout_html("本评估标准未设学校标准值，不绘制占标准百分比的城乡对比图。", "info") \
        if sv["standard"].isna().all() else display.figure_html(plotting.urban_rural_chart(sv, year=b.year, **{k: v for k, v in _floor(b).items() if k == "floor"}))
    g = sv.assign(px=sv["value"] * sv["students"]).groupby(["stage", "indicator", "urban_rural"], sort=False)
    means = (g["px"].sum() / g["students"].sum()).unstack("urban_rural")
    means = means.reindex(columns=[c for c in ("城区", "镇区", "乡村") if c in means.columns]).reset_index()
    order = {n: i for i, n in enumerate(b.assessment.standard.indicator_names)}
    means = (means.assign(_s=means["stage"].map({"小学": 0, "初中": 1}), _o=means["indicator"].map(order))
             .sort_values(["_s", "_o"]).drop(columns=["_s", "_o"]))
    if {"城区", "乡村"} <= set(means.columns):
        means["城乡比"] = means["城区"] / means["乡村"]
    fmts = {c: 2 for c in ("城区", "镇区", "乡村", "城乡比")}
    t = display.table_html(means, columns={"stage": "学段", "indicator": "指标", **{c: c for c in means.columns[2:]}},
                           formats=fmts, caption="各项指标城区、镇区、乡村学生加权均值（城乡比 = 城区 ÷ 乡村）")
    return _html(fig, t)


def equity_appendix(b: CountyBriefing) -> HTML:
    """Theil T between-group share by 城乡类型 and McLoone index per indicator (researchers' view)."""
    from balance.analysis.equity import equity_table

    eq = equity_table(b.year_view(), by="urban_rural")
    if eq.empty:
        return display.callout("没有可计算的学段单位。", "info")
    df = eq[["stage", "indicator", "gini", "theil_t", "theil_t_between_share", "mcloone", "urban_rural_ratio"]]
    order = {n: i for i, n in enumerate(b.assessment.standard.indicator_names)}
    df = df.sort_values(["stage", "indicator"], kind="stable",  # 小学 before 初中, indicators in table order
                        key=lambda c: c.map({st: i for i, st in enumerate(STAGES)} if c.name == "stage" else order))
    return display.show_table(
        df, columns={"stage": "学段", "indicator": "指标", "gini": "基尼系数", "theil_t": "泰尔T",
                     "theil_t_between_share": "城乡间差异占比", "mcloone": "McLoone指数", "urban_rural_ratio": "城乡比"},
        formats={"gini": 3, "theil_t": 4, "theil_t_between_share": "pct", "mcloone": 3, "urban_rural_ratio": 2},
        caption="公平性补充指标：泰尔指数城乡分解与 McLoone 指数（低于中位数学生获得的资源 ÷ 中位数水平）")


def scorecard(b: CountyBriefing) -> HTML:
    """The four-area scorecard (资源配置, 政府保障程度, 教育质量, 社会认可度) when a county sheet is given."""
    if not b.county_sheet:
        return display.callout("未提供县级填报表（生成简报时用 --county-sheet 指定），本简报只评估资源配置一项；"
                               "政府保障程度、教育质量、社会认可度需另行填报后评估。", "info")
    ev = b.evaluation
    card = ev.scorecard()
    v = next(ev.verdicts.itertuples(index=False))
    items = list(v.failing_items)
    # issue 11 item 6: refer to nothing the batch does not write beside the briefing
    clip = lambda s: s if len(s) <= 160 else s[:159] + "…"  # noqa: E731
    lines = [f"四个方面综合结论：{v.verdict}"] + [f"未达标：{clip(s)}" for s in items[:8]]
    if len(items) > 8:
        lines.append(f"……另有 {len(items) - 8} 项")
    box = display.callout_html("\n".join(lines), "pass" if v.passed else "fail", title="督导评估四个方面")
    return _html(box, display.table_html(card, caption="四个方面评估结果（括号内为达标项数/总项数）"))


def appendix(b: CountyBriefing) -> HTML:
    """Data-quality warnings, excluded sections with reasons, the standard, data file and checksum."""
    a = b.year_view()
    parts = []
    w = pd.concat([b.assessment.warnings, sheet_warnings(b)], ignore_index=True)
    if len(w):
        w = w[w["file"].notna()]
        parts.append(display.table_html(w, columns={"row": "行", "column": "列", "value": "值", "problem_zh": "提示"},
                                        caption=(f"数据提示（共 {len(w)} 条，其中县级填报表的比例提示影响评估结论）" if fraction_notes(b)
                                                 else f"数据提示（不影响计算，共 {len(w)} 条）"), max_rows=40))
    else:
        parts.append(display.callout_html("数据检查未发现需要提示的问题。", "pass"))
    ex = a.excluded
    if len(ex):
        parts.append(display.table_html(ex, columns={"stage": "学段", "school_name": "学校", "school_type": "学校类型",
                                                     "students": "在校生数", "exclusion_reason": "未纳入原因"},
                                        caption=f"未纳入评估的学段单位（{len(ex)} 个）"))
    std = a.standard
    meta = pd.DataFrame({"项目": ["评估标准", "标准文件", "数据文件", "SHA-256 校验值", "balance 版本", "生成时间"],
                         "内容": [std.title, Path(str(std.source)).name, Path(str(b.data_path)).name, b.sha256 or "—",
                                 __version__, b.generated]})  # file names, never server paths
    parts.append(display.table_html(meta, caption="计算依据与可追溯信息"))
    return _html(*parts)
