"""``str(InputError)`` names its problems: in a Jupyter or papermill traceback the message is all
one sees (it used to be only "cannot read the school table (1 errors)")."""
from __future__ import annotations

from balance.errors import InputError, Problem


def _p(row: int, sev: str = "error") -> Problem:
    return Problem(file="/x/schools.xlsx", row=row, column="小学在校生数", value=f"x{row}",
                   problem_zh="应为数字", problem_en="must be a number", severity=sev)


def test_str_lists_first_problems_then_a_count():
    e = InputError([_p(r) for r in range(2, 9)], "学校数据表有误", "invalid school table")
    text = str(e)
    lines = text.splitlines()
    assert lines[0] == "学校数据表有误（7 个错误）/ invalid school table (7 errors)"
    assert "schools.xlsx" in lines[1] and "第 2 行/row 2" in lines[1] and "x2" in lines[1]
    assert "应为数字 / must be a number" in lines[1]
    assert "x4" in text and "x5" not in text and "另有 4 个问题 / 4 more" in lines[-1]


def test_one_error_is_singular_and_has_no_count_line():
    e = InputError([_p(3)], "学校数据表有误", "invalid school table")
    assert e.headline.endswith("(1 error)")
    assert len(str(e).splitlines()) == 2


def test_warnings_are_not_counted_as_errors_in_the_headline():
    e = InputError([_p(2), _p(3, "warning")], "学校数据表有误", "invalid school table")
    assert "(1 error)" in e.headline and "x3" not in str(e)
