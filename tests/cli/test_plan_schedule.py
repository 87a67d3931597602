"""`balance plan --target-year Y [--annual-cap 万元]` (issue 13): the schedule file from the command line."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from balance.cli import main

DEMO = str(Path(__file__).resolve().parents[2] / "data" / "demo" / "schools.csv")


def test_schedule_sums_to_the_plan_and_respects_the_cap(tmp_path, capsys):
    out = tmp_path / "plan"
    rc = main(["plan", DEMO, "--county", "990108", "--year", "2025", "--target-year", "2028",
               "--annual-cap", "60", "--out", str(out)])
    assert rc in (0, 1)
    sched = pd.read_csv(out / "plan_schedule.csv", encoding="utf-8-sig")
    plan = pd.read_csv(out / "plan.csv", encoding="utf-8-sig")
    assert len(sched) > 0
    assert abs(sched["cost"].sum() - plan["cost"].sum()) < 1e-6 * max(1.0, plan["cost"].sum())
    within = sched[~sched["beyond_target"].astype(bool)]
    assert set(within["spend_year"]) <= {2026, 2027, 2028}
    assert (within.groupby("spend_year")["cost"].sum() <= 60 * 1e4 + 1e-6).all()
    assert "年投入 / spend in" in capsys.readouterr().out


def test_annual_cap_without_target_year_is_refused_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "plan"
    rc = main(["plan", DEMO, "--county", "990108", "--year", "2025", "--annual-cap", "60", "--out", str(out)])
    assert rc == 2
    assert not out.exists()
    err = capsys.readouterr()
    assert "--annual-cap needs --target-year" in err.out + err.err


def test_target_year_not_after_the_data_year_is_refused(tmp_path, capsys):
    out = tmp_path / "plan"
    rc = main(["plan", DEMO, "--county", "990108", "--year", "2025", "--target-year", "2025", "--out", str(out)])
    assert rc == 2
    assert not out.exists()
