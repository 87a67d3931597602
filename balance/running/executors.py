"""Where the runs of a batch execute: worker processes on this machine, or a Dask cluster.

:func:`balance.running.run_batch` plans the batch (validation, skip-if-unchanged), hands the runs
that must execute to an executor and writes the manifest and index as results come back; the
executor only decides *where* :func:`balance.running.execute_run` is called. Both executors
yield ``(spec, row)`` pairs in completion order, where ``row`` is the manifest row returned by
``execute_run`` or the exception raised when its worker process died.

* :class:`LocalExecutor` (``--executor local``, the default): a ``ProcessPoolExecutor`` on this
  machine (``forkserver`` with papermill / nbconvert / pandas preloaded, ``spawn`` on Windows).
  Its workers end with the batch, and kill their kernels as they go: on ``kill -9`` of the batch
  (parent-death signal on Linux, a watchdog thread everywhere), and when the batch is stopped
  (Ctrl-C, SIGTERM: :meth:`LocalExecutor.abort` cancels the queued runs and terminates the
  workers).
* :class:`DaskExecutor` (``--executor dask``): Dask distributed. Without an address, a
  ``LocalCluster`` of ``N`` worker processes with one thread each is started for the batch and
  closed afterwards; with ``--scheduler tcp://HOST:8786``, an existing cluster is used (workers
  started with ``--nthreads 1``). Each run is one task, ``client.submit(execute_run, spec,
  pure=False, retries=1)``: one notebook per worker thread. Inside the task the kernel is a
  plain subprocess of the worker (no process pool is nested in the daemonic Dask worker); the
  kernel-start retry stays inside ``execute_run``. A worker that dies while running a notebook
  makes the scheduler run that task once more on another worker (the LocalCluster is started with
  ``distributed.scheduler.allowed-failures = 1``; for an existing cluster it is the scheduler's
  own setting, 3 by default); a run that still fails is recorded ``failed`` with the error. A
  LocalCluster's worker processes exit when the batch dies (``distributed`` watches its parent)
  and their kernels follow (ipykernel watches its parent).

Every worker writes straight into ``DIR``, so ``DIR`` must be the same absolute path on every
worker machine (a shared file system), and so must the params files, the data files they name and
the notebooks folder. :meth:`DaskExecutor.check_workers` verifies this before anything is
submitted: it writes a probe file into ``DIR`` and asks every worker whether it sees it, whether
it sees the notebooks folder, whether it has the ``python3`` kernel, and whether it runs the same
``balance`` version.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable, Iterator

from balance.errors import plural

EXECUTORS = ("local", "dask")

#: How long to wait for an existing cluster's scheduler and for its workers (seconds).
CONNECT_TIMEOUT = 30
WORKERS_TIMEOUT = 120


class ExecutorError(RuntimeError):
    """The executor cannot be used (Dask not installed, scheduler unreachable, ``DIR`` not
    shared…). Raised before any run is submitted; the message is Chinese then English."""


#: Modules the fork server imports once; workers forked from it start in ~0.1 s instead of
#: re-importing papermill / nbconvert / pandas (~3 s each on a small machine).
#: ``balance.schema``, ``balance.io.headers`` and ``balance.method.standards``: what a worker's
#: first ``validate_run`` imports (the data file's key columns, the built-in standards) — 1–4 s of
#: each worker's first run on a loaded machine otherwise.
PRELOAD = ["balance.running.worker", "balance.running.kernel", "balance.running.params", "balance.reporting.html_export", "papermill", "nbclient", "nbformat",
           "nbconvert", "pandas", "yaml", "pydantic", "jupyter_client", "balance.schema", "balance.io.headers",
           "balance.method.standards"]


def _mp_context():
    """``forkserver`` (Linux, macOS) with the heavy modules preloaded, else ``spawn`` (Windows).
    Never plain ``fork``: the parent may hold threads (tqdm, asyncio)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


# --------------------------------------------------------------------------------------------
class LocalExecutor:
    """Worker processes on this machine (the behaviour of ``balance batch`` without options)."""

    name = "local"

    #: The batch starts this executor before planning, with the kept-kernel settings of
    #: :meth:`start` (an executor without it is started after planning with ``start(n_tasks)``).
    early_start = True

    def __init__(self, workers: int | None = None):
        self.workers = workers
        self.pool: cf.ProcessPoolExecutor | None = None
        self.n = 0
        self._submitted = False

    def start(self, n_tasks: int, warm: bool = False, start_timeout: float = 60,
              warm_data: tuple | None = None) -> "LocalExecutor":
        """Start ``min(workers, n_tasks)`` worker processes now (not at the first submit); with
        ``warm`` each starts its kept kernel at once, so kernels import (and read and assess
        ``warm_data``, see :func:`balance.running.kernel.warm_inputs`) while the batch plans."""
        from balance.running.worker import _worker_init

        self.n = max(1, min(self.workers or os.cpu_count() or 1, n_tasks))
        # each worker is tied to this process: it (and its kernels) ends when the batch ends
        self.pool = cf.ProcessPoolExecutor(max_workers=self.n, mp_context=_mp_context(), initializer=_worker_init,
                                           initargs=(os.getpid(), bool(warm), start_timeout, warm_data))
        launch = getattr(self.pool, "_launch_processes", None)  # CPython: all workers now, before any submit
        if callable(launch):
            try:
                launch()
            except Exception:  # noqa: BLE001 - they start on the first submits instead
                pass
        return self

    def prepare(self, specs: list[dict], out_dir: Path, notebooks_dir: Path) -> None:
        """Nothing to check: the workers share this machine's files."""

    def as_completed(self, fn: Callable[[dict], dict], specs: Iterable[dict]) -> Iterator[tuple[dict, object]]:
        self._submitted = True
        futs = {self.pool.submit(fn, s): s for s in specs}
        for fut in cf.as_completed(futs):
            try:
                yield futs[fut], fut.result()
            except Exception as exc:  # noqa: BLE001 - worker process died (BrokenProcessPool …): the run fails, not the batch
                yield futs[fut], exc

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    #: Seconds a worker gets to stop its kernels after SIGTERM before it is killed.
    STOP_GRACE = 10.0

    def abort(self) -> None:
        """Stop now (Ctrl-C, SIGTERM, an error): queued runs are cancelled and running ones
        stopped — each worker, sent SIGTERM, kills its kernels and exits (see
        :func:`balance.running._die_with_batch`); a worker still there after :attr:`STOP_GRACE`
        seconds is killed."""
        if self.pool is None:
            return
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            try:
                p.terminate()
            except Exception:  # noqa: BLE001 - already gone
                pass
        deadline = time.monotonic() + self.STOP_GRACE
        for p in procs:
            try:
                p.join(max(0.05, deadline - time.monotonic()))
                if p.is_alive():
                    p.kill()
                    p.join(1.0)
            except Exception:  # noqa: BLE001
                pass
        self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            if not self._submitted:  # started early, then nothing to run (every run unchanged):
                self.pool.submit(int)  # a submit starts the pool's manager, which tells the workers to exit
            self.pool.shutdown(wait=True)
            self.pool = None

    def describe(self) -> str:
        return f"local, {plural(self.n, 'worker process', 'worker processes')}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# --------------------------------------------------------------------------------------------
def _probe_worker(probe: str, notebooks_dir: str) -> dict:
    """Run on every Dask worker before the batch: what this worker can see."""
    import socket

    from balance import __version__

    try:
        from jupyter_client.kernelspec import KernelSpecManager

        KernelSpecManager().get_kernel_spec("python3")
        kernel = True
    except Exception:  # noqa: BLE001
        kernel = False
    out_dir = os.path.dirname(probe)
    return {
        "host": socket.gethostname(),
        "sees_out": os.path.isfile(probe),
        "writable": os.access(out_dir, os.W_OK),
        "sees_notebooks": os.path.isdir(notebooks_dir),
        "kernel": kernel,
        "version": __version__,
    }


class DaskExecutor:
    """Runs on Dask distributed: a LocalCluster for the batch, or an existing cluster.

    ``scheduler`` is an address (``tcp://HOST:8786``), a ``distributed.Client`` (used as is and
    not closed) or ``None`` (a LocalCluster of ``workers`` processes, one thread each, default
    ``os.cpu_count()``, never more than there are runs). With an existing cluster, ``workers``
    means "wait until at least this many workers have joined" (default: at least one).
    """

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler=None):
        try:
            import distributed  # noqa: F401
        except ImportError as exc:  # pragma: no cover - the dask extra is part of make setup
            raise ExecutorError(
                "未安装 Dask：请运行 pip install -e '.[dask]'（make setup 已包含）/ Dask is not installed: "
                "pip install -e '.[dask]' (included in make setup)") from exc
        self.workers = workers
        self.scheduler = scheduler
        self.client = None
        self.cluster = None
        self._own_client = False
        self._futures: dict = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, n_tasks: int) -> "DaskExecutor":
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler is not None and not isinstance(self.scheduler, (str, os.PathLike)):
            self.client = self.scheduler  # a Client given by the caller
        elif self.scheduler:
            try:
                self.client = Client(str(self.scheduler), timeout=CONNECT_TIMEOUT, set_as_default=False)
            except Exception as exc:  # noqa: BLE001 - OSError / TimeoutError, message says which
                raise ExecutorError(
                    f"无法连接 Dask 调度器 {self.scheduler}（是否已运行 dask scheduler？地址与端口是否正确？）/ "
                    f"cannot connect to the Dask scheduler at {self.scheduler}: {type(exc).__name__}: {exc}") from exc
            self._own_client = True
        else:
            n = max(1, min(self.workers or os.cpu_count() or 1, n_tasks))
            # processes (not threads): papermill and the fd capture are per process; one thread per
            # worker = one notebook per worker; a task whose worker dies is retried once.
            with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=logging.ERROR,
                                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
            self.client = Client(self.cluster, set_as_default=False)
            self._own_client = True
        if self.cluster is None:
            want = self.workers or 1
            try:
                self.client.wait_for_workers(want, timeout=WORKERS_TIMEOUT)
            except Exception as exc:  # noqa: BLE001
                have = len(self.client.scheduler_info().get("workers", {}))
                self.close()
                raise ExecutorError(
                    f"{WORKERS_TIMEOUT} 秒内 Dask 集群只有 {have} 个 worker（需要 {want} 个）；请先运行 dask worker / "
                    f"the Dask cluster has {plural(have, 'worker')} after {WORKERS_TIMEOUT} s, {want} needed: start "
                    f"workers with `dask worker {self.address} --nthreads 1`") from exc
        return self

    @property
    def address(self) -> str:
        try:
            return self.client.scheduler.address
        except Exception:  # noqa: BLE001
            return str(self.scheduler or "")

    def worker_threads(self) -> dict[str, int]:
        return {a: w.get("nthreads", 1) for a, w in self.client.scheduler_info(n_workers=-1).get("workers", {}).items()}

    def describe(self) -> str:
        threads = self.worker_threads()
        kind = "LocalCluster" if self.cluster is not None else f"cluster {self.address}"
        return f"dask {kind}, {plural(len(threads), 'worker')}, {plural(sum(threads.values()), 'thread')}"

    def close(self) -> None:
        """Close the client and, when it was started here, the LocalCluster (its worker
        processes and their kernels end with it)."""
        if self.client is not None and self._own_client:
            try:
                self.client.close()
            except Exception:  # noqa: BLE001 - the cluster may already be gone
                pass
        self.client = None
        if self.cluster is not None:
            try:
                self.cluster.close()
            except Exception:  # noqa: BLE001
                pass
            self.cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- before submitting -------------------------------------------------------------------
    def check_workers(self, out_dir: Path, notebooks_dir: Path) -> None:
        """Every worker must see ``out_dir`` (a probe file written here), the notebooks folder,
        have the ``python3`` kernel and run this ``balance`` version; else :class:`ExecutorError`
        naming the workers and what they lack."""
        from balance import __version__

        probe = Path(out_dir) / f".dask-probe-{uuid.uuid4().hex}.tmp"
        probe.write_text("balance\n", encoding="utf-8")
        try:
            answers = self.client.run(_probe_worker, str(probe), str(notebooks_dir))
            for _ in range(3):  # a network file system may show a new file a moment later
                late = [a for a, v in answers.items() if not v["sees_out"]]
                if not late:
                    break
                time.sleep(1.0)
                answers.update(self.client.run(_probe_worker, str(probe), str(notebooks_dir), workers=late))
        finally:
            probe.unlink(missing_ok=True)
        problems = []
        for addr, a in sorted(answers.items()):
            who = f"{addr} ({a['host']})"
            if not a["sees_out"]:
                problems.append(f"{who}: 看不到输出文件夹 {out_dir}（须为所有 worker 共享的同一绝对路径）/ does not see the "
                                f"output folder {out_dir} (it must be a shared path, the same absolute path on every worker)")
            elif not a["writable"]:
                problems.append(f"{who}: 不能写入 {out_dir} / cannot write to {out_dir}")
            if not a["sees_notebooks"]:
                problems.append(f"{who}: 看不到笔记本文件夹 {notebooks_dir} / does not see the notebooks folder {notebooks_dir}")
            if not a["kernel"]:
                problems.append(f"{who}: 没有 python3 内核（在该机器上运行 make setup）/ has no python3 kernel (run make setup there)")
            if a["version"] != __version__:
                problems.append(f"{who}: balance {a['version']} ≠ {__version__}（各机器须安装同一版本）/ "
                                f"runs balance {a['version']}, this machine {__version__}")
        if problems:
            raise ExecutorError("Dask worker 无法运行此批次 / Dask workers cannot run this batch:\n  " + "\n  ".join(problems))
        many = {a: n for a, n in self.worker_threads().items() if n > 1}
        if many:
            logging.getLogger("balance").warning(
                "Dask workers with more than one thread run their notebooks one at a time; start them with "
                "--nthreads 1 (and --nworkers K) / 有的 worker 线程数大于 1: %s", ", ".join(sorted(many)))

    def prepare(self, specs: list[dict], out_dir: Path, notebooks_dir: Path) -> None:
        """Check the workers, and give them absolute params paths (the manifest keeps the path as
        given on the command line)."""
        self.check_workers(out_dir, notebooks_dir)
        for s in specs:
            s.setdefault("params_label", s["params_path"])
            s["params_path"] = str(Path(s["params_path"]).resolve())

    # -- running -----------------------------------------------------------------------------
    def as_completed(self, fn: Callable[[dict], dict], specs: Iterable[dict]) -> Iterator[tuple[dict, object]]:
        from distributed import as_completed

        batch = uuid.uuid4().hex[:8]
        self._futures = {}
        for s in specs:
            fut = self.client.submit(fn, s, pure=False, retries=1, key=f"balance-run-{s['run']}-{batch}")
            self._futures[fut] = s
        for fut in as_completed(list(self._futures), loop=self.client.loop):
            s = self._futures.pop(fut)
            try:
                yield s, fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker (the worker died twice), CancelledError, …
                yield s, exc
            finally:
                fut.release()

    def abort(self) -> None:
        """Stop now: tasks not started are cancelled (a notebook already running finishes on its
        worker; a LocalCluster's workers and their kernels end when it is closed)."""
        self.cancel()

    def cancel(self) -> None:
        if self.client is not None and self._futures:
            try:
                self.client.cancel(list(self._futures), force=True)
            except Exception:  # noqa: BLE001
                pass
            self._futures = {}


def make_executor(kind: str = "local", workers: int | None = None, scheduler=None):
    """``"local"`` → :class:`LocalExecutor`, ``"dask"`` → :class:`DaskExecutor`."""
    if kind in (None, "local"):
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")
