"""The county sheet (县级填报表): what a bureau fills in each year besides the school table.

One row per county × year with the answers to the 政府保障程度 items (15), the 教育质量 items
(9), the 社会认可度 survey rate and the one-vote vetoes (method.md §§5–6). The items, their
sheet columns, types, units, allowed values and rules are data: ``balance/data/evaluation_items.yaml``.

* :func:`write_county_sheet_template` writes the bilingual Excel template: above the header row,
  each column shows its area, the official requirement (Chinese and English), the rule and the
  allowed values / unit; yes/no cells have a 是/否 drop-down; qualitative items have an evidence
  note column (说明及佐证材料); a second sheet lists every item.
* :func:`load_county_sheet` reads a filled sheet (``.xlsx``/``.xls``/``.ods``/``.csv``), checks every
  cell and raises :class:`~balance.errors.InputError` with *all* problems (file, row, column,
  value, Chinese and English message): yes/no cells other than 是/否 (e.g. "yes"), rates that are
  not numbers or outside 0–100 %, negative amounts, bad years, county codes that are not 6 digits
  or not in the school data, the same county and year twice.

A blank cell is *missing*: kept as missing and reported so in the evaluation, never taken as a pass.

The module is split by concept: the items as data (:mod:`balance.io.county_items`), the template
(:mod:`balance.io.county_template`), the file's cells (:mod:`balance.io.county_grid`) and, here,
the reading and checking. Every name of the former single module still imports from here.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem
from balance.io.county_grid import _cell_text, _read_grid, _refuse
from balance.io.county_items import (  # noqa: F401
    _SUMMARY,
    DESCRIPTION_ROWS,
    GUIDE_SHEET,
    HEADER_SCAN_ROWS,
    ITEMS_FILE,
    NO,
    SHEET_NAME,
    TYPE_LABELS,
    YES,
    _num,
    area_names,
    fields,
    item_id,
    item_spec,
    items,
    note_column,
    note_header,
    rule_text,
    sheet_columns,
)
from balance.io.county_template import write_county_sheet_template  # noqa: F401


@dataclass
class CountySheet:
    """A validated county sheet.

    Attributes
    ----------
    data : DataFrame
        One row per county × year: ``year`` (int), ``county_code`` (str), ``county_name``, one column
        per field of ``evaluation_items.yaml`` (yes/no fields hold "是"/"否", numeric fields float;
        missing is NA/NaN), one ``<item_id>_note`` column per evidence note, and ``source_row``.
    path : str
    sha256 : str or None
    sheet : str or None
    warnings : list of Problem
    columns_found : list of str
        The canonical field names the file has a column for (missing columns mean missing items).
    """

    data: pd.DataFrame
    path: str
    sha256: str | None = None
    sheet: str | None = None
    warnings: list[Problem] = field(default_factory=list)
    columns_found: list[str] = field(default_factory=list)

    def row(self, year: int, county_code: str) -> dict | None:
        """The sheet row of one county and year as a dict, or ``None``."""
        m = (self.data["year"] == int(year)) & (self.data["county_code"] == str(county_code))
        if not m.any():
            return None
        return self.data.loc[m].iloc[0].to_dict()


def _normalize(text) -> str:
    """The school table's header rules (:func:`balance.io.headers.normalize_header`), one home."""
    from balance.io.headers import normalize_header

    return normalize_header(text)


@lru_cache(maxsize=1)
def _header_lookup() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(normalised header -> name, leading code token -> field name, item code -> note column name)."""
    full: dict[str, str] = {}
    token: dict[str, str] = {}
    notes: dict[str, str] = {}
    for c in sheet_columns():
        full[_normalize(c["header"])] = c["name"]
        full[_normalize(c["name"])] = c["name"]
        for a in c.get("aliases", []):
            full[_normalize(a)] = c["name"]
        if c["kind"] == "field":
            token[_normalize(c["header"].split()[0])] = c["name"]
        elif c["kind"] == "note":
            notes[_normalize(c["item"]["code"])] = c["name"]
    return full, token, notes


def _match_header(text: str) -> str | None:
    full, token, notes = _header_lookup()
    key = _normalize(text)
    if not key:
        return None
    if key in full:
        return full[key]
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    first = _normalize(raw.split()[0]) if raw.split() else ""
    if ("说明" in key or "佐证" in key or "备注" in key) and first in notes:
        return notes[first]
    m = re.match(r"^((?:保障|质量|否决)\d+[a-z]?|认可)", key)
    if m and m.group(1) in token:
        return token[m.group(1)]
    return token.get(first)



def load_county_sheet(source, known_counties: dict[str, str] | list[str] | set[str] | None = None,
                      sheet: str | int | None = None, *, limits=None, other_counties: str = "refuse") -> CountySheet:
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
        Worksheet (default: 县级填报表 if present, else the first sheet — or, when the first sheet
        has no header row (instructions) and exactly one other sheet has, that one).
    limits : dict, optional
        Overrides of ``balance/data/reading_limits.yaml`` (see :mod:`balance.io.workbook`).
    other_counties : "refuse" or "ignore"
        A row of a county not in ``known_counties``: an error (default), or, ``"ignore"`` (a
        city-wide sheet used with a table of some of its counties: the briefings), the row is
        dropped and one warning (``other_counties_ignored``) names the counties ignored.

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
        grid, sheet_name, formulas = _read_grid(path, sheet, data, limits, has_header=lambda g: _header_row(g) is not None)
    return _parse(grid, file=file, sha256=sha, sheet=sheet_name, known=known_counties, formulas=formulas,
                  other_counties=other_counties)


def _header_row(grid: list[list]) -> int | None:
    """The header row: the row among the first ones that names most known columns (year and
    county code needed), or ``None``."""
    best, h = 0, None
    for i, r in enumerate(grid[:HEADER_SCAN_ROWS]):
        names = {_match_header(_cell_text(c)[0]) for c in r} - {None}
        if {"year", "county_code"} <= names and len(names) > best:
            best, h = len(names), i
    return h


def _parse(grid: list[list], *, file: str, sha256, sheet, known, formulas=(), other_counties="refuse") -> CountySheet:
    """Check the cells of a county sheet and build its :class:`CountySheet` (raises on any error)."""
    problems: list[Problem] = []
    formula_at = set(formulas)

    def add(zh, en, code, row=None, column=None, value=None, severity="error"):
        problems.append(Problem(file=file, sheet=sheet, row=row, column=column, value=value, problem_zh=zh,
                                problem_en=en, severity=severity, code=code))

    if not grid or not any(_cell_text(c)[0].strip() for r in grid for c in r):
        raise _refuse(file, "文件为空", "the file is empty", "empty_file", sheet)
    h = _header_row(grid)
    if h is None:
        raise _refuse(file, "找不到表头行：应有“年份”和“县区代码”两列", "no header row found: the columns 年份 (year) "
                      "and 县区代码 (county code) are needed", "missing_header", sheet)
    headers = [_cell_text(c)[0].strip() for c in grid[h]]
    cols = _columns(headers, add)
    spec_fields = {f["name"]: f for f in fields()}
    records = []
    for i in range(h + 1, len(grid)):
        rec = _parse_row(grid[i], i, cols, headers, spec_fields, formula_at, add)
        if rec is not None:
            records.append(rec)

    _fraction_columns(problems, records, grid[h + 1:], cols, headers, spec_fields, file, sheet)
    if not records:
        add("表中没有数据行（只有表头）", "the sheet has no data rows (header only)", "no_data_rows")

    df = pd.DataFrame(records)
    if len(df):
        df = _check_counties(df, known, add, other_counties)

    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems, *_SUMMARY)
    df["year"] = df["year"].astype("int64")
    df["county_code"] = df["county_code"].astype(str)
    df["source_row"] = df["source_row"].astype("int64")
    return CountySheet(data=df.reset_index(drop=True), path=file, sha256=sha256, sheet=sheet,
                       warnings=[p for p in problems if p.severity == "warning"],
                       columns_found=[n for n in spec_fields if n in cols])


def _columns(headers: list[str], add) -> dict[str, int]:
    """The column of each recognised name (header text → canonical name); duplicate columns are
    errors, unknown and missing item columns warnings (via ``add``)."""
    cols: dict[str, int] = {}
    unknown = []
    for j, hd in enumerate(headers):
        name = _match_header(hd)
        if name is None:
            if hd:
                unknown.append(hd)
            continue
        if name in cols:
            add(f"多个列都对应「{headers[cols[name]]}」：「{headers[cols[name]]}」与「{hd}」",
                f"several columns map to '{name}': '{headers[cols[name]]}' and '{hd}'", "duplicate_column", column=hd)
            continue
        cols[name] = j
    if unknown:
        add(f"无法识别的列（已忽略）：{'、'.join(unknown)}", f"unrecognised columns (ignored): {', '.join(unknown)}",
            "unknown_columns", severity="warning")
    missing_fields = [f for f in fields() if f["name"] not in cols]
    if missing_fields:
        add(f"缺少 {len(missing_fields)} 个事项列，这些事项将按“缺失”处理：{'、'.join(f['header'] for f in missing_fields)}",
            f"{len(missing_fields)} item column{'' if len(missing_fields) == 1 else 's'} missing; those items will be reported as missing: "
            f"{', '.join(f['name'] for f in missing_fields)}", "missing_item_columns", severity="warning")
    return cols


def _parse_row(r: list, i: int, cols: dict[str, int], headers: list[str], spec_fields: dict, formula_at: set,
               add) -> dict | None:
    """One data row (grid index ``i``) as a record, or ``None`` for a blank line; problems via ``add``."""
    cells = {name: _cell_text(r[j]) if j < len(r) else ("", False) for name, j in cols.items()}
    if not any(t.strip() for t, _ in cells.values()):
        return None  # blank line
    rownum = i + 1
    rec: dict = {"source_row": rownum}
    rec["year"] = _parse_year(cells.get("year", ("", False))[0].strip(), add, rownum, headers[cols["year"]])
    ct, numeric = cells.get("county_code", ("", False))
    rec["county_code"] = _parse_county_code(unicodedata.normalize("NFKC", ct.strip()), numeric, add, rownum,
                                            headers[cols["county_code"]])
    rec["county_name"] = cells["county_name"][0].strip() if "county_name" in cells else ""
    if rec["county_name"]:  # a name goes into workbooks: refused when it starts like a formula
        from balance.io.validation import message, name_problems, shown_value

        for code, mask, fields_ in name_problems(pd.Series([rec["county_name"]])):
            if mask[0]:
                zh, en = message(code, **fields_)
                add(zh, en, code, rownum, headers[cols["county_name"]], shown_value(rec["county_name"]))
    for name, j in cols.items():  # formulas without a cached value read as blank: say so
        if (i, j) in formula_at and not cells[name][0].strip():
            from balance.io.validation import message

            zh, en = message("formula_no_value")
            add(zh, en, "formula_no_value", rownum, headers[j], "")
    # items
    for name, f in spec_fields.items():
        if name not in cells:
            rec[name] = None if f["type"] == "yes_no" else np.nan
            continue
        text = unicodedata.normalize("NFKC", cells[name][0]).strip()
        col = headers[cols[name]]
        rec[name] = _parse_value(text, f, add, rownum, col, cells[name][0].strip())
    for c in sheet_columns():
        if c["kind"] == "note":
            rec[c["name"]] = cells[c["name"]][0].strip() if c["name"] in cells else ""
    return rec


def _parse_year(yt: str, add, rownum: int, col: str) -> int | None:
    """The year of a row (``2025``, ``2025.0``, ``2025年``), or ``None`` with a problem."""
    m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?", unicodedata.normalize("NFKC", yt))
    if not yt:
        add("年份为空", "year is blank", "blank", rownum, col, yt)
        return None
    if not m or not 1949 <= int(m.group(1)) <= 2100:
        add("年份应为四位数的年份（1949–2100）", "year must be a 4-digit year (1949-2100)", "year_invalid",
            rownum, col, yt)
        return None
    return int(m.group(1))


def _parse_county_code(ct: str, numeric: bool, add, rownum: int, ccol: str) -> str | None:
    """The 6-digit county code of a row (``numeric``: the cell was a number), or ``None`` with a problem."""
    if not ct:
        add("县区代码为空", "county code is blank", "blank", rownum, ccol, ct)
        return None
    if not ct.isdigit():
        add("县区代码只能由数字组成（应为 6 位数字）", "county code must contain digits only (6 digits expected)",
            "code_not_digits", rownum, ccol, ct)
        return None
    if len(ct) != 6:
        zero = numeric or len(ct) < 6
        add(f"县区代码应为 6 位数字，实际 {len(ct)} 位" + ("；开头的 0 可能已丢失（请将该列设为文本格式）" if zero else ""),
            f"county code must have 6 digits, found {len(ct)}" + ("; leading zeros may have been lost (format the column as text)" if zero else ""),
            "code_length", rownum, ccol, ct)
        return None
    return ct


def _check_counties(df: pd.DataFrame, known, add, others: str = "refuse") -> pd.DataFrame:
    """Rows across the sheet: the same county and year twice (errors); a county not in the school data
    (error, or with ``others="ignore"`` its rows dropped and named in one warning) or named differently
    there (warning). Returns the rows kept."""
    ok = df["year"].notna() & df["county_code"].notna()
    keyed = df[ok]
    dup = keyed[keyed.duplicated(["year", "county_code"], keep=False)]
    for (y, c), g in dup.groupby(["year", "county_code"], sort=True):
        rows = sorted(int(x) for x in g["source_row"])
        for rr in rows:
            add(f"县区 {c} 的 {int(y)} 年出现多行（第 {'、'.join(map(str, rows))} 行），每个县区每年只能填一行",
                f"county {c}, year {int(y)} appears on several rows ({', '.join(map(str, rows))}); one row per county and year",
                "duplicate_county_year", rr, "县区代码", c)
    if known is None:
        return df
    names = known if isinstance(known, dict) else {k: None for k in known}
    listed = "、".join(sorted(names)[:20]) + ("…" if len(names) > 20 else "")
    ignored: dict[str, str] = {}
    for rec in keyed.itertuples(index=False):
        if rec.county_code not in names and others == "ignore":
            ignored.setdefault(rec.county_code, rec.county_name)
        elif rec.county_code not in names:
            add(f"县区代码 {rec.county_code} 不在学校数据中（学校数据中的县区：{listed}）",
                f"county code {rec.county_code} is not in the school data (counties there: {listed.replace('、', ', ')})",
                "unknown_county", int(rec.source_row), "县区代码", rec.county_code)
        elif names[rec.county_code] and rec.county_name and rec.county_name != names[rec.county_code]:
            add(f"县区名称“{rec.county_name}”与学校数据中的“{names[rec.county_code]}”不一致",
                f"county name '{rec.county_name}' differs from the school data's '{names[rec.county_code]}'",
                "county_name_differs", int(rec.source_row), "县区名称", rec.county_name, severity="warning")
    if not ignored:
        return df
    drop = df["county_code"].isin(set(ignored))
    add(*other_counties_message(ignored, int(drop.sum())), "other_counties_ignored", column="县区代码",
        value=", ".join(sorted(ignored)), severity="warning")
    return df[~drop]


def other_counties_message(ignored: dict[str, str], rows: int) -> tuple[str, str]:
    """(Chinese, English) of the warning for the ``rows`` sheet rows of the counties ``ignored``
    (code -> name) that are not in the school data (at most 20 named)."""
    shown = [f"{c} {n or ''}".strip() for c, n in sorted(ignored.items())]
    zh, en = "、".join(shown[:20]) + ("…" if len(shown) > 20 else ""), ", ".join(shown[:20]) + (" …" if len(shown) > 20 else "")
    return (f"县级填报表中有 {len(ignored)} 个县区不在学校数据中，其 {rows} 行未使用（已忽略）：{zh}",
            f"the county sheet has {rows} row{'' if rows == 1 else 's'} of {len(ignored)} "
            f"count{'y' if len(ignored) == 1 else 'ies'} not in the school data; ignored: {en}")


def _fraction_columns(problems: list, records, body, cols, headers, spec_fields, file, sheet) -> None:
    """A rate column whose values all look like fractions: one warning for the column (issue 12)
    instead of one per cell (:func:`balance.io.rates.fraction_rate_columns`)."""
    from balance.io.rates import fraction_rate_columns

    rate_cols = {name: (headers[j], any(j < len(r) and _cell_text(r[j])[0].strip().endswith(("%", "％")) for r in body))
                 for name, j in cols.items() if spec_fields.get(name, {}).get("type") == "rate"}
    extra, flagged = fraction_rate_columns(records, rate_cols, file=file, sheet=sheet)
    problems[:] = [p for p in problems if not (p.code == "rate_looks_like_fraction" and p.column in flagged)] + extra


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _parse_value(text: str, f: dict, add, row: int, col: str, shown: str):
    """One cell of a field: "是"/"否" or a float; ``None``/NaN when blank; problems via ``add``."""
    t = f["type"]
    if text == "":
        return None if t == "yes_no" else np.nan
    if t == "yes_no":
        if text in (YES, NO):
            return text
        add(f"应填写“是”或“否”，不能填写“{shown}”", f"must be 是 (yes) or 否 (no), not '{shown}'", "not_yes_no",
            row, col, shown)
        return None
    s = text.replace(",", "")
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip()
    if not _NUMBER.match(s):
        zh = {"rate": "应为 0–100 之间的百分数（如 96.5）", "amount": "应为数值", "ratio": "应为 0–1 之间的小数"}[t]
        en = {"rate": "must be a percent between 0 and 100 (e.g. 96.5)", "amount": "must be a number",
              "ratio": "must be a decimal between 0 and 1"}[t]
        add(f"不是数字：{zh}", f"not a number: {en}", "not_number", row, col, shown)
        return np.nan
    v = float(s)
    if percent and t != "rate":
        add("此列不是百分比，请填写数值（不带 %）", "this column is not a percentage: enter the number without %",
            "unexpected_percent", row, col, shown)
        return np.nan
    if t == "rate":
        if not 0 <= v <= 100:
            add(f"比例应在 0–100 % 之间，实际为 {_num(v)}", f"a rate must be between 0 and 100 %, found {_num(v)}",
                "rate_out_of_range", row, col, shown)
            return np.nan
        if 0 < v <= 1 and not percent:
            add(f"比例 {_num(v)} 按 {_num(v)}% 计算；若指 {_num(v * 100)}%，请填写 {_num(v * 100)}",
                f"rate {_num(v)} is read as {_num(v)} %; if you mean {_num(v * 100)} %, enter {_num(v * 100)}",
                "rate_looks_like_fraction", row, col, shown, severity="warning")
        return v
    if v < 0:
        add("不能为负数", "must not be negative", "negative", row, col, shown)
        return np.nan
    if t == "ratio" and v > 1:
        add(f"应为 0–1 之间的小数，实际为 {_num(v)}", f"must be a decimal between 0 and 1, found {_num(v)}",
            "ratio_out_of_range", row, col, shown)
        return np.nan
    return v
