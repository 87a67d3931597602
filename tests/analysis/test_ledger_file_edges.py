"""Reading last year's ledger (balance/analysis/ledger_file.py) at library level: every problem
comes back with its code, sheet, row, column, value and both languages (issue 10, mutation round
4: the CLI tests only look for a word of the message, so the place and code of a problem could be
lost without a test noticing). Workbooks are written here with openpyxl as a clerk's Excel would."""
import datetime as dt

import openpyxl
import pytest

from balance.analysis.ledger_file import COLUMNS, LEDGER_SHEET, parse_deadline, read_previous_ledger
from balance.errors import InputError

HEAD = ["编号", "状态", "年度", "首次列入年度", "完成时限", "差距", "责任人", "measures", "备注"]


def _book(tmp_path, rows, head=HEAD, title=LEDGER_SHEET, name="prev.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    if head is not None:
        ws.append(head)
    for r in rows:
        ws.append(r)
    p = tmp_path / name
    wb.save(p)
    return p


def _problems(path, **kw):
    with pytest.raises(InputError) as e:
        read_previous_ledger(path, **kw)
    ps = e.value.problems
    assert all(p.problem_zh and p.problem_en and p.file == str(path) for p in ps)
    return [(p.code, p.sheet, p.row, p.column, p.value) for p in ps]


def test_a_filled_ledger_reads_back_with_its_types(tmp_path):
    p = _book(tmp_path, [
        ["R:990101:9999999991:小学:教学用房", "新增", 2022, 2022, "2025年6月", 12.5, "王五", "新建", None],
        [None] * 9,                                          # an empty row is skipped
        ["S:990101:9999999992:小学", "未完成", "2022", None, dt.datetime(2025, 1, 31), None, 1234.0, None, "  备注 "],
    ])
    d = read_previous_ledger(p, year=2023)
    assert list(d["item_id"]) == ["R:990101:9999999991:小学:教学用房", "S:990101:9999999992:小学"]
    assert list(d["_row"]) == [2, 4]
    assert list(d["deadline"]) == [dt.date(2025, 6, 30), dt.date(2025, 1, 31)]
    assert d["gap"].iloc[0] == 12.5 and d["gap"].isna().iloc[1]
    assert list(d["year"]) == [2022, 2022] and d["first_year"].iloc[0] == 2022
    assert list(d["owner"]) == ["王五", "1234"] and d["measures"].iloc[0] == "新建"
    assert d["measures"].isna().iloc[1]
    assert d["remark"].iloc[1] == "备注"
    assert set(COLUMNS) <= set(d.columns) and d["lead_unit"].isna().all()


def test_every_row_problem_is_listed_with_its_place(tmp_path):
    long_date = "明年六月" * 30   # 120 characters: the value is shortened to 80
    p = _book(tmp_path, [
        ["R:990101:1:小学:x", None, 2022, None, long_date, None, None, None, None],
        ["R:990101:1:小学:x", None, 2022, None, None, None, None, None, None],
        [None, None, None, None, None, None, "赵六", None, None],
        ["第6项", None, None, None, None, None, None, None, None],
        ["S:990101:2:初中", None, 2031, "22", None, "abc", None, None, "长" * 2001],
    ])
    assert _problems(p, year=2023) == [
        ("ledger_bad_deadline", LEDGER_SHEET, 2, "完成时限（E 列）", long_date[:80]),
        ("ledger_duplicate_id", LEDGER_SHEET, 3, "编号（A 列）", "R:990101:1:小学:x"),
        ("ledger_no_id", LEDGER_SHEET, 4, "编号（A 列）", None),
        ("ledger_bad_id", LEDGER_SHEET, 5, "编号（A 列）", "第6项"),
        ("ledger_future_year", LEDGER_SHEET, 6, "年度（C 列）", "2031"),  # as the clerk typed it, not 2031.0
        ("ledger_bad_year", LEDGER_SHEET, 6, "首次列入年度（D 列）", "22"),
        ("ledger_bad_number", LEDGER_SHEET, 6, "差距（F 列）", "abc"),
        ("ledger_text_too_long", LEDGER_SHEET, 6, "备注（I 列）", "长" * 40),
    ]


def test_the_duplicate_names_the_first_row_and_a_year_equal_to_the_run_is_allowed(tmp_path):
    p = _book(tmp_path, [["R:9:1:小学:x", None, 2023], [None], ["R:9:1:小学:x", None, 2023]])
    with pytest.raises(InputError) as e:
        read_previous_ledger(p, year=2023)
    (only,) = e.value.problems
    assert only.code == "ledger_duplicate_id" and "第 2 行" in only.problem_zh and "row 2" in only.problem_en


def test_header_problems_come_together(tmp_path):
    p = _book(tmp_path, [["x", "王", "李"]], head=["序号", "责任人", "owner"])
    assert _problems(p) == [
        ("ledger_duplicate_column", LEDGER_SHEET, 1, "owner", None),
        ("ledger_missing_id", LEDGER_SHEET, 1, "编号", None),
    ]


def test_a_formula_cell_is_refused_with_its_column_letter(tmp_path):
    p = _book(tmp_path, [["R:9:1:小学:x", None, None, None, None, None, None, "=A1"]])
    assert _problems(p) == [("ledger_formula", LEDGER_SHEET, 2, "measures（H 列）", None)]


def test_no_sheet_and_an_empty_sheet(tmp_path):
    p = _book(tmp_path, [], title="Sheet1")
    with pytest.raises(InputError) as e:
        read_previous_ledger(p)
    (only,) = e.value.problems
    assert (only.code, only.sheet) == ("ledger_sheet_missing", None)
    assert "Sheet1" in only.problem_zh and "Sheet1" in only.problem_en
    assert _problems(_book(tmp_path, [], head=None, name="empty.xlsx")) == [
        ("ledger_empty", LEDGER_SHEET, None, None, None)]


@pytest.mark.parametrize("cell, date", [
    ("2025-06-30", dt.date(2025, 6, 30)), ("2025/6/3", dt.date(2025, 6, 3)), ("2025.6.30", dt.date(2025, 6, 30)),
    ("2025年6月30日", dt.date(2025, 6, 30)), ("2025 年 6 月", dt.date(2025, 6, 30)), ("2025-02", dt.date(2025, 2, 28)),
    ("2025年12月底", dt.date(2025, 12, 31)), ("2025年底", dt.date(2025, 12, 31)), ("2025", dt.date(2025, 12, 31)),
    (2025, dt.date(2025, 12, 31)), (2025.0, dt.date(2025, 12, 31)), (1900, dt.date(1900, 12, 31)),
    (2200, dt.date(2200, 12, 31)), (dt.datetime(2025, 3, 1, 12), dt.date(2025, 3, 1)),
    (dt.date(2025, 3, 2), dt.date(2025, 3, 2)), (None, None), (float("nan"), None), ("  ", None),
])
def test_deadline_forms(cell, date):
    assert parse_deadline(cell) == date


@pytest.mark.parametrize("cell", ["明年", "2025-13", "2025-00", "2025-02-30", 2025.5, 1899, 2201, True, "25-06-30"])
def test_not_a_deadline(cell):
    with pytest.raises(ValueError):
        parse_deadline(cell)


@pytest.mark.parametrize("text", ["+86 123", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "-(1)", " +1"])
def test_bureau_text_that_would_start_a_formula_in_ledger_csv_is_refused(tmp_path, text):
    """The bureau's columns of last year's ledger are copied into this year's ledger.csv, which a
    clerk opens by double-click: a cell starting with = + - @ would run as a formula there (the rule
    columns.yaml's name_rules apply to school names). Found by the clerk review of 2 December."""
    p = _book(tmp_path, [["R:990101:9999999991:小学:教学用房", "新增", 2022, None, None, None, text, None, None]])
    assert _problems(p, year=2023) == [
        ("ledger_text_formula", LEDGER_SHEET, 2, "责任人（G 列）", text.strip()),
    ]


def test_a_text_cell_starting_with_equals_is_refused_too(tmp_path):
    """"=1+1" typed as text (a cell of type s, as Excel keeps '=1+1 with an apostrophe) is not a
    formula cell of the workbook, but would be one in ledger.csv."""
    p = _book(tmp_path, [["R:990101:9999999991:小学:教学用房", "新增", 2022, None, None, None, None, None, None]])
    wb = openpyxl.load_workbook(p)
    c = wb[LEDGER_SHEET].cell(2, 7)
    c.value, c.data_type = '=HYPERLINK("x")', "s"
    wb.save(p)
    assert _problems(p, year=2023) == [("ledger_text_formula", LEDGER_SHEET, 2, "责任人（G 列）", '=HYPERLINK("x")')]


def test_a_dash_before_words_a_lone_dash_and_a_full_width_equals_sign_stay_text(tmp_path):
    p = _book(tmp_path, [["R:990101:9999999991:小学:教学用房", "新增", 2022, None, None, None, "-", "＝新建", "-待审定"]])
    d = read_previous_ledger(p, year=2023)
    assert d["owner"].iloc[0] == "-" and d["measures"].iloc[0] == "＝新建" and d["remark"].iloc[0] == "-待审定"


HEAD2 = ["编号", "年度", "首次列入年度", "上年台账年度", "差距", "上年差距", "备注"]


def test_year_bounds_gaps_and_the_columns_of_last_year_are_read_as_numbers(tmp_path):
    """(Round 6.) Years 1990 and 2200 are the bounds, both allowed; 上年台账年度 and 上年差距 are
    read as a year and a number like 年度 and 差距; a tick box (bool) is not a gap; a text of exactly
    2000 characters is allowed."""
    p = _book(tmp_path, [
        ["R:990101:1:小学:x", 1990, 2200, 2022, 12.5, "7.25", "长" * 2000],
    ], head=HEAD2)
    d = read_previous_ledger(p)
    assert (d["year"].iloc[0], d["first_year"].iloc[0], d["previous_year"].iloc[0]) == (1990, 2200, 2022)
    assert (d["gap"].iloc[0], d["gap_previous"].iloc[0]) == (12.5, 7.25)   # numbers, not text
    assert d["remark"].iloc[0] == "长" * 2000
    bad = _book(tmp_path, [
        ["R:990101:1:小学:x", "1989", "2201", "22", True, "abc", None],   # years typed as text
        ["R:990101:2:小学:x", None, None, 1989, None, False, None],       # a number cell: shown as typed
    ], head=HEAD2, name="bad.xlsx")
    assert _problems(bad) == [
        ("ledger_bad_year", LEDGER_SHEET, 2, "年度（B 列）", "1989"),
        ("ledger_bad_year", LEDGER_SHEET, 2, "首次列入年度（C 列）", "2201"),
        ("ledger_bad_year", LEDGER_SHEET, 2, "上年台账年度（D 列）", "22"),
        ("ledger_bad_number", LEDGER_SHEET, 2, "差距（E 列）", "True"),
        ("ledger_bad_number", LEDGER_SHEET, 2, "上年差距（F 列）", "abc"),
        ("ledger_bad_year", LEDGER_SHEET, 3, "上年台账年度（D 列）", "1989"),
        ("ledger_bad_number", LEDGER_SHEET, 3, "上年差距（F 列）", "False"),
    ]


def test_a_long_formula_like_text_is_shown_by_its_first_40_characters(tmp_path):
    text = "+" + "新" * 59
    p = _book(tmp_path, [["R:990101:1:小学:x", None, None, None, None, None, None, None, text]])
    assert _problems(p) == [("ledger_text_formula", LEDGER_SHEET, 2, "备注（I 列）", text[:40])]


def test_every_row_problem_tells_the_clerk_what_to_fix_in_both_languages(tmp_path):
    """(Round 6.) The words of each problem, not only its place: what the bureau's clerk reads."""
    p = _book(tmp_path, [
        ["R:990101:1:小学:x", None, 2022, None, "明年六月", None, None, None, None],
        ["R:990101:1:小学:x", None, 2022, None, None, None, None, None, None],
        [None, None, None, None, None, None, "赵六", None, None],
        ["第6项", None, None, None, None, None, None, None, None],
        ["S:990101:2:初中", None, 2031, "22", None, "abc", None, None, "长" * 2001],
    ])
    with pytest.raises(InputError) as e:
        read_previous_ledger(p, year=2023)
    assert [(p.code, p.problem_zh, p.problem_en) for p in e.value.problems] == [
        ("ledger_bad_deadline", "完成时限不是日期；请写成 2025-06-30、2025年6月30日 或 2025年6月",
         "完成时限 (deadline) is not a date; write it as 2025-06-30, 2025年6月30日 or 2025年6月"),
        ("ledger_duplicate_id", "编号与第 2 行重复", "the item id repeats row 2"),
        ("ledger_no_id", "这一行有内容但没有编号；台账的行不能删除编号（新增的事项请写在备注里）",
         "this row has content but no item id; do not clear ids (write new matters in 备注)"),
        ("ledger_bad_id", "编号的格式不对（应如 R:县区代码:学校标识码:学段:指标），可能被改动过",
         "the item id is malformed (expected like R:county:school:stage:indicator); it may have been edited"),
        ("ledger_future_year", "上年台账的年度 2031 晚于本次评估年度 2023；请检查 --previous 是否选错了文件",
         "the previous ledger's year 2031 is after the year assessed (2023); check that --previous names the right file"),
        ("ledger_bad_year", "年度应为四位年份", "the year must be a four-digit year"),
        ("ledger_bad_number", "差距应为数字", "the gap must be a number"),
        ("ledger_text_too_long", "文字超过 2000 个字符", "text longer than 2000 characters"),
    ]


@pytest.mark.parametrize("limits, code", [
    ({"max_file_mb": 0.001}, "file_too_large"),               # read_file_bytes gets the limits
    ({"max_uncompressed_mb": 0.001}, "workbook_too_large"),   # open_workbook gets them too
    ({"max_cells": 4}, "sheet_too_large"),
])
def test_the_read_limits_given_are_the_limits_in_force(tmp_path, limits, code):
    # (Round 6: `limits` not passed on to read_limits / read_file_bytes / open_workbook survived.)
    p = _book(tmp_path, [["R:990101:1:小学:x", 2024, 2024, None, 12.5, None, None]], head=HEAD2)
    assert read_previous_ledger(p)["gap"].iloc[0] == 12.5       # within the default limits
    assert [x.code for x in _errors_of(p, limits=limits)] == [code]


def _errors_of(path, **kw):
    with pytest.raises(InputError) as e:
        read_previous_ledger(path, **kw)
    return e.value.problems


# ---------------------------------------------------------------------------------- round 7
# The survivors round 6 left in ledger_file (docs/mutation/round6-evaluation-ledger.md "Left"):
# _text, the refusals of read_previous_ledger, _header_positions, _formula_problems.

def test_text_of_an_empty_cell_a_number_and_a_date():
    """``_text`` (every text column, every id, every year goes through it): an empty cell is None,
    never the words "None" or "nan"; a whole float is shown without ".0"; a date cell in a text
    column is its ISO date, without the time."""
    from balance.analysis.ledger_file import _text

    assert _text(None) is None and _text(float("nan")) is None and _text("  ") is None
    assert (_text(2024.0), _text(2.5), _text(" 王五 ")) == ("2024", "2.5", "王五")
    assert _text(dt.date(2025, 6, 30)) == "2025-06-30"
    assert _text(dt.datetime(2025, 6, 30, 14, 5)) == "2025-06-30"


def test_a_date_typed_in_a_text_column_reads_back_as_its_date(tmp_path):
    p = _book(tmp_path, [["R:990101:1:小学:x", None, None, None, None, None, None, None, dt.datetime(2025, 6, 30)]])
    assert read_previous_ledger(p)["remark"].iloc[0] == "2025-06-30"


SUMMARY = ("上年整改台账有误", "the previous ledger has errors")


def test_a_file_that_cannot_be_read_is_refused_by_name_as_the_previous_ledger(tmp_path):
    """A missing file and a file that is no workbook: one problem naming the file, under the
    previous ledger's summary (the clerk must know which of the run's files is wrong)."""
    for path, code in ((tmp_path / "nowhere.xlsx", "file_not_found"), (tmp_path / "notes.xlsx", None)):
        if code is None:
            path.write_bytes(b"\x00\x01 not a workbook \x00" * 20)
        with pytest.raises(InputError) as e:
            read_previous_ledger(path)
        (only,) = e.value.problems
        assert only.file == str(path) and only.problem_zh and only.problem_en
        assert code is None or only.code == code
        assert (e.value.summary_zh, e.value.summary_en) == SUMMARY


def test_problems_of_the_header_and_of_rows_carry_the_previous_ledgers_summary(tmp_path):
    with pytest.raises(InputError) as e:
        read_previous_ledger(_book(tmp_path, [["x"]], head=["序号"]))
    (only,) = e.value.problems
    assert (only.code, only.problem_zh, only.problem_en) == (
        "ledger_missing_id", "缺少「编号」列（台账的第一列）；不能识别各事项", "the column 编号 (item id) is missing")
    assert (e.value.summary_zh, e.value.summary_en) == SUMMARY
    with pytest.raises(InputError) as e:
        read_previous_ledger(_book(tmp_path, [["第6项"]], name="row.xlsx"))
    assert [x.code for x in e.value.problems] == ["ledger_bad_id"]
    assert (e.value.summary_zh, e.value.summary_en) == SUMMARY


def test_a_column_the_bureau_added_is_ignored(tmp_path):
    """A clerk adds a column of their own (联系电话) and leaves a header cell empty: both are read
    past, not taken for a ledger column."""
    p = _book(tmp_path, [["R:990101:1:小学:x", "138", "x", "王五"]], head=["编号", "联系电话", None, "责任人"])
    d = read_previous_ledger(p)
    assert "联系电话" not in d.columns and "" not in d.columns
    assert (d["item_id"].iloc[0], d["owner"].iloc[0]) == ("R:990101:1:小学:x", "王五")
    assert set(d.columns) == set(COLUMNS) | {"_row"}


def _formula_book(tmp_path, cells, head=("编号", "状态"), name="f.xlsx", other=None):
    """整改台账 with a header ``head``, one row with an id and formulas at ``cells`` (1-based
    row, column); ``other`` = formulas of a larger sheet 说明 placed first, as write_ledger does."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = LEDGER_SHEET
    ws.append(list(head))
    ws.append(["R:990101:1:小学:x"])
    for r, c in cells:
        ws.cell(r, c).value = "=1+1"
    if other is not None:
        about = wb.create_sheet("说明", 0)
        for i in range(1, 41):
            about.cell(i, 1).value, about.cell(i, 2).value = f"第{i}行", "说明文字"
        for r, c in other:
            about.cell(r, c).value = "=1+2"
    p = tmp_path / name
    wb.save(p)
    return p


def test_a_formula_past_the_header_or_under_an_empty_header_is_named_by_its_letter(tmp_path):
    """The header's last cell is B: formulas in C and D (past it; the reader's grid ends at B when
    those formulas have no value) and one under an empty header cell are named by the letter alone."""
    p = _formula_book(tmp_path, [(2, 3), (2, 4)])
    assert _problems(p) == [("ledger_formula", LEDGER_SHEET, 2, "（C 列）", None),
                            ("ledger_formula", LEDGER_SHEET, 2, "（D 列）", None)]
    q = _formula_book(tmp_path, [(2, 2)], head=("编号", None, "状态"), name="g.xlsx")
    assert _problems(q) == [("ledger_formula", LEDGER_SHEET, 2, "（B 列）", None)]


def test_only_the_ledger_sheets_formulas_count_and_at_most_20_are_listed(tmp_path):
    """A formula in the larger 说明 sheet is not the ledger's; 25 formulas in the ledger are listed
    as the first 20 (row by row), with the words the clerk reads."""
    p = _formula_book(tmp_path, [(2, 2)], other=[(3, 2)])
    assert _problems(p) == [("ledger_formula", LEDGER_SHEET, 2, "状态（B 列）", None)]
    q = _formula_book(tmp_path, [(r, 2) for r in range(3, 28)], name="many.xlsx")
    with pytest.raises(InputError) as e:
        read_previous_ledger(q)
    ps = e.value.problems
    assert [(x.code, x.row) for x in ps] == [("ledger_formula", r) for r in range(3, 23)]
    assert {(x.problem_zh, x.problem_en) for x in ps} == {(
        "这个单元格是没有计算结果的公式（以 = 开头）；请改为文字，或在 Excel 中打开并保存一次",
        "this cell is a formula without a calculated value (starts with =); type it as text, "
        "or open and save the file in Excel once")}


@pytest.mark.parametrize("cell, date", [("2025-01", dt.date(2025, 1, 31)), ("2025年1月", dt.date(2025, 1, 31)),
                                        ("2025-12", dt.date(2025, 12, 31)), ("2024年2月底", dt.date(2024, 2, 29))])
def test_a_month_deadline_is_the_months_last_day_from_january_to_december(cell, date):
    # (Round 7: `2 <= mo` / `1 < mo` survived — January refused as "not a date".)
    assert parse_deadline(cell) == date


def test_a_missing_sheet_and_an_empty_sheet_are_explained_in_both_languages():
    """``_ledger_grid`` on a hand-made workbook: the sheets present are listed with 、 / , ; a book
    without any sheet says so (无 / none); an empty 整改台账; both under the ledger's summary."""
    from functools import partial
    from types import SimpleNamespace

    from balance.analysis.ledger_file import _ledger_grid, _problem

    problem = partial(_problem, "prev.xlsx")
    for names, zh, en in ((["说明", "Sheet1"], "说明、Sheet1", "说明, Sheet1"), ([], "无", "none")):
        with pytest.raises(InputError) as e:
            _ledger_grid(SimpleNamespace(sheet_names=names), problem)
        (only,) = e.value.problems
        assert (only.code, only.file, only.sheet) == ("ledger_sheet_missing", "prev.xlsx", None)
        assert only.problem_zh == f"找不到工作表「整改台账」（现有：{zh}）；请使用 balance ledger 生成的台账"
        assert only.problem_en == f"sheet '整改台账' not found (present: {en}); use a ledger written by balance ledger"
        assert (e.value.summary_zh, e.value.summary_en) == SUMMARY
    with pytest.raises(InputError) as e:
        _ledger_grid(SimpleNamespace(sheet_names=[LEDGER_SHEET], rows=lambda name: []), problem)
    (only,) = e.value.problems
    assert (only.code, only.sheet, only.problem_zh, only.problem_en) == (
        "ledger_empty", LEDGER_SHEET, "工作表为空", "the sheet is empty")
    assert (e.value.summary_zh, e.value.summary_en) == SUMMARY
    grid = [["编号"], ["R:9:1:小学:x"]]
    assert _ledger_grid(SimpleNamespace(sheet_names=["说明", LEDGER_SHEET], rows=lambda name: grid), problem) is grid
