"""Commands that write data or forms: ``ingest``, ``template``, ``demo-data``."""
from __future__ import annotations

import argparse
from pathlib import Path

from balance.errors import plural
from balance.synthetic import DEFAULT_SEED

#: ``balance template FORM FILE``: form name → (help, example file). The writers live in
#: :data:`balance.io.templates.FORMS` (checked equal by the tests).
FORMS = {
    "school-table": ("学校基础数据表模板 / school table template (.xlsx or .csv)", "school_table_template.xlsx"),
    "county-sheet": ("县级填报表模板（政府保障程度、教育质量、社会认可度、一票否决）/ county-sheet template (.xlsx)",
                     "county_sheet_template.xlsx"),
}


def _cmd_ingest(args: argparse.Namespace) -> int:
    from balance.io.ingest import ingest
    from balance.io.store import store_years

    r = ingest(args.table, args.store, replace=args.replace, sheet=args.sheet)
    for y in r.years:
        verb_zh, verb_en = ("已替换", "replaced") if y in r.replaced else ("已导入", "ingested")
        print(f"{verb_zh} {y} 年：{r.rows[y]} 行 / {verb_en} year {y}: {r.rows[y]} rows")
    if r.warnings:
        print(f"数据提示 {len(r.warnings)} 条（已随数据保存）/ {plural(len(r.warnings), 'warning')} (kept with the data)")
    print(f"数据仓库 / store: {Path(args.store).resolve()}，年份 years: {', '.join(map(str, store_years(args.store)))}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from balance.io.files import WriteError, make_dirs, remove_dirs
    from balance.io.templates import FORMS, check_template_target

    form = FORMS[args.form]
    target = check_template_target(form, args.file, force=getattr(args, "force", False))
    created = []
    try:
        created = make_dirs(target.parent)  # removed again if the form cannot be written
        path = form.writer(target)
    except BaseException as exc:
        remove_dirs(created)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(target, exc) from exc
        raise
    print(f"已写入空白模板 / blank template written: {Path(path).resolve()}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import pandas as pd
    
    from balance.synthetic.demo import DEFAULT_YEARS, check_demo_args, refuse_foreign_files, write_demo

    check_demo_args(args)
    if getattr(args, "scale", "demo") == "national":
        from balance.synthetic.national import DEFAULT_COUNTIES, write_national
        from balance.synthetic.national import DEFAULT_SEED as NATIONAL_SEED

        out = args.out if args.out != "data/demo" else "data/national"
        r = write_national(out, seed=args.seed if args.seed != DEFAULT_SEED else NATIONAL_SEED,
                           years=tuple(args.years) if args.years else 5, counties=args.counties or DEFAULT_COUNTIES)
        n = sum(r["rows"].values())
        print(f"已生成全国模拟面板（非真实学校）：{args.counties or DEFAULT_COUNTIES} 个县区，{len(r['years'])} 年，"
              f"共 {n} 行学校数据，用时 {r['seconds']:.1f} 秒")
        print(f"synthetic national panel written (not real schools): {n} school rows, years "
              f"{', '.join(map(str, r['years']))}, Parquet store → {Path(out).resolve()} ({r['seconds']:.1f} s)")
        return 0
    years = tuple(args.years) if args.years else DEFAULT_YEARS
    if not getattr(args, "force", False):
        refuse_foreign_files(args.out)
    paths = write_demo(args.out, seed=args.seed, years=years)
    df = pd.read_csv(paths[0], encoding="utf-8-sig", dtype=str)
    print(f"已生成模拟数据（非真实学校）：{len(df)} 行，{df['县区代码'].nunique()} 个县区，年份 {', '.join(map(str, years))}")
    print(f"synthetic demo data written (not real schools): {len(df)} rows → {Path(args.out).resolve()}")
    for p in paths:
        print(f"  {p}")
    return 0



def add_ingest(sub) -> None:
    """``ingest TABLE --store DIR [--replace] [--sheet S]``."""
    p = sub.add_parser("ingest", help="校验一年的学校数据表并存入 Parquet 数据仓库 / validate a table and add it to a Parquet store")
    p.add_argument("table", help="学校数据表 (CSV / Excel / Parquet) / school table")
    p.add_argument("--store", required=True, help="数据仓库文件夹 / store folder (created if missing)")
    p.add_argument("--replace", action="store_true", help="替换仓库中已有的同一年份 / replace a year already in the store")
    p.add_argument("--sheet", help="Excel 工作表名 / sheet name")
    p.set_defaults(func=_cmd_ingest)


def add_template(sub) -> None:
    """``template FORM FILE [--force]`` (forms: :data:`FORMS`)."""
    t = sub.add_parser("template", help="生成空白填报模板 / write a blank input form")
    forms = t.add_subparsers(dest="form", required=True, metavar="FORM")
    for name, (help_text, example) in FORMS.items():
        f = forms.add_parser(name, help=help_text)
        f.add_argument("file", help=f"输出文件 / output file (e.g. {example})")
        f.add_argument("--force", action="store_true", help="覆盖已存在的文件 / overwrite an existing file")
        f.set_defaults(func=_cmd_template)


def add_demo_data(sub) -> None:
    """``demo-data [--out DIR] [--seed N] [--years Y ...] [--scale demo|national] [--counties N]``."""
    d = sub.add_parser("demo-data", help="生成模拟示例数据 / write the synthetic demo data")
    d.add_argument("--out", default="data/demo", help="输出目录 / output folder (default: data/demo)")
    d.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子 / random seed (default {DEFAULT_SEED})")
    d.add_argument("--years", type=int, nargs="+", metavar="YEAR",
                   help="年份 / years (default: 2021 2022 2023 2024 2025); with --scale national also a count, "
                        "e.g. --years 5")
    d.add_argument("--scale", choices=("demo", "national"), default="demo",
                   help="demo：示例市 8 个县区（CSV/Excel，默认）| national：约 2850 个县区的全国模拟面板（Parquet 数据仓库）"
                        " / demo: the 8-county prefecture (default) | national: ~2,850-county panel as a Parquet store")
    d.add_argument("--counties", type=int, metavar="N",
                   help="--scale national 的县区数（默认 2850）/ number of counties for --scale national (default 2850)")
    d.add_argument("--force", action="store_true",
                   help="覆盖 --out 中并非由 demo-data 生成的同名文件 / replace files of the same name that demo-data did not write")
    d.set_defaults(func=_cmd_demo)
