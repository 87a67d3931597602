"""results.xlsx speaks to people (issue 11): Chinese headers that say what the number is."""
import re

import pytest
from openpyxl import load_workbook

from balance.io.export.assessment import write_workbook
from balance.io.reading import load_school_table
from balance.method.assessment import assess


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    a = assess(load_school_table("data/demo/schools.csv"), "quality-2017", county="990105")
    p = tmp_path_factory.mktemp("wb") / "results.xlsx"
    write_workbook(a, p)
    return load_workbook(p, read_only=True)


def _header(ws) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_shortfall_sheet_labels_the_schools_own_value(workbook):
    # issue 11 item 3: the value in 整改清单 is the section's own value, not the county mean
    h = _header(workbook["整改清单"])
    assert "县域均值" not in h and "本校指标值" in h
    assert "县域均值" not in _header(workbook["数据提示"])
    assert "县域均值" in _header(workbook["县域指标与差异系数"])


def test_no_sheet_header_left_in_english(workbook):
    for ws in workbook.worksheets:
        assert not re.search(r"[A-Za-z]", ws.title), ws.title
        for h in _header(ws):
            assert not re.search(r"[A-Za-z]{2,}", str(h)) or str(h).startswith("McLoone"), (ws.title, h)
