"""Parquet school-table stores: validate a year's table once, read many years fast.

A *store* is a folder holding one Parquet partition per year (Hive layout)::

    STORE/
      _balance_store.json          marks the folder as a balance store (format version)
      year=2024/part-0.parquet     the canonical school table of 2024 (without the year column)
      year=2024/_partition.json    where it came from: source file and SHA-256, rows, how it was
                                   validated, balance version, time, and the warnings found then
      year=2025/...

:func:`ingest` reads a school table (CSV / Excel / Parquet) through
:func:`balance.io.reading.load_school_table` — the full validation, every problem collected — and
appends each of its years as a partition. A year already in the store is refused unless
``replace=True``. A partition is written into a hidden temporary folder inside the store and moved
into place with one ``rename`` only when complete, so a failure never leaves a half-written
partition (readers ignore hidden ``.``/``_`` names).

:func:`load_parquet_table` reads a store, any Hive-partitioned Parquet folder or a single
``.parquet`` file into a :class:`StoredTable` (a :class:`~balance.io.reading.SchoolTable`).
Data from a balance store were fully validated when they were ingested (or written by the
national generator), so reading runs only a cheap vectorised *structural* check (columns, types,
no missing values, non-negative numbers, unique school per year); the table records which check
was made (``StoredTable.validation``). Parquet that did not come from a store is validated in full.
:func:`balance.io.reading.load_school_table` dispatches folders and ``*.parquet`` paths here, so
``balance assess / equity / plan / validate`` read stores like CSV files.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from balance import __version__
from balance.errors import InputError, Problem
from balance.io.store_arrow import (  # noqa: F401 - moved there; store.<name> as before
    _NUMERIC_KINDS,
    PARQUET_SUFFIXES,
    _canonical_arrow,
    _county_filter,
    _problem,
    _read_parquet_files,
    _refuse,
    _to_frame,
    _with_file,
    _year_filter,
    structural_check,
)
from balance.io.table import SchoolTable
from balance.schema import COLUMNS

STORE_MARKER = "_balance_store.json"
PARTITION_META = "_partition.json"
PART_FILE = "part-0.parquet"
STORE_FORMAT = 1

_COLS = {c["name"]: c for c in COLUMNS}


@dataclass
class StoredTable(SchoolTable):
    """A :class:`SchoolTable` read from Parquet.

    Extra attributes
    ----------------
    validation : str
        How the rows were checked: ``"ingest"`` (fully validated by :func:`ingest`, structural check
        on reading), ``"generator"`` (written by the national generator, structural check on
        reading), ``"full"`` (validated in full on reading: Parquet not from a store) or ``"none"``.
    years : list of int
        Years read.
    partitions : list of dict
        The ``_partition.json`` records of the years read (store only).
    """

    validation: str = "full"
    years: list[int] = field(default_factory=list)
    partitions: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------------------- helpers


def is_parquet_source(source) -> bool:
    """Whether ``source`` is read by this module: a folder or a ``*.parquet`` / ``*.pq`` file."""
    if isinstance(source, pd.DataFrame) or source is None:
        return False
    p = Path(source)
    return p.is_dir() or p.suffix.lower() in PARQUET_SUFFIXES


def is_store(path) -> bool:
    return (Path(path) / STORE_MARKER).is_file()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_json(path: Path, payload: dict) -> None:
    from balance.io.files import atomic_write_json

    atomic_write_json(path, payload)


def _partition_dir(store: Path, year: int) -> Path:
    return store / f"year={int(year)}"


def store_years(store_dir) -> list[int]:
    """Years present in a store (complete partitions only)."""
    store = Path(store_dir)
    if not store.is_dir():
        return []
    years = []
    for d in store.iterdir():
        if d.is_dir() and d.name.startswith("year=") and (d / PART_FILE).is_file():
            try:
                years.append(int(d.name[5:]))
            except ValueError:
                continue
    return sorted(years)


def partition_info(store_dir, year: int) -> dict:
    """The ``_partition.json`` record of one year (empty dict when there is none)."""
    p = _partition_dir(Path(store_dir), year) / PARTITION_META
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}


def _init_store(store: Path) -> None:
    if store.exists() and not store.is_dir():
        _refuse(store, "store_not_folder", f"数据仓库路径 {store} 不是文件夹", f"store path {store} is not a folder")
    store.mkdir(parents=True, exist_ok=True)
    marker = store / STORE_MARKER
    if not marker.is_file():
        others = [d.name for d in store.iterdir() if not d.name.startswith((".", "_"))]
        if others and not all(n.startswith("year=") for n in others):
            _refuse(store, "store_not_empty",
                    f"文件夹 {store} 不是 balance 数据仓库且不为空（{', '.join(sorted(others)[:5])}）；请换一个文件夹",
                    f"folder {store} is not a balance store and is not empty ({', '.join(sorted(others)[:5])}); "
                    "choose another folder")
        _atomic_json(marker, {"format": "balance-store", "version": STORE_FORMAT,
                              "created_by": f"balance {__version__}",
                              "layout": "year=YYYY/part-0.parquet (canonical column names, Hive partitions)"})


def _to_arrow(data: pd.DataFrame):
    """Canonical school rows of one year -> an Arrow table without ``year`` (it is the partition)."""
    import pyarrow as pa

    cols = [c["name"] for c in COLUMNS if c["name"] != "year" and c["name"] in data.columns]
    extra = [c for c in data.columns if c not in cols and c != "year"]  # e.g. source_row
    frame = data[cols + extra]
    fields, arrays = [], []
    for name in frame.columns:
        s = frame[name]
        kind = _COLS.get(name, {}).get("kind")
        if kind in ("count", "year") or name == "source_row":
            arr = pa.Array.from_pandas(s.astype("Int64"), type=pa.int64())  # optional counts keep NA
        elif kind in ("area", "money"):
            arr = pa.Array.from_pandas(s.astype("float64"), type=pa.float64())
        elif kind in ("code", "text", "category") or s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            arr = pa.array(s.astype(object).where(s.notna(), None).tolist() if s.dtype == object
                           else s.to_numpy(dtype=object, na_value=None), type=pa.string())
            if kind == "category" or name in ("county_code", "county_name", "township"):
                arr = arr.dictionary_encode()
        else:
            arr = pa.array(s.to_numpy())
        fields.append(pa.field(name, arr.type))
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_partition(data: pd.DataFrame, store_dir, year: int, *, replace: bool = False, source: str = "",
                    sha256: str | None = None, validation: str = "ingest",
                    warnings: list[Problem] | None = None, _before_rename=None, _keep_old: list | None = None) -> Path:
    """Write one year's canonical rows as partition ``year=YYYY`` of a store, atomically.

    The Parquet file and its ``_partition.json`` are written into a hidden temporary folder in the
    store and moved into place with one rename. With ``replace`` an existing partition is swapped
    out (renamed away, then deleted); without it an existing year raises :class:`InputError`.
    ``data`` must already be validated (this function does not check values). ``_keep_old``
    (internal, for :func:`ingest`): a list to which ``(partition, old partition or None)`` is
    appended instead of deleting the replaced partition, so that a failed ingest can be undone.
    """
    import pyarrow.parquet as pq

    store = Path(store_dir)
    _init_store(store)
    year = int(year)
    final = _partition_dir(store, year)
    if final.exists() and not replace:
        _refuse(store, "year_in_store",
                f"数据仓库中已有 {year} 年的数据；如需替换请加 --replace",
                f"year {year} is already in the store; add --replace to replace it")
    tmp = store / f".tmp-year={year}-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()  # hidden until renamed: readers ignore "." names
    try:
        table = _to_arrow(data)
        pq.write_table(table, tmp / PART_FILE, compression="zstd", row_group_size=256_000)
        meta = {
            "year": year, "rows": int(len(data)), "source": source, "source_sha256": sha256,
            "data_sha256": _sha256_file(tmp / PART_FILE), "validation": validation,
            "balance_version": __version__,
            "written_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
            "warnings": [p.to_dict() for p in (warnings or [])],
        }
        _atomic_json(tmp / PARTITION_META, meta)
        if _before_rename is not None:  # test hook: simulate a failure just before the partition appears
            _before_rename(tmp)
        old = None
        if final.exists():
            old = store / f".old-year={year}-{os.getpid()}"
            os.rename(final, old)
        try:
            os.rename(tmp, final)
        except BaseException:
            if old is not None:
                os.rename(old, final)
            raise
        if _keep_old is not None:
            _keep_old.append((final, old))
        elif old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return final
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------------------------------- ingest


def load_parquet_table(source, *, years=None, counties=None, check: str = "auto") -> StoredTable:
    """Read a Parquet store, a Hive-partitioned Parquet folder or one ``.parquet`` file.

    Parameters
    ----------
    source : str or Path
    years : iterable of int, optional
        Read only these years (partitions of other years are not opened).
    counties : iterable of str, optional
        Read only these county codes (filtered in Arrow before any pandas work), e.g. one
        province out of a national store.
    check : {"auto", "structural", "full", "none"}
        ``auto``: a store's rows get the cheap :func:`structural_check` (they were validated at
        ingest), anything else the full validation of :func:`balance.io.reading.load_school_table`.

    Raises
    ------
    InputError
        Missing path, no data, a requested year missing, or rows that fail the check.
    """
    path = Path(source)
    file = str(source)
    if not path.exists():
        _refuse(file, "file_not_found", f"找不到文件或文件夹：{file}", f"file or folder not found: {file}",
                summary=("学校数据表有误", "the school table has errors"))
    want = None if years is None else sorted({int(y) for y in years})
    if path.is_dir() and is_store(path):
        return _read_store(path, want, check, counties)
    table = _read_parquet_files(path, file)
    if counties is not None and "county_code" in table.column_names:
        table = _county_filter(table, counties)
    if want is not None and "year" in table.column_names:
        table = _year_filter(table, want)
    sha = _sha256_file(path) if path.is_file() else _sha256_tree(path)
    if check in ("structural", "none"):
        data = _to_frame(_canonical_arrow(table))
        if check == "structural":
            probs = structural_check(data, file)
            if probs:
                raise InputError(probs, "学校数据表有误", "the school table has errors")
        return StoredTable(data=data, path=file, sha256=sha, validation=check,
                           years=sorted(int(y) for y in data["year"].unique()))
    from balance.io.frame import load_frame

    df = table.to_pandas()
    if "source_row" in df.columns:
        df = df.drop(columns="source_row")  # rows are numbered as they stand in this file
    try:
        t = load_frame(df.reset_index(drop=True))
    except InputError as exc:  # the problems are the folder's, not an anonymous "<DataFrame>"'s
        raise InputError([_with_file(q, file) for q in exc.problems], exc.summary_zh, exc.summary_en) from None
    warnings = [_with_file(w, file) for w in t.warnings]
    return StoredTable(data=t.data, path=file, sha256=sha, warnings=warnings, header_map=t.header_map,
                       validation="full", years=sorted(int(y) for y in t.data["year"].unique()))


def _sha256_tree(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*.parquet")):
        if any(part.startswith((".", "_")) for part in f.relative_to(path).parts):
            continue
        h.update(str(f.relative_to(path)).encode())
        h.update(_sha256_file(f).encode())
    return h.hexdigest()


def _read_store(store: Path, want, check: str, counties=None) -> StoredTable:
    import pyarrow.parquet as pq

    file = str(store)
    present = store_years(store)
    if not present:
        _refuse(file, "store_empty", f"数据仓库 {file} 中还没有数据；请先用 balance ingest 导入",
                f"store {file} holds no data yet; add a year with balance ingest",
                summary=("学校数据表有误", "the school table has errors"))
    if want is not None:
        missing = [y for y in want if y not in present]
        if missing:
            _refuse(file, "year_not_in_store",
                    f"数据仓库中没有 {'、'.join(map(str, missing))} 年（已有：{'、'.join(map(str, present))}）",
                    f"year(s) {', '.join(map(str, missing))} not in the store (present: {', '.join(map(str, present))})",
                    summary=("学校数据表有误", "the school table has errors"))
    years = want if want is not None else present
    import pyarrow as pa

    from balance._fast import tune_memory

    tune_memory()  # stores are read for large panels (see balance._fast.tune_memory)

    tables, metas, warnings = [], [], []
    h = hashlib.sha256()
    for y in years:
        d = _partition_dir(store, y)
        meta = partition_info(store, y)
        metas.append(meta)
        t = pq.read_table(d / PART_FILE)
        if counties is not None:
            t = _county_filter(t, counties)
        if "year" in t.column_names:
            t = t.drop_columns(["year"])
        t = t.add_column(0, "year", pa.array(np.full(t.num_rows, y, dtype="int64")))
        tables.append(_canonical_arrow(t))
        h.update(f"{y}:{meta.get('data_sha256') or _sha256_file(d / PART_FILE)};".encode())
        warnings += [Problem(**w) for w in meta.get("warnings", [])]
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    data = _to_frame(table)
    del table, tables
    if check == "full":
        from balance.io.frame import load_frame

        t = load_frame(data.drop(columns="source_row"))
        return StoredTable(data=t.data, path=file, sha256=h.hexdigest(), warnings=[_with_file(w, file) for w in t.warnings],
                           header_map=t.header_map, validation="full", years=list(years), partitions=metas)
    how = sorted({m.get("validation", "ingest") for m in metas}) or ["ingest"]
    if check != "none":
        probs = structural_check(data, file)
        if probs:
            probs.append(_problem(file, "store_edited",
                                  "数据仓库的内容与导入时不一致（可能被手工修改）；请重新导入该年份（balance ingest --replace）",
                                  "the store no longer matches what was ingested (edited by hand?); "
                                  "re-ingest the year with balance ingest --replace"))
            raise InputError(probs, "数据仓库有误", "problem with the Parquet store")
    return StoredTable(data=data, path=file, sha256=h.hexdigest(), warnings=warnings, header_map={},
                       validation="none" if check == "none" else "+".join(how),
                       years=list(years), partitions=metas)

