"""The fuzz table: one line per kind of hostile or malformed input to the command line.

Each :class:`~tests.fuzz.harness.Case` builds its input inside the test's ``tmp_path`` (the
sandbox, also the working directory) and returns the arguments of ``balance``; the harness checks
the refusal (exit status, bilingual message naming the file / option / key, no traceback, the
sandbox unchanged) or, for ``expect="ok"``, that only the output folder changed. Add a kind by
adding a line to ``CASES`` (or a list of lines to ``GROUPS``).
"""
from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pytest

from tests.fuzz.harness import Case, check_case
from tests.tables import valid_table

REPO = Path(__file__).resolve().parents[2]
DEMO_SCHOOLS = REPO / "data" / "demo" / "schools.csv"
DEMO_SHEET = REPO / "data" / "demo" / "county_sheet.xlsx"
STANDARD_Q = REPO / "balance" / "data" / "standards" / "quality-2017.yaml"


# ----------------------------------------------------------------------------------- builders

def school_csv(d: Path, name: str = "学校数据.csv") -> str:
    """A valid school table (two counties, two years) in the sandbox."""
    valid_table().to_csv(d / name, index=False, encoding="utf-8-sig")
    return name


def school_csv_in(d: Path, rel: str) -> str:
    """A valid school table at ``rel`` (folders created)."""
    (d / rel).parent.mkdir(parents=True, exist_ok=True)
    return school_csv(d, rel)


def demo_inputs(d: Path, sheet_name: str = "county_sheet.xlsx") -> tuple[str, str]:
    """The demo school table and county sheet, copied into the sandbox (so they are watched)."""
    shutil.copy(DEMO_SCHOOLS, d / "schools.csv")
    (d / sheet_name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_SHEET, d / sheet_name)
    return "schools.csv", sheet_name


def touch(d: Path, name: str, text: str = "用户自己的文件 / the user's own file\n") -> str:
    (d / name).parent.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return name


def standard(d: Path, edit: tuple[str, str] | None = None, data: bytes | None = None, name: str = "省标准.yaml") -> str:
    """A copy of quality-2017 with one ``(old, new)`` text edit, or the given bytes."""
    if data is None:
        text = STANDARD_Q.read_text(encoding="utf-8")
        if edit is not None:
            assert edit[0] in text, edit
            text = text.replace(edit[0], edit[1], 1)
        data = text.encode("utf-8")
    (d / name).write_bytes(data)
    return name


def assess_with(edit=None, data=None):
    return lambda d: ["assess", school_csv(d), "--out", "out", "--no-excel", "--standard", standard(d, edit, data)]


def strict_json(path: Path) -> None:
    def refuse(c):
        raise ValueError(f"not JSON: {c}")

    json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def old_results(d: Path) -> str:
    """An --out folder holding an earlier run's file: a failed run must leave it as it was."""
    touch(d, "out/summary.json", '{"earlier": "run"}\n')
    return "out"


LONG = "很长的文件夹名" * 40  # 840 bytes in UTF-8: longer than any file system allows (255)

# ---------------------------------------------------------------------------------- the table

STANDARDS = [
    Case("standard_cv_limit_nan", assess_with(("cv_limit: {小学: 0.50", "cv_limit: {小学: .nan")), ("省标准.yaml", "cv_limit.小学")),
    Case("standard_cv_limit_negative", assess_with(("cv_limit: {小学: 0.50", "cv_limit: {小学: -0.5")), ("省标准.yaml", "cv_limit.小学")),
    Case("standard_cv_limit_percent", assess_with(("cv_limit: {小学: 0.50", "cv_limit: {小学: 50")), ("省标准.yaml", "cv_limit.小学")),
    Case("standard_threshold_inf", assess_with(("standard: {小学: 2000", "standard: {小学: .inf")),
         ("省标准.yaml", "indicators.5.standard.小学")),
    Case("standard_indicators_empty", assess_with(("\nindicators:\n", "\nindicators: []\nx:\n")), ("省标准.yaml", "indicators")),
    Case("standard_split_weight_zero", assess_with(("完全中学: {初中: 1.0", "完全中学: {初中: 0")),
         ("省标准.yaml", "split_weights.完全中学.初中")),
    Case("standard_min_met_too_large", assess_with(("min_met: 6", "min_met: 8")), ("省标准.yaml", "school_rule.min_met")),
    Case("standard_floor_ratio_percent", assess_with(("floor_ratio: 0.85", "floor_ratio: 85")),
         ("省标准.yaml", "school_rule.floor_ratio")),
    Case("standard_unknown_stage", assess_with(("stages: [小学, 初中]", "stages: [小学, 高中]")), ("省标准.yaml", "stages")),
    Case("standard_typo_key", assess_with(("cv_limit:", "cv_limits:")), ("省标准.yaml", "cv_limits")),
    Case("standard_wrong_type", assess_with(("per: 100", "per: 一百")), ("省标准.yaml", "indicators.0.per")),
    Case("standard_duplicate_yaml_key", assess_with(("school_rule:", "cv_limit: {小学: 9, 初中: 9}\nschool_rule:")),
         ("省标准.yaml", "cv_limit")),
    Case("standard_not_mapping", assess_with(data=b"- quality-2017\n"), ("省标准.yaml",)),
    Case("standard_binary", assess_with(data=b"PK\x03\x04\x00\x00" + bytes(range(256))), ("省标准.yaml",)),
    Case("standard_utf16", assess_with(data="id: x\n".encode("utf-16")), ("省标准.yaml", "UTF-16")),
    Case("standard_yaml_syntax", assess_with(data="id: x\ntitle: [未闭合\nshort_title: y\n".encode()), ("省标准.yaml",)),
    Case("standard_missing_file", lambda d: ["assess", school_csv(d), "--out", "out", "--standard", "没有这个.yaml"],
         ("没有这个.yaml",)),
    Case("standard_is_folder", lambda d: ["assess", school_csv(d), "--out", "out", "--standard", touch(d, "std/x") and "std"],
         ("std",)),
    Case("standard_empty_name", lambda d: ["assess", school_csv(d), "--out", "out", "--standard", ""], ("--standard",)),
    Case("standard_gb18030_is_fine", lambda d: ["assess", school_csv(d), "--out", "out", "--no-excel", "--standard",
                                                standard(d, data=STANDARD_Q.read_text(encoding="utf-8").encode("gb18030"))],
         expect="ok", code=0, writes=("out",)),
]

OPTIONS = [
    Case("equity_by_unknown", lambda d: ["equity", school_csv(d), "--out", "out", "--by", "县长"], ("--by", "县长", "城乡类型")),
    Case("equity_groups_unknown", lambda d: ["equity", school_csv(d), "--out", "out", "--groups", "乡镇,县长"],
         ("--groups", "县长", "办学性质")),
    Case("equity_by_none", lambda d: ["equity", school_csv(d), "--out", "out", "--by", "none"], expect="ok", code=0,
         writes=("out",)),
    Case("validate_limit_zero", lambda d: ["validate", school_csv(d), "--limit", "0"], ("--limit",)),
    Case("validate_limit_text", lambda d: ["validate", school_csv(d), "--limit", "many"], ("--limit",)),
    Case("assess_year_text", lambda d: ["assess", school_csv(d), "--out", "out", "--year", "二〇二四"], ("--year",)),
    Case("assess_year_huge", lambda d: ["assess", school_csv(d), "--out", "out", "--year", "9" * 30], ("9" * 30,)),
    Case("assess_format_unknown", lambda d: ["assess", school_csv(d), "--out", "out", "--format", "xml"], ("--format", "xml")),
    Case("assess_out_missing", lambda d: ["assess", school_csv(d)], ("--out",)),
    Case("unknown_command", lambda d: ["asses", school_csv(d)], ("asses",)),
    Case("unknown_option", lambda d: ["assess", school_csv(d), "--out", "out", "--yaer", "2024"], ("--yaer",)),
    Case("demo_seed_negative", lambda d: ["demo-data", "--out", "demo", "--seed", "-1"], ("--seed",)),
    Case("demo_seed_huge", lambda d: ["demo-data", "--out", "demo", "--seed", str(2 ** 40)], ("--seed",)),
    Case("demo_year_zero", lambda d: ["demo-data", "--out", "demo", "--years", "0"], ("--years",)),
    Case("national_counties_zero", lambda d: ["demo-data", "--scale", "national", "--out", "n", "--counties", "0"],
         ("--counties",)),
    Case("template_unknown_form", lambda d: ["template", "school-sheet", "t.xlsx"], ("school-sheet",)),
    Case("template_wrong_suffix", lambda d: ["template", "school-table", "模板.txt"], ("模板.txt", ".xlsx")),
    Case("template_is_folder", lambda d: ["template", "school-table", touch(d, "模板.xlsx/keep") and "模板.xlsx"],
         ("模板.xlsx",)),
    Case("template_would_overwrite_data", lambda d: ["template", "school-table", school_csv(d)], ("学校数据.csv", "--force")),
    Case("template_parent_is_file", lambda d: ["template", "county-sheet", touch(d, "a.txt") + "/t.xlsx"], ("a.txt",)),
    Case("template_force_overwrites", lambda d: ["template", "school-table", touch(d, "旧模板.csv"), "--force"],
         expect="ok", code=0, writes=("旧模板.csv",)),
]

OUTPUT_FOLDERS = [
    Case("assess_out_is_file", lambda d: ["assess", school_csv(d), "--out", touch(d, "结果.xlsx")], ("结果.xlsx", "--out")),
    Case("assess_out_is_input", lambda d: ["assess", school_csv(d), "--out", "学校数据.csv"], ("学校数据.csv", "--out")),
    Case("assess_out_under_file", lambda d: ["assess", school_csv(d), "--out", touch(d, "x.txt") + "/out"], ("x.txt",)),
    Case("assess_out_empty", lambda d: ["assess", school_csv(d), "--out", ""], ("--out",)),
    Case("assess_out_name_too_long", lambda d: ["assess", school_csv(d), "--out", LONG, "--no-excel"], ("ENAMETOOLONG",)),
    Case("evaluate_out_is_file", lambda d: ["evaluate", school_csv(d), "--county-sheet", "sheet.xlsx", "--out", touch(d, "o")],
         ("--out",)),
    Case("plan_out_is_file", lambda d: ["plan", school_csv(d), "--out", touch(d, "o")], ("--out",)),
    Case("equity_out_is_file", lambda d: ["equity", school_csv(d), "--out", touch(d, "o")], ("--out",)),
    Case("demo_out_is_file", lambda d: ["demo-data", "--out", touch(d, "o")], ("--out",)),
    Case("ingest_store_is_file", lambda d: ["ingest", school_csv(d), "--store", touch(d, "仓库")], ("仓库", "--store")),
    Case("batch_out_is_file", lambda d: ["batch", touch(d, "p.yaml", "notebook: x\n"), "--out", touch(d, "o")], ("--out",)),
    Case("assess_out_would_overwrite_input", lambda d: ["assess", school_csv_in(d, "r/county_indicators.csv"), "--out", "r"],
         ("county_indicators.csv", "--out")),
    Case("plan_out_would_overwrite_input", lambda d: ["plan", school_csv_in(d, "r/planned_input.csv"), "--out", "r",
                                                      "--year", "2024"], ("planned_input.csv", "--out")),
    Case("evaluate_out_would_overwrite_sheet", lambda d: ["evaluate", *_evaluate_args(d, sheet_name="r/evaluation.xlsx"),
                                                          "--out", "r"], ("evaluation.xlsx", "--out")),
    Case("report_out_is_file", lambda d: ["report", touch(d, "p.yaml", "notebook: x\n"), "--out", touch(d, "o")], ("--out",)),
]

# disk faults: ENOSPC / EROFS / EACCES while writing, at several points; exit 1, nothing left behind
DISK = [
    Case("assess_disk_full_first_file", lambda d: ["assess", school_csv(d), "--out", "out"], ("out", "ENOSPC"), code=1,
         fault=dict(root="out")),
    Case("assess_disk_full_middle", lambda d: ["assess", school_csv(d), "--out", "out"], ("out", "ENOSPC"), code=1,
         fault=dict(root="out", after=3)),
    Case("assess_disk_full_partial_write", lambda d: ["assess", school_csv(d), "--out", "out"], ("out", "ENOSPC"), code=1,
         fault=dict(root="out", after=5, at="write")),
    Case("assess_disk_full_workbook", lambda d: ["assess", school_csv(d), "--out", "out"], ("results.xlsx", "ENOSPC"),
         code=1, fault=dict(root="out", after=7)),
    Case("assess_disk_full_keeps_earlier_results", lambda d: ["assess", school_csv(d), "--out", old_results(d)],
         ("ENOSPC",), code=1, fault=dict(root="out", after=6)),
    Case("assess_disk_full_nested_out", lambda d: ["assess", school_csv(d), "--out", "a/b/c"], ("ENOSPC",), code=1,
         fault=dict(root="a", after=2, at="write")),
    Case("assess_read_only", lambda d: ["assess", school_csv(d), "--out", "out"], ("out", "EROFS"), code=1,
         fault=dict(root="out", err=errno.EROFS)),
    Case("assess_read_only_existing_out", lambda d: ["assess", school_csv(d), "--out", old_results(d)], ("EROFS",), code=1,
         fault=dict(root="out", err=errno.EROFS)),
    Case("assess_permission_denied", lambda d: ["assess", school_csv(d), "--out", "out"], ("EACCES",), code=1,
         fault=dict(root="out", err=errno.EACCES)),
    Case("evaluate_disk_full", lambda d: ["evaluate", *_evaluate_args(d), "--out", "out"], ("ENOSPC",), code=1,
         fault=dict(root="out", after=1)),
    Case("evaluate_read_only", lambda d: ["evaluate", *_evaluate_args(d), "--out", "out"], ("EROFS",), code=1,
         fault=dict(root="out", err=errno.EROFS)),
    Case("plan_disk_full", lambda d: ["plan", school_csv(d), "--out", "out", "--year", "2024"], ("ENOSPC",), code=1,
         fault=dict(root="out", after=2, at="write")),
    Case("equity_disk_full", lambda d: ["equity", school_csv(d), "--out", "out"], ("ENOSPC",), code=1,
         fault=dict(root="out", at="write")),
    Case("template_disk_full", lambda d: ["template", "school-table", "模板/空白模板.xlsx"], ("空白模板.xlsx", "ENOSPC"),
         code=1, fault=dict(root="模板", at="write")),
    Case("template_csv_disk_full", lambda d: ["template", "school-table", "t/空白模板.csv"], ("ENOSPC",), code=1,
         fault=dict(root="t", at="write")),
    Case("template_county_sheet_disk_full", lambda d: ["template", "county-sheet", "t/县级表.xlsx"], ("ENOSPC",), code=1,
         fault=dict(root="t", at="write")),
    Case("template_read_only", lambda d: ["template", "school-table", "t/x.xlsx"], ("EROFS",), code=1,
         fault=dict(root="t", err=errno.EROFS)),
    Case("demo_data_disk_full", lambda d: ["demo-data", "--out", "demo", "--years", "2025"], ("ENOSPC",), code=1,
         fault=dict(root="demo", after=2)),
]

OUTPUT_JSON = [
    Case("summary_json_is_strict", lambda d: ["assess", school_csv(d), "--out", "out", "--no-excel"], expect="ok", code=0,
         writes=("out",), check=lambda d, r: strict_json(d / "out" / "summary.json")),
]


def _evaluate_args(d: Path, sheet_name: str = "county_sheet.xlsx") -> list[str]:
    schools, sheet = demo_inputs(d, sheet_name)
    return [schools, "--county-sheet", sheet, "--county", "990105", "--year", "2025"]


GROUPS = [STANDARDS, OPTIONS, OUTPUT_FOLDERS, DISK, OUTPUT_JSON]
CASES = [c for g in GROUPS for c in g]


def test_kinds_are_unique():
    kinds = [c.kind for c in CASES]
    assert len(kinds) == len(set(kinds))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fuzz(case: Case, tmp_path: Path):
    check_case(case, tmp_path)
