"""Fast edges of ``balance.method.assessment`` on a few hand-built schools (no file, no demo):
the pupil-count check, the county sum of shortfalls and what ``assess_schools`` hands back.
Written for the mutation run of round 7 (docs/mutation/round7-method-rest.md); each expected
number is counted by hand from the rows built here."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balance.errors import InputError, problems_frame
from balance.method.assessment import Assessment, _check_pupils, _county_shortfalls, assess_schools
from balance.method.standards import load_standard
from tests.factories import primary, school, table

STD = load_standard()


def _problems(t, source="s.csv"):
    with pytest.raises(InputError) as ei:
        _check_pupils(t, STD, source)
    assert (ei.value.summary_zh, ei.value.summary_en) == ("学校数据表有误", "the school table has errors")
    return ei.value.problems


def test_bad_pupil_counts_are_one_problem_per_stage_at_the_first_bad_row_with_the_count():
    """Primary pupils missing in row 3 and negative in row 4, junior pupils infinite in row 2:
    one problem per stage, at its first bad row (source_row), naming the column's header and the
    value there, the number of bad rows in the message (kills the stage loop's ``continue`` →
    ``break``, ``~isfinite | (v < 0)`` → ``&`` / ``v <= 0`` / ``v < 1``, ``bad[0]`` → ``bad[1]``,
    the ``row`` / ``column`` / ``value`` / ``code`` / ``n`` mutants)."""
    t = table(primary("1", 200), primary("2", 300), primary("3", 0))
    t["primary_students"] = [200.0, np.nan, -3.0]
    t["junior_students"] = [np.inf, 0.0, 0.0]
    p = _problems(t)
    assert [(x.file, x.row, x.column, x.value, x.code, x.severity) for x in p] == [
        ("s.csv", 3, "小学在校生数", "nan", "pupils_invalid", "error"),
        ("s.csv", 2, "初中在校生数", "inf", "pupils_invalid", "error")]
    assert "（共 2 行，此处为第一行）" in p[0].problem_zh and "(2 rows, this is the first)" in p[0].problem_en
    assert "（共 1 行，此处为第一行）" in p[1].problem_zh and p[1].problem_zh.startswith("在校生数缺失")


def test_a_missing_nullable_count_is_refused_and_zero_pupils_are_not():
    """A nullable Int64 count with <NA> is read as NaN and refused; 0 pupils are fine (kills
    ``na_value=None`` and the ``v < 0`` → ``v <= 0`` boundary)."""
    t = table(primary("1", 200), primary("2", 0))
    _check_pupils(t, STD, "s.csv")  # 0 pupils: no problem, no error
    t["primary_students"] = pd.array([200, None], dtype="Int64")
    assert [(x.row, x.value) for x in _problems(t)] == [(3, "<NA>")]


def test_a_stage_column_that_is_absent_is_skipped_and_the_next_stage_still_checked():
    """No primary column at all, a negative junior count: the junior problem is still found
    (kills ``continue`` → ``break`` and ``name not in`` → ``in``); without ``source_row`` the
    row is unknown (kills the ``"source_row" in`` mutants)."""
    t = table(primary("1", 200), primary("2", 300)).drop(columns=["primary_students", "source_row"])
    t["junior_students"] = [0, -1]
    assert [(x.row, x.column, x.value) for x in _problems(t)] == [(None, "初中在校生数", "-1")]


def _short(rows):
    cols = ["year", "county_code", "county_name", "stage", "indicator", "add_unit", "shortfall", "school_passed"]
    df = pd.DataFrame(rows, columns=cols)
    df["school_passed"] = df["school_passed"].astype("boolean")
    return df


def test_county_shortfalls_sum_per_county_stage_and_indicator_in_first_seen_order():
    """Six section rows: three of one county × stage × indicator (one failing, one passing, one of
    unknown pass which counts as failing), one of another county, one with no stage (dropped, as
    a group-by drops it) and one of another year. By hand: 3 below / 6.5 short / 2 failing / 3.5
    short in failing; 1 / 10 / 0 / 0; 1 / 4 / 1 / 4 (kills the failing mask, the missing-key
    mask ``|=`` → ``=`` and ``take(rows)``, the aggregations and their names)."""
    short = _short([
        (2025, "A", "甲县", "小学", "I1", "人", 2.0, False),
        (2025, "A", "甲县", "小学", "I1", "人", 3.0, True),
        (2025, "B", "乙县", "初中", "I2", "㎡", 10.0, True),
        (2025, "A", "甲县", None, "I1", "人", 100.0, False),
        (2025, "A", "甲县", "小学", "I1", "人", 1.5, None),
        (2024, "A", "甲县", "小学", "I1", "人", 4.0, False)])
    out = _county_shortfalls(short)
    expected = pd.DataFrame({
        "year": [2025, 2025, 2024], "county_code": ["A", "B", "A"], "county_name": ["甲县", "乙县", "甲县"],
        "stage": ["小学", "初中", "小学"], "indicator": ["I1", "I2", "I1"], "add_unit": ["人", "㎡", "人"],
        "sections_below": [3, 1, 1], "shortfall": [6.5, 10.0, 4.0], "sections_failing": [2, 0, 1],
        "shortfall_failing_sections": [3.5, 0.0, 4.0]})
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert out["sections_below"].dtype.kind == "i" and out["sections_failing"].dtype.kind == "i"


def test_county_shortfalls_of_plain_bool_passes_without_missing_keys():
    """A plain bool ``school_passed`` and no missing key: every row kept (kills ``has_na`` starting
    True and ``fillna(True)`` where a value is NA only in the nullable case above)."""
    short = _short([(2025, "A", "甲县", "小学", "I1", "人", 2.0, False), (2025, "A", "甲县", "小学", "I1", "人", 1.0, True)])
    short["school_passed"] = short["school_passed"].astype(bool)
    out = _county_shortfalls(short)
    assert out[["sections_below", "shortfall", "sections_failing", "shortfall_failing_sections"]].to_dict("records") == [
        dict(sections_below=2, shortfall=3.0, sections_failing=1, shortfall_failing_sections=2.0)]


def _small():
    return table(primary("1", 200, qualified=6), primary("2", 300),
                 school("3", school_type="特殊教育学校", junior_students=30, junior_teachers=5, junior_qualified_teachers=5))


def test_assess_schools_hands_back_each_table_in_its_own_field():
    """Two primary schools (school 1 below the qualified-teacher standard) and a special school out
    of scope: each field of the Assessment holds its own table (kills ``a = None``, each argument
    ``None`` or dropped so that the fields shift, ``county_verdicts`` without ``school_results`` /
    ``std`` / ``names`` / ``sections``, ``a._schools = None``); defaults: an empty problem table and
    an empty header map (kills ``header_map or {}`` → ``None`` / ``and {}`` and the warnings
    condition ``and False`` / ``or True`` / ``is None``)."""
    t = _small()
    a = assess_schools(t, STD, source="x.csv", sha256="abc")
    assert a.standard is STD and (a.source, a.sha256) == ("x.csv", "abc")
    assert len(a.sections) == 3 and sorted(a.sections["in_scope"].tolist()) == [False, True, True]
    assert a.school_results.school_code.tolist() == [t.school_code[0], t.school_code[1]]
    assert a.school_results.school_passed.tolist() == [False, True]
    assert a.excluded.school_code.tolist() == [t.school_code[2]] and a.excluded.exclusion_reason.str.len().min() > 0
    assert set(a.county_indicators.indicator) == set(STD.indicator_names) and "cv" in a.county_indicators
    assert set(a.shortfalls.school_code) == {t.school_code[0]} and "shortfall" in a.shortfalls
    assert a.county_shortfalls.sections_below.sum() == len(a.shortfalls) and "sections_failing" in a.county_shortfalls
    [v] = a.verdicts.to_dict("records")
    assert v["county_code"] == "990101" and v["county_name"] == "测试县"
    assert "初中学段单位均未纳入评估，初中差异系数无法计算，不能判定达标" in v["failing_items"]
    assert list(a.warnings.columns) == list(problems_frame([]).columns) and a.warnings.empty
    assert a.header_map == {} and a.schools is t


def test_assess_schools_carries_the_warnings_and_header_map_it_is_given():
    """Given warnings and headers are kept as they are (kills the warnings condition mutants,
    ``None`` for either field and ``header_map and {}``)."""
    w = problems_frame([])
    w.loc[0] = ["warning", "c", "f", None, 2, "列", "v", "中", "en"]
    a = assess_schools(_small(), STD, warnings=w, header_map={"小学在校生数": "primary_students"})
    assert a.warnings is w and a.header_map == {"小学在校生数": "primary_students"}


def test_a_section_values_table_given_by_hand_is_kept_as_given():
    """``Assessment(..., section_values=df)`` stores ``df`` (kills ``__set__`` storing ``None``,
    after which the long table would be rebuilt from ``school_results``)."""
    a = assess_schools(_small(), STD)
    mine = pd.DataFrame({"x": [1]})
    b = Assessment(a.standard, a.source, a.sha256, a.sections, a.school_results, a.excluded, mine,
                   a.county_indicators, a.shortfalls, a.county_shortfalls, a.verdicts, a.warnings)
    assert b.section_values is mine


def test_an_object_count_column_with_missing_cells_is_refused_with_a_message_not_a_crash():
    """A table that skipped validation may hold a count column of Python objects with ``<NA>``:
    it is read as numbers and refused by message, 2 bad rows, the first at row 3 (kills
    ``to_numpy(dtype=None / no dtype)``, where ``isfinite`` of objects raises, and a dropped
    ``na_value``, where ``float(<NA>)`` raises)."""
    t = table(primary("1", 200), primary("2", 300), primary("3", 300))
    t["primary_students"] = pd.Series([200, pd.NA, -1], dtype=object)
    p = _problems(t)
    assert [(x.row, x.value, x.code) for x in p] == [(3, "<NA>", "pupils_invalid")]
    assert "（共 2 行，" in p[0].problem_zh


def test_county_shortfall_sums_are_floats_even_where_no_section_fails():
    """The shortfall columns are float64 — a county whose sections all pass sums 0.0, not an
    object (kills ``np.where(…, None)`` for the non-failing rows)."""
    short = _short([(2025, "A", "甲县", "小学", "I1", "人", 2.0, True), (2025, "B", "乙县", "小学", "I1", "人", 1.0, False)])
    out = _county_shortfalls(short)
    assert out["shortfall_failing_sections"].dtype == "float64" and out["shortfall"].dtype == "float64"
    assert out["shortfall_failing_sections"].tolist() == [0.0, 1.0]


def test_assess_of_a_loaded_table_keeps_its_reading_warnings_checksum_and_headers():
    """``assess`` of an already loaded SchoolTable uses it as is (kills ``isinstance(source,
    SchoolTable) and False``, which would try to read it as a file) and carries its reading
    warning into ``warnings`` (kills ``warnings=None`` / dropped and ``problems_frame(None)``,
    which give an empty problem table), its checksum and its header map."""
    from balance.errors import Problem
    from balance.io.table import SchoolTable
    from balance.method.assessment import assess

    w = Problem(file="x.xlsx", problem_zh="某列已忽略", problem_en="a column was ignored", severity="warning",
                code="ignored_column")
    st = SchoolTable(data=_small(), path="x.xlsx", sha256="abc", warnings=[w],
                     header_map={"小学在校生数": "primary_students"})
    a = assess(st, "quality-2017")
    assert a.warnings[["severity", "code", "file", "problem_zh"]].values.tolist() == [
        ["warning", "ignored_column", "x.xlsx", "某列已忽略"]]
    assert (a.source, a.sha256, a.header_map) == ("x.xlsx", "abc", {"小学在校生数": "primary_students"})
