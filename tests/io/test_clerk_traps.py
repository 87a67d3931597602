"""issue 12 traps caught at reading time (each failed on the code before the fix)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.reading import load_school_table

DEMO = Path(__file__).parents[2] / "data" / "demo" / "schools.csv"
YUAN = "教学仪器设备值(元)"


@pytest.fixture(scope="module")
def demo():
    return pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_wan_yuan_under_yuan_header_is_refused_naming_the_header(demo, tmp_path):
    """Trap 2: one county's equipment values typed in 万元 under the 元 header used to pass with
    warnings only (and give a wrong verdict)."""
    df = demo.copy()
    county = sorted(df["县区代码"].unique())[0]
    mask = df["县区代码"] == county
    df.loc[mask, YUAN] = (df.loc[mask, YUAN].astype(float) / 10000).round(2).astype(str)
    with pytest.raises(InputError) as ei:
        load_school_table(_write(df, tmp_path / "wan.csv"))
    errors = [p for p in ei.value.errors if p.code == "equipment_in_wan_yuan"]
    assert len(errors) == 1 and county in errors[0].problem_zh
    assert "教学仪器设备值(万元)" in errors[0].problem_zh and "教学仪器设备值(万元)" in errors[0].problem_en
    assert errors[0].column == YUAN


def test_wan_yuan_values_under_the_wan_yuan_header_pass(demo, tmp_path):
    df = demo.copy()
    df[YUAN] = (df[YUAN].astype(float) / 10000).astype(str)
    df = df.rename(columns={YUAN: "教学仪器设备值(万元)"})
    t = load_school_table(_write(df, tmp_path / "wan_header.csv"))
    ref = load_school_table(DEMO)
    assert (t.data["equipment_value"] - ref.data["equipment_value"]).abs().max() < 0.01


def test_one_small_value_stays_a_warning(demo, tmp_path):
    df = demo.copy()
    df.loc[df.index[0], YUAN] = "5"
    t = load_school_table(_write(df, tmp_path / "one.csv"))
    assert any(p.column == YUAN for p in t.warnings)


def test_totals_and_subtotal_rows_are_left_out_with_one_message(demo, tmp_path):
    """Trap 3: a 合计 row at the bottom used to give a dozen errors for one row."""
    df = demo.copy()
    total = {c: "" for c in df.columns}
    total.update({"学校名称": "全县合计", "小学在校生数": str(df["小学在校生数"].astype(int).sum())})
    sub = {c: "" for c in df.columns}
    sub.update({"年份": "小计", "小学在校生数": "100"})
    df = pd.concat([df, pd.DataFrame([sub, total])], ignore_index=True)
    t = load_school_table(_write(df, tmp_path / "totals.csv"))
    ref = load_school_table(DEMO)
    assert len(t.data) == len(ref.data)
    notes = [p for p in t.warnings if p.code == "totals_rows_left_out"]
    assert len(notes) == 1 and "2 行" in notes[0].problem_zh and str(len(demo) + 2) in notes[0].problem_zh
