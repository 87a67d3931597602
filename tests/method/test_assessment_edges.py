"""Edges of ``balance.method.assessment`` that the round-5 mutation run (mutmut, issue 10,
docs/mutation/round5-method.md) showed no test was watching: the summary rows and notebook table,
``Assessment.county`` (what it selects, what it carries over, how it refuses), the lazy
``section_values``, ``normalize_code`` and the parts of ``assess_schools`` that shape the result
tables. Each test names the mutants it kills; each was checked to fail on them."""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.export.assessment import summary_records
from balance.method.assessment import (
    SECTION_VALUE_COLUMNS,
    Assessment,
    assess,
    assess_schools,
    normalize_code,
    section_values_of,
)
from balance.method.indicators import standard_values
from balance.method.standards import load_standard
from tests.factories import primary, school, table

DEMO = Path(__file__).parents[2] / "data" / "demo" / "schools.csv"
FILTER = ("筛选条件与数据不符", "filter does not match the data")
TABLES = ("sections", "school_results", "excluded", "county_indicators", "shortfalls", "county_shortfalls", "verdicts")


@pytest.fixture(scope="module")
def demo():
    return assess(DEMO, "quality-2017")


def _hand(verdicts):
    e = pd.DataFrame()
    return Assessment(load_standard("quality-2017"), "<hand>", None, e, e, e, e, e, e, e, verdicts, e)


def test_the_summary_rows_and_the_notebook_table_name_every_figure(demo):
    """The seven rows in order, with the source, the sections in scope and the warnings counted
    (kills the row-label mutants ``"XXstandardXX"`` / ``"STANDARD"`` … ``"WARNINGS"`` and the
    values ``str(None)``); the HTML table is exactly those rows (kills ``body = None`` and the
    ``"XXXX"`` join)."""
    rows = demo._summary()[1]
    assert [k for k, _ in rows] == ["standard", "source", "counties", "years", "county-years passing",
                                    "sections in scope", "warnings"]
    d = dict(rows)
    assert (d["source"], d["sections in scope"], d["warnings"]) == (
        str(DEMO), str(len(demo.school_results)), str(len(demo.warnings)))
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                   f"{html.escape(v)}</td></tr>" for k, v in rows)
    assert demo._repr_html_() == f"<table><caption>Assessment</caption>{body}</table>"


def test_two_years_are_shown_as_a_span():
    """Two years print as 2024–2025, not as the first year alone (kills ``len(years) > 1`` →
    ``> 2``)."""
    a = _hand(pd.DataFrame({"year": [2024, 2025], "county_code": ["1", "1"], "passed": [True, False]}))
    assert repr(a) == "Assessment(quality-2017, 1 counties, years 2024–2025, 1/2 passing)"


def test_normalize_code_of_a_bool_and_of_a_whole_float():
    """A bool is its text, a whole float is six digits (kills ``str(None)`` and ``int(None)``)."""
    assert normalize_code(True) == "True"
    assert normalize_code(130102.0) == "130102" and normalize_code(12.0) == "000012"


def test_an_unknown_county_is_one_problem_naming_source_and_code(demo):
    """Kills the summary mutants of ``county``'s first refusal and ``_unknown_county(None, …)`` /
    ``(…, None, …)`` in both places."""
    with pytest.raises(InputError) as ei:
        demo.county("999999")
    e = ei.value
    assert (e.summary_zh, e.summary_en) == FILTER
    [p] = e.errors
    assert (p.file, p.value, p.code) == (str(DEMO), "999999", "county_not_in_data")


def test_an_absent_year_is_one_problem_listing_that_countys_years(demo):
    """Kills every mutant of the ``year_not_in_data`` problem (file, column, value, code, texts,
    joins) and of its summary; the years listed are the county's own (kills ``== county_code`` →
    ``!=``: the other counties have 2021)."""
    code = demo.verdicts.county_code.iloc[0]
    with pytest.raises(InputError) as ei:
        demo.county(code, 1999)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == FILTER
    assert [(p.file, p.column, p.value, p.code, p.problem_zh, p.problem_en) for p in e.errors] == [
        (str(DEMO), "年份", "1999", "year_not_in_data", f"县区 {code} 没有 1999 年的数据（已有：2021, 2022, 2023, 2024, 2025）",
         f"county {code} has no data for 1999 (present: 2021, 2022, 2023, 2024, 2025)")]
    v = demo.verdicts
    a = _hand(v[(v.county_code != code) | (v.year >= 2024)].reset_index(drop=True))
    with pytest.raises(InputError) as ei:
        a.county(code, 2021)
    assert ei.value.errors[0].problem_en.endswith("(present: 2024, 2025)")


def test_an_assessment_without_verdict_columns_knows_no_county():
    """Kills ``"county_code" in self.verdicts or True`` (a KeyError instead of the refusal)."""
    with pytest.raises(InputError) as ei:
        _hand(pd.DataFrame()).county("1")
    assert ei.value.errors[0].code == "county_not_in_data"


def test_county_and_year_select_exactly_their_rows_and_carry_the_rest(demo):
    """Every table holds that county-year's rows only, same columns, a fresh RangeIndex; the
    standard, source, checksum, warnings, header map and school table are carried over (kills
    ``year = None``, the ``"year" in df`` / ``m &= df["year"] == year`` mutants, ``reset_index
    (drop=None / False)``, ``Assessment(None, …)``, source / sha256 / warnings / header_map →
    ``None`` or shifted, and the ``_schools`` mutants)."""
    code = demo.verdicts.county_code.iloc[1]
    one = demo.county(code, 2023)
    for n in TABLES:
        full, got = getattr(demo, n), getattr(one, n)
        want = full[(full.county_code == code) & (full.year == 2023)]
        assert len(want) and list(got.columns) == list(full.columns), n
        assert isinstance(got.index, pd.RangeIndex) and len(got) == len(want), n
        assert set(got.county_code) == {code} and set(got.year) == {2023}, n
    assert one.standard is demo.standard and one.source == demo.source and one.sha256 == demo.sha256
    assert one.warnings is demo.warnings and one.header_map == demo.header_map and len(demo.header_map)
    s = demo.schools
    assert one.schools is not None and len(one.schools) == ((s.county_code == code) & (s.year == 2023)).sum()
    assert set(one.schools.county_code) == {code}


def test_section_values_are_built_once_on_first_use_and_county_keeps_them_lazy_or_built():
    """The long table is built from ``school_results`` when first read, then kept under
    ``_section_values`` (kills the ``__set_name__`` slot mutants and every ``__get__`` mutant:
    ``obj is not None``, ``value = None`` / ``get(None)``, ``is not None``, the
    ``section_values_of`` arguments, storing ``None``); the class attribute refuses with its name.
    ``county`` of a lazy assessment stays lazy, of a built one carries the selected rows (kills
    ``built = None`` / ``get(None)`` / renamed keys, ``and False``, renamed ``"section_values"``,
    ``built is not None``)."""
    a = assess(DEMO, "quality-2017", year=2025)
    code = a.verdicts.county_code.iloc[0]
    assert a.__dict__.get("_section_values") is None
    assert a.county(code).__dict__.get("_section_values") is None
    sv = a.section_values
    pd.testing.assert_frame_equal(sv, section_values_of(a.school_results, a.standard))
    assert len(sv) and a.section_values is sv and a.__dict__["_section_values"] is sv
    one = a.county(code)
    got = one.__dict__.get("_section_values")
    assert got is not None and set(got.county_code) == {code} and len(got) == (sv.county_code == code).sum()
    with pytest.raises(AttributeError, match="^section_values$"):
        Assessment.section_values


def test_result_tables_have_their_contract_columns_and_keep_out_of_scope_sections_apart(demo):
    """With sections out of scope, ``school_results`` has exactly its contract columns (kills
    ``take_columns(…, None)`` / no columns) and ``excluded`` the out-of-scope sections only, with
    a fresh index (kills ``loc[in_scope, …]`` and ``reset_index(drop=None / False)``)."""
    assert len(demo.excluded) > 0
    ident = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "ownership",
             "urban_rural", "township", "stage", "students"]
    assert list(demo.school_results.columns) == ident + demo.standard.indicator_names + [
        "indicators_met", "min_ratio", "school_passed"]
    assert list(demo.excluded.columns) == ident + ["exclusion_reason"]
    assert isinstance(demo.excluded.index, pd.RangeIndex)
    assert len(demo.excluded) == (~demo.sections.in_scope).sum() and demo.excluded.exclusion_reason.str.len().min() > 0


def test_a_stage_whose_sections_are_all_out_of_scope_is_named_in_the_verdict():
    """A county whose only junior section is a special school's: the verdict says its junior CVs
    cannot be computed (kills ``county_verdicts(…, sections=None)``, which cannot see that stage)."""
    t = table(primary("1", 200, qualified=6), primary("2", 300),
              school("3", school_type="特殊教育学校", junior_students=30, junior_teachers=5, junior_qualified_teachers=5))
    a = assess_schools(t, load_standard())
    [items] = a.verdicts.failing_items
    assert "初中学段单位均未纳入评估，初中差异系数无法计算，不能判定达标" in items
    assert a.source == "<DataFrame>"  # the default source (kills "XX<DataFrame>XX", "<dataframe>", "<DATAFRAME>")


def test_a_bad_pupil_count_names_the_source_given():
    """``assess_schools`` refuses a negative pupil count naming the source it was given (kills
    ``_check_pupils(schools, std, None)``)."""
    t = table(primary("1", 200), primary("2", 300))
    t.loc[1, "primary_students"] = -5
    with pytest.raises(InputError) as ei:
        assess_schools(t, load_standard(), source="schools.parquet")
    assert [(p.file, p.code) for p in ei.value.errors] == [("schools.parquet", "pupils_invalid")]


def test_the_verdicts_are_in_year_and_county_order_whatever_the_row_order(demo):
    """Rows given in reverse order give the same verdict table (the group-by that names the
    counties sorts: ``sort=True`` → ``None`` / ``False`` / dropped)."""
    s = demo.schools
    rev = assess_schools(s.iloc[::-1].reset_index(drop=True), demo.standard)
    pd.testing.assert_frame_equal(rev.verdicts, demo.verdicts)


# --- round 6 (docs/mutation/round6-method-rest.md): the long table, the year filter, summary()

LONG_COLUMNS = ["indicator", "value", "standard", "threshold", "ratio", "met"]


def test_the_long_table_is_one_row_per_section_and_indicator_indicator_major():
    """Two primary schools, one below the qualified-teacher standard: every indicator's rows in
    turn, with the section's value, the stage's standard value (under both names), their ratio and
    whether it is met (kills the ``indicator`` / ``value`` / ``ratio`` / ``met`` column mutants:
    ``None``, renamed, ``pd.Series(None / no data)``, ``np.repeat(None, …)``, ``value *
    standard``, ``at_least(None, …)`` / ``(…, None)``)."""
    std = load_standard()
    a = assess_schools(table(primary("1", 200, qualified=6), primary("2", 300)), std)
    sr, names = a.school_results, std.indicator_names
    sv = section_values_of(sr, std)
    assert list(sv.columns) == SECTION_VALUE_COLUMNS + LONG_COLUMNS
    assert isinstance(sv.index, pd.RangeIndex) and len(sv) == 2 * len(names)
    assert sv.indicator.tolist() == [n for n in names for _ in range(2)]
    assert sv.school_code.tolist() == sr.school_code.tolist() * len(names)
    stds = standard_values(sr, std)
    want_v = [float(sr[c].iat[i]) for c in names for i in range(2)]
    want_s = [float(stds[c].iat[i]) for c in names for i in range(2)]
    assert sv.value.tolist() == want_v
    assert sv.standard.tolist() == want_s and sv.threshold.tolist() == want_s
    assert sv.ratio.tolist() == pytest.approx([v / s for v, s in zip(want_v, want_s)])
    assert str(sv.met.dtype) == "boolean"
    assert sv.met.tolist() == [v >= s for v, s in zip(want_v, want_s)]
    assert sv.met.tolist()[:2] == [False, True]  # 3.0 < 4.2 qualified teachers per 100 pupils at school 1


def test_the_long_table_leaves_met_unknown_where_the_stage_has_no_standard_value():
    """basic-2012 sets no standard values, only CV limits: ``threshold`` is NaN and ``met`` NA,
    never False."""
    std = load_standard("basic-2012")
    sv = assess_schools(table(primary("1", 200), primary("2", 300)), std).section_values
    assert len(sv) == 2 * len(std.indicator_names) and sv.threshold.isna().all()
    assert str(sv.met.dtype) == "boolean" and sv.met.isna().all()


def test_no_section_in_scope_gives_an_empty_long_table_with_its_columns():
    """A county of one special school has no section in scope: the long table is empty with every
    column (kills ``np.zeros(0)`` → ``np.zeros(1)`` / ``np.zeros(None)`` for values and standards,
    which raise)."""
    t = table(school("3", school_type="特殊教育学校", junior_students=30, junior_teachers=5, junior_qualified_teachers=5))
    a = assess_schools(t, load_standard())
    assert a.school_results.empty
    sv = a.section_values
    assert sv.empty and list(sv.columns) == SECTION_VALUE_COLUMNS + LONG_COLUMNS


def test_a_year_not_in_the_file_is_refused_naming_the_file_under_the_filter_summary():
    """``assess(…, year=1999)`` without a county: one problem naming the file, under the filter
    summary (kills ``require_present(None, …)``, the summary dropped and its texts renamed)."""
    with pytest.raises(InputError) as ei:
        assess(DEMO, "quality-2017", year=1999)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == FILTER
    assert [(p.file, p.value, p.code) for p in e.errors] == [(str(DEMO), "1999", "year_not_in_data")]


def test_summary_is_the_summary_json_body(demo):
    """``Assessment.summary()`` gives the per county × year records of ``summary.json`` (no test
    called it: kills ``summary_records(None)``)."""
    recs = demo.summary()
    assert recs == summary_records(demo)
    assert len(recs) == len(demo.verdicts)


def test_an_unknown_year_and_county_are_both_named_with_the_file(demo):
    """``assess(…, year=1999, county=…)``: the year and the county, each naming the file, under the
    filter summary (kills the year problem's mutants — ``and False``, ``not_in_data(None / …)``,
    its arguments dropped or renamed, ``year is None`` — ``problems =`` instead of ``+=``, the
    county's ``not_in_data(None, …)``, ``_filter(…, None)`` and every mutant of the summary)."""
    with pytest.raises(InputError) as ei:
        assess(DEMO, "quality-2017", year=1999, county="999999")
    e = ei.value
    assert (e.summary_zh, e.summary_en) == FILTER
    assert [(p.file, p.value, p.code) for p in e.errors] == [
        (str(DEMO), "1999", "year_not_in_data"), (str(DEMO), "999999", "county_not_in_data")]


def test_assess_carries_the_files_checksum_warnings_and_headers_and_applies_a_scenario(demo):
    """The checksum and the header map of the file reach the result (kills ``sha256=None`` /
    dropped, ``header_map=None`` / dropped; the demo file has no reading warnings, so the
    ``warnings`` mutants are not killed here); a scenario is applied and named in ``source`` (kills
    ``table = None``, ``apply_to_table(None, …)`` / ``(…, None)`` / one argument)."""
    import hashlib

    from balance.errors import problems_frame
    from balance.io.reading import load_school_table

    t = load_school_table(DEMO)
    assert demo.sha256 == hashlib.sha256(DEMO.read_bytes()).hexdigest() == t.sha256
    pd.testing.assert_frame_equal(demo.warnings, problems_frame(t.warnings))
    assert demo.header_map == t.header_map and len(demo.header_map)
    code = demo.schools.school_code.iloc[0]
    a = assess(DEMO, "quality-2017", scenario={code: {"小学专任教师数": 1}})
    assert a.source == f"{DEMO} + 情景/scenario <mapping>"
    s, b = a.schools, demo.schools
    assert (s.primary_teachers.to_numpy() - b.primary_teachers.to_numpy()).tolist() == [
        1 if c == code else 0 for c in b.school_code]


def test_county_shortfalls_count_the_failing_sections_and_keep_their_columns_when_empty():
    """School 1 fails the school rule and is below the qualified-teacher standard: its county row
    counts it as below and failing with the whole shortfall (kills ``== False`` → ``!= False`` /
    ``== True``); two schools that meet every standard give an empty table with the contract
    columns, ``add_column_field`` aside (kills the renamed column names, ``DataFrame(None)`` and
    the ``!= "add_column_field"`` mutants)."""
    a = assess_schools(table(primary("1", 200, qualified=6), primary("2", 300)), load_standard())
    assert a.school_results.school_passed.tolist() == [False, True]
    [row] = a.county_shortfalls[a.county_shortfalls.indicator == "每百名学生拥有高于规定学历教师数"].to_dict("records")
    assert (row["sections_below"], row["sections_failing"]) == (1, 1)
    assert row["shortfall_failing_sections"] == row["shortfall"] > 0
    ok = assess_schools(table(primary("1", 200), primary("2", 300)), load_standard())
    assert ok.shortfalls.empty
    assert list(ok.county_shortfalls.columns) == ["year", "county_code", "county_name", "stage", "indicator", "add_unit",
                                                  "sections_below", "shortfall", "sections_failing",
                                                  "shortfall_failing_sections"]
    assert ok.county_shortfalls.empty
