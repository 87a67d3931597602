"""The optimiser's objective in 万元 (``optimal_model``): an edge the mutation run (round 5) found
unwatched. The plans' own costs are summed from the records (元), so an objective term scaled by
SCALE² (``kappa * SCALE`` instead of ``kappa / SCALE``) went unseen; the certificate's model cost
(SCIP's objective × SCALE) shows it.

Hand-computed counties: three primary schools of 200 pupils (method as in
``tests/analysis/test_planner.py``):
- teachers: school 1 with 6 qualified teachers → 2 whole hires of 120 000 元 = 240 000 元;
- facilities: school 1 with 1 200 ㎡ of teaching area (6 ㎡ per pupil) and nothing else short.
"""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from balance.analysis.planner import load_costs, plan_schools
from balance.analysis.planner.optimal import solve_county
from balance.method.assessment import assess_schools
from balance.method.standards import STANDARDS_DIR, load_standard
from tests.factories import junior, primary, table

Q = load_standard("quality-2017")


def _cert(p):
    (c,) = p.counties
    return c


def test_the_model_cost_of_whole_hires_is_their_cost():
    # kills `pg.obj.append(kappa * SCALE * h)` in _teacher_increment (model cost 1e8 × too high)
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q)
    c = _cert(p)
    assert p.total_cost == 240_000
    assert c["model_cost"] == pytest.approx(240_000) and c["gap_rounding"] == pytest.approx(0.0, abs=1e-9)


def test_the_model_cost_of_a_facility_addition_is_at_most_its_rounded_cost():
    # kills `pg.obj.append(kappa * SCALE * v)` in _facility_increment: the continuous optimum costs
    # no more than the plan rounded up to the resolution, and no less than the bound
    p = plan_schools(table(primary("1", 200, teaching_area=200 * 3.0), primary("2", 200), primary("3", 200)), Q)
    c = _cert(p)
    assert p.total_cost > 0 and set(p.items.loc[p.items["kind"] == "add", "field"]) == {"teaching_area"}
    assert c["lower_bound"] - 1e-6 <= c["model_cost"] <= p.total_cost + 1e-6
    assert 0.0 <= c["gap_optimisation"] <= 0.01
    # optimal._read_solution: a facility addition names no counterpart school ("" → "XXXX")
    assert (p.items.loc[p.items["kind"] == "add", "counterpart"].fillna("") == "").all()


def test_one_whole_hire_is_read_back_and_records_carry_no_counterpart():
    # optimal._read_solution: kills `amt > 1` (a single hire dropped: the repair rounds never pass) and
    # the add records' counterpart "" → "XXXX" (only rotations name a counterpart school).
    # School 1 with 7 qualified teachers: 7·100/200 = 3.5 < 0.85·4.2 = 3.57 → 7.14 → 8: one hire.
    p = plan_schools(table(primary("1", 200, qualified=7), primary("2", 200), primary("3", 200)), Q)
    add = p.items[p.items["kind"] == "add"]
    assert p.feasible and p.total_cost == 120_000 and add["amount"].tolist() == [1]
    assert (add["counterpart"].fillna("") == "").all()


def test_the_solver_status_is_reported():
    # kills `status = None` in _solve_with_lazy_cones and `_certificate(pg, sol, None, …)` in solve_county
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q)
    assert _cert(p)["solver_status"] in {"optimal", "gaplimit"}


def test_a_budget_reaches_the_programme():
    # kills solve_county's `_Programme(m, df, secs, std, None)`: the budget (12 万元, half of the
    # 240 000 元 plan) must cap what is bought
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q, budget_wan=12)
    assert p.method == "budget" and p.total_cost <= 120_000 and not p.feasible  # 1 hire cannot pass: none bought


def test_the_optimiser_rotates_and_keeps_a_donor_above_its_subsets():
    # optimal_model._add_transfer_rules, the cases of test_transfers_edges.py solved by the optimiser:
    # PE/art 0, 1, 2 per 100 pupils — school 1 takes one teacher from school 3 (20 000 元); but when
    # school 3 has 5 teachers, all 5 qualified, giving one would leave 4 < 5 qualified: a hire instead
    # (120 000 元). Kills the subset constraint's sign mutants and the donor-delta mutants.
    def rows(p):
        return sorted(zip(p.items["school_code"], p.items["kind"], p.items["amount"]))

    p = plan_schools(table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1), primary("3", 100, pe_art=2)),
                     Q, transfers=True)
    assert p.feasible and p.total_cost == 20_000
    assert rows(p) == [("9999999991", "teacher_total", 1), ("9999999991", "transfer_in", 1),
                       ("9999999993", "teacher_total", -1), ("9999999993", "transfer_out", -1)]
    p = plan_schools(table(primary("1", 100, pe_art=0), primary("2", 100, pe_art=1),
                           primary("3", 100, pe_art=2, teachers=5, qualified=5)), Q, transfers=True)
    assert p.feasible and p.total_cost == 120_000
    assert rows(p) == [("9999999991", "add", 1), ("9999999991", "teacher_total", 1)]


# ------------------------------------------------------------------ round 6: the survivors round 5 left

def _custom(tmp_path_factory, name, edit):
    """quality-2017 changed by ``edit`` (a function of its YAML dict), as a standard file."""
    d = yaml.safe_load((STANDARDS_DIR / "quality-2017.yaml").read_text(encoding="utf-8"))
    edit(d)
    d["id"] = name
    path = tmp_path_factory.mktemp("std") / f"{name}.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return load_standard(path)


def _with_teacher_ratio(d):
    # an 8th indicator, 专任教师 per 100 pupils (field `teachers`, which cannot rotate); 7 of 8 must meet
    d["indicators"].append({"name": "每百名学生拥有专任教师数", "short": "师生比", "numerator": {"teachers": 1},
                            "per": 100, "unit": "人/百生", "add_unit": "人", "whole_units": True,
                            "standard": {"小学": 5.0, "初中": 7.0}})
    d["school_rule"]["min_met"] = 7


def _without_backbone(d):
    d["indicators"] = [i for i in d["indicators"] if "骨干" not in i["name"]]
    d["school_rule"]["min_met"] = 5


@pytest.fixture(scope="module")
def with_ratio(tmp_path_factory):
    return _custom(tmp_path_factory, "quality-with-teacher-ratio", _with_teacher_ratio)


@pytest.fixture(scope="module")
def without_backbone(tmp_path_factory):
    return _custom(tmp_path_factory, "quality-without-backbone", _without_backbone)


def _rows(p):
    return sorted(zip(p.items["school_code"], p.items["kind"], p.items["field"], p.items["amount"]))


def test_a_donor_whose_teachers_are_all_qualified_may_give_a_qualified_teacher():
    # Schools of 100 pupils with 3, 4 and 6 qualified teachers (standard 4.2 per 100, floor 3.57): school 1
    # needs one more; school 2 (4, exempted) cannot give; school 3 has 6 teachers, all qualified, and can
    # give one: 5 of 5 teachers qualified is fine (the subset constraint is total − 1 ≥ qualified − 1).
    # One rotation, 20 000 元. `… ≥ v − delta` (5 ≥ 7) and `delta.get(None, 0)` (5 ≥ 6) forbid it: a hire.
    t = table(primary("1", 100, qualified=3), primary("2", 100, qualified=4), primary("3", 100, teachers=6, qualified=6))
    p = plan_schools(t, Q, transfers=True)
    assert p.feasible and p.total_cost == 20_000
    assert _rows(p) == [("9999999991", "teacher_total", "teachers", 1), ("9999999991", "transfer_in",
                                                                        "qualified_teachers", 1),
                        ("9999999993", "teacher_total", "teachers", -1), ("9999999993", "transfer_out",
                                                                         "qualified_teachers", -1)]


def test_a_teacher_indicator_that_cannot_rotate_adds_no_rotations_and_relaxes_no_donor(with_ratio):
    # quality-2017 + 专任教师 per 100 pupils (5.0), 7 of 8. School 3 (200 pupils, 9 teachers: 4.5 per 100,
    # exempted) makes that indicator active: hire variables but no rotation variables (`teachers` cannot
    # rotate). School 1 needs a qualified teacher (3 → 4 per 100); school 2 has 6 qualified, but all its 10
    # teachers are titled (中级职称): giving one would leave 9 teachers < 10 titled. School 3 cannot give
    # (8/200 = 4.0 < 4.2 and its exemption is taken). So a hire, 120 000 元.
    # Kills, in _add_transfer_rules: the balance built from `tvars[…][2] is not None` and the delta's
    # `or True` (both unpack the `None` of a non-rotating indicator: TypeError), and `else 1` (the hire
    # term of that indicator + 1 relaxes school 2's titled constraint by one: a rotation, 20 000 元).
    t = table(primary("1", 100, qualified=3), primary("2", 100, qualified=6, titled=10),
              primary("3", 200, teachers=9, qualified=9, backbone=2, pe_art=2))
    p = plan_schools(t, with_ratio, transfers=True)
    assert p.feasible and p.total_cost == 120_000
    assert _rows(p) == [("9999999991", "add", "qualified_teachers", 1), ("9999999991", "teacher_total", "teachers", 1)]


def test_a_missing_teacher_subset_skips_only_its_own_donor_constraint(without_backbone):
    # quality-2017 without the backbone indicator; school 2's 骨干教师数 is missing (<NA>, as a nullable
    # count holds it). The donor constraints of school 2 skip backbone but keep titled: all its 10
    # teachers are titled, so it cannot give a qualified teacher to school 1 (3 → 4 per 100); school 3
    # (4 qualified, exempted) cannot either: a hire. Kills `continue` → `break` on the missing subset
    # (titled skipped too: a rotation) and the NA tests `v is pd.NA and …` / `v is None and v is pd.NA`
    # (float(<NA>): TypeError). solve_county is given the table as it is (plan_schools would pass floats).
    t = table(primary("1", 100, qualified=3), primary("2", 100, qualified=6, titled=10), primary("3", 100, qualified=4))
    t["primary_backbone_teachers"] = t["primary_backbone_teachers"].astype("Int64")
    t.loc[1, "primary_backbone_teachers"] = pd.NA
    a = assess_schools(t, without_backbone)
    secs = a.sections[a.sections["in_scope"]].reset_index(drop=True)
    rec, cert = solve_county(t, secs, without_backbone, load_costs(), transfers=True)
    assert rec[["_row", "field", "kind", "amount"]].values.tolist() == [[0, "qualified_teachers", "add", 1.0]]
    assert cert["model_cost"] == pytest.approx(120_000)


def test_a_stage_price_is_the_price_of_the_stage():
    # costs: a junior qualified teacher 150 000 元 (120 000 otherwise), junior-school equipment 2 元 per 元.
    # Junior school 1 has 4 qualified teachers per 100 pupils (standard 5.3, floor 4.505): one hire →
    # 5, exempted. Junior school 2 has 2000 元 of equipment per pupil (standard 2500, floor 2125): 12 500 元
    # of equipment, exempted. 150 000 + 2 × 12 500 = 175 000 元. Kills `unit_cost(fld, None)` in
    # _teacher_increment and _facility_increment (the records' unit costs are the default 120 000 and 1).
    costs = load_costs({"items": {"qualified_teachers": {"cost": 120_000, "初中": 150_000},
                                  "equipment_value": {"cost": 1, "初中": 2}}})
    t = table(junior("1", 100, junior_qualified_teachers=4), junior("2", 100, equipment_value=2000.0 * 100),
              junior("3", 100))
    p = plan_schools(t, Q, costs)
    add = p.items[p.items["kind"] == "add"]
    assert p.feasible and p.total_cost == 175_000
    assert sorted(zip(add["field"], add["amount"], add["unit_cost"])) == [("equipment_value", 12_500.0, 2.0),
                                                                          ("qualified_teachers", 1.0, 150_000.0)]


def test_a_main_field_with_a_coefficient_is_priced_per_unit_of_the_field(tmp_path_factory):
    # Equipment counted in 千元 per pupil (numerator {equipment_value: 0.001}, standard 2.0 / 2.5): a
    # primary school of 100 pupils at 1500 元 = 1.5 千元 per pupil must reach the floor 0.85 × 2.0 = 1.7:
    # 200 元 per pupil, 20 000 元. An increment divided by the coefficient (`/ coef`) is 10⁶ times too
    # large: the model buys 0.02 元 (100 元 after rounding) and the county still fails.
    def thousands(d):
        (eq,) = [i for i in d["indicators"] if i["numerator"] == {"equipment_value": 1}]
        eq.update(numerator={"equipment_value": 0.001}, unit="千元/生", standard={"小学": 2.0, "初中": 2.5})
    std = _custom(tmp_path_factory, "quality-equipment-in-thousands", thousands)
    p = plan_schools(table(primary("1", 100, equipment=1500.0 * 100), primary("2", 100), primary("3", 100)), std)
    (c,) = p.counties
    assert p.feasible and p.total_cost == 20_000 and "repair_rounds" not in c
    assert _rows(p) == [("9999999991", "add", "equipment_value", 20_000.0)]


def test_a_budget_plan_within_every_cv_limit_reports_no_cv_excess():
    # the budget case above (12 万元, one hire affordable, none bought): every CV is within its limit
    # before and after, so the excess variables are 0. Kills `e` with lb=None (a negative excess is
    # rewarded by the objective) and lb=1.0 (an excess of 1 per cone).
    p = plan_schools(table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200)), Q, budget_wan=12)
    (c,) = p.counties
    assert c["cv_excess_after"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("resolution", [0, 1])
def test_a_budget_plan_buys_area_by_its_resolution_or_continuously(resolution):
    # School 1 of 200 pupils has 3.0 ㎡ of teaching area per pupil (standard 4.5, floor 3.825): 165 ㎡ at
    # 3500 元 = 577 500 元; 100 万元 is enough, and the budget programme brings the school to the floor.
    # Resolution 1 ㎡: the area is 1 ㎡ × a whole number (`A == step / n` would cap it at 1 ㎡);
    # resolution 0: continuous (with `step >= 0` it would be 0 × a whole number, i.e. nothing).
    costs = load_costs({"resolution": {"teaching_area": resolution}})
    p = plan_schools(table(primary("1", 200, teaching_area=200 * 3.0), primary("2", 200), primary("3", 200)), Q,
                     costs, budget_wan=100)
    area = p.items.loc[p.items["field"] == "teaching_area", "amount"].sum()
    assert p.feasible and 165 <= area <= 166


def test_rotations_balance_within_the_stage_of_a_one_stage_standard(tmp_path_factory):
    # quality-2017 for 小学 only. School 1 needs a qualified teacher (3 → 4 per 100), school 3 (6) can give
    # one: a rotation, 20 000 元, with its donor. The balance (moved in = moved out) is built per stage
    # of the standard; built from the sections of the *other* stages (`!=`) — none here — rotations come
    # from nowhere: a transfer in with no donor, no record to pair, the county fails after the plan.
    # (With two stages `!=` swaps the two stages' balances, the same constraints.)
    def primary_only(d):
        d["stages"] = ["小学"]
        for ind in d["indicators"]:
            ind["standard"] = {"小学": ind["standard"]["小学"]}
        d["cv_limit"] = {"小学": 0.5}
    std = _custom(tmp_path_factory, "quality-primary-only", primary_only)
    t = table(primary("1", 100, qualified=3), primary("2", 100, qualified=4), primary("3", 100, qualified=6))
    p = plan_schools(t, std, transfers=True)
    assert p.feasible and p.total_cost == 20_000
    assert _rows(p) == [("9999999991", "teacher_total", "teachers", 1), ("9999999991", "transfer_in",
                                                                        "qualified_teachers", 1),
                        ("9999999993", "teacher_total", "teachers", -1), ("9999999993", "transfer_out",
                                                                         "qualified_teachers", -1)]


def test_an_indicator_without_a_standard_keeps_its_cv_on_one_scale(tmp_path_factory):
    # A CV-only standard (no school rule; the county rule is the CVs alone) whose rooms indicator has no
    # school standard. Rooms per 100 pupils 1, 5, 5 (schools of 100 pupils): CV 0.514 > 0.5. One room at
    # school 1 gives 2, 5, 5: CV √((4 + 1 + 1)/3)/4 = 0.354 — 60 000 元. The programme used to divide
    # each section's value by its own max(|x|, 1) when there is no standard, so every section read 1,
    # the CV read 0 and nothing was bought (the county still failing); the scale is now one per stage.
    def cv_only(d):
        d["school_rule"] = None
        d["county_rule"]["all_sections_pass"] = False
        for ind in d["indicators"]:
            if ind["numerator"] == {"multimedia_rooms": 1}:
                ind.pop("standard")
    std = _custom(tmp_path_factory, "quality-cv-only", cv_only)
    p = plan_schools(table(primary("1", 100, rooms=1), primary("2", 100, rooms=5), primary("3", 100, rooms=5)), std)
    assert p.feasible and p.total_cost == 60_000
    assert _rows(p) == [("9999999991", "add", "multimedia_rooms", 1)]


def test_a_section_below_a_standard_under_one_is_not_counted_as_meeting_it():
    # PE/art standard 0.9 per 100, floor 0.765: school 1 (400 pupils, 3 teachers) is at 0.75 and needs one
    # hire (4 → 1.0). Kills `_met_and_active`'s `s_arr * norm_arr` (0.75/0.9 ≥ 0.9·0.9: "met", no rule).
    p = plan_schools(table(primary("1", 400, pe_art=3), primary("2", 400), primary("3", 400)), Q)
    (c,) = p.counties
    assert p.feasible and p.total_cost == 120_000 and "repair_rounds" not in c
    assert _rows(p) == [("9999999991", "add", "pe_art_teachers", 1), ("9999999991", "teacher_total", "teachers", 1)]


def test_a_two_school_stage_over_its_cv_limit_makes_the_indicator_active():
    # Equipment 2000 and 7000 元 per pupil (100 pupils each, both above the standard): CV 5000/9000 =
    # 0.556 > 0.5. School 1 must reach 7000·(1 − t)/(1 + t) = 2333.4 元 (t = 0.5 − 1e-5): 33 400 元 after
    # rounding (plus what solver noise at school 2 rounds up to: at most one 100 元 step). Kills
    # `len(idx) > 2` in _met_and_active (a two-section stage's CV ignored: nothing bought, the county fails).
    p = plan_schools(table(primary("1", 100, equipment=2000.0 * 100), primary("2", 100, equipment=7000.0 * 100)), Q)
    (c,) = p.counties
    add = p.items[p.items["kind"] == "add"].set_index("school_code")["amount"]
    assert p.feasible and "repair_rounds" not in c and add["9999999991"] == 33_400
    assert 33_400 <= p.total_cost <= 33_500
