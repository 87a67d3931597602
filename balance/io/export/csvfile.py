"""Writing a result table as CSV: the bytes of ``pandas.DataFrame.to_csv``, at Arrow's speed.

``write_csv(df, path)`` writes exactly the bytes of ``df.to_csv(path, index=False,
encoding="utf-8-sig")`` (UTF-8 with BOM, ``\\n`` line ends, minimal quoting, missing values
empty, every float in Python's shortest round-trip text: ``30.0``, ``8.640000000000004``,
``1e-05``, ``inf``). Unrounded values stay unrounded.

How: each column is turned into Arrow text in one vectorised pass and the rows are written by
:func:`pyarrow.csv.write_csv` (C++, without the GIL; about 10× cheaper than ``to_csv`` on a
national panel). Arrow's number text differs from Python's in two ways, both repaired here:

* a whole float is written without ``.0`` (``30``): ``.0`` is appended;
* Arrow switches to exponent notation at other magnitudes than Python (which uses it below
  1e-4 and from 1e16, with a two-digit exponent ``1e-05``): every non-zero float outside
  [1e-4, 1e10) gets ``repr`` (a Python loop over those few values only).

A table the fast path cannot write byte for byte — a column type other than numbers and text
(booleans arrive as ``true``/``false`` text), or a single column — is written by ``to_csv``
itself; so is a batch of rows with text that needs quoting (a comma, a quote or a line break
inside a value). Either way the bytes are those of ``to_csv``; ``tests/io/export/test_csvfile.py``
compares them.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from balance.io.export.cells import _FORMULA_START  # the characters that start a formula: one home

_BOM = "\ufeff".encode("utf-8")

#: |x| in [_LOW, _HIGH): Arrow's shortest text (with ".0" on whole numbers) equals Python's repr.
_LOW, _HIGH = 1e-4, 1e10
_NEEDS_QUOTES = (b",", b'"', b"\r", b"\n")
#: rows turned into text and written at a time (bounds the memory the text takes)
BATCH_ROWS = 200_000


def write_csv(df: pd.DataFrame, path) -> Path:
    """Write ``df`` to ``path`` exactly as ``df.to_csv(path, index=False, encoding="utf-8-sig")``
    would (see module docstring); return the path.

    The rows are turned into text and written :data:`BATCH_ROWS` at a time, so the text of a
    national table is never held whole; a batch with text that needs quoting is written by
    ``to_csv`` (the bytes of a batch do not depend on the other rows)."""
    path = Path(path)
    if df.shape[1] < 2 or not all(_fast_dtype(df[c].dtype) for c in df.columns):
        df.to_csv(path, index=False, encoding="utf-8-sig")
        return path
    import pyarrow.csv as pcsv

    head = io.StringIO()
    csv.writer(head, lineterminator=os.linesep).writerow([str(c) for c in df.columns])
    options = pcsv.WriteOptions(include_header=False, quoting_style="none", eol=os.linesep)
    with open(path, "wb") as f:
        f.write(_BOM + head.getvalue().encode("utf-8"))
        for start in range(0, len(df), BATCH_ROWS):
            part = df.iloc[start:start + BATCH_ROWS]
            table = _arrow_text_table(part)
            if table is None:
                f.write(part.to_csv(index=False, header=False).encode("utf-8"))
            else:
                pcsv.write_csv(table, f, write_options=options)
    return path


def _fast_dtype(dtype) -> bool:
    """Column types whose ``to_csv`` text does not depend on the other rows and that the Arrow path
    renders: numpy integers and floats, text (``str`` / ``object``). Not dates (``to_csv`` drops
    the time of a column whose every time is midnight), categories, nullable numbers or booleans."""
    return (isinstance(dtype, np.dtype) and dtype.kind in "iufO") or isinstance(dtype, pd.StringDtype)


def _arrow_text_table(df: pd.DataFrame):
    """``df`` as an Arrow table of text columns rendered as ``to_csv`` renders them, or ``None``
    when a column cannot be rendered so (the caller then uses ``to_csv``)."""
    import pyarrow as pa

    cols = []
    for c in df.columns:
        text = _column_text(df[c])
        if text is None:
            return None
        cols.append(text)
    return pa.table(cols, names=[f"c{i}" for i in range(len(cols))])


def _column_text(s: pd.Series):
    """One column as Arrow text (null where ``to_csv`` writes nothing), or ``None``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = s.dtype.kind
    if kind in "iu" and isinstance(s.dtype, np.dtype):
        return pc.cast(pa.array(s.to_numpy()), pa.string())
    if kind == "f" and isinstance(s.dtype, np.dtype):
        return _float_text(s.to_numpy(dtype=float))
    if isinstance(s.dtype, pd.StringDtype) or kind == "O":
        try:
            if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":  # Arrow already: no copy
                arr = pa.chunked_array(pa.array(s.array)).cast(pa.string())
            else:
                arr = pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.string())
        except (pa.ArrowException, TypeError, ValueError):  # not all text: numbers, lists, dates …
            return None
        if _may_need_quotes(arr):
            return None  # to_csv quotes these; Arrow's unquoted mode cannot
        return arr
    return None


def _may_need_quotes(arr) -> bool:
    """Whether a text column holds a comma, a quote or a line break: a byte search over the part
    of its data buffers that its values span (memchr speed, ~10x cheaper than a regex per value)."""
    import pyarrow as pa

    for chunk in (arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]):
        _, offsets, data = chunk.buffers()
        if data is None or len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        ends = np.frombuffer(offsets, dtype=width)[[chunk.offset, chunk.offset + len(chunk)]]
        raw = data.slice(int(ends[0]), int(ends[1] - ends[0])).to_pybytes()
        if any(ch in raw for ch in _NEEDS_QUOTES):
            return True
    return False


def _float_text(x: np.ndarray):
    """Floats as Python's ``repr`` writes them; NaN as null (an empty field); ±inf as ``inf`` / ``-inf``.

    Formula: text(x) = arrow(x) + ".0" when x is whole and |x| < 1e10; repr(x) when x ≠ 0 and
    |x| ∉ [1e-4, 1e10); arrow(x) otherwise (both are the shortest text that reads back as x).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    nan = np.isnan(x)
    text = pc.cast(pa.array(x, mask=nan), pa.string())
    finite = np.isfinite(x)
    ax = np.abs(np.where(finite, x, 0.0))
    whole = finite & (ax < _HIGH) & (np.floor(x, where=finite, out=np.zeros_like(x)) == x)
    if whole.any():
        mask = pa.array(whole)
        text = pc.replace_with_mask(text, mask, pc.binary_join_element_wise(text.filter(mask), ".0", ""))
    odd = finite & (x != 0) & ((ax < _LOW) | (ax >= _HIGH))
    if odd.any():
        text = pc.replace_with_mask(text, pa.array(odd), pa.array([repr(float(v)) for v in x[odd]], type=pa.string()))
    return text


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text value a spreadsheet would run as a formula on opening the CSV
    prefixed by an apostrophe ``'`` (OWASP's CSV-injection escape; the apostrophe is what Excel
    itself shows before such text typed into a cell).

    Text beginning with ``= + - @``, a tab or a carriage return is prefixed unless it is a plain
    number (``-5``, ``+3.5`` stay as they are). Only text (object / string) columns are looked at;
    numbers, missing values and the other columns are untouched; ``df`` itself is not modified.
    For CSVs that carry text nothing upstream has validated, such as the raw cells of a statistics
    workbook in ``*.provenance.csv``.
    """
    out = None
    for name in df.columns:
        col = df[name]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        risky = col.map(_formula_like, na_action="ignore").fillna(False).astype(bool)
        if risky.any():
            out = df.copy() if out is None else out
            out.loc[risky, name] = "'" + col[risky]
    return df if out is None else out


def _formula_like(v) -> bool:
    if not isinstance(v, str) or not v.startswith(_FORMULA_START):
        return False
    try:
        float(v)
    except ValueError:
        return True
    return v[0] in "\t\r"  # float() strips leading whitespace: " \t5" is still a cell Excel would run
