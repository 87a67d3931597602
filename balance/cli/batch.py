"""``balance batch`` and ``balance report``: papermill batches (:mod:`balance.running`).

The library is imported inside the handlers, so ``balance --help`` stays cheap.
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from balance.cli._args import positive_int


def _warnings(exc: BaseException) -> None:
    """Print what went wrong besides ``exc`` while the batch was failing (``BatchResult.warnings``)."""
    for w in getattr(getattr(exc, "batch", None), "warnings", None) or ():
        print(w, file=sys.stderr)


def _stopped(exc: BaseException) -> int:
    """Report a batch stopped by Ctrl-C or a signal; the exit code 128 + signal number."""
    batch = getattr(exc, "batch", None)
    if batch is not None:
        print(batch.summary())
    _warnings(exc)
    signum = getattr(exc, "signum", signal.SIGINT)
    n = len(batch.runs) if batch is not None else 0
    print(f"批次已中断（信号 {signum}）：已完成的 {n} 个运行已写入 manifest.csv，未完成的运行没有结果；再次运行同一命令"
          f"即可完成其余运行 / the batch was stopped (signal {signum}): the {n} finished runs are listed in "
          f"manifest.csv, unfinished runs have no result; run the same command again to do the rest", file=sys.stderr)
    return 128 + int(signum)


def _refused(exc: BaseException) -> int:
    batch = getattr(exc, "batch", None)
    if batch is not None and batch.runs:
        print(batch.summary())
    print(str(exc), file=sys.stderr)
    _warnings(exc)
    return getattr(exc, "exit_code", 2)


def _cmd_batch(args: argparse.Namespace) -> int:
    from balance.running.batch import expand_params, run_batch
    from balance.running.outdir import BatchLocked, printable
    from balance.running.results import BatchError

    paths = expand_params(args.params)
    if not paths:
        print(f"没有找到参数文件 / no params files found in: {printable(' '.join(map(str, args.params)))}", file=sys.stderr)
        return 2
    from balance.running.executors import ExecutorError

    executor = args.executor or ("dask" if args.scheduler else "local")
    if args.scheduler and executor != "dask":
        print("--scheduler 只用于 --executor dask / --scheduler goes with --executor dask", file=sys.stderr)
        return 2
    try:
        batch = run_batch(paths, args.out, workers=args.workers, force=args.force, timeout=args.timeout,
                          progress=not args.no_progress, notebooks_dir=args.notebooks,
                          executor=executor, scheduler=args.scheduler)
    except ExecutorError as exc:
        print(str(exc), file=sys.stderr)
        _warnings(exc)
        return 2
    except (BatchError, BatchLocked) as exc:
        return _refused(exc)
    except KeyboardInterrupt as exc:
        return _stopped(exc)
    print(batch.summary())
    return batch.exit_code


def _cmd_report(args: argparse.Namespace) -> int:
    from balance.running.batch import run_batch
    from balance.running.outdir import BatchLocked, printable
    from balance.running.results import BatchError

    p = Path(args.params)
    if p.is_dir():
        print(f"report 只接受一个 YAML 文件（文件夹请用 batch）/ report takes one YAML file (use batch for folders): "
              f"{printable(p)}", file=sys.stderr)
        return 2
    try:
        batch = run_batch([p], args.out, workers=1, force=args.force, timeout=args.timeout,
                          progress=False, notebooks_dir=args.notebooks)
    except (BatchError, BatchLocked) as exc:
        return _refused(exc)
    except KeyboardInterrupt as exc:
        return _stopped(exc)
    r = batch.runs[0]
    if r.status == "failed":
        print(f"✗ {printable(r.run)} 失败 / failed: {printable(r.error)}")  # the problem table: on stderr above
        if r.ipynb:
            print(f"执行记录 executed notebook: {batch.out_dir / r.ipynb}")
        return 1
    word = "未变化，沿用 / unchanged, kept" if r.status == "skipped" else "完成 / done"
    print(f"✓ {r.run} {word}: {batch.out_dir / r.html}")
    return 0


def _seconds(text: str) -> float:
    """``--timeout``: a positive, finite number of seconds."""
    import math

    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"应为正的秒数，而不是 {text!r} / must be a positive number of seconds, not {text!r}")
    return v


def _common(p) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹 / output folder")
    p.add_argument("--force", action="store_true", help="即使输入未变化也重新运行 / rerun even if inputs are unchanged")
    p.add_argument("--timeout", type=_seconds, default=600, metavar="S",
                   help="每个单元格的超时秒数 / per-cell execution timeout in seconds (default 600)")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="笔记本文件夹（默认：环境变量 BALANCE_NOTEBOOKS、源码中的 notebooks/ 或随包安装的副本）/ notebooks "
                        "folder (default: $BALANCE_NOTEBOOKS, the checkout's notebooks/, or the copy installed with balance)")


def add_batch(sub) -> None:
    """``batch PARAMS... --out DIR [--workers N] [--executor local|dask] [--scheduler ADDRESS]``."""
    b = sub.add_parser("batch", help="批量运行笔记本并导出 HTML 简报 / run notebooks and export HTML briefings",
                              description="PARAMS: YAML 参数文件或其所在文件夹 / YAML params files or folders of them")
    b.add_argument("params", nargs="+", metavar="PARAMS")
    _common(b)
    b.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="并行进程数（默认 CPU 数）；用 --scheduler 时为至少等待的 worker 数 / parallel runs (default: CPU "
                        "count); with --scheduler, wait for at least N workers")
    b.add_argument("--executor", choices=["local", "dask"], default=None,
                   help="local：本机进程（默认）；dask：Dask 集群（无 --scheduler 时在本机启动 LocalCluster）/ "
                        "local: processes on this machine (default); dask: Dask distributed (a LocalCluster unless "
                        "--scheduler is given)")
    b.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="已有 Dask 集群的调度器地址，如 tcp://HOST:8786；--out 须为所有 worker 可见的共享绝对路径 / "
                        "address of an existing Dask scheduler, e.g. tcp://HOST:8786; --out must be a shared path "
                        "visible to every worker")
    b.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    b.set_defaults(func=_cmd_batch)


def add_report(sub) -> None:
    """``report PARAMS.yaml --out DIR``."""
    r = sub.add_parser("report", help="运行一个参数文件 / run one params file")
    r.add_argument("params", metavar="PARAMS.yaml")
    _common(r)
    r.set_defaults(func=_cmd_report)
