"""``balance ingest``: validate a school table once and add each of its years to a Parquet store.

Reads the table with :func:`balance.io.reading.load_school_table` (the full validation) and
writes one partition per year with :func:`balance.io.store.write_partition`; all years or none.
Kept apart from :mod:`balance.io.store` so that the store never imports the reader (the reader
dispatches Parquet sources to the store).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from balance.errors import InputError, Problem
from balance.io.reading import load_school_table
from balance.io.store import STORE_MARKER, _problem, _refuse, store_years, write_partition


@dataclass
class IngestResult:
    store: Path
    years: list[int]
    rows: dict[int, int]
    replaced: list[int]
    warnings: list[Problem]


def ingest(table_path, store_dir, replace: bool = False, *, sheet: str | int | None = None) -> IngestResult:
    """Validate a school table once and append each of its years to a Parquet store.

    Parameters
    ----------
    table_path : str or Path
        A school table (CSV / Excel / a single Parquet file) — usually one year's table.
    store_dir : str or Path
        The store folder (created when missing).
    replace : bool
        Replace years already in the store; otherwise such a year is refused and nothing is written.

    Raises
    ------
    InputError
        The table has errors (every problem is listed; nothing is written), or a year is already
        in the store and ``replace`` is false.
    """
    store = Path(store_dir)
    if Path(table_path).resolve() == store.resolve():
        _refuse(table_path, "ingest_self", "不能把数据仓库导入它自己", "cannot ingest a store into itself")
    table = load_school_table(table_path, sheet=sheet)
    data = table.data
    years = sorted(int(y) for y in data["year"].unique())
    present = set(store_years(store))
    dup = [y for y in years if y in present]
    if dup and not replace:
        ys = "、".join(map(str, dup))
        raise InputError([_problem(store, "year_in_store",
                                   f"数据仓库中已有 {ys} 年的数据，未导入任何数据；如需替换请加 --replace",
                                   f"year(s) {', '.join(map(str, dup))} already in the store; nothing was "
                                   "ingested; add --replace to replace them")],
                         "年份重复", "duplicate year")
    rows = {}
    from balance.io.files import WriteError, make_dirs, remove_dirs

    new_store = not (store / STORE_MARKER).is_file()
    created: list[Path] = []
    done: list[tuple[Path, Path | None]] = []  # (partition written, the partition it replaced)
    try:
        created = make_dirs(store)
        for y in years:
            part = data[data["year"] == y]
            if len(years) > 1:  # each year keeps the warnings about its own rows (and the whole-table ones)
                rows_of_year = set(part["source_row"].tolist())
                ws = [w for w in table.warnings if w.row is None or w.row in rows_of_year]
            else:
                ws = list(table.warnings)
            write_partition(part, store, y, replace=replace, source=str(table_path), sha256=table.sha256,
                            validation="ingest", warnings=ws, _keep_old=done)
            rows[y] = int(len(part))
    except BaseException as exc:
        # all years or none: undo the years written so far, put replaced ones back, and remove a
        # store (folder) that this call created
        for final, old in reversed(done):
            shutil.rmtree(final, ignore_errors=True)
            if old is not None:
                try:
                    os.rename(old, final)
                except OSError:
                    pass
        if new_store:
            (store / STORE_MARKER).unlink(missing_ok=True)
        remove_dirs(created)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(store, exc) from exc
        raise
    for _, old in done:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return IngestResult(store, years, rows, sorted(dup), list(table.warnings))


# ------------------------------------------------------------------------------------------ read
