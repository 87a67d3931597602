"""A county code pasted from Excel with a trailing space (``--county "990106 "``) is the same code
for every command: assess, plan, equity, oversize and brief already trimmed it, while sample,
ledger, application and self-report refused it as an unknown county (exit 2)."""
from pathlib import Path

import pandas as pd
import pytest

from balance.cli import main

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "schools.csv"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    t = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    f = tmp_path_factory.mktemp("t") / "schools.csv"
    t[(t["县区代码"] == "990106") & (t["年份"] == "2025")].to_csv(f, index=False, encoding="utf-8-sig")
    return f


@pytest.mark.parametrize("command, extra", [
    ("sample", ["--year", "2025", "--share", "0.4"]),
    ("ledger", ["--year", "2025"]),
    ("application", ["--year", "2025"]),
    ("self-report", ["--year", "2025", "--no-plan"]),
])
def test_trailing_space_in_county_is_trimmed(small, tmp_path, command, extra):
    out = tmp_path / "o"
    assert main([command, str(small), "--county", "990106 ", "--out", str(out), *extra]) == 0
    assert any(out.iterdir())
