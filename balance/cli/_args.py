"""Shared pieces of the command line: the parser class, exit codes, and options used by several commands.

Options that several commands share are defined once here, so their names, defaults and help
cannot drift apart (``--format`` keeps each command's documented default: ``auto`` for
``assess``, ``csv`` for ``equity``).
"""
from __future__ import annotations

import argparse
import re
import sys
from functools import lru_cache

from balance._resources import DATA_DIR

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MESSAGES_FILE = DATA_DIR / "messages_cli.yaml"
#: Options that name an output folder, by argparse destination (checked before a command runs).
OUTPUT_FOLDERS = {"out": "--out", "store": "--store"}
#: Options that name input files, by argparse destination: no command may write over them.
INPUT_FILES = ("input", "table", "county_sheet", "scenario", "standard", "costs", "params", "previous",
               "previous_ledger")
#: Marks the message of an unexpected error (a bug), so that scripts and tests can tell it apart.
UNEXPECTED_MARK = "意外错误 / unexpected error"
#: ``balance assess`` prints one line per county-year up to this many (then the first half and a count).
MAX_VERDICT_LINES = 60


@lru_cache(maxsize=1)
def _messages() -> dict:
    import yaml

    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


class BalanceParser(argparse.ArgumentParser):
    """argparse whose refusals are bilingual (Chinese first) and exit with 2 like bad input."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        zh = "命令行有误"
        for m in _messages()["argparse"]:
            hit = re.search(m["pattern"], message)
            if hit:
                zh = m["zh"].format(None, *hit.groups())
                break
        self.print_usage(sys.stderr)
        print(f"命令行参数有误：{zh} / invalid command line: {message}", file=sys.stderr)
        print(f"查看用法 / see the usage: {self.prog} --help", file=sys.stderr)
        self.exit(EXIT_BAD_INPUT)


def positive_int(text: str) -> int:
    """argparse type: a whole number ≥ 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为不小于 1 的整数，而不是 {text!r} / must be a whole number ≥ 1, not {text!r}")
    return n



STANDARD_HELP = "quality-2017（默认）| basic-2012 | 省级标准 FILE.yaml / standard (default quality-2017, or a province's FILE.yaml)"


def add_input(p, help_text: str) -> None:
    """The positional school table."""
    p.add_argument("input", help=help_text)


def add_out(p) -> None:
    """``--out DIR`` (required)."""
    p.add_argument("--out", required=True, help="结果目录 / output folder")


def add_standard(p) -> None:
    """``--standard`` (default quality-2017)."""
    p.add_argument("--standard", default="quality-2017", help=STANDARD_HELP)


def add_year(p, help_text: str = "只处理该年份 / only this year") -> None:
    p.add_argument("--year", type=int, help=help_text)


def county_code(text: str) -> str:
    """A ``--county`` value without the spaces a code pasted from a spreadsheet cell brings along."""
    return text.strip()


def add_county(p, help_text: str = "只处理该县区代码 / only this county code") -> None:
    p.add_argument("--county", type=county_code, help=help_text)


def add_sheet(p, help_text: str = "Excel 工作表名 / sheet name") -> None:
    p.add_argument("--sheet", help=help_text)


def add_format(p, default: str) -> None:
    """``--format csv|parquet|auto`` with the command's default."""
    p.add_argument("--format", choices=("csv", "parquet", "auto"), default=default,
                   help=f"结果表格式：csv | parquet | auto（超过 20 万行用 Parquet）；默认 {default} / result table format "
                        f"(auto: Parquet above 200,000 rows; default {default})")


def tune_for(rows: int) -> None:
    """Tune the process's memory allocator for a large table (:func:`balance.tune_memory`): a
    command is the whole process, so it may; library calls never do (a researcher's notebook
    keeps its allocator)."""
    from balance.method.assessment import LARGE_TABLE

    if rows > LARGE_TABLE:
        from balance._fast import tune_memory

        tune_memory()


def _records(problems, codes) -> list[dict]:
    """The problems (a list of :class:`~balance.errors.Problem` or a problem table) whose code is in ``codes``."""
    if hasattr(problems, "to_dict"):
        return [r for r in problems.to_dict("records") if r.get("code") in codes]
    return [p.to_dict() for p in problems if getattr(p, "code", None) in codes]


def say_ignored_rows(problems) -> None:
    """The county-sheet rows not used (a city-wide sheet beside a table of some of its counties),
    named on stderr in Chinese and English (``brief``, ``evaluate``, ``self-report``, ``application``,
    ``ledger``)."""
    for r in _records(problems, ("other_counties_ignored",)):
        print(f"! {r.get('file') or ''}：{r['problem_zh']}\n  {r['problem_en']}", file=sys.stderr)


def print_fraction_warnings(problems) -> None:
    """Print, one per line, the warnings that a rate looks like a fraction (issue 12, trap 1): they
    change a verdict, so the console says them in full, not only as a count. ``problems``: a list
    of :class:`~balance.errors.Problem` or a problem table (DataFrame)."""
    from balance.io.rates import FRACTION_CODES

    for r in _records(problems, FRACTION_CODES):
        row = r.get("row")
        where = f" 第 {row} 行" if row is not None and str(row) not in ("<NA>", "nan", "None") else ""
        col = r.get("column") or ""
        col = f"「{col}」" if col and col not in r["problem_zh"] else ""
        print(f"! {r.get('file') or ''}{where}{col}：{r['problem_zh']}")
        print(f"  {r['problem_en']}")
