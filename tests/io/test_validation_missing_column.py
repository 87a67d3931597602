"""A refused table shows its warnings (they were only counted), and a missing required stage
column is one error, not also a warning on every school of that stage ("no pupils")."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from balance.cli import main
from balance.errors import InputError
from balance.io.reading import load_school_table

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "schools.csv"


def _demo() -> pd.DataFrame:
    return pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _problems(df: pd.DataFrame, tmp_path) -> list:
    p = tmp_path / "学校.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    with pytest.raises(InputError) as e:
        load_school_table(p)
    return e.value.problems


def test_a_missing_student_column_is_one_error_without_spurious_row_warnings(tmp_path):
    df = _demo()
    primary_only = int(((df["小学在校生数"].astype(int) > 0) & (df["初中在校生数"].astype(int) == 0)
                        & (df["高中在校生数"].astype(int) == 0)).sum())
    assert primary_only > 10  # without the column, these rows summed to 0 pupils: the test can fail
    problems = _problems(df.drop(columns=["小学在校生数"]), tmp_path)
    assert [p for p in problems if p.severity == "error" and "小学在校生数" in f"{p.column}{p.problem_zh}"]
    full = {(w.code, w.row, w.column) for w in load_school_table(DEMO).warnings}
    spurious = [p for p in problems if p.severity == "warning" and (p.code, p.row, p.column) not in full]
    assert spurious == [], spurious[:3]


def test_the_full_table_still_warns_of_a_school_without_pupils(tmp_path):
    df = _demo()
    i = df.index[0]
    for c in ("小学在校生数", "初中在校生数", "高中在校生数"):
        df.loc[i, c] = "0"
    df.loc[df.index[1], "县区代码"] = "abc"  # an error, so the table is refused with its warnings
    problems = _problems(df, tmp_path)
    assert [p for p in problems if p.code == "no_pupils" and p.row == 2]


def test_a_refused_table_shows_its_warnings_not_only_their_number(tmp_path, capsys):
    df = _demo()
    i = df.index[0]
    for c in ("小学在校生数", "初中在校生数", "高中在校生数"):
        df.loc[i, c] = "0"
    df.loc[df.index[1], "县区代码"] = "abc"
    p = tmp_path / "学校.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    name = df.loc[i, "学校名称"]
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    errors, _, warnings = err.partition("数据提示")
    assert "abc" in errors
    assert name in warnings and "学校名称" in warnings  # the warning itself: its school and column
    assert "no result files were written" in err
