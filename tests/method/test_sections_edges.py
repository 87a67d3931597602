"""Edges of ``build_sections`` that the mutation run over balance/method/sections.py (issue 10,
docs/mutation-report.md) showed no test was watching; each test names the mutants it kills and
was checked to fail on them."""
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
