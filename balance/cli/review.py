"""Commands of the review package (issue 14 §4): ``application`` (申报表.xlsx) and ``self-report``
(自评报告.html and 自评报告.docx) of one county and year.

Both evaluate the four areas (:func:`balance.method.evaluation.evaluate`; with ``--county-sheet``
the other three areas and the vetoes come from the county sheet, without it they are missing) and
format the same numbers (:func:`balance.reporting.review.review_facts`).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from balance.cli._args import EXIT_OK, add_out, add_sheet, add_standard, county_code, say_ignored_rows


def _check_year_county(table, year: int, county: str) -> None:
    """Refuse a year or county code that is not in the table, listing those that are."""
    from balance.errors import InputError, Problem

    data = table.data
    years = sorted(int(y) for y in data["year"].unique())
    if year not in years:
        raise InputError([Problem(file=table.path, column="年份", value=str(year), code="year_not_in_data",
                                  problem_zh=f"数据中没有 {year} 年；有：{'、'.join(map(str, years))}",
                                  problem_en=f"year {year} is not in the data; it has: {', '.join(map(str, years))}")],
                         "筛选条件与数据不符", "filter does not match the data")
    codes = sorted(set(data.loc[data["year"] == year, "county_code"].astype(str)))
    if county not in codes:
        raise InputError([Problem(file=table.path, column="县区代码", value=county, code="county_not_in_data",
                                  problem_zh=f"{year} 年数据中没有县区代码 {county}；有：{'、'.join(codes)}",
                                  problem_en=f"county code {county} is not in the data of {year}; it has: {', '.join(codes)}")],
                         "筛选条件与数据不符", "filter does not match the data")


def _facts(args: argparse.Namespace, with_plan: bool = False):
    from balance.io.reading import load_school_table
    from balance.method.evaluation import evaluate
    from balance.reporting.review import review_facts

    table = load_school_table(args.input, sheet=args.sheet)
    _check_year_county(table, args.year, args.county)
    ev = evaluate(table, args.county_sheet, args.standard, year=args.year, county=args.county,
                  other_counties="ignore", require_rows=True)  # a city-wide sheet, as brief reads it
    say_ignored_rows(ev.warnings)
    total, feasible = None, None
    std = ev.assessment.standard
    if with_plan and std.school_rule is not None and std.cv_limit:
        from balance.analysis.planner import plan

        p = plan(table, std, county=args.county, year=args.year)
        total, feasible = float(p.total_cost), bool(p.feasible)
    f = review_facts(ev, year=args.year, county=args.county, plan_total=total, table_rows=table.data)
    f.plan_feasible = feasible if total is not None else None
    return f


def _summary(f) -> None:
    print(f"{f.year} {f.county_code} {f.county_name}：综合结论 {f.verdict['verdict']}；"
          f"未达标 {f.verdict['items_failed']} 项，缺少数据 {f.verdict['items_missing']} 项"
          + ("" if f.has_sheet else "（未提供县级填报表 / no county sheet）"))


def _cmd_application(args: argparse.Namespace) -> int:
    from balance.reporting.review import write_application

    f = _facts(args)
    paths = write_application(f, args.out)
    _summary(f)
    print(f"申报表已写入 / application form written to {Path(paths[0]).resolve()}")
    return EXIT_OK


def _cmd_self_report(args: argparse.Namespace) -> int:
    from balance.reporting.review import report_blocks, write_self_report

    f = _facts(args, with_plan=not args.no_plan)
    paths = write_self_report(report_blocks(f), args.out)
    _summary(f)
    if f.plan_total is not None and not f.resource_passed:
        from balance.reporting import narrative

        print(f"  最低成本达标方案 / least-cost plan: {narrative.fmt_amount(f.plan_total, '元')}")
    print(f"自评报告已写入 / self-assessment report written to {Path(args.out).resolve()} "
          f"({', '.join(p.name for p in paths)})")
    return EXIT_OK


def _common(p) -> None:
    p.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    p.add_argument("--year", type=int, required=True, help="年度 / year")
    p.add_argument("--county", required=True, type=county_code, help="县区代码 / county code")
    p.add_argument("--county-sheet", help="县级填报表：政府保障程度、教育质量、社会认可度和一票否决 / county sheet "
                                          "(without it those areas are missing)")
    add_out(p)
    add_standard(p)
    add_sheet(p)


def add_application(sub) -> None:
    """``application INPUT --year Y --county CODE --out DIR [--county-sheet F] [--standard S] [--sheet S]``."""
    p = sub.add_parser("application", help="义务教育优质均衡发展申报表（Excel）/ the application form workbook")
    _common(p)
    p.set_defaults(func=_cmd_application)


def add_self_report(sub) -> None:
    """``self-report INPUT --year Y --county CODE --out DIR [--county-sheet F] [--no-plan] [--standard S] [--sheet S]``."""
    p = sub.add_parser("self-report", help="自评报告草稿（HTML 与 Word）/ the self-assessment report draft (HTML, .docx)")
    _common(p)
    p.add_argument("--no-plan", action="store_true",
                   help="不测算最低成本达标方案（更快）/ skip the least-cost plan total (faster)")
    p.set_defaults(func=_cmd_self_report)
