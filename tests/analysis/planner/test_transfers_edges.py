"""Teacher rotation (交流轮岗) in the water-filling heuristic (``method="waterfill"``, ``transfers=True``):
``balance.analysis.planner.transfers`` and ``waterfill._transfer_records``.

A mutation run (mutmut, issue 10, round 4) found that no test reached this code any more: the
planner's transfer tests run the default optimiser, which has its own rotation model. The cases
are worked by hand below (quality-2017 primary: 体育艺术专任教师 0.9 per 100 pupils, CV limit 0.50;
costs.yaml: a hired PE/art teacher 120 000 元 × 1 year, a rotation 20 000 元)."""
import numpy as np
import pandas as pd
import pytest

from balance.analysis.planner import load_costs, plan_schools
from balance.analysis.planner.groups import _Group
from balance.analysis.planner.transfers import _solve_transfers, _transfer_slack
from balance.method.standards import load_standard
from tests.factories import primary, table

Q = load_standard("quality-2017")
PE = "小学体育艺术专任教师数"
TOTAL = "小学专任教师数"


def _rows(p, column):
    it = p.items[p.items["column"] == column]
    return {(c, k): a for c, k, a in zip(it["school_code"], it["kind"], it["amount"])}


def test_rotation_lowers_the_cv_at_a_fraction_of_hiring():
    """PE/art teachers 1, 1, 1, 5 per 100 pupils (four schools of 100): X = 2, CV = 0.866 > 0.5.
    Moving one from school 4 to school 1 gives (2, 1, 1, 4), CV = √1.5/2 = 0.612; one more to
    school 2 gives (2, 2, 1, 3), CV = √0.5/2 = 0.354 ≤ 0.5. Two rotations, 40 000 元, instead of
    three hires (360 000 元). School 4 keeps 3 per 100 ≥ 0.9 and its total falls by 2."""
    t = table(primary("1", 100, pe_art=1), primary("2", 100, pe_art=1), primary("3", 100, pe_art=1),
              primary("4", 100, pe_art=5))
    p = plan_schools(t, Q, transfers=True, method="waterfill")
    assert p.feasible and p.total_cost == 40_000
    assert _rows(p, PE) == {("9999999991", "transfer_in"): 1, ("9999999992", "transfer_in"): 1,
                            ("9999999994", "transfer_out"): -2}
    assert _rows(p, TOTAL) == {("9999999991", "teacher_total"): 1, ("9999999992", "teacher_total"): 1,
                               ("9999999994", "teacher_total"): -2}
    it = p.items.set_index(["school_code", "kind"])
    assert it.loc[("9999999991", "transfer_in"), "counterpart"] == "9999999994"
    assert it.loc[("9999999994", "transfer_out"), "counterpart"] == "9999999991、9999999992"
    assert it.loc[("9999999991", "transfer_in"), "unit_cost"] == 20_000
    assert it.loc[("9999999994", "transfer_out"), "cost"] == 0
    assert p.planned["primary_pe_art_teachers"].tolist() == [2, 2, 1, 3]
    assert p.planned["primary_teachers"].tolist() == [11, 11, 10, 8]


def test_a_section_below_standard_takes_one_teacher_from_the_highest_donor():
    """PE/art 0, 1, 2 per 100: school 1 fails 0.9 (its one exempt indicator may sit at 85 %, 0.765,
    still above 0: it needs one teacher). School 2 cannot give (1 − 1 < 0.9); school 3 can
    (2 − 1 = 1 ≥ 0.9). After the move (1, 1, 1) the CV is 0. One rotation: 20 000 元."""
    t = table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1), primary("3", 100, pe_art=2))
    p = plan_schools(t, Q, transfers=True, method="waterfill")
    assert p.feasible and p.total_cost == 20_000
    assert _rows(p, PE) == {("9999999991", "transfer_in"): 1, ("9999999993", "transfer_out"): -1}
    assert p.planned["primary_pe_art_teachers"].tolist() == [1, 1, 1]


def test_a_donor_whose_total_would_fall_below_a_subset_does_not_give():
    """As above, but school 3 has 5 full-time teachers, all 5 of them 专科及以上 (qualified): giving a
    PE/art teacher would leave a total of 4 below its 5 qualified ones, so its slack is 0 and the
    plan hires one teacher for school 1 (120 000 元) instead."""
    t = table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1),
              primary("3", 100, pe_art=2, teachers=5, qualified=5))
    p = plan_schools(t, Q, transfers=True, method="waterfill")
    assert p.feasible and p.total_cost == 120_000
    assert _rows(p, PE) == {("9999999991", "add"): 1}
    assert _rows(p, TOTAL) == {("9999999991", "teacher_total"): 1}


def test_rotation_dearer_than_hiring_is_not_used():
    """The rotation plan is used only when its total is below hiring alone (360 000 元): at 130 000 元
    a rotation (dearer than a hire, 120 000 元) two moves still cost less, 260 000 元; at 190 000 元
    they would cost 380 000 元, so the plan hires its three teachers and moves nobody."""
    t = table(primary("1", 100, pe_art=1), primary("2", 100, pe_art=1), primary("3", 100, pe_art=1),
              primary("4", 100, pe_art=5))
    p = plan_schools(t, Q, load_costs({"transfer_per_teacher": 130_000}), transfers=True, method="waterfill")
    assert p.total_cost == 260_000
    p = plan_schools(t, Q, load_costs({"transfer_per_teacher": 190_000}), transfers=True, method="waterfill")
    assert p.total_cost == 360_000
    assert set(p.items["kind"]) == {"add", "teacher_total"}


def test_transfer_slack_is_the_total_less_the_largest_other_subset():
    """Slack of a type = floor(total − max(other subsets)), counting earlier changes (``delta``),
    never below 0: totals 10, 10, 4; qualified 5, 5, 6; backbone 2, 7, 1; titled 0, 0, 0."""
    df = pd.DataFrame({"primary_teachers": [10, 10, 4], "primary_qualified_teachers": [5, 5, 6],
                       "primary_backbone_teachers": [2, 7, 1], "primary_pe_art_teachers": [1, 1, 1],
                       "primary_titled_teachers": [0, 0, 0]})
    rows = np.array([0, 1, 2])
    np.testing.assert_array_equal(_transfer_slack(df, rows, "小学", "pe_art_teachers", {}), [5, 3, 0])
    np.testing.assert_array_equal(_transfer_slack(df, rows, "小学", "backbone_teachers", {}), [5, 5, 0])
    delta = {(0, "primary_teachers"): 2, (1, "primary_backbone_teachers"): -4}
    np.testing.assert_array_equal(_transfer_slack(df, rows, "小学", "pe_art_teachers", delta), [7, 5, 0])
    # the type itself is not one of the "others": qualified's slack ignores qualified
    np.testing.assert_array_equal(_transfer_slack(df, rows, "小学", "qualified_teachers", {}), [8, 3, 3])


def _group(x, P, g, cost, target, s=0.9):
    n = len(x)
    return _Group(stage="小学", k=0, indicator="i", field="pe_art_teachers", rows=np.arange(n),
                  columns=["primary_pe_art_teachers"] * n, P=np.asarray(P, dtype="float64"),
                  x=np.asarray(x, dtype="float64"), g=np.asarray(g, dtype="float64"), cost=cost, whole=True,
                  step=0.0, s=s, target=target)


def test_solve_transfers_bounds_then_cv_by_hand():
    """The first case as a group: x = 1, 1, 1, 5 per 100, g = 1 per teacher, bound 0.9 for all
    (met), target 0.5: two moves from school 4 (index 3), to index 0 then index 1, no hire, cost
    2 × 20 000. With slack 0 everywhere, three hires (marginal allocation: 1, 1, 1, 0) at 120 000."""
    grp = _group([1, 1, 1, 5], [100] * 4, [1.0] * 4, 120_000.0, 0.5)
    b = np.full(4, 0.9)
    hire, moves, cost = _solve_transfers(grp, b, np.array([9.0] * 4), 20_000.0)
    assert hire.tolist() == [0, 0, 0, 0] and moves == {(3, 0): 1, (3, 1): 1} and cost == 40_000
    hire, moves, cost = _solve_transfers(grp, b, np.zeros(4), 20_000.0)
    assert hire.tolist() == [1, 1, 1, 0] and moves == {} and cost == 360_000
    # no CV target: only the bounds count, and they are met
    grp.target = None
    hire, moves, cost = _solve_transfers(grp, b, np.array([9.0] * 4), 20_000.0)
    assert hire.tolist() == [0, 0, 0, 0] and moves == {} and cost == 0


def test_solve_transfers_a_receiver_never_gives_and_a_donor_stays_at_its_bound():
    """x = 0, 1, 2.5 with bound 0.9: index 0 needs one teacher. Index 1 cannot give (1 − 1 < 0.9);
    index 2 gives (2.5 − 1 = 1.5 ≥ 0.9). No CV target. Rotation dearer than hiring: a hire."""
    grp = _group([0, 1, 2.5], [100] * 3, [1.0] * 3, 120_000.0, None)
    b = np.full(3, 0.9)
    hire, moves, cost = _solve_transfers(grp, b, np.full(3, 9.0), 20_000.0)
    assert hire.tolist() == [0, 0, 0] and moves == {(2, 0): 1} and cost == pytest.approx(20_000)
    hire, moves, cost = _solve_transfers(grp, b, np.full(3, 9.0), 120_000.0)
    assert hire.tolist() == [1, 0, 0] and moves == {} and cost == 120_000


def test_a_rotation_costing_exactly_the_hires_is_not_used_and_one_half_yuan_less_is():
    """Same county as the first case: hiring alone is 360 000 元. At 180 000 元 a rotation, the two
    moves cost exactly 360 000 元: not below hiring alone, so the plan hires (mutmut round 5:
    ``tcost <= cost − 1e-9`` and ``tcost < cost + 1e-9``). At 179 999.75 元 they cost 359 999.5 元,
    half a yuan less: the moves are used (``tcost < cost − 1.000000001`` would hire)."""
    t = table(primary("1", 100, pe_art=1), primary("2", 100, pe_art=1), primary("3", 100, pe_art=1),
              primary("4", 100, pe_art=5))
    p = plan_schools(t, Q, load_costs({"transfer_per_teacher": 180_000}), transfers=True, method="waterfill")
    assert p.total_cost == 360_000 and set(p.items["kind"]) == {"add", "teacher_total"}
    p = plan_schools(t, Q, load_costs({"transfer_per_teacher": 179_999.75}), transfers=True, method="waterfill")
    assert p.total_cost == pytest.approx(359_999.5)
    assert _rows(p, PE) == {("9999999991", "transfer_in"): 1, ("9999999992", "transfer_in"): 1,
                            ("9999999994", "transfer_out"): -2}


def test_a_donor_may_give_the_type_that_is_its_largest_subset():
    """School 4 has 5 full-time teachers, all 5 PE/art (qualified 4, backbone 2). Giving one PE/art
    teacher lowers its total and its PE/art count together: 4 ≥ every other subset (4, 2, 0), so
    its slack is 1 (the type given is not one of the "others"; counted among them the slack would
    be 0 and the plan three hires, 360 000 元). One move to school 1 and one hire for school 2:
    (2, 2, 1, 4) per 100, X = 2.25, variance (0.0625 + 0.0625 + 1.5625 + 3.0625)/4 = 1.1875,
    CV = 1.0897/2.25 = 0.484 ≤ 0.5; 20 000 + 120 000 元 (mutmut round 5: the field not passed to
    ``_transfer_slack``)."""
    t = table(primary("1", 100, pe_art=1), primary("2", 100, pe_art=1), primary("3", 100, pe_art=1),
              primary("4", 100, pe_art=5, teachers=5, qualified=4))
    p = plan_schools(t, Q, transfers=True, method="waterfill")
    assert p.feasible and p.total_cost == 140_000
    assert _rows(p, PE) == {("9999999991", "transfer_in"): 1, ("9999999992", "add"): 1,
                            ("9999999994", "transfer_out"): -1}
    assert p.planned["primary_teachers"].tolist() == [11, 11, 10, 4]


def test_transfer_records_report_each_change_of_type_and_stage_total():
    """``_transfer_records`` on the first case as a group (rows 0..3, 10 full-time teachers each):
    the two moves from index 3 are recorded and the teacher changes it reports for later groups'
    slack hold the PE/art column and the stage total alike (+1, +1, −2)."""
    from balance.analysis.planner.waterfill import _transfer_records

    df = pd.DataFrame({"school_code": ["a", "b", "c", "d"], "primary_teachers": [10] * 4,
                       "primary_qualified_teachers": [5] * 4, "primary_backbone_teachers": [2] * 4,
                       "primary_pe_art_teachers": [1, 1, 1, 5], "primary_titled_teachers": [0] * 4})
    grp = _group([1, 1, 1, 5], [100] * 4, [1.0] * 4, 120_000.0, 0.5)
    delta, records = {}, []
    assert _transfer_records(df, np.arange(4), "小学", grp, np.full(4, 0.9), 360_000.0, load_costs(), delta, records)
    col, tot = "primary_pe_art_teachers", "primary_teachers"
    assert delta == {(0, col): 1, (0, tot): 1, (1, col): 1, (1, tot): 1, (3, col): -2, (3, tot): -2}
    assert sorted((r[0], r[5], r[6], r[8]) for r in records) == [
        (0, "transfer_in", 1, "d"), (1, "transfer_in", 1, "d"), (3, "transfer_out", -1, "a"), (3, "transfer_out", -1, "b")]


def test_transfer_records_with_a_hire_report_it_without_counterpart():
    """The donor case above as a group: index 3 (5 full-time teachers, all PE/art; qualified 4) may
    give one, so one move 3 → 0 and one hire at index 1 (120 000 元), 140 000 < 360 000 元. The
    hire is an ``add`` row naming no counterpart, and its teacher (type and stage total) is
    reported like the moves."""
    from balance.analysis.planner.waterfill import _transfer_records

    df = pd.DataFrame({"school_code": ["a", "b", "c", "d"], "primary_teachers": [10, 10, 10, 5],
                       "primary_qualified_teachers": [5, 5, 5, 4], "primary_backbone_teachers": [2] * 4,
                       "primary_pe_art_teachers": [1, 1, 1, 5], "primary_titled_teachers": [0] * 4})
    grp = _group([1, 1, 1, 5], [100] * 4, [1.0] * 4, 120_000.0, 0.5)
    delta, records = {}, []
    assert _transfer_records(df, np.arange(4), "小学", grp, np.full(4, 0.9), 360_000.0, load_costs(), delta, records)
    col, tot = "primary_pe_art_teachers", "primary_teachers"
    assert delta == {(0, col): 1, (0, tot): 1, (1, col): 1, (1, tot): 1, (3, col): -1, (3, tot): -1}
    assert sorted((r[0], r[5], r[6], r[7], r[8]) for r in records) == [
        (0, "transfer_in", 1, 20_000, "d"), (1, "add", 1, 120_000, ""), (3, "transfer_out", -1, 0.0, "a")]


# --- round 7: the bounds phase's counters and the CV loop's stopping rule, by hand (mutmut round 6
# left these alive: every earlier case gave each donor one teacher and each receiver one) ---------

def test_a_donor_gives_no_more_than_its_slack_then_the_receivers_hire():
    """x = 0, 0, 0, 10 per 100 (bound 0.9, no CV target): three receivers of one teacher each; only
    index 3 can give (10 − 1 ≥ 0.9) and its slack is 2. Receivers in order of value (all 0: index
    order): 0 and 1 take a teacher from 3, then 3 has given its 2 and 2 hires. 2 × 20 000 + 120 000."""
    grp = _group([0, 0, 0, 10], [100] * 4, [1.0] * 4, 120_000.0, None)
    hire, moves, cost = _solve_transfers(grp, np.full(4, 0.9), np.array([9.0, 9.0, 9.0, 2.0]), 20_000.0)
    assert hire.tolist() == [0, 0, 1, 0] and moves == {(3, 0): 1, (3, 1): 1} and cost == 160_000


def test_a_receiver_short_of_two_takes_both_from_one_donor_or_hires_both():
    """x = 0 and 10 per 100, bound 1.9: index 0 needs two teachers. With slack, both move from index 1
    (one pair, 2 units, 40 000 元); with no slack, two hires (240 000 元)."""
    grp = _group([0, 10], [100] * 2, [1.0] * 2, 120_000.0, None)
    b = np.full(2, 1.9)
    hire, moves, cost = _solve_transfers(grp, b, np.array([9.0, 9.0]), 20_000.0)
    assert hire.tolist() == [0, 0] and moves == {(1, 0): 2} and cost == 40_000
    hire, moves, cost = _solve_transfers(grp, b, np.zeros(2), 20_000.0)
    assert hire.tolist() == [2, 0] and moves == {} and cost == 240_000


def test_without_any_donor_the_receiver_hires_and_never_moves_to_itself():
    """x = 0 and 1 per 100, bound 0.9: index 1 cannot give (1 − 1 < 0.9), so index 0 hires."""
    grp = _group([0, 1], [100] * 2, [1.0] * 2, 120_000.0, None)
    hire, moves, cost = _solve_transfers(grp, np.full(2, 0.9), np.full(2, 9.0), 20_000.0)
    assert hire.tolist() == [1, 0] and moves == {} and cost == 120_000


def test_a_hire_for_the_bound_counts_in_the_cv_that_follows():
    """x = 0.5, 1.5, 1.5 per 100 (bound 0.9, no donor: slack 0), CV target 0.1: index 0 hires one
    (0.5 → 1.5), the values are then equal, CV 0 ≤ 0.1, and nothing more is bought."""
    grp = _group([0.5, 1.5, 1.5], [100] * 3, [1.0] * 3, 120_000.0, 0.1)
    hire, moves, cost = _solve_transfers(grp, np.full(3, 0.9), np.zeros(3), 20_000.0)
    assert hire.tolist() == [1, 0, 0] and moves == {} and cost == 120_000


def test_a_cv_exactly_at_its_target_needs_nothing():
    """x = 1 and 3 per 100 (equal pupils): mean 2, population sd 1, CV = 0.5 exactly; target 0.5
    (bounds met): no hire, no move."""
    grp = _group([1, 3], [100] * 2, [1.0] * 2, 120_000.0, 0.5)
    hire, moves, cost = _solve_transfers(grp, np.full(2, 0.9), np.full(2, 9.0), 20_000.0)
    assert hire.tolist() == [0, 0] and moves == {} and cost == 0


def test_transfer_records_add_to_the_changes_of_earlier_groups_and_count_two_moves_of_one_pair():
    """Index 0 (x = 0, bound 1.9) takes two PE/art teachers from index 1 (x = 10): the pair moves 2
    units, so the deltas are +2 / −2 (not ±1 per record); an earlier group had already added 3 to
    index 0's stage total, which the two arrivals raise to 5."""
    from balance.analysis.planner.waterfill import _transfer_records

    df = pd.DataFrame({"school_code": ["a", "b"], "primary_teachers": [10, 20], "primary_qualified_teachers": [5, 5],
                       "primary_backbone_teachers": [2, 2], "primary_pe_art_teachers": [0, 10],
                       "primary_titled_teachers": [0, 0]})
    grp = _group([0, 10], [100] * 2, [1.0] * 2, 120_000.0, None)
    col, tot = "primary_pe_art_teachers", "primary_teachers"
    delta, records = {(0, tot): 3}, []
    assert _transfer_records(df, np.arange(2), "小学", grp, np.full(2, 1.9), 240_000.0, load_costs(), delta, records)
    assert delta == {(0, col): 2, (0, tot): 5, (1, col): -2, (1, tot): -2}


def test_transfer_records_of_a_hire_add_to_earlier_changes():
    """x = 0, 0, 10 per 100 (bound 0.9): index 2 may give one teacher (total 10, qualified 9: slack
    1), so index 0 takes it and index 1 hires (20 000 + 120 000 < 240 000 元); an earlier group's +3 on
    index 1's stage total becomes +4, its PE/art column +1."""
    from balance.analysis.planner.waterfill import _transfer_records

    df = pd.DataFrame({"school_code": ["a", "b", "c"], "primary_teachers": [10, 10, 10],
                       "primary_qualified_teachers": [5, 5, 9], "primary_backbone_teachers": [2, 2, 2],
                       "primary_pe_art_teachers": [0, 0, 10], "primary_titled_teachers": [0, 0, 0]})
    grp = _group([0, 0, 10], [100] * 3, [1.0] * 3, 120_000.0, None)
    col, tot = "primary_pe_art_teachers", "primary_teachers"
    delta, records = {(1, tot): 3}, []
    assert _transfer_records(df, np.arange(3), "小学", grp, np.full(3, 0.9), 240_000.0, load_costs(), delta, records)
    assert delta == {(0, col): 1, (0, tot): 1, (1, col): 1, (1, tot): 4, (2, col): -1, (2, tot): -1}


@pytest.mark.parametrize("tcost, hire, moves", [
    (205_000.0, [0, 0, 0, 0], {(3, 0): 1, (3, 1): 1}),
    (206_000.0, [1, 0, 0, 0], {(3, 1): 1}),
    (215_000.0, [1, 1, 1, 0], {}),
])
def test_the_cv_loop_compares_the_cv_gain_per_yuan_of_a_move_and_a_hire(tcost, hire, moves):
    """The first case (x = 1, 1, 1, 5 per 100 pupils, 100 pupils each, g = 1, target 0.5) with a
    rotation priced near a hire's CV gain per yuan. With P = 100: S1 = ΣPy, S2 = ΣPy², CV² = S2·ΣP/S1² − 1.

    Step 1: y = (1, 1, 1, 5), CV² = 2800·400/800² − 1 = 0.75. Hiring at index 0 (the lowest value
    first): CV² = 3100·400/900² − 1 = 0.530864, gain 0.219136/120 000 = 1.826e-6 per 元; moving one
    from index 3 (the highest donor) to index 0: CV² = 2200·400/800² − 1 = 0.375, gain 0.375/t.
    A move iff t ≤ 205 351 元.
    * t = 205 000: move → (2, 1, 1, 4), CV² 0.375. Step 2: a hire at index 1 gives CV² 2500·400/900² − 1
      = 0.234568 (gain 1.170e-6); a move 3 → 1 gives 1800·400/800² − 1 = 0.125 (gain 0.25/t = 1.220e-6):
      move → (2, 2, 1, 3), CV 0.354 ≤ 0.5. Two moves.
    * t = 206 000: hire at 0 → (2, 1, 1, 5), CV² 0.530864. Step 2: a hire at 1 gives 3400·400/1000² − 1 =
      0.36 (gain 1.424e-6), a move 3 → 1 gives 2500·400/900² − 1 = 0.234568 (gain 1.438e-6): move →
      (2, 2, 1, 4), CV 0.484. One hire, one move.
    * t = 215 000: hire at 0; step 2 the move's gain 0.296296/215 000 = 1.378e-6 < 1.424e-6: hire at 1
      → (2, 2, 1, 5), CV² 0.36; step 3: hire at 2 gives 3700·400/1100² − 1 = 0.22314 (gain 1.1405e-6),
      a move 3 → 2 gives 2800·400/1000² − 1 = 0.12 (gain 0.24/215 000 = 1.116e-6): hire → (2, 2, 2, 5),
      CV 0.472. Three hires."""
    grp = _group([1, 1, 1, 5], [100] * 4, [1.0] * 4, 120_000.0, 0.5)
    h, m, cost = _solve_transfers(grp, np.full(4, 0.9), np.full(4, 9.0), tcost)
    assert h.tolist() == hire and m == moves
    assert cost == pytest.approx(sum(hire) * 120_000 + sum(moves.values()) * tcost)


@pytest.mark.parametrize("tcost, hire, moves", [(190_000.0, [0, 1, 0, 0], {(3, 0): 1}),
                                                (195_000.0, [1, 1, 1, 0], {})])
def test_the_cv_loop_with_fifty_pupil_sections(tcost, hire, moves):
    """The same values (1, 1, 1, 5 per 100) in sections of 50 pupils: one teacher is g = 2 per 100
    (the pupil mass P·g = 100 and the squared terms 2·y·g + g² differ from P = 100, g = 1); target 0.45.
    Equal pupils, so CV² = var/mean².
    Step 1: CV² 0.75; a hire at 0 → (3, 1, 1, 5): 2.75/2.5² = 0.44, gain 0.31/120 000 = 2.583e-6; a move
    3 → 0 → (3, 1, 1, 3): 1/2² = 0.25, gain 0.5/t: a move iff t ≤ 193 548 元.
    * t = 190 000: move. Step 2 (CV 0.5): a hire at 1 → (3, 3, 1, 3): 0.75/2.5² = 0.12 (gain 1.083e-6);
      the move 3 → 1 → (3, 3, 1, 1) keeps CV² 0.25 (gain 0): hire. CV 0.346 ≤ 0.45.
    * t = 195 000: hire at 0. Step 2 (CV² 0.44): a hire at 1 → (3, 3, 1, 5): 2/3² = 0.2222 (gain 1.815e-6);
      a move 3 → 1 → (3, 3, 1, 3): 0.12 (gain 0.32/195 000 = 1.641e-6): hire. Step 3 (CV 0.471): a hire at
      2 → (3, 3, 3, 5): 0.75/3.5² = 0.0612 (gain 1.342e-6); a move 3 → 2 → all 3: 0 (gain 0.2222/195 000
      = 1.140e-6): hire. CV 0.247."""
    grp = _group([1, 1, 1, 5], [50] * 4, [2.0] * 4, 120_000.0, 0.45)
    h, m, cost = _solve_transfers(grp, np.full(4, 0.9), np.full(4, 9.0), tcost)
    assert h.tolist() == hire and m == moves
    assert cost == pytest.approx(sum(hire) * 120_000 + sum(moves.values()) * tcost)


@pytest.mark.parametrize("tcost, hire, moves", [(200_000.0, [0, 0, 0, 0], {(3, 0): 1}),
                                                (220_000.0, [1, 0, 0, 0], {})])
def test_the_cv_loop_prices_a_move_to_a_receiver_above_one_per_hundred(tcost, hire, moves):
    """x = 2, 2, 2, 10 per 100 (100 pupils each, g = 1), target 0.8: the receiver's value is 2, so the
    squared term of its arrival is 2·y·g + g² = 5 (at y = 1 it is 3 whichever way it is written).
    Step 1: S1 = 1600, S2 = 11 200, ΣP = 400, CV² = 11 200·400/1600² − 1 = 0.75 (CV 0.866 > 0.8).
    A hire at index 0: S1 1700, S2 11 700, CV² = 0.619377 (CV 0.787), gain 0.130623/120 000 = 1.0885e-6
    per 元. A move 3 → 0: S1 1600, S2 = 11 200 + 100·5 − 100·(2·10 − 1) = 9800, CV² = 0.53125 (CV 0.729),
    gain 0.21875/t: a move iff t ≤ 200 960 元. Either step brings the CV under 0.8: one step only."""
    grp = _group([2, 2, 2, 10], [100] * 4, [1.0] * 4, 120_000.0, 0.8)
    h, m, cost = _solve_transfers(grp, np.full(4, 0.9), np.full(4, 9.0), tcost)
    assert h.tolist() == hire and m == moves
    assert cost == pytest.approx(sum(hire) * 120_000 + sum(moves.values()) * tcost)


def test_the_cv_loop_may_hire_several_teachers_at_one_section():
    """x = 0, 4, 4 per 100 (no bound, no donor: slack 0), target 0.1. Each step the cheapest CV is a
    hire at index 0: CV 0.707 → (1, 4, 4) 0.471 → (2, 4, 4) 0.283 → (3, 4, 4) 0.129 → (4, 4, 4) 0.
    Four hires at one section, 480 000 元."""
    grp = _group([0, 4, 4], [100] * 3, [1.0] * 3, 120_000.0, 0.1)
    hire, moves, cost = _solve_transfers(grp, np.zeros(3), np.zeros(3), 20_000.0)
    assert hire.tolist() == [4, 0, 0] and moves == {} and cost == 480_000
