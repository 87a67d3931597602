"""The ledger's gap of a section × indicator item is what the school adds to its own input column
(README contract; issue 11 item 4): for a section with only a share of a shared facility that is
more than the section lacks."""
import pytest

from balance.analysis.ledger import open_items
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import junior, table
from tests.method.test_shortfall_to_school import _complete_middle

Q = load_standard("quality-2017")


def test_ledger_gap_of_a_complete_middle_school_is_the_school_amount():
    # 完全中学, junior 300 / senior 450: w = 5/14; the junior section is 60 ㎡ short, the school adds 168 ㎡
    a = assess_schools(table(_complete_middle("1", 300, 450, teaching_area=4704.0), junior("2", 400)), Q)
    items = open_items(a)
    r = items[items["item_id"].str.startswith("R:") & items["item_id"].str.endswith(":教学用房")]
    assert len(r) == 1
    assert r["gap"].iat[0] == pytest.approx(168.0) and r["add_column"].iat[0] == "教学及辅助用房面积(㎡)"
