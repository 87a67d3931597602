"""``target_year`` (optional, county_briefing): the plan section's year-by-year schedule (issue 13)."""
from __future__ import annotations

import pytest

from balance.errors import InputError
from balance.running.params import load_params, notebook_parameters
from tests.running.test_params import NOTEBOOKS, repo, write  # noqa: F401 - the repo fixture

BASE = 'notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102"\nyear: 2025\n'


def test_target_year_is_passed_to_the_notebook(repo):  # noqa: F811
    params = load_params(write(repo, BASE + "target_year: 2028\n"), NOTEBOOKS)
    assert params.target_year == 2028
    assert notebook_parameters(params, repo / "out")["target_year"] == 2028
    assert "target_year" not in notebook_parameters(load_params(write(repo, BASE, "b.yaml"), NOTEBOOKS), repo / "o")


@pytest.mark.parametrize("value", ["2025", "2020", "2028.0", "true"])
def test_target_year_not_after_the_year_or_not_a_whole_year_is_refused(repo, value):  # noqa: F811
    with pytest.raises(InputError) as e:
        load_params(write(repo, BASE + f"target_year: {value}\n"), NOTEBOOKS)
    assert "target_year" in str(e.value)
