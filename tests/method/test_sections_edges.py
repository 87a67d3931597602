"""Edges of ``build_sections`` that the mutation run over balance/method/sections.py (issue 10,
docs/mutation-report.md) showed no test was watching; each test names the mutants it kills and
was checked to fail on them."""
import pytest

from balance.method.sections import CARRIED, STAGE_FIELDS, build_sections
from balance.method.standards import load_standard
from balance.schema import FACILITY_COLUMNS
from tests.factories import school, table

Q = load_standard("quality-2017")


def test_a_stage_with_one_pupil_is_a_section():
    """method.md §1: a section exists when it has pupils (> 0), so one pupil is enough (kills
    ``students > 0`` → ``> 1``)."""
    s = build_sections(table(school("1", school_type="小学", primary_students=1, teaching_area=10.0)), Q)
    assert list(s.stage) == ["小学"] and s.students.tolist() == [1]
    assert s.facility_share.tolist() == [1.0] and s.teaching_area.tolist() == [10.0]


def test_no_section_gives_an_empty_frame_with_every_section_column():
    """A table whose schools have no pupils in an assessed stage has no sections, but callers still
    select the section columns (kills the mutants of the empty branch's column list: ``None``,
    renamed ``stage`` / ``facility_share``, ``DataFrame(columns=None)``)."""
    t = table(school("1", school_type="完全中学", senior_students=300))  # senior part is not assessed
    s = build_sections(t, Q)
    assert s.empty
    expected = [c for c in CARRIED if c in t.columns] + ["stage"] + STAGE_FIELDS + ["facility_share"] \
        + list(FACILITY_COLUMNS)
    assert list(s.columns) == expected


def _key(s):
    return list(zip(s.year, s.county_code, s.stage, s.school_code))


def test_sections_are_sorted_by_year_county_stage_school_whatever_the_input_order():
    """Unsorted input (the sort-by-codes path): sections come out by year, county, stage (as text:
    初中 before 小学) and school code (kills every mutant of the unsorted path's sort keys:
    ``keys = None``, ``sorted_codes(None)``, renamed key columns, ``keys[::+1]`` / ``[::-2]``)."""
    t = table(school("1", year=2025, county_code="990102", primary_students=10),  # smallest code, last county
              school("8", year=2025, county_code="990101", school_type="九年一贯制学校", primary_students=10,
                     junior_students=10),
              school("7", year=2024, county_code="990102", primary_students=10),
              school("6", year=2025, county_code="990101", primary_students=10))
    s = build_sections(t, Q)
    code = lambda c: c.rjust(10, "9")  # noqa: E731 (the factory's school code)
    assert _key(s) == [(2024, "990102", "小学", code("7")), (2025, "990101", "初中", code("8")),
                       (2025, "990101", "小学", code("6")), (2025, "990101", "小学", code("8")),
                       (2025, "990102", "小学", code("1"))]


def test_a_county_change_on_the_second_row_of_a_sorted_table_starts_a_new_county():
    """Sorted input (the running-count path): county 990101 has only a primary school, 990102
    only a junior one; the junior section must not move ahead of the other county (kills
    ``change[1:]`` → ``change[2:]`` and ``year | county`` → ``&``)."""
    t = table(school("1", county_code="990101", primary_students=10),
              school("2", county_code="990102", school_type="初级中学", junior_students=10))
    assert [(c, st) for _, c, st, _ in _key(build_sections(t, Q))] == [("990101", "小学"), ("990102", "初中")]


def test_section_columns_are_identity_then_stage_after_school_type_then_fields():
    """The documented column order (identity columns with ``stage`` after ``school_type``, the
    per-stage fields, ``facility_share``, the facility columns) and no other column (kills the
    ``c == "school_type"`` / ``out["stage"]`` / ``"stage" not in out`` mutants, which move ``stage``
    or add a stray column)."""
    t = table(school("1", primary_students=10))
    carried = [c for c in CARRIED if c in t.columns]
    k = carried.index("school_type") + 1
    expected = carried[:k] + ["stage"] + carried[k:] + STAGE_FIELDS + ["facility_share"] + list(FACILITY_COLUMNS)
    assert list(build_sections(t, Q).columns) == expected


def test_a_province_file_default_weights_and_the_built_in_fallback():
    """A standard's ``default`` weights serve every stage a school type does not list, and without
    a ``default`` the method's 1 : 1.1 : 1.32 applies (method.md §1). 九年一贯制 with 600 primary and
    300 junior pupils: with ``default: {小学: 2.0}`` and the type's own 初中 1.2 the primary share is
    1200/(1200 + 360) = 10/13; with no ``default`` and 小学 1.0 listed, 初中 falls back to 1.1:
    600/930 (kills the ``"default"`` key, ``default.get(stage …)`` and fallback-number mutants)."""
    from balance.method.sections import facility_shares

    t = table(school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300))
    province = Q.model_copy(update={"split_weights": {"default": {"小学": 2.0, "初中": 1.0, "高中": 1.0},
                                                      "九年一贯制学校": {"初中": 1.2}}})
    assert facility_shares(t, province).loc[0, "小学"] == pytest.approx(1200 / 1560, rel=1e-15)
    no_default = Q.model_copy(update={"split_weights": {"九年一贯制学校": {"小学": 1.0}}})
    assert facility_shares(t, no_default).loc[0, "小学"] == pytest.approx(600 / 930, rel=1e-15)


def _shares(t, weights):
    from balance.method.sections import facility_shares

    return facility_shares(t, Q.model_copy(update={"split_weights": weights}))


def test_without_a_default_every_stage_falls_back_to_1_1_1_32():
    """No ``default`` in the file: the method's 1 : 1.1 : 1.32 (method.md §1) serves a stage the
    school type does not list and a school type the file does not list. 九年一贯制 listing only 初中
    1.1 gets 小学 1.0: 600/(600 + 330); a 完全中学 the file does not list gets 初中 1.1 and 高中 1.32:
    1.1·300/(330 + 1.32·200) (kills the built-in fallback's ``小学: 2.0``, its renamed 高中 key and
    ``高中: 2.32``, and ``default.get(None, 1.0)`` for an unlisted type)."""
    t = table(school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300),
              school("2", school_type="完全中学", junior_students=300, senior_students=200))
    s = _shares(t, {"九年一贯制学校": {"初中": 1.1}})
    assert s.loc[0, "小学"] == pytest.approx(600 / 930, rel=1e-15)
    assert s.loc[1, "初中"] == pytest.approx(330 / (330 + 264), rel=1e-15)
    assert s.loc[1, "高中"] == pytest.approx(264 / (330 + 264), rel=1e-15)


def test_a_default_without_a_stage_gives_that_stage_weight_1():
    """A province ``default`` that names only 初中 (1.2): 小学 weighs 1.0, both for a type the file
    lists without 小学 (九年一贯制 初中 1.3: 600/(600 + 390)) and for an unlisted type (九年一贯制
    under default only: 600/(600 + 360)) (kills ``default.get(stage, 2.0)`` / ``None`` / no
    fallback, in the listed-type and the unlisted-type lines)."""
    t = table(school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300))
    listed = _shares(t, {"default": {"初中": 1.2}, "九年一贯制学校": {"初中": 1.3}})
    assert listed.loc[0, "小学"] == pytest.approx(600 / 990, rel=1e-15)
    unlisted = _shares(t, {"default": {"初中": 1.2}})
    assert unlisted.loc[0, "小学"] == pytest.approx(600 / 960, rel=1e-15)


def test_a_school_without_pupils_has_share_0_everywhere_and_the_schools_index():
    """``facility_shares`` documents shares of 0 for a school with no pupils and the schools' own
    index (kills ``else 0.0`` → ``None`` / ``1.0``, the divisor's fallback ``1.0`` → ``None``, which
    divides 0 by None, and ``index=schools.index`` → ``None`` / dropped)."""
    t = table(school("1", primary_students=0), school("2", primary_students=10)).set_axis([7, 9])
    s = _shares(t, Q.split_weights)
    assert list(s.index) == [7, 9]
    assert s.loc[7].tolist() == [0.0, 0.0, 0.0] and s.loc[9, "小学"] == 1.0
    assert all(s[c].dtype == "float64" for c in s.columns)


def test_a_single_stage_school_has_share_1_even_when_its_weighted_pupils_are_below_1():
    """One pupil and a province weight of 0.5 (weighted pupils 0.5): the share is still 1, not 0.5
    (kills the divisor's ``total > 0`` → ``total > 1``)."""
    t = table(school("1", primary_students=1))
    assert _shares(t, {"default": {"小学": 0.5, "初中": 0.5, "高中": 0.5}}).loc[0, "小学"] == 1.0


def test_stage_fields_of_mixed_stages_stay_whole_numbers():
    """A 九年一贯制 school gives a primary and a junior section; their pupils and teachers are
    int64 counts (a float column would write ``600.0`` into school_results.csv) (kills ``np.zeros(n,
    dtype="int64")`` → float for the per-stage fields)."""
    t = table(school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300,
                     primary_teachers=30, junior_teachers=25), school("2", primary_students=100))
    s = build_sections(t, Q)
    assert s.students.tolist() == [300, 600, 100] and s.teachers.tolist() == [25, 30, 0]
    assert all(s[f].dtype == "int64" for f in STAGE_FIELDS)


def test_a_fractional_stage_column_is_not_truncated():
    """A table that skipped validation may hold a float stage column (12.5 junior teachers next to
    whole primary ones): the section keeps 12.5, not 12 (kills ``col.dtype != vals.dtype`` → ``==``,
    ``vals = None`` and ``np.result_type(vals.dtype)``, which keep the int array and truncate)."""
    t = table(school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300,
                     primary_teachers=30, junior_teachers=25))
    t["junior_teachers"] = t["junior_teachers"].astype("float64") - 12.5
    s = build_sections(t, Q)
    assert s.teachers.tolist() == [12.5, 30.0]
