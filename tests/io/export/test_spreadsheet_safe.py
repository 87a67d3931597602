"""``balance.io.export.csvfile.spreadsheet_safe``: the CSV-injection escape (OWASP) for CSVs that
carry text nothing upstream has validated."""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.io.export.csvfile import spreadsheet_safe


def test_formula_text_gets_an_apostrophe_and_numbers_and_words_do_not():
    df = pd.DataFrame({"raw": ["=1+1", "+86 138", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "\tx", "\t5",
                               "-5", "+3.5", "1e3", "长安小学", "-待定", None, np.nan],
                       "n": [1.0] * 13})
    out = spreadsheet_safe(df)
    assert out["raw"].tolist()[:6] == ["'=1+1", "'+86 138", "'@SUM(A1)", "'-2+3+cmd|' /C calc'!A0", "'\tx", "'\t5"]
    assert out["raw"].tolist()[6:11] == ["-5", "+3.5", "1e3", "长安小学", "'-待定"]
    assert out["raw"].iloc[11:].isna().all()  # missing stays missing (an empty CSV field)
    assert out["n"].equals(df["n"])
    assert df["raw"].iloc[0] == "=1+1"  # the caller's frame is not modified


def test_a_frame_without_risky_text_is_returned_as_it_is():
    df = pd.DataFrame({"a": ["x", "-1"], "b": [1, 2]})
    assert spreadsheet_safe(df) is df
