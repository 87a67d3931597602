"""Small vectorised helpers for large tables (a national panel has ~1,000,000 section-years).

Text columns are pandas ``str`` (Arrow-backed). Mapping or building them element by element in
Python costs about a second per million rows; these helpers work on integer codes of the few
distinct values instead and build text columns in Arrow. They never change a result: the values
and dtypes are those of the element-wise pandas operations they replace (tested against them).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def lookup(s: pd.Series, mapping: dict, default=np.nan, dtype="float64") -> np.ndarray:
    """``s.map(mapping)`` (missing keys → ``default``) computed once per distinct value."""
    codes, uniques = pd.factorize(s)
    per = np.array([mapping.get(u, default) for u in uniques] + [default], dtype=dtype)
    return per[codes]  # code -1 (missing value) picks the trailing default


def text_from_codes(codes: np.ndarray, labels) -> pd.Series:
    """A ``str`` Series with ``labels[codes[i]]`` in row *i* (built in Arrow, not row by row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    labels = pa.array([str(x) for x in labels], type=pa.large_string())
    idx = pa.array(np.asarray(codes, dtype="int64"))
    return pd.Series(pd.array(pc.take(labels, idx), dtype="str"), index=pd.RangeIndex(len(idx)))


def text_constant(value: str, n: int) -> pd.Series:
    """A ``str`` Series of ``n`` copies of ``value``."""
    return text_from_codes(np.zeros(n, dtype="int64"), [value])


def sorted_codes(s: pd.Series) -> np.ndarray:
    """Integer codes of ``s`` that sort as its values do (missing values last)."""
    codes, _ = pd.factorize(s, sort=True, use_na_sentinel=False)
    return codes


def group_codes(df: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Group number of every row (groups numbered in order of first appearance) and the first row
    of each group — what ``pd.MultiIndex.from_frame(df[by]).factorize()`` gives, without tuples.
    """
    combined = np.zeros(len(df), dtype="int64")
    span = 1
    for c in by:
        codes, uniques = pd.factorize(df[c], use_na_sentinel=False)
        span *= len(uniques) + 1
        if span >= 2 ** 62:  # too many combinations for one integer: let pandas do it
            codes, _ = pd.MultiIndex.from_frame(df[by]).factorize()
            break
        combined = combined * (len(uniques) + 1) + codes
    else:
        codes, _ = pd.factorize(combined)
    _, first = np.unique(codes, return_index=True)  # groups are numbered in order of first appearance
    return np.asarray(codes, dtype="int64"), first.astype("int64")


def differs_from_previous(s: pd.Series) -> np.ndarray:
    """``s[i] != s[i-1]`` for i ≥ 1 as a bool array of length ``len(s) - 1`` (missing values equal
    each other). Compared in Arrow / numpy, never element by element in Python."""
    if len(s) < 2:
        return np.zeros(0, dtype=bool)
    arrow = _arrow(s)
    if arrow is not None and arrow.null_count == 0:
        import pyarrow.compute as pc

        return pc.not_equal(arrow.slice(1), arrow.slice(0, len(s) - 1)).to_numpy(zero_copy_only=False)
    if s.dtype.kind in "iub":
        v = s.to_numpy()
        return v[1:] != v[:-1]
    codes, _ = pd.factorize(s, use_na_sentinel=False)
    return codes[1:] != codes[:-1]


def is_sorted(df: pd.DataFrame, by: list[str]) -> bool:
    """Whether ``df`` is sorted by the columns ``by`` (ascending, lexicographic), checked vectorised.

    False whenever it cannot tell cheaply (missing values, a column that is neither numbers nor
    Arrow text); the caller then sorts.
    """
    n = len(df)
    if n < 2:
        return True
    undecided = np.ones(n - 1, dtype=bool)  # pairs whose order the earlier columns left open
    for c in by:
        s = df[c]
        if s.dtype.kind in "iu":
            v = s.to_numpy()
            lt, gt = v[1:] < v[:-1], v[1:] > v[:-1]
        else:
            arrow = _arrow(s)
            if arrow is None or arrow.null_count:
                return False
            import pyarrow.compute as pc

            a, b = arrow.slice(1), arrow.slice(0, n - 1)
            lt = pc.less(a, b).to_numpy(zero_copy_only=False)
            gt = pc.greater(a, b).to_numpy(zero_copy_only=False)
        if (undecided & lt).any():
            return False
        undecided &= ~gt
    return True


def _arrow(s: pd.Series):
    """The Arrow array behind an Arrow-backed text column (one chunk), else None."""
    pa_arr = getattr(s.array, "_pa_array", None)
    if pa_arr is None:
        return None
    return pa_arr.combine_chunks() if hasattr(pa_arr, "combine_chunks") else pa_arr


_TUNED = False


def tune_memory() -> bool:
    """Keep freed memory in the process for reuse instead of returning every large block to the OS.

    A national panel allocates and frees many arrays of a few MB (numpy) and text buffers (Arrow).
    By default glibc serves each large array from fresh ``mmap`` pages and unmaps it when freed, and
    Arrow's mimalloc pool soon gives freed pages back as well, so the next array pays the page
    faults again — expensive in a VM (the assessment ran about twice as fast on the benchmark
    machine with this tuning). This raises glibc's mmap threshold to its maximum (32 MB) and its
    trim threshold, and makes Arrow allocate through the same (system) allocator. Results are
    unchanged; peak memory grows by a few percent; memory freed after the peak stays with the
    process. Called once, for large tables only; without glibc only the Arrow part applies.
    """
    global _TUNED
    if _TUNED:
        return True
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:  # noqa: BLE001 - tuning is optional
        pass
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = libc.mallopt(-3, 32 * 1024 * 1024) == 1  # M_MMAP_THRESHOLD
        ok &= libc.mallopt(-1, 512 * 1024 * 1024) == 1  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        return False
    _TUNED = bool(ok)
    return _TUNED


#: Columns are taken in parallel threads when a table has at least this many rows.
PARALLEL_ROWS = 200_000


def take_columns(frame: pd.DataFrame, idx: np.ndarray, columns=None) -> dict[str, pd.Series]:
    """``{c: frame[c].take(idx)}`` with a fresh 0..n-1 index, text columns taken in parallel.

    Arrow's take releases the GIL, so on large tables the text columns (the expensive ones) are
    taken by up to two threads while numbers are taken here. Same values and dtypes as
    ``frame[columns].take(idx)``.
    """
    cols = list(frame.columns if columns is None else columns)
    idx = np.asarray(idx, dtype="int64")
    n = len(idx)

    def one(c):
        return frame[c].take(idx).reset_index(drop=True)

    text = [c for c in cols if _arrow_backed(frame[c])]
    out = {}
    if n >= PARALLEL_ROWS and len(text) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {c: pool.submit(one, c) for c in text}
            rest = {c: one(c) for c in cols if c not in futures}
            got = {c: f.result() for c, f in futures.items()}
        got.update(rest)
        return {c: got[c] for c in cols}
    for c in cols:
        out[c] = one(c)
    return out


def _arrow_backed(s: pd.Series) -> bool:
    return getattr(s.array, "_pa_array", None) is not None
