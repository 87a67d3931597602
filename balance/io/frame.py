"""From a grid of text cells to a validated :class:`~balance.io.table.SchoolTable`.

Every reader (CSV, Excel, ODS, a DataFrame, a Parquet file validated in full) ends here:
:func:`_from_grid` finds the header row, :func:`_build` maps the headers to the column model,
drops blank rows and hands the text cells to :func:`balance.io.validation.validate_school_rows`;
:func:`load_frame` does the same for a DataFrame.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem
from balance.io.headers import header_lookup, normalize_header, spec_header
from balance.io.table import SchoolTable
from balance.io.validation import RawTable, message, validate_school_rows
from balance.schema import COLUMNS

#: How many rows at the top of a sheet are searched for the header row.
HEADER_SCAN_ROWS = 10

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
    down = [(a[0] + grid.first_row, b[0] + grid.first_row, a[1], b[1])  # down the data rows (user-visible rows)
            for a, b in grid.merged if a[0] > h and b[0] > a[0]]
    return _build(headers, body, numeric, rows, file=file, sha256=sha256, sheet=sheet, notes=notes,
                  formulas=formulas, encoding=grid.encoding, sheets=grid.sheets, header_row=grid.first_row + h,
                  merged=merged, merged_down=down)


def _build(headers: list[str], body: pd.DataFrame, numeric: np.ndarray | None, rows: np.ndarray, *,
           file: str, sha256: str | None, sheet: str | None, notes: list[Problem] | None = None,
           formulas: list | None = None, encoding: str | None = None, sheets: list | None = None,
           header_row: int = 1, merged: list | None = None, merged_down: list | None = None) -> SchoolTable:
    """Map headers, drop blank rows, validate, raise or return the table. ``merged_down``: cells merged
    down the data rows, ``(first row, last row, first column, last column)`` (rows as the user sees them)."""
    by_name, factors, unknown = _map_headers(headers)
    if len(by_name) < HEADER_MIN_HITS:
        _no_header(file, sheet, by_name, encoding, sheets)
    problems = _header_problems(headers, by_name, file=file, sheet=sheet, formulas=formulas, header_row=header_row,
                                merged=merged)
    warnings: list[Problem] = list(notes or [])
    if unknown:
        zh, en = message("unknown_columns", "warning", columns="、".join(unknown))
        warnings.append(Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, severity="warning",
                                code="unknown_columns"))

    cols = {name: js[0] for name, js in by_name.items()}
    sub, rows, filled = _data_rows(body, rows, cols, warnings, file=file, sheet=sheet)
    num = {n: numeric[:, j][filled] for n, j in cols.items()} if numeric is not None else {}
    formula = _formula_cells(formulas, cols, filled)
    if len(sub) == 0:
        zh, en = message("no_data_rows")
        problems.append(Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, code="no_data_rows"))
        raise InputError(problems + warnings, "学校数据表有误", "the school table has errors")

    raw = RawTable(text=sub, source_row=rows, headers={n: headers[j].strip() for n, j in cols.items()},
                   factors=factors, numeric=num, file=file, sheet=sheet, formula=formula)
    data, found = validate_school_rows(raw)
    if merged_down:
        found = _merged_blanks(found, merged_down, cols, headers)
    problems += [p for p in found if p.severity == "error"]
    warnings += [p for p in found if p.severity == "warning"]
    if problems:
        raise InputError(problems + warnings, "学校数据表有误", "the school table has errors")
    header_map = {headers[j].strip(): n for n, j in cols.items()}
    return SchoolTable(data=data, path=file, sha256=sha256, warnings=warnings, header_map=header_map, sheet=sheet)


def _merged_blanks(found: list[Problem], merged_down: list, cols: dict[str, int], headers: list[str]) -> list[Problem]:
    """The "required cell is blank" errors of cells merged down the rows (Excel keeps the value in the
    first row of a merge only) replaced by one error per merge that names its range and says to unmerge."""
    at = {}
    for k, (r0, r1, c0, c1) in enumerate(merged_down):
        for j in range(c0, c1 + 1):
            for r in range(r0 + 1, r1 + 1):
                at[(r, j)] = k
    by_header = {headers[j].strip(): j for j in cols.values()}
    out, seen = [], set()
    for p in found:
        k = at.get((p.row, by_header.get(p.column))) if p.code == "blank" else None
        if k is None:
            out.append(p)
        elif k not in seen:
            seen.add(k)
            r0, r1, c0, c1 = merged_down[k]
            zh, en = message("merged_down", rows=f"{r0}–{r1}", first=r0, column=p.column,
                             range=f"{_col_letters(c0 + 1)}{r0}:{_col_letters(c1 + 1)}{r1}")
            out.append(replace(p, row=r0 + 1, problem_zh=zh, problem_en=en, code="merged_down"))
    return out


def _map_headers(headers: list[str]) -> tuple[dict[str, list[int]], dict[str, float], list[str]]:
    """(canonical name → its column positions, name → unit factor, headers not recognised)."""
    lookup = header_lookup()
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
    return by_name, factors, unknown


def _header_problems(headers: list[str], by_name: dict[str, list[int]], *, file: str, sheet: str | None,
                     formulas: list | None, header_row: int, merged: list | None) -> list[Problem]:
    """The header row's errors: duplicate columns, a merged header hiding required columns, missing
    required columns, header cells that are formulas without a value."""
    problems: list[Problem] = []
    spec = {c["name"]: c for c in COLUMNS}
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
            near = _look_alike(c, headers, by_name)
            zh, en = (message("missing_column_near", header=c["header"], name=c["name"], near=near) if near
                      else message("missing_column", header=c["header"], name=c["name"]))
            problems.append(Problem(file=file, sheet=sheet, column=c["header"], problem_zh=zh, problem_en=en,
                                    code="missing_column"))
    for r, j in formulas or []:
        if r < 0 and j < len(headers):  # a header cell that is a formula without a value
            zh, en = message("formula_no_value")
            problems.append(Problem(file=file, sheet=sheet, row=header_row, column=_col_letters(j + 1),
                                    problem_zh=zh, problem_en=en, code="formula_no_value"))
    return problems


def _look_alike(column: dict, headers: list[str], by_name: dict[str, list[int]]) -> str | None:
    """The first unrecognised header that begins with ``column``'s header (「小学在校生数（人）」 for
    小学在校生数: a unit or note the clerk added), to name in the refusal; never used as the column."""
    taken = {j for js in by_name.values() for j in js}
    keys = {normalize_header(t) for t in [column["header"], *(column.get("aliases") or [])]}
    for j, hdr in enumerate(headers):
        key = normalize_header(hdr)
        if j not in taken and any(key.startswith(k) and key != k for k in keys if k):
            return hdr.strip()
    return None


def _data_rows(body: pd.DataFrame, rows: np.ndarray, cols: dict[str, int], warnings: list[Problem], *, file: str,
               sheet: str | None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The recognised columns of the data rows as text, their file rows and the mask of the body rows kept.

    Rows blank in every recognised column (trailing formatted rows, spacer lines) are not data;
    totals rows (合计 …) are left out with a warning appended to ``warnings``.
    """
    sub = body[[cols[n] for n in cols]] if cols else pd.DataFrame(index=body.index)
    sub.columns = list(cols)
    if len(sub.columns):
        filled = (sub.astype("str").apply(lambda s: s.str.strip()) != "").any(axis=1).to_numpy()
    else:
        filled = np.zeros(len(sub), dtype=bool)
    totals = _totals_rows(sub) & filled
    if totals.any():
        shown = "、".join(str(int(r)) for r in rows[totals][:10]) + (" …" if totals.sum() > 10 else "")
        zh, en = message("totals_rows_left_out", "warning", n=int(totals.sum()), rows=shown)
        warnings.append(Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, severity="warning",
                                code="totals_rows_left_out"))
        filled = filled & ~totals
    return sub[filled].reset_index(drop=True).astype("str"), rows[filled], filled


def _formula_cells(formulas: list | None, cols: dict[str, int], filled: np.ndarray) -> dict[str, np.ndarray]:
    """Name → mask over the kept rows of the cells that are formulas without a value."""
    formula: dict[str, np.ndarray] = {}
    if formulas:
        index = np.cumsum(filled) - 1  # body position -> position among the filled rows
        col_of = {j: n for n, j in cols.items()}
        for r, j in formulas:
            if 0 <= r < len(filled) and j in col_of:
                if not filled[r]:  # a row whose only recognised cells are formulas without values
                    continue
                formula.setdefault(col_of[j], np.zeros(int(filled.sum()), dtype=bool))[index[r]] = True
    return formula


#: Cells that mark a totals or subtotals row (合计, 小计, 总计), looked for in these columns.
TOTALS_MARKS = ("合计", "小计", "总计")
TOTALS_COLUMNS = ("year", "county_code", "county_name", "school_code", "school_name")


def _totals_rows(sub: pd.DataFrame) -> np.ndarray:
    """Rows whose year, county or school name or code cell says 合计 / 小计 / 总计 (a totals row a
    clerk adds at the bottom, or subtotals per township): not schools, left out with one warning
    (they used to give a dozen errors each)."""
    hit = np.zeros(len(sub), dtype=bool)
    for name in TOTALS_COLUMNS:
        if name in sub.columns:
            t = sub[name].astype("str").str.replace(r"\s+", "", regex=True)
            hit |= t.str.contains("|".join(TOTALS_MARKS), regex=True).to_numpy(dtype=bool)
    return hit


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


def load_frame(df: pd.DataFrame) -> SchoolTable:
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
