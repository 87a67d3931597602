"""整改清单 of the county briefing states what each school adds to its own input column (issue 11 item 4)."""
import html
import re

import pytest

from balance.reporting import briefing as bf
from balance.reporting.narrative import fmt_addition

DEMO = "data/demo/schools.csv"


def _rows(h: str) -> list[list[str]]:
    """Text of each body row of every table in ``h``."""
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", h, flags=re.S))
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)]


@pytest.fixture(scope="module")
def dongh():
    # 东湖区 (990103) 2025: failing sections, three of them sections of combined schools sharing facilities
    return bf.county_briefing(DEMO, "990103", 2025)


def test_each_failing_shortfall_names_the_school_column_and_the_school_amount(dongh):
    sh = dongh.year_view().shortfalls
    failing = sh[~sh["school_passed"].astype(bool)]
    shared = failing[failing["facility_share"] < 1]
    assert len(shared) >= 1
    rows = {r[1]: r for r in _rows(bf.rectification_list(dongh).data) if len(r) == 6}
    for r in failing.itertuples(index=False):
        cell = rows[r.school_name][5]
        assert f"{r.add_column} +{fmt_addition(r.add_to_school, r.add_unit)}" in cell
    for r in shared.itertuples(index=False):  # more than the section lacks, and the reason shown
        assert r.add_to_school > r.shortfall
        assert "分摊全校的" in rows[r.school_name][5]


def test_primary_rows_come_before_junior_rows(dongh):
    for table in re.findall(r"<table.*?</table>", bf.rectification_list(dongh).data, flags=re.S):
        stages = [r[0] for r in _rows(table)]
        assert set(stages) == {"小学", "初中"}
        assert stages == sorted(stages, key=("小学", "初中").index)


def test_amount_to_add_is_rounded_up_at_the_shown_precision():
    assert fmt_addition(167.81, "㎡") == "167.9 ㎡"  # nearest would be 167.8: not enough
    assert fmt_addition(168.0, "㎡") == "168 ㎡"
    assert fmt_addition(12_301, "元") == "1.3 万元"
    assert fmt_addition(3, "人") == "3 人"


@pytest.mark.parametrize("section", ["equity_appendix", "cv_table", "urban_rural", "rectification_list"])
def test_every_table_lists_primary_before_junior(dongh, section):
    # issue 11: 小学 before 初中 in every table (code-point order puts 初 before 小)
    for table in re.findall(r"<table.*?</table>", getattr(bf, section)(dongh).data, flags=re.S):
        stages = [r[0] for r in _rows(table) if r and r[0] in ("小学", "初中")]
        assert stages == sorted(stages, key=("小学", "初中").index), section
