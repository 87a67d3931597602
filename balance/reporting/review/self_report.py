"""The 自评报告 draft: its content as a list of blocks, from :class:`~balance.reporting.review.facts.ReviewFacts`.

One content, two renderings (:mod:`balance.reporting.review.render`): HTML that prints to A4, and
a .docx staff can edit. The order follows the method (four areas, items in order): 一、基本情况;
二、资源配置 (school rule per stage, the CV table, the school table summary); 三至五、政府保障程度、
教育质量、社会认可度 item by item; 六、一票否决; 七、存在的问题与整改方向 (failing and missing items,
补齐缺口 / 整改量, the least-cost plan's total when computed). Thresholds in sentences come from the
standard in use (:mod:`balance.reporting.wording`) or from the item's own rule text.

A block is ``(kind, payload)``: ``("title", str)``, ``("h2", str)``, ``("h3", str)``, ``("p", str)``,
``("ul", list[str])``, ``("table", (caption, DataFrame of str))``. Every number in a block is already
formatted here, so the HTML and the .docx show the same text.
"""
from __future__ import annotations

import math

import pandas as pd

from balance.reporting import narrative, wording

AREA_HEADINGS = (("government", "三、政府保障程度"), ("quality", "四、教育质量"), ("recognition", "五、社会认可度"),
                 ("veto", "六、一票否决事项"))


def fmt_number(x, digits: int = 2) -> str:
    """A number as shown in the report: integers with thousands separators, others with ``digits``."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, str):
        return x
    x = float(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:,.{digits}f}"


def _item_value(item: str, v) -> str:
    if isinstance(v, float) and not math.isnan(v):
        return f"{v:.3f}" if item.endswith("差异系数") else fmt_number(v)
    return fmt_number(v)


def item_lines(items: pd.DataFrame) -> list[str]:
    """One sentence per item: number, requirement, actual value, status, source and note."""
    out = []
    for r in items.itertuples(index=False):
        shown = getattr(r, "shown", None)
        value = shown if isinstance(shown, str) and shown else _item_value(r.item, r.value)
        note = f"；{r.note}" if r.note else ""
        out.append(f"第{r.item_no}项 {r.item}——{r.status}。要求：{r.rule}；实际：{value}（{r.source}）{note}")
    return out


def _facts_sentence(f) -> str:
    d = dict(zip(f.facts["项目"], f.facts["数值"]))
    if "义务教育学校数" not in d:
        return f"纳入评估的学段单位 {fmt_number(d.get('纳入评估的学段单位', f.sections))} 个。"
    kinds = "、".join(f"{k.removeprefix('其中：')} {fmt_number(v)} 所" for k, v in d.items() if k.startswith("其中："))
    where = "、".join(f"{u} {fmt_number(d[f'位于{u}的学校'])} 所" for u in ("城区", "镇区", "乡村") if f"位于{u}的学校" in d)
    return (f"{f.year} 年，{f.county_name}共有义务教育学校 {fmt_number(d['义务教育学校数'])} 所（{kinds}），"
            f"其中{where}。小学在校生 {fmt_number(d['小学在校生数'])} 人、{fmt_number(d['小学班数'])} 个班，"
            f"专任教师 {fmt_number(d['小学专任教师数'])} 人；初中在校生 {fmt_number(d['初中在校生数'])} 人、"
            f"{fmt_number(d['初中班数'])} 个班，专任教师 {fmt_number(d['初中专任教师数'])} 人。"
            f"纳入资源配置评估的学段单位 {fmt_number(d['纳入评估的学段单位'])} 个。")


def bachelor_sentence(r: dict) -> str:
    """The urban–rural bachelor-degree ratio (:func:`balance.analysis.degrees.bachelor_ratio` row) in one sentence."""
    met = "达到" if bool(r["met"]) else "未达到"
    return (f"城乡教师本科及以上学历比例之比（{r['groups']}）：城市组 {r['urban_share']:.1%}、农村组 {r['rural_share']:.1%}，"
            f"比为 {r['ratio']:.3f}，{met}不高于 {r['target']:g} 的目标。")


def cv_frame(f) -> pd.DataFrame:
    cv = f.cv
    return pd.DataFrame({"学段": cv["stage"], "指标": cv["indicator"],
                         "县域均值": [f"{fmt_number(v)} {u}" for v, u in zip(cv["value"], cv["unit"])],
                         "差异系数": [fmt_number(v, 3) if not pd.isna(v) else "—" for v in cv["cv"]],
                         "限值": [fmt_number(v) for v in cv["cv_limit"]],
                         "是否达标": ["—" if pd.isna(p) else ("是" if p else "否") for p in cv["cv_passed"]]})


def school_summary(f) -> pd.DataFrame:
    """Per stage × indicator: sections, the standard, the county mean and the sections below the standard
    (the school table in one line per indicator; the full table is in 申报表.xlsx)."""
    cv, g = f.cv, f.shortfalls
    below = {(r.stage, r.indicator): r.sections_below for r in g.itertuples(index=False)} if len(g) else {}
    return pd.DataFrame({"学段": cv["stage"], "指标": cv["indicator"], "学段单位数": [fmt_number(x) for x in cv["sections"]],
                         "标准值": [fmt_number(x) for x in cv["standard"]],
                         "县域均值": [fmt_number(x) for x in cv["value"]],
                         "低于标准值的学段单位数": [fmt_number(below.get((s, i), 0)) for s, i in zip(cv["stage"], cv["indicator"])]})


def gap_frame(f) -> pd.DataFrame:
    t = narrative.terms()
    g = f.shortfalls
    return pd.DataFrame({"学段": g["stage"], "指标": g["indicator"],
                         t["gap"]["name"]: [f"{fmt_number(x, 1)} {u}" for x, u in zip(g["shortfall"], g["add_unit"])],
                         t["rectification"]["name"]: [f"{fmt_number(x, 1)} {u}" for x, u in
                                                      zip(g["shortfall_failing_sections"], g["add_unit"])]})


def _resource(f) -> list[tuple]:
    std = f.standard
    blocks: list[tuple] = [("h2", f"二、资源配置（{f.verdict['resource_status']}）")]
    rule = wording.school_rule(std)
    res = f.area_items("resource")
    stage_rows = res[res["item"].str.endswith("学段单位达到学校标准")]
    lines = [f"{r.item.removesuffix('学段单位达到学校标准')}：{r.value} 个学段单位达到学校标准（{r.status}）"
             for r in stage_rows.itertuples(index=False)]
    if rule:
        blocks.append(("p", f"学校达标规则：{rule}。" + "；".join(lines) + ("。" if lines else "")))
    blocks.append(("h3", "（一）校际差异系数"))
    blocks.append(("p", wording.cv_intro(std)))
    blocks.append(("table", ("各项指标县域均值与差异系数", cv_frame(f))))
    blocks.append(("h3", "（二）各校资源配置情况"))
    passed = f"，其中 {f.sections_passed} 个达到学校标准" if rule else ""
    blocks.append(("p", f"共 {f.sections} 个学段单位{passed}；"
                        "各学段单位各项指标的具体数值见《申报表》的校际资源配置表。"))
    blocks.append(("table", ("各项指标达标情况汇总", school_summary(f))))
    return blocks


def _problems(f) -> list[tuple]:
    t = narrative.terms()
    blocks: list[tuple] = [("h2", "七、存在的问题与整改方向")]
    failing = list(f.verdict.get("failing_items") or [])
    if failing:
        blocks.append(("p", f"未达标事项 {f.verdict['items_failed']} 项，缺少数据的事项 {f.verdict['items_missing']} 项："))
        blocks.append(("ul", failing))
    else:
        blocks.append(("p", "四个方面各项均已达标，无一票否决事项。"))
    if len(f.shortfalls):
        blocks.append(("p", f"{t['gap']['name']}：{t['gap']['means']}；{t['rectification']['name']}："
                            f"{t['rectification']['means']}。{t['differs']}"))
        blocks.append(("table", (f"{t['gap']['name']}与{t['rectification']['name']}", gap_frame(f))))
    if f.plan_total is not None and f.resource_passed:
        blocks.append(("p", "资源配置已达标，无需追加投入。"))
    elif f.plan_total is not None:
        check = "" if f.plan_feasible is not False else "注意：测算方案未能使全部指标达标，请人工复核。"
        blocks.append(("p", f"{t['plan']['name']}：{t['plan']['means']}，按默认单价测算约 "
                            f"{narrative.fmt_amount(f.plan_total, '元')}。{check}"))
    blocks.append(("p", "各项整改任务的牵头单位、责任人、整改措施和完成时限见整改台账（balance ledger）。"))
    return blocks


def report_blocks(f) -> list[tuple]:
    """The whole report as blocks (see the module docstring)."""
    std = f.standard
    sheet = "和县级填报表" if f.has_sheet else ""
    blocks: list[tuple] = [
        ("title", f"{f.county_name}义务教育{wording.programme(std)}自评报告（{f.year} 年）"),
        ("p", f"依据评估标准“{std.title}”，根据 {f.year} 年学校数据{sheet}，对{f.county_name}（{f.county_code}）义务教育"
              f"{wording.programme(std)}情况进行自评。自评结论：{f.verdict['verdict']}"
              f"（县域须四个方面均达标且无一票否决事项）。"),
        ("p", "本报告为草稿：文中数字均由评估结果生成，请核对后结合本县实际补充工作举措与佐证材料。"
              + ("" if f.has_sheet and f.sheet_row else "未提供该县区该年度的县级填报数据，需县级填报的事项均为“缺失”。")),
        ("h2", "一、基本情况"), ("p", _facts_sentence(f)), ("table", ("县域基本情况", f.facts.assign(
            数值=[fmt_number(v) for v in f.facts["数值"]]))),
    ]
    if f.bachelor is not None:
        blocks.append(("p", bachelor_sentence(f.bachelor)))
    blocks += _resource(f)
    for area, heading in AREA_HEADINGS:
        blocks.append(("h2", f"{heading}（{f.verdict[f'{area}_status']}）"))
        blocks.append(("ul", item_lines(f.area_items(area))))
    blocks += _problems(f)
    return blocks
