"""The rectification ledger (整改台账): every open item of one year, carried over from year to year.

A county plan asks the bureau to 「分别建立已达标台账和未达标台账」 and that 「所有任务均明确时间进度及
责任人」. :func:`build_ledger` lists, for one year, one row per open item:

* ``R`` — a school section × indicator below its standard, with the amount to add to the school's
  own input column (:attr:`balance.method.assessment.Assessment.shortfalls`, unrounded);
* ``S`` — a section that fails the school rule (at least ``min_met`` of the indicators at the
  standard and the rest at ``floor_ratio`` of it; both from the standard in use);
* ``CV`` — a decisive coefficient of variation above its limit (gap = CV − limit);
* ``E`` — with a county sheet, each item of the other three areas (政府保障程度, 教育质量,
  社会认可度) and each one-vote veto that is not met or is missing
  (:func:`balance.method.evaluation.evaluate`; a missing answer is an open item, never passed).

Item ids are stable from year to year (no year inside): ``R:<county>:<school>:<stage>:<indicator>``,
``S:<county>:<school>:<stage>``, ``CV:<county>:<stage>:<indicator>``, ``E:<county>:<area>:<no>``.

With the previous ledger (as the bureau filled it, :func:`read_previous_ledger`), every earlier row
is kept with the bureau's columns (牵头单位, 责任人, 整改措施, 完成时限, 备注) and gets a status:

* 已整改 — the item's subject is still in the data and now meets its standard;
* 未完成 — still open; 已逾期 when its 完成时限 is before the as-of date;
* 新增 — open this year, not in the previous ledger (every row of a first ledger);
* 本年无数据 — the subject is not in this year's data (school closed or out of scope, county not
  selected, no county sheet given): kept, never dropped, with the reason in 说明.

Last year's value and gap (上年值, 上年差距) stand beside this year's.

The ledger's files (the columns, reading last year's filled-in workbook, writing this year's)
live in :mod:`balance.analysis.ledger_file`; their names are importable from here as before.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from balance.analysis.ledger_file import (  # noqa: F401  (the file's contract and reading: public here too)
    COLUMNS,
    FILLED,
    LEDGER_SHEET,
    MAX_TEXT,
    parse_deadline,
    read_previous_ledger,
    write_ledger,
)
from balance.io.export.xlsx import house_style

__all__ = [
    "STATUSES", "KINDS", "COLUMNS", "FILLED", "LEDGER_SHEET", "MAX_TEXT", "Ledger", "ledger_counts",
    "overdue_items", "open_items", "build_ledger", "parse_deadline", "read_previous_ledger",
    "write_ledger",
]

STATUS_FIXED, STATUS_OPEN, STATUS_OVERDUE, STATUS_NEW, STATUS_GONE = "已整改", "未完成", "已逾期", "新增", "本年无数据"
STATUSES = (STATUS_NEW, STATUS_OPEN, STATUS_OVERDUE, STATUS_FIXED, STATUS_GONE)
KINDS = {"R": "学校指标未达标准", "S": "学段单位未达学校标准", "CV": "差异系数超过上限", "E": "其他领域事项"}



@dataclass
class Ledger:
    """Result of :func:`build_ledger`.

    Attributes
    ----------
    rows : DataFrame   one row per item, columns :data:`COLUMNS` (English keys)
    year : int         the year assessed
    as_of : date       the date deadlines are compared with
    standard : str     title of the standard in use
    previous : str or None  path of the previous ledger
    """

    rows: pd.DataFrame
    year: int
    as_of: dt.date
    standard: str
    previous: str | None = None
    counties: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["county_code", "county_name"]))

    def counts(self) -> pd.DataFrame:
        """Items per county × status (every status a column, zeros included; every county assessed listed)."""
        return ledger_counts(self.rows, self.counties)

    def overdue(self) -> pd.DataFrame:
        """The overdue items with their owners and deadlines."""
        return overdue_items(self.rows)


def ledger_counts(rows: pd.DataFrame, counties: pd.DataFrame | None = None) -> pd.DataFrame:
    """Items per ``county_code``, ``county_name`` and status: one column per :data:`STATUSES` and 合计.

    ``counties`` (county_code, county_name) adds the counties without any item (all zeros)."""
    keys = ["county_code", "county_name"]
    frames = [rows[keys]] + ([counties[keys]] if counties is not None and len(counties) else [])
    every = pd.concat(frames).drop_duplicates("county_code").sort_values("county_code")
    out = every.reset_index(drop=True)
    for s in STATUSES:
        n = rows[rows["status"] == s].groupby("county_code").size()
        out[s] = out["county_code"].map(n).fillna(0).astype(int)
    out["合计"] = out[list(STATUSES)].sum(axis=1).astype(int)
    return out


def overdue_items(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with status 已逾期: id, county, school, item, 牵头单位, 责任人, 完成时限."""
    cols = ["item_id", "county_code", "county_name", "school_name", "item", "lead_unit", "owner", "deadline"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    return rows.loc[rows["status"] == STATUS_OVERDUE, cols].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ items

def _fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or x is pd.NA:
        return ""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{digits}f}"
    return str(x)


def _item_value(r) -> str:
    """An evaluation item's 本年值: its status and its value as the evaluation shows it (``shown``,
    "未达标：84.8 %"), or the status alone when there is no value."""
    shown = getattr(r, "shown", None)
    text = shown if isinstance(shown, str) and shown not in ("", "—") else _fmt(r.value)
    return f"{r.status}：{text}" if text else str(r.status)


def _round_gap(x) -> float:
    x = float(x)
    return round(x, 3) if math.isfinite(x) else float("nan")


def open_items(assessment, evaluation=None) -> pd.DataFrame:
    """Every open item of one assessment (and evaluation): the columns of :data:`COLUMNS` that the
    data decides (no status, no filled columns).

    Gaps are the unrounded amounts of the assessment rounded to 3 decimals for the table (the
    shortfall is the amount to add to ``add_column``, in ``gap_unit``, so that the section reaches
    the standard; a CV gap is CV − limit).
    """
    a = assessment
    std = a.standard
    short = {i.name: i.short for i in std.indicators}
    units = {i.name: i.unit for i in std.indicators}
    rows = []
    for r in a.shortfalls.itertuples(index=False):
        rows.append({
            "item_id": f"R:{r.county_code}:{r.school_code}:{r.stage}:{short.get(r.indicator, r.indicator)}",
            "year": int(r.year), "county_code": r.county_code, "county_name": r.county_name, "kind": KINDS["R"],
            "area": "资源配置", "school_code": r.school_code, "school_name": r.school_name, "stage": r.stage,
            "item": f"{r.stage}{r.indicator}", "standard": f"≥ {_fmt(r.standard)} {units.get(r.indicator, '')}".strip(),
            "value": _fmt(r.value), "gap": _round_gap(getattr(r, "add_to_school", r.shortfall)), "gap_unit": r.add_unit,
            "add_column": r.add_column,
        })
    rule = std.school_rule
    if rule is not None:
        sr = a.school_results
        fail = sr[~sr["school_passed"].fillna(False).astype(bool)]
        n_ind = len(std.indicators)
        text = (f"{n_ind} 项指标中至少 {rule.min_met} 项达到标准，其余不低于标准的 {rule.floor_ratio:.0%}")
        for r in fail.itertuples(index=False):
            met = getattr(r, "indicators_met")
            rows.append({
                "item_id": f"S:{r.county_code}:{r.school_code}:{r.stage}", "year": int(r.year),
                "county_code": r.county_code, "county_name": r.county_name, "kind": KINDS["S"], "area": "资源配置",
                "school_code": r.school_code, "school_name": r.school_name, "stage": r.stage,
                "item": f"{r.stage}学段单位达到学校资源配置标准", "standard": text,
                "value": f"{_fmt(met)}/{n_ind} 项达标，最低达成率 {_fmt(getattr(r, 'min_ratio'))}",
                "gap": float(max(rule.min_met - int(met), 0)) if pd.notna(met) else float("nan"),
                "gap_unit": "项", "add_column": "",
            })
    ci = a.county_indicators
    bad = ci[ci["decisive"].fillna(False).astype(bool) & ~ci["cv_passed"].fillna(False).astype(bool)]
    for r in bad.itertuples(index=False):
        cv = float(r.cv) if pd.notna(r.cv) else float("nan")
        rows.append({
            "item_id": f"CV:{r.county_code}:{r.stage}:{short.get(r.indicator, r.indicator)}", "year": int(r.year),
            "county_code": r.county_code, "county_name": r.county_name, "kind": KINDS["CV"], "area": "资源配置",
            "school_code": "", "school_name": "", "stage": r.stage, "item": f"{r.stage}{r.indicator}差异系数",
            "standard": f"≤ {_fmt(r.cv_limit, 2)}", "value": _fmt(cv) if math.isfinite(cv) else f"缺失（{r.cv_note}）",
            "gap": _round_gap(cv - float(r.cv_limit)) if math.isfinite(cv) else float("nan"), "gap_unit": "",
            "add_column": "",
        })
    if evaluation is not None:
        items = evaluation.items
        other = items[(items["area"] != "resource") & (items["status"] != "达标")]
        for r in other.itertuples(index=False):
            rows.append({
                "item_id": f"E:{r.county_code}:{r.area}:{int(r.item_no)}", "year": int(r.year),
                "county_code": r.county_code, "county_name": r.county_name, "kind": KINDS["E"], "area": r.area_name,
                "school_code": "", "school_name": "", "stage": "", "item": f"{r.area_name}第 {int(r.item_no)} 项：{r.item}",
                "standard": str(r.rule), "value": _item_value(r),
                "gap": float("nan"), "gap_unit": "", "add_column": "",
            })
    cols = [c for c in COLUMNS if c not in FILLED and c not in ("status", "previous_year", "first_year",
                                                                 "value_previous", "gap_previous", "explanation")]
    out = pd.DataFrame(rows, columns=cols)
    order = {"S": 0, "R": 1, "CV": 2, "E": 3}
    out["_k"] = out["item_id"].str.split(":").str[0].map(order)
    out["_st"] = out["stage"].map({st: i for i, st in enumerate(house_style()["stage_order"])})  # 小学 before 初中
    out = out.sort_values(["county_code", "_k", "school_code", "_st", "item_id"], kind="stable")
    return out.drop(columns=["_k", "_st"]).reset_index(drop=True)


def _subject_state(item_id: str, a, ev, counties: set[str]) -> tuple[str, str, str]:
    """For an item not open this year: (status, this year's value, explanation)."""
    parts = item_id.split(":")
    kind, county = parts[0], parts[1] if len(parts) > 1 else ""
    if county not in counties:
        return STATUS_GONE, "", "本次未评估该县区 / county not assessed in this run"
    if kind in ("R", "S") and len(parts) >= 4:
        sr = a.school_results
        sec = sr[(sr["county_code"] == county) & (sr["school_code"] == parts[2]) & (sr["stage"] == parts[3])]
        if sec.empty:
            ex = a.excluded
            gone = ex[(ex["county_code"] == county) & (ex["school_code"] == parts[2]) & (ex["stage"] == parts[3])]
            why = f"该学段单位本年不在评估范围内：{gone['exclusion_reason'].iat[0]}" if len(gone) else "本年数据中没有该学段单位"
            return STATUS_GONE, "", why
        if kind == "S":
            met = sec["indicators_met"].iat[0]
            return STATUS_FIXED, f"{_fmt(met)}/{len(a.standard.indicators)} 项达标", ""
        names = {i.short: i.name for i in a.standard.indicators}
        col = names.get(parts[4] if len(parts) > 4 else "", None)
        value = _fmt(sec[col].iat[0]) if col in sec else ""
        return STATUS_FIXED, value, ""
    if kind == "CV" and len(parts) >= 4:
        ci = a.county_indicators
        names = {i.short: i.name for i in a.standard.indicators}
        row = ci[(ci["county_code"] == county) & (ci["stage"] == parts[2]) & (ci["indicator"] == names.get(parts[3], parts[3]))]
        if row.empty:
            return STATUS_GONE, "", "本年数据中没有该差异系数"
        return STATUS_FIXED, _fmt(row["cv"].iat[0]), ""
    if kind == "E":
        if ev is None:
            return STATUS_GONE, "", "本次未提供县级填报表 / no county sheet given in this run"
        return STATUS_FIXED, "达标", ""
    return STATUS_GONE, "", "编号无法识别"


def build_ledger(assessment, evaluation=None, previous: pd.DataFrame | None = None, *, year: int,
                 as_of: dt.date | None = None, previous_path: str | None = None) -> Ledger:
    """The ledger of ``year``: open items, merged with the previous ledger when given.

    Parameters
    ----------
    assessment : Assessment   of that year (the counties of the ledger)
    evaluation : Evaluation or None   the four areas (items ``E``), when a county sheet is given
    previous : DataFrame or None   :func:`read_previous_ledger` of last year's filled ledger
    year : int
    as_of : date   deadlines before this date make an open item 已逾期 (default today)
    """
    as_of = as_of or dt.date.today()
    cur = open_items(assessment, evaluation)
    counties = set(assessment.verdicts["county_code"].astype(str))
    cur["status"] = STATUS_NEW
    cur["first_year"] = year
    cur["previous_year"] = pd.NA
    cur["value_previous"] = ""
    cur["gap_previous"] = float("nan")
    cur["explanation"] = ""
    for c in FILLED:
        cur[c] = None
    if previous is not None and len(previous):
        prev = previous.set_index("item_id")
        idx = {k: i for i, k in enumerate(cur["item_id"])}
        extra = []
        for pid, p in prev.iterrows():
            py = p.get("year")
            if pid in idx:
                i = idx[pid]
                for c in FILLED:
                    cur.at[i, c] = p.get(c)
                cur.at[i, "first_year"] = p.get("first_year") if pd.notna(p.get("first_year")) else py
                cur.at[i, "previous_year"] = py
                cur.at[i, "value_previous"] = p.get("value") or ""
                cur.at[i, "gap_previous"] = p.get("gap")
                d = p.get("deadline")
                cur.at[i, "status"] = STATUS_OVERDUE if isinstance(d, dt.date) and d < as_of else STATUS_OPEN
            else:
                status, value, why = _subject_state(str(pid), assessment, evaluation, counties)
                rec = {c: p.get(c) for c in COLUMNS if c in p.index}
                rec.update({"item_id": pid, "year": year, "previous_year": py, "value_previous": p.get("value") or "",
                            "gap_previous": p.get("gap"), "value": value, "gap": float("nan") if status == STATUS_GONE else 0.0,
                            "status": status, "explanation": why,
                            "first_year": p.get("first_year") if pd.notna(p.get("first_year")) else py})
                if status == STATUS_GONE and p.get("status") == STATUS_FIXED:
                    rec["explanation"] = f"上年已整改；{why}"
                extra.append(rec)
        if extra:
            cur = pd.concat([cur, pd.DataFrame(extra)], ignore_index=True)
    cur = cur.reindex(columns=list(COLUMNS))
    for c in ("year", "first_year", "previous_year"):
        cur[c] = pd.array(pd.to_numeric(cur[c], errors="coerce"), dtype="Int64")
    for c in ("gap", "gap_previous"):
        cur[c] = pd.to_numeric(cur[c], errors="coerce").astype("float64")
    cur["_s"] = cur["status"].map({s: k for k, s in enumerate(STATUSES)})
    cur = cur.sort_values(["county_code", "_s"], kind="stable").drop(columns="_s").reset_index(drop=True)
    names = assessment.verdicts[["county_code", "county_name"]].drop_duplicates("county_code")
    return Ledger(cur, int(year), as_of, assessment.standard.title, previous_path, names.reset_index(drop=True))
