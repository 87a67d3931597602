"""Locating values in a form sheet: labels, codes, blocks, merged headers, ambiguity."""
from __future__ import annotations

import pytest

from balance.io.statsforms.forms import sheet_suffix, table_code
from balance.io.statsforms.locate import FormSheet, LocateError, codes_equal, matches, norm
from balance.io.statsforms.mapping import all_mappings

TOTALS = ["合计", "计", "小计", "总计"]


def sheet(rows, merged=()):
    return FormSheet("教基4155", [list(r) for r in rows], list(merged))


#      A    B              C      D       E        F       G
GRID = [
    ["A", "B", "C", "D", "E", "F", "G"],
    ["", "教基4155 义务教育阶段专任教师", "", "", "", "", ""],
    ["", "", "", "", "", "", "单位：人"],
    ["", "指标名称", "代码", "合计", "体育与健康", "艺术", ""],
    ["", "", "", "", "", "计", "#音乐"],
    ["", "甲", "乙", 1, 2, 3, 4],
    [1, "小学", "01", 40, 4, 6, 3],
    [2, "其中：本科", "02", 20, 2, 3, 1],
    [3, "初中", "03", 30, 3, 5, 2],
    [4, " 本 科 ", 4.0, 15, 1, 2, 1],
]
MERGED = [((3, 5), (3, 6)), ((3, 1), (4, 1)), ((3, 2), (4, 2)), ((3, 3), (4, 3)), ((3, 4), (4, 4))]


def test_norm_and_matches():
    assert norm(" 其中：#本 科\u3000") == "本科"
    assert norm("一、教学及辅助用房") == "教学及辅助用房"
    assert matches("教学仪器设备资产值", "其中：教学仪器设备资产值（万元）")
    assert not matches("教学仪器设备资产值", "固定资产总值（万元）")
    assert matches("体育|体育与健康", "体育与健康") and not matches("体育", "体育与健康")
    assert codes_equal("01", "1") and not codes_equal("01", "10") and not codes_equal("01", "")


def test_table_code_of_sheet_names():
    seps = ["_", "-", " ", "(", "（"]
    assert table_code("教基1102续_小学", seps) == "教基1102续"
    assert table_code("基础基512（小学）", seps) == "基础基512"
    assert sheet_suffix("教基1001_九年一贯制学校", seps) == "九年一贯制学校"
    assert sheet_suffix("基础基512", seps) == ""


def test_rows_by_label_code_and_block():
    s = sheet(GRID, MERGED)
    assert s.ok and s.label_col == 1 and s.code_col == 2
    assert s.find_row(None, ["小学"], None, []) == 6
    assert s.find_row("03", [], None, []) == 8
    with pytest.raises(LocateError) as e:  # 本科 under both stages
        s.find_row(None, ["本科"], None, [])
    assert e.value.code == "ambiguous_row"
    blocks = ["小学", "初中"]
    assert s.find_row(None, ["本科"], "小学", blocks) == 7
    assert s.find_row(None, ["本科"], "初中", blocks) == 9  # code stored as the number 4.0, label with spaces
    with pytest.raises(LocateError) as e:
        s.find_row(None, ["本科"], "高中", blocks)
    assert e.value.code == "missing_block"


def test_columns_by_number_and_merged_header():
    s = sheet(GRID, MERGED)
    assert s.header_path(5) == ["艺术", "计"]  # the title, the unit line and the letters are not header
    assert s.find_column(None, ["合计"], TOTALS) == 3
    assert s.find_column(2, [], TOTALS) == 4
    assert s.find_column(None, ["艺术"], TOTALS) == 5  # merged over 计 | #音乐: its total column
    assert s.find_column(None, ["音乐"], TOTALS) == 6
    assert s.find_column(None, ["艺术", "音乐"], TOTALS) == 6
    with pytest.raises(LocateError) as e:
        s.find_column(3, ["合计"], TOTALS)
    assert e.value.code == "column_mismatch"
    with pytest.raises(LocateError) as e:
        s.find_column(None, ["美术"], TOTALS)
    assert e.value.code == "missing_column"


def test_ambiguous_column_without_a_total():
    grid = [row[:] for row in GRID]
    grid[4][5] = "#美术"  # 艺术 over #美术 | #音乐: no total column to take
    s = sheet(grid, MERGED)
    with pytest.raises(LocateError) as e:
        s.find_column(None, ["艺术"], TOTALS)
    assert e.value.code == "ambiguous_column"


def test_no_number_row():
    s = sheet([["", "指标", "代码"], ["", "小学", "01"]])
    assert not s.ok


def test_shipped_mappings_are_valid_and_name_known_tables():
    maps = {m.generation: m for m in all_mappings()}
    assert set(maps) == {"2018", "2021"}
    for m in maps.values():
        assert m.table_codes() <= set(m.tables), m.generation
        assert m.years.covers(m.years.first)
    assert not maps["2018"].years.covers(2021) and maps["2021"].years.covers(2030)
