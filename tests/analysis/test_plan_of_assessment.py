"""``plan(assessment)`` plans on the table the assessment kept, never re-reading its file (issue 10)."""
from __future__ import annotations

from balance.analysis.planner import plan
from balance.method.assessment import assess
from tests.factories import junior, primary, table


def _schools():
    return table(primary("1", 300, qualified=5), primary("2", 420), junior("3", 380), junior("4", 250))


def test_plan_of_an_assessment_built_from_a_dataframe():
    a = assess(_schools())  # no file behind it: used to be refused ("plan_needs_table")
    assert a.schools is not None and len(a.schools) == 4
    p = plan(a)
    assert p.total_cost > 0  # school 1 lacks qualified teachers


def test_plan_of_an_assessment_does_not_read_the_file_again(tmp_path, monkeypatch):
    f = tmp_path / "schools.csv"
    a = assess(_schools())
    expected = plan(a).total_cost
    a.source = str(f)  # as if read from a file …
    f.write_text("not a school table", encoding="utf-8")  # … that has changed since
    monkeypatch.setattr("balance.io.reading.load_school_table",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("re-read the input file")))
    assert plan(a).total_cost == expected


def test_county_view_keeps_its_schools():
    a = assess(_schools())
    one = a.county(a.verdicts.county_code.iloc[0])
    assert one.schools is not None and set(one.schools.county_code) == {a.verdicts.county_code.iloc[0]}
