"""Parsing text cells (numbers, categories, stages, names) and the pandera schema of the per-column
checks, built from ``columns.yaml`` (see :mod:`balance.io.validation`)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from balance.io.validation.texts import COLS, NUMERIC_KINDS, _hidden_chars, messages, name_rules
from balance.schema import SCHOOL_TYPE_STAGES, STAGE_COLUMNS

_WS = r"\s+"
_INT_FLOAT = r"^(\d+)\.0+$"
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"


def _strip(s: pd.Series) -> pd.Series:
    return s.fillna("").astype("str").str.strip()


def _to_number(t: pd.Series) -> pd.Series:
    """Parse stripped text to float64 (NaN where not a finite number or blank)."""
    v = t.where(t != "")
    try:  # fast path: Arrow parses a clean column in one go
        num = pd.Series(pc.cast(pyarrow.array(v, type=pyarrow.string(), from_pandas=True), pyarrow.float64())
                        .to_numpy(zero_copy_only=False), index=t.index, dtype="float64")
    except (pyarrow.ArrowInvalid, pyarrow.ArrowNotImplementedError, pyarrow.ArrowTypeError, TypeError):
        num = pd.to_numeric(v, errors="coerce").astype("float64")
    bad = num.isna() & (t != "")
    if bad.any():  # second chance: full-width digits, thousands separators
        retry = t[bad].str.normalize("NFKC").str.replace(_WS, "", regex=True)
        retry = retry.where(~retry.str.match(_THOUSANDS), retry.str.replace(",", "", regex=False))
        num.loc[bad] = pd.to_numeric(retry, errors="coerce").astype("float64")
    num = num.where(np.isfinite(num.to_numpy()))
    return num


def _normalize_category(t: pd.Series, col: str) -> pd.Series:
    v = t.str.replace(" ", "", regex=False).str.replace("\u3000", "", regex=False)
    aliases = COLS[col].get("value_aliases") or {}
    return v.replace(aliases) if aliases else v


def _stage_offered(school_type: pd.Series | None, n: int) -> dict[str, np.ndarray]:
    """For each stage, a boolean array: the row's school type (known) does NOT have that stage."""
    out = {}
    for stage in STAGE_COLUMNS:
        if school_type is None:
            out[stage] = np.zeros(n, dtype=bool)
            continue
        lacking = [t for t, stages in SCHOOL_TYPE_STAGES.items() if stage not in stages]
        out[stage] = school_type.isin(lacking).to_numpy()
    return out


#: Characters a workbook cannot hold (openpyxl refuses them; Excel reports the file as damaged).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"



def name_problems(t: pd.Series) -> list[tuple[str, np.ndarray, dict]]:
    """Problems of free-text names (trimmed text, ``""`` when blank): ``(code, mask, fields)`` each.

    * ``name_formula``: the name begins with a character that makes a spreadsheet read the cell as
      a formula (``name_rules.refuse_leading``: ``=``, ``+``, ``-``, ``@``; the text is trimmed first,
      so a tab or space before ``=`` does not hide it);
    * ``name_control``: the name holds control characters (NUL …) that a workbook cannot store;
    * ``name_invisible``: the name holds a line break, a tab or an invisible formatting character
      (zero-width, bidirectional control; ``name_rules.refuse_invisible``), which makes what is
      shown differ from what is stored;
    * ``name_too_long``: longer than ``name_rules.max_length`` characters.
    """
    rules = name_rules()
    t = t.fillna("").astype("str")
    lead = tuple(rules["refuse_leading"])
    out = []
    formula = t.str.startswith(lead).fillna(False).to_numpy(dtype=bool)
    zh = "、".join(lead)
    en = ", ".join(lead[:-1]) + " or " + lead[-1] if len(lead) > 1 else "".join(lead)
    out.append(("name_formula", formula, {"chars": zh, "chars_en": en}))
    out.append(("name_control", t.str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool), {}))
    invisible = _hidden_chars()
    if invisible.search("\x00".join(t.tolist())):  # one scan of the column; row by row only when needed
        hidden = t.str.contains(invisible, regex=True).fillna(False).to_numpy(dtype=bool)
    else:
        hidden = np.zeros(len(t), dtype=bool)
    found = {m.group() for v in t[hidden] for m in invisible.finditer(v)}
    where = ", ".join(f"U+{ord(c):04X}" for c in sorted(found))
    out.append(("name_invisible", hidden, {"where": where}))
    limit = int(rules["max_length"])
    out.append(("name_too_long", (t.str.len() > limit).fillna(False).to_numpy(dtype=bool), {"max": limit}))
    return out


# ---------------------------------------------------------------------------------------------
# the pandera schema (per-column checks), built from columns.yaml


def _is_whole(s: pd.Series) -> pd.Series:
    return s == np.floor(s)


def _year_ok(s: pd.Series) -> pd.Series:
    th = messages()["thresholds"]
    return (s >= th["year_min"]) & (s <= th["year_max"]) & (s == np.floor(s))


def _digits(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(r"[0-9]+").fillna(False).astype(bool)


def _length_check(length: int):
    def check(s: pd.Series) -> pd.Series:  # non-digit codes are reported by the digits check only
        return ~_digits(s) | (s.str.len() == length)
    return check


@lru_cache(maxsize=None)
def school_schema(present: tuple[str, ...]) -> tuple[pa.DataFrameSchema, dict[str, list[str]]]:
    """The pandera schema of the typed school table, for the canonical columns ``present``.

    Parameters
    ----------
    present : tuple of str
        Canonical column names present in the table.

    Returns
    -------
    schema : pandera.pandas.DataFrameSchema
        Per-column checks (nullable: blank and unparsable cells are reported before), and
        uniqueness of (year, school_code) when both are present.
    codes : dict
        Canonical name -> problem code of each check, in check order (maps ``check_number``).
    """
    columns, codes = {}, {}
    for name in present:
        spec = COLS[name]
        kind = spec["kind"]
        checks: list[tuple[pa.Check, str]] = []
        if kind == "year":
            checks.append((pa.Check(_year_ok, name="year_invalid"), "year_invalid"))
        elif kind == "code":
            checks.append((pa.Check(_digits, name="code_not_digits"), "code_not_digits"))
            checks.append((pa.Check(_length_check(int(spec["length"])), name="code_length"), "code_length"))
        elif kind == "category":
            checks.append((pa.Check.isin(list(spec["values"])), "unknown_category"))
        elif kind in NUMERIC_KINDS:
            checks.append((pa.Check.ge(0), "negative"))
            if kind == "count":
                checks.append((pa.Check(_is_whole, name="not_integer"), "not_integer"))
            if spec.get("max") is not None:  # implausible magnitudes (and anything beyond int64) refused
                checks.append((pa.Check.le(float(spec["max"])), "too_large"))
        columns[name] = pa.Column(None, [c for c, _ in checks], nullable=True, required=True)
        codes[name] = [code for _, code in checks]
    unique = ["year", "school_code"] if {"year", "school_code"} <= set(present) else None
    schema = pa.DataFrameSchema(columns, unique=unique, report_duplicates="all", strict=False)
    return schema, codes

