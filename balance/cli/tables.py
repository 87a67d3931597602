"""Commands on one school table: ``validate``, ``assess``, ``evaluate``, ``plan``, ``equity``.

Each ``add_*`` function adds one sub-command to the parser (:func:`balance.cli.build_parser`
lists them); each handler imports the library when it runs, so ``balance --help`` stays cheap.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balance.cli._args import (
    EXIT_OK,
    MAX_VERDICT_LINES,
    add_county,
    add_format,
    add_input,
    add_out,
    add_sheet,
    add_standard,
    add_year,
    positive_int,
    print_fraction_warnings,
    say_ignored_rows,
    tune_for,
)
from balance.errors import plural  # noqa: E402,F401 - its home is balance.errors (kept importable here)


def four_area_label(resource_title: str) -> str:
    """The console label of a four-area evaluation: the whole 2017 method (资源配置, 政府保障程度,
    教育质量, 社会认可度), not only the resource standard's title (which ends in 资源配置)."""
    base = resource_title.removesuffix("资源配置").strip()
    return f"评估标准：{base}四个方面（资源配置、政府保障程度、教育质量、社会认可度）"


def _cmd_validate(args: argparse.Namespace) -> int:
    from balance.errors import render_problems
    from balance.io.reading import load_school_table

    t = load_school_table(args.input, sheet=args.sheet)
    years = sorted(t.data["year"].unique().tolist())
    counties = t.data["county_code"].nunique()
    print(f"数据检查通过：{len(t.data)} 行，{counties} 个县区，年份 {', '.join(map(str, years))}")
    print(f"validation passed: {plural(len(t.data), 'row')}, {plural(counties, 'county', 'counties')}, "
          f"{'year' if len(years) == 1 else 'years'} {', '.join(map(str, years))}")
    if t.warnings:
        print(f"\n数据提示（不影响计算）/ warnings (do not stop the run): {len(t.warnings)}")
        print(render_problems(t.warnings, limit=args.limit))
    if getattr(args, "county_sheet", None):
        from balance.io.county_sheet import load_county_sheet

        names = t.data.drop_duplicates("county_code").set_index("county_code")["county_name"].astype(str).to_dict()
        cs = load_county_sheet(args.county_sheet, known_counties=names, other_counties="ignore")  # a city-wide sheet
        print(f"\n县级填报表检查通过：{len(cs.data)} 行 / county sheet passed: {plural(len(cs.data), 'row')}")
        if cs.warnings:
            print(f"县级填报表提示 / county-sheet warnings: {len(cs.warnings)}")
            print(render_problems(cs.warnings, limit=args.limit))
    return EXIT_OK


def _cmd_assess(args: argparse.Namespace) -> int:
    from balance.io.export.assessment import write_results
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    table = load_school_table(args.input, sheet=args.sheet)
    tune_for(len(table.data))
    if getattr(args, "scenario", None):
        from balance.method.scenario import apply_to_table, load_scenario

        scenario = load_scenario(args.scenario)
        table = apply_to_table(table, scenario)
        print(f"已应用情景（未修改输入文件）/ scenario applied (input file unchanged): {args.scenario}，{len(scenario)} 项 changes")
    a = assess(table, args.standard, year=args.year, county=args.county)
    from balance.io.export.assessment import EXCEL_MAX_ROWS, excel_too_big, result_format

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
        print(f"数据提示 {len(a.warnings)} 条，见 warnings.csv / {plural(len(a.warnings), 'data warning')} in warnings.csv")
    print(f"结果已写入 / results written to {Path(args.out).resolve()} ({plural(len(paths), 'file')})")
    return EXIT_OK


def _cmd_evaluate(args) -> int:
    from pathlib import Path as _P

    from balance.method.evaluation import evaluate, write_evaluation

    ev = evaluate(args.input, args.county_sheet, args.standard, year=args.year, county=args.county, sheet=args.sheet,
                  other_counties="ignore", require_rows=True)  # a city-wide sheet, as brief reads it
    say_ignored_rows(ev.warnings)
    paths = write_evaluation(ev, args.out)
    print(f"{four_area_label(ev.standard.title)} / standard: four areas (resources by {ev.standard.id})")
    for v in ev.verdicts.itertuples(index=False):
        mark = "✓ 达到" if v.passed else "✗ 未达到"
        print(f"  {v.year} {v.county_code} {v.county_name}：{mark}（资源配置 {v.resource_status}，政府保障程度 "
              f"{v.government_status}，教育质量 {v.quality_status}，社会认可度 {v.recognition_status}，"
              f"一票否决 {v.veto_status}）")
        for s in v.failing_items[:8]:
            print(f"      - {s}")
        if len(v.failing_items) > 8:
            print(f"      … 另有 {len(v.failing_items) - 8} 项，见 evaluation.xlsx / {len(v.failing_items) - 8} more")
    n = int(ev.verdicts["passed"].sum()) if len(ev.verdicts) else 0
    print(f"{n}/{len(ev.verdicts)} 个县区·年度达到{ev.standard.goal} / county-years recognised")
    print_fraction_warnings(ev.warnings)
    print(f"结果已写入 / results written to {_P(args.out).resolve()} ({plural(len(paths), 'file')})")
    return 0


def _cmd_plan(args) -> int:
    from balance.analysis.planner import plan, write_plan
    from balance.errors import InputError, Problem
    from balance.io.reading import load_school_table

    table = load_school_table(args.input, sheet=args.sheet)
    tune_for(len(table.data))
    schedule = None
    if getattr(args, "target_year", None) is not None:
        if getattr(args, "budget", None) is not None or args.transfers:
            raise InputError([Problem(file="--target-year", column="--target-year", code="schedule_invalid",
                                      problem_zh="--target-year 不能与 --budget 或 --transfers 同时使用",
                                      problem_en="--target-year cannot be combined with --budget or --transfers")],
                             "排期参数有误", "invalid schedule options")
        from balance.analysis.planner.schedule import schedule_plan

        p, schedule, schedule_notes = schedule_plan(table, args.target_year, args.annual_cap, args.standard,
                                                    costs=args.costs, county=args.county, year=args.year)
    elif getattr(args, "annual_cap", None) is not None:
        raise InputError([Problem(file="--annual-cap", column="--annual-cap", code="schedule_invalid",
                                  problem_zh="--annual-cap 需与 --target-year 一起使用",
                                  problem_en="--annual-cap needs --target-year")],
                         "排期参数有误", "invalid schedule options")
    elif getattr(args, "budget", None) is not None:
        from balance.analysis.planner.budget import budget_plan

        p = budget_plan(table, args.budget, args.standard, costs=args.costs, transfers=args.transfers,
                        county=args.county, year=args.year)
    else:
        p = plan(table, args.standard, costs=args.costs, transfers=args.transfers, county=args.county, year=args.year)
    from balance.reporting.plan_workbook import write_plan_workbook

    basis = getattr(p, "pupil_basis", None)
    paths = write_plan(p, args.out, schedule=schedule,
                       extra={"plan.xlsx": lambda path: write_plan_workbook(p, path, schedule, basis)})
    print(f"评估标准 / standard: {p.standard.title}")
    if schedule is not None:
        spend = schedule[~schedule["beyond_target"]].groupby("spend_year")["cost"].sum() if len(schedule) else []
        for y, c in (spend.items() if len(schedule) else []):
            print(f"  {y} 年投入 / spend in {y}: {c / 10000:,.1f} 万元")
        late = float(schedule.loc[schedule["beyond_target"], "cost"].sum()) if len(schedule) else 0.0
        if late > 0:
            print(f"  ✗ 目标年份前排不下 / does not fit before the target year: {late / 10000:,.1f} 万元")
        for n in schedule_notes:
            print(f"  注 / note: {n}")
        if basis:
            print(f"  学生数依据 / pupil numbers: {basis}")
    for c in p.counties:
        b, a = c["before"], c["after"]
        mark = "✓" if a["passed"] else "✗"
        print(f"  {c['year']} {c['county_code']} {c['county_name']}：需投入 {c['total_cost'] / 10000:,.1f} 万元；"
              f"学段单位达标 {b['sections_passed']}→{a['sections_passed']}/{a['sections']}，"
              f"差异系数达标 {b['cvs_passed']}→{a['cvs_passed']}/{a['cvs_decisive']} {mark}"
              + (f"；下界 / lower bound {c['lower_bound'] / 10000:,.1f} 万元，差距 / gap {c['gap']:.2%}"
                 if c.get("lower_bound") is not None and c["total_cost"] > 0 else ""))
    print(f"合计 / total: {p.total_cost / 10000:,.1f} 万元（单价见 / unit costs: {p.costs.source}）")
    if p.lower_bound is not None:
        print(f"成本下界 / lower bound: {p.lower_bound / 10000:,.1f} 万元；规划成本高出下界 {p.gap:.2%} "
              f"/ the plan costs {p.gap:.2%} above the bound (no plan at these prices costs less than the bound)")
    if p.costs_illustrative:
        print("注意：默认单价仅为示意，不是官方或本地价格；请用 --costs 省/市单价文件覆盖 / note: the default "
              "unit prices are illustrative, not official or local; pass a province file with --costs")
    if not p.feasible:
        print("✗ 规划后仍有县区未达标 / some county still fails after the plan: " + "; ".join(p.notes), file=sys.stderr)
    if getattr(args, "budget", None) is not None:
        for c in p.counties:
            left = c.get("budget_left")
            print(f"  {c['year']} {c['county_code']} 预算 / budget {args.budget:,.1f} 万元，结余 / left "
                  f"{(left or 0) / 10000:,.1f} 万元" + ("" if c["after"]["passed"] else
                  f"；仍未达标 / still unmet: {'；'.join(c['after']['failing_items'])}"))
        print(f"结果已写入 / written to {Path(args.out).resolve()} ({plural(len(paths), 'file')}, {p.seconds:.2f} s)")
        return 0  # within a budget, unmet items are the answer, not an error
    print(f"结果已写入 / written to {Path(args.out).resolve()} ({plural(len(paths), 'file')}, {p.seconds:.2f} s)")
    return 0 if p.feasible else 1


def _cmd_equity(args: argparse.Namespace) -> int:
    from balance.analysis.equity import check_grouping, check_groups, equity_table
    from balance.io.export.assessment import _csv_ready
    from balance.io.files import staged_files
    from balance.method.assessment import assess

    by = check_grouping(args.by)  # before the (slow) assessment
    groups = check_groups(getattr(args, "groups", None))
    source = args.input
    if getattr(args, "sheet", None):
        from balance.io.reading import load_school_table

        source = load_school_table(args.input, sheet=args.sheet)
    a = assess(source, args.standard, year=args.year, county=args.county)
    tables = {"equity": equity_table(a, by=by, include_median=not args.exclude_median)}
    if groups:  # the within-group table beside the county one (same contract for equity.csv)
        tables["equity_groups"] = equity_table(a, include_median=not args.exclude_median, groups=groups)
    fmt = getattr(args, "format", "csv") or "csv"
    if fmt == "auto":
        from balance.io.export.assessment import AUTO_PARQUET_ROWS

        fmt = "parquet" if len(tables["equity"]) > AUTO_PARQUET_ROWS else "csv"
    with staged_files(args.out) as staging:
        for name, table in tables.items():
            if fmt == "parquet":
                table.to_parquet(staging.stage(f"{name}.parquet"), index=False)
            else:
                _csv_ready(table).to_csv(staging.stage(f"{name}.csv"), index=False, encoding="utf-8-sig")
    print(f"公平性指标已写入 / equity measures written: {staging.final[0].resolve()} ({len(tables['equity'])} 行 rows)")
    if groups:
        print(f"组内公平性指标已写入 / within-group measures written: {staging.final[1].resolve()} "
              f"({len(tables['equity_groups'])} 行 rows; {', '.join(groups)})")
    return 0



def add_validate(sub) -> None:
    """``validate INPUT [--sheet S] [--limit N] [--county-sheet FILE]``."""
    v = sub.add_parser("validate", help="只检查学校数据表 / check a school table only")
    v.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    v.add_argument("--sheet", help="Excel 工作表名 / sheet name (default: first)")
    v.add_argument("--limit", type=positive_int, default=200, help="最多显示的问题数 / max problems shown")
    v.add_argument("--county-sheet", default=None, metavar="FILE",
                   help="同时检查县级填报表 / also check the county sheet (Excel / CSV)")
    v.set_defaults(func=_cmd_validate)


def add_assess(sub) -> None:
    """``assess INPUT --out DIR [--standard S] [--year Y] [--county C] [--sheet S] [--no-excel] [--format F]
    [--scenario FILE]``."""
    a = sub.add_parser("assess", help="资源配置评估 / assess resource allocation")
    add_input(a, "学校数据表 (CSV / Excel / Parquet 文件或数据仓库) / school table or Parquet store")
    add_out(a)
    add_standard(a)
    add_year(a, "只评估该年份 / only this year")
    add_county(a, "只评估该县区代码 / only this county code")
    add_sheet(a)
    a.add_argument("--no-excel", action="store_true", help="不写 results.xlsx / skip the Excel workbook")
    add_format(a, "auto")
    a.add_argument("--scenario", metavar="FILE",
                   help="情景文件 (YAML / CSV)：在输入数据上叠加计划增量，不修改输入 / what-if changes applied on top of the input")
    a.set_defaults(func=_cmd_assess)


def add_evaluate(sub) -> None:
    """``evaluate INPUT --county-sheet FILE --out DIR [--standard S] [--year Y] [--county C] [--sheet S]``."""
    e = sub.add_parser("evaluate", help="四个领域的县域综合评估 / the four-area county evaluation")
    add_input(e, "学校数据表 (CSV / Excel) / school table")
    e.add_argument("--county-sheet", required=True, help="县级填报表 (Excel / CSV) / county sheet")
    add_out(e)
    add_standard(e)
    add_year(e, "只评估该年份 / only this year")
    add_county(e, "只评估该县区代码 / only this county code")
    add_sheet(e, "学校数据表的 Excel 工作表名 / sheet of the school table")
    e.set_defaults(func=_cmd_evaluate)


def add_plan(sub) -> None:
    """``plan INPUT --out DIR [--standard S] [--costs FILE] [--county C] [--year Y] [--transfers] [--sheet S]``."""
    pp = sub.add_parser("plan", help="达标投入规划（最低成本）/ least-cost plan to pass")
    add_input(pp, "学校数据表 (CSV / Excel / Parquet 数据仓库) / school table or Parquet store")
    add_out(pp)
    add_standard(pp)
    pp.add_argument("--costs", help="单价文件 COSTS.yaml（默认：示意单价）/ unit costs (default: illustrative)")
    add_county(pp, "只规划该县区代码 / only this county code")
    add_year(pp, "只规划该年份 / only this year")
    pp.add_argument("--transfers", action="store_true",
                    help="允许教师在县内同学段学校间交流轮岗 / allow teacher rotation within county and stage")
    pp.add_argument("--budget", type=float, metavar="万元",
                    help="固定预算（万元，每个县区·年度）：先使最多学段单位达标，再最大程度降低差异系数超标 / a fixed "
                         "budget (万元 per county-year): most sections brought to standard, then CV excess removed")
    pp.add_argument("--target-year", type=int, metavar="YEAR",
                    help="把达标方案分摊到目标年份前的各年（写 plan_schedule.csv）/ spread the plan over the years up to "
                         "YEAR (writes plan_schedule.csv)")
    pp.add_argument("--annual-cap", type=float, metavar="万元",
                    help="与 --target-year 一起：每个县区每年投入上限（万元）/ with --target-year: the yearly cap per county (万元)")
    add_sheet(pp)
    pp.set_defaults(func=_cmd_plan)


def add_equity(sub) -> None:
    """``equity INPUT --out DIR [--by G] [--groups COL[,COL]] [--standard S] [--year Y] [--county C] [--exclude-median]
    [--sheet S] [--format F]``."""
    e = sub.add_parser("equity", help="不均衡指标（基尼、泰尔等）/ inequality measures for researchers")
    add_input(e, "学校数据表 (CSV / Excel / Parquet 数据仓库) / school table or Parquet store")
    add_out(e)
    e.add_argument("--by", default="城乡类型",
                   help="泰尔分解的分组：城乡类型（默认）| 乡镇 | 学段 | none（不分解）/ Theil decomposition grouping "
                        "(urban_rural, township, stage, or none)")
    e.add_argument("--groups", metavar="COL[,COL]",
                   help="另写组内指标表 equity_groups.csv：在每组内部计算（乡镇 | 城乡类型 | 办学性质 | 学校类型，逗号分隔，"
                        "或 all）/ also write equity_groups.csv, the measures inside every group of these columns "
                        "(township, urban_rural, ownership, school_type, comma-separated, or all)")
    add_standard(e)
    add_year(e, "只计算该年份 / only this year")
    add_county(e, "只计算该县区代码 / only this county code")
    e.add_argument("--exclude-median", action="store_true",
                   help="McLoone/Verstegen 不计恰好等于中位数的学段单位 / exclude sections exactly at the median")
    add_sheet(e)
    add_format(e, "csv")  # csv by default since it was added (a contract; assess defaults to auto)
    e.set_defaults(func=_cmd_equity)
