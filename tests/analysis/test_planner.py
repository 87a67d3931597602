"""The planner (issue 4 §2): least-cost additions so that every section and every CV passes.

Hand-computed cases with the arithmetic written out, then property tests on small random
counties: the plan passes (all sections, all CVs), is never dearer than a naive baseline, uses
whole units, and transfers conserve county totals.
"""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balance.analysis.planner import (
    TEACHER_FIELDS,
    _Group,
    _solve,
    cv_contributions,
    load_costs,
    plan,
    plan_schools,
    planned_input_frame,
    write_plan,
)
from balance.errors import InputError
from balance.method.assessment import assess_schools
from balance.method.indicators import indicator_values, standard_values
from balance.method.official import at_most, pupil_weighted_cv, school_rule
from balance.method.scope import apply_scope
from balance.method.sections import build_sections
from balance.method.standards import load_standard
from balance.schema import FACILITY_COLUMNS, STAGE_COLUMNS
from tests.factories import primary, school, table

Q = load_standard("quality-2017")
COSTS = load_costs()


def _junior(code, students, **kw):
    """An 初级中学 meeting every junior standard (5.3, 1.0, 0.9, 5.8 ㎡, 10.2 ㎡, 2500 元, 2.4)."""
    p = students
    return school(code, school_type="初级中学", junior_students=p, junior_classes=max(1, p // 45),
                  junior_teachers=kw.pop("teachers", p // 8), junior_qualified_teachers=kw.pop("qualified", -(-p * 6 // 100)),
                  junior_backbone_teachers=kw.pop("backbone", -(-p * 2 // 100)),
                  junior_pe_art_teachers=kw.pop("pe_art", -(-p // 100)),
                  teaching_area=kw.pop("teaching_area", 6.5 * p), sports_ground_area=kw.pop("ground", 11.0 * p),
                  equipment_value=kw.pop("equipment", 3000.0 * p), multimedia_rooms=kw.pop("rooms", -(-p * 3 // 100)), **kw)


def _passes(a) -> bool:
    return bool(len(a.verdicts)) and bool(a.verdicts["passed"].all())


# ------------------------------------------------------------------------------ hand-computed

def test_school_rule_uses_the_85_percent_floor_for_the_cheapest_indicator():
    # School 1: 200 pupils, 6 qualified teachers → 6·100/200 = 3.0 per 100 < 0.85·4.2 = 3.57.
    # Only that indicator is below standard, so it is the one left at 85 %:
    #   floor: 3.57·200/100 = 7.14 → 8 teachers → add 2 (full standard: 8.4 → 9 → add 3).
    # Cost 2 × 120 000 = 240 000 元; 小学专任教师数 rises by 2 as well.
    t = table(primary("1", 200, qualified=6), primary("2", 200), primary("3", 200))
    p = plan_schools(t, Q)
    add = p.items[p.items["kind"] == "add"]
    assert list(add["column"]) == ["小学专科及以上学历专任教师数"]
    assert add["amount"].iloc[0] == 2 and add["cost"].iloc[0] == 240_000
    tot = p.items[p.items["kind"] == "teacher_total"]
    assert list(tot["column"]) == ["小学专任教师数"] and tot["amount"].iloc[0] == 2
    assert p.total_cost == 240_000
    assert _passes(p.after) and p.feasible
    # raising to the full standard would cost one more teacher
    assert p.planned.loc[0, "primary_qualified_teachers"] == 8


def test_water_filling_lifts_the_low_end_hand_computed():
    # Three schools of 100 pupils, equipment 2000, 2000, 8000 元/pupil: all meet the standard 2000,
    # but X = 4000, S² = (2·2000² + 4000²)/3 = 8e6, CV = 2828.43/4000 = 0.7071 > 0.50.
    # Lift the two low ones to L, d = 8000 − L: X = 8000 − 2d/3, S = d·√2/3,
    # CV = 0.5 ⇔ d(√2 + 1)/3 = 4000 ⇔ d = 12000(√2 − 1) = 4970.56 → L = 3029.44 元/pupil.
    # School-level add (resolution 100 元): (3029.44 − 2000)·100 = 102 944 → 103 000 each.
    # Check 103 000: L = 3030, d = 4970, CV = (4970·√2/3)/(8000 − 9940/3) = 0.49993 ≤ 0.5;
    #       102 900: L = 3029, d = 4971, CV = 0.50010 > 0.5 — so 103 000 is the least.
    # Total 206 000 元. A uniform lift of all three by 1657 元/pupil would cost 497 100 元.
    t = table(primary("1", 100, equipment=200_000.0), primary("2", 100, equipment=200_000.0),
              primary("3", 100, equipment=800_000.0))
    p = plan_schools(t, Q)
    add = p.items.set_index("school_code")
    assert set(add.index) == {"9999999991", "9999999992"}
    assert add["amount"].tolist() == [103_000.0, 103_000.0]
    assert p.total_cost == 206_000
    d = 8000 - 3030
    assert pupil_weighted_cv([3030, 3030, 8000], [100, 100, 100]) == pytest.approx(d * math.sqrt(2) / 3 / (8000 - 2 * d / 3))
    assert pupil_weighted_cv([3029, 3029, 8000], [100, 100, 100]) > 0.5
    assert _passes(p.after)


def test_marginal_allocation_of_whole_teachers_hand_computed():
    # Four schools of 100 pupils, PE/art teachers 1, 1, 1, 5 → 1, 1, 1, 5 per 100 (standard 0.9: all met).
    # X = 2, S² = (3·1 + 9)/4 = 3, CV = 1.732/2 = 0.866 > 0.5. One teacher = +1 per 100.
    #   2 teachers: (2,2,1,5): X = 2.5, S² = (2·0.25 + 2.25 + 6.25)/4 = 2.25, CV = 0.6   (best with 2)
    #   3 teachers: (2,2,2,5): X = 2.75, S² = (3·0.5625 + 5.0625)/4 = 1.6875, CV = 0.4724 ≤ 0.5
    # So 3 teachers, 360 000 元 (a uniform lift would need +2 each: 8 teachers).
    t = table(primary("1", 100, pe_art=1), primary("2", 100, pe_art=1), primary("3", 100, pe_art=1),
              primary("4", 100, pe_art=5))
    p = plan_schools(t, Q)
    add = p.items[p.items["kind"] == "add"]
    assert add["amount"].tolist() == [1, 1, 1] and p.total_cost == 360_000
    assert pupil_weighted_cv([2, 2, 2, 5], [100] * 4) == pytest.approx(math.sqrt(1.6875) / 2.75)
    assert _passes(p.after)


def test_transfers_move_teachers_instead_of_hiring_hand_computed():
    # Same county as above with rotation allowed (20 000 元 per teacher moved):
    #   move 1 from school 4 to school 1: (2,1,1,4): X = 2, S² = (0+1+1+4)/4 = 1.5, CV = 0.612
    #   move 1 more to school 2:          (2,2,1,3): X = 2, S² = (0+0+1+1)/4 = 0.5, CV = 0.354 ≤ 0.5
    # School 4 keeps 3 per 100 ≥ 0.9 (still passes). Cost 2 × 20 000 = 40 000 元 instead of 360 000.
    t = table(primary("1", 100, pe_art=1), primary("2", 100, pe_art=1), primary("3", 100, pe_art=1),
              primary("4", 100, pe_art=5))
    p = plan_schools(t, Q, transfers=True)
    it = p.items
    assert p.total_cost == 40_000
    moved = it[it["kind"].isin(["transfer_in", "transfer_out"])]
    assert moved["amount"].sum() == 0
    assert moved.set_index("school_code")["amount"].to_dict() == {"9999999991": 1, "9999999992": 1, "9999999994": -2}
    assert it[it["kind"] == "teacher_total"]["amount"].sum() == 0  # county total unchanged
    assert _passes(p.after)


def test_combined_school_facility_written_at_school_level():
    # 九年一贯制 with A = 600 primary, B = 300 junior: primary share 600/930, junior 330/930.
    # Sports ground 0 → primary needs 7.5·600 = 4500 ㎡ and junior 10.2·300 = 3060 ㎡ (section terms)
    # — but 85 % is enough for the one indicator each section may leave below standard:
    # primary 0.85·4500 = 3825 → school 3825·930/600 = 5928.75 → 5929 ㎡;
    # junior 0.85·3060 = 2601 → school 2601·930/330 = 7330.09 → 7331 ㎡.
    # One addition serves both: A = max = 7331 ㎡, so the primary section gets 7331·600/930 ≥ 3825.
    row = school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300,
                 primary_classes=15, junior_classes=7, primary_teachers=60, junior_teachers=40,
                 primary_qualified_teachers=30, junior_qualified_teachers=20, primary_backbone_teachers=12,
                 junior_backbone_teachers=6, primary_pe_art_teachers=6, junior_pe_art_teachers=3,
                 teaching_area=9300.0 * 1.3, sports_ground_area=0.0, equipment_value=930 * 3000.0,
                 multimedia_rooms=30)
    p = plan_schools(table(row), Q)
    g = p.items[p.items["column"] == "体育运动场地面积(㎡)"]
    assert len(g) == 1 and g["amount"].iloc[0] == 7331 and g["stage"].iloc[0] == "小学、初中"
    secs = build_sections(p.planned, Q).set_index("stage")
    assert secs.loc["初中", "sports_ground_area"] == pytest.approx(7331 * 330 / 930)
    assert secs.loc["初中", "sports_ground_area"] >= 2601 and secs.loc["小学", "sports_ground_area"] >= 3825
    assert _passes(p.after)


def test_water_filling_matches_a_numerical_optimum():
    # Continuous single-stage case: compare with scipy's SLSQP on min Σu s.t. CV(x + u/P) ≤ 0.5, u ≥ bounds.
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    P = rng.integers(50, 800, 8).astype(float)
    x = rng.uniform(2000, 9000, 8)
    x[:2] = 20_000
    grp = _Group(stage="小学", k=5, indicator="x", field="equipment_value", rows=np.arange(8), columns=["e"] * 8,
                 P=P, x=x, g=1.0 / P, cost=1.0, whole=False, step=0.0, s=2000.0, target=0.5)
    u, cost = _solve(grp, np.full(8, 2000.0))
    assert pupil_weighted_cv(x + u / P, P) <= 0.5 + 1e-9
    cons = {"type": "ineq", "fun": lambda v: 0.5 - pupil_weighted_cv(x + v / P, P)}
    res = minimize(lambda v: v.sum() / 1e6, u * 1.2 + 1000, constraints=[cons], bounds=[(0, None)] * 8,
                   method="SLSQP", options={"maxiter": 500, "ftol": 1e-12})
    assert pupil_weighted_cv(x + res.x / P, P) <= 0.5 + 1e-6
    assert cost <= res.x.sum() * (1 + 1e-4)


def test_cv_contributions_hand_computed():
    # x = (2, 4) qualified per 100, P = (100, 300): X = 3.5;
    # P(x − X)²: 100·2.25 = 225 and 300·0.25 = 75 → shares 0.75 and 0.25.
    t = table(primary("1", 100, qualified=2), primary("2", 300, qualified=12))
    c = cv_contributions(assess_schools(t, Q))
    q = c[c["indicator"] == "每百名学生拥有高于规定学历教师数"]
    assert q["school_code"].tolist() == ["9999999991", "9999999992"]
    assert q["contribution"].tolist() == pytest.approx([0.75, 0.25])
    assert q["side"].tolist() == ["below", "above"] and q["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert q["rank"].tolist() == [1, 2]
    same = c[c["indicator"] == "每百名学生拥有县级及以上骨干教师数"]  # both 2 per 100: no variance
    assert same["contribution"].isna().all()


def test_costs_file_overrides_and_errors(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("items:\n  pe_art_teachers: 90000\n  teaching_area: {cost: 3000, 初中: 3200}\nteacher_years: 3\n",
                 encoding="utf-8")
    c = load_costs(f)
    assert c.unit_cost("pe_art_teachers", "小学") == 270_000
    assert c.unit_cost("teaching_area", "初中") == 3200 and c.unit_cost("teaching_area", "小学") == 3000
    assert c.unit_cost("multimedia_rooms", "小学") == 60_000  # default kept
    bad = tmp_path / "bad.yaml"
    bad.write_text("items:\n  pe_art_teachers: -5\nfoo: 1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_costs(bad)
    cols = {p.column for p in e.value.errors}
    assert {"items.pe_art_teachers.cost", "foo"} <= cols
    assert all(p.problem_zh and p.problem_en and p.file == str(bad) for p in e.value.errors)


def test_basic_2012_is_refused_with_a_clear_message():
    t = table(primary("1", 100), primary("2", 100))
    with pytest.raises(InputError) as e:
        plan_schools(t, load_standard("basic-2012"))
    assert "basic-2012" in e.value.errors[0].problem_en


def test_passing_county_needs_nothing():
    t = table(primary("1", 300), primary("2", 400))
    p = plan_schools(t, Q)
    assert p.items.empty and p.total_cost == 0 and p.feasible
    assert p.counties[0]["before"]["passed"] and p.counties[0]["after"]["passed"]


# ------------------------------------------------------------------------------ property tests

FIELDS_P = {"qualified": ("primary_qualified_teachers", 4.2, 100), "backbone": ("primary_backbone_teachers", 1.0, 100),
            "pe_art": ("primary_pe_art_teachers", 0.9, 100), "rooms": ("multimedia_rooms", 2.3, 100)}


@st.composite
def counties(draw, combined=True):
    """3–6 schools: 小学, 初级中学 and (optionally) one 九年一贯制, each indicator at 0.5–3× standard."""
    n = draw(st.integers(3, 6))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(["小学", "小学", "初级中学"] + (["九年一贯制学校"] if combined and i == 0 else [])))
        f = lambda: draw(st.floats(0.5, 3.0))  # noqa: E731 - ratio to the standard
        if kind == "小学":
            p = draw(st.integers(60, 900))
            rows.append(primary(str(i + 1), p, teachers=p // 5, qualified=int(4.2 * p / 100 * f()),
                                backbone=int(1.0 * p / 100 * f()), pe_art=int(0.9 * p / 100 * f()),
                                teaching_area=4.5 * p * f(), ground=7.5 * p * f(), equipment=2000.0 * p * f(),
                                rooms=int(2.3 * p / 100 * f())))
        elif kind == "初级中学":
            p = draw(st.integers(60, 900))
            rows.append(_junior(str(i + 1), p, teachers=p // 4, qualified=int(5.3 * p / 100 * f()),
                                backbone=int(p / 100 * f()), pe_art=int(0.9 * p / 100 * f()),
                                teaching_area=5.8 * p * f(), ground=10.2 * p * f(), equipment=2500.0 * p * f(),
                                rooms=int(2.4 * p / 100 * f())))
        else:
            a, b = draw(st.integers(100, 800)), draw(st.integers(60, 500))
            w = a + 1.1 * b
            rows.append(school(str(i + 1), school_type=kind, primary_students=a, junior_students=b,
                               primary_classes=max(1, a // 40), junior_classes=max(1, b // 45),
                               primary_teachers=a // 5, junior_teachers=b // 4,
                               primary_qualified_teachers=int(4.2 * a / 100 * f()),
                               junior_qualified_teachers=int(5.3 * b / 100 * f()),
                               primary_backbone_teachers=int(a / 100 * f()), junior_backbone_teachers=int(b / 100 * f()),
                               primary_pe_art_teachers=int(0.9 * a / 100 * f()),
                               junior_pe_art_teachers=int(0.9 * b / 100 * f()),
                               teaching_area=5.2 * w * f(), sports_ground_area=8.8 * w * f(),
                               equipment_value=2300.0 * w * f(), multimedia_rooms=int(2.4 * w / 100 * f())))
    return table(*rows)


def _naive_cost(t: pd.DataFrame) -> float:
    """Baseline: raise every failing section to the full standard, then lift every section of a
    failing CV by the same amount per pupil (the smallest that meets the limit); facility additions
    of a combined school are bought once (the larger need), whole units rounded up."""
    secs = apply_scope(build_sections(t, Q), Q)
    secs = secs[secs["in_scope"]].reset_index(drop=True)
    vals = indicator_values(secs, Q)
    failing = ~school_rule(vals, standard_values(secs, Q), Q)["school_passed"].to_numpy(dtype=bool)
    adds: dict = {}
    for ind in Q.indicators:
        fld = ind.main_field
        coef = ind.numerator[fld]
        for stage in Q.stages:
            m = (secs["stage"] == stage).to_numpy()
            if not m.any():
                continue
            P = secs.loc[m, "students"].to_numpy(float)
            share = secs.loc[m, "facility_share"].to_numpy(float) if fld in FACILITY_COLUMNS else np.ones(m.sum())
            g = share * coef * ind.per / P
            x = vals.loc[m, ind.name].to_numpy(float)
            s = ind.standard[stage]
            whole = ind.whole_units
            step = COSTS.step(fld)

            def rnd(u):
                u = np.maximum(u, 0)
                if whole:
                    return np.ceil(u - 1e-9)
                return np.ceil(u / step - 1e-9) * step if step else u
            u = rnd(np.where(failing[m] & (x < s), (s - x) / g, 0.0))
            y = x + u * g
            lim = Q.cv_limit[stage] - 1e-6
            d = 0.0
            while not at_most(pupil_weighted_cv(y + d, P), lim):
                d = max(d * 1.05, 1e-3 * y.mean())
            uu = rnd(u + d / g)
            while not at_most(pupil_weighted_cv(x + uu * g, P), lim):
                d *= 1.01
                uu = rnd(u + d / g)
            codes = secs.loc[m, "school_code"].to_numpy()
            col = fld if fld in FACILITY_COLUMNS else STAGE_COLUMNS[stage][fld]
            for c, v in zip(codes, uu):
                key = (c, col)
                adds[key] = max(adds.get(key, 0), v) if fld in FACILITY_COLUMNS else v
                if v:
                    adds[key + ("cost",)] = COSTS.unit_cost(fld, stage)
    return float(sum(v * adds[k + ("cost",)] for k, v in adds.items() if len(k) == 2 and v))


def _check_plan(t, p):
    # after applying the plan the full assessment passes: every section, every CV
    a = p.after
    assert a.verdicts["passed"].all(), a.verdicts["failing_items"].tolist()
    assert a.school_results["school_passed"].all()
    ci = a.county_indicators
    assert at_most(ci["cv"], ci["cv_limit"]).all()
    # whole units: teachers and rooms (every count column) are whole numbers
    it = p.items
    counts = it["field"].isin([*TEACHER_FIELDS, "multimedia_rooms"])
    assert (it.loc[counts, "amount"] == np.round(it.loc[counts, "amount"])).all()
    assert (p.planned["multimedia_rooms"] == np.round(p.planned["multimedia_rooms"])).all()
    # nothing is ever removed except teachers moved away
    assert (it.loc[it["kind"] == "add", "amount"] > 0).all()
    # the planned table is what the items say
    assert p.planned["teaching_area"].sum() == pytest.approx(
        t["teaching_area"].sum() + it.loc[it["field"] == "teaching_area", "amount"].sum())


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(counties())
def test_plan_passes_and_is_never_dearer_than_the_naive_baseline(t):
    p = plan_schools(t, Q)
    _check_plan(t, p)
    assert p.total_cost <= _naive_cost(t) + 1e-6


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(counties(combined=False))
def test_transfers_conserve_county_totals_and_donors_still_pass(t):
    p = plan_schools(t, Q, transfers=True)
    _check_plan(t, p)
    it = p.items
    moved = it[it["kind"].isin(["transfer_in", "transfer_out"])]
    for _, g in moved.groupby(["year", "county_code", "stage", "column"]):
        assert g["amount"].sum() == 0
    assert (moved.loc[moved["kind"] == "transfer_out", "cost"] == 0).all()
    for stage in Q.stages:
        hired = it[(it["kind"] == "add") & it["field"].isin(TEACHER_FIELDS) & (it["stage"] == stage)]["amount"].sum()
        col = STAGE_COLUMNS[stage]["teachers"]
        assert p.planned[col].sum() - t[col].sum() == hired  # totals change only by hires
    assert (p.planned[[c for c in p.planned.columns if c.endswith("teachers")]] >= 0).all().all()


# ------------------------------------------------------------------------------ files and CLI

def _demo_table():
    return table(primary("1", 400, qualified=10, equipment=400 * 1500.0), primary("2", 300),
                 primary("3", 200, equipment=200 * 9000.0, rooms=30), primary("4", 500, teaching_area=1500.0),
                 _junior("5", 600), _junior("6", 300, pe_art=1, ground=1000.0))


def test_write_plan_files_and_planned_input_round_trip(tmp_path):
    from balance.io.reading import load_school_table

    t = _demo_table()
    p = plan_schools(t, Q)
    paths = write_plan(p, tmp_path)
    names = {x.name for x in paths}
    assert {"plan.csv", "plan_summary.csv", "plan_summary.json", "planned_input.csv"} <= names
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".balance-tmp")]
    plan_csv = pd.read_csv(tmp_path / "plan.csv", encoding="utf-8-sig", dtype={"school_code": str, "county_code": str})
    assert list(plan_csv.columns[:8]) == ["year", "county_code", "county_name", "school_code", "school_name",
                                          "school_type", "stage", "column"]
    assert {"amount", "cost"} <= set(plan_csv.columns)
    assert plan_csv["cost"].sum() == pytest.approx(p.total_cost)
    raw = (tmp_path / "planned_input.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = load_school_table(tmp_path / "planned_input.csv")
    assert list(pd.read_csv(tmp_path / "planned_input.csv", encoding="utf-8-sig", nrows=0).columns)[:3] == ["年份", "县区代码", "县区名称"]
    a = assess_schools(back.data, Q)
    assert _passes(a)
    import json
    js = json.loads((tmp_path / "plan_summary.json").read_text(encoding="utf-8"))
    c = js["counties"][0]
    assert c["before"]["passed"] is False and c["after"]["passed"] is True
    assert c["total_cost"] == pytest.approx(p.total_cost)
    assert sum(i["cost"] for i in c["cost_by_item"]) == pytest.approx(p.total_cost)
    assert p.summary["cost"].sum() == pytest.approx(p.total_cost)


def test_cli_plan_then_assess(tmp_path, capsys):
    from balance.cli import main

    src = tmp_path / "schools.csv"
    planned_input_frame(_demo_table()).to_csv(src, index=False, encoding="utf-8-sig")
    out = tmp_path / "plan"
    assert main(["plan", str(src), "--out", str(out), "--transfers"]) == 0
    text = capsys.readouterr().out
    assert "万元" in text and "✓" in text
    assert main(["assess", str(out / "planned_input.csv"), "--out", str(tmp_path / "a"), "--no-excel"]) == 0
    v = pd.read_csv(tmp_path / "a" / "county_indicators.csv", encoding="utf-8-sig")
    assert v["cv_passed"].all()
    # the plan as a what-if scenario gives the same verdicts without touching the input
    before = src.read_bytes()
    assert main(["assess", str(src), "--scenario", str(out / "plan.csv"), "--out", str(tmp_path / "s"), "--no-excel"]) == 0
    assert src.read_bytes() == before
    s = pd.read_csv(tmp_path / "s" / "school_results.csv", encoding="utf-8-sig")
    assert s["school_passed"].all()


def test_plan_accepts_file_and_filters(tmp_path):
    src = tmp_path / "schools.csv"
    t = _demo_table()
    t2 = t.copy()
    t2["year"] = 2024
    planned_input_frame(pd.concat([t, t2], ignore_index=True)).to_csv(src, index=False, encoding="utf-8-sig")
    p = plan(src, year=2024)
    assert set(p.planned["year"]) == {2024} and p.feasible
    from balance.method.assessment import assess

    a = assess(src, year=2025)
    q = plan(a)   # an Assessment: its table is read again from its source file
    assert set(q.planned["year"]) == {2025} and q.feasible and q.total_cost == pytest.approx(p.total_cost)
    with pytest.raises(InputError):
        plan(src, county="123456")
