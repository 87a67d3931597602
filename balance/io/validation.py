"""Validation of the school table: every problem collected, reported in Chinese and English.

:func:`validate_school_rows` takes the text cells of a school table (as read by
:mod:`balance.io.reading`, already mapped to canonical column names) and returns the typed
canonical table plus a list of :class:`~balance.errors.Problem` records — *all* errors and
warnings, never just the first. Nothing is raised here; :func:`balance.io.reading.load_school_table`
raises :class:`~balance.errors.InputError` when any error is present.

What is checked (message texts and thresholds: ``balance/data/messages.yaml``):

* cells: blank required cells, non-numeric numbers (dates and non-finite values such as ``inf``,
  ``nan``, ``1e309`` named as such), negative counts / areas / money, non-integer counts, numbers
  above a column's plausible bound (``max`` in ``columns.yaml``: nothing can wrap around int64 or
  make a school vanish), formula cells without a cached value, free-text names (``is_name``) that
  begin with ``=`` ``+`` ``-`` ``@``, hold control characters or are too long (``name_rules``), a
  year outside 1949–2100, a value outside a column's ``range`` (建成年份: 1900 to the
  row's 年份), county codes other than 6 digits and school codes other than 10 digits (non-digit
  characters, lost leading zeros, codes stored as numbers in Excel), unknown 学校类型 / 办学性质 /
  城乡类型 values (after the ``value_aliases`` of ``columns.yaml``);
* rows: subset counts larger than their totals (``subsets``, e.g. 超标班额班数 ≤ 班数), pupils /
  classes / teachers (or a largest class) in a stage the school type does not have
  (``school_type_stages``);
* across rows: a school code twice in one year (one line per code and year, naming up to
  :data:`MAX_ROWS_LISTED` of its rows), one county code with two county names in one year;
* warnings: stages with pupils but no teachers or no classes, teachers but no pupils, schools with
  no pupils at all, a stage of the school's type without pupils (it forms no section: on record), implausible per-pupil values, class sizes and pupil–teacher ratios, a largest
  class (最大班额) above the plausible limit or below the stage's average class.

Per-column checks run through a pandera schema built from ``columns.yaml`` (``lazy=True``); its
``failure_cases`` are turned into Problems here (pandera's own text escapes Chinese). Cross-column
checks are plain vectorised pandas. Problems are capped at :data:`MAX_PER_KIND` per
(kind, column), followed by a summary line "… and N more".

Blank cells of a stage the school's type does not have (e.g. 高中在校生数 of a 小学) are read as 0:
exports commonly leave them empty. Every other blank required cell is an error.

Optional columns (``required: false``: 乡镇 and the columns of the four-area evaluation such as
音乐专用教室数, 小学最大班额, 建成年份) may be left out of the file or left blank: a blank cell is
*missing* (NA — neither an error nor 0) and an absent column is all-missing. Their numbers are
nullable in the canonical table (``Int64`` for counts and years, ``float64`` with NaN for areas);
values that are present get the same checks as the required columns.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
import yaml

from balance.errors import Problem
from balance.schema import COLUMNS, HEADERS, SCHOOL_TYPE_STAGES, STAGE_COLUMNS, column_spec

from balance._resources import DATA_DIR  # noqa: E402

MESSAGES_FILE = DATA_DIR / "messages.yaml"
#: At most this many problems of one kind in one column are listed; the rest are summarised.
MAX_PER_KIND = 50

COLS: dict[str, dict] = {c["name"]: c for c in COLUMNS}
NUMERIC_KINDS = ("count", "area", "money")


#: Messages used here that ``messages.yaml`` may not (yet) define; the file's own text wins.
_DEFAULT_MESSAGES = {
    "errors": {
        "out_of_range": {"zh": "应为 {low}–{high} 之间的年份（不晚于该行的年份）",
                         "en": "must be a year from {low} to {high} (not after the row's year)"},
    },
}


@lru_cache(maxsize=1)
def messages() -> dict:
    """The parsed ``messages.yaml`` (message templates and plausibility thresholds)."""
    out = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    for section, codes in _DEFAULT_MESSAGES.items():
        for code, text in codes.items():
            out.setdefault(section, {}).setdefault(code, text)
    return out


def message(code: str, severity: str = "error", **fields) -> tuple[str, str]:
    """The Chinese and English text of problem ``code`` with ``fields`` filled in.

    Parameters
    ----------
    code : str
        A key of the ``errors`` or ``warnings`` section of ``messages.yaml``.
    severity : {"error", "warning"}
        Which section to look in.
    **fields
        Values for the ``{placeholders}`` of the templates.

    Returns
    -------
    tuple of str
        ``(problem_zh, problem_en)``.
    """
    section = messages()["errors" if severity == "error" else "warnings"]
    t = section[code]
    return t["zh"].format(**fields), t["en"].format(**fields)


@dataclass
class RawTable:
    """The text cells of a school table, with canonical column names.

    Attributes
    ----------
    text : DataFrame
        One column per recognised canonical column (only those present in the file), text cells
        (``""`` for an empty cell), RangeIndex.
    source_row : ndarray of int
        The row number the user sees for each row of ``text``.
    headers : dict
        Canonical name -> the user's original header text.
    factors : dict
        Canonical name -> multiplier applied to numbers (10000 for a 万元 header; default 1).
    numeric : dict
        Canonical name -> boolean array, True where the source cell was stored as a number
        (Excel or a numeric DataFrame column); used to explain lost leading zeros of codes.
    file, sheet : str
        Where the table came from (for the problem table).
    formula : dict
        Canonical name -> boolean array, True where the cell is a formula without a cached value
        (a workbook written by a program that never calculated it): reported as such, not as blank.
    """

    text: pd.DataFrame
    source_row: np.ndarray
    headers: dict[str, str]
    factors: dict[str, float] = field(default_factory=dict)
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    file: str = "<DataFrame>"
    sheet: str | None = None
    formula: dict[str, np.ndarray] = field(default_factory=dict)


#: A cell's text shown in a problem is cut to this many characters.
MAX_VALUE_SHOWN = 100


def shown_value(v: str | None) -> str | None:
    """A cell's text as shown in a problem: control characters, line breaks and invisible
    formatting characters (``name_rules.refuse_invisible``: zero-width, text-direction controls)
    escaped (``\\x00``, ``\\n``, ``\\u202e``) so that the problem table shows what is stored and
    stays one line per problem; cut to :data:`MAX_VALUE_SHOWN` characters (a 5 MB cell is not
    repeated in the problem table)."""
    if v is None:
        return None
    v = str(v)
    if len(v) > MAX_VALUE_SHOWN:
        v = v[:MAX_VALUE_SHOWN] + f"…（共 {len(v)} 字符 / {len(v)} characters）"
    hidden = _hidden_chars()
    if any(ord(c) < 32 for c in v) or hidden.search(v):
        v = "".join(repr(c)[1:-1] if ord(c) < 32 or hidden.match(c) else c for c in v)
    return v


@lru_cache(maxsize=1)
def _hidden_chars() -> "re.Pattern[str]":
    return re.compile(name_rules()["refuse_invisible"])


class _Collector:
    """Builds Problem objects for failing rows, capped per (code, column)."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.problems: list[Problem] = []

    def header(self, col: str) -> str:
        return self.raw.headers.get(col, HEADERS.get(col, col))

    def value(self, col: str, pos: int) -> str | None:
        if col in self.raw.text.columns:
            return str(self.raw.text[col].iat[pos])
        return None

    def whole(self, code: str, severity: str = "error", column: str | None = None, **fields) -> None:
        zh, en = message(code, severity, **fields)
        self.problems.append(Problem(file=self.raw.file, sheet=self.raw.sheet, problem_zh=zh, problem_en=en,
                                     column=column, severity=severity, code=code))

    def rows(self, code: str, col: str, positions, *, severity: str = "error", per_row=None,
             value=None, **fields) -> None:
        """One problem per failing row position (at most MAX_PER_KIND, then a summary line).

        ``per_row(pos)`` returns extra template fields (and optionally ``_code`` / ``_value``).
        """
        positions = np.asarray(positions, dtype="int64")
        if len(positions) == 0:
            return
        positions = np.sort(positions)
        header = self.header(col)
        first = None
        for pos in positions[:MAX_PER_KIND]:
            extra = per_row(int(pos)) if per_row is not None else {}
            c = extra.pop("_code", code)
            v = extra.pop("_value", None)
            if v is None:
                v = value(int(pos)) if callable(value) else self.value(col, int(pos))
            v = shown_value(v)
            zh, en = message(c, severity, **{**fields, **extra})
            p = Problem(file=self.raw.file, sheet=self.raw.sheet, row=int(self.raw.source_row[pos]),
                        column=header, value=v, problem_zh=zh, problem_en=en, severity=severity, code=c)
            self.problems.append(p)
            first = first or p
        rest = len(positions) - MAX_PER_KIND
        if rest > 0:
            zh = message("more", severity, n=rest, kind=first.problem_zh)[0]
            en = message("more", severity, n=rest, kind=first.problem_en)[1]
            self.problems.append(Problem(file=self.raw.file, sheet=self.raw.sheet, column=header,
                                         problem_zh=zh, problem_en=en, severity=severity, code=code))


# ---------------------------------------------------------------------------------------------
# parsing text cells


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


def name_rules() -> dict:
    """``name_rules`` of ``columns.yaml``: the leading characters refused in names, the longest name."""
    return column_spec()["name_rules"]


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


# ---------------------------------------------------------------------------------------------
# the main entry point


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
    typed: dict[str, pd.Series] = {}
    blank_masks: dict[str, np.ndarray] = {}

    # -- categories first: they decide which stage blanks are zeros -------------------------
    stripped = {name: _strip(text[name]) for name in present}
    for name in present:
        kind = COLS[name]["kind"]
        t = stripped[name]
        blank = (t == "").to_numpy()
        blank_masks[name] = blank
        if kind == "category":
            typed[name] = _normalize_category(t, name).where(~blank)
        elif kind == "text":
            typed[name] = t.where(~blank)
        elif kind == "code":
            typed[name] = t.str.replace(_INT_FLOAT, r"\1", regex=True).where(~blank)
    lacking = _stage_offered(typed.get("school_type"), n)
    stage_of = {c: stage for stage, cols in STAGE_COLUMNS.items() for c in cols.values()}

    # -- free-text names (written into workbooks): no formula prefix, no control characters ----
    for name in present:
        if COLS[name].get("is_name"):
            for code, mask, fields in name_problems(stripped[name]):
                col.rows(code, name, np.flatnonzero(mask), **fields)

    # -- year and numbers ---------------------------------------------------------------------
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

    # -- formulas without a value, then blank required cells (all kinds) ------------------------
    for name in present:
        f = raw.formula.get(name)
        if f is not None and len(f) == n:
            f = f & blank_masks[name]
            col.rows("formula_no_value", name, np.flatnonzero(f))
            blank_masks[name] = blank_masks[name] & ~f
    for name in present:
        if COLS[name].get("required"):
            col.rows("blank", name, np.flatnonzero(blank_masks[name]))

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


#: A duplicate-school line lists at most this many row numbers (then "… and N more").
MAX_ROWS_LISTED = 5
_UNITS = {"area": " ㎡", "money": " 元"}


def _row_list(rows: list[int]) -> tuple[str, str]:
    """``"第 2、3、7 行"`` / ``"2, 3, 7"``; beyond :data:`MAX_ROWS_LISTED` rows the rest is counted."""
    shown = rows[:MAX_ROWS_LISTED]
    zh, en = f"第 {'、'.join(map(str, shown))} 行", ", ".join(map(str, shown))
    if len(rows) > len(shown):
        zh += f"等，另有 {len(rows) - len(shown)} 行"
        en += f" and {len(rows) - len(shown)} more"
    return zh, en


def _report_duplicates(col: _Collector, frame: pd.DataFrame, raw: RawTable, positions: np.ndarray) -> None:
    """One problem per (year, school code) that occurs more than once, naming a few of its rows.

    At most :data:`MAX_PER_KIND` codes are listed, in order of their first row; a last line counts
    the rest. (Listing every row on every line made 37 MB of output for 50,000 duplicate rows.)
    """
    rows = np.asarray(raw.source_row, dtype="int64")[positions]
    g = pd.DataFrame({"year": frame["year"].to_numpy()[positions], "code": frame["school_code"].to_numpy()[positions],
                      "row": rows}).sort_values("row", kind="stable")
    groups = list(g.groupby(["year", "code"], sort=False)["row"])
    header = col.header("school_code")
    for (year, code), r in groups[:MAX_PER_KIND]:
        listed = r.tolist()
        rows_zh, rows_en = _row_list(listed)
        zh, en = message("duplicate_school", year=_fmt_num(year), count=len(listed), rows=rows_zh, rows_en=rows_en)
        col.problems.append(Problem(file=raw.file, sheet=raw.sheet, row=int(listed[0]), column=header, value=str(code),
                                    problem_zh=zh, problem_en=en, code="duplicate_school"))
    rest = groups[MAX_PER_KIND:]
    if rest:
        zh, en = message("duplicate_school_more", n=len(rest), rows=sum(len(r) for _, r in rest))
        col.problems.append(Problem(file=raw.file, sheet=raw.sheet, column=header, problem_zh=zh, problem_en=en,
                                    code="duplicate_school"))


def _fmt_num(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    x = float(x)
    return str(int(x)) if x == int(x) else repr(x)


def _check_subsets(col: _Collector, frame: pd.DataFrame) -> None:
    for part, whole in column_spec().get("subsets", []):
        if part not in frame or whole not in frame:
            continue
        bad = (frame[part] > frame[whole]).to_numpy()
        col.rows("subset_exceeds", part, np.flatnonzero(bad),
                 per_row=lambda pos, part=part, whole=whole: {
                     "part_value": _fmt_num(frame[part].iat[pos]), "whole_value": _fmt_num(frame[whole].iat[pos])},
                 part=col.header(part), whole=col.header(whole))


def _check_ranges(col: _Collector, frame: pd.DataFrame) -> None:
    """Columns with a ``range`` (建成年份): present values between ``min`` and ``max`` (``max: year``:
    the row's 年份). Negative or fractional values are reported by the per-column checks only."""
    th = messages()["thresholds"]
    for name, spec in COLS.items():
        rng = spec.get("range")
        if not rng or name not in frame:
            continue
        v = frame[name]
        low = float(rng.get("min", -np.inf))
        high = rng.get("max")
        if high == "year":
            top = frame["year"] if "year" in frame else pd.Series(float(th["year_max"]), index=frame.index)
            top = top.fillna(float(th["year_max"]))
        else:
            top = pd.Series(np.inf if high is None else float(high), index=frame.index)
        checked = v.notna() & (v >= 0) & (v == np.floor(v))
        bad = (checked & ((v < low) | (v > top))).to_numpy(dtype=bool)
        col.rows("out_of_range", name, np.flatnonzero(bad),
                 per_row=lambda pos, top=top: {"high": _fmt_num(top.iat[pos])}, low=_fmt_num(low))


#: optional per-stage columns (blank = missing); a value above 0 in a stage the school lacks is an error
_OPTIONAL_STAGE_COLUMNS = {"小学": ["primary_max_class_size", "primary_oversized_classes"],
                           "初中": ["junior_max_class_size", "junior_oversized_classes"]}


def _check_stages(col: _Collector, frame: pd.DataFrame, lacking: dict[str, np.ndarray]) -> None:
    if "school_type" not in frame:
        return
    for stage, cols in STAGE_COLUMNS.items():
        names = [cols.get(f) for f in ("students", "classes", "teachers")] + _OPTIONAL_STAGE_COLUMNS.get(stage, [])
        for name in names:
            if name is None or name not in frame:
                continue
            bad = lacking[stage] & (frame[name] > 0).fillna(False).to_numpy(dtype=bool)
            col.rows("stage_not_offered", name, np.flatnonzero(bad), stage=stage, column=col.header(name),
                     per_row=lambda pos, name=name: {"school_type": frame["school_type"].iat[pos],
                                                     "value": _fmt_num(frame[name].iat[pos])})


def _check_county_names(col: _Collector, frame: pd.DataFrame) -> None:
    if not {"year", "county_code", "county_name"} <= set(frame.columns):
        return
    f = frame[["year", "county_code", "county_name"]].dropna()
    if f.empty:
        return
    counts = f.groupby(["year", "county_code"])["county_name"].nunique()
    conflicts = counts[counts > 1]
    if conflicts.empty:
        return
    keys = pd.MultiIndex.from_frame(f[["year", "county_code"]])
    in_conflict = keys.isin(conflicts.index)
    g = f[in_conflict]
    # the most frequent name of each (year, code) is taken as the intended one; report the others
    mode = g.groupby(["year", "county_code"])["county_name"].agg(lambda s: s.value_counts().index[0])
    names = g.groupby(["year", "county_code"])["county_name"].agg(lambda s: "、".join(pd.unique(s)))
    key = pd.MultiIndex.from_frame(g[["year", "county_code"]])
    odd = g["county_name"].to_numpy() != mode.reindex(key).to_numpy()
    positions = g.index.to_numpy()[odd]

    def per_row(pos):
        k = (frame["year"].iat[pos], frame["county_code"].iat[pos])
        return {"county_code": k[1], "year": _fmt_num(k[0]), "names": names.get(k, "")}
    col.rows("county_name_conflict", "county_name", positions, per_row=per_row)


def _check_wan_yuan(col: _Collector, frame: pd.DataFrame, raw: RawTable) -> None:
    """Refuse a county whose equipment values were entered in 万元 under the 元 header.

    One school below ``thresholds.min_per_pupil.equipment_value`` (元 per pupil) is a warning; when
    more than ``wan_yuan_share`` of a county's schools with pupils and a value are below it (at least
    ``wan_yuan_min_schools`` of them), the unit is wrong and every verdict would be too: one error
    per county, naming the header to use. Not checked under a 万元 header (already ×10000)."""
    name = "equipment_value"
    if name not in frame or "county_code" not in frame or float(raw.factors.get(name, 1)) != 1:
        return
    th = messages()["thresholds"]
    student_cols = [c["students"] for c in STAGE_COLUMNS.values() if c["students"] in frame]
    if not student_cols:
        return
    pupils = frame[student_cols].sum(axis=1, min_count=len(student_cols))
    limit = th["min_per_pupil"][name]["limit"]
    value = frame[name]
    usable = (pupils > 0) & (value > 0)
    low = usable & (value / pupils.where(pupils > 0) < limit)
    counts = pd.DataFrame({"county": frame["county_code"].astype(str), "usable": usable, "low": low}) \
        .groupby("county", sort=True)[["usable", "low"]].sum()
    for county, r in counts.iterrows():
        if r["usable"] >= th["wan_yuan_min_schools"] and r["low"] > th["wan_yuan_share"] * r["usable"]:
            col.whole("equipment_in_wan_yuan", column=col.header(name), county=county, flagged=int(r["low"]),
                      schools=int(r["usable"]), limit=limit, header=col.header(name))


def _warnings(col: _Collector, frame: pd.DataFrame, lacking: dict[str, np.ndarray]) -> None:
    th = messages()["thresholds"]
    student_cols = [c["students"] for c in STAGE_COLUMNS.values() if c["students"] in frame]
    if not student_cols:
        return
    pupils = frame[student_cols].sum(axis=1, min_count=len(student_cols))  # NaN if any cell is unknown
    if "school_name" in frame:
        col.rows("no_pupils", "school_name", np.flatnonzero((pupils == 0).to_numpy()), severity="warning")

    for stage, cols in STAGE_COLUMNS.items():
        s_name, c_name, t_name = cols.get("students"), cols.get("classes"), cols.get("teachers")
        if s_name not in frame:
            continue
        s = frame[s_name]
        offered = ~lacking[stage]
        if t_name in frame and "school_type" in frame:
            # a stage the school type has, with no pupils (and no teachers: that is warned below),
            # in a school that has pupils: no section of that stage exists — say so
            quiet = offered & (s == 0).to_numpy() & (pupils > 0).to_numpy() & ~(frame[t_name] > 0).to_numpy()
            col.rows("stage_no_pupils", s_name, np.flatnonzero(quiet), severity="warning", stage=stage,
                     per_row=lambda pos: {"school_type": frame["school_type"].iat[pos]})
        if t_name in frame:
            t = frame[t_name]
            col.rows("no_teachers", t_name, np.flatnonzero(offered & ((s > 0) & (t == 0)).to_numpy()),
                     severity="warning", stage=stage, per_row=lambda pos, s=s: {"value": _fmt_num(s.iat[pos])})
            col.rows("teachers_no_pupils", s_name, np.flatnonzero(offered & ((t > 0) & (s == 0)).to_numpy()),
                     severity="warning", stage=stage, per_row=lambda pos, t=t: {"value": _fmt_num(t.iat[pos])})
            ratio = s / t.where(t > 0)
            lim = th["max_pupils_per_teacher"]
            col.rows("implausible", t_name, np.flatnonzero((ratio > lim).to_numpy()), severity="warning",
                     what=f"{stage}生师比", what_en=f"pupils per teacher ({stage})", limit=f"≤ {lim}",
                     limit_en=f"<= {lim}", per_row=lambda pos, r=ratio: {"value": f"{r.iat[pos]:.1f}"})
        if c_name in frame:
            c = frame[c_name]
            col.rows("no_classes", c_name, np.flatnonzero(offered & ((s > 0) & (c == 0)).to_numpy()),
                     severity="warning", stage=stage, per_row=lambda pos, s=s: {"value": _fmt_num(s.iat[pos])})
            size = s / c.where(c > 0)
            lim = th["max_pupils_per_class"]
            col.rows("implausible", c_name, np.flatnonzero((size > lim).to_numpy()), severity="warning",
                     what=f"{stage}平均班额", what_en=f"pupils per class ({stage})", limit=f"≤ {lim}",
                     limit_en=f"<= {lim}", per_row=lambda pos, r=size: {"value": f"{r.iat[pos]:.1f}"})

    per_pupil_pupils = pupils.where(pupils > 0)
    for bound, op in (("max_per_pupil", np.greater), ("min_per_pupil", np.less)):
        for name, spec in (th.get(bound) or {}).items():
            if name not in frame:
                continue
            v = frame[name] / per_pupil_pupils
            bad = op(v, spec["limit"]).fillna(False).to_numpy(dtype=bool) & (frame[name] > 0).to_numpy()
            zh_sign, en_sign = ("≤", "<=") if bound == "max_per_pupil" else ("≥", ">=")
            col.rows("implausible", name, np.flatnonzero(bad), severity="warning", what=spec["zh"],
                     what_en=spec["en"], limit=f"{zh_sign} {spec['limit']}", limit_en=f"{en_sign} {spec['limit']}",
                     per_row=lambda pos, v=v: {"value": f"{v.iat[pos]:.2f}"})


def _class_size_warnings(col: _Collector, frame: pd.DataFrame) -> None:
    """The optional 最大班额 columns: above the plausible class size, or below the stage's average."""
    lim = messages()["thresholds"]["max_pupils_per_class"]
    for stage, prefix in (("小学", "primary"), ("初中", "junior")):
        name = f"{prefix}_max_class_size"
        s_name, c_name = STAGE_COLUMNS[stage]["students"], STAGE_COLUMNS[stage]["classes"]
        if name not in frame:
            continue
        mx = frame[name]
        header = col.header(name)
        col.rows("implausible", name, np.flatnonzero((mx > lim).fillna(False).to_numpy(dtype=bool)), severity="warning",
                 what=header, what_en=f"largest class ({stage})", limit=f"≤ {lim}", limit_en=f"<= {lim}",
                 per_row=lambda pos, mx=mx: {"value": _fmt_num(mx.iat[pos])})
        if s_name not in frame or c_name not in frame:
            continue
        avg = frame[s_name] / frame[c_name].where(frame[c_name] > 0)
        below = (mx.notna() & avg.notna() & (mx > 0) & (mx < np.floor(avg + 1e-9))).to_numpy(dtype=bool)
        col.rows("implausible", name, np.flatnonzero(below), severity="warning", what=header,
                 what_en=f"largest class ({stage})",
                 per_row=lambda pos, mx=mx, avg=avg: {"value": _fmt_num(mx.iat[pos]),
                                                      "limit": f"≥ 平均班额 {avg.iat[pos]:.1f}",
                                                      "limit_en": f">= the average class {avg.iat[pos]:.1f}"})


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
