"""One home for "is this year / county in the data": balance.errors.require_present.

The same check used to be written in three places (assess, the params loader, the briefings) with
three texts; these tests pin the one text and that every caller uses it."""
import pytest

from balance.errors import KNOWN_SHOWN, InputError, not_in_data, require_present


def test_lists_what_is_present_and_names_the_kind():
    with pytest.raises(InputError) as e:
        require_present("t.csv", year=2031, years=[2024, 2023], county="999999", counties=["130102"])
    by_code = {p.code: p for p in e.value.problems}
    assert by_code["year_not_in_data"].problem_zh == "数据中没有 2031 年（已有：2023, 2024）"
    assert by_code["year_not_in_data"].problem_en == "year 2031 is not in the data (present: 2023, 2024)"
    assert by_code["county_not_in_data"].problem_zh == "数据中没有县区代码 999999（已有：130102）"
    assert {p.file for p in e.value.problems} == {"t.csv"}


def test_nothing_asked_nothing_raised():
    require_present("t.csv", years=[], counties=[])
    require_present("t.csv", year=2024, years=[2024], county="1", counties=["1"], previous_year=2024)


def test_previous_year_and_column_names():
    with pytest.raises(InputError) as e:
        require_present("p.yaml", year=2024, years=[2024], previous_year=2020, columns={"previous_year": "previous_year"})
    (p,) = e.value.problems
    assert p.column == "previous_year" and "对比年份 2020" in p.problem_zh


def test_long_lists_are_cut_with_a_count():
    known = [f"{i:06d}" for i in range(KNOWN_SHOWN + 5)]
    p = not_in_data("t.csv", "county", "x", known)
    assert f"共 {KNOWN_SHOWN + 5} 个" in p.problem_zh and known[KNOWN_SHOWN] not in p.problem_zh


def test_assess_and_county_use_the_one_text(tmp_path):
    from balance import demo_data
    from balance.method.assessment import assess

    with pytest.raises(InputError) as e:
        assess(demo_data(), year=1999)
    assert e.value.problems[0].problem_zh.startswith("数据中没有 1999 年（已有：")
    a = assess(demo_data())
    with pytest.raises(InputError) as e:
        a.county("000000")
    assert e.value.problems[0].problem_zh.startswith("数据中没有县区代码 000000（已有：")
