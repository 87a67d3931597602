"""Edges of ``bachelor_ratio`` (balance/analysis/degrees.py) that the mutation run (issue 10,
docs/mutation-report.md) showed no test was watching. Golden numbers worked by hand from the rows
built here; each test names the mutants it kills and was checked to fail on them."""
import math

from balance.analysis.degrees import bachelor_ratio
from tests.factories import school, table


def test_one_row_per_county_with_its_code_and_name_and_a_nullable_verdict():
    """Two counties of one school each: both listed under their own code and name (kills the
    ``county_code`` record-key mutants and ``county_name … .iloc[1]``); ``met`` is a nullable
    boolean (kills ``out["met"]`` → ``out["MET"]``). 990101: urban 8/10 = 0.8 ÷ rural 4/5 = 0.8."""
    t = table(school("1", county_code="990101", county_name="甲县", urban_rural="城区", primary_teachers=10,
                     primary_bachelor_teachers=8),
              school("2", county_code="990101", county_name="甲县", urban_rural="乡村", primary_teachers=5,
                     primary_bachelor_teachers=4),
              school("3", county_code="990102", county_name="乙县", urban_rural="城区", primary_teachers=10,
                     primary_bachelor_teachers=8))
    out = bachelor_ratio(t)
    assert list(zip(out.county_code, out.county_name)) == [("990101", "甲县"), ("990102", "乙县")]
    assert str(out["met"].dtype) == "boolean"
    assert out.ratio.iloc[0] == 1.0 and bool(out.met.iloc[0]) and out.met.isna().iloc[1]


def test_one_teacher_is_a_share_no_teacher_is_none_and_a_zero_rural_share_has_no_ratio():
    """A rural group of one teacher with a bachelor has share 1/1 (kills ``teachers > 0`` → ``> 1``
    and the note's ``<= 0`` → ``<= 1``); a rural group with no teacher has no share and the note
    says so (kills ``< 0``; ``>= 0`` would divide by zero); a rural share of 0 leaves the ratio
    undefined (kills ``r > 0`` → ``r >= 0``, which divides by zero)."""
    def county(rural_teachers, rural_bachelor):
        return bachelor_ratio(table(
            school("1", urban_rural="城区", primary_teachers=10, primary_bachelor_teachers=9),
            school("2", urban_rural="乡村", primary_teachers=rural_teachers,
                   primary_bachelor_teachers=rural_bachelor))).iloc[0]

    one = county(1, 1)
    assert one.rural_share == 1.0 and one.ratio == 0.9 and one.note == ""
    none = county(0, 0)
    assert math.isnan(none.rural_share) and math.isnan(none.ratio) and none.note == "农村组没有专任教师"
    zero = county(5, 0)
    assert zero.rural_share == 0.0 and math.isnan(zero.ratio) and zero.note == ""


def test_one_teacher_without_a_bachelor_value_makes_the_share_unknown():
    """Round 4: ``(t > 0) & isnan(b)`` → ``t > 1`` would take one teacher of unknown degree as none."""
    out = bachelor_ratio(table(
        school("1", urban_rural="城区", primary_teachers=10, primary_bachelor_teachers=9),
        school("2", urban_rural="乡村", primary_teachers=1))).iloc[0]
    assert math.isnan(out.rural_share) and out.schools_missing == 1 and out.note == "农村组 1 所学校缺少本科及以上学历教师数"


def test_a_town_school_left_out_is_not_missing_and_rows_and_columns_keep_their_order():
    """Round 4: with 镇区 left out (town="none") its school is in no group and never counts as
    missing (kills the no-group label ``""`` → ``"XXXX"`` and ``!= ""`` → ``!= "XXXX"``); rows come
    sorted by year and county whatever the input order (``groupby(sort=…)``) with the columns of
    :data:`COLUMNS` (``DataFrame(columns=None)``)."""
    from balance.analysis.degrees import COLUMNS

    out = bachelor_ratio(table(
        school("4", county_code="990102", urban_rural="城区", primary_teachers=4, primary_bachelor_teachers=4),
        school("1", urban_rural="城区", primary_teachers=10, primary_bachelor_teachers=9),
        school("2", urban_rural="乡村", primary_teachers=10, primary_bachelor_teachers=9),
        school("3", urban_rural="镇区", primary_teachers=10)), town="none")
    assert list(out.columns) == COLUMNS
    assert list(out.county_code) == ["990101", "990102"]
    assert out.schools_missing.iloc[0] == 0 and out.ratio.iloc[0] == 1.0 and out.note.iloc[0] == ""


def test_both_groups_noted_in_one_note_and_town_counted_as_rural():
    """The urban group has a school without its bachelor count, the rural group no teacher: the two
    notes are joined by 「；」 (kills the joiner ``"；"`` → ``"XX；XX"``, round 4's one survivor left)
    and the urban one names 城市组 (kills ``"XX城市组XX"``). With town=rural the rural side of the
    groups text lists two values (kills the separator ``"、"`` → ``"XX、XX"`` of its rural side)."""
    t = table(school("1", urban_rural="城区", primary_teachers=10),   # no primary_bachelor_teachers
              school("2", urban_rural="乡村"))                        # no teacher
    out = bachelor_ratio(t).iloc[0]
    assert out.note == "城市组 1 所学校缺少本科及以上学历教师数；农村组没有专任教师"
    assert bachelor_ratio(t, town="rural").iloc[0].groups == "城区 ÷ 乡村、镇区"
