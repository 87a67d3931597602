"""The county briefing's plan section (八、达标投入测算): cost, lower bound and gap, the main items,
the year-by-year schedule when a target year is given, and the schools that drive each failing CV.

Every number is that of the plan's own files: the cost, bound and gap of ``plan_summary.json``
(:meth:`Plan.certificate`, computed once in the planner) and the yearly sums of
``plan_schedule.csv`` (:func:`balance.analysis.planner.schedule.schedule_plan`), shown in 万元 with
one decimal as the console prints them.
"""
from __future__ import annotations

import re

import pandas as pd
from IPython.display import HTML

from balance.reporting import display, narrative
from balance.reporting.briefing._common import _html


def _wan(x: float) -> str:
    return f"{x / 10_000:,.1f} 万元"


def certificate_sentence(p, price_note: bool = True) -> str:
    """"需投入 … 万元；成本下界 … 万元，高出下界 …%": the numbers of ``plan_summary.json``
    (with ``price_note``, the sentence that default prices are illustrative)."""
    cost = p.total_cost
    lb = p.lower_bound
    s = f"按单价测算需投入 {_wan(cost)}"
    if lb is not None and cost > 0:
        s += (f"；成本下界 {_wan(lb)}（在这些单价下任何达标方案都不低于此值），方案高出下界 {p.gap:.2%}"
              "（含教师、教室取整和面积、设备向上取整）")
    s += "。"
    if price_note and p.costs_illustrative:
        s += "默认单价仅为示意，不是官方或本地价格；正式测算请用省、市单价文件（balance plan --costs）。"
    return s


def schedule_table(schedule: pd.DataFrame) -> pd.DataFrame:
    """投入年份 / 投入（万元） / 超出目标年份: the yearly sums of ``plan_schedule.csv``."""
    s = schedule[schedule["cost"] > 0]
    g = s.groupby(["spend_year", "beyond_target"], sort=True)["cost"].sum().reset_index()
    g["cost_wan"] = g["cost"] / 10_000
    g["when"] = ["目标年份之后（年度上限内排不下）" if b else "目标年份内" for b in g["beyond_target"]]
    return g


def planning(b, target_year: int | None = None, annual_cap_wan: float | None = None) -> HTML:
    """Cost to pass with its lower bound and gap, the main items, the schedule to ``target_year``
    (optional, with ``annual_cap_wan`` 万元 a year) and the schools that drive each failing CV."""
    p = b.plan
    if p is None:
        return display.callout("本评估标准不适用投入测算。", "info")
    t = narrative.terms()
    if b.verdict.passed and target_year is None:
        parts = [display.callout_html("资源配置已达标，无需追加投入。", "pass")]
    else:
        head = "资源配置已达标。" if b.verdict.passed else ""
        parts = [display.callout_html(
            head + f"{t['plan']['name']}：使所有学段单位达标且每项差异系数不超过限值的最低投入。"
            + certificate_sentence(p) + t["differs"]
            + ("" if p.feasible else " 注意：测算方案未能使全部指标达标，请人工复核。"),
            "info", title="达标投入测算")]
    parts += _items(p, t)
    if target_year is not None:
        parts += _schedule(b, int(target_year), annual_cap_wan)
    parts += _drivers(b)
    return _html(*parts)


def _items(p, t) -> list[str]:
    items = p.items
    items = items[items["cost"] > 0] if len(items) else items  # a zero-cost row is no investment
    if not len(items):
        return []
    g = items.assign(item=[f"{k}{re.sub(r'[（(][^）)]*[）)]$', '', str(c))}"
                           for k, c in zip(items["kind_zh"], items["column"])]) \
        .groupby(["item", "unit"], sort=False).agg(amount=("amount", "sum"), cost=("cost", "sum"),
                                                  schools=("school_code", "nunique")).reset_index()
    g = g.sort_values("cost", ascending=False)
    g["cost_wan"] = g["cost"] / 10_000
    return [display.table_html(g, columns={"item": "投入项目", "schools": "涉及学校数", "amount": "数量",
                                           "unit": "单位", "cost_wan": "估算费用（万元）"},
                               formats={"amount": 0, "cost_wan": 1}, caption=f"{t['plan']['name']}的主要投入项目")]


def _schedule(b, target_year: int, cap) -> list[str]:
    from balance.analysis.planner.schedule import schedule_plan

    sp, sched, notes = schedule_plan(b._table, target_year, cap, b.standard_id, county=b.county_code, year=b.year)
    lines = [f"到 {target_year} 年分年度安排：{certificate_sentence(sp, price_note=False)}", f"学生数依据：{sp.pupil_basis}"]
    lines += [f"注：{n.split(' / ')[0]}" for n in notes]  # the Chinese half of the bilingual note
    parts = [display.callout_html("\n".join(lines), "info", title="分年度安排")]
    if len(sched) and (sched["cost"] > 0).any():
        parts.append(display.table_html(schedule_table(sched),
                                        columns={"spend_year": "投入年份", "cost_wan": "投入（万元）", "when": "安排"},
                                        formats={"cost_wan": 1, "spend_year": "plain"},
                                        caption=f"分年度投入（至 {target_year} 年"
                                                + (f"，每年不超过 {cap:,.1f} 万元）" if cap else "，逐年平均）")))
    return parts


def _drivers(b) -> list[str]:
    from balance.analysis.planner import cv_contributions

    a = b.year_view()
    ci = a.county_indicators
    failing = ci[ci["decisive"] & ~ci["cv_passed"].fillna(False).astype(bool)]
    if not len(failing):
        return []
    contrib = cv_contributions(a)
    top = pd.concat([contrib[(contrib.stage == r.stage) & (contrib.indicator == r.indicator)].head(5)
                     for r in failing.itertuples(index=False)], ignore_index=True)
    return [display.table_html(
        top, columns={"stage": "学段", "indicator": "指标", "school_name": "学校", "students": "在校生数",
                      "value": "指标值", "contribution": "对差异的贡献"},
        formats={"value": 2, "contribution": "pct"},
        caption="推高超限差异系数的主要学校（各校占加权方差的比例，前 5 所）")]
