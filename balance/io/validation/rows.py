"""The entry point: :func:`validate_school_rows` (see :mod:`balance.io.validation`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from balance.errors import Problem
from balance.io.validation.checks import (
    _UNITS,
    _check_county_names,
    _check_ranges,
    _check_stages,
    _check_subsets,
    _check_wan_yuan,
    _class_size_warnings,
    _report_duplicates,
    _warnings,
)
from balance.io.validation.parsing import (
    _INT_FLOAT,
    _normalize_category,
    _stage_offered,
    _strip,
    _to_number,
    name_problems,
    school_schema,
)
from balance.io.validation.texts import COLS, NUMERIC_KINDS, RawTable, _Collector, messages
from balance.schema import COLUMNS, STAGE_COLUMNS


def validate_school_rows(raw: RawTable) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check a school table's cells and build the typed canonical table.

    Parameters
    ----------
    raw : RawTable
        Text cells with canonical column names (missing columns are reported by the reader; the
        checks here run on whatever columns are present, so that all problems are found at once).

    Returns
    -------
    data : DataFrame or None
        The canonical table (every column of ``columns.yaml`` in order, plus ``source_row``) when
        there are no errors, else ``None``. Required counts and year are int64, areas and money
        float64 (money in 元 after any 万元 conversion), text columns ``str`` (``township`` missing as
        NA). Optional counts (and 建成年份) are nullable ``Int64`` and optional areas ``float64``:
        ``<NA>`` / NaN where a cell is blank or the column is absent.
    problems : list of Problem
        Errors (``severity="error"``) and warnings, in check order.
    """
    col = _Collector(raw)
    text = raw.text
    n = len(text)
    present = [c["name"] for c in COLUMNS if c["name"] in text.columns]
    stripped = {name: _strip(text[name]) for name in present}
    # categories first: they decide which stage blanks are zeros
    typed, blank_masks = _typed_text(present, stripped)
    lacking = _stage_offered(typed.get("school_type"), n)
    _check_names(col, present, stripped)
    _typed_numbers(col, raw, present, stripped, typed, blank_masks, lacking)
    _check_blanks(col, raw, present, blank_masks, n)

    frame = pd.DataFrame(typed, index=pd.RangeIndex(n))[present] if present else pd.DataFrame(index=pd.RangeIndex(n))

    # -- pandera: per-column checks and uniqueness --------------------------------------------
    _run_schema(col, frame, raw, tuple(present))

    # -- cross-column checks --------------------------------------------------------------------
    _check_subsets(col, frame)
    _check_ranges(col, frame)
    _check_stages(col, frame, lacking)
    _check_county_names(col, frame)
    _check_wan_yuan(col, frame, raw)

    # -- warnings --------------------------------------------------------------------------------
    _warnings(col, frame, lacking)
    _class_size_warnings(col, frame)

    problems = col.problems
    missing = any(c.get("required") and c["name"] not in text.columns for c in COLUMNS)  # reported by the reader
    if missing or any(p.severity == "error" for p in problems):
        return None, problems
    return _canonical(frame, raw, n), problems


def _typed_text(present: list[str], stripped: dict[str, pd.Series]) -> tuple[dict[str, pd.Series], dict[str, np.ndarray]]:
    """The typed category, text and code columns (blank cells NA) and every present column's blank mask."""
    typed: dict[str, pd.Series] = {}
    blank_masks: dict[str, np.ndarray] = {}
    for name in present:
        kind = COLS[name]["kind"]
        t = stripped[name]
        blank = (t == "").to_numpy()
        blank_masks[name] = blank
        if kind == "category":
            typed[name] = _normalize_category(t, name).where(~blank)
        elif kind == "text":
            typed[name] = t.where(~blank)
        elif kind == "code":  # full-width digits (the IME's full-width mode) as the digits, like numbers
            ascii_ = t.str.isascii().fillna(True).astype(bool)
            if not ascii_.all():
                t = t.where(ascii_, t.str.normalize("NFKC"))
            typed[name] = t.str.replace(_INT_FLOAT, r"\1", regex=True).where(~blank)
    return typed, blank_masks


def _check_names(col: _Collector, present: list[str], stripped: dict[str, pd.Series]) -> None:
    """Free-text names (written into workbooks): no formula prefix, no control characters."""
    for name in present:
        if COLS[name].get("is_name"):
            for code, mask, fields in name_problems(stripped[name]):
                col.rows(code, name, np.flatnonzero(mask), **fields)


def _typed_numbers(col: _Collector, raw: RawTable, present: list[str], stripped: dict[str, pd.Series],
                   typed: dict[str, pd.Series], blank_masks: dict[str, np.ndarray], lacking) -> None:
    """The year and number columns into ``typed`` (万元 converted to 元); a blank cell of a stage the
    school type lacks becomes 0 (and leaves ``blank_masks``); cells that are no numbers are reported."""
    stage_of = {c: stage for stage, cols in STAGE_COLUMNS.items() for c in cols.values()}
    for name in present:
        kind = COLS[name]["kind"]
        t = stripped[name]
        blank = blank_masks[name]
        if kind == "year":
            num = _to_number(t.str.removesuffix("年").str.strip())  # range and wholeness: the schema
            bad = ~blank & num.isna().to_numpy()
            col.rows("year_invalid", name, np.flatnonzero(bad), **_year_fields())
            typed[name] = num
        elif kind in NUMERIC_KINDS:
            if COLS[name].get("range"):  # a year such as 建成年份 may be written "2008年"
                t = t.str.removesuffix("年").str.strip()
            num = _to_number(t)
            if name in stage_of:  # a blank cell of a stage the school type lacks means 0
                zero = blank & lacking[stage_of[name]]
                num = num.where(~zero, 0.0)
                blank = blank & ~zero
                blank_masks[name] = blank
            bad = ~blank & num.isna().to_numpy()
            _report_not_numbers(col, name, t, np.flatnonzero(bad))
            factor = float(raw.factors.get(name, 1))
            if factor != 1:
                num = (num * factor).round(2)  # 万元 -> 元, to the fen
            typed[name] = num


def _check_blanks(col: _Collector, raw: RawTable, present: list[str], blank_masks: dict[str, np.ndarray],
                  n: int) -> None:
    """Formulas without a value (no longer counted as blank), then blank required cells (all kinds)."""
    for name in present:
        f = raw.formula.get(name)
        if f is not None and len(f) == n:
            f = f & blank_masks[name]
            col.rows("formula_no_value", name, np.flatnonzero(f))
            blank_masks[name] = blank_masks[name] & ~f
    for name in present:
        if COLS[name].get("required"):
            col.rows("blank", name, np.flatnonzero(blank_masks[name]))


_DATE = r"^\d{4}(?:-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?|/\d{1,2}/\d{1,2}|年\d{1,2}月(?:\d{1,2}日)?)$"
_NAN = r"^[+-]?nan$"


def _report_not_numbers(col: _Collector, name: str, t: pd.Series, positions: np.ndarray) -> None:
    """Cells of a number column that are not numbers: dates (an Excel date cell, or typed) and
    non-finite numbers (``inf``, ``nan``, ``1e309``) get their own message; the rest "not a number"."""
    if len(positions) == 0:
        return
    text = t.iloc[positions].str.normalize("NFKC").str.strip()
    as_num = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    not_finite = (np.isinf(as_num.to_numpy(dtype="float64", na_value=np.nan))
                  | text.str.lower().str.match(_NAN).fillna(False).to_numpy(dtype=bool))
    date = text.str.match(_DATE).fillna(False).to_numpy(dtype=bool) & ~not_finite
    other = ~(not_finite | date)
    col.rows("not_finite", name, positions[not_finite])
    col.rows("date_not_number", name, positions[date])
    col.rows("not_number", name, positions[other])


def _year_fields() -> dict:
    th = messages()["thresholds"]
    return {"low": th["year_min"], "high": th["year_max"]}


def _run_schema(col: _Collector, frame: pd.DataFrame, raw: RawTable, present: tuple[str, ...]) -> None:
    if not present or len(frame) == 0:
        return
    schema, codes = school_schema(present)
    try:
        schema.validate(frame, lazy=True)
        return
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
    fc = fc[fc["index"].notna()]
    # uniqueness of (year, school_code): one line per duplicated school code and year
    dup = fc[fc["check"] == "multiple_fields_uniqueness"]
    if len(dup):
        _report_duplicates(col, frame, raw, np.unique(dup["index"].astype("int64").to_numpy()))
    cells = fc[(fc["schema_context"] == "Column") & fc["check_number"].notna()]
    for (name, number), g in cells.groupby(["column", "check_number"], sort=False):
        code = codes[name][int(number)]
        positions = np.unique(g["index"].astype("int64").to_numpy())
        spec = COLS[name]
        fields: dict = {}
        per_row = None
        if code == "year_invalid":
            fields = _year_fields()
        elif code == "code_not_digits":
            fields = {"length": spec["length"]}
        elif code == "code_length":
            length = int(spec["length"])
            numeric = raw.numeric.get(name)

            def per_row(pos, name=name, length=length, numeric=numeric):
                actual = len(frame[name].iat[pos])
                if numeric is not None and numeric[pos]:
                    c = "code_stored_as_number"
                elif actual < length:
                    c = "code_too_short"
                else:
                    c = "code_length"
                return {"_code": c, "length": length, "actual": actual}
        elif code == "unknown_category":
            fields = {"allowed": "、".join(spec["values"])}
        elif code == "too_large":
            fields = {"max": f"{spec['max']:,}", "unit": _UNITS.get(spec["kind"], "")}
        if per_row is not None:  # split by sub-code so each kind is capped on its own
            sub: dict[str, list[int]] = {}
            for pos in positions:
                sub.setdefault(per_row(int(pos))["_code"], []).append(int(pos))
            for positions_k in sub.values():
                col.rows(code, name, positions_k, per_row=per_row, **fields)
        else:
            col.rows(code, name, positions, **fields)



def _canonical(frame: pd.DataFrame, raw: RawTable, n: int) -> pd.DataFrame:
    """The typed canonical table: every column of columns.yaml in order, then ``source_row``.

    Optional numeric columns stay nullable: ``Int64`` for counts and years, ``float64`` (NaN) for
    areas and money; an absent optional column is all-missing.
    """
    out = {}
    for c in COLUMNS:
        name, kind = c["name"], c["kind"]
        if name in frame:
            s = frame[name]
        else:  # only optional columns can be absent here (missing required ones are errors)
            s = pd.Series([pd.NA] * n, dtype="str") if kind not in NUMERIC_KINDS + ("year",) \
                else pd.Series(np.nan, index=pd.RangeIndex(n), dtype="float64")
        if kind in ("year", "count") and not c.get("required"):
            s = s.astype("float64").round().astype("Int64")
        elif kind in ("year", "count"):
            s = s.round().astype("int64")
        elif kind in ("area", "money"):
            s = s.astype("float64")
        else:
            s = s.astype("str")
        out[name] = s.reset_index(drop=True)
    out["source_row"] = pd.Series(np.asarray(raw.source_row, dtype="int64"))
    return pd.DataFrame(out)
