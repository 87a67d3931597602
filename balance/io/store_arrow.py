"""Arrow tables of school rows for the Parquet store (:mod:`balance.io.store`): Parquet files
read, rows filtered by year and county, columns put in canonical order and types, and the cheap
structural check of already validated rows; the store's problems and refusals."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem, plural
from balance.schema import COLUMNS

__all__ = ["PARQUET_SUFFIXES", "structural_check"]

PARQUET_SUFFIXES = (".parquet", ".pq")

_NUMERIC_KINDS = ("count", "area", "money")


def _problem(file, code: str, zh: str, en: str, **kw) -> Problem:
    return Problem(file=str(file), problem_zh=zh, problem_en=en, code=code, **kw)


def _refuse(file, code: str, zh: str, en: str, summary=("数据仓库有误", "problem with the Parquet store")) -> None:
    raise InputError([_problem(file, code, zh, en)], *summary)


def _canonical_arrow(table):
    """An Arrow table of school rows -> canonical column order and types (cast in Arrow: fast)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    names, arrays = [], []
    for c in COLUMNS:
        name, kind = c["name"], c["kind"]
        target = pa.int64() if kind in ("year", "count") else pa.float64() if kind in ("area", "money") else pa.string()
        if name in table.column_names:
            col = table.column(name)
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            if col.type != target:
                col = pc.cast(col, target) if not (target == pa.string() and not pa.types.is_string(col.type)) \
                    else pc.cast(col, pa.string())
        else:
            col = pa.nulls(n, type=target)
        names.append(name)
        arrays.append(col)
    for name in table.column_names:
        if name not in names:
            col = table.column(name)
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            names.append(name)
            arrays.append(col)
    if "source_row" not in names:
        names.append("source_row")
        arrays.append(pa.array(np.arange(n, dtype="int64") + 2))
    return pa.Table.from_arrays(arrays, names=names)


def _to_frame(table) -> pd.DataFrame:
    """Canonical Arrow table -> pandas with the dtypes of the validation (optional counts ``Int64``)."""
    df = table.to_pandas()
    for c in COLUMNS:
        if c["kind"] in ("count", "year") and not c.get("required") and c["name"] in df.columns:
            df[c["name"]] = df[c["name"]].astype("float64").astype("Int64")
    return df


def structural_check(data: pd.DataFrame, file: str) -> list[Problem]:
    """Cheap vectorised checks of already validated rows (stored data may have been edited by hand).

    Required columns present and not missing, numbers non-negative, finite and within the bounds of
    ``columns.yaml``, codes of the right length, each school once per year, subset counts within
    their totals. Returns errors.
    """
    from balance.schema import column_spec

    problems = []
    for c in COLUMNS:
        if not c.get("required"):
            continue
        name = c["name"]
        if name not in data.columns:
            problems.append(_problem(file, "missing_column", f"缺少列「{c['header']}」", f"column {name} is missing"))
            continue
        s = data[name]
        bad = np.array(s.isna().to_numpy(), dtype=bool)
        if c["kind"] in _NUMERIC_KINDS:
            v = s.to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad |= (v < 0) | np.isinf(v)
                if c.get("max") is not None:  # the plausible bound of columns.yaml
                    bad |= v > float(c["max"])
        elif c["kind"] == "code":
            bad |= (s.str.len() != int(c["length"])).fillna(True).to_numpy()
        if c["kind"] == "category":
            bad |= ~s.isin(c["values"]).to_numpy()
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            problems.append(_problem(file, "store_invalid_value",
                                     f"「{c['header']}」有 {int(bad.sum())} 个值不合规（例如第 {k + 1} 行：{s.iat[k]!r}）",
                                     f"column {name} has {int(bad.sum())} invalid values (e.g. row {k + 1}: {s.iat[k]!r})",
                                     column=c["header"]))
    if not problems:
        dup = data.duplicated(["year", "school_code"])
        if dup.any():
            problems.append(_problem(file, "duplicate_school", f"有 {int(dup.sum())} 个学校在同一年出现多次",
                                     f"{plural(int(dup.sum()), 'school')} appear{'s' if int(dup.sum()) == 1 else ''} twice in one year", column="学校标识码"))
        for part, whole in column_spec().get("subsets", []):
            if part in data and whole in data:
                n_bad = int((data[part].to_numpy() > data[whole].to_numpy()).sum())
                if n_bad:
                    problems.append(_problem(file, "subset_exceeds", f"{n_bad} 行「{part}」大于「{whole}」",
                                             f"{n_bad} rows have {part} > {whole}"))
    return problems


def _read_parquet_files(path: Path, file: str):
    """The Arrow table of one ``.parquet`` file or of the Parquet files of a (Hive-partitioned) folder;
    refused (:class:`InputError`) when there are none, they are unreadable or they hold no rows."""
    import pyarrow
    import pyarrow.dataset as ds

    summary = ("学校数据表有误", "the school table has errors")
    files = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES
                   and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)) \
        if path.is_dir() else []
    if path.is_dir() and not files:
        _refuse(file, "not_parquet_folder", f"{file} 是一个文件夹，其中没有 Parquet 文件；请给出学校数据表文件（.csv、.xlsx 等）、"
                f"Parquet 文件或数据仓库文件夹", f"{file} is a folder without Parquet files; give a school table file "
                f"(.csv, .xlsx …), a Parquet file or a store folder", summary=summary)
    try:
        if path.is_dir():  # only the Parquet files of the folder (a stray notes.txt is not data)
            dataset = ds.dataset(files, format="parquet", partitioning="hive", partition_base_dir=str(path))
        else:
            dataset = ds.dataset(path, format="parquet")
        table = dataset.to_table()
    except (pyarrow.ArrowException, OSError, ValueError) as e:  # not Parquet, truncated, unreadable
        _refuse(file, "unreadable", f"无法读取 Parquet 数据：{str(e)[:300]}", f"cannot read the Parquet data: {str(e)[:300]}",
                summary=summary)
    if table.num_rows == 0:
        _refuse(file, "empty_file", f"{file} 中没有数据", f"{file} holds no rows", summary=summary)
    return table


def _year_filter(table, want: list[int]):
    """The rows of ``table`` whose year is in ``want`` (a dictionary-encoded year column too)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    yc = table.column("year")
    yc = yc.cast(yc.type.value_type) if pa.types.is_dictionary(yc.type) else yc
    return table.filter(pc.is_in(pc.cast(yc, pa.int64()), value_set=pa.array(want, type=pa.int64())))


def _with_file(p: Problem, file: str) -> Problem:
    import dataclasses

    return dataclasses.replace(p, file=file) if p.file == "<DataFrame>" else p


def _county_filter(table, counties):
    """Rows of an Arrow table whose county code is in ``counties``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = table.column("county_code")
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return table.filter(pc.is_in(col, value_set=pa.array(sorted({str(c) for c in counties}), type=col.type)))
