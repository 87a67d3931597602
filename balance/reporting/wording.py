"""Sentences that quote a threshold, a limit or the school rule — always from the standard in use.

Issue 11 item 5: a briefing on basic-2012 or a provincial standard must not quote quality-2017's
0.50 / 0.45 limits or its "6 of 7, 85 %" school rule. Every such sentence is built here from a
:class:`~balance.method.standards.Standard`, so a test can render it under every shipped standard.
"""
from __future__ import annotations


def pct(x: float) -> str:
    """0.85 → "85%", 0.825 → "82.5%"."""
    v = round(x * 100, 1)
    return f"{v:g}%"


def _stage_limits(limits: dict) -> str:
    return "，".join(f"{st}不超过 {v:.2f}" for st, v in limits.items())


def cv_rule(std) -> str:
    """What the CVs must satisfy under ``std`` (limits per stage; composite when that decides)."""
    parts = []
    if std.cv_limit and std.county_rule.each_cv_within_limit:
        parts.append(f"每一项差异系数单独判定：{_stage_limits(std.cv_limit)}。")
    elif std.cv_limit:
        parts.append(f"单项差异系数参考限值：{_stage_limits(std.cv_limit)}（不单独判定）。")
    if std.composite_cv is not None:
        parts.append(f"{std.composite_cv.name}（各项差异系数的平均）：{_stage_limits(std.composite_cv.limit)}；"
                     "单项差异系数不单独判定。")
    return "".join(parts) or "本评估标准未规定差异系数限值。"


def cv_intro(std) -> str:
    return ("差异系数 = 各校指标值按学生数加权的标准差 ÷ 县域均值（总体公式，不减 1）。"
            f"{std.short_title}标准：{cv_rule(std)}")


def school_rule(std, n: int | None = None) -> str | None:
    """The school rule in words ("7 项指标中至少 6 项达到标准，其余 1 项不低于标准的 85%"), or None."""
    r = std.school_rule
    if r is None:
        return None
    n = len(std.indicators) if n is None else n
    return f"{n} 项指标中至少 {r.min_met} 项达到标准，其余 {n - r.min_met} 项不低于标准的 {pct(r.floor_ratio)}"


def distribution_intro(std) -> str:
    rule = school_rule(std)
    if rule is None:
        return ("每所学校（学段单位）一根柱，按数值从低到高排列。本评估标准未设学校达标值"
                "（基本均衡的学校标准由各省制定），图中不画标准线。")
    return (f"每所学校（学段单位）一根柱，按数值从低到高排列；实线为标准值，虚线为标准值的 "
            f"{pct(std.school_rule.floor_ratio)}。学校达标规则：{rule}。")


def rectification_intro(std) -> str:
    if std.school_rule is None:
        return "本评估标准未规定学校达标规则，不列整改清单。"
    return ("未达到学校达标规则的学段单位，以及补齐到标准值尚需增加的教师、校舍面积、设备和教室数量。"
            "数量是学校在自己的填报数据项上需要增加的数（教师、教室按整数向上取整）：九年一贯制、完全中学等"
            "学校的共用设施按加权在校生数分摊，一个学段只分得全校的一部分，所以学校要增加的比该学段缺的多；"
            "同一学校几个学段缺同一共用设施时，按其中最大的数增加一次即可。")


def year_span(years) -> str:
    """The years of ``years`` as the briefings write them everywhere (text, captions, titles):
    ``"2021—2025 年"`` (em dash, as in Chinese text, then a space and 年), or ``"2025 年"`` for one
    year. ``years``: any iterable of years (sorted here); an empty one gives ``""``."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    return f"{ys[0]} 年" if len(ys) == 1 else f"{ys[0]}—{ys[-1]} 年"


def programme(std) -> str:
    """What the briefing monitors, by standard: 优质均衡发展 (quality-2017) or 均衡发展 (basic-2012
    and provincial basic standards) — a basic-2012 briefing is not titled 优质均衡."""
    return std.programme
