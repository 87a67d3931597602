"""Year-by-year schedules (issue 13 §4): the schedule sums to the plan and respects the annual cap."""
from __future__ import annotations

import numpy as np
import pytest

from balance.analysis.planner.schedule import schedule_plan
from balance.errors import InputError
from tests.factories import primary, table


def _county():
    return table(primary("1", 400, qualified=10, equipment=400 * 1500.0), primary("2", 300),
                 primary("3", 200, equipment=200 * 9000.0, rooms=30), primary("4", 500, teaching_area=1500.0))


@pytest.mark.parametrize("cap", [None, 30.0, 5.0])
def test_schedule_sums_to_the_plan_and_respects_the_cap(cap):
    p, s, notes = schedule_plan(_county(), target_year=2028, annual_cap_wan=cap)
    assert p.total_cost > 0
    key = ["school_code", "column", "kind"]
    planned = p.items[p.items["cost"] > 0].groupby(key)["amount"].sum()
    sched = s.groupby(key)["amount"].sum()
    pd_index = planned.index
    assert np.allclose(sched.reindex(pd_index).to_numpy(), planned.to_numpy())
    assert s["cost"].sum() == pytest.approx(p.items["cost"].sum())
    within = s[~s["beyond_target"]]
    assert set(within["spend_year"]) <= {2026, 2027, 2028}
    if cap is not None:
        assert (within.groupby("spend_year")["cost"].sum() <= cap * 1e4 + 1e-6).all()
    assert bool(notes) == bool(s["beyond_target"].any())


def test_schedule_refuses_a_target_year_not_after_the_data():
    with pytest.raises(InputError):
        schedule_plan(_county(), target_year=2025)
    with pytest.raises(InputError):
        schedule_plan(_county(), target_year=2027, annual_cap_wan=0)


# --------------------------------------------------------------- pupil numbers of the target year

def _with_year(t, year, scale=1.0):
    t = t.copy()
    t["year"] = year
    t["primary_students"] = (t["primary_students"] * scale).round().astype("int64")
    return t


def test_projections_held_in_the_data_are_the_pupils_of_the_plan():
    import pandas as pd

    base = _county()
    fut = _with_year(base, 2028, 1.3)          # the data hold 2028 rows: projected enrolment
    p, s, _ = schedule_plan(pd.concat([base, fut], ignore_index=True), target_year=2028)
    assert p.planned["primary_students"].tolist() == fut["primary_students"].tolist()
    assert set(p.planned["year"]) == {2025}    # resources of the base year
    assert "2028 年记录" in p.pupil_basis
    flat, _, _ = schedule_plan(base, target_year=2028)
    assert p.total_cost > flat.total_cost      # more pupils, more to add
    assert s["cost"].sum() == pytest.approx(p.total_cost)


def test_without_projections_a_stated_trend_or_constant_enrolment():
    import pandas as pd

    base = _county()
    old = _with_year(base, 2023, 1 / 1.21)     # two years earlier: 10 % a year growth
    p, _, _ = schedule_plan(pd.concat([old, base], ignore_index=True), target_year=2027)
    growth = (base["primary_students"].sum() / old["primary_students"].sum()) ** 0.5
    expect = (base["primary_students"] * growth ** 2).round()
    assert p.planned["primary_students"].tolist() == expect.astype(int).tolist()
    assert "年均变化率" in p.pupil_basis and "2023–2025" in p.pupil_basis
    q, _, _ = schedule_plan(base, target_year=2027)
    assert q.planned["primary_students"].tolist() == base["primary_students"].tolist()
    assert "保持 2025 年不变" in q.pupil_basis
