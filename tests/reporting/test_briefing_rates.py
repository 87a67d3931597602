"""A county sheet whose rates look like fractions (issue 12, trap 1): the briefing says so in its
headline and lists it in the appendix, not only the evaluation workbook."""
from __future__ import annotations

from balance.reporting import briefing as bf
from balance.reporting.briefing.county import appendix, fraction_notes, recognition_lines
from tests.io.test_percent_cells import _filled
from tests.tables import valid_table


def test_fraction_rates_reach_the_headline_and_the_appendix(tmp_path):
    schools = tmp_path / "学校.xlsx"
    valid_table(years=(2024,)).to_excel(schools, index=False)
    sheet = _filled(tmp_path, 0.92, only="g15_migrant_public_share")
    bf.setup()
    b = bf.county_briefing(str(schools), "130102", 2024, county_sheet=str(sheet))
    notes = fraction_notes(b)
    assert len(notes) == 1 and "保障15" in notes[0] and "请填写 92" in notes[0]
    assert (notes[0], "warn") in recognition_lines(b)
    assert "像是按小数填写" in appendix(b).data and "影响评估结论" in appendix(b).data


def test_no_note_when_rates_are_percent_cells(tmp_path):
    schools = tmp_path / "学校.xlsx"
    valid_table(years=(2024,)).to_excel(schools, index=False)
    sheet = _filled(tmp_path, 0.92, "0%")
    b = bf.county_briefing(str(schools), "130102", 2024, county_sheet=str(sheet))
    assert fraction_notes(b) == [] and all(kind != "warn" for _, kind in recognition_lines(b))
