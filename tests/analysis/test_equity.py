"""Equity table: the official CV agrees, decomposition present, urban/rural gap hand-computed."""
import numpy as np
import pandas as pd
import pytest

from balance.method.assessment import assess_schools
from balance.analysis.equity import equity_table
from balance.method.standards import load_standard
from tests.factories import primary, table

Q = load_standard("quality-2017")


@pytest.fixture()
def a():
    # equipment: 城区 two schools 100 pupils × 3000 and 300 × 2000; 乡村 one school 200 × 1500
    return assess_schools(table(
        primary("1", 100, equipment=300_000.0, urban_rural="城区", township="城关镇"),
        primary("2", 300, equipment=600_000.0, urban_rural="城区", township="城关镇"),
        primary("3", 200, equipment=300_000.0, urban_rural="乡村", township="河口乡"),
    ), Q)


def test_cv_matches_official(a):
    eq = equity_table(a)
    ci = a.county_indicators.set_index(["stage", "indicator"])
    for r in eq.itertuples():
        assert r.cv == pytest.approx(ci.loc[(r.stage, r.indicator), "cv"], rel=1e-12, abs=1e-15)


def test_gap_ratio_and_decomposition(a):
    eq = equity_table(a).set_index("indicator")
    r = eq.loc["生均教学仪器设备值"]
    # urban mean = (300000 + 600000)/400 = 2250 元; rural = 300000/200 = 1500; ratio 1.5
    assert r.urban_mean == pytest.approx(2250.0) and r.rural_mean == pytest.approx(1500.0)
    assert r.urban_rural_ratio == pytest.approx(1.5)
    assert r.theil_t_between + r.theil_t_within == pytest.approx(r.theil_t, rel=1e-12)
    assert 0 < r.theil_t_between_share < 1


def test_by_township_and_unknown_grouping(a):
    eq = equity_table(a, by="乡镇")
    assert "theil_t_between" in eq.columns
    with pytest.raises(ValueError):
        equity_table(a, by="学校类型")


def test_equity_cli_writes_one_complete_file(tmp_path):
    from balance.cli import main
    from tests.tables import valid_table

    src = tmp_path / "schools.csv"
    valid_table().to_csv(src, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    assert main(["equity", str(src), "--out", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["equity.csv"]  # no temporary file or folder left
    assert (out / "equity.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    eq = pd.read_csv(out / "equity.csv", encoding="utf-8-sig")
    assert {"cv", "gini", "theil_t_between_share", "urban_rural_ratio"} <= set(eq.columns)
    assert main(["equity", str(src), "--out", str(out), "--format", "parquet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["equity.csv", "equity.parquet"]


def test_every_measure_within_each_group_in_one_tidy_frame(a):
    import math

    from balance.analysis.inequality import MEASURES, weighted_cv

    eq = equity_table(a, groups=["乡镇", "urban_rural", "ownership", "school_type"])
    assert {"grouping", "group", "single_school", "notes", *MEASURES} <= set(eq.columns)
    assert set(eq["grouping"]) == {"township", "urban_rural", "ownership", "school_type"}
    r = eq[(eq["grouping"] == "township") & (eq["group"] == "城关镇") & (eq["indicator"] == "生均教学仪器设备值")].iloc[0]
    # 城关镇: x = (3000, 2000) 元 per pupil, P = (100, 300): mean = 900000/400 = 2250;
    # S² = (100·750² + 300·250²)/400 = 187500; CV = √187500/2250 = 0.19245…
    assert r.n == 2 and not r.single_school
    assert r["mean"] == pytest.approx(2250.0) and r.cv == pytest.approx(math.sqrt(187500) / 2250, rel=1e-12)
    assert r.cv == pytest.approx(weighted_cv([3000, 2000], [100, 300]), rel=1e-12)
    # 河口乡 has one school: flagged, every measure NaN, never 0
    one = eq[(eq["grouping"] == "township") & (eq["group"] == "河口乡")]
    assert len(one) and one["single_school"].all() and one[list(MEASURES)].isna().all().all()
    assert one["notes"].str.contains("one school only").all()
    # the same rows as asking for one grouping alone; "all" names the four
    alone = equity_table(a, groups="township")
    pd.testing.assert_frame_equal(alone, eq[eq["grouping"] == "township"].reset_index(drop=True))
    assert set(equity_table(a, groups="all")["grouping"]) == set(eq["grouping"])
    with pytest.raises(ValueError, match="unsupported grouping"):
        equity_table(a, groups=["county"])
