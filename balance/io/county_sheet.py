"""The county sheet (县级填报表): what a bureau fills in each year besides the school table.

One row per county × year with the answers to the 政府保障程度 items (15), the 教育质量 items
(9), the 社会认可度 survey rate and the one-vote vetoes (method.md §§5–6). The items, their
sheet columns, types, units, allowed values and rules are data: ``balance/data/evaluation_items.yaml``.

* :func:`write_county_sheet_template` writes the bilingual Excel template: above the header row,
  each column shows its area, the official requirement (Chinese and English), the rule and the
  allowed values / unit; yes/no cells have a 是/否 drop-down; qualitative items have an evidence
  note column (说明及佐证材料); a second sheet lists every item.
* :func:`load_county_sheet` reads a filled sheet (``.xlsx``/``.xls``/``.ods``/``.csv``), checks every
  cell and raises :class:`~balance.errors.InputError` with *all* problems (file, row, column,
  value, Chinese and English message): yes/no cells other than 是/否 (e.g. "yes"), rates that are
  not numbers or outside 0–100 %, negative amounts, bad years, county codes that are not 6 digits
  or not in the school data, the same county and year twice.

A blank cell is *missing*: kept as missing and reported so in the evaluation, never taken as a pass.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from balance.errors import InputError, Problem

from balance._resources import DATA_DIR  # noqa: E402

ITEMS_FILE = DATA_DIR / "evaluation_items.yaml"
SHEET_NAME = "县级填报表"
GUIDE_SHEET = "填报说明"
#: rows above the header row in the template: area, requirement (zh), requirement (en), rule / allowed values
DESCRIPTION_ROWS = 4
HEADER_SCAN_ROWS = 12
YES, NO = "是", "否"
TYPE_LABELS = {
    "yes_no": ("是/否", "yes/no"),
    "rate": ("百分比 0–100", "percent 0-100"),
    "amount": ("数值 ≥ 0", "number >= 0"),
    "ratio": ("小数 0–1", "decimal 0-1"),
}
_SUMMARY = ("县级填报表有误", "the county sheet has errors")


@lru_cache(maxsize=1)
def item_spec() -> dict:
    """The parsed ``evaluation_items.yaml``."""
    return yaml.safe_load(ITEMS_FILE.read_text(encoding="utf-8"))


def area_names() -> dict[str, str]:
    """Area key -> Chinese name (资源配置, 政府保障程度, 教育质量, 社会认可度, 一票否决)."""
    return {a["key"]: a["name"] for a in item_spec()["areas"]}


def item_id(item: dict) -> str:
    """A stable id of an item: ``government_3``, ``quality_9``, ``recognition_1``, ``veto_2``."""
    return f"{item['area']}_{item['item_no']}"


def items() -> list[dict]:
    """Every sheet item in order (government, quality, recognition, veto)."""
    return list(item_spec()["items"])


def fields() -> list[dict]:
    """Every sheet field (one column each), with its item's ``area``, ``no``, ``code`` and ``item_id``."""
    out = []
    for it in items():
        for f in it["fields"]:
            out.append({**f, "area": it["area"], "item_no": it["item_no"], "code": it["code"], "item_id": item_id(it),
                        "item_text": it["text"], "item_en": it["en"], "computed": it.get("computed")})
    return out


def note_column(item: dict) -> str:
    """Canonical name of an item's evidence-note column."""
    return f"{item_id(item)}_note"


def note_header(item: dict) -> str:
    return f"{item['code']} 说明及佐证材料"


def sheet_columns() -> list[dict]:
    """The sheet's columns in template order: identity, then per item its fields and note column.

    Each entry: ``name`` (canonical), ``header``, ``kind`` (identity | field | note) and, for fields,
    the field spec.
    """
    spec = item_spec()
    cols = [{"name": c["name"], "header": c["header"], "kind": "identity", "aliases": c.get("aliases", [])}
            for c in spec["identity"]]
    by_item: dict[str, list[dict]] = {}
    for f in fields():
        by_item.setdefault(f["item_id"], []).append(f)
    for it in items():
        for f in by_item[item_id(it)]:
            cols.append({"name": f["name"], "header": f["header"], "kind": "field", "field": f})
        if it.get("note"):
            cols.append({"name": note_column(it), "header": note_header(it), "kind": "note", "item": it})
    return cols


# ---------------------------------------------------------------------------------------------
# the template


def write_county_sheet_template(path: str | Path, rows: list[tuple] | None = None) -> Path:
    """Write the bilingual county-sheet template (Excel) to ``path``, atomically.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file to write (its folder is created).
    rows : list of (year, county_code, county_name), optional
        Identity cells to pre-fill, one row each.

    Returns
    -------
    Path
        The file written.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from balance.io.export.xlsx import append_row, set_cell

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    areas = {a["key"]: a for a in item_spec()["areas"]}
    defaults = item_spec()["computed_defaults"]
    cols = sheet_columns()

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    fills = {"identity": "DDEBF7", "government": "E2EFDA", "quality": "FFF2CC", "recognition": "FCE4D6",
             "veto": "F8CBAD"}
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    header_row = DESCRIPTION_ROWS + 1
    first_data, last_data = header_row + 1, header_row + max(200, len(rows or []) + 50)
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="是/否", error="请填写“是”或“否” / enter 是 (yes) or 否 (no)")
    rate = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                          showErrorMessage=True, errorTitle="0–100",
                          error="请填写 0–100 之间的百分数（如 96.5 表示 96.5%）/ enter a percent 0-100")
    nonneg = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, error="应为 ≥ 0 的数值 / must be a number >= 0")
    for dv in (yes_no, rate, nonneg):
        ws.add_data_validation(dv)

    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        if c["kind"] == "identity":
            area_key, top = "identity", ("县区与年份", "county and year")
            req = ("每个县区每年一行", "one row per county and year")
            rule = {"year": "四位年份，如 2025 / 4-digit year", "county_code": "6位县区代码（文本格式）/ 6-digit code (as text)",
                    "county_name": "县区名称 / county name"}[c["name"]]
        elif c["kind"] == "note":
            it = c["item"]
            area_key = it["area"]
            top = (areas[area_key]["name"], areas[area_key]["en"])
            req = (f"{it['code']} 的说明及佐证材料（文件名、文号等）", f"evidence for {it['code']} (documents, file names)")
            rule = "自由填写 / free text"
        else:
            f = c["field"]
            area_key = f["area"]
            top = (areas[area_key]["name"], areas[area_key]["en"])
            req = (f["item_text"], f["item_en"])
            rule = rule_text(f, defaults)
            zh, en = TYPE_LABELS[f["type"]]
            unit = f" 单位 {f['unit']}" if f.get("unit") and f["type"] != "rate" else ""
            rule = f"规则：{rule}｜填写：{zh}{unit} / {en}"
            if f.get("computed"):
                rule += "｜学校数据含相关列时由程序计算，本列仅在缺少学校数据时使用 / computed from school data when available"
        cells = [f"{top[0]} {top[1]}", req[0], req[1], rule]
        for i, text in enumerate(cells, start=1):
            cell = set_cell(ws, i, j, text)
            cell.alignment = wrap
            cell.font = Font(size=9, bold=(i == 1), color="404040")
            cell.fill = PatternFill("solid", fgColor=fills[area_key])
            cell.border = border
        h = set_cell(ws, header_row, j, c["header"])
        h.font = Font(bold=True)
        h.alignment = Alignment(wrap_text=True, vertical="center")
        h.fill = PatternFill("solid", fgColor=fills[area_key])
        h.border = border
        width = 14 if c["kind"] == "identity" else (30 if c["kind"] == "note" else 20)
        ws.column_dimensions[letter].width = width
        rng = f"{letter}{first_data}:{letter}{last_data}"
        if c["kind"] == "field":
            t = c["field"]["type"]
            if t == "yes_no":
                yes_no.add(rng)
            elif t == "rate":
                rate.add(rng)
            else:
                nonneg.add(rng)
            h.comment = Comment(f"{c['field']['item_text']}\n{rule_text(c['field'], defaults)}", "balance")
        if c["name"] == "county_code":
            for r in range(first_data, last_data + 1):
                ws.cell(row=r, column=j).number_format = "@"
    ws.row_dimensions[2].height = 90
    ws.row_dimensions[3].height = 70
    ws.row_dimensions[4].height = 60
    ws.row_dimensions[header_row].height = 45
    ws.freeze_panes = ws.cell(row=first_data, column=4)
    for i, (y, code, name) in enumerate(rows or [], start=first_data):
        set_cell(ws, i, 1, int(y))
        set_cell(ws, i, 2, str(code)).number_format = "@"
        set_cell(ws, i, 3, str(name))

    guide = wb.create_sheet(GUIDE_SHEET)
    head = ["编号 code", "领域 area", "事项 item", "item (English)", "列名 column", "填写 type", "单位 unit",
            "允许值 allowed values", "达标规则 rule", "数据来源 source"]
    append_row(guide, head)
    for f in fields():
        zh, en = TYPE_LABELS[f["type"]]
        allowed = f"{YES} / {NO}" if f["type"] == "yes_no" else {"rate": "0–100", "amount": "≥ 0", "ratio": "0–1"}[f["type"]]
        source = "学校数据（缺少时用本表）/ school data, else this sheet" if f.get("computed") else "县级填报表 / this sheet"
        append_row(guide, [f["code"], areas[f["area"]]["name"], f["item_text"], f["item_en"], f["header"], f"{zh} / {en}",
                      f.get("unit", "") or ("%" if f["type"] == "rate" else ""), allowed, rule_text(f, defaults), source])
    append_row(guide, [])
    for line in (
        "说明：每个县区每年填一行；空白单元格按“缺失”处理，不视为达标。一票否决各项应填“否”（不存在）。",
        "Notes: one row per county and year; a blank cell is reported as missing (never a pass). Answer 否 (no) to every veto.",
        "百分比填写 0–100 的数值（96.5 表示 96.5%），不要填写小数 0.965。",
        "Percentages as numbers 0-100 (96.5 means 96.5 %), not fractions.",
        "保障3、保障4、保障5 由学校数据计算（学校数据表可选列：音乐专用教室数、美术专用教室数、最小音乐专用教室面积(㎡)、"
        "最小美术专用教室面积(㎡)、小学最大班额、初中最大班额、小学超标班额班数、初中超标班额班数、建成年份）；"
        "学校数据缺少这些列时采用本表的县级答案。",
        "Items 保障3–5 are computed from the school table when it has the optional columns; otherwise this sheet's answer is used.",
    ):
        append_row(guide, [line])
    for j, w in enumerate([10, 14, 60, 50, 36, 18, 10, 14, 30, 30], start=1):
        guide.column_dimensions[get_column_letter(j)].width = w
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.freeze_panes = "A2"

    fd, tmp = tempfile.mkstemp(prefix=".balance-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def rule_text(f: dict, settings: dict | None = None) -> str:
    """The rule of a field as printed, e.g. ``≥ 95 %`` or ``是``; settings-based rules show the value."""
    rule = f.get("rule") or {}
    if "setting" in rule:
        default = item_spec()["computed_defaults"][rule["setting"]]
        value = (settings or {}).get(rule["setting"], default)
        text = f.get("rule_text")
        if text and _num(default) in text:  # the printed rule with the number of the standard in use
            return text.replace(_num(default), _num(value), 1)
        unit = " %" if f["type"] == "rate" else (f" {f['unit']}" if f.get("unit") else "")
        return f"{rule['op'].replace('>=', '≥').replace('<=', '≤')} {_num(value)}{unit}"
    return f.get("rule_text", "")


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:g}"


# ---------------------------------------------------------------------------------------------
# reading and validation


@dataclass
class CountySheet:
    """A validated county sheet.

    Attributes
    ----------
    data : DataFrame
        One row per county × year: ``year`` (int), ``county_code`` (str), ``county_name``, one column
        per field of ``evaluation_items.yaml`` (yes/no fields hold "是"/"否", numeric fields float;
        missing is NA/NaN), one ``<item_id>_note`` column per evidence note, and ``source_row``.
    path : str
    sha256 : str or None
    sheet : str or None
    warnings : list of Problem
    columns_found : list of str
        The canonical field names the file has a column for (missing columns mean missing items).
    """

    data: pd.DataFrame
    path: str
    sha256: str | None = None
    sheet: str | None = None
    warnings: list[Problem] = field(default_factory=list)
    columns_found: list[str] = field(default_factory=list)

    def row(self, year: int, county_code: str) -> dict | None:
        """The sheet row of one county and year as a dict, or ``None``."""
        m = (self.data["year"] == int(year)) & (self.data["county_code"] == str(county_code))
        if not m.any():
            return None
        return self.data.loc[m].iloc[0].to_dict()


def _normalize(text) -> str:
    """The school table's header rules (:func:`balance.io.headers.normalize_header`), one home."""
    from balance.io.headers import normalize_header

    return normalize_header(text)


@lru_cache(maxsize=1)
def _header_lookup() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(normalised header -> name, leading code token -> field name, item code -> note column name)."""
    full: dict[str, str] = {}
    token: dict[str, str] = {}
    notes: dict[str, str] = {}
    for c in sheet_columns():
        full[_normalize(c["header"])] = c["name"]
        full[_normalize(c["name"])] = c["name"]
        for a in c.get("aliases", []):
            full[_normalize(a)] = c["name"]
        if c["kind"] == "field":
            token[_normalize(c["header"].split()[0])] = c["name"]
        elif c["kind"] == "note":
            notes[_normalize(c["item"]["code"])] = c["name"]
    return full, token, notes


def _match_header(text: str) -> str | None:
    full, token, notes = _header_lookup()
    key = _normalize(text)
    if not key:
        return None
    if key in full:
        return full[key]
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    first = _normalize(raw.split()[0]) if raw.split() else ""
    if ("说明" in key or "佐证" in key or "备注" in key) and first in notes:
        return notes[first]
    m = re.match(r"^((?:保障|质量|否决)\d+[a-z]?|认可)", key)
    if m and m.group(1) in token:
        return token[m.group(1)]
    return token.get(first)


def _cell_text(v) -> tuple[str, bool]:
    """A cell as the user sees it, and whether it was stored as a number."""
    if v is None:
        return "", False
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE"), False
    if isinstance(v, (int, np.integer)):
        return str(int(v)), True
    if isinstance(v, (float, np.floating)):
        if v != v:
            return "", False
        return (str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))), True
    if hasattr(v, "isoformat"):
        return v.isoformat(), False
    return str(v), False


def _read_grid(path: Path, sheet, data: bytes, limits=None) -> tuple[list[list], str | None, list]:
    """Rows of cells (typed) of the sheet; the sheet name read; formula cells without a cached
    value (0-based row, column). Workbooks are measured before they are loaded
    (:mod:`balance.io.workbook`): a sheet reaching far away or a zip bomb is refused."""
    suffix = path.suffix.lower()
    from balance.io.workbook import Workbook, read_limits, refusal, sniff

    if suffix in (".csv", ".txt", ".tsv"):
        from balance.io.headers import decode_text

        kind = sniff(data)
        if kind in ("zip", "ole"):
            raise refusal(str(path), "workbook_as_text", _SUMMARY, suffix=suffix, real=".xlsx" if kind == "zip" else ".xls")
        text = decode_text(data, str(path), _SUMMARY)
        sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
        sep = "\t" if sample.count("\t") > sample.count(",") else ","
        try:
            return [list(r) for r in csv.reader(io.StringIO(text), delimiter=sep)], None, []
        except csv.Error as e:  # a NUL byte, a field larger than the csv module's limit
            raise _refuse(str(path), f"CSV 格式错误：{e}", f"malformed CSV: {e}", "csv_parse_error") from None
    if suffix not in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        raise _refuse(str(path), f"不支持的文件类型 {suffix or '(无扩展名)'}，请使用 .xlsx、.xls、.ods 或 .csv",
                      f"unsupported file type {suffix or '(none)'}; use .xlsx, .xls, .ods or .csv", "unsupported_format")
    wb = Workbook(data, str(path), read_limits(limits), _SUMMARY)
    names = wb.sheet_names
    if sheet is None:
        name = SHEET_NAME if SHEET_NAME in names else (names[0] if names else None)
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        name = names[sheet] if -len(names) <= sheet < len(names) else None
    else:
        name = str(sheet) if str(sheet) in names else None
    if name is None:
        raise _refuse(str(path), f"找不到工作表 {sheet}；文件中的工作表：{'、'.join(names)}",
                      f"sheet {sheet} not found; the file has: {', '.join(names)}", "sheet_not_found")
    rows = wb.rows(name)
    return rows, name, wb.formula_cells(name)[0]


def _refuse(file: str, zh: str, en: str, code: str, sheet: str | None = None) -> InputError:
    return InputError([Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, code=code)], *_SUMMARY)


def load_county_sheet(source, known_counties: dict[str, str] | list[str] | set[str] | None = None,
                      sheet: str | int | None = None, *, limits=None) -> CountySheet:
    """Read and check a filled county sheet.

    Parameters
    ----------
    source : str, Path or DataFrame
        The filled template (``.xlsx``, ``.xls``, ``.ods`` or ``.csv``; the header row is found
        among the first rows, so the template's description rows may stay), or a DataFrame whose
        columns are the sheet headers or canonical field names.
    known_counties : dict code -> name, or a collection of codes, optional
        The counties of the school data: a sheet row with another county code is an error; a
        different county name is a warning.
    sheet : str or int, optional
        Worksheet (default: 县级填报表 if present, else the first sheet).
    limits : dict, optional
        Overrides of ``balance/data/reading_limits.yaml`` (see :mod:`balance.io.workbook`).

    Returns
    -------
    CountySheet

    Raises
    ------
    InputError
        Every problem found (see the module docstring).
    """
    formulas: list = []
    if isinstance(source, pd.DataFrame):
        grid = [list(source.columns)] + source.astype(object).where(source.notna(), None).values.tolist()
        file, sha, sheet_name = "<DataFrame>", None, None
    else:
        from balance.io.workbook import read_file_bytes, read_limits

        path = Path(source)
        file = str(source)
        if not path.exists():
            raise _refuse(file, "找不到县级填报表文件", "county sheet file not found", "file_not_found")
        data = read_file_bytes(path, file, read_limits(limits), _SUMMARY)  # read once: checksum and cells agree
        sha = hashlib.sha256(data).hexdigest()
        grid, sheet_name, formulas = _read_grid(path, sheet, data, limits)
    return _parse(grid, file=file, sha256=sha, sheet=sheet_name, known=known_counties, formulas=formulas)


def _parse(grid: list[list], *, file: str, sha256, sheet, known, formulas=()) -> CountySheet:
    problems: list[Problem] = []
    formula_at = set(formulas)

    def add(zh, en, code, row=None, column=None, value=None, severity="error"):
        problems.append(Problem(file=file, sheet=sheet, row=row, column=column, value=value, problem_zh=zh,
                                problem_en=en, severity=severity, code=code))

    if not grid or not any(_cell_text(c)[0].strip() for r in grid for c in r):
        raise _refuse(file, "文件为空", "the file is empty", "empty_file", sheet)
    # header row: the row among the first ones that names most known columns (year and county code needed)
    best, h = 0, None
    for i, r in enumerate(grid[:HEADER_SCAN_ROWS]):
        names = {_match_header(_cell_text(c)[0]) for c in r} - {None}
        if {"year", "county_code"} <= names and len(names) > best:
            best, h = len(names), i
    if h is None:
        raise _refuse(file, "找不到表头行：应有“年份”和“县区代码”两列", "no header row found: the columns 年份 (year) "
                      "and 县区代码 (county code) are needed", "missing_header", sheet)
    headers = [_cell_text(c)[0].strip() for c in grid[h]]
    cols: dict[str, int] = {}
    unknown = []
    for j, hd in enumerate(headers):
        name = _match_header(hd)
        if name is None:
            if hd:
                unknown.append(hd)
            continue
        if name in cols:
            add(f"多个列都对应「{headers[cols[name]]}」：「{headers[cols[name]]}」与「{hd}」",
                f"several columns map to '{name}': '{headers[cols[name]]}' and '{hd}'", "duplicate_column", column=hd)
            continue
        cols[name] = j
    if unknown:
        add(f"无法识别的列（已忽略）：{'、'.join(unknown)}", f"unrecognised columns (ignored): {', '.join(unknown)}",
            "unknown_columns", severity="warning")
    spec_fields = {f["name"]: f for f in fields()}
    missing_fields = [f for f in spec_fields.values() if f["name"] not in cols]
    if missing_fields:
        add(f"缺少 {len(missing_fields)} 个事项列，这些事项将按“缺失”处理：{'、'.join(f['header'] for f in missing_fields)}",
            f"{len(missing_fields)} item column(s) missing; those items will be reported as missing: "
            f"{', '.join(f['name'] for f in missing_fields)}", "missing_item_columns", severity="warning")

    records = []
    for i in range(h + 1, len(grid)):
        r = grid[i]
        cells = {name: _cell_text(r[j]) if j < len(r) else ("", False) for name, j in cols.items()}
        if not any(t.strip() for t, _ in cells.values()):
            continue  # blank line
        rownum = i + 1
        rec: dict = {"source_row": rownum}
        # identity
        yt = cells.get("year", ("", False))[0].strip()
        m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?", unicodedata.normalize("NFKC", yt))
        if not yt:
            add("年份为空", "year is blank", "blank", rownum, headers[cols["year"]], yt)
            rec["year"] = None
        elif not m or not 1949 <= int(m.group(1)) <= 2100:
            add("年份应为四位数的年份（1949–2100）", "year must be a 4-digit year (1949-2100)", "year_invalid",
                rownum, headers[cols["year"]], yt)
            rec["year"] = None
        else:
            rec["year"] = int(m.group(1))
        ct, numeric = cells.get("county_code", ("", False))
        ct = unicodedata.normalize("NFKC", ct.strip())
        ccol = headers[cols["county_code"]]
        if not ct:
            add("县区代码为空", "county code is blank", "blank", rownum, ccol, ct)
            rec["county_code"] = None
        elif not ct.isdigit():
            add("县区代码只能由数字组成（应为 6 位数字）", "county code must contain digits only (6 digits expected)",
                "code_not_digits", rownum, ccol, ct)
            rec["county_code"] = None
        elif len(ct) != 6:
            zero = numeric or len(ct) < 6
            add(f"县区代码应为 6 位数字，实际 {len(ct)} 位" + ("；开头的 0 可能已丢失（请将该列设为文本格式）" if zero else ""),
                f"county code must have 6 digits, found {len(ct)}" + ("; leading zeros may have been lost (format the column as text)" if zero else ""),
                "code_length", rownum, ccol, ct)
            rec["county_code"] = None
        else:
            rec["county_code"] = ct
        rec["county_name"] = cells["county_name"][0].strip() if "county_name" in cells else ""
        if rec["county_name"]:  # a name goes into workbooks: refused when it starts like a formula
            from balance.io.validation import message, name_problems, shown_value

            for code, mask, fields_ in name_problems(pd.Series([rec["county_name"]])):
                if mask[0]:
                    zh, en = message(code, **fields_)
                    add(zh, en, code, rownum, headers[cols["county_name"]], shown_value(rec["county_name"]))
        for name, j in cols.items():  # formulas without a cached value read as blank: say so
            if (i, j) in formula_at and not cells[name][0].strip():
                from balance.io.validation import message

                zh, en = message("formula_no_value")
                add(zh, en, "formula_no_value", rownum, headers[j], "")
        # items
        for name, f in spec_fields.items():
            if name not in cells:
                rec[name] = None if f["type"] == "yes_no" else np.nan
                continue
            text = unicodedata.normalize("NFKC", cells[name][0]).strip()
            col = headers[cols[name]]
            rec[name] = _parse_value(text, f, add, rownum, col, cells[name][0].strip())
        for c in sheet_columns():
            if c["kind"] == "note":
                rec[c["name"]] = cells[c["name"]][0].strip() if c["name"] in cells else ""
        records.append(rec)

    if not records:
        add("表中没有数据行（只有表头）", "the sheet has no data rows (header only)", "no_data_rows")

    df = pd.DataFrame(records)
    if len(df):
        # the same county and year twice
        ok = df["year"].notna() & df["county_code"].notna()
        keyed = df[ok]
        dup = keyed[keyed.duplicated(["year", "county_code"], keep=False)]
        for (y, c), g in dup.groupby(["year", "county_code"], sort=True):
            rows = sorted(int(x) for x in g["source_row"])
            for rr in rows:
                add(f"县区 {c} 的 {int(y)} 年出现多行（第 {'、'.join(map(str, rows))} 行），每个县区每年只能填一行",
                    f"county {c}, year {int(y)} appears on several rows ({', '.join(map(str, rows))}); one row per county and year",
                    "duplicate_county_year", rr, "县区代码", c)
        if known is not None:
            names = known if isinstance(known, dict) else {k: None for k in known}
            listed = "、".join(sorted(names)[:20]) + ("…" if len(names) > 20 else "")
            for rec in keyed.itertuples(index=False):
                if rec.county_code not in names:
                    add(f"县区代码 {rec.county_code} 不在学校数据中（学校数据中的县区：{listed}）",
                        f"county code {rec.county_code} is not in the school data (counties there: {listed.replace('、', ', ')})",
                        "unknown_county", int(rec.source_row), "县区代码", rec.county_code)
                elif names[rec.county_code] and rec.county_name and rec.county_name != names[rec.county_code]:
                    add(f"县区名称“{rec.county_name}”与学校数据中的“{names[rec.county_code]}”不一致",
                        f"county name '{rec.county_name}' differs from the school data's '{names[rec.county_code]}'",
                        "county_name_differs", int(rec.source_row), "县区名称", rec.county_name, severity="warning")

    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems, *_SUMMARY)
    df["year"] = df["year"].astype("int64")
    df["county_code"] = df["county_code"].astype(str)
    df["source_row"] = df["source_row"].astype("int64")
    return CountySheet(data=df.reset_index(drop=True), path=file, sha256=sha256, sheet=sheet,
                       warnings=[p for p in problems if p.severity == "warning"],
                       columns_found=[n for n in spec_fields if n in cols])


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _parse_value(text: str, f: dict, add, row: int, col: str, shown: str):
    """One cell of a field: "是"/"否" or a float; ``None``/NaN when blank; problems via ``add``."""
    t = f["type"]
    if text == "":
        return None if t == "yes_no" else np.nan
    if t == "yes_no":
        if text in (YES, NO):
            return text
        add(f"应填写“是”或“否”，不能填写“{shown}”", f"must be 是 (yes) or 否 (no), not '{shown}'", "not_yes_no",
            row, col, shown)
        return None
    s = text.replace(",", "")
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip()
    if not _NUMBER.match(s):
        zh = {"rate": "应为 0–100 之间的百分数（如 96.5）", "amount": "应为数值", "ratio": "应为 0–1 之间的小数"}[t]
        en = {"rate": "must be a percent between 0 and 100 (e.g. 96.5)", "amount": "must be a number",
              "ratio": "must be a decimal between 0 and 1"}[t]
        add(f"不是数字：{zh}", f"not a number: {en}", "not_number", row, col, shown)
        return np.nan
    v = float(s)
    if percent and t != "rate":
        add("此列不是百分比，请填写数值（不带 %）", "this column is not a percentage: enter the number without %",
            "unexpected_percent", row, col, shown)
        return np.nan
    if t == "rate":
        if not 0 <= v <= 100:
            add(f"比例应在 0–100 % 之间，实际为 {_num(v)}", f"a rate must be between 0 and 100 %, found {_num(v)}",
                "rate_out_of_range", row, col, shown)
            return np.nan
        if 0 < v <= 1 and not percent:
            add(f"比例 {_num(v)} 按 {_num(v)}% 计算；若指 {_num(v * 100)}%，请填写 {_num(v * 100)}",
                f"rate {_num(v)} is read as {_num(v)} %; if you mean {_num(v * 100)} %, enter {_num(v * 100)}",
                "rate_looks_like_fraction", row, col, shown, severity="warning")
        return v
    if v < 0:
        add("不能为负数", "must not be negative", "negative", row, col, shown)
        return np.nan
    if t == "ratio" and v > 1:
        add(f"应为 0–1 之间的小数，实际为 {_num(v)}", f"must be a decimal between 0 and 1, found {_num(v)}",
            "ratio_out_of_range", row, col, shown)
        return np.nan
    return v
