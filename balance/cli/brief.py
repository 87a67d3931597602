"""``balance brief INPUT --out DIR``: every briefing of a school table in one command
(:mod:`balance.running.brief`; the same runner as ``balance batch``).

The library is imported inside the handler, so ``balance --help`` stays cheap.
"""
from __future__ import annotations

import argparse
import sys

from balance.cli._args import STANDARD_HELP, county_code, print_fraction_warnings, say_ignored_rows


def _cmd_brief(args: argparse.Namespace) -> int:
    from balance.cli.batch import _refused, _stopped
    from balance.running.brief import PARAMS_FOLDER, run_brief
    from balance.running.executors import ExecutorError
    from balance.running.outdir import BatchLocked
    from balance.running.results import BatchError

    try:
        plan, batch = run_brief(args.input, args.out, year=args.year, counties=args.county,
                                county_sheet=args.county_sheet, standard=args.standard,
                                target_year=args.target_year, workers=args.workers,
                                force=args.force, timeout=args.timeout, progress=not args.no_progress,
                                notebooks_dir=args.notebooks, sheet=args.sheet,
                                previous_ledger=args.previous_ledger, on_plan=lambda plan: say_ignored_rows(plan.warnings))
    except ExecutorError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (BatchError, BatchLocked) as exc:
        return _refused(exc)
    except KeyboardInterrupt as exc:
        return _stopped(exc)
    n = len(plan.counties)
    from balance.errors import plural

    print(f"{plan.year} 年，{n} 个县区，{len(plan.runs)} 份简报 / {plan.year}, {plural(n, 'county', 'counties')}, "
          f"{plural(len(plan.runs), 'briefing')}")
    if plan.warnings:
        k = len(plan.warnings)
        print(f"数据提示 {k} 条（见 balance validate）/ {plural(k, 'data warning')} (see balance validate)")
        print_fraction_warnings(plan.warnings)
    print(batch.summary())
    print(f"运行参数（审计记录）/ run parameters (audit log): {batch.out_dir / PARAMS_FOLDER}")
    return batch.exit_code


def add_brief(sub) -> None:
    """``brief INPUT --out DIR [--year Y] [--county CODE ...] [--county-sheet FILE] [--standard S] [--sheet S]
    [--target-year Y] [--previous-ledger LEDGER.xlsx] [--workers N]``."""
    from balance.cli._args import positive_int
    from balance.cli.batch import _seconds

    b = sub.add_parser(
        "brief", help="由学校表直接生成全部简报 / every briefing of a school table in one command",
        description="检查学校表，为选定年份（默认最新年份）生成各县区简报、多年趋势、全市总览、index.html 与 manifest.csv / "
                    "validate the school table, then write county briefings for the chosen year (default: the "
                    "latest), trend briefings, a region overview, index.html and manifest.csv")
    b.add_argument("input", metavar="INPUT", help="学校表（.xlsx / .csv）/ the school table")
    b.add_argument("--out", required=True, metavar="DIR", help="输出文件夹 / output folder")
    b.add_argument("--year", type=int, default=None, metavar="Y", help="年份（默认表中最新年份）/ year (default: the latest)")
    b.add_argument("--county", nargs="+", default=None, metavar="CODE", type=county_code,
                   help="只为这些县区生成（默认全部）/ only these counties (default: all)")
    b.add_argument("--county-sheet", default=None, metavar="FILE", help="县级表 / the county sheet")
    b.add_argument("--standard", default="quality-2017", help=STANDARD_HELP)
    b.add_argument("--previous-ledger", default=None, metavar="LEDGER.xlsx",
                   help="上年已填写的整改台账：各县区简报列出整改台账进展 / last year's filled rectification "
                        "ledger: the county briefings show its progress")
    b.add_argument("--target-year", type=positive_int, default=None, metavar="Y",
                   help="目标年份：趋势简报与全市总览标明各县区能否按期达标 / target year: the trend briefings and "
                        "the region overview mark whether each county is on course")
    b.add_argument("--sheet", default=None, metavar="S",
                   help="学校表所在的 Excel 工作表名（默认自动查找）/ the sheet holding the school table (default: found)")
    b.add_argument("--workers", type=positive_int, default=None, metavar="N", help="并行进程数（默认 CPU 数）/ parallel runs")
    b.add_argument("--force", action="store_true", help="即使输入未变化也重新运行 / rerun even if inputs are unchanged")
    b.add_argument("--timeout", type=_seconds, default=600, metavar="S",
                   help="每个单元格的超时秒数 / per-cell execution timeout in seconds (default 600)")
    b.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    b.add_argument("--notebooks", default=None, metavar="DIR", help=argparse.SUPPRESS)
    b.set_defaults(func=_cmd_brief)
