"""``plan.xlsx``: the least-cost plan for people — Chinese sheets, every cell through the safe writer.

Sheets (names in ``labels.yaml`` ``sheets``): 说明 (what least-cost means, the unit prices and that
the defaults are illustrative, how a province file overrides them, the lower bound and the gap,
which pupil numbers were used), 方案汇总 (per county-year: cost, bound, gap, before → after),
学校追加清单 (per school: what to add to which of its own input columns, at what cost; no zero-cost
rows, no raw column names) and, with a schedule, 分年度安排. The numbers are those of
``plan_summary.json`` / ``plan.csv`` / ``plan_schedule.csv`` (the same frames, converted to 万元
once here: ``cost_wan = cost / 10 000``). Cells are written in the
house style of :mod:`balance.io.export.xlsx` (names stay text; numbers formatted by unit).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from balance.io.export.xlsx import chinese_names
from balance.reporting import wording
from balance.schema import HEADERS, labels

#: the fields a plan may add to, in the order the unit-price table lists them
_PRICE_FIELDS = ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "teaching_area", "sports_ground_area",
                 "equipment_value", "multimedia_rooms")


def plan_about(p, pupil_basis: str | None = None) -> pd.DataFrame:
    """The 说明 sheet's rows (项目, 内容): every sentence built from the plan's own standard and prices."""
    from balance import __version__

    std, costs = p.standard, p.costs
    t = labels()["terms"]["plan"]
    rule = wording.school_rule(std)
    what = (f"{t['name']}：{t['means']}。“最低成本”指在下列单价下，追加数量 × 单价之和（加上交流轮岗费用）最小；"
            "追加的是各校自己的数据项（用房、场地、设备、教室、教师），共用设施的学校按分摊比例分给各学段。"
            + (f"学校达标规则：{rule}（由求解器选择哪一项按下限达标）。" if rule else "")
            + f"差异系数：{wording.cv_rule(std)}")
    price_src = "默认单价（balance/data/costs.yaml）" if p.costs_illustrative else f"单价文件 {Path(costs.source).name}"
    rows = [("评估标准", std.title), ("方案含义", what),
            ("单价来源", price_src + (f"；教师费用按 {costs.teacher_years:g} 年人员经费计" if costs.teacher_years else "")),
            ("单价说明", "默认单价仅为示意（数量级合理的整数），不是官方或本地价格，正式测算前请替换。"
             if p.costs_illustrative else "使用用户提供的单价文件。"),
            ("如何替换单价", "运行 balance plan --costs 省级单价文件.yaml；文件的键与 costs.yaml 相同，未写出的键沿用默认值。"),
            ("成本下界与差距", "成本下界是求解器证明的下界：在这些单价下，满足上述条件的任何方案都不低于此值。"
             "差距 =（方案成本 − 成本下界）÷ 方案成本，包括优化部分与教师、教室取整、面积和设备按取整单位向上取整的部分。"),
            ("学生数依据", pupil_basis or p.pupil_basis or _default_basis(p)),
            ("说明", "CSV 文件（plan.csv、plan_summary.csv、plan_schedule.csv）为程序读取用，列名为英文；本工作簿与其数值相同。"),
            ("balance 版本", __version__),
            ("生成时间", datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M"))]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def _default_basis(p) -> str:
    years = sorted({int(c["year"]) for c in p.counties})
    return f"使用数据年份（{'、'.join(map(str, years))} 年）的在校生数。" if years else "—"


def price_table(p) -> pd.DataFrame:
    """项目 / 单价（元） / 单位 for the fields a plan adds to (teachers per year × ``teacher_years``)."""
    rows = []
    names = labels()["plan_prices"]
    for f in _PRICE_FIELDS:
        it = p.costs.items.get(f)
        if it is not None:
            rows.append((names.get(f, HEADERS.get(f, f)), float(it["cost"]), str(it.get("unit", ""))))
    if p.transfers:
        rows.append(("交流轮岗（每人）", float(p.costs.transfer_per_teacher), "元/人·年"))
    return pd.DataFrame(rows, columns=["项目", "单价（元）", "单位"])


def summary_frame(p) -> pd.DataFrame:
    """方案汇总: one row per county-year, the numbers of ``plan_summary.json``."""
    rows = []
    status = labels()["plan_status"]
    for c in p.counties:
        b, a = c["before"], c["after"]
        lb = c.get("lower_bound")
        row = {"year": c["year"], "county_code": c["county_code"], "county_name": c["county_name"],
               "passed_before": "达到" if b["passed"] else "未达到", "passed_after": "达到" if a["passed"] else "未达到",
               "sections": a["sections"], "sections_passed_before": b["sections_passed"],
               "sections_passed_after": a["sections_passed"], "cvs_decisive": a["cvs_decisive"],
               "cvs_passed_before": b["cvs_passed"], "cvs_passed_after": a["cvs_passed"],
               "cost_wan": c["total_cost"] / 1e4, "lower_bound_wan": None if lb is None else lb / 1e4,
               "gap": c.get("gap"), "solver_status": status.get(c.get("solver_status"), c.get("solver_status"))}
        if c.get("budget") is not None:
            row.update(budget_wan=c["budget"] / 1e4, budget_left_wan=(c.get("budget_left") or 0.0) / 1e4,
                       unmet=list(a["failing_items"]))
        rows.append(row)
    return pd.DataFrame(rows)


def items_frame(p) -> pd.DataFrame:
    """学校追加清单: per school, what to add to which own input column and its cost (cost > 0 only)."""
    it = p.items[p.items["cost"] > 0] if len(p.items) else p.items
    cols = ["year", "county_name", "school_code", "school_name", "school_type", "stage", "column", "kind_zh",
            "amount", "unit", "unit_cost", "cost_wan"] + (["counterpart"] if p.transfers else [])
    out = it.assign(cost_wan=it["cost"] / 1e4) if len(it) else it.assign(cost_wan=pd.Series(dtype="float64"))
    return out[cols].reset_index(drop=True)


def schedule_frame(schedule: pd.DataFrame) -> pd.DataFrame:
    """分年度安排: the rows of ``plan_schedule.csv`` (cost > 0), in 万元, in spending order."""
    s = schedule[schedule["cost"] > 0] if len(schedule) else schedule
    s = s.assign(cost_wan=s["cost"] / 1e4, beyond_target=s["beyond_target"].astype(bool))
    cols = ["spend_year", "beyond_target", "county_name", "school_code", "school_name", "stage", "column", "kind",
            "amount", "unit", "cost_wan"]
    s = s[cols].copy()
    s["kind"] = s["kind"].map({"add": "新增"}).fillna(s["kind"])
    return s.sort_values(["spend_year", "school_code"], kind="stable").reset_index(drop=True)


def write_plan_workbook(p, path: "str | Path", schedule: pd.DataFrame | None = None,
                        pupil_basis: str | None = None) -> None:
    """Write ``plan.xlsx`` (see the module text) to ``path``, in the house style of
    :mod:`balance.io.export.xlsx` (说明 first, formats by unit from ``formats.yaml``)."""
    from balance.io.export.xlsx import About, Sheet, save_workbook

    names, holds = labels()["sheets"], labels()["sheet_holds"]
    frames = [("plan_summary", summary_frame(p), "D2"), ("plan_items", items_frame(p), "E2")]
    if schedule is not None:
        frames.append(("plan_schedule", schedule_frame(schedule), "F2"))
    sheets = [Sheet(names[k], df, holds[k], key=k, freeze=freeze) for k, df, freeze in frames]
    about = plan_about(p, pupil_basis)
    lines = [(k, v) for k, v in about.itertuples(index=False, name=None)
             if k not in ("评估标准", "balance 版本", "生成时间")]
    lines += [(f"单价（{unit or '元'}）：{item}", cost) for item, cost, unit in price_table(p).itertuples(index=False)]
    save_workbook(path, sheets, About(standard=p.standard.title, lines=lines))


def sheet_headers(key: str, columns) -> list[str]:
    """The Chinese headers a plan sheet shows for ``columns`` (tests and documentation)."""
    names = chinese_names(columns, key)
    return [names[c] for c in columns]
