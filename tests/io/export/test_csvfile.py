"""``write_csv`` writes the bytes of ``DataFrame.to_csv(index=False, encoding="utf-8-sig")``.

The reference is pandas itself, in the same run: every case writes the frame both ways and
compares the bytes. Cases that the fast (Arrow) path must handle are also checked to take it,
so a fast path that silently always fell back to ``to_csv`` would fail here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balance.io.export.csvfile import _arrow_text_table, _float_text, write_csv


def _same_bytes(df: pd.DataFrame, tmp_path) -> bytes:
    ours = write_csv(df, tmp_path / "ours.csv").read_bytes()
    df.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")
    ref = (tmp_path / "pandas.csv").read_bytes()
    assert ours == ref
    return ours


def _awkward_floats(n: int = 20_000) -> np.ndarray:
    """Floats of every magnitude (1e-30 … 1e30), whole numbers up to 1e19, and the edges where
    Python's repr and Arrow's text change notation."""
    rng = np.random.default_rng(16)
    spread = rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)
    whole = np.round(rng.standard_normal(n) * 10.0 ** rng.integers(0, 20, n))
    edges = [0.0, -0.0, 1e-4, 9.999e-5, -1e-4, 1e-5, 1e10, 9999999999.0, 9999999999.5, 1e15, 1e16,
             9999999999999998.0, 0.1, 1 / 3, 8.640000000000004, 5e-324, 1.7976931348623157e308,
             np.nan, np.inf, -np.inf, 30.0, -2.0]
    return np.concatenate([spread, whole, edges])


def test_floats_of_every_magnitude_are_written_as_python_repr(tmp_path):
    x = _awkward_floats()
    df = pd.DataFrame({"a": x, "b": x[::-1].copy(), "n": np.arange(len(x))})
    assert _arrow_text_table(df) is not None  # the fast path, not the fallback
    _same_bytes(df, tmp_path)


def test_float_text_equals_repr_value_by_value():
    x = _awkward_floats(2_000)
    got = _float_text(x).to_pylist()
    want = [None if np.isnan(v) else repr(float(v)) for v in x]
    assert got == want


def test_result_table_shapes_take_the_fast_path(tmp_path):
    """What the assessment writes: codes as text, Chinese names and headers, ints, floats with
    NaN, booleans already as true/false/"" text, missing text."""
    df = pd.DataFrame({
        "year": [2025, 2025, 2024],
        "county_code": pd.array(["900111", "900112", None], dtype="str"),
        "每百名学生拥有网络多媒体教室数": [2.5, np.nan, 3.0],
        "school_passed": np.array(["true", "false", ""], dtype=object),
        "cv_note": pd.array(["", None, "仅一所"], dtype="str"),
        "students": pd.array([1, None, 3], dtype="Int64").astype("float64"),
    })
    assert _arrow_text_table(df) is not None
    assert _same_bytes(df, tmp_path).startswith("\ufeffyear,county_code,".encode("utf-8"))


@pytest.mark.parametrize("text", ["小阳区,第1小学", 'the "best" school', "two\nlines", "cr\rhere", "=1+1"])
def test_text_that_needs_quoting_is_written_as_pandas_quotes_it(tmp_path, text):
    df = pd.DataFrame({"school_name": [text, "plain"], "value": [1.5, 2.0]})
    _same_bytes(df, tmp_path)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"only": [1.0, np.nan]}),                                     # one column: to_csv's "" rule
    pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)}),  # no rows
    pd.DataFrame({"mixed": [1, "a", None], "b": [1, 2, 3]}),                    # numbers and text in one column
    pd.DataFrame({"flag": [True, False, True], "b": [1, 2, 3]}),                # raw booleans
    pd.DataFrame({"when": pd.to_datetime(["2025-01-01", None]), "b": [1, 2]}),  # dates
    pd.DataFrame({"c": pd.Categorical(["x", "y"]), "b": [1, 2]}),              # categories
    pd.DataFrame({"列,名": [1, 2], 'he"ad': [3, 4]}),                           # headers that need quotes
])
def test_every_other_shape_gives_the_same_bytes(tmp_path, frame):
    _same_bytes(frame, tmp_path)


def test_batches_with_and_without_quoted_text_join_to_the_bytes_of_one_to_csv(tmp_path, monkeypatch):
    """Rows are written in batches; a batch whose text needs quoting goes through to_csv, the others
    through Arrow, and together they are the bytes of one to_csv call."""
    from balance.io.export import csvfile

    monkeypatch.setattr(csvfile, "BATCH_ROWS", 7)
    n = 50
    names = [f"学校{i}" for i in range(n)]
    names[23] = "小阳区,第1小学"
    df = pd.DataFrame({"school_name": names, "value": np.linspace(0, 5, n), "rank": np.arange(n)})
    _same_bytes(df, tmp_path)
    assert _arrow_text_table(df.iloc[:7]) is not None and _arrow_text_table(df.iloc[21:28]) is None


@pytest.mark.parametrize("dtype", ["Int64", "boolean", "Float64"])
def test_nullable_columns_are_left_to_to_csv(tmp_path, dtype):
    df = pd.DataFrame({"a": pd.array([1, None, 0], dtype=dtype), "b": ["x", "y", "z"]})
    _same_bytes(df, tmp_path)
