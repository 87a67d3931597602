"""issue 12, the researcher's side: one rule for county codes, a short repr, an HTML repr."""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.errors import InputError
from balance.method.assessment import assess

DEMO = Path(__file__).parents[2] / "data" / "demo" / "schools.csv"


@pytest.fixture(scope="module")
def a():
    return assess(DEMO, "quality-2017", year=2025)


def test_int_code_is_normalised_like_text(a):
    code = sorted(a.verdicts["county_code"].unique())[0]
    by_int, by_text = a.county(int(code)), a.county(f" {code} ")
    assert len(by_int.verdicts) == 1 and by_int.verdicts.equals(by_text.verdicts)
    assert len(by_int.county_indicators) > 0
    assert len(assess(DEMO, "quality-2017", year=2025, county=int(code)).verdicts) == 1


def test_unknown_code_raises_listing_known_ones(a):
    known = sorted(a.verdicts["county_code"].unique())
    with pytest.raises(InputError) as ei:
        a.county("999999")
    assert all(k in ei.value.errors[0].problem_en for k in known)
    with pytest.raises(InputError):
        a.county(known[0], 1999)


def test_repr_is_one_short_line_and_html_escapes(a):
    r = repr(a)
    assert "\n" not in r and len(r) < 200 and "quality-2017" in r
    assert r.startswith("Assessment(") and f"/{len(a.verdicts)} passing" in r
    h = a._repr_html_()
    assert h.startswith("<table>") and len(h) < 2000


def test_several_counties_at_once_as_the_command_line_allows(a):
    # a researcher comparing two demo counties: assess(county=[...]) as `--county 990101 990102`
    two = assess(DEMO, "quality-2017", year=2025, county=["990101", 990102])
    assert sorted(two.verdicts["county_code"]) == ["990101", "990102"]
    both = a.verdicts[a.verdicts["county_code"].isin(["990101", "990102"])].reset_index(drop=True)
    assert two.verdicts["passed"].tolist() == both.sort_values("county_code")["passed"].tolist()


def test_every_absent_county_of_a_list_is_named_once():
    with pytest.raises(InputError) as ei:
        assess(DEMO, "quality-2017", year=2025, county=["990101", "999998", "999999", "999999"])
    values = [p.value for p in ei.value.problems]
    assert values == ["999998", "999999"]
    assert "990101" not in values and "999999" in str(ei.value)
