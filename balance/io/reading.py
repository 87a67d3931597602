"""Reading the school table (CSV, Excel, ODS or a DataFrame) into the canonical form.

:func:`load_school_table` reads the file **without modifying it**, finds the header row (a title
line or two above it is fine), maps the user's headers to the canonical names of
``balance/data/columns.yaml`` and hands the text cells to :func:`balance.io.validation.validate_school_rows`.
When anything is wrong it raises :class:`~balance.errors.InputError` listing *every* problem.

Header matching compares headers after :func:`normalize_header`: all whitespace removed (including
the full-width space and line breaks inside a cell), full-width characters folded (``（）`` → ``()``,
full-width letters and digits), ``【】``/``[]`` → ``()``, unit marks ``㎡`` / ``m²`` / ``m2`` / ``平方米``
/ ``平米`` → one form, English case-insensitive, a leading required-field mark ``*`` dropped. Each
normalised header is looked up among the ``header``, ``aliases`` and ``convert`` entries of every
column (a ``convert`` entry multiplies the numbers, e.g. 万元 → 元 ×10000).

Every cell is read as text and parsed by the validation, so non-numeric cells are reported rather
than silently dropped. CSV files may be UTF-8 (with or without BOM) or GB18030/GBK (or UTF-16 with
its byte-order mark), separated by commas, tabs or semicolons. Excel cells stored as numbers are
turned into text as they look (110101.0 → "110101"); a county or school code stored as a number
with the wrong number of digits is reported as having lost its leading zeros.

Hostile and broken files are refused with one clear message each, never a traceback: a file above
the size limits, a workbook or sheet too large to load (measured first, :mod:`balance.io.workbook`), a
workbook named ``.csv`` or a text file named ``.xlsx``, a password-protected workbook, binary data,
a folder, an unreadable file. A CSV that cannot be parsed is reported at the line where the problem
starts (an unclosed quote: where it opens). A table whose first rows name (almost) none of the
school table's columns gets one message with the likely cause (the encoding, e.g. Big5; another
sheet) instead of one line per missing column. When a workbook's first sheet is not a school table
(an instructions sheet) and exactly one other sheet is, that sheet is read, with a warning. A formula
cell without a cached value is reported as such, not as blank.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem
from balance.io.frame import (
    HEADER_MIN_HITS,
    HEADER_SCAN_ROWS,
    SUMMARY,
    _cells_to_text,
    _find_header,
    _from_grid,
    _Grid,
    _other_text,
    _refuse,
    load_frame,
)
from balance.io.headers import (  # noqa: F401 - re-exported: balance.reading.normalize_header …
    TEXT_ENCODINGS,
    decode_text,
    decode_text_as,
    header_lookup,
    normalize_header,
    spec_header,
)
from balance.io.table import SchoolTable
from balance.io.validation import message

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def load_school_table(source, sheet: str | int | None = None, *, limits=None) -> SchoolTable:
    """Read and validate a school table.

    Parameters
    ----------
    source : str, Path or DataFrame
        A ``.csv`` (UTF-8 with or without BOM, or GB18030/GBK), ``.xlsx``, ``.xlsm``, ``.xls`` or
        ``.ods`` file, or a DataFrame whose columns are Chinese headers or canonical names. A
        DataFrame's rows are numbered as if its header were row 1 (first data row = 2) unless it
        has a ``source_row`` column (e.g. ``SchoolTable.data`` read again).
    sheet : str or int, optional
        Worksheet name (or 0-based position) of a workbook. By default the first sheet; when the
        first sheet is not a school table (e.g. an instructions sheet) and exactly one other sheet
        is, that one is read (with a warning saying so).
    limits : dict, optional
        Overrides of ``balance/data/reading_limits.yaml`` (e.g. ``{"max_cells": 40_000_000}``): a
        file or sheet above them is refused before it is loaded (see :mod:`balance.io.workbook`).

    Returns
    -------
    SchoolTable
        The canonical table, the file's checksum, the header map and the warnings.

    Raises
    ------
    InputError
        The table cannot be used; ``err.problems`` lists every error found (and the warnings).

    Examples
    --------
    >>> t = load_school_table("data/demo/schools.xlsx")  # doctest: +SKIP
    >>> t.data[["year", "school_code", "primary_students"]].head()  # doctest: +SKIP
    """
    if isinstance(source, pd.DataFrame):
        return load_frame(source)
    from balance.io.store import is_parquet_source, load_parquet_table
    from balance.io.workbook import read_file_bytes, read_limits, sniff

    if is_parquet_source(source):  # a Parquet store, a partitioned folder or a .parquet file
        return load_parquet_table(source)
    path = Path(source)
    file = str(source)
    lim = read_limits(limits)
    if not path.exists():
        _refuse(file, "file_not_found")
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES + TEXT_SUFFIXES:
        _refuse(file, "unsupported_format", suffix=suffix or "(无扩展名 / none)")
    data = read_file_bytes(path, file, lim, SUMMARY)  # read once: checksum and parsing see the same bytes
    sha = hashlib.sha256(data).hexdigest()
    if len(data.strip()) == 0 or data.strip() in (b"\xef\xbb\xbf",):
        _refuse(file, "empty_file")
    notes: list[Problem] = []
    if suffix in TEXT_SUFFIXES:
        kind = sniff(data)
        if kind in ("zip", "ole"):  # a workbook named .csv
            _refuse(file, "workbook_as_text", suffix=suffix, real=".xlsx" if kind == "zip" else ".xls")
        grid, sheet_name = _read_csv(data, file), None
    else:
        grid, sheet_name, notes = _read_workbook(data, file, sheet, lim)
    return _from_grid(grid, file=file, sha256=sha, sheet=sheet_name, notes=notes)


def _read_csv(data: bytes, file: str) -> _Grid:
    text, encoding = decode_text_as(data, file, SUMMARY)
    if not text.strip(" \t\r\n\f\v\u3000\ufeff,;\"'"):  # only blanks, separators and quotes
        _refuse(file, "empty_file")
    head = text[:20000].splitlines()[:HEADER_SCAN_ROWS]
    sample = "\n".join(head)
    # the separator: the one whose first rows hold the most known headers (then tab over comma
    # when tabs are more frequent); the header is found in the first rows with the csv module
    # (title lines may have one field); the bulk is read by pandas from the header line on
    best = None
    for sep in (",", "\t", ";"):
        top = list(csv.reader(io.StringIO(sample), delimiter=sep))
        h, hits = _find_header(top)
        key = (hits, sample.count(sep))
        if best is None or key > best[0]:
            best = (key, sep, h)
    _, sep, h = best
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, header=None, skiprows=h, dtype=str, keep_default_na=False,
                         na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.EmptyDataError:
        _refuse(file, "empty_file")
    except pd.errors.ParserError as e:
        raise csv_parse_refusal(file, text, sep, str(e)) from None
    df = df.fillna("")
    df.columns = range(df.shape[1])
    return _Grid(df, None, first_row=h + 1, encoding=encoding)


def csv_parse_refusal(file: str, text: str, sep: str, msg: str, summary: tuple[str, str] = SUMMARY) -> InputError:
    """The refusal of a CSV that pandas cannot parse (``msg``), at the line where the problem starts.

    pandas counts *records* from the start of the file, skipped title lines included ("EOF inside
    string starting at row 7" is the 0-based record whose quote never closes; "Expected 31 fields
    in line 12, saw 33" the 1-based record), and a quoted cell may span several lines: the record
    is found again with the csv module to give the line a text editor shows.
    """
    m_eof = re.search(r"EOF inside string starting at row (\d+)", msg)
    m_fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    record = int(m_eof.group(1)) if m_eof else (int(m_fields.group(2)) - 1 if m_fields else None)

    def refusal(code, row=None, **fields):
        zh, en = message(code, **fields)
        return InputError([Problem(file=file, row=row, problem_zh=zh, problem_en=en, code=code)], *summary)

    if record is None:
        return refusal("csv_parse_error", reason=msg.strip()[:300])
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    line = 1  # 1-based physical line where the current record starts
    try:
        for k, _ in enumerate(reader):
            if k == record:
                break
            line = reader.line_num + 1
    except csv.Error:
        pass
    if m_eof:
        return refusal("csv_unclosed_quote", row=line, line=line)
    return refusal("csv_field_count", row=line, line=line, expected=m_fields.group(1), saw=m_fields.group(3))


def _read_workbook(data: bytes, file: str, sheet, limits) -> tuple[_Grid, str, list[Problem]]:
    """The grid of the sheet to read, its name, and notes (a warning when another sheet than the
    first was chosen). Every sheet is measured before it is loaded (:mod:`balance.io.workbook`)."""
    from balance.io.workbook import Workbook

    wb = Workbook(data, file, limits, SUMMARY)
    names = wb.sheet_names
    notes: list[Problem] = []
    if not names:
        _refuse(file, "empty_file")
    if sheet is None:
        name = names[0]
        if len(names) > 1 and (_header_hits(wb, name) < HEADER_MIN_HITS or _is_template_example(name, names)):
            # the first sheet is not a school table (an instructions sheet, the template's example
            # rows …): look at the others
            matching = _prefer_template_sheet([n for n in names[1:] if _header_hits(wb, n) >= HEADER_MIN_HITS])
            if len(matching) == 1:
                name = matching[0]
                zh, en = message("sheet_chosen", "warning", first=names[0], chosen=name)
                notes.append(Problem(file=file, sheet=name, problem_zh=zh, problem_en=en, severity="warning",
                                     code="sheet_chosen"))
            elif len(matching) > 1:
                _refuse(file, "several_school_sheets", sheets="、".join(f"「{n}」" for n in matching),
                        sheets_en=", ".join(f"'{n}'" for n in matching))
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        name = names[sheet] if -len(names) <= sheet < len(names) else None
    else:
        name = str(sheet) if str(sheet) in names else None
    if name is None:
        _refuse(file, "sheet_not_found", sheet_name=str(sheet) if sheet is not None else "(1)", sheets="、".join(names))
    rows = wb.rows(name)
    formulas = wb.formula_cells(name)[0]
    if not rows:
        return _Grid(pd.DataFrame(), None, sheets=names), name, notes
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        width = max(widths)
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    raw = pd.DataFrame(rows, dtype=object)
    # the top rows (titles, the header) are converted cell by cell; the body column by column, so
    # that a column of numbers is recognised in one pass
    parts = [raw.iloc[:HEADER_SCAN_ROWS], raw.iloc[HEADER_SCAN_ROWS:]]
    texts, numeric = {}, {}
    for j in raw.columns:
        converted = [_cells_to_text(part[j]) for part in parts if len(part)]
        texts[j] = pd.concat([c[0] for c in converted])
        numeric[j] = np.concatenate([c[1] for c in converted])
    grid = _Grid(pd.DataFrame(texts).reset_index(drop=True), np.column_stack([numeric[j] for j in raw.columns]),
                 formulas=formulas, sheets=names, merged=wb.merged_ranges(name))
    return grid, name, notes


def _is_template_example(name: str, names: list[str]) -> bool:
    """The template's example sheet (示例) in front of its data sheet (学校基础数据): never read."""
    from balance.io.templates import SHEET_DATA, SHEET_EXAMPLE

    return name == SHEET_EXAMPLE and SHEET_DATA in names


def _prefer_template_sheet(matching: list[str]) -> list[str]:
    """Of several sheets that look like a school table, the template's data sheet; the template's
    example sheet (示例, three made-up rows) is never a candidate when another one is."""
    from balance.io.templates import SHEET_DATA, SHEET_EXAMPLE

    if SHEET_DATA in matching:
        return [SHEET_DATA]
    real = [n for n in matching if n != SHEET_EXAMPLE]
    return real or matching


def _header_hits(wb, name: str) -> int:
    """How many known columns the best header row of sheet ``name`` names (its first rows only)."""
    try:
        top = wb.rows(name, nrows=HEADER_SCAN_ROWS)
    except InputError:
        return 0
    return _find_header([[_other_text(c) if not isinstance(c, str) else c for c in r] for r in top])[1]
