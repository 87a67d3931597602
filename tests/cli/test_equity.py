"""``balance equity --groups``: the within-group table beside the unchanged county table."""
import pandas as pd
import pytest

from balance.analysis.equity import equity_table
from balance.cli import main
from balance.method.assessment import assess
from tests.tables import valid_table


@pytest.fixture()
def src(tmp_path):
    p = tmp_path / "schools.csv"
    valid_table().to_csv(p, index=False, encoding="utf-8-sig")
    return p


def _read(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"county_code": str}, keep_default_na=False,
                       na_values=[""])


def test_groups_writes_the_grouped_table_and_keeps_equity_csv(src, tmp_path, capsys):
    plain, grouped = tmp_path / "plain", tmp_path / "grouped"
    assert main(["equity", str(src), "--out", str(plain)]) == 0
    assert main(["equity", str(src), "--out", str(grouped), "--groups", "乡镇,ownership"]) == 0
    assert "equity_groups.csv" in capsys.readouterr().out
    assert sorted(p.name for p in grouped.iterdir()) == ["equity.csv", "equity_groups.csv"]
    # the county table is the same file with or without --groups (the contract is unchanged)
    assert (grouped / "equity.csv").read_bytes() == (plain / "equity.csv").read_bytes()
    g = _read(grouped / "equity_groups.csv")
    assert (grouped / "equity_groups.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert set(g["grouping"]) == {"township", "ownership"}
    # the same numbers as the library's equity_table(groups=...) on the same assessment
    lib = equity_table(assess(str(src), "quality-2017"), groups=["township", "ownership"])
    assert len(g) == len(lib)
    keys = ["year", "county_code", "stage", "indicator", "grouping", "group"]
    m = g.merge(lib.assign(year=lib["year"].astype(int)), on=keys, suffixes=("", "_lib"))
    assert len(m) == len(lib)
    pd.testing.assert_series_equal(m["cv"], m["cv_lib"], check_names=False, rtol=1e-12)
    # 长安区 has one 民办 school: its group is flagged, not shown as perfect equity
    one = g[(g["grouping"] == "ownership") & (g["group"] == "民办")]
    assert len(one) and one["single_school"].astype(str).str.lower().eq("true").all() and one["gini"].isna().all()


def test_groups_all_and_parquet(src, tmp_path):
    out = tmp_path / "o"
    assert main(["equity", str(src), "--out", str(out), "--groups", "all", "--format", "parquet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["equity.parquet", "equity_groups.parquet"]
    g = pd.read_parquet(out / "equity_groups.parquet")
    assert set(g["grouping"]) == {"township", "urban_rural", "ownership", "school_type"}


@pytest.mark.parametrize("value, named", [("乡镇,县长", "县长"), ("ownership，学区", "学区"), (",", ",")])
def test_unknown_group_column_is_refused_bilingually_before_writing(src, tmp_path, capsys, value, named):
    out = tmp_path / "o"
    assert main(["equity", str(src), "--out", str(out), "--groups", value]) == 2
    err = capsys.readouterr()
    text = err.out + err.err
    assert named in text and "--groups" in text
    assert "不支持的分组列" in text and "unknown group column" in text and "办学性质" in text
    assert not out.exists()
