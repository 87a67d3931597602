"""The 完全中学 example of issue 13, pinned.

Source: issue 13 ("A plan that is provably near the cheapest …"): "a county of 完全中学 sections
planned at 8,952.5 万元 passes with a 7,428.9 万元 plan". The issue does not include that county,
so this fixture rebuilds its kind with the issue's figure: eight 完全中学 (junior share
B/(B+1.2C), method.md §1) whose junior sections are short of teaching area (80 % of 5.8 ㎡),
equipment (60 % of 2 500 元) and sports ground (90 % of 10.2 ㎡), everything else above standard.
The hand-built plan :data:`HAND` — per school, teaching area to 85 % (the exempted indicator),
equipment and ground to 100 %, each addition made at school level so that the section receives
its share — costs exactly 7,428.9 万元 at the default prices (3 500 元/㎡, 1 元/元, 400 元/㎡)
and passes ``assess`` (checked below). The optimiser must pass on re-assessment at no more.
Exempting anything else costs more (lifting area to 100 % is 3 045 元 per weighted pupil; the
exemption of equipment or ground saves at most 408), so the hand plan is also the optimum.
"""
from __future__ import annotations

import pytest

from balance.analysis.planner import plan_schools
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import school, table

Q = load_standard("quality-2017")
#: the issue's figures (万元)
ISSUE_HEURISTIC_WAN, ISSUE_CHEAPER_WAN = 8952.5, 7428.9
JUNIOR = (1200, 1500, 1350, 1800, 1100, 1650, 1400, 1250)
SENIOR = (1500, 2000, 1800, 2400, 1300, 2100, 1700, 1600)


def _hand_additions():
    """(area ㎡, equipment 元, ground ㎡) per school; the last school's equipment closes the sum."""
    out = []
    for b, c in zip(JUNIOR, SENIOR):
        w = b + 1.2 * c
        out.append([round(0.29 * w), round(1000 * w, -2), round(1.02 * w)])
    total = sum(3500 * a + e + 400 * g for a, e, g in out)
    out[-1][1] += ISSUE_CHEAPER_WAN * 1e4 - total
    assert out[-1][1] % 100 == 0 and out[-1][1] > 0
    return out


HAND = _hand_additions()


def issue_county(additions=None):
    """The fixture's county table; with ``additions`` (as :data:`HAND`) the planned table."""
    rows = []
    for i, (b, c) in enumerate(zip(JUNIOR, SENIOR)):
        w = b + 1.2 * c
        a, e, g = HAND[i]
        plus = additions[i] if additions is not None else (0, 0, 0)
        rows.append(school(str(i + 1), school_type="完全中学", school_name=f"第{i + 1}中学",
                           junior_students=b, senior_students=c, junior_classes=b // 45, junior_teachers=b // 8,
                           junior_qualified_teachers=-(-b * 6 // 100), junior_backbone_teachers=-(-b * 13 // 1000),
                           junior_pe_art_teachers=-(-b * 11 // 1000), multimedia_rooms=-(-int(w) * 28 // 1000),
                           teaching_area=0.85 * 5.8 * w - a + plus[0], equipment_value=2500 * w - e + plus[1],
                           sports_ground_area=10.2 * w - g + plus[2]))
    return table(*rows)


def test_the_hand_plan_costs_the_issues_figure_and_passes():
    cost = sum(3500 * a + e + 400 * g for a, e, g in HAND)
    assert cost == pytest.approx(ISSUE_CHEAPER_WAN * 1e4, abs=1e-6)
    assert not bool(assess_schools(issue_county(), Q).verdicts["passed"].iloc[0])
    assert bool(assess_schools(issue_county(HAND), Q).verdicts["passed"].iloc[0])


def test_the_optimiser_passes_at_no_more_than_the_issues_cheaper_plan():
    p = plan_schools(issue_county(), Q)
    assert p.feasible
    assert bool(assess_schools(p.planned, Q).verdicts["passed"].iloc[0])   # re-assessment of the planned table
    assert p.total_cost <= ISSUE_CHEAPER_WAN * 1e4 + 1e-6
    assert p.lower_bound <= p.total_cost + 1e-6
    # the additions are made at school level: each school's own columns, nothing per section
    assert set(p.items.loc[p.items["cost"] > 0, "school_type"]) == {"完全中学"}
