"""``balance import-stats``: the command line handler (thin: the work is in :mod:`balance.io.statsforms`).

Exit codes: 0 — every school imported; 3 — some schools were incomplete (listed in 待补充 and on the
console) and the others were written; 2 — refused (bad input: nothing written); 1 — the
environment (disk, permissions) or a bug, as for every command.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from balance.errors import plural

EXIT_INCOMPLETE = 3
#: Incomplete schools listed on the console (all of them are in the 待补充 sheet).
MAX_LISTED = 30


def _refuse_out(out: str, code: str, /) -> None:
    from balance.errors import InputError, Problem
    from balance.io.statsforms.mapping import message

    zh, en = message(code)
    raise InputError([Problem(file=out, column="--out", code=code, problem_zh=zh, problem_en=en)],
                     "输出文件有误", "unusable output file")


def check_out(out: str, force: bool) -> Path:
    """Refuse an ``--out`` that is not an .xlsx file name, is a folder, or exists (without --force)."""
    p = Path(out)
    if p.is_dir():
        _refuse_out(out, "out_is_folder")
    if p.suffix.lower() != ".xlsx":
        _refuse_out(out, "out_suffix")
    if p.exists() and not force:
        _refuse_out(out, "out_exists")
    return p


def run(args: argparse.Namespace) -> int:
    from balance.io.statsforms import import_statistics, provenance_csv_path, write_import

    out = check_out(args.out_file, args.force)
    result = import_statistics(args.input, args.year, args.forms)
    parts = [*args.input, "--year", str(args.year), "--out", args.out_file, "--forms", args.forms]
    command = "balance import-stats " + " ".join(shlex.quote(str(a)) for a in parts)
    from balance.io.files import protect_inputs

    with protect_inputs([s.file for s in result.schools]):  # a workbook found in a folder is an input too
        write_import(result, out, command=command)
    n_ok, n_bad = len(result.complete), len(result.incomplete)
    gens = "、".join(m.generation for m in result.mappings)
    print(f"已导入 {n_ok} 所学校（{args.year} 年，{gens} 版报表）/ {plural(n_ok, 'school')} imported ({args.year}, forms: {gens})")
    for s in result.incomplete[:MAX_LISTED]:
        cols = "、".join(dict.fromkeys(m.column for m in s.missing))
        print(f"  待补充 / incomplete: {s.file} {s.school_name}：{cols}")
    if n_bad > MAX_LISTED:
        print(f"  … 另有 {n_bad - MAX_LISTED} 所，见「待补充」工作表 / {n_bad - MAX_LISTED} more in the 待补充 sheet")
    if result.notes:
        print(f"提示 {len(result.notes)} 条，见「说明」工作表 / {len(result.notes)} notes in the 说明 sheet")
    print(f"已写入 / written: {out.resolve()}，{provenance_csv_path(out).name}")
    if n_bad:
        print(f"{n_bad} 所学校数据不全，未写入「学校基础数据」，缺少的项见「待补充」/ {n_bad} incomplete schools "
              f"were left out of 学校基础数据; what is missing is in 待补充", file=sys.stderr)
        return EXIT_INCOMPLETE
    return 0


def add_import_stats(sub) -> None:
    """``balance import-stats FOLDER_OR_FILES --year Y --out 学校数据.xlsx [--forms …] [--force]``."""
    p = sub.add_parser("import-stats", help="导入教育事业统计学校报表 / import the statistics system's school workbooks")
    p.add_argument("input", nargs="+", metavar="FOLDER_OR_FILES",
                   help="每校一个工作簿 (.xlsx / .xls)，或放有这些工作簿的文件夹 / one workbook per school, or folders of them")
    p.add_argument("--year", type=int, required=True, help="统计年份 / statistical year")
    p.add_argument("--out", dest="out_file", required=True, metavar="学校数据.xlsx",
                   help="输出的学校基础数据表 (.xlsx) / the school table to write")
    p.add_argument("--forms", default="auto",
                   help="报表版本：auto（默认，按工作表名识别）| 2018 | 2021 | 映射文件 FILE.yaml / form generation")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件 / replace an existing output file")
    p.set_defaults(func=run)
