"""Plain-Chinese sentences generated from assessment results, for the briefing headline.

Leaders read these sentences and nothing else, so every number in them comes straight from the
result tables (no rounding before comparison; CVs shown with 3 decimals, limits with 2) and every
sentence states its subject. Pure functions: they take an :class:`~balance.method.assessment.Assessment`
and return strings, so tests can check the wording against the numbers.
"""
from __future__ import annotations

import pandas as pd


def fmt_amount(x: float, unit: str) -> str:
    """A natural-unit amount with thousands separators: 3450.2 ㎡ → "3,450.2 ㎡", 12 人 → "12 人".

    元 amounts of 10,000 or more are also given in 万元: 1,250,000 元 → "125.0 万元".
    """
    if unit == "元" and abs(x) >= 10_000:
        return f"{x / 10_000:,.1f} 万元"
    if float(x).is_integer():
        return f"{int(x):,} {unit}"
    return f"{x:,.1f} {unit}"


def fmt_addition(x: float, unit: str) -> str:
    """An amount to add, as :func:`fmt_amount` but rounded **up** at the shown precision, so that
    adding the figure as printed is always enough: 167.81 ㎡ → "167.9 ㎡", 12,345 元 → "1.3 万元"."""
    import math

    if not math.isfinite(x):
        return "—"
    if unit == "元" and abs(x) >= 10_000:
        return fmt_amount(math.ceil(x / 1000 - 1e-9) * 1000, unit)
    if float(x).is_integer():
        return fmt_amount(x, unit)
    return fmt_amount(math.ceil(x * 10 - 1e-9) / 10, unit)


def verdict_sentence(v, standard_short: str, standard=None, four_areas: bool | None = None) -> str:
    """The resource-allocation verdict, always labelled as such.

    ``four_areas``: ``None`` (plain sentence), ``False`` (no county sheet: say that this is one
    area of four and that the overall verdict was not evaluated), ``True`` (the four-area verdict
    is stated before this line).
    """
    word = "达到" if v.passed else "未达到"
    if standard is not None and standard.school_rule is None and standard.composite_cv is not None:
        # basic-2012 without provincial school standards: only the 综合差异系数 is judged
        s = f"{v.county_name} {v.year} 年义务教育校际均衡（综合差异系数）{word}{standard_short}标准"
    else:
        s = f"{v.county_name} {v.year} 年义务教育学校资源配置{word}{standard_short}标准"
    if four_areas is False:
        return s + "（仅资源配置一项；未提供县级填报表，四个方面综合结论未评估）。"
    if four_areas:
        return "其中资源配置：" + s[s.index("年") + 1:].replace("义务教育学校资源配置", "").strip() + "。"
    return s + "。"


def sections_sentence(v, standard) -> str | None:
    if standard.school_rule is None or pd.isna(v.sections_passed):
        return f"纳入校际均衡评估的学段单位共 {v.sections} 个。"
    parts = []
    for st in standard.stages:
        n = getattr(v, f"sections_{st}", 0)
        if n:
            parts.append(f"{st} {getattr(v, f'sections_passed_{st}')}/{n}")
    detail = f"（{'，'.join(parts)}）" if parts else ""
    return f"纳入评估的 {v.sections} 个学段单位中，{v.sections_passed} 个达到学校资源配置标准{detail}。"


def cv_sentence(ci: pd.DataFrame) -> str:
    decisive = ci[ci["decisive"]]
    failed = decisive[~decisive["cv_passed"].fillna(False).astype(bool)]
    if decisive.empty:
        return "没有可判定的差异系数。"
    what = "综合差异系数" if set(decisive["indicator"]) == {"综合差异系数"} else "差异系数"
    if failed.empty:
        return f"全部 {len(decisive)} 项{what}均在限值以内。"
    items = [cv_item(r) for r in failed.itertuples(index=False)]
    return f"{len(decisive)} 项{what}中有 {len(failed)} 项超过限值或无法计算：" + "；".join(items) + "。"


def cv_item(r) -> str:
    """One failing CV as every headline quotes it: 初中“生均体育运动场馆面积”0.505（限值 0.45）, or
    …“…”无法计算 when the CV is undefined (``r`` a ``county_indicators`` row with stage, indicator, cv,
    cv_limit)."""
    if pd.isna(r.cv):
        return f"{r.stage}“{r.indicator}”无法计算"
    return f"{r.stage}“{r.indicator}”{r.cv:.3f}（限值 {r.cv_limit:.2f}）"


def terms() -> dict:
    """The names of the three shortfall figures and the sentence that says why they differ
    (``terms`` of ``balance/data/labels.yaml``; issue 11 item 2)."""
    from balance.schema import labels

    return labels()["terms"]


def shortfall_sentence(cs: pd.DataFrame, top: int = 3) -> str | None:
    """The biggest 补齐缺口 (all sections below the standard), ranked by the number of such sections."""
    if cs.empty:
        return None
    s = cs.sort_values(["sections_below", "shortfall"], ascending=[False, False]).head(top)
    items = [f"{r.stage}“{r.indicator}”{r.sections_below} 个学段单位低于标准值，合计需增加 {fmt_amount(r.shortfall, r.add_unit)}"
             for r in s.itertuples(index=False)]
    return f"{terms()['gap']['name']}（所有低于标准值的学段单位）：" + "；".join(items) + "。"


def rectification_sentence(cs: pd.DataFrame, top: int = 3) -> str | None:
    """The 整改量 (sections failing the school rule only) when it differs from the 补齐缺口, with
    the one sentence that says why the figures differ; None when both are the same."""
    if cs.empty or "shortfall_failing_sections" not in cs:
        return None
    same = (cs["sections_below"] == cs["sections_failing"]) & \
        ((cs["shortfall"] - cs["shortfall_failing_sections"]).abs() <= 1e-9)
    if bool(same.all()):
        return None
    t = terms()
    f = cs[cs["sections_failing"] > 0].sort_values(["sections_failing", "shortfall_failing_sections"],
                                                   ascending=[False, False]).head(top)
    if f.empty:
        what = "为零（所有学段单位均达到学校达标规则）"
    else:
        what = "：" + "；".join(f"{r.stage}“{r.indicator}”{r.sections_failing} 个学段单位需增加 "
                                f"{fmt_amount(r.shortfall_failing_sections, r.add_unit)}" for r in f.itertuples(index=False))
    return f"{t['rectification']['name']}（只计未达到学校达标规则的学段单位）{what}。{t['differs']}"


def change_sentence(cur, prev, ci_cur: pd.DataFrame, ci_prev: pd.DataFrame, standard) -> str:
    """Change since the previous year in the data: passing sections and failing CVs."""
    parts = []
    if standard.school_rule is not None and prev.sections:
        a, b = int(prev.sections_passed), int(cur.sections_passed)
        share_a, share_b = a / prev.sections, b / cur.sections if cur.sections else 0
        if f"{share_a:.0%}" == f"{share_b:.0%}":
            parts.append(f"学段单位达标率保持在 {share_b:.0%}")
        else:
            verb = "提高" if share_b > share_a else "下降"
            parts.append(f"学段单位达标率由 {share_a:.0%} {verb}至 {share_b:.0%}")
    def n_fail(ci):
        d = ci[ci["decisive"]]
        return int((~d["cv_passed"].fillna(False).astype(bool)).sum())
    fa, fb = n_fail(ci_prev), n_fail(ci_cur)
    if fa != fb:
        parts.append(f"未通过的差异系数由 {fa} 项{'减少' if fb < fa else '增加'}为 {fb} 项")
    else:
        parts.append(f"未通过的差异系数仍为 {fb} 项")
    if bool(prev.passed) != bool(cur.passed):
        parts.append("由未达到转为达到标准" if cur.passed else "由达到转为未达到标准")
    return f"与 {prev.year} 年相比：" + "，".join(parts) + "。"


def headline(assessment, county_code: str, year: int, four_areas: bool | None = None,
             previous_year: int | None = None) -> list[str]:
    """The briefing's headline: 3–5 plain sentences about one county and year.

    ``assessment`` may hold several years; ``previous_year`` (default: the previous year present
    in the data, if any) is used for the change sentence — the same year as the briefing's
    「与上年相比」 table.
    """
    std = assessment.standard
    v_all = assessment.verdicts[assessment.verdicts["county_code"] == county_code]
    cur = v_all[v_all["year"] == year]
    if cur.empty:
        raise KeyError(f"{county_code} {year} not in the assessment / 评估结果中没有该县区年份")
    cur = next(cur.itertuples(index=False))
    ci = assessment.county_indicators
    ci_cur = ci[(ci["county_code"] == county_code) & (ci["year"] == year)]
    cs = assessment.county_shortfalls
    cs_cur = cs[(cs["county_code"] == county_code) & (cs["year"] == year)] if not cs.empty else cs
    lines = [verdict_sentence(cur, std.short_title, std, four_areas), sections_sentence(cur, std), cv_sentence(ci_cur)]
    s = shortfall_sentence(cs_cur)
    if s:
        lines.append(s)
        if std.school_rule is not None:
            lines.append(rectification_sentence(cs_cur))
    prev_years = sorted(y for y in v_all["year"].unique() if y < year)
    if previous_year is not None:
        prev_years = [previous_year] if previous_year in set(v_all["year"]) else []
    if prev_years:
        py = prev_years[-1]
        prev = next(v_all[v_all["year"] == py].itertuples(index=False))
        ci_prev = ci[(ci["county_code"] == county_code) & (ci["year"] == py)]
        lines.append(change_sentence(cur, prev, ci_cur, ci_prev, std))
    return [x for x in lines if x]


def headline_items(assessment, county_code: str, year: int, four_areas: bool | None = None,
                   previous_year: int | None = None) -> list[tuple[str, str]]:
    """:func:`headline` with a mark per line ("pass"/"fail"/"warn"/"info") for the headline box.

    The marks come from the same verdict row as the sentences: the verdict line is ✓ only when
    the county passes; the sections line is ✓ only when every section passes (info when the
    standard has no school rule); the CV line is ✓ only when every decisive CV passes.
    """
    lines = headline(assessment, county_code, year, four_areas=four_areas, previous_year=previous_year)
    v = assessment.verdicts
    v = next(v[(v["county_code"] == county_code) & (v["year"] == year)].itertuples(index=False))
    has_rule = assessment.standard.school_rule is not None and not pd.isna(v.sections_passed)
    kinds = ["pass" if bool(v.passed) else "fail",
             ("pass" if int(v.sections_passed) == int(v.sections) else "warn") if has_rule else "info",
             "pass" if int(v.cvs_passed) == int(v.cvs_decisive) else "fail"]
    kinds += ["info"] * (len(lines) - len(kinds))
    return list(zip(lines, kinds))
