"""Run parameterized notebooks with papermill and export them as HTML briefings, in parallel.

``balance batch PARAMS... --out DIR`` / :func:`run_batch`; ``balance report PARAMS.yaml --out DIR``
/ :func:`run_report`.

Layout of ``DIR`` (``<run>`` = the params file's stem, e.g. ``130102_2025``)::

    DIR/manifest.csv        one row per run (UTF-8 with BOM, opens in Excel)
    DIR/index.html          Chinese index page linking every briefing, with status and errors
    DIR/<run>.html          the briefing (only when the run succeeded)
    DIR/<run>.ipynb         the executed notebook: the audit log (kept for failed runs too,
                            with the error in it, when the notebook got as far as executing)
    DIR/<run>/              the notebook's ``output_dir``: small results files (results.json …),
                            ``.input-hash`` (skip-if-unchanged) and ``run.log`` (kernel stderr
                            that is not known noise, when there is any)

Behaviour:

* every run is validated first (:func:`balance.running.params.validate_run`); an invalid params file
  fails its own run, the others go on;
* each run executes in a worker process (``ProcessPoolExecutor``; ``forkserver`` context with
  papermill / nbconvert / pandas preloaded where available, ``spawn`` on Windows; default
  ``os.cpu_count()`` workers) with its own kernel (``python3``), a per-cell execution timeout and a
  60 s kernel start timeout; a kernel start failure is retried once;
* ``--executor dask`` (``run_batch(..., executor="dask", scheduler=ADDRESS)``) runs the same
  runs as tasks on Dask distributed instead — a LocalCluster, or an existing cluster whose
  workers all see ``DIR`` at the same absolute path — with the same planning, outputs and
  manifest; a run whose worker dies is retried once on another worker (:mod:`balance.running.executors`);
* outputs are atomic: the executed notebook and the HTML are written to hidden temporary files
  in ``DIR`` (``.<name>.<pid>.tmp``) and renamed into place; an interrupted batch never leaves a
  partial ``.html``;
* a run that fails removes its previous ``<run>.html`` (a stale briefing must not look current)
  and its ``.input-hash``; the manifest says ``failed`` with a one-line error;
* skip-if-unchanged: the input hash covers the data file, the params file, the notebook, the
  standard / county-sheet files when given as paths, every file under ``balance/reporting/`` and
  ``balance/templates/`` (the code and templates that shape a briefing) and ``balance.__version__``; a run is ``skipped`` when the hash equals the one recorded for its last
  successful run and both outputs still exist, unless ``force``;
* ``manifest.csv`` keeps rows of earlier runs in ``DIR`` that are not part of this batch, so the
  index lists every briefing in the folder.

Safety of ``DIR`` (:mod:`balance.running.outdir`):

* a run name must be a plain name (no ``.`` / ``..``, no path separator, not hidden, not
  ``index``, no control characters, no Windows device name …): a params file with another name
  fails its own run with a message naming the file, and nothing in ``DIR`` is touched for it;
* every delete and replace goes through one guard that proves the target lies in ``DIR`` after
  ``resolve()`` (never ``DIR`` itself, never through a symbolic link, never one of the run's
  inputs); a ``DIR/<run>`` that is a symbolic link fails that run and is left alone;
* one batch at a time per ``DIR``: ``DIR/.balance-batch.lock`` (pid, host, start time, command)
  is locked for the whole batch; a second batch is refused naming the first
  (:class:`balance.running.outdir.BatchLocked`, exit code 2). The lock dies with its holder;
* ``manifest.csv`` is rewritten (atomically) after every finished run, so it lists every run that
  finished whenever and however the batch stops; ``index.html`` follows every few seconds and at
  the end;
* the batch's workers and their kernels die with it: on ``kill -9`` of the batch (Linux: the
  parent-death signal, elsewhere a watchdog thread that notices the parent is gone), on SIGTERM,
  SIGHUP and Ctrl-C (queued runs are cancelled, running notebooks stopped, the manifest written;
  exit code 143 / 129 / 130). A run that did not finish keeps its earlier manifest row, if any,
  and is redone by the next batch;
* a batch that cannot use ``DIR`` (an existing file, read-only, full) is refused with a message
  (:class:`BatchError`, exit code 2 before any run started, 1 when writing fails later).

Exit codes of ``balance batch`` / ``balance report``: 0 every run ok or unchanged, 1 a run failed
(or the manifest could not be written half-way), 2 refused before running (no params files,
``--out`` unusable or in use by another batch, executor unusable), 128 + signal when stopped by a
signal (130 Ctrl-C, 143 SIGTERM).
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from balance.running.index_page import write_index
from balance.running.lifecycle import _prepare_out_dir, _remove_if_empty, _StopSignals, _write_failed
from balance.running.manifest import HASH_FILE, _csv_line, _now, _one_line, input_hash, read_manifest, write_manifest  # noqa: F401 - batch.HASH_FILE, batch.input_hash as before
from balance.running.notebooks import default_notebooks_dir
from balance.running.outdir import (  # noqa: F401 - check_output_file … as before: batch.<name>
    BatchLock,
    BatchLocked,
    UnsafeOutput,
    check_output_file,
    check_results_dir,
    printable,
    protected_paths,
    run_key,
    run_name_message,
)
from balance.running.planning import (  # noqa: F401 - planning moved there; batch.<name> as before
    _data_hint,
    _likely_work,
    _longest_first,
    _plan,
    _plan_one,
    _protected_inputs,
    _read_entries,
    _skipped,
    expand_params,
)
from balance.running.results import BatchError, BatchInterrupted, BatchResult, RunResult  # noqa: F401 - batch.BatchInterrupted as before
from balance.running.worker import _remove, execute_run, problems_line, problems_table, remove_stale_outputs  # noqa: F401

# --------------------------------------------------------------------------------------------
#: Temporary files of the batch in ``DIR``: ``.<run>.<pid>.tmp.ipynb`` (executed notebook),
#: ``.<run>.html.<pid>.tmp`` (briefing), ``.manifest.csv.<pid>.tmp`` / ``.index.html.<pid>.tmp``.
_RUN_TMP = (re.compile(r"^\.(?P<run>.+)\.\d+\.tmp\.ipynb$"), re.compile(r"^\.(?P<run>.+)\.html\.\d+\.tmp$"))

_BATCH_TMP = re.compile(r"^\.(?:manifest\.csv|index\.html)\.\d+\.tmp$")


def _tmp_owner(name: str) -> str | None:
    for pat in _RUN_TMP:
        m = pat.match(name)
        if m:
            return m.group("run")
    return None


def _cleanup_tmp(out_dir: Path, runs: set[str]) -> None:
    """Remove temporary files left by an interrupted earlier batch (exact names only)."""
    for f in out_dir.glob(".*.tmp*"):
        if _tmp_owner(f.name) in runs or _BATCH_TMP.match(f.name):
            _remove(out_dir, f)


#: ``manifest.csv`` is rewritten after every finished run (its rows are kept as CSV text, so a
#: rewrite is one write: ~10 ms at 2,850 rows). ``index.html`` costs more (~1.5 s at 2,850
#: rows: it looks at every run's files): it is rewritten at most every PUBLISH_EVERY seconds (or
#: 10 × the time the last rewrite took, when that is longer), and always at the start and end.
PUBLISH_EVERY = 2.0


#: Failed runs whose problem table is printed on the console (the others: one line each).
MAX_DETAILED_FAILURES = 10


def _worker_died(s: dict, exc: BaseException, executor: str, out_dir: Path) -> RunResult:
    """The row of a run whose worker process died (the run never reported). Its previous
    briefing is removed: it must not look current."""
    name = type(exc).__name__
    if executor == "dask" and name == "KilledWorker":
        msg = (f"Dask worker 在运行此笔记本时退出，重试后仍失败 / the Dask worker died while running this notebook, "
               f"also on retry: {name}: {exc}")
    elif executor == "dask" and name == "CancelledError":
        msg = f"任务被 Dask 取消（集群或调度器已断开？）/ the task was cancelled by Dask (cluster lost?): {name}: {exc}"
    elif executor == "dask":
        msg = f"Dask: {name}: {exc}"
    else:
        msg = f"{name}: {exc}"
    remove_stale_outputs(out_dir, s["run"], keep_ipynb=False, protected=[Path(q) for q in s.get("protected") or ()])
    return RunResult(run=s["run"], params=str(s.get("params_label") or s["params_path"]), started=_now(),
                     input_hash=s.get("input_hash") or "", error=_one_line(msg))


def _remove_run_tmp(out_dir: Path, runs: set[str]) -> None:
    """Temporary files of runs whose worker died half-way (another worker redid the run)."""
    for f in out_dir.glob(".*.tmp*"):
        if _tmp_owner(f.name) in runs:
            _remove(out_dir, f)


def run_batch(params_paths, out_dir, workers: int | None = None, force: bool = False, timeout: float | None = 600,
              progress: bool = True, notebooks_dir: str | Path | None = None,
              start_timeout: float = 60, executor: str = "local", scheduler=None,
              warm_kernel: bool = True) -> BatchResult:
    """Run every params file (YAML files or folders of them) and export the briefings.

    ``executor``: ``"local"`` (worker processes on this machine, ``workers`` of them, default
    the CPU count) or ``"dask"`` (Dask distributed: a LocalCluster of ``workers`` processes with
    one thread each, or the existing cluster at ``scheduler`` — an address such as
    ``tcp://host:8786`` or a ``distributed.Client``; see :mod:`balance.running.executors`). Planning,
    skip-if-unchanged, outputs and manifest are the same for both.

    ``warm_kernel``: each worker keeps one kernel for its runs (``balance`` preloaded, reset
    between runs, replaced after a failure; :mod:`balance.running.kernel`); ``False`` starts a
    fresh kernel for every run (also ``BALANCE_WARM_KERNEL=0``).

    Returns a :class:`BatchResult`; ``result.exit_code`` is 1 when any run failed. Never raises
    for a failing run. Raises

    * :class:`BatchError` — ``out_dir`` is unusable (a file, cannot be created, read-only, full)
      or the manifest cannot be written;
    * :class:`balance.running.outdir.BatchLocked` — another batch is writing into ``out_dir``;
    * :class:`balance.running.executors.ExecutorError` — the executor cannot be used;
    * :class:`BatchInterrupted` (SIGTERM / SIGHUP) or ``KeyboardInterrupt`` (Ctrl-C) — the batch
      was stopped; the manifest lists every run that finished.

    Every exception raised after planning carries the partial result as ``exc.batch``.
    """
    from balance.running.executors import make_executor

    if scheduler is not None and executor in (None, "local"):
        executor = "dask"
    executor = executor or "local"
    ex = make_executor(executor, workers=workers, scheduler=scheduler)  # ValueError for an unknown kind
    t0 = time.perf_counter()
    out_dir, created = _prepare_out_dir(out_dir)
    lock = BatchLock(out_dir)
    try:
        lock.acquire()
    except BatchLocked:
        _remove_if_empty(created)
        raise
    except UnsafeOutput as exc:
        _remove_if_empty(created)
        raise BatchError(str(exc)) from None
    except OSError as exc:
        _remove_if_empty(created)
        raise _write_failed("输出文件夹", "output folder", out_dir, exc, exit_code=2) from None
    try:
        with _StopSignals() as stop:
            return _run_locked(params_paths, out_dir, ex, t0, force, timeout, progress, notebooks_dir,
                               start_timeout, stop, warm_kernel)
    finally:
        lock.release()
        _remove_if_empty(created)  # only when nothing was written (refused before the first run)


class _Tracker:
    """A batch's results as they come in: the manifest rows (kept as CSV text), the index page,
    the progress bar (done / total, elapsed < time left, ok / failed / skipped) and the console
    lines of failed runs."""

    def __init__(self, out_dir: Path, order: list[str], previous: dict, total: int, progress: bool, t0: float):
        self.out_dir, self.order, self.t0 = out_dir, order, t0
        self.results: dict[str, RunResult] = {}
        self.pending: dict[str, dict] = {}  # index rows of the runs handed out and not finished yet
        self.batch = BatchResult(out_dir=out_dir)
        self.rows: dict[str, dict] = dict(previous)
        self.lines: dict[str, str] = {k: _csv_line(v) for k, v in previous.items()}  # rows as CSV text
        self.index_clock = [0.0, 0.0]  # when the index was last written, how long it took
        self.started = False  # a run has been handed to the executor
        self.counts = {"ok": 0, "failed": 0, "skipped": 0}
        self.detailed = 0
        self.total, self.progress = total, progress
        self.bar = None

    def record(self, r: RunResult) -> None:
        self.results[r.run] = r
        self.pending.pop(r.run, None)
        self.rows[r.run] = r.row()
        self.lines[r.run] = _csv_line(self.rows[r.run])

    def publish(self, index: bool = False) -> None:
        """``manifest.csv`` now; ``index.html`` when ``index`` or when it is due."""
        results, batch = self.results, self.batch
        batch.runs = [results[r] for r in dict.fromkeys(self.order) if r in results] + \
                     [r for k, r in results.items() if k not in self.order]
        keys = sorted(self.rows)
        code = 1 if self.started else 2
        try:
            batch.manifest = write_manifest(self.out_dir, [], lines=[self.lines[k] for k in keys])
        except OSError as exc:
            raise _write_failed("清单", "manifest", self.out_dir / "manifest.csv", exc, code) from None
        t_pub = time.perf_counter()
        if index or t_pub - self.index_clock[0] >= max(PUBLISH_EVERY, 10 * self.index_clock[1]):
            try:
                shown = {**self.rows, **self.pending}  # a run not finished yet: 进行中/待生成, not its last row
                batch.index = write_index(self.out_dir, [shown[k] for k in sorted(shown)])
            except OSError as exc:
                raise _write_failed("目录页", "index page", self.out_dir / "index.html", exc, code) from None
            self.index_clock[:] = [time.perf_counter(), time.perf_counter() - t_pub]

    def open_bar(self, done: list[RunResult]) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.total, desc="简报 briefings", unit="run", file=sys.stderr,
                        disable=not self.progress, dynamic_ncols=True,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, "
                                   "{rate_fmt}]{postfix}")
        for r in done:
            self.tally(r)
        self.bar.update(len(done))
        for r in done:
            if r.status == "failed":
                self.report_failure(r)

    def tally(self, r: RunResult) -> None:
        counts = self.counts
        counts[r.status if r.status in counts else "failed"] += 1
        self.bar.set_postfix_str(f"成功 ok {counts['ok']} · 失败 failed {counts['failed']} · 跳过 skipped "
                                 f"{counts['skipped']}", refresh=False)

    def report_failure(self, r: RunResult) -> None:
        self.bar.write(f"✗ {printable(r.run)}: {printable(r.error)}", file=sys.stderr)
        if r.details and self.detailed < MAX_DETAILED_FAILURES:
            import textwrap

            self.bar.write(textwrap.indent(r.details, "    "), file=sys.stderr)
            self.detailed += 1

    def finished(self, r: RunResult) -> None:
        """One run came back from the executor."""
        self.record(r)
        self.tally(r)
        self.bar.update(1)
        if r.status == "failed":
            self.report_failure(r)
        self.publish()


def _run_locked(params_paths, out_dir: Path, ex, t0, force, timeout, progress, notebooks_dir, start_timeout,
                stop: _StopSignals, warm_kernel: bool = True) -> BatchResult:
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    paths = expand_params(params_paths)
    # local workers (and their kept kernels) start now: they import while the batch plans
    early = bool(getattr(ex, "early_start", False)) and _likely_work(paths, out_dir, force)
    if early:
        ex.start(len(paths), warm=warm_kernel, start_timeout=start_timeout, warm_data=_data_hint(paths, notebooks_dir))
    try:
        previous = read_manifest(out_dir)
        todo, done = _plan(paths, out_dir, notebooks_dir, force, previous)
        _cleanup_tmp(out_dir, {s["run"] for s in todo})
        for s in todo:
            s.update(timeout=timeout, start_timeout=start_timeout, warm_kernel=bool(warm_kernel))
        todo = _longest_first(todo, previous)
        track = _Tracker(out_dir, [p.stem for p in paths], previous, len(done) + len(todo), progress, t0)
        for r in done:
            track.record(r)
        track.pending = {s["run"]: s.pop("pending_row") for s in todo}
        try:
            track.publish(index=True)  # an unwritable manifest is refused here, before any run starts
        except BatchError as exc:
            exc.batch = track.batch
            raise
    except BaseException:
        if early:
            ex.abort()
        raise
    if early and not todo:
        ex.close()
    track.open_bar(done)
    _execute_all(ex, todo, track, out_dir, notebooks_dir, stop, started=early)
    return track.batch


def _execute_all(ex, todo: list[dict], track: _Tracker, out_dir: Path, notebooks_dir: Path, stop: _StopSignals,
                 started: bool) -> None:
    """Hand ``todo`` to the executor (started already when ``started``), record each run as it
    comes back; then, however it ends, the last manifest and index."""
    failure: BaseException | None = None
    try:
        if todo:
            with ex:
                track.started = True
                try:
                    if not started:
                        ex.start(len(todo))
                    ex.prepare(todo, out_dir, notebooks_dir)
                    if ex.name != "local":
                        track.bar.write(f"执行器 executor: {ex.describe()}", file=sys.stderr)
                    for s, out in ex.as_completed(execute_run, todo):
                        track.finished(_worker_died(s, out, ex.name, out_dir) if isinstance(out, BaseException)
                                       else RunResult.from_row(out))
                except BaseException:
                    ex.abort()  # queued runs cancelled, running ones (local: and their kernels) stopped
                    raise
            _remove_run_tmp(out_dir, {s["run"] for s in todo})
    except BaseException as exc:
        failure = exc
        if ex.name == "local" and todo:  # its workers are gone: their temporary files are stale
            _remove_run_tmp(out_dir, {s["run"] for s in todo})
        raise
    finally:
        _close_batch(track, stop, failure)


def _close_batch(track: _Tracker, stop: _StopSignals, failure: BaseException | None) -> None:
    """The end of a batch, however it ends: the last manifest and index, the partial result on the
    exception that stopped it."""
    batch = track.batch
    track.bar.close()
    batch.seconds = time.perf_counter() - track.t0
    track.pending.clear()  # the batch is over: a run it did not finish shows its last row, as in the manifest
    from balance.running.region_links import relink_region_pages

    batch.warnings += relink_region_pages(track.out_dir, [track.rows[k] for k in sorted(track.rows)])
    stop.hold()
    try:
        track.publish(index=True)
    except BatchError as exc:
        if failure is None:
            exc.batch = batch
            raise
        if not isinstance(failure, BatchError):  # the first failure wins; this one is reported with it
            batch.warnings.append(str(exc))
            failure.add_note(str(exc))
    if failure is not None:
        try:
            failure.batch = batch
        except AttributeError:  # pragma: no cover - an exception type without a __dict__
            pass


def run_report(params_path, out_dir, **kw) -> RunResult:
    """Run one params file (same behaviour and outputs as a batch of one). Returns its result."""
    kw.setdefault("workers", 1)
    kw.setdefault("progress", False)
    batch = run_batch([params_path], out_dir, **kw)
    return batch.runs[0]
