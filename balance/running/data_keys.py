"""A run's params checked against its data: county and years present, read from just two columns.

:func:`read_data_keys` reads ``year`` and ``county_code`` of every row of the school table
(cached per file version), without validating the whole table (that is the notebook's job);
:func:`check_against_data` checks a :class:`balance.running.params.RunParams` (``params``)
against them. Moved out of :mod:`balance.running.params`, which re-exports every name.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from balance.errors import InputError, require_present
from balance.running.params_file import _problem

__all__ = ["check_against_data", "read_data_keys"]


def check_against_data(params, table) -> None:
    """County and year (and previous year) must be present in the school table.

    ``table`` is a DataFrame with at least the columns ``year`` and ``county_code``.
    """
    import pandas as pd

    src = str(params.source or "")
    years = sorted({int(y) for y in pd.to_numeric(table["year"], errors="coerce").dropna()})
    codes = {str(c).strip() for c in table["county_code"].dropna()}
    require_present(src, year=params.year, years=years, previous_year=params.previous_year,
                    county=params.county_code, counties=codes,
                    columns={"year": "year", "previous_year": "previous_year", "county": "county_code"})
    problems = []
    if params.county_code is not None and params.year is not None:
        sel = table[(pd.to_numeric(table["year"], errors="coerce") == params.year)
                    & (table["county_code"].astype(str).str.strip() == params.county_code)]
        if sel.empty:
            problems.append(_problem(src, f"数据中没有县区 {params.county_code} 在 {params.year} 年的记录",
                                     f"county {params.county_code} has no rows for {params.year}",
                                     code="county_year_not_in_data", column="year", value=params.year))
    if problems:
        raise InputError(problems, "参数与数据不符", "parameters do not match the data")


def read_data_keys(path: str | Path, sheet: str | None = None):
    """``year`` and ``county_code`` of every row of a school table (cached per file version);
    ``sheet``: the workbook's sheet holding the table (read with the library's reader).

    Reads just those two columns (CSV in UTF-8 or GB18030, Excel, Parquet; headers matched with
    the aliases of ``columns.yaml``); falls back to :func:`balance.io.reading.load_school_table` when
    the headers are not recognised. The full validation of the table is the notebook's job.
    """
    p = Path(path).resolve()
    if p.is_dir():  # a Parquet store: its partitions were validated at ingest
        from balance.io.reading import load_school_table

        return load_school_table(p).data[["year", "county_code"]].reset_index(drop=True)
    st = p.stat()
    return _read_keys_cached(str(p), st.st_mtime_ns, st.st_size, sheet).copy()


@lru_cache(maxsize=8)
def _read_keys_cached(path: str, mtime_ns: int, size: int, sheet: str | None = None):
    if sheet is None:  # a named sheet: the library's reader, which knows sheets
        try:
            return _light_keys(Path(path))
        except InputError:
            pass  # headers the light reader does not recognise: the library's reader knows more
            # layouts (and reports the table's problems with its own messages)
    from balance.io.reading import load_school_table

    table = load_school_table(path, sheet=sheet)
    return table.data[["year", "county_code"]].reset_index(drop=True)


def _norm_header(h: str) -> str:
    """The school table's header rules (:func:`balance.io.headers.normalize_header`): NFKC, units,
    brackets and required-field marks too, so the fallback reader matches what the full reader does."""
    from balance.io.headers import normalize_header

    return normalize_header(h)


def _light_keys(path: Path):
    """Fallback reader: the year and county-code columns only, codes as text."""
    import pandas as pd

    from balance.schema import COLUMNS

    want = {}
    for c in COLUMNS:
        if c["name"] in ("year", "county_code"):
            for h in [c["header"], c["name"], *c.get("aliases", [])]:
                want[_norm_header(h)] = c["name"]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        try:
            df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except UnicodeDecodeError:
            df = pd.read_csv(path, dtype=str, encoding="gb18030")
    elif suffix in (".xlsx", ".xls", ".xlsm", ".ods"):
        from balance.io.workbook import open_workbook  # measured before it is loaded (issue 9)

        open_workbook(path.read_bytes(), str(path), ("数据文件有误", "invalid data file")).scan_first()
        df = pd.read_excel(path, dtype=str, engine="calamine")
    elif suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        raise InputError([_problem(path, f"不支持的数据文件类型：{suffix}", f"unsupported data file type: {suffix}",
                                   code="unsupported_file")], "数据文件有误", "invalid data file")
    cols = {c: want[_norm_header(c)] for c in df.columns if _norm_header(c) in want}
    missing = {"year", "county_code"} - set(cols.values())
    if missing:
        raise InputError([_problem(path, f"数据缺少列：{'、'.join('年份' if m == 'year' else '县区代码' for m in sorted(missing))}",
                                   f"data lacks column(s): {', '.join(sorted(missing))}", code="missing_column")],
                         "数据文件有误", "invalid data file")
    out = df[list(cols)].rename(columns=cols)
    return out[["year", "county_code"]].astype(str)
