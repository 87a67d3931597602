"""The one safe path by which the package writes a cell of any workbook (part of
:mod:`balance.io.export.xlsx`, which re-exports every name here).

openpyxl stores a string that begins with "=" as a formula and "#N/A", "#DIV/0!" … as error
values; it refuses control characters (an exception), and writes NaN/inf as numbers Excel cannot
read. Every writer of a workbook goes through :func:`set_cell` / :func:`append_row` /
:func:`write_frame`, which keep text as text, whatever it begins with.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------
# workbook cells: the one path by which the package writes a cell of any workbook
#
# openpyxl stores a string that begins with "=" as a formula and "#N/A", "#DIV/0!" … as error
# values; it refuses control characters (an exception), and writes NaN/inf as numbers Excel
# cannot read. Every writer of a workbook goes through :func:`set_cell` / :func:`append_row` /
# :func:`write_frame`, which keep text as text, whatever it begins with.

#: What a workbook cell shows for an infinite number ("-∞" for minus infinity). NaN, None and
#: NA become empty cells.
EXCEL_INF_TEXT = "∞"
#: Excel's limit on the characters of one cell; longer text is cut and marked.
EXCEL_MAX_TEXT = 32_767
EXCEL_TRUNCATED = "…（已截断 / truncated）"
#: First characters that make Excel (or LibreOffice) read typed text as a formula or command.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = None  # compiled on first use (openpyxl's own pattern)


def excel_text(text: str) -> str:
    """``text`` as a workbook can hold it: control characters openpyxl refuses replaced by U+FFFD (�),
    at most :data:`EXCEL_MAX_TEXT` characters (longer text ends with :data:`EXCEL_TRUNCATED`)."""
    global _ILLEGAL_XML
    if _ILLEGAL_XML is None:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        _ILLEGAL_XML = ILLEGAL_CHARACTERS_RE
    text = _ILLEGAL_XML.sub("\ufffd", str(text))
    if len(text) > EXCEL_MAX_TEXT:
        text = text[:EXCEL_MAX_TEXT - len(EXCEL_TRUNCATED)] + EXCEL_TRUNCATED
    return text


def excel_value(v):
    """The value a workbook cell gets for ``v``.

    Text → cleaned text (:func:`excel_text`); booleans and integers as they are; finite floats as
    floats; NaN / None / NA / NaT → ``None`` (an empty cell); ±inf → ``"∞"`` / ``"-∞"``
    (:data:`EXCEL_INF_TEXT`); lists → their items joined by "；"; dates as dates (time zone
    dropped, Excel has none); anything else → its text.
    """
    import datetime as _dt
    import numbers

    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return excel_text(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (numbers.Integral, np.integer)):
        return int(v)
    if isinstance(v, (numbers.Real, np.floating)):
        x = float(v)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return EXCEL_INF_TEXT if x > 0 else "-" + EXCEL_INF_TEXT
        return x
    if isinstance(v, (list, tuple)):
        return excel_text("；".join("" if x is None else str(x) for x in v))
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, (_dt.datetime, _dt.time)):
        return v.replace(tzinfo=None)
    if isinstance(v, _dt.date):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return excel_text(str(v))


def _as_text_safe(cell, value):
    v = excel_value(value)
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error value
        if v.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return cell


def set_cell(ws, row: int, column: int, value):
    """Write ``value`` (see :func:`excel_value`) into ``ws`` at (row, column); return the cell.

    Text is stored as text: never a formula, never an error value. Text that Excel would read as a
    formula when a user edits the cell (beginning with = + - @, tab or CR) also gets Excel's quote
    prefix, so it stays text after editing too.
    """
    return _as_text_safe(ws.cell(row=row, column=column), value)


def append_row(ws, values) -> None:
    """``ws.append(values)`` with every value written as :func:`set_cell` writes it."""
    from openpyxl.cell.cell import Cell

    ws.append([_as_text_safe(Cell(ws), v) for v in values])


def write_frame(ws, df: pd.DataFrame) -> None:
    """Write ``df`` into an empty sheet: the header row (bold, framed, as pandas writes it), then one
    row per record, every cell through :func:`set_cell`."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    head_font, head_border = Font(bold=True), Border(left=thin, right=thin, top=thin, bottom=thin)
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, name in enumerate(df.columns, start=1):
        c = set_cell(ws, 1, j, name)
        c.font, c.border, c.alignment = head_font, head_border, head_align
    for i, rec in enumerate(df.itertuples(index=False, name=None), start=2):
        for j, v in enumerate(rec, start=1):
            set_cell(ws, i, j, v)
