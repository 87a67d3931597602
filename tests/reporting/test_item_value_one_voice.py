"""An evaluation item's value reads the same on every page: the console's and the briefing's failing
sentences, the self-report (HTML and .docx share ``item_lines``) and the ledger's 本年值 all show
``Evaluation.items.shown`` (one formatter, ``area_items.shown_text``). Before round 7 a county
sheet's 社会认可度 of 84.8 % read "84.8 %" in the sentence, "84.80" in the self-report and
"84.800" in the ledger."""
from pathlib import Path

import pandas as pd
import pytest

from balance.analysis.ledger import open_items
from balance.method.evaluation import evaluate
from balance.reporting.review.self_report import item_lines

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def ev():
    return evaluate(DEMO / "schools.csv", DEMO / "county_sheet.xlsx", year=2025)


def test_a_sheet_rate_keeps_its_unit_where_it_is_shown(ev):
    rec = ev.items[ev.items.area == "recognition"]
    assert len(rec) and all(s.endswith(" %") for s in rec["shown"]), rec["shown"].tolist()


def test_every_failing_item_reads_the_same_in_the_sentence_the_self_report_and_the_ledger(ev):
    led = open_items(ev.assessment, ev)
    checked = 0
    for v in ev.verdicts.itertuples(index=False):
        items = ev.items[(ev.items.county_code == v.county_code) & (ev.items.year == v.year)]
        lines = item_lines(items)
        for r, line in zip(items.itertuples(index=False), lines):
            assert f"实际：{r.shown}（" in line, (r.item, line)
            if r.area == "veto" or pd.isna(r.passed) or bool(r.passed):
                continue
            assert any(f"“{r.item}”未达到：{r.shown}，要求" in s for s in v.failing_items), (r.item, r.shown)
            if r.area != "resource":
                row = led[led.item_id == f"E:{r.county_code}:{r.area}:{int(r.item_no)}"]
                assert row["value"].tolist() == [f"{r.status}：{r.shown}"], (r.item, row["value"].tolist())
            checked += 1
    assert checked >= 5  # the demo's 2025 counties fail items in every area but the vetoes
