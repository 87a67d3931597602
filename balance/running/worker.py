"""Worker side of a batch: execute one run (papermill → HTML); the kernel's output is captured by
:mod:`balance.running.capture`, the worker dies with the batch by :mod:`balance.running.watchdog`."""
from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from balance.errors import PROBLEMS_FILE_ENV, InputError
from balance.running.capture import NOISE_PATTERNS, _CaptureFds, _filter_noise, _is_noise  # noqa: F401 - NOISE_PATTERNS, _is_noise as before: worker.<name>
from balance.running.manifest import HASH_FILE, _now, _one_line
from balance.running.outdir import (
    RESULTS_MARKER,
    UnsafeOutput,
    check_output_file,
    check_results_dir,
    printable,
    run_name_message,
    run_name_problem,
    safe_replace,
    safe_rmtree,
    safe_unlink,
)
from balance.running.problems import (  # noqa: F401 - CONSOLE_PROBLEMS … as before: worker.<name>
    CONSOLE_PROBLEMS,
    MANIFEST_PROBLEMS,
    _read_problems,
    problem_text,
    problems_line,
    problems_table,
)
from balance.running.results import RunResult
from balance.running.watchdog import (  # noqa: F401 - WATCHDOG_EVERY … as before: worker.<name>
    WATCHDOG_EVERY,
    _batch_gone,
    _descendants,
    _die_with_batch,
    _kill_descendants,
    _pid_gone,
    _watchdog,
    _worker_exit,
)

_KERNEL_START_FAILURES = ("Kernel didn't respond", "Address already in use", "Kernel died before replying",
                          "Kernel died", "kernel_info", "ZMQError")


def _worker_init(batch_pid: int | None = None, warm: bool = False, start_timeout: float = 60,
                 warm_data: tuple | None = None) -> None:
    """Tie the worker to its batch (:func:`_die_with_batch`); with ``warm``, start its kept kernel
    (without waiting: it imports ``balance`` and reads and assesses ``warm_data`` meanwhile);
    import the heavy modules once per worker process and build the HTML exporter."""
    _die_with_batch(batch_pid)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy in kernels
    if warm:
        from balance.running import kernel

        if kernel.warm_enabled():
            kernel.start_early(start_timeout, warm_data)
    import nbformat
    import pandas  # noqa: F401
    import papermill  # noqa: F401

    from balance.reporting import html_export as html

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 预热\n\n## 一\n\n## 二")])
    html.render_html(nb)  # loads templates, mistune, pygments once


def _read_nb(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable notebook has no timings
        return None


def _running_cell(nb) -> int | None:
    """Index of the cell that was executing (the last one that started)."""
    if nb is None:
        return None
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _any_cell_started(nb) -> bool:
    if nb is None:
        return False
    return any(c.get("metadata", {}).get("papermill", {}).get("start_time") for c in nb.cells)


def _is_kernel_start_failure(exc: BaseException, nb) -> bool:
    from nbclient.exceptions import DeadKernelError

    text = f"{type(exc).__name__}: {exc}"
    looks = isinstance(exc, DeadKernelError) or any(s in text for s in _KERNEL_START_FAILURES)
    if type(exc).__name__ == "ZMQError":
        looks = True
    return looks and not _any_cell_started(nb)


def _timings(nb) -> tuple[float | str, float | str]:
    """(kernel start, execution) seconds from papermill's metadata."""
    from dateutil.parser import isoparse

    try:
        t0 = isoparse(nb.metadata["papermill"]["start_time"])
        starts = [c.metadata["papermill"]["start_time"] for c in nb.cells if c.metadata.get("papermill", {}).get("start_time")]
        ends = [c.metadata["papermill"]["end_time"] for c in nb.cells if c.metadata.get("papermill", {}).get("end_time")]
        first, last = isoparse(min(starts)), isoparse(max(ends))
        return (first - t0).total_seconds(), (last - first).total_seconds()
    except Exception:  # noqa: BLE001 - timings are shown when readable, never fail a run
        return "", ""


def remove_stale_outputs(out_dir: Path, run: str, keep_ipynb: bool, protected=()) -> list[str]:
    """A failed run must not leave an earlier briefing that looks current: remove
    ``<run>.html`` and the recorded input hash; unless the run executed (``keep_ipynb``), also the
    previous executed notebook and results folder.

    Every removal goes through the guard of :mod:`balance.running.outdir` (inside ``out_dir`` after
    ``resolve()``, never through a symbolic link, never one of ``protected``); what it refuses is
    left in place and returned as messages. A run name that is not a plain name removes nothing.
    """
    if run_name_problem(run) is not None:
        return [f"运行名称不是普通文件名，未删除任何文件 / not a plain run name, nothing removed: {printable(run)}"]
    out_dir = Path(out_dir)
    ops = [(safe_unlink, out_dir / f"{run}.html"), (safe_unlink, out_dir / run / HASH_FILE)]
    if not keep_ipynb:
        ops += [(safe_unlink, out_dir / f"{run}.ipynb"), (safe_rmtree, out_dir / run)]
    refused = []
    for op, target in ops:
        try:
            op(out_dir, target, protected)
        except UnsafeOutput as exc:
            refused.append(str(exc))
        except OSError as exc:
            if not isinstance(exc, (FileNotFoundError, NotADirectoryError)):
                refused.append(f"{type(exc).__name__}: {exc}")
    return refused


def _remove(out_dir: Path, path: Path) -> None:
    """Remove one of the batch's files in ``out_dir`` (guarded; a refusal is ignored: the file
    stays)."""
    try:
        safe_unlink(out_dir, path)
    except (UnsafeOutput, OSError):
        pass


#: One notebook at a time per process: the kernel's stdout / stderr capture redirects the
#: process's file descriptors (a Dask worker started with more than one thread would otherwise
#: mix two runs' output).
_EXECUTE_LOCK = threading.Lock()


class _Run:
    """One run while :func:`execute_run` works on it: its paths in ``out_dir``, its result row,
    and how it ends (:meth:`fail`, :meth:`refuse`, :meth:`finish`)."""

    def __init__(self, spec: dict):
        self.t_start = time.perf_counter()
        self.spec, self.run, self.out_dir = spec, spec["run"], Path(spec["out_dir"])
        self.protected = [Path(q) for q in spec.get("protected") or ()]
        self.res = RunResult(run=self.run, params=str(spec.get("params_label") or spec["params_path"]),
                             started=_now(), input_hash=spec.get("input_hash") or "")
        self.html_path, self.ipynb_path = self.out_dir / f"{self.run}.html", self.out_dir / f"{self.run}.ipynb"
        self.results_dir = self.out_dir / self.run
        self.tmp_ipynb = self.out_dir / f".{self.run}.{os.getpid()}.tmp.ipynb"
        self.log_text = ""
        self.own_results_dir = False  # the run has made results_dir (a real folder inside out_dir)

    def fail(self, msg: str, keep_ipynb: bool, details: str = "") -> dict:
        """Failed: its stale outputs removed (the executed notebook kept when ``keep_ipynb``)."""
        res = self.res
        refused = remove_stale_outputs(self.out_dir, self.run, keep_ipynb=keep_ipynb, protected=self.protected)
        res.status, res.html, res.details = "failed", "", details
        res.error = _one_line(msg if not refused else f"{msg} ; {refused[0]}", 1500)
        try:
            res.ipynb = self.ipynb_path.name if keep_ipynb and self.ipynb_path.is_file() else ""
        except OSError:
            res.ipynb = ""
        return self.finish()

    def refuse(self, msg: str) -> dict:
        """Failed before anything was touched for this run."""
        res = self.res
        res.status, res.error, res.html, res.ipynb = "failed", _one_line(msg, 1500), "", ""
        return self.finish()

    def finish(self) -> dict:
        r = self.res
        r.seconds = round(time.perf_counter() - self.t_start, 2)
        return {**r.row(), "details": r.details}

    def make_results_dir(self) -> None:
        safe_rmtree(self.out_dir, self.results_dir, self.protected)
        self.results_dir.mkdir(parents=True)
        (self.results_dir / RESULTS_MARKER).write_text("balance results folder / balance 结果文件夹\n", encoding="utf-8")
        self.own_results_dir = True

    def write_log(self) -> None:
        """``<run>/run.log``: what the kernel wrote that is not known noise (when there is any)."""
        if self.log_text and self.own_results_dir:
            try:
                check_results_dir(self.out_dir, self.results_dir, self.protected)
                self.results_dir.mkdir(parents=True, exist_ok=True)
                (self.results_dir / "run.log").write_text(self.log_text + "\n", encoding="utf-8")
            except (OSError, UnsafeOutput):
                pass


def execute_run(spec: dict) -> dict:
    """Validate, execute and export one run (in a worker process: local pool or Dask worker).
    Never raises; returns a manifest row as a dict (plus ``details``: the problem table when the
    run failed on bad input). Picklable by reference, and so is ``spec`` (plain strings and
    numbers), so Dask can ship both to workers on other machines.

    ``spec``: run, params_path, out_dir, notebooks_dir, timeout, input_hash, start_timeout;
    optional params_label (the params path shown in the manifest, when ``params_path`` was made
    absolute for remote workers) and protected (input files inside ``out_dir`` that no delete may
    touch).
    """
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy in kernels
    r = _Run(spec)
    if _batch_gone():  # the batch died while this run was queued: start nothing
        _worker_exit(1)
    bad = run_name_message(r.run, spec.get("params_label") or spec["params_path"])
    if bad:
        return r.refuse(bad)
    try:
        check_results_dir(r.out_dir, r.results_dir, r.protected)
        check_output_file(r.out_dir, r.html_path, r.protected, kind="html")
        check_output_file(r.out_dir, r.ipynb_path, r.protected, kind="ipynb")
    except (UnsafeOutput, OSError) as exc:
        return r.refuse(str(exc))
    try:
        return _validate_execute_export(r)
    except BaseException as exc:  # noqa: BLE001 - a worker must always report
        _remove(r.out_dir, r.tmp_ipynb)
        try:
            keep = r.ipynb_path.is_file()
        except OSError:
            keep = False
        return r.fail(str(exc) if isinstance(exc, UnsafeOutput) else f"{type(exc).__name__}: {exc}", keep_ipynb=keep)
    finally:
        r.write_log()


def _validate_execute_export(r: _Run) -> dict:
    """The run proper: validate its params, execute the notebook, keep the executed notebook,
    export the briefing, record the input hash."""
    from balance.running.params import notebook_parameters, notebook_path, validate_run

    spec, res = r.spec, r.res
    try:
        params, declared = validate_run(spec["params_path"], spec.get("notebooks_dir"))
    except InputError as exc:
        return r.fail(problems_line(exc.headline, exc.problems), keep_ipynb=False,
                      details=problems_table(exc.headline, exc.problems))
    except Exception as exc:  # noqa: BLE001 - unreadable data etc.: this run fails with the message
        return r.fail(f"{type(exc).__name__}: {exc}", keep_ipynb=False)
    res.notebook = params.notebook
    res.county_code = params.county_code or ""
    res.year = "" if params.year is None else str(params.year)
    res.title = params.title or ""
    nb_file = notebook_path(params, spec.get("notebooks_dir"))
    r.make_results_dir()
    error, problems = _execute_captured(r, nb_file, notebook_parameters(params, r.results_dir, declared))
    nb = _keep_notebook(r)
    if error:
        if problems:
            return r.fail(problems_line(error, problems), keep_ipynb=nb is not None,
                          details=problems_table(error, problems))
        return r.fail(error, keep_ipynb=nb is not None)
    if nb is None:
        return r.fail("papermill wrote no executed notebook / 未生成执行后的笔记本", keep_ipynb=False)

    from balance.reporting.html_export import export_html, notebook_errors, notebook_title

    errs = notebook_errors(nb)
    if errs:
        return r.fail(errs[0], keep_ipynb=True)
    res.title = params.title or notebook_title(nb) or ""  # before the export changes nb
    t_exp = time.perf_counter()
    try:
        export_html(r.ipynb_path, r.html_path, title=params.title, nb=nb)
    except Exception as exc:  # noqa: BLE001 - the export's failure is this run's, with the message
        return r.fail(f"HTML export failed / 导出 HTML 失败: {type(exc).__name__}: {exc}", keep_ipynb=True)
    res.export = round(time.perf_counter() - t_exp, 2)
    res.status, res.html, res.ipynb = "ok", r.html_path.name, r.ipynb_path.name
    if res.input_hash:
        (r.results_dir / HASH_FILE).write_text(res.input_hash + "\n", encoding="utf-8")
    return r.finish()


def _execute_captured(r: _Run, nb_file: Path, nb_params: dict) -> tuple[str | None, list]:
    """Execute the notebook with this process's fds 1 / 2 captured and a problems file for the
    kernel; ``(error line or None, the problems the kernel wrote)``. Sets ``r.log_text``."""
    error = None
    kernel_log: list[str] = []  # what the kept kernel wrote to its stdout / stderr during the run
    fd, problems_name = tempfile.mkstemp(prefix="balance-problems-", suffix=".json")
    os.close(fd)
    problems_file = Path(problems_name)
    try:
        with _EXECUTE_LOCK, _CaptureFds() as cap:  # fds 1/2 are per process: one capture at a time
            os.environ[PROBLEMS_FILE_ENV] = str(problems_file)  # the kernel inherits it
            try:
                error = _execute(nb_file, r.tmp_ipynb, nb_params, r.spec, problems_file=str(problems_file),
                                 kernel_log=kernel_log)
            finally:
                os.environ.pop(PROBLEMS_FILE_ENV, None)
        problems = _read_problems(problems_file) if error else []
    finally:
        problems_file.unlink(missing_ok=True)
    r.log_text = _filter_noise("\n".join([cap.text, *kernel_log]))
    return error, problems


def _keep_notebook(r: _Run):
    """The executed notebook (``None`` when none was written): its timings into the result, the
    temporary file renamed to ``<run>.ipynb``."""
    nb = _read_nb(r.tmp_ipynb)
    if nb is not None:
        res = r.res
        res.kernel_start, res.execution = _timings(nb)
        from balance.running import kernel as warm

        if warm.warm_enabled(r.spec) and isinstance(res.kernel_start, float):
            res.kernel_start = round(res.kernel_start + warm.last_prepare, 2)  # kept kernel: its start / reset
        safe_replace(r.out_dir, r.tmp_ipynb, r.ipynb_path, r.protected)
    else:
        _remove(r.out_dir, r.tmp_ipynb)
    return nb


def _execute(nb_file: Path, tmp_ipynb: Path, nb_params: dict, spec: dict, problems_file: str | None = None,
             kernel_log: list | None = None) -> str | None:
    """Execute the notebook, with one retry on kernel start failure. Returns an error line or ``None``.

    In this worker's kept kernel (:mod:`balance.running.kernel`, the default): reset it, run the
    notebook, and replace the kernel when the run failed. With ``spec["warm_kernel"] = False`` or
    ``BALANCE_WARM_KERNEL=0``: ``papermill.execute_notebook`` in a fresh kernel.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from balance.running import kernel as warm

    timeout = spec.get("timeout") or None
    root = Path(spec.get("out_dir") or tmp_ipynb.parent)
    use_warm = warm.warm_enabled(spec)
    for attempt in (1, 2):
        _remove(root, tmp_ipynb)
        k = offset = None
        try:
            if use_warm:
                k = warm.get_kernel(spec.get("start_timeout", 60))
                t_prep = time.perf_counter()
                k.prepare(problems_file)
                warm.last_prepare = time.perf_counter() - t_prep  # start (when needed) + reset
                offset = k.log_offset()
                try:
                    k.run(nb_file, tmp_ipynb, nb_params, timeout)
                finally:
                    if kernel_log is not None:
                        kernel_log.append(k.log_since(offset))
            else:
                papermill.execute_notebook(
                    str(nb_file), str(tmp_ipynb), parameters=nb_params, kernel_name="python3",
                    progress_bar=False, log_output=False, request_save_on_cell_execute=True,
                    execution_timeout=timeout, start_timeout=spec.get("start_timeout", 60),
                )
            return None
        except PapermillExecutionError as exc:
            if use_warm:
                warm.discard_kernel()  # a failed run leaves nothing behind for the next one
            evalue = str(exc.evalue or "")
            if exc.ename == "InputError":  # its problems come from the problems file, listed after this
                evalue = evalue.splitlines()[0] if evalue else evalue
            return f"{exc.ename}: {_one_line(evalue, 300)} (cell {exc.cell_index})"
        except BaseException as exc:  # noqa: BLE001
            if use_warm:
                warm.discard_kernel()
            nb = _read_nb(tmp_ipynb)
            if attempt == 1 and (isinstance(exc, warm.WarmKernelError) or _is_kernel_start_failure(exc, nb)):
                time.sleep(0.5)
                continue
            if isinstance(exc, TimeoutError) or type(exc).__name__ == "CellTimeoutError":
                cell = _running_cell(nb)
                where = f" (cell {cell})" if cell is not None else ""
                return (f"Timeout: 单元格运行超过 {timeout} 秒 / a cell ran longer than {timeout} s{where}")
            if isinstance(exc, KeyboardInterrupt):
                raise
            retried = " (after one retry / 已重试一次)" if attempt == 2 else ""
            return f"{type(exc).__name__}: {_one_line(exc, 300)}{retried}"
    return None  # pragma: no cover
