"""Locating a value in a statistics form sheet by row code / label and column number / header.

A sheet of a school's statistics workbook is a picture of the paper form::

    A   B                 C      D       E  …        (row 1: column letters)
        基础基512  中小学校舍情况                        (title)
                         单位：平方米                     (unit)
        指标名称    代码   学校产权校舍建筑面积  …          (header block, merged cells)
                         计     其中：危房 …
        甲         乙     1      2       …            (the column-number row)
    1   总计        01    5200   0
    2   教学及辅助用房 02    3100   0
    3   其中：体育馆  08    400    0

:class:`FormSheet` finds the column-number row (a cell 甲, then 乙, then 1, 2, 3 … to the right),
takes the 甲 column as the item labels and the 乙 column as the row codes of the rows below, and
gives every numbered column the path of its header cells (merged cells fill their whole range), so a
value is found by ``(row code or label [within a block], column number or header path)`` wherever
the year's layout puts it. Nothing is taken from a fixed cell address.

Matching (:func:`norm`): spaces, 其中：, #, △, ※ and leading numbering (一、 1. (1)) are removed, the
text is NFKC-normalised (full-width brackets, ㎡ → m2); a trailing bracketed part (a unit such as
（万元）) may be left out of the target. A header target ``"a|b"`` accepts either text.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from balance.io.workbook import col_letters

_SPACE = re.compile(r"[\s\u3000]+")
_PREFIX = re.compile(r"^(?:其中[:：]?|[#＃△※*＊]+|[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d)|\(\d+\)|\([一二三四五六七八九十]+\))+")
_TRAILING_BRACKET = re.compile(r"\([^()]*\)$")


def norm(text) -> str:
    """The text of a label or header as compared (see the module docstring)."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACE.sub("", s)
    prev = None
    while prev != s:
        prev = s
        s = _PREFIX.sub("", s)
    return s


def matches(target: str, text) -> bool:
    """``text`` (a cell) matches ``target`` (a mapping label; ``"a|b"`` = either)."""
    t = norm(text)
    if not t:
        return False
    for alt in str(target).split("|"):
        a = norm(alt)
        if a and (t == a or _TRAILING_BRACKET.sub("", t) == a):
            return True
    return False


def code_text(v) -> str:
    """A row code as text: ``1.0`` → ``"1"``, ``" 01 "`` → ``"01"``."""
    if v is None:
        return ""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    return norm(v)


def codes_equal(want: str, have: str) -> bool:
    """Row codes compared as written, or as numbers when both are digits (a code stored as a number
    lost its leading zero: ``"01"`` and ``1``)."""
    if not have:
        return False
    if want == have:
        return True
    return want.isdigit() and have.isdigit() and int(want) == int(have)


@dataclass
class Located:
    """Where a value was found (1-based Excel row and column)."""

    row: int
    col: int
    raw: object
    row_label: str = ""
    row_code: str = ""
    col_number: str = ""
    col_header: str = ""

    @property
    def cell(self) -> str:
        return f"{col_letters(self.col)}{self.row}"


class LocateError(Exception):
    """A row or column cannot be located: ``code`` of messages.yaml and its fields."""

    def __init__(self, code: str, /, **kw):
        super().__init__(code)
        self.code, self.kw = code, kw


@dataclass
class FormSheet:
    """One sheet of a statistics workbook, analysed for lookups (see the module docstring)."""

    name: str
    grid: list[list]
    merged: list = field(default_factory=list)

    def __post_init__(self):
        width = max([len(r) for r in self.grid] + [c[1] + 1 for _, c in self.merged] + [0])
        self.grid = [list(r) + [""] * (width - len(r)) for r in self.grid]
        self.width = width
        self._filled = [list(r) for r in self.grid]
        for (r0, c0), (r1, c1) in self.merged:
            if r0 >= len(self.grid):
                continue
            v = self.grid[r0][c0] if c0 < width else ""
            for r in range(r0, min(r1, len(self.grid) - 1) + 1):
                for c in range(c0, min(c1, width - 1) + 1):
                    self._filled[r][c] = v
        self.number_row = self._find_number_row()
        m = re.match(r"[^\s_\-(（]+", str(self.name).strip())
        self._code = norm(m.group(0)) if m else ""
        # rows that only repeat the column letters (A, B, C … as on the printed form)
        self._skip_rows = set()
        for i in range(self.number_row or 0):
            filled = [(j, str(v).strip()) for j, v in enumerate(self.grid[i]) if str(v).strip()]
            if filled and sum(t == col_letters(j + 1) for j, t in filled) * 2 >= len(filled):
                self._skip_rows.add(i)
        self._paths: dict[int, list[str]] = {}
        if self.number_row is not None:
            cols = {j: code_text(v) for j, v in enumerate(self.grid[self.number_row])}
            self._cols = {j: t for j, t in cols.items() if t}
            self.label_col = next(j for j, t in self._cols.items() if t == "甲")
            self.code_col = next(j for j, t in self._cols.items() if t == "乙")
            self._data_cols = {j: int(t) for j, t in self._cols.items() if t.isdigit()}
            self._labels = {i: norm(self.grid[i][self.label_col]) for i in self.data_rows()}
            self._codes = {i: code_text(self.grid[i][self.code_col]) for i in self.data_rows()}

    # -- structure ----------------------------------------------------------------------------------
    def _find_number_row(self) -> int | None:
        for i, row in enumerate(self.grid):
            cells = [norm(v) for v in row]
            if "甲" not in cells:
                continue
            j = cells.index("甲")
            rest = [c for c in cells[j + 1:] if c]
            if rest[:1] == ["乙"] and len(rest) >= 2 and code_text(rest[1]) == "1":
                return i
        return None

    @property
    def ok(self) -> bool:
        return self.number_row is not None

    def data_columns(self) -> dict[int, int]:
        """0-based column index → column number (1, 2, …) of every numbered column."""
        return self._data_cols

    def header_path(self, j: int) -> list[str]:
        """The header cells above column ``j`` (outer → inner), merged cells filled in; repeated
        texts (a cell merged over several header rows) given once."""
        if j not in self._paths:
            self._paths[j] = self._header_path(j)
        return self._paths[j]

    def _header_path(self, j: int) -> list[str]:
        out: list[str] = []
        for i in range(self.number_row):
            if i in self._skip_rows:
                continue
            t = norm(self._filled[i][j])
            if not t or t.startswith("单位") or (self._code and t.startswith(self._code)):
                continue  # the unit line and the title (it begins with the table code)
            if not out or out[-1] != t:
                out.append(t)
        return out

    def unit(self) -> str:
        """The text after 单位 in the rows above the column-number row ("" when none)."""
        for i in range(self.number_row if self.number_row is not None else len(self.grid)):
            for v in self.grid[i]:
                m = re.search(r"单位[:：]?\s*(\S+)", unicodedata.normalize("NFKC", str(v or "")))
                if m:
                    return m.group(1)
        return ""

    def data_rows(self) -> range:
        return range(self.number_row + 1, len(self.grid))

    def row_label(self, i: int) -> str:
        return self._labels[i]

    def row_code(self, i: int) -> str:
        return self._codes[i]

    # -- lookups ------------------------------------------------------------------------------------
    def find_row(self, code: str | None, labels: list[str], block: str | None, blocks: list[str]) -> int:
        """0-based grid row of the data row with ``code`` and/or one of ``labels`` (inside ``block``)."""
        rows = list(self.data_rows())
        desc = " | ".join(labels) if labels else f"[{code}]"
        if block:
            starts = [i for i in rows if matches(block, self.row_label(i))]
            if not starts:
                raise LocateError("missing_block", block=block)
            if len(starts) > 1:
                raise LocateError("ambiguous_row", row=block, rows="、".join(str(i + 1) for i in starts))
            start = starts[0]
            others = [i for i in rows if i > start and any(matches(b, self.row_label(i)) for b in blocks if b != block)]
            end = min(others) if others else len(self.grid)
            rows = [i for i in rows if start < i < end]
            desc = f"{block} / {desc}"
        hits = []
        for i in rows:
            ok_label = not labels or any(matches(lab, self.row_label(i)) for lab in labels)
            ok_code = code is None or codes_equal(code, self.row_code(i))
            if labels and code is not None:
                # a label match decides; the code must agree when the row has one
                if ok_label and (ok_code or not self.row_code(i)):
                    hits.append(i)
            elif ok_label and ok_code:
                hits.append(i)
        if not hits and labels and code is not None:  # label changed between years: the code alone
            hits = [i for i in rows if codes_equal(code, self.row_code(i))]
        if not hits:
            raise LocateError("missing_row", row=desc)
        if len(hits) > 1:
            raise LocateError("ambiguous_row", row=desc, rows="、".join(str(i + 1) for i in hits))
        return hits[0]

    def find_column(self, number: int | None, header: list[str], total_labels: list[str]) -> int:
        """0-based grid column of the numbered column with ``number`` and/or header path ``header``."""
        cols = self.data_columns()
        if not header:
            hits = [j for j, n in cols.items() if n == number]
            if not hits:
                raise LocateError("missing_column", column=f"第{number}栏")
            return hits[0]
        desc = " / ".join(header)
        cands: list[tuple[int, int]] = []  # (column, index of the level after the last matched)
        for j in cols:
            path = self.header_path(j)
            k = 0
            for target in header:
                while k < len(path) and not matches(target, path[k]):
                    k += 1
                if k == len(path):
                    break
                k += 1
            else:
                cands.append((j, k))
        if len(cands) > 1:  # a header merged over several columns: its total column (合计 / 计) or its leaf
            leaf = [(j, k) for j, k in cands if k == len(self.header_path(j))]
            total = [(j, k) for j, k in cands if k < len(self.header_path(j))
                     and any(matches(t, self.header_path(j)[k]) for t in total_labels)]
            if len(leaf) == 1:
                cands = leaf
            elif len(total) == 1:
                cands = total
        if not cands:
            raise LocateError("missing_column", column=desc)
        if len(cands) > 1:
            raise LocateError("ambiguous_column", column=desc,
                              columns="、".join(f"第{cols[j]}栏" for j, _ in cands))
        j = cands[0][0]
        if number is not None and cols[j] != number:
            raise LocateError("column_mismatch", header=desc, found=cols[j], number=number)
        return j

    def locate(self, i: int, j: int) -> Located:
        return Located(row=i + 1, col=j + 1, raw=self.grid[i][j], row_label=str(self.grid[i][self.label_col] or "").strip(),
                       row_code=self.row_code(i), col_number=str(self.data_columns().get(j, "")),
                       col_header=" / ".join(self.header_path(j)))
