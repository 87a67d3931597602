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
  standard / county-sheet files when given as paths, the briefing template and
  ``balance.__version__``; a run is ``skipped`` when the hash equals the one recorded for its last
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

import argparse
import csv
import datetime as _dt
import hashlib
import html as _html
import io
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from balance.errors import PROBLEMS_FILE_ENV, InputError, Problem, render_problems
from balance.running.outdir import (
    RESULTS_MARKER, BatchLock, BatchLocked, UnsafeOutput, check_output_file, check_results_dir, printable,
    protected_paths, run_key, run_name_message, run_name_problem, safe_replace, safe_rmtree, safe_unlink,
)

MANIFEST_COLUMNS = [
    "run", "notebook", "status", "html", "ipynb", "error", "title", "county_code", "year", "params",
    "started", "seconds", "kernel_start", "execution", "export", "input_hash",
]
HASH_FILE = ".input-hash"
NOTEBOOK_ZH = {"county_briefing": "县区简报", "county_trend": "县区趋势", "region_overview": "区域总览",
               "explore": "探索"}
STATUS_ZH = {"ok": "✓ 成功", "failed": "✗ 失败", "skipped": "↺ 未变化"}

#: Lines of kernel stderr that are harmless (ipykernel 7 at start-up / shutdown, debugpy).
NOISE_PATTERNS = [
    re.compile(p) for p in (
        r"running over TCP without encryption",
        r"KeyboardInterrupt caught in kernel",
        r"^\s*\d+\.\d+s - ",  # debugpy "frozen modules" warnings
        r"frozen modules|PYDEVD_DISABLE_FILE_VALIDATION|-Xfrozen_modules",
        r"^\s*$",
    )
]
_KERNEL_START_FAILURES = ("Kernel didn't respond", "Address already in use", "Kernel died before replying",
                          "Kernel died", "kernel_info", "ZMQError")


def default_notebooks_dir() -> Path:
    from balance.running.params import DEFAULT_NOTEBOOKS_DIR

    return DEFAULT_NOTEBOOKS_DIR


# --------------------------------------------------------------------------------------------
@dataclass
class RunResult:
    """One run's outcome (one manifest row)."""

    run: str
    notebook: str = ""
    status: str = "failed"  # ok | failed | skipped
    html: str = ""          # relative to DIR ("" when there is no briefing)
    ipynb: str = ""         # relative to DIR ("" when the notebook never executed)
    error: str = ""         # one line
    title: str = ""
    county_code: str = ""
    year: str = ""
    params: str = ""
    started: str = ""
    seconds: float | str = ""
    kernel_start: float | str = ""
    execution: float | str = ""
    export: float | str = ""
    input_hash: str = ""
    #: Not a manifest column: the problem table shown on the console when the run failed on bad
    #: input (several lines).
    details: str = ""

    def row(self) -> dict:
        d = asdict(self)
        for k in ("seconds", "kernel_start", "execution", "export"):
            if isinstance(d[k], float):
                d[k] = f"{d[k]:.2f}"
        return {k: ("" if d[k] is None else d[k]) for k in MANIFEST_COLUMNS}

    @classmethod
    def from_row(cls, row: dict) -> "RunResult":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})


class BatchError(RuntimeError):
    """The batch cannot use its output folder (``--out`` is a file, cannot be created or written,
    the manifest cannot be written). Message: Chinese, then English. ``exit_code`` is 2 when the
    batch was refused before any run started, 1 when writing failed half-way."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
        self.batch: "BatchResult | None" = None


class BatchInterrupted(KeyboardInterrupt):
    """The batch was stopped by a signal (SIGTERM, SIGHUP; Ctrl-C raises KeyboardInterrupt)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@dataclass
class BatchResult:
    """All runs of one batch, plus where the manifest and index are."""

    out_dir: Path
    runs: list[RunResult] = field(default_factory=list)
    manifest: Path | None = None
    index: Path | None = None
    seconds: float = 0.0

    def _with(self, status):
        return [r for r in self.runs if r.status == status]

    @property
    def ok(self) -> list[RunResult]:
        return self._with("ok")

    @property
    def failed(self) -> list[RunResult]:
        return self._with("failed")

    @property
    def skipped(self) -> list[RunResult]:
        return self._with("skipped")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or not self.runs else 0

    def summary(self) -> str:
        n, a, b, c = len(self.runs), len(self.ok), len(self.failed), len(self.skipped)
        lines = [f"完成 {n} 个运行：成功 {a}，失败 {b}，未变化跳过 {c}（{self.seconds:.1f} 秒）"
                 f" / {n} runs: {a} ok, {b} failed, {c} skipped ({self.seconds:.1f} s)"]
        for r in self.failed:
            lines.append(f"  ✗ {printable(r.run)}: {printable(r.error)}")
        if self.manifest:
            lines.append(f"清单 manifest: {self.manifest}")
        if self.index:
            lines.append(f"目录 index:    {self.index}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
def expand_params(paths) -> list[Path]:
    """YAML files as given, folders expanded to their ``*.yaml`` / ``*.yml`` (sorted). Paths that
    do not exist are kept (their run fails with a clear message)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            try:
                out.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".yaml", ".yml")))
            except OSError:  # an unreadable folder: its run fails with "cannot read"
                out.append(p)
        else:
            out.append(p)
    return out


def _sha256_file(path: Path, h: "hashlib._Hash") -> None:
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


_HASH_CACHE: dict[tuple, str] = {}


def _file_digest(path: Path) -> str:
    if path.is_dir():  # a Parquet store: every file's name and content (hidden temp files skipped)
        h = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts)):
            h.update(str(f.relative_to(path)).encode())
            h.update(_file_digest(f).encode())
        return h.hexdigest()
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _HASH_CACHE:
        h = hashlib.sha256()
        _sha256_file(path, h)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


def _template_digest() -> str:
    from balance.reporting.html_export import TEMPLATES_DIR, TEMPLATE_NAME

    h = hashlib.sha256()
    for f in sorted((TEMPLATES_DIR / TEMPLATE_NAME).rglob("*")):
        if f.is_file():
            h.update(f.name.encode())
            _sha256_file(f, h)
    from balance.reporting import html_export

    h.update(Path(html_export.__file__).read_bytes())
    return h.hexdigest()


def input_hash(params, params_path: Path, notebook: Path) -> str:
    """sha256 over everything a briefing depends on (see module docstring)."""
    from balance import __version__

    h = hashlib.sha256()
    h.update(f"balance {__version__}\n".encode())
    h.update(_template_digest().encode())
    for p in (Path(params_path), Path(notebook), Path(params.data)):
        h.update(_file_digest(p).encode())
    if params.standard_is_path():
        h.update(_file_digest(Path(params.standard)).encode())
    else:
        h.update(params.standard.encode())
    if params.county_sheet is not None:
        h.update(_file_digest(Path(params.county_sheet)).encode())
    return h.hexdigest()


def read_manifest(out_dir: str | Path) -> dict[str, dict]:
    """Rows of ``DIR/manifest.csv`` by run name. Rows whose run name is not a plain name (see
    :func:`balance.running.outdir.run_name_problem`; an edited or foreign manifest) are dropped: they are
    never used to build a path."""
    path = Path(out_dir) / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return {row["run"]: {k: (v if isinstance(v, str) else "") for k, v in row.items() if k is not None}
                    for row in csv.DictReader(fh)
                    if isinstance(row.get("run"), str) and run_name_problem(row["run"]) is None}
    except (OSError, csv.Error, KeyError, UnicodeDecodeError):
        return {}


def _csv_line(row: dict) -> str:
    """One manifest row as CSV text; every value printable (no control characters, no bytes that
    are not text), the ``error`` on one line."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    w.writerow({k: printable(_one_line(row.get(k, ""), 4000) if k == "error" else row.get(k, ""))
                for k in MANIFEST_COLUMNS})
    return buf.getvalue()


_CSV_HEADER = ",".join(MANIFEST_COLUMNS) + "\r\n"


def write_manifest(out_dir: Path, rows: list[dict], lines: list[str] | None = None) -> Path:
    """``DIR/manifest.csv`` (UTF-8 with BOM), written atomically. ``lines``: the rows already as
    CSV text (:func:`_csv_line`), which the batch caches to rewrite the manifest after every run."""
    from balance.io.files import atomic_write_text

    body = "".join(lines) if lines is not None else "".join(_csv_line(r) for r in rows)
    return atomic_write_text(Path(out_dir) / "manifest.csv", "\ufeff" + _CSV_HEADER + body)


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# worker side
#: How often a worker checks that its batch is still there (seconds).
WATCHDOG_EVERY = 0.5
_BATCH_PID: int | None = None
_START_PPID: int | None = None


def _pid_gone(pid: int) -> bool:
    """``pid`` no longer runs (or is a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _batch_gone() -> bool:
    """The batch that started this worker has died (this worker was re-parented, or the batch's
    pid is gone)."""
    if _START_PPID is not None and os.getppid() != _START_PPID:
        return True
    return _BATCH_PID is not None and _pid_gone(_BATCH_PID)


def _descendants() -> list[int]:
    """Pids of this process's descendants (the kernels it started and their children)."""
    me = os.getpid()
    try:
        import psutil

        return [c.pid for c in psutil.Process(me).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - a process vanished while listing
        return []
    parents: dict[int, int] = {}
    try:
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", "rb") as fh:
                        parents[int(d)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
    except OSError:
        return []
    out, todo = [], [me]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out.extend(kids)
        todo.extend(kids)
    return out


def _kill_descendants() -> None:
    """SIGKILL every descendant; kernels run in their own session, so also their process group."""
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)
    for pid in _descendants():
        try:
            if hasattr(os, "killpg") and os.getpgid(pid) == pid:
                os.killpg(pid, kill)
            else:
                os.kill(pid, kill)
        except OSError:
            pass


def _worker_exit(code: int) -> None:
    """Stop now: kernels first, then this worker (no clean-up that could start anything)."""
    try:
        _kill_descendants()
    finally:
        os._exit(code)


def _watchdog() -> None:
    while True:
        time.sleep(WATCHDOG_EVERY)
        if _batch_gone():
            _worker_exit(1)


def _die_with_batch(batch_pid: int | None) -> None:
    """Make this worker process (and the kernels it starts) end with the batch that started it.

    * Ctrl-C is the batch's business: the worker ignores SIGINT (the batch then stops it);
    * SIGTERM (sent by the batch when it stops, or by the parent-death signal) kills this worker's
      kernels, then the worker;
    * Linux: ``prctl(PR_SET_PDEATHSIG, SIGTERM)``, so the kernel signals the worker the moment its
      parent (the batch, or the fork server, which itself exits with the batch) dies, even by
      ``kill -9``;
    * everywhere: a watchdog thread checks every :data:`WATCHDOG_EVERY` s that the parent is still
      the one it started with and that the batch's pid still runs.
    """
    global _BATCH_PID, _START_PPID
    _BATCH_PID, _START_PPID = batch_pid, os.getppid()
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda signum, frame: _worker_exit(128 + signum))
    except (ValueError, OSError):  # pragma: no cover - not the main thread
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog remains
            pass
    if _batch_gone():  # the batch died before the line above
        _worker_exit(1)
    threading.Thread(target=_watchdog, name="balance-watchdog", daemon=True).start()


def _worker_init(batch_pid: int | None = None) -> None:
    """Tie the worker to its batch (:func:`_die_with_batch`), import the heavy modules once per
    worker process and build the HTML exporter."""
    _die_with_batch(batch_pid)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy in kernels
    import nbformat
    import pandas  # noqa: F401
    import papermill  # noqa: F401

    from balance.reporting import html_export as html

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 预热\n\n## 一\n\n## 二")])
    html.render_html(nb)  # loads templates, mistune, pygments once


def _is_noise(line: str) -> bool:
    return any(p.search(line) for p in NOISE_PATTERNS)


def _filter_noise(text: str) -> str:
    keep, skip_block = [], False
    for line in text.splitlines():
        if _is_noise(line):
            # ipykernel's multi-line warnings continue on the next lines without a prefix
            skip_block = "without encryption" in line
            continue
        if skip_block and line.startswith((" ", "\t")):
            continue
        skip_block = False
        keep.append(line)
    return "\n".join(keep).strip()


class _CaptureFds:
    """Redirect this process's fd 1 and 2 (inherited by the kernel) to a file while a run
    executes, so kernel chatter never reaches the terminal or corrupts the progress bar."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.file = tempfile.TemporaryFile(mode="w+b")
        self.saved = [os.dup(1), os.dup(2)]
        os.dup2(self.file.fileno(), 1)
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # pragma: no cover
            pass
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        for fd in self.saved:
            os.close(fd)
        self.file.seek(0)
        self.text = self.file.read().decode("utf-8", "replace")
        self.file.close()
        return False


def _one_line(s: str, limit: int = 400) -> str:
    s = re.sub(r"\x1b\[[0-9;]*m", "", str(s))
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _read_nb(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception:
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
    except Exception:
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


#: Problems of a run that failed on bad input: shown on the console (a table) and in the
#: manifest's ``error`` and the index (one line), the first few, then a count.
CONSOLE_PROBLEMS = 5
MANIFEST_PROBLEMS = 3


def _clip(s: str, n: int) -> str:
    s = _one_line(s, 10_000)
    return s if len(s) <= n else s[: n - 1] + "…"


def problem_text(p: Problem) -> str:
    """One problem on one line: where (file, sheet, row, column, value), then Chinese / English."""
    where = []
    if p.file:
        where.append(Path(str(p.file)).name)
    if p.sheet:
        where.append(f"工作表/sheet {p.sheet}")
    if p.row is not None:
        where.append(f"第 {p.row} 行/row {p.row}")
    if p.column:
        where.append(f"列/column {p.column}")
    if p.value not in (None, ""):
        where.append(f"值/value “{_clip(str(p.value), 40)}”")
    head = ", ".join(where)
    return f"{head}: {_clip(p.problem_zh, 200)} / {_clip(p.problem_en, 200)}" if head else \
        f"{_clip(p.problem_zh, 200)} / {_clip(p.problem_en, 200)}"


def problems_line(prefix: str, problems: list[Problem], limit: int = MANIFEST_PROBLEMS) -> str:
    """``prefix: problem; problem; problem; … N more`` (one line, for the manifest and index)."""
    errors = [p for p in problems if p.severity == "error"] or list(problems)
    parts = [problem_text(p) for p in errors[:limit]]
    if len(errors) > limit:
        parts.append(f"… 另有 {len(errors) - limit} 个问题 / {len(errors) - limit} more")
    return _one_line(f"{prefix}: " + "; ".join(parts), 4000) if parts else _one_line(prefix, 4000)


def problems_table(prefix: str, problems: list[Problem], limit: int = CONSOLE_PROBLEMS) -> str:
    """The console form: a summary line and the problem table (file / row / column / value /
    problem in Chinese and English), the first ``limit`` problems, then a count."""
    errors = [p for p in problems if p.severity == "error"] or list(problems)
    return printable(_one_line(prefix, 1000)) + "\n" + "\n".join(
        printable(line) for line in render_problems(errors, limit=limit).splitlines())


def _read_problems(path: Path | None) -> list[Problem]:
    """Problems the kernel wrote (``InputError._render_traceback_``) to ``BALANCE_PROBLEMS_FILE``."""
    import json
    from dataclasses import fields as _fields

    if path is None:
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8") or "[]")
    except (OSError, ValueError):
        return []
    names = {f.name for f in _fields(Problem)}
    out = []
    for d in raw if isinstance(raw, list) else []:
        if isinstance(d, dict) and "problem_zh" in d and "problem_en" in d:
            out.append(Problem(**{k: d.get(k) for k in names if k in d}))
    return out


#: One notebook at a time per process: the kernel's stdout / stderr capture redirects the
#: process's file descriptors (a Dask worker started with more than one thread would otherwise
#: mix two runs' output).
_EXECUTE_LOCK = threading.Lock()


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
    t_start = time.perf_counter()
    out_dir = Path(spec["out_dir"])
    run = spec["run"]
    protected = [Path(q) for q in spec.get("protected") or ()]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy in kernels
    res = RunResult(run=run, params=str(spec.get("params_label") or spec["params_path"]), started=_now(),
                    input_hash=spec.get("input_hash") or "")
    html_path, ipynb_path = out_dir / f"{run}.html", out_dir / f"{run}.ipynb"
    results_dir = out_dir / run
    tmp_ipynb = out_dir / f".{run}.{os.getpid()}.tmp.ipynb"
    log_text = ""
    own_results_dir = [False]  # the run has made results_dir (a real folder inside out_dir)

    def fail(msg: str, keep_ipynb: bool, details: str = "") -> dict:
        refused = remove_stale_outputs(out_dir, run, keep_ipynb=keep_ipynb, protected=protected)
        res.status, res.html, res.details = "failed", "", details
        res.error = _one_line(msg if not refused else f"{msg} ; {refused[0]}", 1500)
        try:
            res.ipynb = ipynb_path.name if keep_ipynb and ipynb_path.is_file() else ""
        except OSError:
            res.ipynb = ""
        return res

    def finish(r: RunResult) -> dict:
        r.seconds = round(time.perf_counter() - t_start, 2)
        return {**r.row(), "details": r.details}

    def refuse(msg: str) -> dict:  # nothing is touched for this run
        res.status, res.error, res.html, res.ipynb = "failed", _one_line(msg, 1500), "", ""
        return finish(res)

    if _batch_gone():  # the batch died while this run was queued: start nothing
        _worker_exit(1)
    bad = run_name_message(run, spec.get("params_label") or spec["params_path"])
    if bad:
        return refuse(bad)
    try:
        check_results_dir(out_dir, results_dir, protected)
        check_output_file(out_dir, html_path, protected, kind="html")
        check_output_file(out_dir, ipynb_path, protected, kind="ipynb")
    except (UnsafeOutput, OSError) as exc:
        return refuse(str(exc))

    try:
        from balance.running.params import notebook_parameters, notebook_path, validate_run

        try:
            params, declared = validate_run(spec["params_path"], spec.get("notebooks_dir"))
        except InputError as exc:
            return finish(fail(problems_line(str(exc), exc.problems), keep_ipynb=False,
                               details=problems_table(str(exc), exc.problems)))
        except Exception as exc:  # unreadable data etc.
            return finish(fail(f"{type(exc).__name__}: {exc}", keep_ipynb=False))
        res.notebook = params.notebook
        res.county_code = params.county_code or ""
        res.year = "" if params.year is None else str(params.year)
        res.title = params.title or ""
        nb_file = notebook_path(params, spec.get("notebooks_dir"))

        safe_rmtree(out_dir, results_dir, protected)
        results_dir.mkdir(parents=True)
        (results_dir / RESULTS_MARKER).write_text("balance results folder / balance 结果文件夹\n", encoding="utf-8")
        own_results_dir[0] = True
        nb_params = notebook_parameters(params, results_dir, declared)

        error = None
        fd, problems_name = tempfile.mkstemp(prefix="balance-problems-", suffix=".json")
        os.close(fd)
        problems_file = Path(problems_name)
        try:
            with _EXECUTE_LOCK, _CaptureFds() as cap:  # fds 1/2 are per process: one capture at a time
                os.environ[PROBLEMS_FILE_ENV] = str(problems_file)  # the kernel inherits it
                try:
                    error = _execute(nb_file, tmp_ipynb, nb_params, spec)
                finally:
                    os.environ.pop(PROBLEMS_FILE_ENV, None)
            problems = _read_problems(problems_file) if error else []
        finally:
            problems_file.unlink(missing_ok=True)
        log_text = _filter_noise(cap.text)
        nb = _read_nb(tmp_ipynb)
        if nb is not None:
            res.kernel_start, res.execution = _timings(nb)
            safe_replace(out_dir, tmp_ipynb, ipynb_path, protected)
        else:
            _remove(out_dir, tmp_ipynb)
        if error:
            if problems:
                return finish(fail(problems_line(error, problems), keep_ipynb=nb is not None,
                                   details=problems_table(error, problems)))
            return finish(fail(error, keep_ipynb=nb is not None))
        if nb is None:
            return finish(fail("papermill wrote no executed notebook / 未生成执行后的笔记本", keep_ipynb=False))

        from balance.reporting.html_export import export_html, notebook_errors, notebook_title

        errs = notebook_errors(nb)
        if errs:
            return finish(fail(errs[0], keep_ipynb=True))
        t_exp = time.perf_counter()
        try:
            export_html(ipynb_path, html_path, title=params.title)
        except Exception as exc:
            return finish(fail(f"HTML export failed / 导出 HTML 失败: {type(exc).__name__}: {exc}", keep_ipynb=True))
        res.export = round(time.perf_counter() - t_exp, 2)
        res.title = params.title or notebook_title(nb) or ""
        res.status, res.html, res.ipynb = "ok", html_path.name, ipynb_path.name
        if res.input_hash:
            (results_dir / HASH_FILE).write_text(res.input_hash + "\n", encoding="utf-8")
        return finish(res)
    except BaseException as exc:  # noqa: BLE001 - a worker must always report
        _remove(out_dir, tmp_ipynb)
        try:
            keep = ipynb_path.is_file()
        except OSError:
            keep = False
        msg = str(exc) if isinstance(exc, UnsafeOutput) else f"{type(exc).__name__}: {exc}"
        return finish(fail(msg, keep_ipynb=keep))
    finally:
        if log_text and own_results_dir[0]:
            try:
                check_results_dir(out_dir, results_dir, protected)
                results_dir.mkdir(parents=True, exist_ok=True)
                (results_dir / "run.log").write_text(log_text + "\n", encoding="utf-8")
            except (OSError, UnsafeOutput):
                pass


def _execute(nb_file: Path, tmp_ipynb: Path, nb_params: dict, spec: dict) -> str | None:
    """papermill with one retry on kernel start failure. Returns an error line or ``None``."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    timeout = spec.get("timeout") or None
    root = Path(spec.get("out_dir") or tmp_ipynb.parent)
    for attempt in (1, 2):
        _remove(root, tmp_ipynb)
        try:
            papermill.execute_notebook(
                str(nb_file), str(tmp_ipynb), parameters=nb_params, kernel_name="python3",
                progress_bar=False, log_output=False, request_save_on_cell_execute=True,
                execution_timeout=timeout, start_timeout=spec.get("start_timeout", 60),
            )
            return None
        except PapermillExecutionError as exc:
            return f"{exc.ename}: {_one_line(exc.evalue, 300)} (cell {exc.cell_index})"
        except BaseException as exc:  # noqa: BLE001
            nb = _read_nb(tmp_ipynb)
            if attempt == 1 and _is_kernel_start_failure(exc, nb):
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


# --------------------------------------------------------------------------------------------
# parent side
def _plan(paths: list[Path], out_dir: Path, notebooks_dir, force: bool, previous: dict) -> tuple[list[dict], list[RunResult]]:
    """Specs to execute and results already decided (skipped, invalid, refused names).

    A params file whose name is not a plain run name, or whose outputs would land on a symbolic
    link, a folder where a file belongs or one of the run's inputs, fails here and nothing in
    ``out_dir`` is touched for it.
    """
    from balance.running.params import NOTEBOOKS, input_paths, load_params, notebook_path

    done: list[RunResult] = []
    seen: dict[str, Path] = {}
    entries = []
    for p in paths:
        run, label = p.stem, printable(p)
        bad = run_name_message(run, p)
        if bad:  # refused before anything reads or touches a path built from the name
            key = printable(run) or "(空 empty)"
            done.append(RunResult(run=key if key not in {r.run for r in done} else f"{key}@{len(done)}",
                                  params=label, started=_now(), seconds=0.0, error=bad))
            continue
        key = run_key(run)
        if key in seen:
            other = printable(seen[key])
            done.append(RunResult(run=f"{run}@{len(done)}", params=label, started=_now(), seconds=0.0,
                                  error=_one_line(f"运行名称重复：{label} 与 {other} 的文件名相同（不分大小写）/ duplicate "
                                                  f"run name: {label} and {other} have the same file name (ignoring "
                                                  f"case)")))
            continue
        seen[key] = p
        params = exc = None
        try:
            params = load_params(p, notebooks_dir)
        except InputError as e:  # invalid file: fails its own run, no worker needed
            exc = e
        except Exception:  # noqa: BLE001 - the worker reports the problem as this run's error
            pass
        entries.append((p, run, params, exc))

    # the inputs that lie inside out_dir: no delete or replace of the batch may touch them
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    inputs: list = [p for p, *_ in entries] + [nb_dir / f"{n}.ipynb" for n in NOTEBOOKS]
    for p, _, params, _ in entries:
        if params is not None:
            inputs += [params.data, params.county_sheet, params.standard if params.standard_is_path() else None]
        else:  # an invalid file: what it names, as far as it can be read
            inputs += input_paths(p)
    protected = protected_paths(inputs, out_dir)

    todo = []
    for p, run, params, exc in entries:
        html, ipynb = out_dir / f"{run}.html", out_dir / f"{run}.ipynb"
        try:
            check_results_dir(out_dir, out_dir / run, protected)
            check_output_file(out_dir, html, protected, kind="html")
            check_output_file(out_dir, ipynb, protected, kind="ipynb")
        except (UnsafeOutput, OSError) as e:
            done.append(RunResult(run=run, params=str(p), started=_now(), seconds=0.0, error=_one_line(str(e), 1500)))
            continue
        if exc is not None:
            remove_stale_outputs(out_dir, run, keep_ipynb=False, protected=protected)
            done.append(RunResult(run=run, params=str(p), started=_now(), seconds=0.0,
                                  error=problems_line(str(exc), exc.problems),
                                  details=problems_table(str(exc), exc.problems)))
            continue
        h = ""
        if params is not None:
            try:
                h = input_hash(params, p, notebook_path(params, notebooks_dir))
            except Exception:  # noqa: BLE001 - unreadable input: the worker reports it
                h = ""
        prev = previous.get(run, {})
        hash_file = out_dir / run / HASH_FILE
        try:
            recorded = hash_file.read_text(encoding="utf-8").strip() if hash_file.is_file() else ""
        except (OSError, UnicodeDecodeError):
            recorded = ""
        if (not force and h and recorded == h and html.is_file() and ipynb.is_file()):
            r = RunResult.from_row(prev) if prev else RunResult(run=run)
            r.run, r.status, r.error, r.started, r.seconds = run, "skipped", "", _now(), 0.0
            r.kernel_start = r.execution = r.export = ""
            r.html, r.ipynb, r.input_hash, r.params = html.name, ipynb.name, h, str(p)
            if params is not None:
                r.notebook = params.notebook
                r.county_code = params.county_code or ""
                r.year = "" if params.year is None else str(params.year)
                r.title = params.title or r.title
            done.append(r)
            continue
        todo.append({"run": run, "params_path": str(p), "out_dir": str(out_dir),
                     "notebooks_dir": str(notebooks_dir) if notebooks_dir else None, "input_hash": h,
                     "protected": sorted(map(str, protected))})
    return todo, done


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


#: Modules the fork server imports once; workers forked from it start in ~0.1 s instead of
#: re-importing papermill / nbconvert / pandas (~3 s each on a small machine).
PRELOAD = ["balance.running.batch", "balance.running.params", "balance.reporting.html_export", "papermill", "nbclient", "nbformat",
           "nbconvert", "pandas", "yaml", "pydantic", "jupyter_client"]


def _mp_context():
    """``forkserver`` (Linux, macOS) with the heavy modules preloaded, else ``spawn`` (Windows).
    Never plain ``fork``: the parent may hold threads (tqdm, asyncio)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


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


def _prepare_out_dir(out_dir) -> tuple[Path, list[Path]]:
    """``out_dir`` resolved and created; the folders this created (to remove again, when empty, if
    the batch is refused). :class:`BatchError` when it cannot be a folder."""
    shown = printable(out_dir)
    if not str(out_dir).strip():
        raise BatchError("--out 为空：请给出输出文件夹 / --out is empty: give the output folder")
    try:
        out = Path(out_dir).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise BatchError(f"输出文件夹路径无效：{shown}（{exc}）/ invalid output folder path: {shown} ({exc})") from None
    if out.exists() and not out.is_dir():
        raise BatchError(f"--out 指向一个已存在的文件，而不是文件夹：{shown}；请给出一个文件夹 / --out names an existing "
                         f"file, not a folder: {shown}; give a folder")
    created = []
    d = out
    while not d.exists() and d != d.parent:
        created.append(d)
        d = d.parent
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BatchError(f"无法创建输出文件夹 {shown}：路径中有一段是文件 / cannot create the output folder {shown}: "
                         f"part of the path is a file") from None
    except OSError as exc:
        raise BatchError(f"无法创建输出文件夹 {shown}：{exc.strerror or exc} / cannot create the output folder "
                         f"{shown}: {exc.strerror or exc}") from None
    return out, created


def _remove_if_empty(dirs: list[Path]) -> None:
    for d in dirs:  # innermost first
        try:
            d.rmdir()
        except OSError:
            return


def _write_failed(what_zh: str, what_en: str, path: Path, exc: OSError, exit_code: int) -> BatchError:
    why = exc.strerror or str(exc)
    hint_zh, hint_en = "", ""
    import errno

    if exc.errno == errno.ENOSPC:
        hint_zh, hint_en = "（磁盘已满）", " (the disk is full)"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint_zh, hint_en = "（没有写入权限或为只读）", " (no permission to write, or read-only)"
    p = printable(path)
    return BatchError(f"无法写入{what_zh} {p}：{why}{hint_zh} / cannot write the {what_en} {p}: {why}{hint_en}",
                      exit_code=exit_code)


_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


def _raise_interrupted(signum, frame):
    raise BatchInterrupted(signum)


class _StopSignals:
    """While a batch runs (main thread only): SIGTERM and SIGHUP raise :class:`BatchInterrupted`
    (Ctrl-C raises KeyboardInterrupt), so the batch stops its workers and writes its manifest
    instead of dying on the spot. ``hold()``: ignore stop signals while the last manifest is
    written."""

    def __init__(self):
        self.saved: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in _STOP_SIGNALS:
                try:
                    self.saved[sig] = signal.signal(sig, _raise_interrupted)
                except (ValueError, OSError):  # pragma: no cover
                    pass
        return self

    def hold(self):
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (*_STOP_SIGNALS, signal.SIGINT):
            try:
                self.saved.setdefault(sig, signal.signal(sig, signal.SIG_IGN))
            except (ValueError, OSError):  # pragma: no cover
                pass

    def __exit__(self, *exc):
        for sig, old in self.saved.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError, TypeError):  # pragma: no cover
                pass
        return False


def run_batch(params_paths, out_dir, workers: int | None = None, force: bool = False, timeout: float | None = 600,
              progress: bool = True, notebooks_dir: str | Path | None = None,
              start_timeout: float = 60, executor: str = "local", scheduler=None) -> BatchResult:
    """Run every params file (YAML files or folders of them) and export the briefings.

    ``executor``: ``"local"`` (worker processes on this machine, ``workers`` of them, default
    the CPU count) or ``"dask"`` (Dask distributed: a LocalCluster of ``workers`` processes with
    one thread each, or the existing cluster at ``scheduler`` — an address such as
    ``tcp://host:8786`` or a ``distributed.Client``; see :mod:`balance.running.executors`). Planning,
    skip-if-unchanged, outputs and manifest are the same for both.

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
                               start_timeout, stop)
    finally:
        lock.release()
        _remove_if_empty(created)  # only when nothing was written (refused before the first run)


def _run_locked(params_paths, out_dir: Path, ex, t0, force, timeout, progress, notebooks_dir, start_timeout,
                stop: _StopSignals) -> BatchResult:
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    paths = expand_params(params_paths)
    previous = read_manifest(out_dir)
    todo, done = _plan(paths, out_dir, notebooks_dir, force, previous)
    _cleanup_tmp(out_dir, {s["run"] for s in todo})
    for s in todo:
        s["timeout"] = timeout
        s["start_timeout"] = start_timeout

    results: dict[str, RunResult] = {}
    order = [p.stem for p in paths]
    batch = BatchResult(out_dir=out_dir)
    rows: dict[str, dict] = dict(previous)
    lines: dict[str, str] = {k: _csv_line(v) for k, v in previous.items()}  # rows as CSV text
    index_clock = [0.0, 0.0]  # when the index was last written, how long it took
    started = [False]  # a run has been handed to the executor

    def record(r: RunResult) -> None:
        results[r.run] = r
        rows[r.run] = r.row()
        lines[r.run] = _csv_line(rows[r.run])

    def publish(index: bool = False) -> None:
        batch.runs = [results[r] for r in dict.fromkeys(order) if r in results] + \
                     [r for k, r in results.items() if k not in order]
        keys = sorted(rows)
        code = 1 if started[0] else 2
        try:
            batch.manifest = write_manifest(out_dir, [], lines=[lines[k] for k in keys])
        except OSError as exc:
            raise _write_failed("清单", "manifest", out_dir / "manifest.csv", exc, code) from None
        t_pub = time.perf_counter()
        if index or t_pub - index_clock[0] >= max(PUBLISH_EVERY, 10 * index_clock[1]):
            try:
                batch.index = write_index(out_dir, [rows[k] for k in keys])
            except OSError as exc:
                raise _write_failed("目录页", "index page", out_dir / "index.html", exc, code) from None
            index_clock[:] = [time.perf_counter(), time.perf_counter() - t_pub]

    from tqdm.auto import tqdm

    for r in done:
        record(r)
    try:
        publish(index=True)  # an unwritable manifest is refused here, before any run starts
    except BatchError as exc:
        exc.batch = batch
        raise
    bar = tqdm(total=len(done) + len(todo), desc="简报 briefings", unit="run", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    bar.update(len(done))
    detailed = [0]

    def report_failure(r: RunResult) -> None:
        bar.write(f"✗ {printable(r.run)}: {printable(r.error)}", file=sys.stderr)
        if r.details and detailed[0] < MAX_DETAILED_FAILURES:
            import textwrap

            bar.write(textwrap.indent(r.details, "    "), file=sys.stderr)
            detailed[0] += 1

    for r in done:
        if r.status == "failed":
            report_failure(r)
    failure: BaseException | None = None
    try:
        if todo:
            with ex:
                started[0] = True
                try:
                    ex.start(len(todo))
                    ex.prepare(todo, out_dir, notebooks_dir)
                    if ex.name != "local":
                        bar.write(f"执行器 executor: {ex.describe()}", file=sys.stderr)
                    for s, out in ex.as_completed(execute_run, todo):
                        if isinstance(out, BaseException):
                            r = _worker_died(s, out, ex.name, out_dir)
                        else:
                            r = RunResult.from_row(out)
                        record(r)
                        bar.update(1)
                        if r.status == "failed":
                            report_failure(r)
                        publish()
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
        bar.close()
        batch.seconds = time.perf_counter() - t0
        stop.hold()
        try:
            publish(index=True)
        except BatchError as exc:
            if failure is None:
                exc.batch = batch
                raise
            if not isinstance(failure, BatchError):
                print(str(exc), file=sys.stderr)
        if failure is not None:
            try:
                failure.batch = batch
            except AttributeError:  # pragma: no cover - an exception type without a __dict__
                pass
    return batch


def run_report(params_path, out_dir, **kw) -> RunResult:
    """Run one params file (same behaviour and outputs as a batch of one). Returns its result."""
    kw.setdefault("workers", 1)
    kw.setdefault("progress", False)
    batch = run_batch([params_path], out_dir, **kw)
    return batch.runs[0]


# --------------------------------------------------------------------------------------------
def _results_json(out_dir: Path, run: str) -> dict:
    import json

    if run_name_problem(run) is not None:  # never a path built from a name that is not plain
        return {}
    p = out_dir / run / "results.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except Exception:
        return {}


def _href(name: str) -> str:
    """A relative link to a file of ``DIR`` (percent-encoded: ``#``, ``?``, spaces and Chinese
    text in a run name stay part of the file name), HTML-escaped."""
    from urllib.parse import quote

    return _html.escape(quote(name, safe=""), quote=True)


def write_index(out_dir: Path, rows: list[dict]) -> Path:
    """``DIR/index.html``: every run with its title, type, county, year, status, briefing and
    audit-log links, and the error of failed runs. Offline, styled like the briefings."""
    from balance import __version__
    from balance.io.files import atomic_write_text
    from balance.reporting.html_export import briefing_css

    def e(text) -> str:  # every text from data, params or the manifest: escaped, control characters shown
        return _html.escape(printable(text), quote=True)

    def own_file(run: str, name: str, suffix: str) -> bool:  # a link only to this run's own output file
        return bool(name) and run_name_problem(run) is None and name == f"{run}{suffix}" and (out_dir / name).is_file()

    n_ok = sum(r.get("status") == "ok" for r in rows)
    n_fail = sum(r.get("status") == "failed" for r in rows)
    n_skip = sum(r.get("status") == "skipped" for r in rows)
    body = []
    for i, r in enumerate(rows, 1):
        extra = _results_json(out_dir, r["run"])
        title = r.get("title") or extra.get("title") or ""
        if not title:
            name = extra.get("county_name") or r.get("county_code") or ""
            title = " ".join(x for x in (str(name), f"{r['year']} 年" if r.get("year") else "",
                                         NOTEBOOK_ZH.get(r.get("notebook", ""), "")) if x) or r["run"]
        has_html = own_file(r["run"], r.get("html") or "", ".html")
        name = f'<a href="{_href(r["html"])}">{e(title)}</a>' if has_html else e(title)
        log = (f'<a href="{_href(r["ipynb"])}">{e(r["ipynb"])}</a>'
               if own_file(r["run"], r.get("ipynb") or "", ".ipynb") else "")
        status = r.get("status", "")
        body.append(
            f'<tr class="row-{e(status)}"><td class="num">{i}</td><td>{name}<br><span class="muted">{e(r["run"])}</span></td>'
            f'<td class="nowrap">{e(NOTEBOOK_ZH.get(r.get("notebook", ""), r.get("notebook", "")))}</td>'
            f'<td>{e(r.get("county_code", ""))}</td><td class="num">{e(str(r.get("year", "")))}</td>'
            f'<td class="nowrap status-{e(status)}">{e(STATUS_ZH.get(status, status))}</td>'
            f'<td>{log}</td><td class="error">{e(r.get("error", ""))}</td></tr>')
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>简报目录 · 义务教育优质均衡发展评估</title>
<style>
{briefing_css()}
</style>
</head>
<body class="balance-index">
<main>
<div class="cover"><h1>简报目录</h1><p class="subtitle">义务教育优质均衡发展评估 · 资源配置</p>
<dl><dt>运行总数</dt><dd>{len(rows)}</dd><dt>成功</dt><dd>{n_ok}</dd><dt>失败</dt><dd>{n_fail}</dd>
<dt>未变化（沿用上次结果）</dt><dd>{n_skip}</dd><dt>生成时间</dt><dd>{generated}</dd></dl></div>
{'<div class="callout fail">有 %d 个运行失败，见下表“错误”列；执行记录（.ipynb）中保留了出错的单元格。</div>' % n_fail if n_fail else ''}
<table class="balance-table">
<thead><tr><th class="num">序号</th><th>简报</th><th>类型</th><th>县区代码</th><th class="num">年份</th><th>状态</th><th>执行记录</th><th>错误</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
<p class="footer">由 balance {e(__version__)} 生成。简报为独立的 HTML 文件，可离线打开、打印（A4）。执行记录为运行后的笔记本（审计日志）；清单见 <a href="manifest.csv">manifest.csv</a>。</p>
</main>
</body>
</html>
"""
    return atomic_write_text(out_dir / "index.html", page)


# --------------------------------------------------------------------------------------------
# command line
def _stopped(exc: BaseException) -> int:
    """Report a batch stopped by Ctrl-C or a signal; the exit code 128 + signal number."""
    batch = getattr(exc, "batch", None)
    if batch is not None:
        print(batch.summary())
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
    return getattr(exc, "exit_code", 2)


def _cmd_batch(args: argparse.Namespace) -> int:
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
        return 2
    except (BatchError, BatchLocked) as exc:
        return _refused(exc)
    except KeyboardInterrupt as exc:
        return _stopped(exc)
    print(batch.summary())
    return batch.exit_code


def _cmd_report(args: argparse.Namespace) -> int:
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


def _count(text: str) -> int:
    """``--workers``: a whole number ≥ 1."""
    try:
        v = int(text)
    except ValueError:
        v = 0
    if v < 1:
        raise argparse.ArgumentTypeError(f"应为不小于 1 的整数，而不是 {text!r} / must be a whole number ≥ 1, not {text!r}")
    return v


def register_cli(subparsers) -> None:
    """Add ``batch`` and ``report`` to the ``balance`` command's subparsers."""
    def common(p):
        p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹 / output folder")
        p.add_argument("--force", action="store_true", help="即使输入未变化也重新运行 / rerun even if inputs are unchanged")
        p.add_argument("--timeout", type=_seconds, default=600, metavar="S",
                       help="每个单元格的超时秒数 / per-cell execution timeout in seconds (default 600)")
        p.add_argument("--notebooks", default=None, metavar="DIR", help=argparse.SUPPRESS)

    b = subparsers.add_parser("batch", help="批量运行笔记本并导出 HTML 简报 / run notebooks and export HTML briefings",
                              description="PARAMS: YAML 参数文件或其所在文件夹 / YAML params files or folders of them")
    b.add_argument("params", nargs="+", metavar="PARAMS")
    common(b)
    b.add_argument("--workers", type=_count, default=None, metavar="N",
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

    r = subparsers.add_parser("report", help="运行一个参数文件 / run one params file")
    r.add_argument("params", metavar="PARAMS.yaml")
    common(r)
    r.set_defaults(func=_cmd_report)
