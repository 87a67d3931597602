"""The bilingual county-sheet template (县级填报表, Excel): see :func:`write_county_sheet_template`."""
from __future__ import annotations

from pathlib import Path

from balance.io.county_items import (
    DESCRIPTION_ROWS,
    GUIDE_SHEET,
    NO,
    SHEET_NAME,
    TYPE_LABELS,
    YES,
    fields,
    item_spec,
    rule_text,
    sheet_columns,
)

#: the fill colour of each area's description and header cells
FILLS = {"identity": "DDEBF7", "government": "E2EFDA", "quality": "FFF2CC", "recognition": "FCE4D6",
         "veto": "F8CBAD"}
#: the identity columns' fill-in rules (description row 4)
IDENTITY_RULES = {"year": "四位年份，如 2025 / 4-digit year", "county_code": "6位县区代码（文本格式）/ 6-digit code (as text)",
                  "county_name": "县区名称 / county name"}
#: the notes below the guide sheet's table, one line each
GUIDE_NOTES = (
    "说明：每个县区每年填一行；空白单元格按“缺失”处理，不视为达标。一票否决各项应填“否”（不存在）。",
    "Notes: one row per county and year; a blank cell is reported as missing (never a pass). Answer 否 (no) to every veto.",
    "百分比填写 0–100 的数值（96.5 表示 96.5%），不要填写小数 0.965。",
    "Percentages as numbers 0-100 (96.5 means 96.5 %), not fractions.",
    "保障3、保障4、保障5 由学校数据计算（学校数据表可选列：音乐专用教室数、美术专用教室数、最小音乐专用教室面积(㎡)、"
    "最小美术专用教室面积(㎡)、小学最大班额、初中最大班额、小学超标班额班数、初中超标班额班数、建成年份）；"
    "学校数据缺少这些列时采用本表的县级答案。",
    "Items 保障3–5 are computed from the school table when it has the optional columns; otherwise this sheet's answer is used.",
)


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

    from balance.io.export.cells import set_cell
    from balance.io.files import atomic_path

    path = Path(path)
    areas = {a["key"]: a for a in item_spec()["areas"]}
    defaults = item_spec()["computed_defaults"]

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    header_row = DESCRIPTION_ROWS + 1
    first_data, last_data = header_row + 1, header_row + max(200, len(rows or []) + 50)
    validations = _validations(ws)
    for j, c in enumerate(sheet_columns(), start=1):
        _write_column(ws, j, c, areas, defaults, validations, (header_row, first_data, last_data))
    ws.row_dimensions[2].height = 90
    ws.row_dimensions[3].height = 70
    ws.row_dimensions[4].height = 60
    ws.row_dimensions[header_row].height = 45
    ws.freeze_panes = ws.cell(row=first_data, column=4)
    for i, (y, code, name) in enumerate(rows or [], start=first_data):
        set_cell(ws, i, 1, int(y))
        set_cell(ws, i, 2, str(code)).number_format = "@"
        set_cell(ws, i, 3, str(name))
    _write_guide(wb.create_sheet(GUIDE_SHEET), areas, defaults)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _validations(ws) -> dict:
    """The three data validations of the sheet (是/否, percent 0–100, amount ≥ 0), added to ``ws``."""
    from openpyxl.worksheet.datavalidation import DataValidation

    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="是/否", error="请填写“是”或“否” / enter 是 (yes) or 否 (no)")
    rate = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                          showErrorMessage=True, errorTitle="0–100",
                          error="请填写 0–100 之间的百分数（如 96.5 表示 96.5%）/ enter a percent 0-100")
    nonneg = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, error="应为 ≥ 0 的数值 / must be a number >= 0")
    for dv in (yes_no, rate, nonneg):
        ws.add_data_validation(dv)
    return {"yes_no": yes_no, "rate": rate, "nonneg": nonneg}


def _description(c: dict, areas: dict, defaults: dict) -> tuple[str, list[str]]:
    """A column's area key and its four description cells (area, requirement zh, requirement en, rule)."""
    if c["kind"] == "identity":
        area_key, top = "identity", ("县区与年份", "county and year")
        req = ("每个县区每年一行", "one row per county and year")
        rule = IDENTITY_RULES[c["name"]]
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
    return area_key, [f"{top[0]} {top[1]}", req[0], req[1], rule]


def _write_column(ws, j: int, c: dict, areas: dict, defaults: dict, validations: dict, rows: tuple[int, int, int]):
    """Column ``j`` of the sheet: its description cells, header, width, validation and text format.

    ``rows`` is (header row, first data row, last data row).
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from balance.io.export.cells import set_cell

    header_row, first_data, last_data = rows
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    letter = get_column_letter(j)
    area_key, cells = _description(c, areas, defaults)
    for i, text in enumerate(cells, start=1):
        cell = set_cell(ws, i, j, text)
        cell.alignment = wrap
        cell.font = Font(size=9, bold=(i == 1), color="404040")
        cell.fill = PatternFill("solid", fgColor=FILLS[area_key])
        cell.border = border
    h = set_cell(ws, header_row, j, c["header"])
    h.font = Font(bold=True)
    h.alignment = Alignment(wrap_text=True, vertical="center")
    h.fill = PatternFill("solid", fgColor=FILLS[area_key])
    h.border = border
    width = 14 if c["kind"] == "identity" else (30 if c["kind"] == "note" else 20)
    ws.column_dimensions[letter].width = width
    rng = f"{letter}{first_data}:{letter}{last_data}"
    if c["kind"] == "field":
        t = c["field"]["type"]
        validations[t if t in ("yes_no", "rate") else "nonneg"].add(rng)
        h.comment = Comment(f"{c['field']['item_text']}\n{rule_text(c['field'], defaults)}", "balance")
    if c["name"] == "county_code":
        for r in range(first_data, last_data + 1):
            ws.cell(row=r, column=j).number_format = "@"


def _write_guide(guide, areas: dict, defaults: dict) -> None:
    """The guide sheet (填写说明): one row per field with its type, unit, allowed values, rule and source."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from balance.io.export.cells import append_row

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
    for line in GUIDE_NOTES:
        append_row(guide, [line])
    for j, w in enumerate([10, 14, 60, 50, 36, 18, 10, 14, 30, 30], start=1):
        guide.column_dimensions[get_column_letter(j)].width = w
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.freeze_panes = "A2"
