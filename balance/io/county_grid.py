"""The cells of a county sheet file as a grid of rows (CSV, Excel or ODS), measured before reading."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from balance.errors import InputError, Problem
from balance.io.county_items import _SUMMARY, HEADER_SCAN_ROWS, SHEET_NAME


def _cell_text(v) -> tuple[str, bool]:
    """A cell as the user sees it, and whether it was stored as a number."""
    if v is None:
        return "", False
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE"), False
    if isinstance(v, (int, np.integer)):
        return str(int(v)), True
    if isinstance(v, (float, np.floating)):
        if v != v:
            return "", False
        return (str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))), True
    if hasattr(v, "isoformat"):
        return v.isoformat(), False
    return str(v), False


def _read_grid(path: Path, sheet, data: bytes, limits=None) -> tuple[list[list], str | None, list]:
    """Rows of cells (typed) of the sheet; the sheet name read; formula cells without a cached
    value (0-based row, column). Workbooks are measured before they are loaded
    (:mod:`balance.io.workbook`): a sheet reaching far away or a zip bomb is refused."""
    suffix = path.suffix.lower()
    from balance.io.workbook import Workbook, read_limits, refusal, sniff

    if suffix in (".csv", ".txt", ".tsv"):
        from balance.io.headers import decode_text

        kind = sniff(data)
        if kind in ("zip", "ole"):
            raise refusal(str(path), "workbook_as_text", _SUMMARY, suffix=suffix, real=".xlsx" if kind == "zip" else ".xls")
        text = decode_text(data, str(path), _SUMMARY)
        sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
        sep = "\t" if sample.count("\t") > sample.count(",") else ","
        try:
            return [list(r) for r in csv.reader(io.StringIO(text), delimiter=sep)], None, []
        except csv.Error as e:  # a NUL byte, a field larger than the csv module's limit
            raise _refuse(str(path), f"CSV 格式错误：{e}", f"malformed CSV: {e}", "csv_parse_error") from None
    if suffix not in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        raise _refuse(str(path), f"不支持的文件类型 {suffix or '(无扩展名)'}，请使用 .xlsx、.xls、.ods 或 .csv",
                      f"unsupported file type {suffix or '(none)'}; use .xlsx, .xls, .ods or .csv", "unsupported_format")
    wb = Workbook(data, str(path), read_limits(limits), _SUMMARY)
    names = wb.sheet_names
    if sheet is None:
        name = SHEET_NAME if SHEET_NAME in names else (names[0] if names else None)
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        name = names[sheet] if -len(names) <= sheet < len(names) else None
    else:
        name = str(sheet) if str(sheet) in names else None
    if name is None:
        raise _refuse(str(path), f"找不到工作表 {sheet}；文件中的工作表：{'、'.join(names)}",
                      f"sheet {sheet} not found; the file has: {', '.join(names)}", "sheet_not_found")
    from balance.io.rates import percent_cells_as_text

    rows = percent_cells_as_text(wb.rows(name), wb.percent_cells(name))  # 92 % stored as 0.92 reads "92%"
    return rows, name, wb.formula_cells(name)[0]


def _refuse(file: str, zh: str, en: str, code: str, sheet: str | None = None) -> InputError:
    return InputError([Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, code=code)], *_SUMMARY)

