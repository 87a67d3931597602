"""Problems found in user input, reported in Chinese and English.

Every check that looks at a user's file (school table, parameters, standard, county sheet)
reports :class:`Problem` records; errors are raised together as one :class:`InputError` so the
user sees *all* problems at once, never just the first. Warnings travel with the results.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

__all__ = [
    "PROBLEMS_FILE_ENV", "PROBLEM_HEADERS", "Problem", "problems_frame", "render_problems", "InputError",
    "not_in_data", "require_present", "plural",
]

if TYPE_CHECKING:
    import pandas as pd


#: Set by the batch runner for the kernel of each run: where an :class:`InputError` that reaches
#: the top of a notebook cell writes its problems (JSON), so the batch can show the problem table.
PROBLEMS_FILE_ENV = "BALANCE_PROBLEMS_FILE"

#: Column headers of the problem table as printed and exported (Chinese / English).
PROBLEM_HEADERS = {
    "file": "文件 file",
    "sheet": "工作表 sheet",
    "row": "行 row",
    "column": "列 column",
    "value": "值 value",
    "problem_zh": "问题",
    "problem_en": "problem",
}


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one input file.

    ``row`` is the row number as the user sees it in Excel or a text editor (the header row is
    row 1 when it is the first line), or ``None`` when the problem concerns the whole file or a
    whole column. ``severity`` is ``"error"`` (refuses the input) or ``"warning"`` (kept in the
    results, does not stop the run).
    """

    file: str
    problem_zh: str
    problem_en: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"
    sheet: str | None = None
    code: str = ""  # short machine-readable kind, e.g. "missing_column"

    def to_dict(self) -> dict:
        return asdict(self)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a DataFrame with stable English column names (for CSV/Excel export)."""
    import pandas as pd  # here, not at the top: ``balance --help`` must not import pandas

    cols = ["severity", "code", "file", "sheet", "row", "column", "value", "problem_zh", "problem_en"]
    if not problems:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    df = pd.DataFrame([p.to_dict() for p in problems])[cols]
    df["row"] = df["row"].astype("Int64")
    return df


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 county`` / ``2 counties``: English counts in console text read as words (never
    "1 counties" or "1 error(s)")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def render_problems(problems: list[Problem], limit: int = 200) -> str:
    """A plain-text table for the terminal: file / row / column / value / problem (zh + en)."""
    if not problems:
        return ""
    lines = []
    header = ["文件 file", "行 row", "列 column", "值 value", "问题 problem"]
    rows = []
    for p in problems[:limit]:
        where = p.file + (f" [{p.sheet}]" if p.sheet else "")
        rows.append([
            where,
            "" if p.row is None else str(p.row),
            p.column or "",
            "" if p.value is None else _clip(str(p.value), 24),
            f"{p.problem_zh} / {p.problem_en}",
        ])
    widths = [max(_width(r[i]) for r in rows + [header]) for i in range(4)]
    def fmt(r):
        return "  ".join(_pad(r[i], widths[i]) for i in range(4)) + "  " + r[4]
    lines.append(fmt(header))
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 20)
    lines.extend(fmt(r) for r in rows)
    if len(problems) > limit:
        lines.append(f"… 另有 {len(problems) - limit} 个问题未显示 / {len(problems) - limit} more problems not shown")
    return "\n".join(lines)


class InputError(Exception):
    """Raised when user input cannot be used. Carries every problem found (errors and warnings)."""

    def __init__(self, problems: list[Problem], summary_zh: str = "输入数据有误", summary_en: str = "invalid input"):
        self.problems = list(problems)
        self.summary_zh = summary_zh
        self.summary_en = summary_en
        super().__init__(self.headline)

    #: How many problems ``str(exc)`` shows before it says how many more there are.
    SHOWN_IN_STR = 3

    @property
    def headline(self) -> str:
        """The one-line summary: ``学校数据表有误（2 个错误）/ invalid school table (2 errors)``."""
        n = len(self.errors)
        return f"{self.summary_zh}（{n} 个错误）/ {self.summary_en} ({n} error{'' if n == 1 else 's'})"

    def __str__(self) -> str:
        """The headline, then the first few problems one per line (where, Chinese / English) and how
        many more: so a Jupyter or papermill traceback names the actual problem."""
        shown = (self.errors or self.problems)[: self.SHOWN_IN_STR]
        lines = [self.headline]
        for p in shown:
            where = ", ".join(x for x in (
                Path(str(p.file)).name if p.file else "", f"sheet {p.sheet}" if p.sheet else "",
                f"第 {p.row} 行/row {p.row}" if p.row is not None else "", f"列/column {p.column}" if p.column else "",
                f"值/value “{p.value}”" if p.value not in (None, "") else "") if x)
            lines.append(f"  {where + ': ' if where else ''}{p.problem_zh} / {p.problem_en}")
        more = len(self.errors or self.problems) - len(shown)
        if more > 0:
            lines.append(f"  …另有 {more} 个问题 / {more} more")
        return "\n".join(lines)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def table(self) -> pd.DataFrame:
        return problems_frame(self.problems)

    def render(self, limit: int = 200) -> str:
        n = len(self.errors)
        head = f"{self.summary_zh}：{n} 个错误 / {self.summary_en}: {plural(n, 'error')}"
        return head + "\n" + render_problems(self.errors, limit=limit)

    def _render_traceback_(self) -> list[str]:
        """How IPython / Jupyter show this error when a cell raises it: the problem table instead
        of a Python traceback (it is bad input, not a bug). Inside a batch run (environment
        variable ``BALANCE_PROBLEMS_FILE``) the problems are also written there as JSON."""
        path = os.environ.get(PROBLEMS_FILE_ENV)
        if path:
            import json

            try:
                with open(path, "w", encoding="utf-8") as fh:
                    json.dump([p.to_dict() for p in self.problems], fh, ensure_ascii=False, default=str)
            except (OSError, TypeError, ValueError):
                pass
        return [f"{type(self).__name__}: {self.headline}", *self.render(limit=50).splitlines()]


def _width(s: str) -> int:
    """Display width: CJK and full-width characters take two terminal cells."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


#: How many known values a "not in the data" message lists before it gives the count.
KNOWN_SHOWN = 30

#: What each presence check is about: (Chinese noun, English noun, problem code).
_ABSENT = {
    "year": ("年份", "数据中没有 {v} 年", "year", "year_not_in_data"),
    "previous_year": ("对比年份", "数据中没有对比年份 {v} 年", "previous year", "year_not_in_data"),
    "county": ("县区代码", "数据中没有县区代码 {v}", "county code", "county_not_in_data"),
}


def not_in_data(source: str, what: str, value, known, *, column: str | None = None) -> Problem:
    """The one "not in the data" problem: ``数据中没有 2031 年（已有：2023, 2024）`` / ``year 2031 is
    not in the data (present: 2023, 2024)``.

    ``what`` is ``"year"``, ``"previous_year"`` or ``"county"``; ``known`` the values that are
    present (sorted here; the first :data:`KNOWN_SHOWN` are listed, then the count); ``column``
    the column or parameter the value came from (default: the Chinese noun).
    """
    zh, text_zh, en, code = _ABSENT[what]
    known = sorted(str(k) for k in known)
    shown = ", ".join(known[:KNOWN_SHOWN]) if known else "无 / none"
    if len(known) > KNOWN_SHOWN:
        shown += f" …（共 {len(known)} 个 / {len(known)} in all）"
    return Problem(file=str(source), column=column or zh, value=str(value), code=code,
                   problem_zh=f"{text_zh.format(v=value)}（已有：{shown}）",
                   problem_en=f"{en} {value} is not in the data (present: {shown})")


def require_present(source: str, *, year=None, years=(), county=None, counties=(), previous_year=None,
                    columns: dict | None = None, summary=("参数与数据不符", "parameters do not match the data")) -> None:
    """Raise one :class:`InputError` naming every requested year/county that the data do not hold.

    The single home of the check used by ``assess``/``Assessment.county``, the params loader and
    the briefings, so the three read the same. ``None`` means "not asked for"; ``columns`` maps
    ``"year"``/``"previous_year"``/``"county"`` to the column or parameter name to report.
    """
    columns = columns or {}
    years_set = {int(y) for y in years}
    counties_set = {str(c) for c in counties}
    problems = []
    if year is not None and int(year) not in years_set:
        problems.append(not_in_data(source, "year", year, years_set, column=columns.get("year")))
    if previous_year is not None and int(previous_year) not in years_set:
        problems.append(not_in_data(source, "previous_year", previous_year, years_set,
                                    column=columns.get("previous_year")))
    if county is not None and str(county) not in counties_set:
        problems.append(not_in_data(source, "county", county, counties_set, column=columns.get("county")))
    if problems:
        raise InputError(problems, *summary)
