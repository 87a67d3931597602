"""What-if scenarios: planned changes applied on top of a school table, never editing the input.

``balance assess INPUT --scenario SCENARIO.(yaml|csv)`` adds the scenario's amounts to a copy of
the validated table and assesses the result. A scenario is a list of changes, each naming a school
(学校标识码), a column (its Chinese header, an accepted alias, or the canonical name; a 万元 header
multiplies by 10000) and an amount added (negative to remove, e.g. a teacher moved away), and
optionally a year (without one, the change applies to that school in every year of the table).

CSV (UTF-8 with or without BOM, or GB18030) — one change per row; ``plan.csv`` written by
``balance plan`` is itself a valid scenario (extra columns are ignored)::

    学校标识码,列,增加量,年份
    9901010003,小学专科及以上学历专任教师数,2,2025
    9901010003,小学专任教师数,2,2025

Header names accepted: 学校标识码 / school_code (and its aliases), 列 / 数据项 / column,
增加量 / 变化量 / 数量 / amount, 年份 / year.

YAML::

    changes:
      - {school_code: "9901010003", column: 小学专任教师数, amount: 2, year: 2025}
      - school_code: "9901010004"
        add: {教学及辅助用房面积(㎡): 300, 网络多媒体教室数: 2}

From Python, without a file: ``assess(table, scenario=...)`` takes a DataFrame, a mapping or a
list of changes (:func:`as_scenario`)::

    assess("schools.csv", scenario={"9901010003": {"小学专任教师数": 2}})

Every problem is reported at once (file, row, column, value; Chinese and English): unknown
schools, years or columns, amounts that are not numbers, fractional amounts for whole-number
columns, and values that would become negative or break a subset rule (e.g. more qualified
teachers than teachers).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem

# reading the raw changes lives in scenario_file; every old name stays importable here
from balance.method.scenario_file import (  # noqa: F401
    _AMOUNT_HEADERS,
    _CODE_HEADERS,
    _COLUMN_HEADERS,
    _YEAR_HEADERS,
    SUMMARY,
    _blank,
    _norm,
    _read_csv,
    _read_yaml,
    _rows_of_frame,
    _rows_of_items,
    _scalar,
)
from balance.schema import COLUMNS, HEADERS, column_spec

__all__ = ["Scenario", "load_scenario", "as_scenario", "apply_scenario", "apply_to_table"]

_KIND = {c["name"]: c["kind"] for c in COLUMNS}
NUMERIC_KINDS = ("count", "area", "money")


@dataclass
class Scenario:
    """A loaded scenario.

    ``changes`` has one row per change: ``row`` (as the user sees it: CSV line, YAML line),
    ``school_code``, ``year`` (nullable Int64), ``field`` (canonical column), ``column`` (as
    written in the file) and ``amount`` (in canonical units, 万元 already × 10000).
    """

    path: str
    changes: pd.DataFrame

    def __len__(self) -> int:
        return len(self.changes)


def _resolve_column(text):
    """(canonical field, factor) for a column header, or None."""
    from balance.io.headers import header_lookup

    return header_lookup().get(_norm(text))


def load_scenario(path: "str | Path", *, limits=None) -> Scenario:
    """Read and check a scenario file (``.yaml`` / ``.yml`` / ``.csv``) on its own.

    The file is read as text with the project's decoder (UTF-8 with or without BOM, else
    GB18030); binary data, a folder, an unreadable file and one above the size limits of
    ``reading_limits.yaml`` (``max_yaml_mb`` for YAML) are refused with a message, never a traceback.

    Raises
    ------
    InputError
        Every problem found, with file, row, column and value.
    """
    from balance.io.workbook import read_file_bytes, read_limits

    p = Path(path)
    file = str(path)
    if not p.exists():
        raise InputError([Problem(file=file, code="file_not_found", problem_zh="找不到情景文件",
                                  problem_en="scenario file not found")], *SUMMARY)
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv", ".txt"):
        raise InputError([Problem(file=file, code="unsupported_format", value=suffix,
                                  problem_zh="情景文件应为 .yaml 或 .csv", problem_en="a scenario must be .yaml or .csv")],
                         *SUMMARY)
    lim = read_limits(limits)
    if suffix in (".yaml", ".yml"):
        import dataclasses

        lim = dataclasses.replace(lim, max_file_mb=min(lim.max_file_mb, lim.max_yaml_mb))
    data = read_file_bytes(p, file, lim, SUMMARY)
    raw = _read_yaml(data, file) if suffix in (".yaml", ".yml") else _read_csv(data, file)
    return _changes(raw, file)


def _changes(raw: list, file: str) -> Scenario:
    """Check the raw changes ``(row, school code, year, column, amount)`` of a scenario."""
    problems: list[Problem] = []
    out = []
    for row, code, year, column, amount in raw:
        code, year, column, amount = (_scalar(v) for v in (code, year, column, amount))
        where = dict(file=file, row=row)
        code_s = "" if code is None else str(code).strip()
        if code_s.endswith(".0") and code_s[:-2].isdigit():
            code_s = code_s[:-2]
        if not code_s:
            problems.append(Problem(**where, column="学校标识码", code="scenario_no_school",
                                    problem_zh="缺少学校标识码", problem_en="school code is missing"))
        yr = None
        if year is not None and str(year).strip() not in ("", "nan", "None"):
            try:
                yf = float(str(year).strip())
                if not yf.is_integer():
                    raise ValueError
                yr = int(yf)
            except ValueError:
                problems.append(Problem(**where, column="年份", value=str(year), code="scenario_bad_year",
                                        problem_zh="年份不是整数", problem_en="year is not a whole number"))
        col_s = "" if column is None else str(column).strip()
        res = _resolve_column(col_s) if col_s else None
        if res is None or _KIND.get(res[0]) not in NUMERIC_KINDS:
            if res is None:
                zh, en = f"未知的列“{col_s}”", f"unknown column '{col_s}'"
            else:
                zh, en = f"“{col_s}”不是可以增减的数值列", f"'{col_s}' is not a numeric column that can be changed"
            problems.append(Problem(**where, column=col_s or "列", value=col_s, code="scenario_bad_column",
                                    problem_zh=zh + "（应为学校数据表中的数值列，如“小学专任教师数”）",
                                    problem_en=en + " (use a numeric column of the school table, e.g. 小学专任教师数)"))
            continue
        fld, factor = res
        try:
            amt = float(str(amount).strip().replace(",", "")) if amount is not None else math.nan
        except ValueError:
            amt = math.nan
        if not math.isfinite(amt):
            problems.append(Problem(**where, column=col_s, value="" if amount is None else str(amount),
                                    code="scenario_bad_amount", problem_zh="增加量不是数字",
                                    problem_en="amount is not a number"))
            continue
        amt *= factor
        if _KIND[fld] == "count" and not float(amt).is_integer():
            problems.append(Problem(**where, column=col_s, value=str(amount), code="scenario_fractional",
                                    problem_zh="该列只能是整数，增加量必须为整数", problem_en="this column holds whole numbers: the amount must be whole"))
            continue
        out.append({"row": row, "school_code": code_s, "year": yr, "field": fld, "column": col_s, "amount": amt})
    if problems:
        raise InputError(problems, *SUMMARY)
    df = pd.DataFrame(out, columns=["row", "school_code", "year", "field", "column", "amount"])
    df["year"] = df["year"].astype("Int64")
    return Scenario(file, df)


def as_scenario(changes, *, name: str | None = None) -> Scenario:
    """A :class:`Scenario` from a file path, a DataFrame, a mapping or a list of changes.

    What-if from Python without writing a file; every form is checked exactly like a scenario
    file (same messages, every problem at once).

    Parameters
    ----------
    changes : Scenario, str, Path, DataFrame, mapping or list of mappings
        * a path: :func:`load_scenario`;
        * a DataFrame with one change per row and the headers of a scenario CSV
          (学校标识码 / school_code, 列 / column, 增加量 / amount, optional 年份 / year);
        * a list of mappings, or ``{"changes": [...]}``: the items of a scenario YAML
          (``{school_code, column, amount[, year]}`` or ``{school_code, add: {column: amount}}``);
        * a mapping ``{school code: {column: amount}}``: amounts added in every year.
    name : str, optional
        How problems and outputs name the scenario (default ``<DataFrame>`` / ``<mapping>``).

    Raises
    ------
    InputError
        Every problem found (row = position of the change, from 1).

    Examples
    --------
    >>> sc = as_scenario({"9901010003": {"小学专任教师数": 2}})
    >>> sc.changes[["school_code", "field", "amount"]].values.tolist()
    [['9901010003', 'primary_teachers', 2.0]]
    """
    if isinstance(changes, Scenario):
        return changes
    if isinstance(changes, (str, Path)):
        return load_scenario(changes)
    if isinstance(changes, pd.DataFrame):
        file = name or "<DataFrame>"
        return _changes(_rows_of_frame(changes.reset_index(drop=True), file, first_row=1), file)
    file = name or "<mapping>"
    items = changes
    if isinstance(changes, dict):
        if "changes" in changes:
            items = changes["changes"]
        elif all(isinstance(v, dict) for v in changes.values()):
            items = [{"school_code": code, "add": adds} for code, adds in changes.items()]
        else:
            items = [changes]  # one change written as a mapping
    if not isinstance(items, (list, tuple)):
        raise InputError([Problem(file=file, code="scenario_no_changes", value=type(changes).__name__,
                                  problem_zh="情景应为文件路径、DataFrame、映射或变化列表",
                                  problem_en="a scenario must be a file path, a DataFrame, a mapping or a list of changes")],
                         *SUMMARY)
    return _changes(_rows_of_items(list(items), list(range(1, len(items) + 1)), file), file)


def apply_scenario(schools: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """A copy of the canonical table with the scenario's amounts added.

    Raises
    ------
    InputError
        Unknown school (or school not in the given year), or a value that would become negative
        or break a subset rule (part > whole); each problem names the scenario row and column.
    """
    out = schools.copy()
    ch = scenario.changes
    file = scenario.path
    problems: list[Problem] = []
    if ch.empty:
        return out
    codes = out["school_code"].astype(str).to_numpy()
    years = out["year"].to_numpy()
    fields = sorted(set(ch["field"]))
    for f in fields:
        if _KIND[f] in ("area", "money") or (_KIND[f] == "count"):
            out[f] = out[f].astype("float64")
    touched: dict = {}  # (table row, field) -> list of scenario rows
    year_set = set(years.tolist())
    for r in ch.itertuples(index=False):
        m = codes == r.school_code
        if r.year is not pd.NA and r.year is not None:
            if int(r.year) not in year_set:
                problems.append(Problem(file=file, row=r.row, column="年份", value=str(r.year), code="scenario_unknown_year",
                                        problem_zh=f"数据中没有 {r.year} 年", problem_en=f"year {r.year} is not in the data"))
                continue
            m &= years == int(r.year)
        if not m.any():
            problems.append(Problem(file=file, row=r.row, column="学校标识码", value=r.school_code, code="scenario_unknown_school",
                                    problem_zh="学校数据表中没有这所学校" + (f"（{r.year} 年）" if r.year is not pd.NA else ""),
                                    problem_en="no such school in the table" + (f" (year {r.year})" if r.year is not pd.NA else "")))
            continue
        idx = np.nonzero(m)[0]
        col = out.columns.get_loc(r.field)
        out.iloc[idx, col] = out.iloc[idx, col].to_numpy(dtype="float64") + r.amount
        for i in idx:
            touched.setdefault((i, r.field), []).append(r)
    # values that became impossible
    for (i, f), rs in touched.items():
        v = out.iat[i, out.columns.get_loc(f)]
        if v < -1e-9:
            last = rs[-1]
            problems.append(Problem(file=file, row=last.row, column=last.column, value=str(last.amount),
                                    code="scenario_negative",
                                    problem_zh=f"应用后 {out.iat[i, out.columns.get_loc('school_name')]}（{years[i]} 年）的“{HEADERS[f]}”为 {v:g}，不能为负",
                                    problem_en=f"after the change, {HEADERS[f]} of school {last.school_code} in {years[i]} would be {v:g} (< 0)"))
    touched_rows = {i for i, _ in touched}
    for part, whole in column_spec().get("subsets", []):
        if part not in out or whole not in out:
            continue
        for i in sorted(touched_rows):
            if (i, part) not in touched and (i, whole) not in touched:
                continue
            pv, wv = out.iat[i, out.columns.get_loc(part)], out.iat[i, out.columns.get_loc(whole)]
            if pd.isna(pv) or pd.isna(wv):  # an optional count not known (e.g. 超标班额班数): nothing to compare
                continue
            if pv > wv + 1e-9:
                r = (touched.get((i, part)) or touched.get((i, whole)))[-1]
                problems.append(Problem(
                    file=file, row=r.row, column=r.column, value=str(r.amount), code="scenario_subset",
                    problem_zh=f"应用后学校 {r.school_code}（{years[i]} 年）的“{HEADERS[part]}”({pv:g}) 大于“{HEADERS[whole]}”({wv:g})",
                    problem_en=f"after the change, school {r.school_code} has {HEADERS[part]} ({pv:g}) > {HEADERS[whole]} ({wv:g}) in {years[i]}"))
    if problems:
        raise InputError(problems, "情景无法应用到学校数据表", "the scenario does not fit the school table")
    for f in fields:
        if _KIND[f] == "count":
            out[f] = out[f].round().astype(schools[f].dtype if schools[f].dtype.kind in "iu" else "int64")
    return out


def apply_to_table(table, scenario):
    """A copy of a :class:`~balance.io.reading.SchoolTable` with the scenario applied (input untouched).

    ``scenario``: a :class:`Scenario` or anything :func:`as_scenario` accepts.

    The result's ``path`` names both files so that the outputs say a scenario was applied.
    """
    import dataclasses

    from balance.io.reading import load_school_table

    scenario = as_scenario(scenario)
    data = apply_scenario(table.data, scenario)
    label = f"{table.path} + 情景/scenario {scenario.path}"
    try:  # the whole table's checks once more (e.g. pupils added to a stage the school lacks)
        rerun = load_school_table(data)
    except InputError as exc:
        probs = [dataclasses.replace(p, file=label) for p in exc.errors]
        raise InputError(probs, "应用情景后的学校数据表有误", "the school table is invalid after the scenario") from None
    new = copy.copy(table)
    new.data = data
    new.path = label
    # warnings the scenario brings (e.g. a stage left without pupils, which then forms no
    # section) join the table's own: nothing leaves the assessment without a reason on record
    known = {(w.code, w.row) for w in table.warnings}
    new.warnings = list(table.warnings) + [
        dataclasses.replace(w, file=label, column=HEADERS.get(w.column, w.column))
        for w in rerun.warnings if (w.code, w.row) not in known]
    return new
