"""More kinds for the fuzz table (issue 9): every command and every input kind.

Same contract as ``tests/fuzz/test_fuzz_cli.py`` (one :class:`~tests.fuzz.harness.Case` per
kind): school tables in CSV, Excel and OpenDocument; county sheets; params, standard, scenario
and costs YAML; Parquet store folders; devices, FIFOs and folders given as files; output paths.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from balance.schema import HEADERS as H
from tests import hostile_files as hostile
from tests.fuzz.harness import Case, check_case
from tests.fuzz.test_fuzz_cli import DEMO_SHEET, demo_inputs, school_csv, standard, touch
from tests.tables import valid_table

# ----------------------------------------------------------------------------------- builders


def table_with(column: str, value, row: int = 0, name: str = "学校数据.csv"):
    """A valid school table with one cell replaced (``column`` canonical, ``row`` 0-based data row)."""
    def make(d: Path) -> str:
        df = valid_table().astype(object)
        df.loc[row, H[column]] = value
        df.to_csv(d / name, index=False, encoding="utf-8-sig")
        return name
    return make


def xlsx_with(column: str | None = None, value=None, name: str = "学校数据.xlsx"):
    def make(d: Path) -> str:
        df = valid_table().astype(object)
        if column is not None:
            df.loc[0, H[column]] = value
        wb = openpyxl.Workbook()
        wb.active.append(list(df.columns))
        for r in df.itertuples(index=False):
            wb.active.append(list(r))
        wb.save(d / name)
        return name
    return make


def ods_bytes(d: Path, name: str, data: bytes) -> str:
    (d / name).write_bytes(data)
    return name


def fifo(d: Path, name: str) -> str:
    os.mkfifo(d / name)
    return name


def folder(d: Path, name: str) -> str:
    touch(d, f"{name}/readme.txt", "not data\n")
    return name


def raw(d: Path, name: str, data: bytes) -> str:
    (d / name).parent.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    return name


def sheet_with_county_name(value: str):
    """The demo county sheet with the 县区名称 of its first data row replaced."""
    def make(d: Path) -> list[str]:
        schools, sheet = demo_inputs(d)
        wb = openpyxl.load_workbook(d / sheet)
        ws = wb.worksheets[0]
        for row in ws.iter_rows():
            if row[1].value is not None and str(row[1].value).strip().isdigit() and len(str(row[1].value).strip()) == 6:
                row[2].value = value
                break
        wb.save(d / sheet)
        return ["evaluate", schools, "--county-sheet", sheet, "--county", "990105", "--year", "2025", "--out", "out"]
    return make


def evaluate_sheet(make_sheet):
    def build(d: Path) -> list[str]:
        schools, _ = demo_inputs(d)
        return ["evaluate", schools, "--county-sheet", make_sheet(d), "--out", "out"]
    return build


def scenario(text: str | bytes, name: str = "情景.yaml"):
    def build(d: Path) -> list[str]:
        data = text.encode("utf-8") if isinstance(text, str) else text
        return ["assess", school_csv(d), "--out", "out", "--no-excel", "--scenario", raw(d, name, data)]
    return build


def costs(text: str | bytes, name: str = "单价.yaml"):
    def build(d: Path) -> list[str]:
        data = text.encode("utf-8") if isinstance(text, str) else text
        return ["plan", school_csv(d), "--out", "out", "--year", "2024", "--costs", raw(d, name, data)]
    return build


def params(text: str | bytes, name: str = "p/县.yaml", command: str = "report"):
    """A params file (and a valid school table beside it) run by ``report`` or ``batch``."""
    def build(d: Path) -> list[str]:
        school_csv(d)
        data = text.encode("utf-8") if isinstance(text, str) else text
        p = raw(d, name, data)
        return [command, p if command == "report" else str(Path(p).parent), "--out", "out"]
    return build


def store_folder(make):
    def build(d: Path) -> list[str]:
        make(d)
        return ["assess", "仓库", "--out", "out", "--no-excel"]
    return build


SCHOOL = "2130000001"
COL = "小学专任教师数"
GOOD_PARAMS = "notebook: county_briefing\ndata: ../学校数据.csv\ncounty_code: '130102'\nyear: 2024\n"

# ---------------------------------------------------------------------------------- the table

SCHOOL_NAMES = [
    Case("name_bidi_override", lambda d: ["validate", table_with("school_name", "长安\u202e小学")(d)], ("学校数据.csv", "学校名称")),
    Case("name_zero_width", lambda d: ["assess", table_with("school_name", "长安\u200b小学")(d), "--out", "out"],
         ("学校数据.csv", "学校名称")),
    Case("name_line_break", lambda d: ["validate", table_with("school_name", "长安\n小学")(d)], ("学校数据.csv", "学校名称")),
    Case("county_name_bidi_isolate", lambda d: ["equity", table_with("county_name", "长安区\u2066")(d), "--out", "out"],
         ("学校数据.csv", "县区名称")),
    Case("township_bom_inside", lambda d: ["validate", table_with("township", "建北\ufeff街道")(d)], ("学校数据.csv", "乡镇")),
    Case("name_minus_formula", lambda d: ["plan", table_with("school_name", "-1+2")(d), "--out", "out"],
         ("学校数据.csv", "学校名称")),
    Case("name_only_spaces", lambda d: ["validate", table_with("school_name", "   ")(d)], ("学校数据.csv", "学校名称")),
]
TABLE_CELLS = [
    Case("validate_count_2e63", lambda d: ["validate", table_with("primary_students", str(2 ** 63))(d)],
         ("学校数据.csv", "小学在校生数")),
    Case("validate_count_hex", lambda d: ["validate", table_with("books", "0x10")(d)], ("学校数据.csv",)),
    Case("validate_area_negative_zero", lambda d: ["validate", table_with("teaching_area", "-1e-9")(d)], ("学校数据.csv",)),
    Case("validate_year_far_future", lambda d: ["validate", table_with("year", "9999")(d)], ("学校数据.csv", "年份")),
    Case("validate_code_too_long", lambda d: ["validate", table_with("county_code", "1301020")(d)], ("学校数据.csv", "县区代码")),
    Case("validate_xlsx_formula_name", lambda d: ["validate", xlsx_with("school_name", "@cmd")(d)], ("学校数据.xlsx", "学校名称")),
    Case("validate_xlsx_huge_number", lambda d: ["validate", xlsx_with("teaching_area", 1e300)(d)], ("学校数据.xlsx",)),
    Case("validate_ods_garbage", lambda d: ["validate", raw(d, "学校数据.ods", b"PK\x03\x04garbage" * 10)], ("学校数据.ods",)),
    Case("validate_ods_empty", lambda d: ["validate", raw(d, "学校数据.ods", b"")], ("学校数据.ods",)),
    Case("validate_fifo", lambda d: ["validate", fifo(d, "学校数据.csv")], ("学校数据.csv",), subprocess=True),
    Case("validate_dev_zero", lambda d: ["validate", "/dev/zero"], ("/dev/zero",), subprocess=True),
    Case("validate_dev_null", lambda d: ["validate", "/dev/null"], ("/dev/null",)),
    Case("validate_folder_named_csv", lambda d: ["validate", folder(d, "学校数据.csv")], ("学校数据.csv",)),
    Case("validate_symlink_loop", lambda d: (os.symlink("环.csv", d / "环.csv"), ["validate", "环.csv"])[1], ("环.csv",)),
    Case("validate_sheet_unknown", lambda d: ["validate", xlsx_with()(d), "--sheet", "没有"], ("没有",)),
    Case("assess_xlsx_sheet_unknown", lambda d: ["assess", xlsx_with()(d), "--sheet", "没有", "--out", "out"], ("没有",)),
    Case("assess_csv_utf16_is_fine", lambda d: ["assess", raw(d, "学校数据.csv", valid_table().to_csv(index=False)
                                                                   .encode("utf-16")), "--out", "out"],
         expect="ok", code=0, writes=("out",)),
    Case("assess_huge_allowed_values_ok", lambda d: ["assess", _huge_allowed(d), "--out", "out", "--no-excel"],
         expect="ok", code=0, writes=("out",), check=lambda d, r: _no_inf_nan(d / "out")),
    Case("equity_table_nul", lambda d: ["equity", table_with("school_name", "a\x00b")(d), "--out", "out"], ("学校数据.csv",)),
    Case("plan_table_formula", lambda d: ["plan", table_with("county_name", "=1")(d), "--out", "out"], ("学校数据.csv",)),
    Case("ingest_table_bad", lambda d: ["ingest", table_with("primary_students", "x")(d), "--store", "仓库"], ("学校数据.csv",)),
    Case("ingest_fifo", lambda d: ["ingest", fifo(d, "t.csv"), "--store", "仓库"], ("t.csv",), subprocess=True),
    Case("evaluate_table_bad", lambda d: ["evaluate", table_with("books", "-1")(d), "--county-sheet",
                                          shutil.copy(DEMO_SHEET, d / "s.xlsx") and "s.xlsx", "--out", "out"],
         ("学校数据.csv",)),
]

COUNTY_SHEETS = [
    Case("sheet_county_name_formula", sheet_with_county_name("=HYPERLINK(\"x\")"), ("county_sheet.xlsx",)),
    Case("sheet_county_name_bidi", sheet_with_county_name("东湖\u202e区"), ("county_sheet.xlsx",)),
    Case("sheet_binary", evaluate_sheet(lambda d: raw(d, "县级表.xlsx", bytes(range(256)) * 8)), ("县级表.xlsx",)),
    Case("sheet_empty", evaluate_sheet(lambda d: raw(d, "县级表.xlsx", b"")), ("县级表.xlsx",)),
    Case("sheet_csv_garbage", evaluate_sheet(lambda d: raw(d, "县级表.csv", b"a,b\n\"x\n")), ("县级表.csv",)),
    Case("sheet_fifo", evaluate_sheet(lambda d: fifo(d, "县级表.xlsx")), ("县级表.xlsx",), subprocess=True),
    Case("sheet_folder", evaluate_sheet(lambda d: folder(d, "县级表.xlsx")), ("县级表.xlsx",)),
    Case("sheet_missing", evaluate_sheet(lambda d: "没有.xlsx"), ("没有.xlsx",)),
    Case("sheet_huge_dimension", evaluate_sheet(lambda d: raw(d, "县级表.xlsx", hostile.xlsx(hostile.sheet(
        hostile.rows_xml([["a"]]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")))),
         ("县级表.xlsx",), subprocess=True),
]

SCENARIOS = [
    Case("scenario_not_decodable", scenario(b"changes:\n  - {school_code: '2130000001', amount: \xff\xfe\xfa\xfb\x81\x30}\n"),
         ("情景.yaml",)),
    Case("scenario_amount_huge", scenario(f"changes:\n  - {{school_code: '{SCHOOL}', column: {COL}, amount: 1e30}}\n"),
         ("情景.yaml",)),
    Case("scenario_amount_inf", scenario(f"changes:\n  - {{school_code: '{SCHOOL}', column: {COL}, amount: .inf}}\n"),
         ("情景.yaml",)),
    Case("scenario_amount_nan", scenario(f"changes:\n  - {{school_code: '{SCHOOL}', column: {COL}, amount: .nan}}\n"),
         ("情景.yaml",)),
    Case("scenario_amount_text", scenario(f"changes:\n  - {{school_code: '{SCHOOL}', column: {COL}, amount: 很多}}\n"),
         ("情景.yaml",)),
    Case("scenario_unknown_column", scenario(f"changes:\n  - {{school_code: '{SCHOOL}', column: 校长工资, amount: 1}}\n"),
         ("情景.yaml",)),
    Case("scenario_yaml_syntax", scenario("changes:\n  - {school_code: [\n"), ("情景.yaml",)),
    Case("scenario_duplicate_key", scenario(f"changes: []\nchanges:\n  - {{school_code: '{SCHOOL}', column: {COL}, amount: 1}}\n"),
         ("情景.yaml",)),
    Case("scenario_deep_nesting", scenario("changes: " + "[" * 5000 + "]" * 5000 + "\n"), ("情景.yaml",)),
    Case("scenario_alias_bomb", scenario("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                                         "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                                         "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                                         "changes: [*f]\n"), ("情景.yaml",)),
    Case("scenario_python_tag", scenario("changes: !!python/object/apply:os.system ['touch 被注入']\n"), ("情景.yaml",)),
    Case("scenario_fifo", lambda d: ["assess", school_csv(d), "--out", "out", "--scenario", fifo(d, "情景.yaml")],
         ("情景.yaml",), subprocess=True),
    Case("scenario_folder", lambda d: ["assess", school_csv(d), "--out", "out", "--scenario", folder(d, "情景.yaml")],
         ("情景.yaml",)),
    Case("scenario_wrong_suffix", lambda d: ["assess", school_csv(d), "--out", "out", "--scenario", touch(d, "情景.docx")],
         ("情景.docx",)),
    Case("scenario_empty", scenario(""), ("情景.yaml",)),
]

COSTS = [
    Case("costs_utf16_is_fine", costs("teacher_years: 1\n# 注释\n".encode("utf-16")), expect="ok", code=0, writes=("out",)),
    Case("costs_not_decodable", costs(b"teacher_years: 1\n# \xff\xfe\xfa\xfb\x81\x30\n"), ("单价.yaml",)),
    Case("costs_gb18030_bytes", costs("teacher_years: 1\n# 单价\n".encode("gb18030")), expect="ok", code=0,
         writes=("out",)),
    Case("costs_binary", costs(bytes(range(256)) * 4), ("单价.yaml",)),
    Case("costs_negative", costs("items:\n  qualified_teachers: {cost: -5}\n"), ("单价.yaml", "qualified_teachers")),
    Case("costs_nan", costs("items:\n  qualified_teachers: {cost: .nan}\n"), ("单价.yaml", "qualified_teachers")),
    Case("costs_inf", costs("items:\n  qualified_teachers: {cost: .inf}\n"), ("单价.yaml", "qualified_teachers")),
    Case("costs_huge", costs("items:\n  qualified_teachers: {cost: 1e300}\n"), ("单价.yaml", "qualified_teachers")),
    Case("costs_teacher_years_zero", costs("teacher_years: 0\n"), ("单价.yaml", "teacher_years")),
    Case("costs_teacher_years_huge", costs("teacher_years: 1e12\n"), ("单价.yaml", "teacher_years")),
    Case("costs_text", costs("items:\n  qualified_teachers: {cost: 很贵}\n"), ("单价.yaml", "qualified_teachers")),
    Case("costs_unknown_key", costs("itmes: {}\n"), ("单价.yaml", "itmes")),
    Case("costs_not_mapping", costs("- 1\n- 2\n"), ("单价.yaml",)),
    Case("costs_yaml_syntax", costs("items: {a: [\n"), ("单价.yaml",)),
    Case("costs_duplicate_key", costs("teacher_years: 1\nteacher_years: 2\n"), ("单价.yaml", "teacher_years")),
    Case("costs_deep_nesting", costs("items: " + "[" * 5000 + "]" * 5000 + "\n"), ("单价.yaml",)),
    Case("costs_python_tag", costs("items: !!python/object/apply:os.system ['touch 被注入']\n"), ("单价.yaml",)),
    Case("costs_fifo", lambda d: ["plan", school_csv(d), "--out", "out", "--costs", fifo(d, "单价.yaml")], ("单价.yaml",),
         subprocess=True),
    Case("costs_folder", lambda d: ["plan", school_csv(d), "--out", "out", "--costs", folder(d, "单价.yaml")], ("单价.yaml",)),
    Case("costs_missing", lambda d: ["plan", school_csv(d), "--out", "out", "--costs", "没有.yaml"], ("没有.yaml",)),
    Case("costs_too_big", costs("# " + "x" * (3 << 20) + "\n"), ("单价.yaml",), env={"BALANCE_MAX_YAML_MB": "1"}),
]

STANDARDS_MORE = [
    Case("standard_threshold_tiny", lambda d: ["assess", school_csv(d), "--out", "out", "--standard",
                                               standard(d, ("standard: {小学: 2000", "standard: {小学: 1e-9"))],
         ("省标准.yaml", "indicators.5.standard.小学")),
    Case("standard_threshold_huge", lambda d: ["assess", school_csv(d), "--out", "out", "--standard",
                                               standard(d, ("standard: {小学: 2000", "standard: {小学: 1e12"))],
         ("省标准.yaml", "indicators.5.standard.小学")),
    Case("standard_per_huge", lambda d: ["assess", school_csv(d), "--out", "out", "--standard",
                                         standard(d, ("per: 100", "per: 1e300"))], ("省标准.yaml", "indicators.0.per")),
    Case("standard_fifo", lambda d: ["assess", school_csv(d), "--out", "out", "--standard", fifo(d, "省标准.yaml")],
         ("省标准.yaml",), subprocess=True),
    Case("standard_python_tag", lambda d: ["assess", school_csv(d), "--out", "out", "--standard",
                                           standard(d, data=b"id: !!python/object/apply:os.system ['touch x']\n")],
         ("省标准.yaml",)),
    Case("evaluate_standard_bad", lambda d: ["evaluate", *demo_inputs(d)[:1], "--county-sheet", "county_sheet.xlsx",
                                             "--out", "out", "--standard", standard(d, ("min_met: 6", "min_met: -1"))],
         ("省标准.yaml",)),
    Case("plan_standard_bad", lambda d: ["plan", school_csv(d), "--out", "out", "--standard",
                                         standard(d, ("floor_ratio: 0.85", "floor_ratio: .nan"))], ("省标准.yaml",)),
    Case("equity_standard_bad", lambda d: ["equity", school_csv(d), "--out", "out", "--standard",
                                           standard(d, data=b"\xff\xfe\x00garbage")], ("省标准.yaml",)),
]

PARAMS = [
    Case("report_params_not_yaml", params(b"\x00\x01\x02" * 100), ("县.yaml",), code=None, writes=("out",)),
    Case("report_params_unknown_notebook", params("notebook: ../../etc/passwd\ndata: ../学校数据.csv\n"), ("县.yaml",), code=None, writes=("out",)),
    Case("report_params_data_missing", params("notebook: county_briefing\ndata: 没有.csv\ncounty_code: '130102'\nyear: 2024\n"),
         ("县.yaml",), code=None, writes=("out",)),
    Case("report_params_year_text", params(GOOD_PARAMS.replace("year: 2024", "year: 明年")), ("县.yaml", "year"), code=None, writes=("out",)),
    Case("report_params_county_formula", params(GOOD_PARAMS.replace("'130102'", "'=1+1'")), ("县.yaml",), code=None, writes=("out",)),
    Case("report_params_unknown_key", params(GOOD_PARAMS + "rm_rf: true\n"), ("县.yaml", "rm_rf"), code=None, writes=("out",)),
    Case("report_params_python_tag", params("notebook: !!python/object/apply:os.system ['touch x']\n"), ("县.yaml",), code=None, writes=("out",)),
    Case("report_params_fifo", lambda d: ["report", fifo(d, "县.yaml"), "--out", "out"], ("县.yaml",), subprocess=True,
         code=None, writes=("out",)),
    Case("report_params_folder", lambda d: ["report", folder(d, "县.yaml"), "--out", "out"], ("县.yaml",), code=None, writes=("out",)),
    Case("report_params_missing", lambda d: ["report", "没有.yaml", "--out", "out"], ("没有.yaml",), code=None, writes=("out",)),
    Case("report_params_dotdot_name", params(GOOD_PARAMS, name="p/...yaml"), ("...yaml",), code=None, writes=("out",)),
    Case("report_params_index_name", params(GOOD_PARAMS, name="p/index.yaml"), ("index",), code=None, writes=("out",)),
    Case("report_params_hidden_name", params(GOOD_PARAMS, name="p/.hidden.yaml"), (".hidden",), code=None, writes=("out",)),
    Case("report_timeout_nan", lambda d: ["report", raw(d, "p/县.yaml", GOOD_PARAMS.encode()), "--out", "out",
                                          "--timeout", "nan"], ("--timeout",)),
    Case("batch_folder_empty", lambda d: ["batch", folder(d, "空") and "空/readme.txt" and "空", "--out", "out"], ("空",)),
    Case("batch_params_invalid", params(GOOD_PARAMS.replace("year: 2024", "year: [1, 2]"), command="batch"), ("县.yaml",), code=None, writes=("out",)),
    Case("batch_workers_zero", lambda d: ["batch", raw(d, "p/县.yaml", GOOD_PARAMS.encode()), "--out", "out", "--workers", "0"],
         ("--workers",)),
    Case("batch_missing_folder", lambda d: ["batch", "没有", "--out", "out"], ("没有",), code=None, writes=("out",)),
    Case("batch_params_binary", params(bytes(range(256)), command="batch"), ("县.yaml",), code=None, writes=("out",)),
]

STORES = [
    Case("store_folder_of_text", store_folder(lambda d: touch(d, "仓库/说明.txt")), ("仓库",)),
    Case("store_bad_parquet", store_folder(lambda d: raw(d, "仓库/year=2024/part.parquet", b"PAR1garbagePAR1")), ("仓库",)),
    Case("store_parquet_wrong_columns", store_folder(lambda d: _parquet(d, "仓库/year=2024/part.parquet")), ("仓库",)),
    Case("store_marker_garbage", store_folder(lambda d: (raw(d, "仓库/.balance-store", b"\xff\xfe{"),
                                                         raw(d, "仓库/year=2024/part.parquet", b"PAR1xPAR1"))), ("仓库",)),
    Case("ingest_into_foreign_folder", lambda d: ["ingest", school_csv(d), "--store", touch(d, "我的文件/笔记.txt") and "我的文件"],
         ("我的文件",)),
    Case("ingest_store_empty_name", lambda d: ["ingest", school_csv(d), "--store", ""], ("--store",)),
]

DEMO = [
    Case("demo_data_keeps_foreign_file", lambda d: ["demo-data", "--out", touch(d, "演示/schools.csv", "我的数据\n") and "演示"],
         ("schools.csv", "--force")),
    Case("demo_data_keeps_foreign_sheet", lambda d: ["demo-data", "--out", touch(d, "演示/county_sheet.xlsx", "x") and "演示"],
         ("county_sheet.xlsx", "--force")),
    Case("demo_data_years_text", lambda d: ["demo-data", "--out", "demo", "--years", "明年"], ("--years",)),
    Case("demo_data_scale_unknown", lambda d: ["demo-data", "--out", "demo", "--scale", "galaxy"], ("--scale",)),
    Case("doctor_extra_argument", lambda d: ["doctor", "--fix"], ("--fix",)),
    Case("template_out_fifo", lambda d: ["template", "school-table", fifo(d, "模板.xlsx")], ("模板.xlsx",), subprocess=True),
    Case("template_out_dev_null", lambda d: ["template", "school-table", "/dev/null", "--force"], ("/dev/null",)),
    Case("assess_out_is_fifo", lambda d: ["assess", school_csv(d), "--out", fifo(d, "结果")], ("结果", "--out"), subprocess=True),
    Case("assess_out_nul_byte", lambda d: ["assess", school_csv(d), "--out", "a\x00b"], ("--out",), subprocess=False),
    Case("assess_out_dev_null", lambda d: ["assess", school_csv(d), "--out", "/dev/null"], ("/dev/null", "--out")),
]


def _huge_allowed(d: Path) -> str:
    """Values at the very top of what columns.yaml allows (bound of every area/money/count column)."""
    from balance.schema import COLUMNS

    df = valid_table().astype(object)
    for c in COLUMNS:
        if c.get("max") is not None and c["kind"] in ("area", "money") and c["header"] in df.columns:
            df.loc[0, c["header"]] = c["max"]
    df.to_csv(d / "学校数据.csv", index=False, encoding="utf-8-sig")
    return "学校数据.csv"


def _no_inf_nan(out: Path) -> None:
    import csv

    for p in out.glob("*.csv"):
        with open(p, encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                for k in ("cv", "value"):
                    v = (row.get(k) or "").lower()
                    assert v not in ("inf", "-inf", "nan"), (p.name, row)


def _parquet(d: Path, rel: str) -> str:
    import pandas as pd

    (d / rel).parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"甲": [1, 2]}).to_parquet(d / rel)
    return rel


GROUPS = [SCHOOL_NAMES, TABLE_CELLS, COUNTY_SHEETS, SCENARIOS, COSTS, STANDARDS_MORE, PARAMS, STORES, DEMO]
CASES = [c for g in GROUPS for c in g]


def test_kinds_are_unique():
    from tests.fuzz.test_fuzz_cli import CASES as FIRST

    kinds = [c.kind for c in FIRST + CASES]
    assert len(kinds) == len(set(kinds))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fuzz_more(case: Case, tmp_path: Path):
    check_case(case, tmp_path)
