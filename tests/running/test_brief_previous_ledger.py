"""``balance brief --previous-ledger``: last year's filled 整改台账 goes to every county briefing's
params (resolved), is read once before anything runs (a missing or broken one is refused with its
file name, Chinese and English, exit 2, nothing written), and the briefing's hint names the option."""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.cli import main
from balance.errors import InputError
from balance.running.brief import plan_brief

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "schools.csv"
NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ledger") / "2024"
    assert main(["ledger", str(DEMO), "--year", "2024", "--out", str(out)]) == 0
    return out / "ledger.xlsx"


def test_every_county_briefing_gets_the_ledger_and_only_they(ledger):
    plan = plan_brief(DEMO, previous_ledger=str(ledger))
    briefings = {r: p for r, p in plan.runs.items() if p["notebook"] == "county_briefing"}
    assert len(briefings) == len(plan.counties) > 1
    assert {p["previous_ledger"] for p in briefings.values()} == {str(ledger.resolve())}
    assert not [r for r, p in plan.runs.items() if p["notebook"] != "county_briefing" and "previous_ledger" in p]
    assert not [p for p in plan_brief(DEMO).runs.values() if "previous_ledger" in p]  # only when given


@pytest.mark.parametrize("case", ["missing", "garbage"])
def test_a_missing_or_broken_ledger_is_refused_before_anything_runs(case, tmp_path, capsys):
    bad = tmp_path / "上年台账.xlsx"
    if case == "garbage":
        bad.write_bytes(b"not a workbook")
    with pytest.raises(InputError):
        plan_brief(DEMO, previous_ledger=str(bad))
    out = tmp_path / "out"
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["brief", str(DEMO), "--out", str(out), "--notebooks", str(NOTEBOOKS),
                 "--previous-ledger", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "上年台账.xlsx" in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err) and any(c.isascii() and c.isalpha() for c in err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_briefing_names_the_option_a_clerk_uses():
    from balance.reporting.briefing.ledger_view import ledger_status

    class NoLedger:
        previous_ledger = None

    note = str(ledger_status(NoLedger()).data)
    assert "--previous-ledger" in note and "运行参数" not in note
