"""Fast unit-level edges of the optimiser (``optimal`` and ``optimal_model``), round 7 of the mutation
runs: small hand-built counties solved by :func:`solve_county` directly (no file round trip, no
re-assessment), stubs for the solve loop and the solution reader, and the pure pairing of rotations.

Each test names the mutants it kills; the expected numbers are worked by hand in the comments, from
the method text (method.md §3 school rule, §4 pupil-weighted CV = SD/mean with weights P_i/P).
"""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from balance.analysis.planner import load_costs, optimal
from balance.analysis.planner.optimal import _pair_transfers, _read_solution, _solve_with_lazy_cones, solve_county
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import junior, primary, table

#: A one-indicator standard (multimedia rooms per 100 pupils, or teaching equipment per pupil), so that
#: each county below can be solved by hand; the rules and limits are set per test.
TEMPLATE = """\
id: {id}
title: 测试标准
short_title: 测试
stages: [小学, 初中]
split_weights:
  default: {{小学: 1.0, 初中: 1.1, 高中: 1.32}}
  九年一贯制学校: {{小学: 1.0, 初中: 1.1}}
scope:
  exclude: []
indicators:
  - name: 每百名学生拥有网络多媒体教室数
    short: 教室
    numerator: {{multimedia_rooms: 1}}
    per: 100
    unit: 间/百生
    add_unit: 间
    whole_units: {whole}
{standard}cv_limit: {cv_limit}
{school_rule}county_rule: {{all_sections_pass: {all_pass}, each_cv_within_limit: {each_cv}}}
"""
RULE = "school_rule: {min_met: 1, floor_ratio: 0.85}\n"
STANDARD = "    standard: {小学: 2.3, 初中: 2.4}\n"
ROOM = 60_000.0  # 元 per multimedia room (costs.yaml)


def _std(tmp_path_factory, name, *, whole="true", standard=STANDARD, cv_limit="{小学: 0.50, 初中: 0.45}",
         school_rule=RULE, all_pass="true", each_cv="true"):
    path = tmp_path_factory.mktemp("std") / f"{name}.yaml"
    path.write_text(TEMPLATE.format(id=name, whole=whole, standard=standard, cv_limit=cv_limit,
                                    school_rule=school_rule, all_pass=all_pass, each_cv=each_cv), encoding="utf-8")
    return load_standard(path)


@pytest.fixture(scope="module")
def rooms(tmp_path_factory):
    return _std(tmp_path_factory, "rooms")


def _solve(t, std, **kw):
    a = assess_schools(t, std)
    secs = a.sections[a.sections["in_scope"]].reset_index(drop=True)
    return solve_county(t, secs, std, load_costs(), **kw)


def _adds(rec):
    return rec.loc[rec["kind"] == "add", ["_row", "amount"]].values.tolist()


def _small_school_county():
    # rooms per 100 pupils 3, 3, 0 (pupils 100, 100, 5): the 5-pupil school needs one room (0 < 2.3), which
    # lifts it to 20 per 100 and the primary CV to 0.768 (test_optimal_edges.py works this county by hand)
    return table(primary("1", 100, rooms=3), primary("2", 100, rooms=3), primary("3", 5, rooms=0))


# ------------------------------------------------------------------------------- _pair_transfers

def test_rotations_are_paired_receiver_by_receiver_with_the_donors_in_order():
    # Nets per school: +3 (row 0), −2 (row 1), −2 (row 2), +1 (row 3). Receiver 0 takes 2 from donor 1
    # (exhausted, dropped) and 1 from donor 2; receiver 3 takes donor 2's last one. Every pair is one
    # transfer_in (cost 20 000 元 each, the donor's code) and one transfer_out (negative, no cost, the
    # receiver's code). A second key (another stage) is paired on its own.
    # Kills the pairing mutants: receivers of 1 dropped (`n > 1`, `rin[1] > 1`), `outs[1]`, `min(rin[2]…)`,
    # the codes looked up by the amount (`d[1]`, `rin[1]`), the records' rows/kinds/signs/costs, `-=` → `=`/`+=`,
    # the exhausted donor kept (`d[1] != 0`, `== 1`, `pop(1)`), and loops that never end (`>= 0`, `or outs`).
    key = ("小学", "primary_qualified_teachers", "qualified_teachers", "高学历")
    key2 = ("初中", "junior_pe_art_teachers", "pe_art_teachers", "体艺")
    moves = {key: [(0, 3), (1, -2), (2, -2), (3, 1)], key2: [(2, -1), (1, 1)]}
    df = pd.DataFrame({"school_code": ["A0", "B1", "C2", "D3"]})
    col, fld, ind = key[1:]
    col2, fld2, ind2 = key2[1:]
    assert _pair_transfers(moves, df, 20_000.0) == [
        (0, col, fld, ind, "小学", "transfer_in", 2, 20_000.0, "B1"),
        (1, col, fld, ind, "小学", "transfer_out", -2, 0.0, "A0"),
        (0, col, fld, ind, "小学", "transfer_in", 1, 20_000.0, "C2"),
        (2, col, fld, ind, "小学", "transfer_out", -1, 0.0, "A0"),
        (3, col, fld, ind, "小学", "transfer_in", 1, 20_000.0, "C2"),
        (2, col, fld, ind, "小学", "transfer_out", -1, 0.0, "D3"),
        (1, col2, fld2, ind2, "初中", "transfer_in", 1, 20_000.0, "C2"),
        (2, col2, fld2, ind2, "初中", "transfer_out", -1, 0.0, "B1"),
    ]


def test_a_receiver_left_short_when_the_donors_run_out_stops_there():
    # 3 in, 1 out: one pair of 1, then no donor is left (the loop must stop, not index an empty list)
    key = ("小学", "c", "f", "i")
    df = pd.DataFrame({"school_code": ["A0", "B1"]})
    assert _pair_transfers({key: [(0, 3), (1, -1)]}, df, 5.0) == [
        (0, "c", "f", "i", "小学", "transfer_in", 1, 5.0, "B1"),
        (1, "c", "f", "i", "小学", "transfer_out", -1, 0.0, "A0")]


# ------------------------------------------------------------------------------- _read_solution

# a solved model as ``_read_solution`` sees it: the value of each variable (here its name)
from tests.analysis.planner.test_optimal_edges import _Model as _Vals  # noqa: E402


def test_rotations_are_read_back_as_whole_teachers():
    # SCIP returns integers within its integrality tolerance: a receiver's "in" 0.99999995 and a donor's
    # "out" 0.99999995 are one teacher each; the pair is one rotation of 1 (not 0.99999995). Kills the
    # rotation reads without rounding to whole units (`_round_up(…, None, 0)` and `(…, False, 0)` for in
    # and for out), `in` read from the `out` variable, and `net = in + out` (the donor would receive).
    pg = SimpleNamespace(
        m=_Vals({"T0": 0.0, "I0": 0.99999995, "O0": 0.0, "T1": 0.0, "I1": 0.0, "O1": 0.99999995}),
        fac_vars={},
        tvars={(0, 0): ("T0", ("I0", "O0"), "primary_qualified_teachers", "qualified_teachers", "q", 120_000.0),
               (1, 0): ("T1", ("I1", "O1"), "primary_qualified_teachers", "qualified_teachers", "q", 120_000.0)},
        rows_all=[0, 1], sec_stage=["小学", "小学"])
    rec = _read_solution(pg, None, pd.DataFrame({"school_code": ["A0", "B1"]}), 20_000.0)
    assert [(r[0], r[5], r[6], r[8]) for r in rec] == [(0, "transfer_in", 1.0, "B1"), (1, "transfer_out", -1.0, "A0")]
    assert all(type(r[6]) is float and r[6] == int(r[6]) for r in rec)


# ------------------------------------------------------------------------------- _solve_with_lazy_cones

class _Loop:
    """A model whose n-th solve finds the n-th of ``sols`` (one solution each)."""

    def __init__(self, sols):
        self.sols, self.n, self.freed = sols, 0, 0

    def optimize(self):
        self.n += 1

    def getNSols(self):  # noqa: N802
        return 1 if self.n else 0

    def getBestSol(self):  # noqa: N802
        return self.sols[self.n - 1]

    def getSolVal(self, sol, v):  # noqa: N802
        return sol[v]

    def freeTransform(self):  # noqa: N802
        self.freed += 1

    def getStatus(self):  # noqa: N802
        return "optimal"


def test_a_first_solve_with_a_single_solution_still_has_its_pending_cones_checked(monkeypatch):
    # Two sections of 100 pupils at 1 (in units of the standard), a pending cone (target 0.5). The first
    # solve finds ONE solution, adding 3 to section 0: values 4, 1, CV (4 − 1)/(4 + 1) = 0.6 > 0.5, so the
    # cone is added and the programme re-solved; the second solution (2, 1: CV 1/3) is within and is kept.
    # SCIP itself finds two or three solutions on every county tried (round 6), hence the stub. Kills
    # `getNSols() == 1` → stop checking (the first solution kept, no cone) and the final refusal
    # `getNSols() == 1` (a plan found once refused as "no plan").
    added = []
    monkeypatch.setattr(optimal, "_add_cv_cone", lambda pg, stage, k: added.append((stage, k)))
    s1, s2 = {"A0": 3.0, "A1": 0.0}, {"A0": 1.0, "A1": 0.0}
    m = _Loop([s1, s2])
    pg = SimpleNamespace(m=m, stage_idx={"小学": [0, 1]}, P_all=pd.Series([100.0, 100.0]).to_numpy(),
                         expr={(0, 0): (1.0, None, 1.0), (1, 0): (1.0, None, 1.0)},
                         terms={(0, 0): [("A0", 1.0)], (1, 0): [("A1", 1.0)]}, targets={"小学": 0.5})
    pending = [("小学", 0)]
    status, sol = _solve_with_lazy_cones(pg, pending)
    assert (status, sol) == ("optimal", s2)
    assert added == [("小学", 0)] and pending == [] and m.n == 2 and m.freed == 1


# ------------------------------------------------------------------------------- whole counties

def test_rooms_are_bought_whole_even_when_the_standard_does_not_say_so(tmp_path_factory):
    # rooms per 100 pupils 2, 3, 3 (100 pupils each), standard 2.3 and one indicator (no exemption):
    # school 1 needs 0.3 room, i.e. one whole room (60 000 元) — rooms are whole whatever `whole_units`
    # says. A continuous room would cost 18 000 元 in the model. Kills `whole_units and fld == rooms`
    # and the field name misspelt (`"XXmultimedia_roomsXX"`, upper case).
    std = _std(tmp_path_factory, "rooms-not-whole", whole="false")
    rec, cert = _solve(table(primary("1", 100, rooms=2), primary("2", 100, rooms=3), primary("3", 100, rooms=3)), std)
    assert _adds(rec) == [[0, 1.0]]
    assert cert["model_cost"] == pytest.approx(ROOM) and cert["lower_bound"] == pytest.approx(ROOM, rel=1e-4)


def test_a_county_rule_without_cvs_buys_for_the_school_rule_only(tmp_path_factory):
    # county rule: every section passes, no CV clause (the CV limits are in the file but not a rule).
    # The 5-pupil school's one room pushes the CV to 0.768 > 0.5, which does not matter here: 60 000 元.
    # Kills `_Programme`'s limits taken without the CV clause (`… or True`, `cv_limit or each_cv`: five
    # rooms, 300 000 元) and `_initial_cones`' `stage not in targets and len(idx) < 2` (no target: KeyError).
    std = _std(tmp_path_factory, "rooms-sections-only", each_cv="false")
    rec, cert = _solve(_small_school_county(), std)
    assert _adds(rec) == [[2, 1.0]] and cert["model_cost"] == pytest.approx(ROOM)


def test_a_county_with_no_primary_school_gets_its_junior_cone(rooms):
    # Junior schools only (the primary stage is empty): rooms per 100 pupils 3 and 10 (100 pupils each),
    # both above 2.4; CV (10 − 3)/(10 + 3) = 0.538 > 0.45 − 1e-5 (two equal sections: CV = |a − b|/(a + b)).
    # School 1 needs r with (10 − r)/(10 + r) ≤ 0.44999, r ≥ 3.793: 4 rooms, one room bought (60 000 元).
    # Kills `_initial_cones`' `continue` → `break` on the empty primary stage (the junior cone never
    # built nor checked: nothing bought, the CV stays over).
    t = table(junior("1", 100, multimedia_rooms=3), junior("2", 100, multimedia_rooms=10))
    rec, cert = _solve(t, rooms)
    assert _adds(rec) == [[0, 1.0]] and cert["model_cost"] == pytest.approx(ROOM)


def test_an_indicator_without_any_standard_is_planned_by_its_cv_alone(tmp_path_factory):
    # CV-only standard (no school rule) whose one indicator has no standard at all: rooms per 100 pupils
    # 1, 5, 5 (100 pupils each): mean 11/3, SD √(32/9): CV 0.514 > 0.5;
    # one room at school 1 gives 2, 5, 5: CV 0.354.
    # (test_optimal_model_edges.py works it out.) Kills `_met_and_active`'s missing standard read as
    # `None` (`get(st, None)`, `get(st, )`: float(None)) and its norm `np.where(…, None)`, and
    # `_add_indicator`'s norm `… or True` (NaN: the programme reads NaN).
    std = _std(tmp_path_factory, "rooms-cv-only", standard="", school_rule="", all_pass="false")
    rec, cert = _solve(table(primary("1", 100, rooms=1), primary("2", 100, rooms=5), primary("3", 100, rooms=5)), std)
    assert _adds(rec) == [[0, 1.0]] and cert["model_cost"] == pytest.approx(ROOM)


def test_a_budget_below_the_price_of_a_room_buys_nothing_and_still_solves(rooms):
    # budget 10 000 元 < one room (60 000 元); one indicator, so no exemption (`allowed` = 0): the section
    # below its standard is relaxed by s·(1 − pass) and stays failing. Kills the budget relaxation's sign
    # without an exemption (`x + inc ≥ s + relax`: a failing section must reach 2 s — no plan at all).
    rec, cert = _solve(_small_school_county(), rooms, budget=10_000.0)
    assert rec.empty and cert["sections_failing_after"] == 1 and cert["budget"] == 10_000.0
    # the second solve (least cost keeping the first's result) is feasible: the CV excess was 0 and
    # stays ≤ 0 + 1e-6 (kills `≤ excess − 1e-6`: an infeasible second solve, SCIP's status says so)
    assert cert["status"] == "optimal" and cert["cv_excess"] == pytest.approx(0.0, abs=1e-9)


def test_a_budget_removes_a_cv_excess_it_can_afford():
    # quality-2017; equipment 2000 and 7000 元 per pupil (100 pupils each, both meet the standard 2000):
    # CV 5000/9000 = 0.556 > 0.5. Removing the excess costs 33 400 元 (school 1 to 2333.4 元 per pupil,
    # test_optimal_model_edges.py); the budget is 100 000 元. In units of the standard the excess is
    # SD − t·mean = 1.25 − 0.5·2.25 = 0.125, and the money (3.34 万元) only breaks ties (weight 1e-9).
    # Kills the tie-break weight `1.000000001 · cost` (money outweighs the excess: nothing bought).
    q = load_standard("quality-2017")
    t = table(primary("1", 100, equipment=2000.0 * 100), primary("2", 100, equipment=7000.0 * 100))
    rec, cert = _solve(t, q, budget=100_000.0)
    add = rec[rec["kind"] == "add"].groupby("_row")["amount"].sum()
    assert cert["cv_excess"] == pytest.approx(0.0, abs=1e-6) and add[0] >= 33_400
    assert add.sum() <= 33_500 + 1e-9


def test_a_budget_plan_spends_nothing_on_additions_that_count_for_nothing():
    # quality-2017. School 3 (200 pupils, 7 qualified teachers: 3.5 per 100 < 0.85 × 4.2 = 3.57) passes
    # with one hire (120 000 元). School 4 (400 pupils, 2 ㎡ of teaching area per pupil, floor
    # 0.85 × 4.5 = 3.825) needs 730 ㎡ at 3500 元 = 2 555 000 元, more than the budget (500 000 元): it
    # stays failing, and nothing else is short. So the plan is one hire, 120 000 元. The money term of
    # the weighted objective (1e-9 per 万元) is below SCIP's gap (1e-4 of 1000 per section passing):
    # the plan used to add three unneeded hires at school 4 (480 000 元); the second solve
    # (optimal._spend_least) keeps what the first achieved at the least cost.
    q = load_standard("quality-2017")
    t = table(primary("1", 100), primary("2", 100), primary("3", 200, qualified=7),
              primary("4", 400, teaching_area=400 * 2.0))
    rec, cert = _solve(t, q, budget=500_000.0)
    add = rec[rec["kind"] == "add"]
    assert add[["_row", "field", "amount"]].values.tolist() == [[2, "qualified_teachers", 1.0]]
    assert cert["sections_failing_after"] == 1
