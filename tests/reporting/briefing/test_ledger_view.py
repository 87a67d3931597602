"""The county briefing shows the 整改台账's counts by status and the overdue items with their owners
(issue 14), from balance.analysis.ledger, when last year's filled ledger is given."""
import datetime as dt
import html
import re

import openpyxl
import pytest

from balance.analysis.ledger import STATUS_FIXED, STATUS_NEW, STATUS_OPEN, STATUS_OVERDUE, STATUSES
from balance.cli import main
from balance.reporting import briefing as bf

DEMO = "data/demo/schools.csv"


def _rows(h: str) -> list[list[str]]:
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", h, flags=re.S)]


@pytest.fixture(scope="module")
def filled_2024(tmp_path_factory):
    """东湖区's 2024 ledger as the bureau filled it: owners on the first rows, a past deadline on two,
    a future one on the next (names with markup, which must stay text)."""
    out = tmp_path_factory.mktemp("ledger") / "2024"
    assert main(["ledger", DEMO, "--year", "2024", "--county", "990103", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out / "ledger.xlsx")
    ws = wb["整改台账"]
    col = {c.value: j + 1 for j, c in enumerate(ws[1])}
    owners = {}
    for k, i in enumerate(range(2, 6)):
        ws.cell(i, col["牵头单位"]).value = "县教育局计财股"
        ws.cell(i, col["责任人"]).value = f"<b>王{k}</b>"
        ws.cell(i, col["完成时限"]).value = dt.date(2025, 6, 30) if k < 2 else dt.date(2099, 12, 31)
        owners[ws.cell(i, col["编号"]).value] = f"<b>王{k}</b>"
    p = out / "filled.xlsx"
    wb.save(p)
    return p, owners


def test_counts_and_overdue_items_come_from_the_ledger(filled_2024):
    path, owners = filled_2024
    b = bf.county_briefing(DEMO, "990103", 2025, previous_ledger=str(path))
    h = bf.ledger_status(b).data
    led = b._ledger
    rows = led.rows[led.rows["county_code"] == "990103"]
    table = {r[0]: int(r[1]) for r in _rows(h) if len(r) == 2}
    for s in STATUSES:
        assert table[s] == int((rows["status"] == s).sum())
    assert table["合计"] == len(rows)
    assert table[STATUS_FIXED] > 0 and table[STATUS_NEW] > 0  # 东湖区 improved from 2024 to 2025
    overdue = rows[rows["status"] == STATUS_OVERDUE]
    open_ids = set(rows.loc[rows["status"].isin([STATUS_OPEN, STATUS_OVERDUE]), "item_id"])
    want = [i for i in list(owners)[:2] if i in open_ids]
    assert want, "the filled rows should include an item still open in 2025"
    assert set(overdue["item_id"]) == set(want)
    shown = [r for r in _rows(h) if len(r) == 5]
    assert len(shown) == len(overdue)
    for r in shown:
        assert r[3] in {owners[i] for i in want} and r[4] == "2025-06-30" and r[2] == "县教育局计财股"
    assert "<b>王" not in h and "&lt;b&gt;王" in h  # owners' text is escaped


def test_without_a_previous_ledger_the_briefing_says_so():
    b = bf.county_briefing(DEMO, "990103", 2025)
    h = bf.ledger_status(b).data
    assert "--previous-ledger" in h and "运行参数" not in h and "<table" not in h
