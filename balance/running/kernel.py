"""A kept ("warm") kernel per worker process: start it once, run many notebooks in it.

A fresh papermill kernel costs a kernel start (~0.7 s) plus importing ``balance.briefing``,
pandas and matplotlib in it (~1.5 s) for every briefing. A worker instead keeps one kernel
(:class:`WarmKernel`) for the whole batch:

* at start the kernel imports ``balance.briefing`` (and through it pandas, matplotlib, the
  fonts) once, and records the plotting and warning state it then has (the *baseline*); then
  :func:`warm_up` pays a briefing's first-use costs (seaborn and scipy.stats, the CJK font, one
  figure drawn, pandera's lazy imports) and freezes the heap (``gc.freeze()``), and, when the
  batch names its data file, :func:`warm_inputs` reads and assesses it into the kernel's cache;
* a batch's local workers start their kernels before the batch plans (``start(wait=False)``:
  the preload is queued and the kernel works on it while the parent plans); the first run
  waits for it (the manifest's ``kernel_start`` of that run is the wait);
* before every run the kernel is reset (:data:`RESET_CODE`): the user namespace is emptied
  (``%reset -f``), every figure closed, ``matplotlib.rcParams`` and the warning filters set back
  to the baseline, the execution counter set back to 1, and the run's problems-file environment
  variable set — so a notebook sees what it would see in a fresh kernel that has imported
  ``balance`` (a test compares the HTML of both);
* the kernel is restarted (a new process) after any run that failed or timed out — an error can
  leave half-built state behind, and a timed-out cell may still be running — and after every
  :data:`RESTART_EVERY` runs, so memory cannot creep; a failing notebook therefore never affects
  the next one;
* the kernel's own stdout / stderr (C-level output, ipykernel's log) go to a log file per
  kernel; each run gets the part written while it ran (the worker's ``run.log``).

The notebook is executed with papermill's own pieces (parameter injection, cell metadata with
start / end times, the output notebook with the error on failure) and its nbclient client, only
given this kernel manager and client instead of starting new ones, and with papermill's
per-cell rewrites of the output notebook throttled to one per :data:`SAVE_EVERY` seconds.

``BALANCE_WARM_KERNEL=0`` in the worker's environment (or ``run_batch(..., warm_kernel=False)``)
runs every notebook in its own fresh kernel instead, as before.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from queue import Empty

from balance.running.kernel_warmup import warm_inputs, warm_up  # noqa: F401 - run in the kernel as kernel.<name>

#: Seconds the kernel may take for :data:`PRELOAD_CODE` (on top of the start timeout).
PRELOAD_TIMEOUT = 120

#: Restart the kept kernel after this many runs (bounds memory growth of a long batch).
RESTART_EVERY = int(os.environ.get("BALANCE_RESTART_EVERY", "40") or 40)

#: Run once when the kernel starts: import what every briefing imports first, record the
#: plotting and warning state (the baseline every run is reset to), then :func:`warm_up`.
PRELOAD_CODE = """\
import os as _os
_os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
import warnings as _w, sys as _sys
import matplotlib as _mpl
from balance.reporting import briefing as _briefing  # noqa: F401 - balance, pandas, matplotlib, fonts
import balance.running.kernel as _k
_k._baseline = (dict(_mpl.rcParams), list(_w.filters))
_k.warm_up()
del _os, _w, _sys, _mpl, _briefing, _k
"""


#: Appended to :data:`PRELOAD_CODE` when the batch knows its data file: :func:`warm_inputs`.
WARM_DATA_CODE = """\
import balance.running.kernel as _k
_k.warm_inputs({hint!r})
del _k
"""


#: Run before every notebook: back to the state of a kernel that has just imported ``balance``.
RESET_CODE = """\
get_ipython().run_line_magic("reset", "-f")
def _balance_reset(problems_file):
    import os, warnings, matplotlib, matplotlib.pyplot as plt
    import balance.running.kernel as k
    plt.close("all")
    rc, filters = k._baseline
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(rc)
    warnings.filters[:] = filters
    warnings._filters_mutated()
    if problems_file:
        os.environ[{env!r}] = problems_file
    else:
        os.environ.pop({env!r}, None)
    get_ipython().execution_count = 1
_balance_reset({problems!r})
del _balance_reset
"""

#: Set in the kernel by :data:`PRELOAD_CODE`: (rcParams, warning filters) right after the imports.
_baseline = None


class WarmKernelError(RuntimeError):
    """The kept kernel could not be started or reset."""


class WarmKernel:
    """One kernel kept across the runs of a worker process.

    ``start()`` launches it (kernel name ``python3``) and preloads ``balance``; ``run()``
    executes one notebook in it; ``restart()`` replaces the process; ``shutdown()`` ends it.
    """

    def __init__(self, kernel_name: str = "python3", start_timeout: float = 60):
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self.warm_data: tuple | None = None  # read and assessed at every start (:func:`warm_inputs`)
        self.km = None
        self.kc = None
        self.runs = 0  # runs since the kernel started
        self.starts = 0
        self.log_path: Path | None = None
        self._log = None
        self._pending: tuple[str, float] | None = None  # (preload msg_id, deadline) until it has run

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return self.km is not None and bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def start(self, wait: bool = True) -> "WarmKernel":
        """Launch the kernel process and send it :data:`PRELOAD_CODE`. ``wait=False`` returns at
        once (the kernel imports while the caller does other work); :meth:`prepare` then waits
        for the preload to finish."""
        # nbclient's own classes (asynchronous): its cell timeout relies on the async client
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.shutdown()
        fd, name = tempfile.mkstemp(prefix="balance-kernel-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        self._log = open(self.log_path, "ab", buffering=0)  # noqa: SIM115 - lives with the kernel
        env = dict(os.environ)
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        env.pop("BALANCE_PROBLEMS_FILE", None)  # set per run by RESET_CODE
        km = AsyncKernelManager(kernel_name=self.kernel_name)
        run_sync(km.start_kernel)(stdout=self._log, stderr=self._log, env=env,
                                  extra_arguments=["--HistoryManager.enabled=False"])
        self.km = km
        kc = km.client()
        kc.start_channels()
        kc.allow_stdin = False
        self.kc = kc
        self.runs = 0
        self.starts += 1
        # queued by zmq until the kernel has bound its ports; the kernel runs it first
        code = PRELOAD_CODE
        if self.warm_data:
            code += WARM_DATA_CODE.format(hint=tuple(self.warm_data))
        self._pending = (kc.execute(code, silent=False, store_history=False, allow_stdin=False),
                         time.monotonic() + self.start_timeout + PRELOAD_TIMEOUT)
        if wait:
            self.wait_started()
        return self

    def wait_started(self) -> None:
        """Wait until the kernel has run :data:`PRELOAD_CODE` and answers (after ``start(wait=False)``).
        :class:`WarmKernelError` when it failed, died or took too long (the kernel is shut down)."""
        from jupyter_core.utils import run_sync

        if self._pending is None:
            return
        (msg_id, deadline), self._pending = self._pending, None
        try:
            while True:
                try:
                    reply = run_sync(self.kc.get_shell_msg)(timeout=1)
                except Empty:
                    if not self.alive:
                        raise WarmKernelError("kept kernel died while starting / 常驻内核启动时退出") from None
                    if time.monotonic() > deadline:
                        raise WarmKernelError(f"kept kernel did not start in {self.start_timeout + PRELOAD_TIMEOUT:.0f} s"
                                              f" / 常驻内核未能及时启动") from None
                    continue
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    break
            c = reply["content"]
            if c.get("status") != "ok":
                raise WarmKernelError(f"kept kernel preload failed: {c.get('ename')}: {c.get('evalue')}")
            run_sync(self.kc.wait_for_ready)(timeout=self.start_timeout)  # iopub subscribed, flushed
        except BaseException:
            self.shutdown()
            raise

    def restart(self) -> "WarmKernel":
        return self.start()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        kc, km, self.kc, self.km = self.kc, self.km, None, None
        self._pending = None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        if km is not None:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
            try:
                run_sync(km.cleanup_resources)()
            except Exception:  # noqa: BLE001
                pass
        if self._log is not None:
            try:
                self._log.close()
            except OSError:
                pass
            self._log = None
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def _run_code(self, code: str, timeout: float = 60) -> None:
        """Run plumbing code in the kernel (no history, no outputs kept); raise on error."""
        errors = []

        def hook(msg):
            if msg["msg_type"] == "error":
                errors.append(f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}")

        from jupyter_core.utils import run_sync

        try:
            reply = run_sync(self.kc.execute_interactive)(code, store_history=False, silent=False, timeout=timeout,
                                                output_hook=hook, allow_stdin=False)
        except Exception as exc:  # noqa: BLE001 - TimeoutError, dead kernel
            raise WarmKernelError(f"kept kernel does not answer: {type(exc).__name__}: {exc}") from exc
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise WarmKernelError(f"kept kernel reset failed: {c.get('ename')}: {c.get('evalue')} {' '.join(errors)}")

    def log_offset(self) -> int:
        try:
            return self.log_path.stat().st_size if self.log_path else 0
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(offset)
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- one run -----------------------------------------------------------------------------
    def prepare(self, problems_file: str | None) -> None:
        """Make sure the kernel runs (restart when it died or has done RESTART_EVERY runs) and
        reset it for the next notebook."""
        if self._pending is not None:
            self.wait_started()
        if not self.alive or self.kc is None or self.runs >= RESTART_EVERY:
            self.start()
        self._run_code(RESET_CODE.format(env="BALANCE_PROBLEMS_FILE", problems=problems_file or ""))

    def run(self, nb_file: Path, out_path: Path, parameters: dict, timeout: float | None):
        """Execute ``nb_file`` with ``parameters`` (papermill's injection and metadata) in this
        kernel; write the executed notebook to ``out_path``. Raises like
        :func:`papermill.execute_notebook` (``PapermillExecutionError`` for a cell error).

        papermill rewrites the whole output notebook (JSON, validated) at the start and end of
        every cell: ~70 writes of a notebook that grows to ~0.5 MB of images, 1–4 s of the
        worker's CPU per briefing on a shared machine. Here the output notebook is written when
        the run starts, at most every :data:`SAVE_EVERY` seconds while it runs (so a long run
        still shows its progress), and once at the end — also when execution stops on an
        exception (a timeout: the running cell is recorded as such)."""
        from papermill.engines import NBClientEngine
        from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
        from papermill.iorw import load_notebook_node, write_ipynb
        from papermill.parameterize import parameterize_notebook

        kernel, managers = self, []

        class _Engine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, **kw):
                managers.append(nb_man)
                _throttle_saves(nb_man, SAVE_EVERY)
                return kernel._client(nb_man, kernel_name, timeout).execute()

        self.runs += 1
        nb = load_notebook_node(str(nb_file))
        if parameters:
            nb = parameterize_notebook(nb, parameters, kernel_name=self.kernel_name)
        nb = prepare_notebook_metadata(nb, str(nb_file), str(out_path))
        nb = remove_error_markers(nb)
        try:
            nb = _Engine.execute_notebook(nb, self.kernel_name, output_path=str(out_path), progress_bar=False,
                                          log_output=False)
        except BaseException:
            if managers:  # the state it stopped in (papermill's last save may be older)
                write_ipynb(managers[0].nb, str(out_path))
            raise
        raise_for_execution_errors(nb, str(out_path))  # writes the notebook with the error on top
        write_ipynb(nb, str(out_path))
        return nb

    def _client(self, nb_man, kernel_name: str, timeout: float | None):
        """papermill's nbclient client on this kernel's manager and channels (nothing is started
        or stopped)."""
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.log import logger

        client = PapermillNotebookClient(nb_man, km=self.km, timeout=timeout, kernel_name=kernel_name,
                                         startup_timeout=self.start_timeout, log=logger, log_output=False)
        client.kc = self.kc
        return client


#: While a notebook runs in the kept kernel, its output notebook is rewritten at most this often
#: (seconds); it is always written at the start and at the end.
SAVE_EVERY = 10.0


def _throttle_saves(nb_man, every: float) -> None:
    """Make papermill's per-cell ``save()`` of ``nb_man`` a no-op unless ``every`` seconds have
    passed since the last write."""
    save = nb_man.save

    def throttled(**kw):
        if (nb_man.now() - nb_man.last_save_time).total_seconds() >= every:
            save(**kw)

    nb_man.save = throttled


#: Seconds the last :meth:`WarmKernel.prepare` took (kernel start when needed, reset).
last_prepare = 0.0

#: The kept kernel of this worker process (one per process; the worker runs one notebook at a time).
_KERNEL: WarmKernel | None = None


def warm_enabled(spec: dict | None = None) -> bool:
    if spec is not None and spec.get("warm_kernel") is False:
        return False
    return os.environ.get("BALANCE_WARM_KERNEL", "1").strip().lower() not in ("0", "false", "no", "off")


def get_kernel(start_timeout: float = 60) -> WarmKernel:
    """This process's kept kernel (created on first use; shut down when the process exits)."""
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = WarmKernel(start_timeout=start_timeout)
        import atexit
        import multiprocessing.util as mpu

        atexit.register(shutdown_kernel)  # a plain process
        mpu.Finalize(None, shutdown_kernel, exitpriority=10)  # a multiprocessing worker (no atexit there)
    _KERNEL.start_timeout = start_timeout
    return _KERNEL


def start_early(start_timeout: float = 60, warm_data: tuple | None = None) -> None:
    """Start this process's kept kernel without waiting (a worker does this when it starts, so
    the kernel imports ``balance`` — and reads and assesses ``warm_data``, see :func:`warm_inputs` —
    while the batch is still planning); the first run waits for it. A kernel that
    cannot start here is started again (and its error reported) by that run."""
    try:
        k = get_kernel(start_timeout)
        k.warm_data = tuple(warm_data) if warm_data else None
        k.start(wait=False)
    except Exception:  # noqa: BLE001
        discard_kernel()


def shutdown_kernel() -> None:
    global _KERNEL
    k, _KERNEL = _KERNEL, None
    if k is not None:
        k.shutdown()


def discard_kernel() -> None:
    """After a failed run: the next run gets a new kernel process."""
    if _KERNEL is not None:
        _KERNEL.shutdown()


def kernel_elapsed(t0: float) -> float:
    return round(time.perf_counter() - t0, 2)
