"""The command line as a bureau clerk uses it: exit codes, messages, files written or not."""
import json

import pandas as pd
import pytest

from balance.cli import main
from tests.tables import valid_table


@pytest.fixture()
def csv_input(tmp_path):
    p = tmp_path / "学校数据.csv"
    valid_table().to_csv(p, index=False, encoding="utf-8-sig")
    return p


def test_assess_csv_writes_contract_files(csv_input, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["assess", str(csv_input), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "结果已写入" in printed and "results written" in printed
    for name in ["county_indicators.csv", "school_results.csv", "excluded_sections.csv", "shortfalls.csv",
                 "summary.json", "results.xlsx"]:
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["standard"] == "quality-2017" and summary["counties"]


def test_assess_excel_equals_csv(csv_input, tmp_path):
    xlsx = tmp_path / "学校数据.xlsx"
    valid_table().to_excel(xlsx, index=False)
    assert main(["assess", str(csv_input), "--out", str(tmp_path / "a")]) == 0
    assert main(["assess", str(xlsx), "--out", str(tmp_path / "b")]) == 0
    a = pd.read_csv(tmp_path / "a" / "county_indicators.csv", encoding="utf-8-sig")
    b = pd.read_csv(tmp_path / "b" / "county_indicators.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(a, b)


def test_basic_2012_and_filters(csv_input, tmp_path):
    out = tmp_path / "basic"
    t = valid_table()
    year, county = int(t["年份"].iloc[0]), str(t["县区代码"].iloc[0])
    assert main(["assess", str(csv_input), "--out", str(out), "--standard", "basic-2012",
                 "--year", str(year), "--county", county]) == 0
    ci = pd.read_csv(out / "county_indicators.csv", encoding="utf-8-sig", dtype={"county_code": str})
    assert set(ci["year"]) == {year} and set(ci["county_code"]) == {county}
    assert "综合差异系数" in set(ci["indicator"])


def test_bad_table_exits_2_and_writes_nothing(tmp_path, capsys):
    t = valid_table().astype(str)
    t.loc[0, "小学在校生数"] = "很多"
    t.loc[1, "县区代码"] = "1101"
    p = tmp_path / "bad.csv"
    t.to_csv(p, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    assert main(["assess", str(p), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "小学在校生数" in err and "很多" in err and "县区代码" in err
    assert "no result files were written" in err
    assert not out.exists() or not any(out.iterdir())


def test_year_not_in_data(csv_input, tmp_path, capsys):
    assert main(["assess", str(csv_input), "--out", str(tmp_path / "o"), "--year", "1999"]) == 2
    assert "1999" in capsys.readouterr().err


def test_unknown_standard_file(csv_input, tmp_path, capsys):
    assert main(["assess", str(csv_input), "--out", str(tmp_path / "o"), "--standard", "no-such.yaml"]) == 2
    assert "standard not found" in capsys.readouterr().err


def test_validate_ok_and_input_untouched(csv_input, capsys):
    before = csv_input.read_bytes()
    assert main(["validate", str(csv_input)]) == 0
    assert "validation passed" in capsys.readouterr().out
    assert csv_input.read_bytes() == before
