"""Hostile input to ``balance import-stats``, through the fuzz harness (clean bilingual refusal,
the sandbox untouched; ``ok`` cases write only under their output folder)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import Case, check_case
from tests.io.statsforms.builders import build_workbook
from tests.tables import valid_canonical


def forms(d: Path, n: int = 2, name: str = "报表", **quirks) -> str:
    """A folder of ``n`` schools' 2024 statistics workbooks in the sandbox."""
    (d / name).mkdir(exist_ok=True)
    for i, r in enumerate(valid_canonical(years=(2024,)).to_dict("records")[:n]):
        build_workbook(r, "2021", d / name / f"{i:02d}.xlsx", **quirks)
    return name


def touch(d: Path, name: str, text: str = "用户自己的文件 / the user's own file\n") -> str:
    (d / name).parent.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return name


def run(*extra):
    return lambda d: ["import-stats", forms(d), "--year", "2024", *extra]


CASES = [
    Case("import_ok", run("--out", "out/学校数据.xlsx"), expect="ok", code=0, writes=("out",)),
    Case("import_out_is_folder",
         lambda d: ["import-stats", forms(d), "--year", "2024", "--out", touch(d, "o.xlsx/keep") and "o.xlsx"],
         ("o.xlsx", "--out")),
    Case("import_out_not_xlsx", run("--out", "学校数据.csv"), ("学校数据.csv", ".xlsx")),
    Case("import_out_exists", lambda d: ["import-stats", forms(d), "--year", "2024", "--out", touch(d, "学校数据.xlsx")],
         ("学校数据.xlsx", "--force")),
    Case("import_out_is_an_input_workbook", run("--out", "报表/00.xlsx", "--force"), ("00.xlsx",)),
    Case("import_out_missing", run(), ("--out",)),
    Case("import_input_missing", lambda d: ["import-stats", "没有这个文件夹", "--year", "2024", "--out", "o.xlsx"],
         ("没有这个文件夹",)),
    Case("import_input_text_named_xlsx", lambda d: ["import-stats", touch(d, "假.xlsx"), "--year", "2024", "--out", "o.xlsx"],
         ("假.xlsx",)),
    Case("import_input_csv", lambda d: ["import-stats", touch(d, "学校.csv"), "--year", "2024", "--out", "o.xlsx"],
         ("学校.csv", ".xlsx")),
    Case("import_wrong_year", lambda d: ["import-stats", forms(d), "--year", "2023", "--out", "o.xlsx"], ("2023",)),
    Case("import_year_text", lambda d: ["import-stats", forms(d), "--year", "二〇二四", "--out", "o.xlsx"], ("--year",)),
    Case("import_forms_unknown", run("--out", "o.xlsx", "--forms", "2019"), ("--forms", "2019")),
    Case("import_forms_bad_yaml", lambda d: ["import-stats", forms(d), "--year", "2024", "--out", "o.xlsx", "--forms",
                                             touch(d, "省映射.yaml", "generation: [\n")], ("省映射.yaml",)),
    Case("import_kindergarten", lambda d: ["import-stats", forms(d, n=1, type_code="111"), "--year", "2024", "--out",
                                           "o.xlsx"], ("00.xlsx", "幼儿园")),
    Case("import_disk_full", run("--out", "out/学校数据.xlsx"), ("ENOSPC",), code=1, fault=dict(root=".", after=0)),
]


def test_kinds_are_unique():
    assert len({c.kind for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fuzz_import(case: Case, tmp_path: Path):
    check_case(case, tmp_path)
