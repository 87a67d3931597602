"""Message texts of ``messages.yaml``, the raw table handed to validation, and the collector that
turns failing rows into capped :class:`~balance.errors.Problem` records (see :mod:`balance.io.validation`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import yaml

from balance._resources import DATA_DIR  # noqa: E402
from balance.errors import Problem
from balance.schema import COLUMNS, HEADERS, column_spec

MESSAGES_FILE = DATA_DIR / "messages.yaml"
#: At most this many problems of one kind in one column are listed; the rest are summarised.
MAX_PER_KIND = 50

COLS: dict[str, dict] = {c["name"]: c for c in COLUMNS}
NUMERIC_KINDS = ("count", "area", "money")


#: Messages used here that ``messages.yaml`` may not (yet) define; the file's own text wins.
_DEFAULT_MESSAGES = {
    "errors": {
        "out_of_range": {"zh": "应为 {low}–{high} 之间的年份（不晚于该行的年份）",
                         "en": "must be a year from {low} to {high} (not after the row's year)"},
    },
}


@lru_cache(maxsize=1)
def messages() -> dict:
    """The parsed ``messages.yaml`` (message templates and plausibility thresholds)."""
    out = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    for section, codes in _DEFAULT_MESSAGES.items():
        for code, text in codes.items():
            out.setdefault(section, {}).setdefault(code, text)
    return out


def message(code: str, severity: str = "error", **fields) -> tuple[str, str]:
    """The Chinese and English text of problem ``code`` with ``fields`` filled in.

    Parameters
    ----------
    code : str
        A key of the ``errors`` or ``warnings`` section of ``messages.yaml``.
    severity : {"error", "warning"}
        Which section to look in.
    **fields
        Values for the ``{placeholders}`` of the templates.

    Returns
    -------
    tuple of str
        ``(problem_zh, problem_en)``.
    """
    section = messages()["errors" if severity == "error" else "warnings"]
    t = section[code]
    return t["zh"].format(**fields), t["en"].format(**fields)


@dataclass
class RawTable:
    """The text cells of a school table, with canonical column names.

    Attributes
    ----------
    text : DataFrame
        One column per recognised canonical column (only those present in the file), text cells
        (``""`` for an empty cell), RangeIndex.
    source_row : ndarray of int
        The row number the user sees for each row of ``text``.
    headers : dict
        Canonical name -> the user's original header text.
    factors : dict
        Canonical name -> multiplier applied to numbers (10000 for a 万元 header; default 1).
    numeric : dict
        Canonical name -> boolean array, True where the source cell was stored as a number
        (Excel or a numeric DataFrame column); used to explain lost leading zeros of codes.
    file, sheet : str
        Where the table came from (for the problem table).
    formula : dict
        Canonical name -> boolean array, True where the cell is a formula without a cached value
        (a workbook written by a program that never calculated it): reported as such, not as blank.
    """

    text: pd.DataFrame
    source_row: np.ndarray
    headers: dict[str, str]
    factors: dict[str, float] = field(default_factory=dict)
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    file: str = "<DataFrame>"
    sheet: str | None = None
    formula: dict[str, np.ndarray] = field(default_factory=dict)


#: A cell's text shown in a problem is cut to this many characters.
MAX_VALUE_SHOWN = 100


def shown_value(v: str | None) -> str | None:
    """A cell's text as shown in a problem: control characters, line breaks and invisible
    formatting characters (``name_rules.refuse_invisible``: zero-width, text-direction controls)
    escaped (``\\x00``, ``\\n``, ``\\u202e``) so that the problem table shows what is stored and
    stays one line per problem; cut to :data:`MAX_VALUE_SHOWN` characters (a 5 MB cell is not
    repeated in the problem table)."""
    if v is None:
        return None
    v = str(v)
    if len(v) > MAX_VALUE_SHOWN:
        v = v[:MAX_VALUE_SHOWN] + f"…（共 {len(v)} 字符 / {len(v)} characters）"
    hidden = _hidden_chars()
    if any(ord(c) < 32 for c in v) or hidden.search(v):
        v = "".join(repr(c)[1:-1] if ord(c) < 32 or hidden.match(c) else c for c in v)
    return v


@lru_cache(maxsize=1)
def _hidden_chars() -> "re.Pattern[str]":
    return re.compile(name_rules()["refuse_invisible"])


class _Collector:
    """Builds Problem objects for failing rows, capped per (code, column)."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.problems: list[Problem] = []

    def header(self, col: str) -> str:
        return self.raw.headers.get(col, HEADERS.get(col, col))

    def value(self, col: str, pos: int) -> str | None:
        if col in self.raw.text.columns:
            return str(self.raw.text[col].iat[pos])
        return None

    def whole(self, code: str, severity: str = "error", column: str | None = None, **fields) -> None:
        zh, en = message(code, severity, **fields)
        self.problems.append(Problem(file=self.raw.file, sheet=self.raw.sheet, problem_zh=zh, problem_en=en,
                                     column=column, severity=severity, code=code))

    def rows(self, code: str, col: str, positions, *, severity: str = "error", per_row=None,
             value=None, **fields) -> None:
        """One problem per failing row position (at most MAX_PER_KIND, then a summary line).

        ``per_row(pos)`` returns extra template fields (and optionally ``_code`` / ``_value``).
        """
        positions = np.asarray(positions, dtype="int64")
        if len(positions) == 0:
            return
        positions = np.sort(positions)
        header = self.header(col)
        first = None
        for pos in positions[:MAX_PER_KIND]:
            extra = per_row(int(pos)) if per_row is not None else {}
            c = extra.pop("_code", code)
            v = extra.pop("_value", None)
            if v is None:
                v = value(int(pos)) if callable(value) else self.value(col, int(pos))
            v = shown_value(v)
            zh, en = message(c, severity, **{**fields, **extra})
            p = Problem(file=self.raw.file, sheet=self.raw.sheet, row=int(self.raw.source_row[pos]),
                        column=header, value=v, problem_zh=zh, problem_en=en, severity=severity, code=c)
            self.problems.append(p)
            first = first or p
        rest = len(positions) - MAX_PER_KIND
        if rest > 0:
            zh = message("more", severity, n=rest, kind=first.problem_zh)[0]
            en = message("more", severity, n=rest, kind=first.problem_en)[1]
            self.problems.append(Problem(file=self.raw.file, sheet=self.raw.sheet, column=header,
                                         problem_zh=zh, problem_en=en, severity=severity, code=code))



def name_rules() -> dict:
    """``name_rules`` of ``columns.yaml``: the leading characters refused in names, the longest name."""
    return column_spec()["name_rules"]
