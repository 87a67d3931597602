"""Reading a filled county sheet: :func:`load_county_sheet` (see :mod:`balance.io.county_sheet`)."""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd

from balance.errors import InputError
from balance.io.county_sheet.items import HEADER_SCAN_ROWS, SHEET_NAME, _SUMMARY, _refuse
from balance.io.county_sheet.cells import CountySheet, _parse


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


def load_county_sheet(source, known_counties: dict[str, str] | list[str] | set[str] | None = None,
                      sheet: str | int | None = None, *, limits=None) -> CountySheet:
    """Read and check a filled county sheet.

    Parameters
    ----------
    source : str, Path or DataFrame
        The filled template (``.xlsx``, ``.xls``, ``.ods`` or ``.csv``; the header row is found
        among the first rows, so the template's description rows may stay), or a DataFrame whose
        columns are the sheet headers or canonical field names.
    known_counties : dict code -> name, or a collection of codes, optional
        The counties of the school data: a sheet row with another county code is an error; a
        different county name is a warning.
    sheet : str or int, optional
        Worksheet (default: 县级填报表 if present, else the first sheet).
    limits : dict, optional
        Overrides of ``balance/data/reading_limits.yaml`` (see :mod:`balance.io.workbook`).

    Returns
    -------
    CountySheet

    Raises
    ------
    InputError
        Every problem found (see the module docstring).
    """
    formulas: list = []
    if isinstance(source, pd.DataFrame):
        grid = [list(source.columns)] + source.astype(object).where(source.notna(), None).values.tolist()
        file, sha, sheet_name = "<DataFrame>", None, None
    else:
        from balance.io.workbook import read_file_bytes, read_limits

        path = Path(source)
        file = str(source)
        if not path.exists():
            raise _refuse(file, "找不到县级填报表文件", "county sheet file not found", "file_not_found")
        data = read_file_bytes(path, file, read_limits(limits), _SUMMARY)  # read once: checksum and cells agree
        sha = hashlib.sha256(data).hexdigest()
        grid, sheet_name, formulas = _read_grid(path, sheet, data, limits)
    return _parse(grid, file=file, sha256=sha, sheet=sheet_name, known=known_counties, formulas=formulas)

