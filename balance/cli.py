"""Command line: ``balance validate | assess | batch | report | demo-data | template | doctor``.

Every command prints Chinese first and English second, exits 0 on success, 2 on bad input
(with the table of every problem found) and 1 on an unexpected failure.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balance import __version__
from balance.errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: ``balance assess`` prints one line per county-year up to this many (then the first half and a count).
MAX_VERDICT_LINES = 60


def _print_problems(exc: InputError) -> None:
    print(exc.render(), file=sys.stderr)
    warnings = [p for p in exc.problems if p.severity == "warning"]
    if warnings:
        print(f"（另有 {len(warnings)} 条数据提示 / plus {len(warnings)} warning(s)）", file=sys.stderr)
    print("未写入任何结果文件 / no result files were written", file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from balance.errors import render_problems
    from balance.reading import load_school_table

    t = load_school_table(args.input, sheet=args.sheet)
    years = sorted(t.data["year"].unique().tolist())
    counties = t.data["county_code"].nunique()
    print(f"数据检查通过：{len(t.data)} 行，{counties} 个县区，年份 {', '.join(map(str, years))}")
    print(f"validation passed: {len(t.data)} rows, {counties} counties, years {', '.join(map(str, years))}")
    if t.warnings:
        print(f"\n数据提示（不影响计算）/ warnings (do not stop the run): {len(t.warnings)}")
        print(render_problems(t.warnings, limit=args.limit))
    return EXIT_OK


def _cmd_assess(args: argparse.Namespace) -> int:
    from balance.assessment import assess
    from balance.export import write_results
    from balance.reading import load_school_table

    table = load_school_table(args.input, sheet=args.sheet)
    if getattr(args, "scenario", None):
        from balance.scenario import apply_to_table, load_scenario

        scenario = load_scenario(args.scenario)
        table = apply_to_table(table, scenario)
        print(f"已应用情景（未修改输入文件）/ scenario applied (input file unchanged): {args.scenario}，{len(scenario)} 项 changes")
    a = assess(table, args.standard, year=args.year, county=args.county)
    from balance.export import EXCEL_MAX_ROWS, excel_too_big, result_format

    fmt = result_format(a, getattr(args, "format", "csv") or "csv")
    too_big = excel_too_big(a) if not args.no_excel else {}
    paths = write_results(a, args.out, excel=not args.no_excel, format=fmt)
    std = a.standard
    print(f"评估标准 / standard: {std.title}")
    shown = a.verdicts if len(a.verdicts) <= MAX_VERDICT_LINES else a.verdicts.head(MAX_VERDICT_LINES // 2)
    for v in shown.itertuples(index=False):
        mark = "✓ 达到" if v.passed else "✗ 未达到"
        extra = ""
        if std.school_rule is not None:
            extra = f"，学段单位达标 {v.sections_passed}/{v.sections}"
        print(f"  {v.year} {v.county_code} {v.county_name}：{mark}{extra}，差异系数达标 {v.cvs_passed}/{v.cvs_decisive}")
    if len(shown) < len(a.verdicts):
        rest = len(a.verdicts) - len(shown)
        print(f"  … 另有 {rest} 个县区·年度，见 summary.json / {rest} more county-years in summary.json")
    if fmt == "parquet":
        print("结果表为 Parquet 格式（*.parquet；需要 CSV 请加 --format csv）/ result tables written as Parquet "
              "(*.parquet; add --format csv for CSV)")
    if too_big:
        sheets = "、".join(f"{k} {n:,} 行" for k, n in too_big.items())
        sheets_en = ", ".join(f"{k} {n:,} rows" for k, n in too_big.items())
        print(f"未写入 results.xlsx：工作表超过 Excel 的 {EXCEL_MAX_ROWS:,} 行上限（{sheets}）/ results.xlsx skipped: "
              f"sheet(s) exceed Excel's {EXCEL_MAX_ROWS:,}-row limit ({sheets_en})")
    n_pass = int(a.verdicts["passed"].sum())
    print(f"{n_pass}/{len(a.verdicts)} 个县区·年度达到标准 / county-years passing")
    if len(a.warnings):
        print(f"数据提示 {len(a.warnings)} 条，见 warnings.csv / {len(a.warnings)} data warnings in warnings.csv")
    print(f"结果已写入 / results written to {Path(args.out).resolve()} ({len(paths)} files)")
    return EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    ok = True
    print(f"balance {__version__}")
    try:
        from balance.fonts import find_cjk_font

        f = find_cjk_font()
        print(f"中文字体 / CJK font: {f.family} ({f.path})")
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - report whatever the font lookup says
        ok = False
        print(f"✗ {exc}", file=sys.stderr)
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
        print(f"内核 / kernel python3: {spec.argv[0]}")
    except Exception as exc:  # noqa: BLE001
        ok = False
        print(f"✗ 找不到 python3 内核 / kernel python3 not found: {exc}", file=sys.stderr)
    return EXIT_OK if ok else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="balance", description="义务教育优质均衡发展评估 / balanced compulsory education assessment")
    p.add_argument("--version", action="version", version=f"balance {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="只检查学校数据表 / check a school table only")
    v.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    v.add_argument("--sheet", help="Excel 工作表名 / sheet name (default: first)")
    v.add_argument("--limit", type=int, default=200, help="最多显示的问题数 / max problems shown")
    v.set_defaults(func=_cmd_validate)

    a = sub.add_parser("assess", help="资源配置评估 / assess resource allocation")
    a.add_argument("input", help="学校数据表 (CSV / Excel / Parquet 文件或数据仓库) / school table or Parquet store")
    a.add_argument("--out", required=True, help="结果目录 / output folder")
    a.add_argument("--standard", default="quality-2017",
                   help="quality-2017（默认）| basic-2012 | 省级标准 FILE.yaml / standard")
    a.add_argument("--year", type=int, help="只评估该年份 / only this year")
    a.add_argument("--county", help="只评估该县区代码 / only this county code")
    a.add_argument("--sheet", help="Excel 工作表名 / sheet name")
    a.add_argument("--no-excel", action="store_true", help="不写 results.xlsx / skip the Excel workbook")
    a.add_argument("--format", choices=("csv", "parquet", "auto"), default="auto",
                   help="结果表格式：auto（默认，超过 20 万行用 Parquet）| csv | parquet / result table format "
                        "(auto: Parquet above 200,000 rows)")
    a.add_argument("--scenario", metavar="FILE",
                   help="情景文件 (YAML / CSV)：在输入数据上叠加计划增量，不修改输入 / what-if changes applied on top of the input")
    a.set_defaults(func=_cmd_assess)

    d = sub.add_parser("doctor", help="检查环境 / check the environment (fonts, kernel)")
    d.set_defaults(func=_cmd_doctor)

    for module in ("balance.runner", "balance.demo", "balance.evaluation", "balance.forms", "balance.equity", "balance.planner",
                   "balance.store"):
        try:
            mod = __import__(module, fromlist=["register_cli"])
        except ModuleNotFoundError as exc:
            if exc.name == module:  # that command group is not part of this build
                continue
            raise
        if hasattr(mod, "register_cli"):
            mod.register_cli(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
