"""A fuzz suite of malformed school tables for ``balance validate`` and ``balance assess`` (issue 9).

Each kind of bad input must give: exit status 2, a message in Chinese and English naming the file
(and the row / column where there is one), no traceback, nothing written (``--out`` is not even
created) and the input file unchanged. The commands run in-process (fast); the inputs that made
the old reader abort the process are in ``test_hostile_input.py`` (run in a child process).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from balance.cli import main
from balance.schema import HEADERS as H
from tests import hostile_files as hostile
from tests.tables import valid_table

CJK = re.compile(r"[\u4e00-\u9fff]")


def _table() -> pd.DataFrame:
    return valid_table().astype(object)


def _csv(df: pd.DataFrame, path: Path, encoding="utf-8") -> Path:
    path.write_bytes(df.to_csv(index=False).encode(encoding, errors="replace"))
    return path


def _xlsx_rows(rows: list[list], path: Path, merge: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    if merge:
        wb.active.merge_cells(merge)
    wb.save(path)
    return path


def _rows(df: pd.DataFrame) -> list[list]:
    return [list(df.columns)] + [[None if pd.isna(v) else v for v in r] for r in df.itertuples(index=False)]


def _cell(name: str, value, row: int = 0):
    def make(tmp: Path) -> Path:
        df = _table()
        df.loc[row, H[name]] = value
        return _csv(df, tmp / "s.csv")
    return make


def _bytes(name: str, data: bytes):
    def make(tmp: Path) -> Path:
        p = tmp / name
        p.write_bytes(data)
        return p
    return make


def _lines(edit, name="s.csv"):
    def make(tmp: Path) -> Path:
        lines = valid_table().to_csv(index=False, lineterminator="\n").splitlines()
        edit(lines)
        p = tmp / name
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return p
    return make


def _folder(tmp: Path) -> Path:
    d = tmp / "folder"
    d.mkdir()
    (d / "readme.txt").write_text("not data")
    return d


def _dup_headers(tmp: Path) -> Path:
    df = _table()
    df.columns = [H["year"] if c == H["school_name"] else c for c in df.columns]
    return _csv(df, tmp / "s.csv")


def _duplicates(tmp: Path) -> Path:
    df = _table().iloc[np.zeros(500, dtype=int)].reset_index(drop=True)
    return _csv(df, tmp / "s.csv")


def _header_only_xlsx(tmp: Path) -> Path:
    return _xlsx_rows([list(valid_table().columns)], tmp / "h.xlsx")


def _merged_header(tmp: Path) -> Path:
    return _xlsx_rows(_rows(valid_table()), tmp / "m.xlsx", merge="A1:C1")


def _formula(tmp: Path) -> Path:
    rows = _rows(valid_table())
    rows[2][rows[0].index(H["teaching_area"])] = "=100*2"
    return _xlsx_rows(rows, tmp / "f.xlsx")


def _truncated_xlsx(tmp: Path) -> Path:
    data = hostile.xlsx(hostile.sheet(hostile.rows_xml(_rows(valid_table()))))
    p = tmp / "t.xlsx"
    p.write_bytes(data[: len(data) // 2])
    return p


def _only_other_sheets(tmp: Path) -> Path:
    inst = hostile.sheet(hostile.rows_xml([["说明"], ["见第二页"]]))
    p = tmp / "w.xlsx"
    p.write_bytes(hostile.xlsx(("说明", inst), ("备注", inst)))
    return p


def _zip_bomb(tmp: Path, monkeypatch) -> Path:
    monkeypatch.setenv("BALANCE_MAX_UNCOMPRESSED_MB", "2")
    body = hostile.rows_xml(_rows(valid_table()))
    body += "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(30, 120_000))
    p = tmp / "bomb.xlsx"
    p.write_bytes(hostile.xlsx(hostile.sheet(body)))
    return p


def _unreadable(tmp: Path, monkeypatch) -> Path:
    p = _csv(_table(), tmp / "s.csv")
    real = Path.read_bytes

    def read_bytes(self):
        if self == p:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return p


#: kind -> (make the input, an English phrase the message must contain, the row it must name or None)
KINDS = {
    "empty": (_bytes("e.csv", b""), "empty", None),
    "bom-only": (_bytes("e.csv", b"\xef\xbb\xbf"), "empty", None),
    "blank-lines": (_bytes("e.csv", b" \n\t\n,,,\n"), "empty", None),
    "headers-only": (lambda t: _csv(_table().iloc[:0], t / "h.csv"), "no data rows", None),
    "header-only-xlsx": (_header_only_xlsx, "no data rows", None),
    "empty-xlsx": (lambda t: _xlsx_rows([], t / "e.xlsx"), "empty", None),
    "text-in-number": (_cell("primary_students", "约300", 3), "not a number", 5),
    "date-in-number": (_cell("junior_students", "2024-01-05", 1), "a date", 3),
    "negative": (_cell("books", "-5"), "negative", 2),
    "fraction": (_cell("computers", "2.5"), "whole number", 2),
    "2**63": (_cell("primary_students", str(2**63)), "plausible maximum", 2),
    "1e30": (_cell("primary_students", "1e30"), "plausible maximum", 2),
    "inf": (_cell("teaching_area", "inf"), "not a valid number", 2),
    "nan-text": (_cell("teaching_area", "NaN"), "not a valid number", 2),
    "1e309": (_cell("equipment_value", "1e309"), "not a valid number", 2),
    "huge-name": (_cell("school_name", "校" * 1_000_000), "longer than", 2),
    "nul-name": (_cell("school_name", "长安\x00小学"), "control characters", 2),
    "formula-name": (_cell("school_name", '=HYPERLINK("http://x","点我")'), "formula", 2),
    "plus-name": (_cell("county_name", "+86"), "formula", 2),
    "at-township": (_cell("township", "@SUM(A1)"), "formula", 2),
    "bad-code": (_cell("school_code", "21300000x1"), "digits", 2),
    "bad-category": (_cell("school_type", "大学"), "unknown value", 2),
    "blank-required": (_cell("county_code", ""), "blank", 2),
    "duplicate-headers": (_dup_headers, "several columns", None),
    "merged-header": (_merged_header, "merged cells A1:C1", 1),
    "no-header": (_bytes("x.csv", "甲,乙,丙\n1,2,3\n".encode()), "no school-table header", None),
    "duplicate-schools": (_duplicates, "500 times", 2),
    "unclosed-quote": (_lines(lambda ls: ls.__setitem__(5, ls[5].replace(",长安区", ',"长安区', 1))), "never closed", 6),
    "extra-cells": (_lines(lambda ls: ls.__setitem__(4, ls[4] + ",x")), "line 5 has", 5),
    "big5": (lambda t: _csv(_table(), t / "b.csv", "big5"), "Big5", None),
    "binary-csv": (_bytes("b.csv", bytes(range(256)) * 20), "not a text file", None),
    "xlsx-named-csv": (_bytes("w.csv", hostile.xlsx(hostile.sheet(hostile.rows_xml([["a"]])))), "rename it", None),
    "text-named-xlsx": (_bytes("t.xlsx", b"year,county\n2024,1\n"), "not an Excel workbook", None),
    "html-named-xls": (_bytes("t.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>"), "web page",
                       None),
    "encrypted-xlsx": (_bytes("p.xlsx", hostile.encrypted_ooxml()), "password", None),
    "truncated-xlsx": (_truncated_xlsx, "cannot read", None),
    "formula-no-value": (_formula, "formula without a cached value", 3),
    "only-other-sheets": (_only_other_sheets, "--sheet", None),
    "zip-bomb": (_zip_bomb, "zip bomb", None),
    "folder": (_folder, "Parquet", None),
    "missing": (lambda t: t / "nope.csv", "not found", None),
    "unsupported-suffix": (_bytes("s.docx", b"PK\x03\x04"), "unsupported file type", None),
    "no-suffix": (_bytes("schools", b"a,b\n"), "unsupported file type", None),
    "unreadable": (_unreadable, "Permission denied", None),
}


def _make(kind, tmp_path, monkeypatch) -> Path:
    make = KINDS[kind][0]
    try:
        return make(tmp_path, monkeypatch)
    except TypeError:
        return make(tmp_path)


def _digest(path: Path) -> str | None:
    if not path.is_file():
        return None
    with open(path, "rb") as f:  # not Path.read_bytes: one kind makes that fail
        return hashlib.sha256(f.read()).hexdigest()


@pytest.mark.parametrize("command", ["validate", "assess"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_bad_input_is_refused_cleanly(kind, command, tmp_path, monkeypatch, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    src = _make(kind, inp, monkeypatch)
    before = _digest(src)
    listing = sorted(p.name for p in src.parent.iterdir())
    out = tmp_path / "out"
    args = ["validate", str(src)] if command == "validate" else ["assess", str(src), "--out", str(out)]
    status = main(args)  # an exception other than the refusal would fail the test (no traceback allowed)
    err = capsys.readouterr().err
    _, phrase, row = KINDS[kind]
    assert status == 2, err
    assert str(src) in err or src.name in err, err[:500]
    assert CJK.search(err) and " / " in err, err[:500]
    assert phrase in err, err[:2000]
    if row is not None:
        assert re.search(rf"\s{row}\s", err), err[:2000]
    assert not out.exists()  # nothing written, not even the folder
    assert sorted(p.name for p in src.parent.iterdir()) == listing
    assert _digest(src) == before  # the input is never modified
