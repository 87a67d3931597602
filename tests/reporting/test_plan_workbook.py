"""plan.xlsx (issue 13): Chinese sheets, the numbers of plan_summary.json / plan.csv, text stays text."""
from __future__ import annotations

import json
import re

import openpyxl
import pytest

from balance.analysis.planner import plan, write_plan
from balance.analysis.planner.schedule import schedule_plan
from balance.reporting.plan_workbook import write_plan_workbook
from tests.factories import primary, table


def _county(name="=1+1"):
    return table(primary("1", 400, qualified=10, equipment=400 * 1500.0, school_name=name), primary("2", 300),
                 primary("3", 200, equipment=200 * 9000.0, rooms=30), primary("4", 500, teaching_area=1500.0))


def _write(tmp_path, p, schedule=None):
    out = tmp_path / "out"
    write_plan(p, out, schedule=schedule, extra={"plan.xlsx": lambda path: write_plan_workbook(p, path, schedule)})
    return out, openpyxl.load_workbook(out / "plan.xlsx")


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_sheets_headers_and_numbers_match_the_csv_and_json(tmp_path):
    p = plan(_county())
    assert p.total_cost > 0
    out, wb = _write(tmp_path, p)
    assert wb.sheetnames == ["说明", "方案汇总", "学校追加清单"]
    for ws in wb.worksheets[1:]:
        heads = [c.value for c in ws[1]]
        # Chinese headers only: no canonical English name and no raw input column identifier
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in heads), heads
    js = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    summary = _rows(wb["方案汇总"])
    assert summary[0]["追加投入（万元）"] == pytest.approx(js["counties"][0]["total_cost"] / 1e4)
    assert summary[0]["成本下界（万元）"] == pytest.approx(js["counties"][0]["lower_bound"] / 1e4)
    assert summary[0]["高出下界的差距"] == pytest.approx(js["counties"][0]["gap"])
    items = _rows(wb["学校追加清单"])
    assert items and all(r["费用（万元）"] > 0 for r in items)          # no zero-cost rows
    assert sum(r["费用（万元）"] for r in items) == pytest.approx(p.total_cost / 1e4)
    raw = {"teaching_area", "equipment_value", "qualified_teachers", "multimedia_rooms", "sports_ground_area"}
    assert not raw & {r["追加到本校数据项"] for r in items}
    cell = next(c for row in wb["学校追加清单"].iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s"                                         # a name stays text, never a formula


def test_about_says_prices_are_illustrative_unless_a_file_is_given(tmp_path):
    _, wb = _write(tmp_path, plan(_county()))
    about = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "示意" in about and "--costs" in about and "成本下界" in about
    assert "3500" in about.replace(",", "") or any(c.value == 3500 for row in wb["说明"].iter_rows() for c in row)
    f = tmp_path / "省单价.yaml"
    f.write_text("items:\n  teaching_area: 4200\n", encoding="utf-8")
    _, wb2 = _write(tmp_path / "b", plan(_county(), costs=f))
    cells = [c.value for row in wb2["说明"].iter_rows() for c in row]
    assert 4200 in cells and not any("仅为示意" in str(v) for v in cells)


def test_schedule_sheet_only_with_a_target_year_and_equal_to_the_csv(tmp_path):
    p, s, _ = schedule_plan(_county(), target_year=2027, annual_cap_wan=20.0)
    out, wb = _write(tmp_path, p, s)
    assert wb.sheetnames[-1] == "分年度安排"
    rows = _rows(wb["分年度安排"])
    assert sum(r["费用（万元）"] for r in rows) == pytest.approx(s["cost"].sum() / 1e4)
    assert {r["投入年份"] for r in rows} == set(s.loc[s["cost"] > 0, "spend_year"])
    assert {r["超出目标年份"] for r in rows} <= {"是", "否"}
