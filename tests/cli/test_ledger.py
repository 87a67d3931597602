"""``balance ledger`` from the clerk's side: write the ledger, fill it in with openpyxl as a clerk
would in Excel, rerun next year with ``--previous``, and hand it broken ledgers."""
import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from balance.analysis.ledger import COLUMNS
from balance.cli import main

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
COUNTY = "990102"  # 清河县 of the demo data: many open items in 2022, fewer in 2023


@pytest.fixture(scope="module")
def qinghe(tmp_path_factory) -> Path:
    """The demo school table of one county (Chinese headers, as a bureau keeps it)."""
    d = pd.read_csv(DEMO / "schools.csv", dtype=str, encoding="utf-8-sig")
    p = tmp_path_factory.mktemp("data") / "清河县学校数据.csv"
    d[d["县区代码"] == COUNTY].to_csv(p, index=False, encoding="utf-8-sig")
    return p


@pytest.fixture(scope="module")
def ledger_2022(qinghe, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("l2022")
    assert main(["ledger", str(qinghe), "--year", "2022", "--out", str(out / "2022")]) == 0
    return out / "2022"


def _sheet(path: Path):
    wb = openpyxl.load_workbook(path)
    ws = wb["整改台账"]
    header = [c.value for c in ws[1]]
    return wb, ws, {h: j + 1 for j, h in enumerate(header)}


def _csv(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "ledger.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_first_ledger_has_the_contract_columns_and_blank_bureau_columns(ledger_2022):
    d = _csv(ledger_2022)
    assert list(d.columns) == list(COLUMNS)
    _, ws, col = _sheet(ledger_2022 / "ledger.xlsx")
    assert list(col) == list(COLUMNS.values())
    assert len(d) == ws.max_row - 1 > 0
    assert d["item_id"].is_unique
    assert set(d["status"]) == {"新增"}
    for k in ("lead_unit", "owner", "measures", "deadline"):
        assert (d[k] == "").all()
    kinds = set(d["item_id"].str.split(":").str[0])
    assert {"R", "S"} <= kinds
    for i in range(2, ws.max_row + 1):  # text stays text in the workbook (ids are never numbers)
        assert ws.cell(i, col["编号"]).data_type == "s"


def test_gap_is_what_the_school_must_add_to_its_own_column(qinghe, ledger_2022, tmp_path):
    d = _csv(ledger_2022)
    row = d[d["item_id"].str.endswith(":教学用房") & d["item_id"].str.startswith("R:")].iloc[0]
    table = pd.read_csv(qinghe, dtype=str, encoding="utf-8-sig")
    at = (table["学校标识码"] == row["school_code"]) & (table["年份"] == "2022")
    assert row["add_column"] == "教学及辅助用房面积(㎡)"
    before = float(table.loc[at, row["add_column"]].iat[0])
    # adding a little less than the gap leaves the item open; adding the gap (+ rounding) closes it
    for extra, still_open in ((float(row["gap"]) * 0.98, True), (float(row["gap"]) + 0.01, False)):
        t = table.copy()
        t.loc[at, row["add_column"]] = str(before + extra)
        p = tmp_path / f"plus{extra:.3f}.csv"
        t.to_csv(p, index=False, encoding="utf-8-sig")
        out = tmp_path / f"o{extra:.3f}"
        assert main(["ledger", str(p), "--year", "2022", "--out", str(out)]) == 0
        assert (row["item_id"] in set(_csv(out)["item_id"])) is still_open


def test_clerk_fills_the_ledger_and_next_year_keeps_it(qinghe, ledger_2022, tmp_path, capsys):
    wb, ws, col = _sheet(ledger_2022 / "ledger.xlsx")
    ids = {ws.cell(i, col["编号"]).value: i for i in range(2, ws.max_row + 1)}
    filled = {}
    for k, (iid, i) in enumerate(list(ids.items())[:12]):
        deadline = dt.date(2023, 6, 30) if k % 2 == 0 else "2026年6月"  # a date cell, or text as clerks type it
        entry = {"牵头单位": "县教育局计财股", "责任人": f"王{k}", "整改措施": f"第 {k} 项措施：=新建（文字）",
                 "完成时限": deadline, "备注": "-待县政府审定"}
        for h, v in entry.items():
            ws.cell(i, col[h]).value = v
            if isinstance(v, str):
                ws.cell(i, col[h]).data_type = "s"
        filled[iid] = entry
    prev = tmp_path / "2022台账（已填）.xlsx"
    wb.save(prev)
    digest = hashlib.sha256(prev.read_bytes()).hexdigest()
    out = tmp_path / "2023"
    code = main(["ledger", str(qinghe), "--year", "2023", "--out", str(out), "--previous", str(prev),
                 "--as-of", "2024-01-15"])
    assert code == 0, capsys.readouterr().err
    assert hashlib.sha256(prev.read_bytes()).hexdigest() == digest  # the bureau's file is untouched
    d = _csv(out).set_index("item_id")
    old = _csv(ledger_2022).set_index("item_id")
    assert set(old.index) <= set(d.index)  # nothing the bureau had is dropped
    for iid, entry in filled.items():
        r = d.loc[iid]
        assert (r["lead_unit"], r["owner"], r["measures"], r["remark"]) == (
            entry["牵头单位"], entry["责任人"], entry["整改措施"], entry["备注"])
        assert r["value_previous"] == old.loc[iid, "value"]
        assert r["previous_year"] == "2022" and r["first_year"] == "2022"
        due = "2023-06-30" if isinstance(entry["完成时限"], dt.date) else "2026-06-30"
        assert r["deadline"] == due
        if r["status"] != "已整改":
            assert r["status"] == ("已逾期" if due < "2024-01-15" else "未完成")
    statuses = set(d["status"])
    assert {"已整改", "未完成"} <= statuses
    fixed = d[d["status"] == "已整改"]
    assert (fixed["gap"].astype(float) == 0).all() and (fixed["previous_year"] == "2022").all()
    new = d[d["status"] == "新增"]
    assert not set(new.index) & set(old.index)
    assert (d.loc[d["status"].isin(["未完成", "已逾期"])].index.isin(old.index)).all()
    shown = capsys.readouterr().out
    n_over = int((d["status"] == "已逾期").sum())
    assert (f"已逾期 {n_over}" in shown)
    # the workbook reads back with the same rows, and a third year keeps the entries again
    out3 = tmp_path / "2024"
    assert main(["ledger", str(qinghe), "--year", "2024", "--out", str(out3), "--previous",
                 str(out / "ledger.xlsx"), "--as-of", "2024-01-15"]) == 0
    d3 = _csv(out3).set_index("item_id")
    assert set(d.index) <= set(d3.index)
    for iid, entry in filled.items():
        assert d3.loc[iid, "owner"] == entry["责任人"]
        assert d3.loc[iid, "first_year"] == "2022"


def test_a_school_that_vanishes_is_kept_and_marked(qinghe, ledger_2022, tmp_path):
    wb, ws, col = _sheet(ledger_2022 / "ledger.xlsx")
    i = 2
    iid = ws.cell(i, col["编号"]).value
    school = ws.cell(i, col["学校标识码"]).value
    ws.cell(i, col["责任人"]).value = "李四"
    prev = tmp_path / "prev.xlsx"
    wb.save(prev)
    t = pd.read_csv(qinghe, dtype=str, encoding="utf-8-sig")
    t = t[~((t["学校标识码"] == school) & (t["年份"] == "2023"))]  # the school closed (merged) in 2023
    p = tmp_path / "closed.csv"
    t.to_csv(p, index=False, encoding="utf-8-sig")
    out = tmp_path / "o"
    assert main(["ledger", str(p), "--year", "2023", "--out", str(out), "--previous", str(prev)]) == 0
    d = _csv(out).set_index("item_id")
    gone = d[d["school_code"] == school]
    assert iid in gone.index and len(gone) == (ws_rows_for(ws, col, school))
    assert set(gone["status"]) == {"本年无数据"}
    assert d.loc[iid, "owner"] == "李四"
    assert "没有该学段单位" in d.loc[iid, "explanation"]


def ws_rows_for(ws, col, school) -> int:
    return sum(ws.cell(i, col["学校标识码"]).value == school for i in range(2, ws.max_row + 1))


def _broken(ledger_2022: Path, tmp_path: Path, how: str) -> Path:
    p = tmp_path / "broken.xlsx"
    if how == "csv":
        p = tmp_path / "broken.csv"
        p.write_text((ledger_2022 / "ledger.csv").read_text(encoding="utf-8-sig"), encoding="utf-8")
        return p
    wb, ws, col = _sheet(ledger_2022 / "ledger.xlsx")
    if how == "duplicate_id":
        ws.cell(5, col["编号"]).value = ws.cell(3, col["编号"]).value
    elif how == "bad_deadline":
        ws.cell(4, col["完成时限"]).value = "明年六月"
    elif how == "impossible_date":
        ws.cell(4, col["完成时限"]).value = "2025-02-30"
    elif how == "cleared_id":
        ws.cell(6, col["编号"]).value = None
        ws.cell(6, col["责任人"]).value = "赵六"
    elif how == "edited_id":
        ws.cell(6, col["编号"]).value = "第6项"
    elif how == "no_sheet":
        ws.title = "Sheet1"
    elif how == "no_id_column":
        ws.cell(1, col["编号"]).value = "序号"
    elif how == "formula":
        ws.cell(4, col["整改措施"]).value = "=A1"
    elif how == "future_year":
        ws.cell(4, col["年度"]).value = 2031
    wb.save(p)
    return p


@pytest.mark.parametrize("how, where", [
    ("duplicate_id", "5"), ("bad_deadline", "完成时限"), ("impossible_date", "完成时限"), ("cleared_id", "编号"),
    ("edited_id", "编号"), ("no_sheet", "整改台账"), ("no_id_column", "编号"), ("formula", "整改措施"),
    ("future_year", "年度"), ("csv", "broken.csv"),
])
def test_a_broken_previous_ledger_is_refused_with_its_place(qinghe, ledger_2022, tmp_path, capsys, how, where):
    prev = _broken(ledger_2022, tmp_path, how)
    digest = hashlib.sha256(prev.read_bytes()).hexdigest()
    out = tmp_path / "out"
    assert main(["ledger", str(qinghe), "--year", "2023", "--out", str(out), "--previous", str(prev)]) == 2
    err = capsys.readouterr().err
    assert where in err and prev.name in err
    assert "未写入任何结果文件" in err and "no result files were written" in err
    assert not out.exists()
    assert hashlib.sha256(prev.read_bytes()).hexdigest() == digest


def test_county_sheet_items_enter_the_ledger_and_missing_is_open(tmp_path):
    out = tmp_path / "o"
    assert main(["ledger", str(DEMO / "schools.csv"), "--year", "2024", "--out", str(out), "--county", COUNTY,
                 "--county-sheet", str(DEMO / "county_sheet.xlsx")]) == 0
    d = _csv(out)
    assert set(d["county_code"]) == {COUNTY}
    e = d[d["item_id"].str.startswith("E:")]
    assert len(e) > 0
    from balance.method.evaluation import evaluate

    ev = evaluate(DEMO / "schools.csv", DEMO / "county_sheet.xlsx", year=2024, county=COUNTY)
    unmet = ev.items[(ev.items["area"] != "resource") & (ev.items["status"] != "达标")]
    assert len(e) == len(unmet)


def test_unknown_county_is_refused(qinghe, tmp_path, capsys):
    assert main(["ledger", str(qinghe), "--year", "2023", "--out", str(tmp_path / "o"), "--county", "123456"]) == 2
    assert "123456" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
