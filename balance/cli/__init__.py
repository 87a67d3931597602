"""Command line: ``balance brief | validate | assess | batch | report | demo-data | template | doctor | import-stats …``.

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
* ``3`` — ``import-stats`` only: some schools' workbooks were incomplete (listed in the 待补充 sheet);
  the other schools were written.
* ``130`` — interrupted (Ctrl-C).

Whatever the exit code, a failed command leaves no partial output: result files are staged and
moved into place together (:mod:`balance.io.files`), and an output folder created by the failed run
is removed again.
"""
from __future__ import annotations

import argparse
import errno as _errno
import os
import sys
from pathlib import Path

from balance import __version__
from balance.cli import batch, brief, data, doctor, review, statsforms, tables, year
from balance.cli._args import (  # noqa: F401 - re-exported (balance.cli.positive_int …)
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    INPUT_FILES,
    MAX_VERDICT_LINES,
    MESSAGES_FILE,
    OUTPUT_FOLDERS,
    UNEXPECTED_MARK,
    BalanceParser,
    _messages,
    positive_int,
)
from balance.errors import InputError, Problem


def _refuse_output(path: str, option: str, code: str, zh: str, en: str) -> None:
    raise InputError([Problem(file=path, column=option, code=code, problem_zh=zh, problem_en=en)],
                     "输出位置有误", "unusable output location")


def check_output_folder(value: str, option: str = "--out") -> Path:
    """Refuse (InputError, exit 2) an output folder that cannot be one: an existing file, a path
    through a file, or an empty name. Nothing is created here (the writers create the folder only
    when they write, and remove it again when writing fails)."""
    if not str(value).strip():
        _refuse_output(str(value), option, "out_empty", f"{option} 不能为空", f"{option} must not be empty")
    if "\x00" in str(value) or any(c in str(value) for c in "\n\r"):
        _refuse_output(repr(str(value)), option, "out_bad_name", f"{option} 的文件夹名含有空字符或换行，无法使用",
                       f"{option}: the folder name holds a NUL byte or a line break and cannot be used")
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
    from balance.io.files import WriteError

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


#: warnings shown under the errors of a refused input (the rest are counted)
WARNINGS_SHOWN = 50


def _print_problems(exc: InputError) -> None:
    print(exc.render(), file=sys.stderr)
    warnings = [p for p in exc.problems if p.severity == "warning"]
    if warnings:  # shown, not only counted: the clerk fixes them in the same pass as the errors
        k = len(warnings)
        from balance.errors import plural, render_problems

        print(f"\n另有 {k} 条数据提示（不影响计算）/ plus {plural(k, 'warning')} (do not stop the run):",
              file=sys.stderr)
        print(render_problems(warnings, limit=WARNINGS_SHOWN), file=sys.stderr)
    print("未写入任何结果文件 / no result files were written", file=sys.stderr)


#: The commands of ``balance``, in the order ``balance --help`` lists them: one static table, no
#: plug-in loop (each entry adds one sub-command; see the modules for handlers and options).
COMMANDS = (
    tables.add_validate, tables.add_assess, doctor.add_doctor, batch.add_batch, batch.add_report,
    data.add_demo_data, tables.add_evaluate, data.add_template, tables.add_equity, tables.add_plan,
    data.add_ingest, statsforms.add_import_stats, year.add_ledger, year.add_sample, year.add_oversize,
    review.add_application, review.add_self_report,
    brief.add_brief,
)


def build_parser() -> argparse.ArgumentParser:
    """The ``balance`` parser: global options and every command of :data:`COMMANDS`."""
    p = BalanceParser(prog="balance", description="义务教育优质均衡发展评估 / balanced compulsory education assessment")
    p.add_argument("--version", action="version", version=f"balance {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="出现意外错误时显示完整的错误记录 / print the full traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
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
        from balance.io.files import protect_inputs

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
