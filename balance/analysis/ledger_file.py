"""The rectification ledger's files: the contract columns, reading last year's ledger as the
bureau filled it in (:func:`read_previous_ledger`) and writing this year's (:func:`write_ledger`).

Building the ledger (open items, statuses carried over) is :mod:`balance.analysis.ledger`, which
re-exports every public name of this module.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from balance.errors import InputError, Problem

__all__ = ["COLUMNS", "FILLED", "LEDGER_SHEET", "MAX_TEXT", "parse_deadline", "read_previous_ledger", "write_ledger"]

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


# ------------------------------------------------------------------------------------------ reading

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


_FORMULA_ZH = ("文字以 = + - @ 开头，表格软件打开 ledger.csv 时会把它当作公式；请去掉开头的符号，"
               "或在前面加一个汉字（如「见：」）")
_FORMULA_EN = ("text beginning with = + - or @ is read as a formula when a spreadsheet opens ledger.csv; "
               "remove the leading sign or put a word before it")


def _formula_like(t: str | None) -> bool:
    """The bureau's text would start a formula in ledger.csv: it begins with ``=``, ``+`` or ``@``
    (``name_rules.refuse_leading`` of columns.yaml, the rule school names follow), or with ``-``
    followed by a digit, a sign, a dot or a bracket (``-2+3+cmd|…``). A ``-`` before words
    ("-待县政府审定", the way clerks write a bullet, and a lone "-" for "none") is kept as written:
    the bureau's columns come back next year verbatim."""
    from balance.io.validation import name_rules

    if t is None:
        return False
    lead = tuple(c for c in name_rules()["refuse_leading"] if c != "-")
    return t.startswith(lead) or bool(re.match(r"-[\d.+\-=@(]", t))


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
            elif _formula_like(t):
                problems.append(problem(_FORMULA_ZH, _FORMULA_EN, value=t[:40], code="ledger_text_formula", **where))
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
        problems.append(problem("年度应为四位年份", "the year must be a four-digit year", value=t,
                                code="ledger_bad_year", **where))
        return pd.NA
    if k == "year" and year is not None and int(t) > int(year):
        problems.append(problem(f"上年台账的年度 {t} 晚于本次评估年度 {year}；请检查 --previous 是否选错了文件",
                                f"the previous ledger's year {t} is after the year assessed ({year}); "
                                "check that --previous names the right file", value=t,
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


def write_ledger(ledger, out_dir: str | Path) -> list[Path]:
    """Write a :class:`~balance.analysis.ledger.Ledger` as ``ledger.xlsx`` (sheets 整改台账, 状态统计,
    说明; Chinese headers; the bureau's columns highlighted; 完成时限 formatted as dates) and ``ledger.csv`` (English keys of :data:`COLUMNS`,
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
