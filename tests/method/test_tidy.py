"""Tidy frames for researchers (issue 12): long-form verdicts and one meaning per column name."""
import pandas as pd
import pytest

import balance
from balance.method.assessment import assess


@pytest.fixture(scope="module", params=["quality-2017", "basic-2012"])
def a(request):
    return assess(balance.demo_data(), request.param)


def test_verdicts_long_sums_back_to_the_wide_contract_table(a):
    long = a.verdicts_long()
    assert {"stage", "sections", "sections_passed", "cvs_decisive", "cvs_passed", "passed"} <= set(long.columns)
    assert not any(c.startswith("sections_") and c != "sections_passed" for c in long.columns)
    tot = long.groupby(["year", "county_code"])[["sections", "cvs_decisive", "cvs_passed"]].sum()
    wide = a.verdicts.set_index(["year", "county_code"])
    for c in ("sections", "cvs_decisive", "cvs_passed"):
        assert tot[c].to_dict() == wide[c].astype(int).to_dict(), c
    for st in a.standard.stages:
        col = f"sections_passed_{st}"
        if col in wide:
            got = long[long["stage"] == st].set_index(["year", "county_code"])["sections_passed"]
            assert got.astype(int).to_dict() == wide.loc[got.index, col].astype(int).to_dict()
    assert (long.merge(a.verdicts[["year", "county_code", "passed"]], on=["year", "county_code"])
            .pipe(lambda d: (d["passed_x"] == d["passed_y"]).all()))


def test_failing_items_one_row_per_item(a):
    items = a.failing_items()
    n = a.verdicts["failing_items"].map(len)
    assert len(items) == int(n.sum())
    if len(items):
        first = a.verdicts.loc[n.idxmax()]
        mine = items[(items["year"] == first["year"]) & (items["county_code"] == first["county_code"])]
        assert mine["item"].tolist() == list(first["failing_items"])
        assert mine["item_no"].tolist() == list(range(1, len(mine) + 1))


def test_threshold_names_the_standard_value_and_standard_stays_its_alias(a):
    for name in ("section_values", "county_indicators", "shortfalls"):
        df = getattr(a, name)
        assert "threshold" in df and "standard" in df, name
        pd.testing.assert_series_equal(df["threshold"], df["standard"], check_names=False)
    assert a.verdicts["standard_id"].eq(a.standard.id).all()  # the standard's id has its own name


def test_workbook_shows_the_threshold_once(a, tmp_path):
    from openpyxl import load_workbook

    from balance.io.export.assessment import write_workbook

    write_workbook(a, tmp_path / "a.xlsx")
    wb = load_workbook(tmp_path / "a.xlsx", read_only=True)
    for ws in wb.worksheets:
        header = [c for c in next(ws.iter_rows(max_row=1, values_only=True), ()) if c is not None]
        assert "threshold" not in header, ws.title
        assert header.count("标准值") <= 1, ws.title
