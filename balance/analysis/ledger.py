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
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem
from balance.io.export.xlsx import house_style

__all__ = [
    "STATUSES", "KINDS", "COLUMNS", "FILLED", "LEDGER_SHEET", "MAX_TEXT", "Ledger", "ledger_counts",
    "overdue_items", "open_items", "build_ledger", "parse_deadline", "read_previous_ledger",
    "write_ledger",
]

STATUS_FIXED, STATUS_OPEN, STATUS_OVERDUE, STATUS_NEW, STATUS_GONE = "已整改", "未完成", "已逾期", "新增", "本年无数据"
STATUSES = (STATUS_NEW, STATUS_OPEN, STATUS_OVERDUE, STATUS_FIXED, STATUS_GONE)
KINDS = {"R": "学校指标未达标准", "S": "学段单位未达学校标准", "CV": "差异系数超过上限", "E": "其他领域事项"}

#: The contract columns of ``ledger.csv`` (English, read by programs) and their ``ledger.xlsx``
#: headers (Chinese, read and filled by the bureau). Add, never rename.
COLUMNS = {
    "item_id": "编号", "status": "状态", "year": "年度", "previous_year": "上年台账年度", "first_year": "首次列入年度",
    "county_code": "县区代码", "county_name": "县区名称", "kind": "类别", "area": "领域",
    "school_code": "学校标识码", "school_name": "学校名称", "stage": "学段", "item": "事项",
    "standard": "标准", "value_previous": "上年值", "value": "本年值", "gap_previous": "上年差距",
    "gap": "差距", "gap_unit": "差距单位", "add_column": "应补充的数据列",
    "lead_unit": "牵头单位", "owner": "责任人", "measures": "整改措施", "deadline": "完成时限", "remark": "备注",
    "explanation": "说明",
}
#: Columns the bureau fills in (kept from the previous ledger, never overwritten by the data).
FILLED = ("lead_unit", "owner", "measures", "deadline", "remark")
LEDGER_SHEET = "整改台账"
MAX_TEXT = 2000
_SUMMARY = ("上年整改台账有误", "the previous ledger has errors")


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
                "standard": str(r.rule), "value": f"{r.status}：{_fmt(r.value)}" if _fmt(r.value) else str(r.status),
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


# ------------------------------------------------------------------------------------------ previous

_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"), "ymd"),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:底|末)?$"), "ym"),
    (re.compile(r"^(\d{4})年?(?:底|末)?$"), "y"),
)


def parse_deadline(v) -> dt.date | None:
    """A 完成时限 cell as a date: a date cell, ``2025-06-30``, ``2025/6/30``, ``2025年6月30日``,
    ``2025年6月`` / ``2025-06`` (the month's last day), ``2025年底`` / ``2025`` (31 December).
    Empty → ``None``; anything else raises ``ValueError``."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if float(v).is_integer() and 1900 <= v <= 2200:
            return dt.date(int(v), 12, 31)
        raise ValueError(str(v))
    s = str(v).strip().replace(" ", "")
    if not s:
        return None
    for pat, kind in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            y = int(m.group(1))
            if kind == "y":
                return dt.date(y, 12, 31)
            mo = int(m.group(2))
            if kind == "ym":
                if not 1 <= mo <= 12:
                    raise ValueError(s)
                nxt = dt.date(y + (mo == 12), mo % 12 + 1, 1)
                return nxt - dt.timedelta(days=1)
            return dt.date(y, mo, int(m.group(3)))  # ValueError for 2025-02-30
    raise ValueError(s)


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (dt.datetime, dt.date)):
        v = v.isoformat()[:10]
    s = str(v).strip()
    return s or None


def read_previous_ledger(path: str | Path, *, year: int | None = None, limits=None) -> pd.DataFrame:
    """Read last year's ledger as the bureau filled it (a workbook written by :func:`write_ledger`).

    Hostile input: the file is opened within the read limits (size, cells, zip bombs, passwords);
    the sheet 整改台账 must be there with the header 编号; every row with content needs an id of
    the ledger's form, unique; 完成时限 must be a date (see :func:`parse_deadline`); 年度 a year
    not after ``year``; text at most 2000 characters. Every problem is reported at once with sheet,
    row and column (Chinese and English); the file is never changed.

    Returns
    -------
    DataFrame with the English keys of :data:`COLUMNS` present in the file (``deadline`` as
    ``datetime.date`` or ``None``, ``gap`` float, ``year`` / ``first_year`` int or NA).
    """
    from functools import partial

    from balance.io.workbook import open_workbook, read_file_bytes, read_limits

    file = str(path)
    lim = read_limits(limits)
    data = read_file_bytes(Path(path), file, lim, _SUMMARY)
    wb = open_workbook(data, file, _SUMMARY, limits=lim)
    problem = partial(_problem, file)
    grid = _ledger_grid(wb, problem)
    header = [_text(h) or "" for h in grid[0]]
    pos, problems = _header_positions(header, problem)
    problems += _formula_problems(wb, header, problem)
    if problems:
        raise InputError(problems, *_SUMMARY)
    records, seen = [], {}
    for i, raw in enumerate(grid[1:], start=2):
        cells = {k: (raw[j] if j < len(raw) else None) for k, j in pos.items()}
        if all(_text(v) is None for v in cells.values()):
            continue
        rec = _read_row(cells, i, pos, year, problem, problems)
        _check_id(rec.get("item_id"), i, pos, seen, problem, problems)
        rec["_row"] = i
        records.append(rec)
    if problems:
        raise InputError(problems, *_SUMMARY)
    out = pd.DataFrame(records)
    for k in COLUMNS:
        if k not in out:
            out[k] = None
    return out


def _problem(file, zh, en, row=None, column=None, value=None, code="", sheet=LEDGER_SHEET) -> Problem:
    """A problem of the previous ledger ``file`` (the value shortened to 80 characters)."""
    return Problem(file=file, sheet=sheet, row=row, column=column, value=None if value is None else str(value)[:80],
                   problem_zh=zh, problem_en=en, code=code)


def _ledger_grid(wb, problem) -> list:
    """The rows of the sheet 整改台账; a missing or empty sheet raises."""
    sheets = list(wb.sheet_names)
    if LEDGER_SHEET not in sheets:
        raise InputError([problem(f"找不到工作表「{LEDGER_SHEET}」（现有：{'、'.join(sheets) or '无'}）；请使用 balance ledger 生成的台账",
                                  f"sheet {LEDGER_SHEET!r} not found (present: {', '.join(sheets) or 'none'}); use a ledger "
                                  "written by balance ledger", code="ledger_sheet_missing", sheet=None)], *_SUMMARY)
    grid = wb.rows(LEDGER_SHEET)
    if not grid:
        raise InputError([problem("工作表为空", "the sheet is empty", code="ledger_empty")], *_SUMMARY)
    return grid


def _header_positions(header: list[str], problem) -> tuple[dict[str, int], list]:
    """{key of :data:`COLUMNS`: column index} from the header (Chinese or English names; others
    ignored) and the problems: a column twice, no 编号."""
    by_zh = {zh: key for key, zh in COLUMNS.items()}
    pos: dict[str, int] = {}
    problems = []
    for j, h in enumerate(header):
        key = by_zh.get(h) or (h if h in COLUMNS else None)
        if key is None:
            continue
        if key in pos:
            problems.append(problem(f"列「{h}」出现了两次", f"column {h!r} appears twice", row=1, column=h,
                                    code="ledger_duplicate_column"))
        pos[key] = j
    if "item_id" not in pos:
        problems.append(problem("缺少「编号」列（台账的第一列）；不能识别各事项", "the column 编号 (item id) is missing",
                                row=1, column="编号", code="ledger_missing_id"))
    return pos, problems


def _formula_problems(wb, header: list[str], problem) -> list:
    """The first 20 formula cells: a formula nobody calculated reads as empty, so the bureau's
    entry would be lost."""
    from balance.io.workbook import col_letters

    cells, _total = wb.formula_cells(LEDGER_SHEET)
    out = []
    for r0, c0 in cells[:20]:
        name = header[c0] if c0 < len(header) else ""
        out.append(problem("这个单元格是没有计算结果的公式（以 = 开头）；请改为文字，或在 Excel 中打开并保存一次",
                           "this cell is a formula without a calculated value (starts with =); type it as text, "
                           "or open and save the file in Excel once", row=r0 + 1,
                           column=f"{name}（{col_letters(c0 + 1)} 列）", code="ledger_formula"))
    return out


def _read_row(cells: dict, i: int, pos: dict, year, problem, problems: list) -> dict:
    """One ledger row's values by key (a deadline that is not a date is left out), its problems
    appended to ``problems``."""
    from balance.io.workbook import col_letters

    rec = {}
    for k, v in cells.items():
        where = dict(row=i, column=f"{COLUMNS[k]}（{col_letters(pos[k] + 1)} 列）")
        if k == "deadline":
            try:
                rec[k] = parse_deadline(v)
            except (ValueError, OverflowError):
                problems.append(problem("完成时限不是日期；请写成 2025-06-30、2025年6月30日 或 2025年6月",
                                        "完成时限 (deadline) is not a date; write it as 2025-06-30, 2025年6月30日 or 2025年6月",
                                        value=v, code="ledger_bad_deadline", **where))
        elif k in ("gap", "gap_previous"):
            rec[k] = _read_gap(v, where, problem, problems)
        elif k in ("year", "first_year", "previous_year"):
            rec[k] = _read_year(k, v, year, where, problem, problems)
        else:
            t = _text(v)
            if t is not None and len(t) > MAX_TEXT:
                problems.append(problem(f"文字超过 {MAX_TEXT} 个字符", f"text longer than {MAX_TEXT} characters",
                                        value=t[:40], code="ledger_text_too_long", **where))
            rec[k] = t
    return rec


def _read_gap(v, where: dict, problem, problems: list) -> float:
    """A 差距 cell as a float (empty → NaN; text, a bool or an infinite number is a problem)."""
    if v is None or _text(v) is None:
        return float("nan")
    try:
        x = float(v) if not isinstance(v, bool) else float("nan")
    except (TypeError, ValueError):
        x = float("nan")
    if not math.isfinite(x):
        problems.append(problem("差距应为数字", "the gap must be a number", value=v, code="ledger_bad_number", **where))
    return x


def _read_year(k: str, v, year, where: dict, problem, problems: list):
    """A year cell as an int (empty → NA): four digits in 1990–2200; 年度 not after ``year``."""
    t = _text(v)
    if t is None:
        return pd.NA
    if not re.fullmatch(r"\d{4}", t) or not 1990 <= int(t) <= 2200:
        problems.append(problem("年度应为四位年份", "the year must be a four-digit year", value=v,
                                code="ledger_bad_year", **where))
        return pd.NA
    if k == "year" and year is not None and int(t) > int(year):
        problems.append(problem(f"上年台账的年度 {t} 晚于本次评估年度 {year}；请检查 --previous 是否选错了文件",
                                f"the previous ledger's year {t} is after the year assessed ({year}); "
                                "check that --previous names the right file", value=v,
                                code="ledger_future_year", **where))
    return int(t)


_ID = re.compile(r"^(R|S|CV|E):[^:\s]+(:[^:]+)+$")


def _check_id(iid, i: int, pos: dict, seen: dict, problem, problems: list) -> None:
    """Every row with content needs an id of the ledger's form, unique (``seen``: id → first row)."""
    from balance.io.workbook import col_letters

    where = dict(row=i, column=f"编号（{col_letters(pos['item_id'] + 1)} 列）")
    if iid is None:
        problems.append(problem("这一行有内容但没有编号；台账的行不能删除编号（新增的事项请写在备注里）",
                                "this row has content but no item id; do not clear ids (write new matters in 备注)",
                                code="ledger_no_id", **where))
    elif not _ID.match(iid):
        problems.append(problem("编号的格式不对（应如 R:县区代码:学校标识码:学段:指标），可能被改动过",
                                "the item id is malformed (expected like R:county:school:stage:indicator); it may "
                                "have been edited", value=iid, code="ledger_bad_id", **where))
    elif iid in seen:
        problems.append(problem(f"编号与第 {seen[iid]} 行重复", f"the item id repeats row {seen[iid]}", value=iid,
                                code="ledger_duplicate_id", **where))
    else:
        seen[iid] = i


# ------------------------------------------------------------------------------------------ writing

#: least widths of the columns the bureau fills in (wide even while empty)
_WIDTHS = {"measures": 40, "remark": 24, "lead_unit": 16, "owner": 10, "deadline": 12}


def write_ledger(ledger: Ledger, out_dir: str | Path) -> list[Path]:
    """Write ``ledger.xlsx`` (sheets 整改台账, 状态统计, 说明; Chinese headers; the bureau's columns
    highlighted; 完成时限 formatted as dates) and ``ledger.csv`` (English keys of :data:`COLUMNS`,
    UTF-8 with BOM), together or not at all."""
    from balance.io.export.xlsx import About, Sheet, save_workbook
    from balance.io.files import staged_files

    rows = ledger.rows
    with staged_files(out_dir) as s:
        csv = rows.copy()
        csv["deadline"] = csv["deadline"].map(lambda d: d.isoformat() if isinstance(d, dt.date) else "")
        csv.to_csv(s.stage("ledger.csv"), index=False, encoding="utf-8-sig")
        sheets = [
            Sheet(LEDGER_SHEET, rows[list(COLUMNS)], "每个整改事项一行：编号、状态、事项、标准、本年值与差距；黄色的列由县区填写",
                  key="ledger", headers=COLUMNS, freeze="C2", order_stages=False,
                  fills={k: "FFF2CC" for k in FILLED}, widths=_WIDTHS),
            Sheet("状态统计", ledger.counts(), "每个县区一行：各状态的事项数与合计", key="ledger_counts", freeze="C2"),
        ]
        lines = [
            ("年度", str(ledger.year)), ("逾期判断日期", ledger.as_of.isoformat()),
            ("上年台账", ledger.previous or "（无：首次建立台账）"),
            ("填写", "请只填写黄色的列：牵头单位、责任人、整改措施、完成时限（日期，如 2025-06-30）、备注。"
                   "不要修改或删除编号；明年运行 balance ledger --previous 本文件 时，这些内容会原样保留。"),
            ("状态", "新增：本年新出现；未完成：上年已列入、仍未达标；已逾期：未完成且已过完成时限；"
                   "已整改：本年数据显示已达到标准；本年无数据：本年数据中没有该学校/学段或该县区未评估（保留，不删除）。"),
            ("差距", "学校指标：该校应在「应补充的数据列」中增加的数量（自然单位，达到标准所需）；"
                   "学段单位：还差几项指标达标；差异系数：超过上限的部分。"),
            ("数据来源", "资源配置来自学校数据表；其他三个领域与一票否决来自县级填报表，缺失的答案视为未达标。"),
        ]
        save_workbook(s.stage("ledger.xlsx"), sheets, About(standard=ledger.standard, lines=lines))
    return s.final
