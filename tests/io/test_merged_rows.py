"""Cells merged down the data rows (a clerk merges 县区代码 / 县区名称 over the schools of one county):
Excel keeps the value in the first row of a merge only, so the other rows are blank. The reader says so
once per merge, naming its range and the fix, instead of one "必填单元格为空" per row; nothing else changes."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.reading import load_school_table

DEMO = Path(__file__).parents[2] / "data" / "demo" / "schools.csv"


def _book(tmp_path, merges=("县区代码", "县区名称"), title=False, blank_row=None) -> Path:
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[(df["县区代码"] == "990101") & (df["年份"] == "2025")].head(6)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学校基础数据"
    if title:
        ws.append(["青山县 2025 年学校基础数据"])
    ws.append(list(df.columns))
    for r in df.itertuples(index=False):
        ws.append(list(r))
    top = 2 + int(title)  # the first data row, as Excel numbers it
    cols = list(df.columns)
    for name in merges:
        letter = openpyxl.utils.get_column_letter(cols.index(name) + 1)
        ws.merge_cells(f"{letter}{top}:{letter}{top + 5}")
    if blank_row is not None:  # a cell left blank outside every merge
        ws.cell(row=top + blank_row, column=cols.index("学校名称") + 1).value = None
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("title", [False, True])
def test_one_error_per_merge_names_its_range_and_says_to_unmerge(tmp_path, title):
    with pytest.raises(InputError) as ei:
        load_school_table(_book(tmp_path, title=title))
    errs = ei.value.errors
    assert [e.code for e in errs] == ["merged_down", "merged_down"]
    top = 2 + int(title)
    code, name = errs
    assert (code.column, name.column) == ("县区代码", "县区名称") and code.row == top + 1
    assert f"B{top}:B{top + 5}" in code.problem_zh and f"C{top}:C{top + 5}" in name.problem_zh
    assert f"第 {top}–{top + 5} 行" in code.problem_zh and "取消合并" in code.problem_zh
    assert f"B{top}:B{top + 5}" in code.problem_en and "unmerge" in code.problem_en
    assert code.file.endswith("merged.xlsx") and code.sheet == "学校基础数据"


def test_other_blank_cells_are_still_reported_one_by_one(tmp_path):
    with pytest.raises(InputError) as ei:
        load_school_table(_book(tmp_path, merges=("县区代码",), blank_row=3))
    got = [(e.code, e.row, e.column) for e in ei.value.errors]
    assert ("merged_down", 3, "县区代码") in got and ("blank", 5, "学校名称") in got
    assert not [g for g in got if g[0] == "blank" and g[2] == "县区代码"]


def test_a_merge_across_columns_of_one_row_is_not_a_merge_down(tmp_path):
    # merging two text cells side by side in one data row leaves the second blank: a plain blank cell
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig").head(2)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for r in df.itertuples(index=False):
        ws.append(list(r))
    ws.merge_cells("B2:C2")  # 县区代码 over 县区名称
    path = tmp_path / "across.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as ei:
        load_school_table(path)
    assert [(e.code, e.row, e.column) for e in ei.value.errors] == [("blank", 2, "县区名称")]
