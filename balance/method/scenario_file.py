"""Reading a what-if scenario's raw changes: a YAML file, a CSV file, a DataFrame, a list of mappings.

Each reader gives the raw changes ``(row, school code, year, column, amount)`` as written, one per
change, with the row the user sees (CSV line, YAML line, position from 1); checking them is
:func:`balance.method.scenario._changes`'s. Header names accepted: 学校标识码 / school_code (and its
aliases), 列 / 数据项 / column, 增加量 / 变化量 / 数量 / amount, 年份 / year. Moved out of
:mod:`balance.method.scenario`, which re-exports every name.
"""
from __future__ import annotations

import math

import pandas as pd

from balance.errors import InputError, Problem

__all__ = ["SUMMARY"]

_CODE_HEADERS = {"学校标识码", "school_code", "学校代码", "学校识别码"}
_COLUMN_HEADERS = {"列", "column", "数据项", "列名", "项目"}
_AMOUNT_HEADERS = {"增加量", "amount", "变化量", "数量", "增加", "add"}
_YEAR_HEADERS = {"年份", "year", "统计年份", "学年"}
SUMMARY = ("情景文件有误", "invalid scenario file")


def _norm(text) -> str:
    from balance.io.headers import normalize_header

    return normalize_header(text)


def _scalar(v):
    """A cell of a change as given, or, for a list or mapping where one value belongs, its short
    repr (a YAML alias bomb must not be expanded into text)."""
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxdict, r.maxstring, r.maxother = 2, 4, 4, 40, 40
    return r.repr(v)[:100]


def _read_yaml(data: bytes, file: str) -> list:
    from balance.io.headers import decode_text

    text = decode_text(data, file, SUMMARY)
    from balance.method.standards import _parse

    try:  # the standards' parser: problem lines, repeated keys, alias bombs and nesting refused
        data, key_lines = _parse(file, text)
    except InputError as exc:
        raise InputError(exc.problems, *SUMMARY) from None
    items, prefix = data, ()
    if isinstance(data, dict):
        items, prefix = data.get("changes"), ("changes",)
    if not isinstance(items, list):
        raise InputError([Problem(file=file, code="scenario_no_changes",
                                  problem_zh="情景文件应包含 changes: 列表", problem_en="a scenario needs a 'changes:' list")],
                         *SUMMARY)
    return _rows_of_items(items, [key_lines.get((*prefix, i)) for i in range(len(items))], file)


def _rows_of_items(items: list, lines: list, file: str) -> list:
    """Raw changes of a list of mappings (one change, or one school with ``add:``, each)."""
    raw, problems = [], []
    for item, line in zip(items, lines):
        if not isinstance(item, dict):
            problems.append(Problem(file=file, row=line, code="scenario_bad_item", value=str(_scalar(item)),
                                    problem_zh="每项应为映射（school_code, column, amount）",
                                    problem_en="each change must be a mapping (school_code, column, amount)"))
            continue
        keys = {_norm(k): v for k, v in item.items()}
        code = next((keys[_norm(h)] for h in _CODE_HEADERS if _norm(h) in keys), None)
        year = next((keys[_norm(h)] for h in _YEAR_HEADERS if _norm(h) in keys), None)
        adds = item.get("add") if isinstance(item.get("add"), dict) else None
        if adds is not None:
            for col, amt in adds.items():
                raw.append((line, code, year, col, amt))
        else:
            col = next((keys[_norm(h)] for h in _COLUMN_HEADERS if _norm(h) in keys), None)
            amt = next((keys[_norm(h)] for h in _AMOUNT_HEADERS if _norm(h) in keys), None)
            raw.append((line, code, year, col, amt))
    if problems:
        raise InputError(problems, *SUMMARY)
    return raw


def _read_csv(data: bytes, file: str) -> list:
    import io

    from balance.io.reading import csv_parse_refusal, decode_text

    text = decode_text(data, file, SUMMARY)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError([Problem(file=file, code="empty_file", problem_zh="情景文件为空",
                                  problem_en="the scenario file is empty")], *SUMMARY) from None
    except pd.errors.ParserError as e:
        raise csv_parse_refusal(file, text, ",", str(e), SUMMARY) from None
    return _rows_of_frame(df, file, first_row=2)


def _rows_of_frame(df: pd.DataFrame, file: str, first_row: int) -> list:
    """Raw changes of a table with one change per row (``first_row``: the row number shown for
    the first one: 2 in a CSV file under its header line, 1 in a DataFrame)."""
    norm = {_norm(c): c for c in df.columns}

    def find(options):
        return next((norm[_norm(h)] for h in options if _norm(h) in norm), None)

    c_code, c_col, c_amt, c_year = find(_CODE_HEADERS), find(_COLUMN_HEADERS), find(_AMOUNT_HEADERS), find(_YEAR_HEADERS)
    missing = [zh for zh, c in (("学校标识码 school_code", c_code), ("列 column", c_col), ("增加量 amount", c_amt)) if c is None]
    if missing:
        raise InputError([Problem(file=file, row=1, code="scenario_missing_header", column=m,
                                  problem_zh=f"缺少表头“{m.split()[0]}”", problem_en=f"missing header '{m.split()[1]}'")
                          for m in missing], *SUMMARY)
    return [(i + first_row, r[c_code], r[c_year] if c_year else None, r[c_col],
             None if _blank(r[c_amt]) else r[c_amt]) for i, r in enumerate(df.to_dict("records"))]


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and v == "") or (isinstance(v, float) and math.isnan(v))
