"""Command line: ``balance validate | assess | batch | report | demo-data | template | doctor``.

Every command prints Chinese first and English second. Exit codes:

* ``0`` — success.
* ``2`` — bad input: a table, standard, scenario or county sheet with problems (the table of every
  problem found is printed), a bad option value, or an output path that cannot be used as given
  (``--out`` names an existing file, a part of the path is a file, a name too long or invalid).
  Fix the command or the input.
* ``1`` — the environment refused or something unexpected happened: the disk is full
  (``ENOSPC``), the folder is read-only or not writable (``EROFS``, ``EACCES``), another
  file-system error, or a bug. A file-system error is printed in Chinese and English with the path
  and what to do (``balance/data/messages_cli.yaml``: the ``exit`` of each errno); a bug is printed
  as a short "unexpected error" with the exception's type, and the full traceback is saved to a
  log file in the temporary folder (printed too with ``balance --debug …`` or ``BALANCE_DEBUG=1``).
* ``130`` — interrupted (Ctrl-C).

Whatever the exit code, a failed command leaves no partial output: result files are staged and
moved into place together (:mod:`balance.atomic`), and an output folder created by the failed run
is removed again.
"""
from __future__ import annotations

import argparse
import errno as _errno
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from balance import __version__
from balance.errors import InputError, Problem

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MESSAGES_FILE = Path(__file__).parent / "data" / "messages_cli.yaml"
#: Options that name an output folder, by argparse destination (checked before a command runs).
OUTPUT_FOLDERS = {"out": "--out", "store": "--store"}
#: Options that name input files, by argparse destination: no command may write over them.
INPUT_FILES = ("input", "table", "county_sheet", "scenario", "standard", "costs", "params")
#: Marks the message of an unexpected error (a bug), so that scripts and tests can tell it apart.
UNEXPECTED_MARK = "意外错误 / unexpected error"
#: ``balance assess`` prints one line per county-year up to this many (then the first half and a count).
MAX_VERDICT_LINES = 60


@lru_cache(maxsize=1)
def _messages() -> dict:
    import yaml

    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


class BalanceParser(argparse.ArgumentParser):
    """argparse whose refusals are bilingual (Chinese first) and exit with 2 like bad input."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        zh = "命令行有误"
        for m in _messages()["argparse"]:
            hit = re.search(m["pattern"], message)
            if hit:
                zh = m["zh"].format(None, *hit.groups())
                break
        self.print_usage(sys.stderr)
        print(f"命令行参数有误：{zh} / invalid command line: {message}", file=sys.stderr)
        print(f"查看用法 / see the usage: {self.prog} --help", file=sys.stderr)
        self.exit(EXIT_BAD_INPUT)


def positive_int(text: str) -> int:
    """argparse type: a whole number ≥ 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
    return n


def _refuse_output(path: str, option: str, code: str, zh: str, en: str) -> None:
    raise InputError([Problem(file=path, column=option, code=code, problem_zh=zh, problem_en=en)],
                     "输出位置有误", "unusable output location")


def check_output_folder(value: str, option: str = "--out") -> Path:
    """Refuse (InputError, exit 2) an output folder that cannot be one: an existing file, a path
    through a file, or an empty name. Nothing is created here (the writers create the folder only
    when they write, and remove it again when writing fails)."""
    if not str(value).strip():
        _refuse_output(str(value), option, "out_empty", f"{option} 不能为空", f"{option} must not be empty")
    p = Path(value)
    if p.exists() and not p.is_dir():
        _refuse_output(str(value), option, "out_is_file",
                       f"{option} 指向一个已存在的文件，而不是文件夹；请换一个文件夹名（该文件未被改动）",
                       f"{option} names an existing file, not a folder; choose a folder name (the file was not touched)")
    for parent in p.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                _refuse_output(str(value), option, "out_parent_is_file",
                               f"{option} 的路径中「{parent}」是文件，而不是文件夹",
                               f"{option}: {parent} in the path is a file, not a folder")
            break
    return p


def _print_os_error(exc: OSError) -> int:
    """Print a file-system error in Chinese and English with its path; return the exit code."""
    from balance.atomic import WriteError

    name = _errno.errorcode.get(exc.errno or 0, "")
    table = _messages()["os"]
    m = table.get(name, table["default"])
    path = exc.filename if exc.filename is not None else ""
    if getattr(exc, "filename2", None):
        path = f"{path} → {exc.filename2}"
    writing = isinstance(exc, WriteError)
    zh_verb, en_verb = ("无法写入", "cannot write") if writing else ("无法读写", "file operation failed on")
    detail = exc.strerror or str(exc)
    code = f"{name}, " if name else ""
    print(f"{zh_verb} {path}：{m['zh']} / {en_verb} {path}: {m['en']} ({code}{detail})", file=sys.stderr)
    hint = _messages()["os_hints"].get(name)
    if hint:
        print(f"{hint['zh']} / {hint['en']}", file=sys.stderr)
    if writing:
        print("未写入任何结果文件（临时文件已清理）/ no result files were written (temporary files removed)", file=sys.stderr)
    return int(m.get("exit", EXIT_FAILED))


def _save_traceback(exc: BaseException) -> Path | None:
    import datetime as dt
    import tempfile
    import traceback

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.gettempdir()) / f"balance-error-{stamp}-{os.getpid()}.log"
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"balance {__version__}\nargv: {sys.argv!r}\n\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    except OSError:
        return None
    return path


def _print_unexpected(exc: BaseException, debug: bool) -> int:
    import traceback

    text = " ".join(str(exc).split())
    text = text if len(text) <= 300 else text[:299] + "…"
    log = _save_traceback(exc)
    print(f"{UNEXPECTED_MARK}：{type(exc).__name__}: {text}", file=sys.stderr)
    print("这是 balance 的缺陷，不是您的操作问题；请把这条信息和下面的记录文件发给维护者。"
          " / This is a bug in balance, not your mistake; please report it with the log file below.", file=sys.stderr)
    if log is not None:
        print(f"完整的错误记录 / full traceback saved to: {log}", file=sys.stderr)
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    else:
        print("（加 --debug 或设置 BALANCE_DEBUG=1 可直接显示 / add --debug or set BALANCE_DEBUG=1 to print it here）",
              file=sys.stderr)
    print("未写入任何结果文件 / no result files were written", file=sys.stderr)
    return EXIT_FAILED


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
    p = BalanceParser(prog="balance", description="义务教育优质均衡发展评估 / balanced compulsory education assessment")
    p.add_argument("--version", action="version", version=f"balance {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="出现意外错误时显示完整的错误记录 / print the full traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="只检查学校数据表 / check a school table only")
    v.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    v.add_argument("--sheet", help="Excel 工作表名 / sheet name (default: first)")
    v.add_argument("--limit", type=positive_int, default=200, help="最多显示的问题数 / max problems shown")
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
                   "balance.store", "balance.io.statsforms.command"):
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
    """Run one command; return its exit code (see the module docstring). Never raises, except
    ``SystemExit`` from ``--help``, ``--version`` and refused options (exit 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or os.environ.get("BALANCE_DEBUG", "") not in ("", "0")
    hook = sys.unraisablehook
    # a writer that failed (a full disk) may fail again when Python finalises its half-closed file
    # (zipfile's __del__): that second error is not news and must not print a traceback
    sys.unraisablehook = (lambda u: hook(u)) if debug else (lambda u: None)
    code = EXIT_FAILED
    try:
        code = _run(args, debug)
        return code
    finally:
        if code == EXIT_FAILED:  # a write failed or a bug: finalise its leftovers under the quiet hook
            import gc

            gc.collect()
        sys.unraisablehook = hook


def _run(args: argparse.Namespace, debug: bool) -> int:
    try:
        from balance.atomic import protect_inputs

        for dest, option in OUTPUT_FOLDERS.items():
            value = getattr(args, dest, None)
            if isinstance(value, (str, os.PathLike)):
                check_output_folder(os.fspath(value), option)
        inputs = []
        for dest in INPUT_FILES:
            value = getattr(args, dest, None)
            inputs.extend(value if isinstance(value, list) else [value])
        with protect_inputs(inputs):
            return args.func(args)
    except InputError as exc:
        _print_problems(exc)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (e.g. ``| head``)
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_FAILED
    except OSError as exc:
        return _print_os_error(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no raw traceback for users
        return _print_unexpected(exc, debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
