"""Edges of the official comparisons and the school rule that a mutation run (mutmut over
balance/method/official.py, issue 10) showed no test was watching.

Each test names the surviving mutant it kills. The tolerance is ``official.REL_TOL`` (1e-9,
relative, at least absolute 1e-9 for |b| < 1): the method compares to the standard exactly,
and the tolerance only absorbs binary representation (method.md §4 notes)."""
import numpy as np
import pandas as pd
import pytest

from balance.method import official
from balance.method.standards import load_standard

TOL = official.REL_TOL


@pytest.mark.parametrize("compare, sign", [(official.at_least, -1), (official.at_most, +1)])
def test_tolerance_is_relative_and_at_least_absolute(compare, sign):
    # inside the tolerance: counts as meeting the standard (kills REL_TOL * → REL_TOL /)
    assert compare(1e6 * (1 + sign * 0.5 * TOL), 1e6)
    # the absolute floor is 1.0·REL_TOL, not 2.0·REL_TOL (kills np.maximum(1.0, …) → 2.0)
    assert not compare(1 + sign * 1.5 * TOL, 1.0)
    assert compare(1 + sign * 0.5 * TOL, 1.0)
    # far outside: never
    assert not compare(1e6 * (1 + sign * 1e-6), 1e6)
    # NaN never meets a standard
    assert not compare(np.nan, 1.0) and not compare(1.0, np.nan)


def _values(std, index):
    names = [i.name for i in std.indicators]
    v = pd.DataFrame({n: [1.0, 0.5] for n in names}, index=index)
    s = pd.DataFrame({n: [1.0, 1.0] for n in names}, index=index)
    return v, s


def test_school_rule_keeps_the_sections_index():
    """Results are joined back to sections by index: a RangeIndex would put them on the wrong
    schools (kills DataFrame(index=values.index) → DataFrame(index=None))."""
    std = load_standard("quality-2017")
    v, s = _values(std, index=[17, 4])
    out = official.school_rule(v, s, std)
    assert list(out.index) == [17, 4]
    assert out.loc[17, "school_passed"] and not out.loc[4, "school_passed"]
    assert out.loc[4, "min_ratio"] == 0.5 and out.loc[17, "indicators_met"] == len(std.indicators)


def test_without_a_school_rule_every_result_is_missing_not_false():
    """basic-2012 has no school rule: counts and verdicts are missing (NA), never 0 / False, and
    min_ratio is NaN (kills the None / dtype mutants of that branch)."""
    std = load_standard("basic-2012")
    assert std.school_rule is None
    v, s = _values(std, index=[3, 9])
    out = official.school_rule(v, s, std)
    assert list(out.index) == [3, 9]
    assert str(out["indicators_met"].dtype) == "Int64" and out["indicators_met"].isna().all()
    assert str(out["school_passed"].dtype) == "boolean" and out["school_passed"].isna().all()
    assert out["min_ratio"].dtype == "float64" and out["min_ratio"].isna().all()


def test_no_indicator_columns_gives_nan_ratios_and_a_failing_rule():
    """A section with no indicator to compare cannot pass 6 of 7 (kills the np.full(n, nan) mutants)."""
    std = load_standard("quality-2017")
    v, s = _values(std, index=[0, 1])
    out = official.school_rule(v.iloc[:, :0], s.iloc[:, :0], std)
    assert out["min_ratio"].dtype == "float64" and out["min_ratio"].isna().all() and len(out) == 2
    assert (out["indicators_met"] == 0).all() and not out["school_passed"].any()


def test_group_cv_of_no_sections_has_every_column():
    """No section at all: an empty long table that still has the columns callers select (kills the
    13 mutants of ``group_cv``'s empty-branch column list: ``columns=None`` and each name renamed,
    round 4, docs/mutation/round4-method-b.md)."""
    s = pd.DataFrame({c: pd.Series(dtype="int64") for c in ["year", "students"]}
                     | {c: pd.Series(dtype="str") for c in ["county_code", "stage"]})
    out = official.group_cv(s, pd.DataFrame({"a": pd.Series(dtype="float64")}))
    assert out.empty
    assert list(out.columns) == ["year", "county_code", "stage", "indicator", "value", "cv", "sections", "students",
                                 "cv_note"]


def test_group_cv_counts_sections_and_pupils_and_leaves_a_defined_cv_without_note():
    """One county stage with two sections of 300 and 100 pupils (values 2 and 6): ``sections`` is 2
    and ``students`` the whole pupil count 400, int64, and a defined CV has an empty note;
    X̄ = (300·2 + 100·6)/400 = 3 (kills ``bincount(weights=p)`` → ``None`` / dropped, ``count``
    / ``f["sections"]`` / ``f["students"]`` → ``None``, ``astype("int64")`` → ``None`` and the
    empty note ``""`` → ``"XXXX"``, round 4)."""
    s = pd.DataFrame({"year": [2025, 2025], "county_code": ["990101"] * 2, "stage": ["小学"] * 2,
                      "students": [300, 100]})
    out = official.group_cv(s, pd.DataFrame({"a": [2.0, 6.0]}))
    row = out.iloc[0]
    assert (row["sections"], row["students"], row["value"], row["cv_note"]) == (2, 400, 3.0, "")
    assert out["students"].dtype == "int64"
