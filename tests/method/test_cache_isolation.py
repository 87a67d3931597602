"""What balance.method.cache keeps is never handed out: a briefing that changes the table or the
assessment it was given (in a kept kernel, the one before the next) changes nothing the next one
gets. The reference is a fresh read / assessment of the same demo file (no golden numbers)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from balance.method import cache

DEMO = str(Path(__file__).resolve().parents[2] / "data" / "demo" / "schools.csv")
FRAMES = ("sections", "school_results", "excluded", "section_values", "county_indicators",
          "shortfalls", "county_shortfalls", "verdicts", "warnings")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _spoil_table(t):
    t.data["year"] = 0
    t.data.iloc[:3, 1] = None
    t.warnings.append("spoilt")
    t.header_map.clear()


def _spoil_assessment(a):
    for name in FRAMES:
        df = getattr(a, name)
        df["spoilt"] = 1
        if len(df):
            df.iloc[0, 0] = None
    a.header_map.clear()


def test_a_briefing_changing_its_table_does_not_change_the_next_ones():
    from balance.io.reading import load_school_table

    fresh = load_school_table(DEMO)
    _spoil_table(cache.school_table(DEMO))
    got = cache.school_table(DEMO)
    pd.testing.assert_frame_equal(got.data, fresh.data)
    assert got.warnings == fresh.warnings and got.header_map == fresh.header_map


@pytest.mark.parametrize("county", ["990101", "990102"])
def test_a_briefing_changing_its_assessment_does_not_change_the_next_ones(county):
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    fresh = assess(load_school_table(DEMO), "quality-2017", county=county)
    table = cache.school_table(DEMO)
    for code in ("990101", "990102"):  # every county's briefing before ours spoils what it got
        _spoil_assessment(cache.county_assessment(table, "quality-2017", code))
    got = cache.county_assessment(cache.school_table(DEMO), "quality-2017", county)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True),
                                      getattr(fresh, name).reset_index(drop=True), obj=name)
    assert got.header_map == fresh.header_map


def test_a_changed_county_sheet_does_not_reach_the_next_caller():
    """cache.county_sheet hands out copies: a briefing that edits its sheet's frame or warnings
    leaves the kept sheet as read (the kept-kernel leak the assessments were fixed for)."""
    from pathlib import Path

    from balance.method import cache

    sheet = Path(__file__).resolve().parents[2] / "data" / "demo" / "county_sheet.xlsx"
    cache.clear()
    first = cache.county_sheet(str(sheet))
    rows, warnings = len(first.data), len(first.warnings)
    codes = first.data["county_code"].tolist()
    first.data["county_code"] = "000000"  # edited in place, as a careless notebook cell would
    first.warnings.append("changed by a briefing")
    second = cache.county_sheet(str(sheet))
    assert second is not first
    assert len(second.data) == rows > 0 and second.data["county_code"].tolist() == codes
    assert len(second.warnings) == warnings
    cache.clear()
