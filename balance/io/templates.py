"""Blank input forms for county education bureaus (填报模板).

:func:`write_school_table_template` writes the school table template (学校基础数据表): an Excel
workbook with the Chinese headers of ``balance/data/columns.yaml`` (code and text columns formatted
as text so that leading zeros survive, drop-down lists for the category columns, number checks),
a sheet 填表说明 explaining every column and a sheet 示例 with three example rows. A ``.csv`` path
gives the headers only (UTF-8 with BOM).

Command line: ``balance template school-table FILE.xlsx``. Each form type is one entry of
:data:`FORMS`; another form (e.g. the county sheet) is added by adding an entry there.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from balance.schema import COLUMNS, SCHOOL_TYPE_STAGES, column_spec

SHEET_DATA = "学校基础数据"
SHEET_NOTES = "填表说明"
SHEET_EXAMPLE = "示例"
#: Rows of the data sheet pre-formatted (text format for codes, validations).
TEMPLATE_ROWS = 3000

#: Per column: meaning (zh, en), unit, where it usually comes from (教育事业统计 or the bureau's records).
COLUMN_NOTES: dict[str, tuple[str, str, str, str]] = {
    "year": ("统计年份，四位数字，与教育事业统计报表的年份一致", "statistical year (4 digits)", "年", "教育事业统计报表年份"),
    "county_code": ("县级行政区划代码，6 位数字，按文本填写", "6-digit county code, entered as text", "—",
                    "国家行政区划代码（统计报表封面）"),
    "county_name": ("县（市、区）名称", "county name", "—", "统计报表封面"),
    "school_code": ("学校标识码，10 位数字，按文本填写，各年保持不变", "10-digit school identifier, text, stable across years",
                    "—", "教育部学校（机构）标识码"),
    "school_name": ("学校全称", "full school name", "—", "学校基本情况"),
    "school_type": ("学校类型（办学类型），决定学校有哪些学段", "school type; decides which stages the school has", "—",
                    "学校基本情况（办学类型）"),
    "ownership": ("办学性质：公办或民办", "public (公办) or private (民办)", "—", "学校基本情况（举办者）"),
    "urban_rural": ("城乡类型：城区、镇区、乡村（按统计用城乡划分代码：111、112 为城区，121、122、123 为镇区，"
                    "210、220 为乡村）", "urban / town / rural (from the statistical urban-rural code)", "—",
                    "学校基本情况（城乡分类代码）"),
    "primary_students": ("小学在校生数（小学段学生合计）", "primary pupils enrolled", "人", "学生数（在校生）"),
    "junior_students": ("初中在校生数（初中段学生合计）", "junior pupils enrolled", "人", "学生数（在校生）"),
    "senior_students": ("高中在校生数（仅十二年一贯制学校、完全中学；用于分摊共用设施）",
                        "senior pupils (12-year and complete secondary schools; used to split shared facilities)",
                        "人", "学生数（在校生）"),
    "primary_classes": ("小学教学班数", "primary classes", "个", "班级数"),
    "junior_classes": ("初中教学班数", "junior classes", "个", "班级数"),
    "primary_teachers": ("小学段专任教师数（按任教学段统计）", "full-time primary teachers (by stage taught)", "人",
                         "专任教师情况"),
    "junior_teachers": ("初中段专任教师数（按任教学段统计）", "full-time junior teachers (by stage taught)", "人",
                        "专任教师情况"),
    "primary_qualified_teachers": ("小学段专科及以上学历专任教师数", "primary teachers with a college (专科) degree or above",
                                   "人", "专任教师学历情况"),
    "junior_qualified_teachers": ("初中段本科及以上学历专任教师数", "junior teachers with a bachelor degree or above", "人",
                                  "专任教师学历情况"),
    "primary_backbone_teachers": ("小学段县级及以上骨干教师数（县级及以上教育部门认定）",
                                  "primary backbone teachers recognised at county level or above", "人",
                                  "县教育局骨干教师认定名单（不在教育事业统计中）"),
    "junior_backbone_teachers": ("初中段县级及以上骨干教师数（县级及以上教育部门认定）",
                                 "junior backbone teachers recognised at county level or above", "人",
                                 "县教育局骨干教师认定名单（不在教育事业统计中）"),
    "primary_pe_art_teachers": ("小学段体育、音乐、美术专任教师数", "primary full-time PE, music and fine-art teachers", "人",
                                "专任教师任教学科情况"),
    "junior_pe_art_teachers": ("初中段体育、音乐、美术专任教师数", "junior full-time PE, music and fine-art teachers", "人",
                               "专任教师任教学科情况"),
    "primary_titled_teachers": ("小学段中级及以上专业技术职务（职称）专任教师数",
                                "primary teachers with an intermediate or higher professional title", "人",
                                "专任教师专业技术职务情况"),
    "junior_titled_teachers": ("初中段中级及以上专业技术职务（职称）专任教师数",
                               "junior teachers with an intermediate or higher professional title", "人",
                               "专任教师专业技术职务情况"),
    "teaching_area": ("教学及辅助用房面积（含室内体育用房）", "teaching & auxiliary floor area (includes the indoor sports hall)",
                      "㎡", "校舍情况"),
    "indoor_sports_area": ("室内体育用房（风雨操场、体育馆等）面积，包含在教学及辅助用房面积之内",
                           "indoor sports area (part of the teaching & auxiliary area)", "㎡", "校舍情况"),
    "sports_ground_area": ("室外体育运动场地面积", "outdoor sports ground area", "㎡", "办学条件（体育运动场（馆）面积）"),
    "equipment_value": ("教学仪器设备资产值，单位为元（统计报表为万元，需 ×10000）",
                        "book value of teaching instruments and equipment in yuan (the statistics use 万元: ×10000)",
                        "元", "资产情况（教学仪器设备资产值）"),
    "computers": ("教学用计算机台数", "computers used for teaching", "台", "办学条件（计算机数）"),
    "books": ("图书册数（纸质图书）", "printed books", "册", "办学条件（图书）"),
    "multimedia_rooms": ("网络多媒体教室间数", "networked multimedia classrooms", "间", "办学条件（网络多媒体教室）"),
    "township": ("学校所在乡镇（街道），选填，用于按乡镇分析", "township / sub-district (optional; for analysis by township)",
                 "—", "学校基本情况（地址）"),
    # optional columns for the four-area evaluation (政府保障程度 items 3-5, provincial relaxations)
    "music_rooms": ("音乐专用教室间数（选填；每 12 个班至少 1 间）", "music rooms (optional; ≥ 1 per 12 classes)",
                    "间", "办学条件（专用教室）"),
    "art_rooms": ("美术专用教室间数（选填；每 12 个班至少 1 间）", "art rooms (optional; ≥ 1 per 12 classes)",
                  "间", "办学条件（专用教室）"),
    "music_room_min_area": ("面积最小的一间音乐专用教室的使用面积（选填；应 ≥ 96 ㎡）",
                            "area of the smallest music room (optional; ≥ 96 m²)", "㎡", "校舍台账"),
    "art_room_min_area": ("面积最小的一间美术专用教室的使用面积（选填；应 ≥ 90 ㎡）",
                          "area of the smallest art room (optional; ≥ 90 m²)", "㎡", "校舍台账"),
    "primary_max_class_size": ("小学人数最多的一个班的学生数（选填；应 ≤ 45）",
                               "largest primary class (optional; ≤ 45)", "人", "班额统计"),
    "junior_max_class_size": ("初中人数最多的一个班的学生数（选填；应 ≤ 50）",
                              "largest junior class (optional; ≤ 50)", "人", "班额统计"),
    "primary_oversized_classes": ("小学超过 45 人的班级数（选填；不得超过小学班数）",
                                  "primary classes over 45 (optional; ≤ primary classes)", "个", "班额统计"),
    "junior_oversized_classes": ("初中超过 50 人的班级数（选填；不得超过初中班数）",
                                 "junior classes over 50 (optional; ≤ junior classes)", "个", "班额统计"),
    "built_year": ("主要校舍建成年份（选填；用于省级放宽条款，1900 至统计年份）",
                   "year the main buildings were built (optional; for provincial relaxations)", "年", "校舍台账"),
}

KIND_ZH = {"year": "年份", "code": "代码（文本）", "text": "文字", "category": "选项", "count": "整数 ≥ 0",
           "area": "数值 ≥ 0", "money": "数值 ≥ 0"}

#: Three example rows (fictional codes, province prefix 99), canonical names.
EXAMPLE_ROWS: list[dict] = [
    dict(year=2025, county_code="990101", county_name="青山县", school_code="9901010003", school_name="青山县实验小学",
         school_type="小学", ownership="公办", urban_rural="城区", primary_students=1850, junior_students=0,
         senior_students=0, primary_classes=40, junior_classes=0, primary_teachers=98, junior_teachers=0,
         primary_qualified_teachers=97, junior_qualified_teachers=0, primary_backbone_teachers=26,
         junior_backbone_teachers=0, primary_pe_art_teachers=19, junior_pe_art_teachers=0, primary_titled_teachers=60,
         junior_titled_teachers=0, teaching_area=9650.0, indoor_sports_area=900.0, sports_ground_area=13400.0,
         equipment_value=4420000, computers=230, books=61000, multimedia_rooms=46, township="城关镇"),
    dict(year=2025, county_code="990101", county_name="青山县", school_code="9901010021",
         school_name="青山县桃源乡中心学校", school_type="九年一贯制学校", ownership="公办", urban_rural="乡村",
         primary_students=320, junior_students=210, senior_students=0, primary_classes=9, junior_classes=6,
         primary_teachers=24, junior_teachers=20, primary_qualified_teachers=23, junior_qualified_teachers=17,
         primary_backbone_teachers=4, junior_backbone_teachers=3, primary_pe_art_teachers=4, junior_pe_art_teachers=3,
         primary_titled_teachers=11, junior_titled_teachers=9, teaching_area=4300.0, indoor_sports_area=600.0,
         sports_ground_area=6800.0, equipment_value=1350000, computers=70, books=18500, multimedia_rooms=17,
         township="桃源乡"),
    dict(year=2025, county_code="990101", county_name="青山县", school_code="9901010060",
         school_name="青山县柳林乡杨家村教学点", school_type="教学点", ownership="公办", urban_rural="乡村",
         primary_students=36, junior_students=0, senior_students=0, primary_classes=3, junior_classes=0,
         primary_teachers=4, junior_teachers=0, primary_qualified_teachers=4, junior_qualified_teachers=0,
         primary_backbone_teachers=0, junior_backbone_teachers=0, primary_pe_art_teachers=1, junior_pe_art_teachers=0,
         primary_titled_teachers=1, junior_titled_teachers=0, teaching_area=260.0, indoor_sports_area=0.0,
         sports_ground_area=420.0, equipment_value=90000, computers=6, books=1200, multimedia_rooms=2,
         township="柳林乡"),
]


def headers() -> list[str]:
    """The Chinese headers of the school table, in ``columns.yaml`` order (including 乡镇)."""
    return [c["header"] for c in COLUMNS]


def _rules_text() -> list[tuple[str, str]]:
    """General filling rules (zh, en)."""
    spec = column_spec()
    names = {c["name"]: c["header"] for c in COLUMNS}
    subsets = "；".join(f"{names[p]} ≤ {names[w]}" for p, w in spec["subsets"])
    stages = "；".join(f"{t}：{'、'.join(s)}" for t, s in SCHOOL_TYPE_STAGES.items())
    return [
        ("每所学校每年一行；多年数据可放在同一张表中，用「年份」区分。",
         "One row per school per year; several years may share one sheet (distinguished by 年份)."),
        ("县区代码（6 位）和学校标识码（10 位）必须按文本填写，不能丢失开头的 0；本模板已将这两列设为文本格式。",
         "County codes (6 digits) and school codes (10 digits) must be text; leading zeros must not be lost."),
        ("同一学校的学校标识码各年保持不变；同一年内不得重复。",
         "A school keeps its code across years; a code appears at most once per year."),
        ("人数、班数、台数、册数、间数为不小于 0 的整数；面积、金额为不小于 0 的数值。",
         "Counts are whole numbers ≥ 0; areas and money are numbers ≥ 0."),
        (f"部分不能大于总数：{subsets}。", "A part may not exceed its total (teacher subsets ≤ teachers; indoor sports area ≤ teaching area)."),
        (f"学生、班级、教师只能填在该学校类型具有的学段（其他学段填 0 或留空）：{stages}。",
         "Pupils, classes and teachers only in the stages the school type has (others 0 or blank)."),
        ("九年一贯制、十二年一贯制、完全中学的专任教师按任教学段分别填报，不要把同一位教师重复计入两个学段；"
         "共用的校舍、场地、设备按学校整体填报，由程序按学生数（加权）分摊。",
         "Combined schools: teachers by the stage they teach (never counted twice); shared facilities for the whole "
         "school — the program splits them by weighted enrolment."),
        ("教学及辅助用房面积包含室内体育用房面积；计算生均教学及辅助用房面积时程序会减去室内体育用房，"
         "计算生均体育运动场馆面积时加上室内体育用房。",
         "The teaching area includes the indoor sports area; the program subtracts it for the teaching-area indicator "
         "and adds it to the sports indicator."),
        ("教学仪器设备值以「元」填写；若按统计报表的「万元」填写，请把表头改为「教学仪器设备值(万元)」，程序会自动 ×10000。",
         "Equipment value in yuan; if you enter 万元 as in the statistics, rename the header to 教学仪器设备值(万元)."),
        ("县级及以上骨干教师不在教育事业统计中，请依据县级及以上教育部门的认定文件填写。",
         "Backbone teachers are not in the education statistics: use the county's recognition lists."),
        ("「乡镇」及专用教室、最大班额、超标班额、建成年份等列为选填（留空表示未填报，不按 0 计）；其余各列均为必填。",
         "乡镇 and the music/art room, class-size and build-year columns are optional (blank = not reported, "
         "never read as 0); every other column is required."),
    ]


def _style_header(ws, n_cols: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1][:n_cols]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 42


def _width(c: dict) -> float:
    if c["name"] == "school_name":
        return 30
    if c["kind"] == "code":
        return 14
    return max(10.0, min(18.0, len(c["header"]) * 1.1 + 2))


def _row_values(row: dict) -> list:
    return [row.get(c["name"], "") for c in COLUMNS]


def _data_sheet(ws, n_rows: int, rows: list[dict] | None = None) -> None:
    """Headers, widths, text format of code/text columns and data validations on ``n_rows`` rows."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from balance.io.export.xlsx import append_row, house_style

    append_row(ws, headers())
    _style_header(ws, len(COLUMNS))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{n_rows + 1}"
    for r in rows or []:
        append_row(ws, _row_values(r))
    last = n_rows + 1
    for j, c in enumerate(COLUMNS, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = _width(c)
        rng = f"{letter}2:{letter}{last}"
        if c["kind"] in ("code", "text", "category"):
            for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=j, max_col=j):
                cell.number_format = "@"
        elif c["kind"] in ("year", "count"):  # the house formats (balance/data/formats.yaml): 2025, 1,234
            fmt = house_style()["formats"][c["kind"]]
            for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=j, max_col=j):
                cell.number_format = fmt
        dv = None
        if c["kind"] == "category":
            dv = DataValidation(type="list", formula1='"' + ",".join(c["values"]) + '"', allow_blank=True)
            dv.error = f"请从下拉列表中选择：{'、'.join(c['values'])}"
        elif c["kind"] == "code":
            dv = DataValidation(type="textLength", operator="equal", formula1=str(c["length"]), allow_blank=True)
            dv.error = f"应为 {c['length']} 位数字（文本格式）/ {c['length']} digits as text"
        elif c["kind"] == "year":
            dv = DataValidation(type="whole", operator="between", formula1="1949", formula2="2100", allow_blank=True)
            dv.error = "应为四位数年份 / a 4-digit year"
        elif c["kind"] == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = "应为不小于 0 的整数 / a whole number ≥ 0"
        elif c["kind"] in ("area", "money"):
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = "应为不小于 0 的数值 / a number ≥ 0"
        if dv is not None:
            dv.errorTitle = c["header"]
            dv.showErrorMessage = True
            dv.prompt = COLUMN_NOTES.get(c["name"], ("",))[0][:250]
            dv.showInputMessage = True
            dv.add(rng)
            ws.add_data_validation(dv)


def _notes_sheet(ws) -> None:
    from openpyxl.styles import Alignment, Font

    from balance.io.export.xlsx import append_row

    append_row(ws, ["学校基础数据表 填表说明 / How to fill in the school table"])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [])
    append_row(ws, ["序号 No.", "列名（表头）Header", "含义 Meaning", "英文 English", "单位 Unit", "填写要求 Kind",
               "可选值 Allowed values", "必填 Required", "数据来源 Source"])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for i, c in enumerate(COLUMNS, start=1):
        zh, en, unit, source = COLUMN_NOTES.get(c["name"], ("", "", "", ""))
        kind = KIND_ZH.get(c["kind"], c["kind"])
        if c["kind"] == "code":
            kind = f"{c['length']} 位数字，文本格式"
        elif c.get("range"):
            kind = "年份（1900 至统计年份）"
        append_row(ws, [i, c["header"], zh, en, unit, kind, "、".join(c.get("values") or []),
                   "是 yes" if c.get("required") else "否（选填）optional", source])
    append_row(ws, [])
    append_row(ws, ["填表规则 / Rules"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for k, (zh, en) in enumerate(_rules_text(), start=1):
        append_row(ws, [k, zh, "", en])
    append_row(ws, [])
    append_row(ws, ["学校类型与学段 / School types and their stages"])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for t, stages in SCHOOL_TYPE_STAGES.items():
        append_row(ws, ["", t, "、".join(stages)])
    for letter, w in zip("ABCDEFGHI", (8, 30, 46, 46, 8, 18, 40, 14, 30)):
        ws.column_dimensions[letter].width = w
    for row in ws.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate


def write_school_table_template(path) -> Path:
    """Write the blank school table template.

    Parameters
    ----------
    path : str or Path
        ``.xlsx`` → workbook with sheets 学校基础数据 (blank, formatted, drop-downs), 填表说明 and 示例;
        ``.csv`` → the header line only (UTF-8 with BOM).

    Returns
    -------
    Path
        The written file. The bytes do not depend on when the file was written.
    """
    from balance.io.files import atomic_path, atomic_write_bytes, deterministic_xlsx

    path = Path(path)
    if path.suffix.lower() == ".csv":
        return atomic_write_bytes(path, b"\xef\xbb\xbf" + (",".join(headers()) + "\n").encode("utf-8"))
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValueError(f"模板文件应为 .xlsx 或 .csv / template must be .xlsx or .csv: {path}")
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_DATA
    _data_sheet(ws, TEMPLATE_ROWS)
    _notes_sheet(wb.create_sheet(SHEET_NOTES))
    ex = wb.create_sheet(SHEET_EXAMPLE)
    _data_sheet(ex, len(EXAMPLE_ROWS), EXAMPLE_ROWS)
    fixed = dt.datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "balance"
    wb.properties.title = "学校基础数据表模板 / school table template"
    wb.active = 0
    with atomic_path(path) as tmp:  # nothing at ``path`` (and no new folder) unless the whole file is written
        wb.save(tmp)
        deterministic_xlsx(tmp)
    return path


# ---------------------------------------------------------------------------------------------
# command line


@dataclass(frozen=True)
class Form:
    """A blank form the ``template`` command can write (``suffixes``: the file types it writes)."""

    name: str
    help: str
    writer: Callable[[Path], Path]
    default_file: str
    suffixes: tuple[str, ...] = (".xlsx",)


def _write_county_sheet_template(path: Path) -> Path:
    from balance.io.county_sheet import write_county_sheet_template

    return write_county_sheet_template(path)


#: Form types of ``balance template FORM FILE``. Add an entry to offer another form.
FORMS: dict[str, Form] = {
    "school-table": Form("school-table", "学校基础数据表模板 / school table template (.xlsx or .csv)",
                         write_school_table_template, "school_table_template.xlsx", (".xlsx", ".xlsm", ".csv")),
    "county-sheet": Form("county-sheet", "县级填报表模板（政府保障程度、教育质量、社会认可度、一票否决）/ county-sheet template (.xlsx)",
                         _write_county_sheet_template, "county_sheet_template.xlsx"),
}


def _refuse_file(file: str, code: str, zh: str, en: str) -> None:
    from balance.errors import InputError, Problem

    raise InputError([Problem(file=file, code=code, problem_zh=zh, problem_en=en)], "输出文件有误", "unusable output file")


def check_template_target(form: Form, file: str, force: bool = False) -> Path:
    """Refuse (InputError, exit 2) a template FILE that cannot or must not be written: a type the
    form does not write, a folder, a path through a file, or an existing file (without ``--force``:
    a user's data file passed by mistake is never overwritten)."""
    path = Path(file)
    if path.suffix.lower() not in form.suffixes:
        kinds = "、".join(form.suffixes)
        _refuse_file(file, "template_suffix", f"模板文件的扩展名应为 {kinds}", f"the template file must end in {', '.join(form.suffixes)}")
    if path.is_dir():
        _refuse_file(file, "template_is_folder", "这是一个文件夹；请给出模板的文件名（如 文件夹/模板.xlsx）",
                     f"this is a folder; give the template's file name (e.g. folder/{form.default_file})")
    if path.exists() and not force:
        _refuse_file(file, "template_exists", "文件已存在，未覆盖；如确要替换它请加 --force",
                     "the file already exists and was not overwritten; add --force to replace it")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                _refuse_file(file, "template_parent_is_file", f"路径中的「{parent}」是文件，而不是文件夹",
                             f"{parent} in the path is a file, not a folder")
            break
    return path
