"""``previous_ledger`` in a county briefing's params (issue 14): resolved, checked, passed to the notebook."""
from __future__ import annotations

from pathlib import Path

import pytest

from balance.errors import InputError
from balance.running.params import declared_parameters, load_params, notebook_parameters

CSV = "年份,县区代码,县区名称\n2024,130102,长安区\n2025,130102,长安区\n"
NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


@pytest.fixture
def repo(make_repo):
    return make_repo(CSV)


def _params(repo: Path, ledger: str) -> Path:
    p = repo / "params" / "run.yaml"
    p.write_text('notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102"\nyear: 2025\n'
                 f"previous_ledger: {ledger}\n", encoding="utf-8")
    return p


def test_previous_ledger_is_resolved_and_passed_to_the_notebook(repo):
    (repo / "台账").mkdir()
    (repo / "台账" / "ledger.xlsx").write_bytes(b"x")
    params = load_params(_params(repo, "台账/ledger.xlsx"), NOTEBOOKS)
    assert params.previous_ledger == (repo / "台账" / "ledger.xlsx").resolve()
    declared = declared_parameters(NOTEBOOKS / "county_briefing.ipynb")
    assert "previous_ledger" in declared
    out = notebook_parameters(params, repo / "out", declared)
    assert out["previous_ledger"] == str((repo / "台账" / "ledger.xlsx").resolve())


def test_a_missing_previous_ledger_is_refused_with_its_line(repo):
    with pytest.raises(InputError) as e:
        load_params(_params(repo, "台账/nope.xlsx"), NOTEBOOKS)
    p = next(x for x in e.value.errors if x.code == "previous_ledger_not_found")
    assert p.row == 5 and "上年整改台账" in p.problem_zh
