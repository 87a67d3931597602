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
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem
from balance.schema import COLUMNS
from balance.io.validation import RawTable, message, validate_school_rows

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
#: How many rows at the top of a sheet are searched for the header row.
HEADER_SCAN_ROWS = 10

_UNIT = re.compile(r"平方米|平米|m\^?2")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "〈": "(", "〉": ")"})
_WS = re.compile(r"\s+")


@dataclass
class SchoolTable:
    """A validated school table.

    Attributes
    ----------
    data : DataFrame
        One row per school and year; every canonical column of ``columns.yaml`` in order (the
        optional ``township`` is NA when the file has no such column) plus ``source_row``, the row
        number the user sees in Excel or a text editor.
    path : str
        The file path, or ``"<DataFrame>"``.
    sha256 : str or None
        Hex SHA-256 of the file's bytes (``None`` for a DataFrame).
    warnings : list of Problem
        Warnings (``severity="warning"``) about the table; they do not stop the run.
    header_map : dict
        The user's original header text -> canonical column name, for every recognised column.
    sheet : str or None
        The worksheet read (Excel / ODS only).
    """

    data: pd.DataFrame
    path: str
    sha256: str | None
    warnings: list[Problem] = field(default_factory=list)
    header_map: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None


def normalize_header(text) -> str:
    """Normalise a header for matching (see the module docstring).

    Parameters
    ----------
    text : object
        A header cell.

    Returns
    -------
    str
        ``normalize_header("教学及辅助用房面积（平方米）") == normalize_header("教学及辅助用房面积(㎡)")``.

    Examples
    --------
    >>> normalize_header(" 小学 在校生数 ")
    '小学在校生数'
    >>> normalize_header("Teaching_Area")
    'teaching_area'
    """
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = _WS.sub("", s).translate(_BRACKETS).lower()
    s = _UNIT.sub("m2", s)
    return s.lstrip("*★※")


@lru_cache(maxsize=1)
def header_lookup() -> dict[str, tuple[str, float]]:
    """Normalised header -> (canonical name, multiplier), from ``columns.yaml``.

    Raises
    ------
    ValueError
        When ``columns.yaml`` lets one normalised header name two columns (a packaging bug).
    """
    out: dict[str, tuple[str, float]] = {}

    def add(text, name, factor):
        key = normalize_header(text)
        if key in out and out[key] != (name, factor):
            raise ValueError(f"columns.yaml: header {text!r} matches both {out[key][0]} and {name}")
        out[key] = (name, factor)

    for c in COLUMNS:
        add(c["name"], c["name"], 1.0)
        add(c["header"], c["name"], 1.0)
        for a in c.get("aliases") or []:
            add(a, c["name"], 1.0)
        for h, f in (c.get("convert") or {}).items():
            add(h, c["name"], float(f))
    return out


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
        return _load_frame(source)
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


# ---------------------------------------------------------------------------------------------


SUMMARY = ("无法读取学校数据表", "cannot read the school table")


def _refuse(file: str, code: str, sheet: str | None = None, row: int | None = None, **fields):
    zh, en = message(code, **fields)
    raise InputError([Problem(file=file, sheet=sheet, row=row, problem_zh=zh, problem_en=en, code=code)], *SUMMARY)


@dataclass
class _Grid:
    """Cells of a sheet as text, plus where each cell was stored as a number."""

    text: pd.DataFrame            # object/str cells, "" when empty; columns 0..k-1; RangeIndex
    numeric: np.ndarray | None    # bool, same shape, or None (text source)
    first_row: int = 1            # the user-visible row number of text.iloc[0]
    encoding: str | None = None   # the text encoding a CSV was read with
    formulas: list = field(default_factory=list)  # (row index in text, column) of formulas without a value
    sheets: list = field(default_factory=list)    # every sheet of the workbook (for messages)
    merged: list = field(default_factory=list)    # merged ranges ((row, col), (row, col)), 0-based


#: Text encodings tried, in order, for CSV from Chinese Windows Excel and elsewhere (a file that
#: starts with a UTF-16 byte-order mark, as Excel's "Unicode text" does, is read as UTF-16).
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text_as(data: bytes, file: str, summary: tuple[str, str] = ("无法读取文件", "cannot read the file")
                   ) -> tuple[str, str]:
    """:func:`decode_text` and the encoding used (``"utf-8-sig"``, ``"gb18030"`` or ``"utf-16"``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    control = sum(b < 32 and b not in (9, 10, 12, 13, 27) for b in head)
    if head.count(b"\x00") > len(head) // 100 or control > max(8, len(head) // 20):
        zh, en = message("not_text")  # NUL bytes or many control bytes: binary data
        raise InputError([Problem(file=file, problem_zh=zh, problem_en=en, code="not_text")], *summary)
    for enc in TEXT_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    zh, en = message("encoding")
    raise InputError([Problem(file=file, problem_zh=zh, problem_en=en, code="encoding")], *summary)


def decode_text(data: bytes, file: str, summary: tuple[str, str] = ("无法读取文件", "cannot read the file")) -> str:
    """Bytes of a text file (CSV, YAML) as str: UTF-8 (with or without BOM), else GB18030 (a
    superset of GBK); UTF-16 when the file starts with its byte-order mark. Raises
    :class:`InputError` naming the file: code ``not_text`` for binary data (more than 1 % NUL bytes
    or 5 % control bytes — and more than 8 — in the first 8 KB; a stray NUL in one cell is left to the cell checks),
    ``encoding`` when no encoding fits."""
    return decode_text_as(data, file, summary)[0]


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
        if len(names) > 1 and _header_hits(wb, name) < HEADER_MIN_HITS:
            # the first sheet is not a school table (an instructions sheet …): look at the others
            matching = [n for n in names[1:] if _header_hits(wb, n) >= HEADER_MIN_HITS]
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


def _header_hits(wb, name: str) -> int:
    """How many known columns the best header row of sheet ``name`` names (its first rows only)."""
    try:
        top = wb.rows(name, nrows=HEADER_SCAN_ROWS)
    except InputError:
        return 0
    return _find_header([[_other_text(c) if not isinstance(c, str) else c for c in r] for r in top])[1]


def _cells_to_text(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Typed cells (Excel or a DataFrame column) -> text as the user sees it, and a numeric mask.

    Integer-valued floats lose their ``.0`` (110101.0 -> "110101"); other floats keep their shortest
    repr; missing values become ""; dates become ISO text; booleans TRUE/FALSE.
    """
    if pd.api.types.is_bool_dtype(s.dtype) or isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s.dtype):
        numeric = s.notna().to_numpy()
        values = s.astype("float64")
        out = pd.Series("", index=s.index, dtype=object)
        ok = values.notna()
        out[ok] = _format_floats(values[ok])
        return out.astype("str"), numeric
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return s.fillna("").astype("str"), np.zeros(len(s), dtype=bool)
    inferred = pd.api.types.infer_dtype(s, skipna=False)  # one fast pass; per-cell work only when mixed
    if inferred == "string":
        return s.astype("str"), np.zeros(len(s), dtype=bool)
    if inferred in ("floating", "integer", "mixed-integer-float"):
        try:
            return _cells_to_text(s.astype("float64"))
        except OverflowError:  # a Python int beyond float range (10**400): cell by cell below
            pass
    kinds = s.map(_kind).to_numpy()
    numeric = kinds == 1
    out = pd.Series("", index=s.index, dtype=object)
    strs = kinds == 0
    out[strs] = s[strs]
    if numeric.any():
        nums = s[numeric]
        try:
            out[numeric] = _format_floats(nums.astype("float64"))
        except OverflowError:  # a Python int beyond float range: its exact digits (refused as too large)
            out[numeric] = [str(int(v)) if isinstance(v, (int, np.integer)) else _format_floats(pd.Series([v]))[0]
                            for v in nums]
    other = kinds == 2
    if other.any():
        out[other] = s[other].map(_other_text)
    return out.astype("str"), numeric


def _kind(v) -> int:
    """0 text, 1 number, 2 other (dates, booleans), 3 empty."""
    if isinstance(v, str):
        return 0
    if v is None:
        return 3
    if isinstance(v, bool):
        return 2
    if isinstance(v, (int, float, np.integer, np.floating)):
        return 3 if v != v else 1
    if v is pd.NA or v is pd.NaT:
        return 3
    return 2


def _other_text(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _format_floats(values: pd.Series) -> np.ndarray:
    v = values.to_numpy(dtype="float64")
    whole = np.isfinite(v) & (v == np.floor(v)) & (np.abs(v) < 1e15)
    out = np.empty(len(v), dtype=object)
    out[whole] = v[whole].astype("int64").astype(str)
    rest = ~whole
    out[rest] = [repr(float(x)) for x in v[rest]]
    return out


#: A row naming at least this many columns of the school table is taken for its header row; a
#: sheet without one is not a school table (one message instead of a line per missing column).
HEADER_MIN_HITS = 3


def _find_header(rows: list[list]) -> tuple[int, int]:
    """(index, hits): the row among the first :data:`HEADER_SCAN_ROWS` naming most known columns
    and how many it names. With no match at all the first non-empty row is taken (hits 0)."""
    lookup = header_lookup()
    best, best_i, first_nonempty = 0, None, None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [normalize_header(c) for c in row]
        if first_nonempty is None and any(cells):
            first_nonempty = i
        hits = len({lookup[c][0] for c in cells if c in lookup})
        if hits > best:
            best, best_i = hits, i
    if best_i is not None:
        return best_i, best
    return first_nonempty or 0, 0


def _find_header_index(rows: list[list]) -> int:
    """Index of the row (among the first :data:`HEADER_SCAN_ROWS`) matching most known headers.

    With no match at all the first non-empty row is taken (its missing columns are reported).
    """
    return _find_header(rows)[0]


def _from_grid(grid: _Grid, *, file: str, sha256: str | None, sheet: str | None,
               notes: list[Problem] | None = None) -> SchoolTable:
    text = grid.text
    if text.shape[0] == 0 or not any((text[c].astype("str").str.strip() != "").any() for c in text.columns):
        _refuse(file, "empty_file", sheet=sheet)
    top = [list(text.iloc[i]) for i in range(min(HEADER_SCAN_ROWS, len(text)))]
    h = _find_header_index(top)
    headers = [str(x) for x in text.iloc[h]]
    body = text.iloc[h + 1:].reset_index(drop=True)
    numeric = grid.numeric[h + 1:] if grid.numeric is not None else None
    rows = np.arange(len(body), dtype="int64") + grid.first_row + h + 1
    formulas = [(r - h - 1, c) for r, c in grid.formulas]  # positions in the body (the header row: -1)
    merged = [(a, b) for a, b in grid.merged if a[0] <= h <= b[0] and b[1] > a[1]]  # across the header row
    return _build(headers, body, numeric, rows, file=file, sha256=sha256, sheet=sheet, notes=notes,
                  formulas=formulas, encoding=grid.encoding, sheets=grid.sheets, header_row=grid.first_row + h,
                  merged=merged)


def _build(headers: list[str], body: pd.DataFrame, numeric: np.ndarray | None, rows: np.ndarray, *,
           file: str, sha256: str | None, sheet: str | None, notes: list[Problem] | None = None,
           formulas: list | None = None, encoding: str | None = None, sheets: list | None = None,
           header_row: int = 1, merged: list | None = None) -> SchoolTable:
    """Map headers, drop blank rows, validate, raise or return the table."""
    lookup = header_lookup()
    problems: list[Problem] = []
    by_name: dict[str, list[int]] = {}
    factors: dict[str, float] = {}
    unknown: list[str] = []
    for j, hdr in enumerate(headers):
        key = normalize_header(hdr)
        if key in lookup:
            name, factor = lookup[key]
            by_name.setdefault(name, []).append(j)
            factors[name] = factor
        elif key and key != "source_row":
            unknown.append(hdr.strip())
    spec = {c["name"]: c for c in COLUMNS}
    if len(by_name) < HEADER_MIN_HITS:
        _no_header(file, sheet, by_name, encoding, sheets)
    for name, js in by_name.items():
        if len(js) > 1:
            zh, en = message("duplicate_column", header=spec[name]["header"], name=name,
                             columns="、".join(f"「{headers[j].strip()}」" for j in js))
            problems.append(Problem(file=file, sheet=sheet, column=headers[js[0]].strip(), problem_zh=zh,
                                    problem_en=en, code="duplicate_column"))
    if merged and any(c.get("required") and c["name"] not in by_name for c in COLUMNS):
        ranges = "、".join(f"{_col_letters(a[1] + 1)}{a[0] + 1}:{_col_letters(b[1] + 1)}{b[0] + 1}" for a, b in merged)
        zh, en = message("merged_header", ranges=ranges, row=header_row)
        problems.append(Problem(file=file, sheet=sheet, row=header_row, problem_zh=zh, problem_en=en,
                                code="merged_header"))
    for c in COLUMNS:
        if c.get("required") and c["name"] not in by_name:
            zh, en = message("missing_column", header=c["header"], name=c["name"])
            problems.append(Problem(file=file, sheet=sheet, column=c["header"], problem_zh=zh, problem_en=en,
                                    code="missing_column"))
    warnings: list[Problem] = list(notes or [])
    for r, j in formulas or []:
        if r < 0 and j < len(headers):  # a header cell that is a formula without a value
            zh, en = message("formula_no_value")
            problems.append(Problem(file=file, sheet=sheet, row=header_row, column=_col_letters(j + 1),
                                    problem_zh=zh, problem_en=en, code="formula_no_value"))
    if unknown:
        zh, en = message("unknown_columns", "warning", columns="、".join(unknown))
        warnings.append(Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, severity="warning",
                                code="unknown_columns"))

    cols = {name: js[0] for name, js in by_name.items()}
    sub = body[[cols[n] for n in cols]] if cols else pd.DataFrame(index=body.index)
    sub.columns = list(cols)
    # rows blank in every recognised column (trailing formatted rows, spacer lines) are not data
    if len(sub.columns):
        filled = (sub.astype("str").apply(lambda s: s.str.strip()) != "").any(axis=1).to_numpy()
    else:
        filled = np.zeros(len(sub), dtype=bool)
    sub = sub[filled].reset_index(drop=True).astype("str")
    rows = rows[filled]
    num = {}
    if numeric is not None:
        for n, j in cols.items():
            num[n] = numeric[:, j][filled]
    formula = {}
    if formulas:
        index = np.cumsum(filled) - 1  # body position -> position among the filled rows
        col_of = {j: n for n, j in cols.items()}
        for r, j in formulas:
            if 0 <= r < len(filled) and j in col_of:
                if not filled[r]:  # a row whose only recognised cells are formulas without values
                    continue
                formula.setdefault(col_of[j], np.zeros(int(filled.sum()), dtype=bool))[index[r]] = True
    if len(sub) == 0:
        zh, en = message("no_data_rows")
        problems.append(Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, code="no_data_rows"))
        raise InputError(problems + warnings, "学校数据表有误", "the school table has errors")

    raw = RawTable(text=sub, source_row=rows, headers={n: headers[j].strip() for n, j in cols.items()},
                   factors=factors, numeric=num, file=file, sheet=sheet, formula=formula)
    data, found = validate_school_rows(raw)
    problems += [p for p in found if p.severity == "error"]
    warnings += [p for p in found if p.severity == "warning"]
    if problems:
        raise InputError(problems + warnings, "学校数据表有误", "the school table has errors")
    header_map = {headers[j].strip(): n for n, j in cols.items()}
    return SchoolTable(data=data, path=file, sha256=sha256, warnings=warnings, header_map=header_map, sheet=sheet)


def _col_letters(n: int) -> str:
    from balance.io.workbook import col_letters

    return col_letters(n)


def _no_header(file: str, sheet: str | None, found: dict, encoding: str | None, sheets: list | None):
    """Refuse a table whose first rows name (almost) none of the school table's columns, in one
    message with the likely cause: a text encoding other than UTF-8 / GB18030 (e.g. Big5), or
    another sheet of the workbook."""
    named = "、".join(f"「{spec_header(n)}」" for n in found) or "无"
    named_en = ", ".join(found) or "none"
    if encoding == "gb18030":
        code, fields = "no_header_encoding", {}
    elif sheets and len(sheets) > 1:
        code, fields = "no_header_sheets", {"sheets": "、".join(f"「{n}」" for n in sheets),
                                            "sheets_en": ", ".join(f"'{n}'" for n in sheets)}
    else:
        code, fields = "no_header", {}
    zh, en = message(code, rows=HEADER_SCAN_ROWS, named=named, named_en=named_en, **fields)
    raise InputError([Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, code=code)],
                     "学校数据表有误", "the school table has errors")


def spec_header(name: str) -> str:
    return next(c["header"] for c in COLUMNS if c["name"] == name)


def _load_frame(df: pd.DataFrame) -> SchoolTable:
    file = "<DataFrame>"
    headers = [str(c) for c in df.columns]
    if df.shape[1] == 0:
        _refuse(file, "empty_file")
    texts, numeric = {}, []
    for j in range(df.shape[1]):
        t, m = _cells_to_text(df.iloc[:, j].reset_index(drop=True))
        texts[j] = t
        numeric.append(m)
    body = pd.DataFrame(texts, index=pd.RangeIndex(len(df)))
    num = np.column_stack(numeric) if numeric else None
    rows = np.arange(len(df), dtype="int64") + 2
    if "source_row" in df.columns:
        sr = pd.to_numeric(df["source_row"], errors="coerce")
        if sr.notna().all() and (sr == np.floor(sr)).all():
            rows = sr.to_numpy(dtype="int64")
    return _build(headers, body, num, rows, file=file, sha256=None, sheet=None)
