"""Read, validate and assess a data file once per kernel, not once per briefing.

A batch of county briefings names the same school table in every params file. In a kept kernel
(:mod:`balance.running.kernel`) the table is read and validated once
(:func:`school_table`, keyed by the SHA-256 of the file's bytes), and assessed once per standard
for every county (:func:`county_assessment`, keyed by that checksum and the standard object),
each briefing then takes its county's rows (:meth:`Assessment.county`). The numbers are the same
as those of ``assess(table, standard, county=code)``: every indicator, CV and verdict is computed
per county × year group, and a test compares the two.

A file that changed has another checksum, so it is read again; a standard file that changed is
loaded again by :func:`balance.method.standards.load_standard` (a new object, so a new key). Only
the last :data:`KEEP` tables and assessments are kept. Anything that fails (unreadable file, a
problem in another county, a county or year not in the data) falls back to the uncached path,
so errors and their messages are exactly those of a fresh kernel.

What is kept is never handed out: every call returns its own table or assessment object whose
frames are shallow copies (:func:`_own`). pandas' copy-on-write (always on from pandas 3) makes
such a copy independent of the kept one — a briefing that adds a column to, sorts in place or
writes cells of its frames changes nothing the next briefing sees — at the cost of one object per
frame, no data copied.
"""
from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from pathlib import Path

__all__ = ["KEEP", "file_key", "school_table", "county_assessment", "county_sheet", "warm", "clear"]

#: Tables / assessments kept per kernel.
KEEP = 2

_tables: "OrderedDict[tuple, object]" = OrderedDict()
_assessments: "OrderedDict[tuple, object]" = OrderedDict()
_sheets: "OrderedDict[tuple, object]" = OrderedDict()


def _remember(store: OrderedDict, key, value) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > KEEP:
        store.popitem(last=False)


def _own(obj):
    """A copy of ``obj`` (a table or an assessment) that its caller may change freely: its
    DataFrames are shallow copies (independent under copy-on-write), its lists and dicts new ones
    (their items — :class:`~balance.errors.Problem`, strings — are immutable)."""
    import pandas as pd

    out = copy.copy(obj)
    for name, value in vars(out).items():
        if isinstance(value, pd.DataFrame):
            value = value.copy(deep=False)
        elif isinstance(value, (list, dict)):
            value = type(value)(value)
        else:
            continue
        object.__setattr__(out, name, value)
    return out


def file_key(path) -> tuple | None:
    """``(resolved path, sha256 of the bytes)`` of a regular file, else ``None`` (not cached)."""
    try:
        p = Path(path)
        if not p.is_file():
            return None
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return (str(p.resolve()), h.hexdigest())
    except (OSError, TypeError, ValueError):
        return None


def school_table(data, sheet: str | None = None):
    """:func:`balance.io.reading.load_school_table` of ``data`` (worksheet ``sheet``), read once per content."""
    from balance.io.reading import load_school_table

    key = file_key(data) if isinstance(data, (str, Path)) else None
    if key is None:
        return load_school_table(data, sheet=sheet)
    key = (key, str(data), sheet)  # the table records the path as given
    hit = _tables.get(key)
    if hit is None:
        hit = load_school_table(data, sheet=sheet)
        _remember(_tables, key, hit)
    else:
        _tables.move_to_end(key)
    return _own(hit)


def county_assessment(table, standard, county: str):
    """``assess(table, standard, county=county)``, taken from one assessment of every county."""
    from balance.errors import InputError
    from balance.method.assessment import assess
    from balance.method.standards import load_standard

    data = getattr(table, "data", None)
    if not getattr(table, "sha256", None) or data is None or "county_code" not in data \
            or str(county) not in set(data["county_code"].unique()):
        return assess(table, standard, county=county)
    try:
        whole = _every_county(table, load_standard(standard))
    except InputError:  # a problem elsewhere in the table: this county's own run decides
        return assess(table, standard, county=county)
    return _own(whole.county(str(county)))  # its frames with no county column are the kept ones


def _every_county(table, std):
    """The assessment of every county of ``table`` under the standard object ``std``, once per
    (checksum, path, standard). Raises what ``assess`` raises (nothing is kept then)."""
    from balance.method.assessment import assess

    key = (table.sha256, str(table.path), std.id, id(std))
    hit = _assessments.get(key)
    if hit is None or hit[0] is not std:
        hit = (std, assess(table, std))
        _remember(_assessments, key, hit)
    else:
        _assessments.move_to_end(key)
    return hit[1]


def warm(data, sheet: str | None, standard) -> bool:
    """Read ``data`` and assess every county under ``standard`` into this kernel's cache, before
    any briefing asks (a batch's kept kernel does this while the batch is still planning). Best
    effort: ``False`` when it could not (the briefing then reads, assesses and reports itself)."""
    from balance.method.standards import load_standard

    try:
        table = school_table(data, sheet)
        if not getattr(table, "sha256", None) or "county_code" not in table.data:
            return False
        _every_county(table, load_standard(standard))
        return True
    except Exception:  # noqa: BLE001
        return False


def county_sheet(source, known_counties=None, sheet=None, other_counties: str = "refuse"):
    """:func:`balance.io.county_sheet.load_county_sheet` of ``source``, read once per content (the
    file's SHA-256), path as given, known counties, worksheet and ``other_counties``. Every county briefing of a batch
    names the same county sheet; its evaluation reads it through here. A sheet with problems
    raises every time (nothing is kept); anything but a file path is read as before. Each call gets
    its own copy (:func:`_own`), as tables and assessments do."""
    from balance.io.county_sheet import load_county_sheet

    key = file_key(source) if isinstance(source, (str, Path)) else None
    if key is None:
        return load_county_sheet(source, known_counties=known_counties, sheet=sheet, other_counties=other_counties)
    if isinstance(known_counties, dict):
        known = ("dict", tuple(sorted(known_counties.items())))
    else:
        known = None if known_counties is None else ("set", tuple(sorted(known_counties)))
    key = (key, str(source), known, sheet, other_counties)
    hit = _sheets.get(key)
    if hit is None:
        hit = load_county_sheet(source, known_counties=known_counties, sheet=sheet, other_counties=other_counties)
        _remember(_sheets, key, hit)
    else:
        _sheets.move_to_end(key)
    return _own(hit)  # a briefing may change its sheet; the next one gets the sheet as read


def clear() -> None:
    _tables.clear()
    _assessments.clear()
    _sheets.clear()
