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

* every run is validated first (:func:`balance.params.validate_run`); an invalid params file
  fails its own run, the others go on;
* each run executes in a worker process (``ProcessPoolExecutor``; ``forkserver`` context with
  papermill / nbconvert / pandas preloaded where available, ``spawn`` on Windows; default
  ``os.cpu_count()`` workers) with its own kernel (``python3``), a per-cell execution timeout and a
  60 s kernel start timeout; a kernel start failure is retried once;
* ``--executor dask`` (``run_batch(..., executor="dask", scheduler=ADDRESS)``) runs the same
  runs as tasks on Dask distributed instead — a LocalCluster, or an existing cluster whose
  workers all see ``DIR`` at the same absolute path — with the same planning, outputs and
  manifest; a run whose worker dies is retried once on another worker (:mod:`balance.executors`);
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
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from balance.errors import InputError

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
    from balance.params import DEFAULT_NOTEBOOKS_DIR

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
            lines.append(f"  ✗ {r.run}: {r.error}")
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
            out.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".yaml", ".yml")))
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
    from balance.html import TEMPLATES_DIR, TEMPLATE_NAME

    h = hashlib.sha256()
    for f in sorted((TEMPLATES_DIR / TEMPLATE_NAME).rglob("*")):
        if f.is_file():
            h.update(f.name.encode())
            _sha256_file(f, h)
    h.update(Path(__file__).with_name("html.py").read_bytes())
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
    path = Path(out_dir) / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return {row["run"]: row for row in csv.DictReader(fh) if row.get("run")}
    except (OSError, csv.Error, KeyError, UnicodeDecodeError):
        return {}


def write_manifest(out_dir: Path, rows: list[dict]) -> Path:
    from balance.atomic import atomic_write_text

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return atomic_write_text(Path(out_dir) / "manifest.csv", "\ufeff" + buf.getvalue())


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# worker side
def _worker_init() -> None:
    """Import the heavy modules once per worker process and build the HTML exporter."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy in kernels
    import nbformat
    import pandas  # noqa: F401
    import papermill  # noqa: F401

    from balance import html

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


def remove_stale_outputs(out_dir: Path, run: str, keep_ipynb: bool) -> None:
    """A failed run must not leave an earlier briefing that looks current: remove
    ``<run>.html`` and the recorded input hash; unless the run executed (``keep_ipynb``), also the
    previous executed notebook and results folder."""
    _remove(out_dir / f"{run}.html")
    _remove(out_dir / run / HASH_FILE)
    if not keep_ipynb:
        _remove(out_dir / f"{run}.ipynb")
        shutil.rmtree(out_dir / run, ignore_errors=True)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


#: One notebook at a time per process: the kernel's stdout / stderr capture redirects the
#: process's file descriptors (a Dask worker started with more than one thread would otherwise
#: mix two runs' output).
_EXECUTE_LOCK = threading.Lock()


def execute_run(spec: dict) -> dict:
    """Validate, execute and export one run (in a worker process: local pool or Dask worker).
    Never raises; returns a manifest row as a dict. Picklable by reference, and so is ``spec``
    (plain strings and numbers), so Dask can ship both to workers on other machines.

    ``spec``: run, params_path, out_dir, notebooks_dir, timeout, input_hash, start_timeout;
    optional params_label (the params path shown in the manifest, when ``params_path`` was made
    absolute for remote workers).
    """
    t_start = time.perf_counter()
    out_dir = Path(spec["out_dir"])
    run = spec["run"]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy in kernels
    res = RunResult(run=run, params=str(spec.get("params_label") or spec["params_path"]), started=_now(),
                    input_hash=spec.get("input_hash") or "")
    html_path, ipynb_path = out_dir / f"{run}.html", out_dir / f"{run}.ipynb"
    results_dir = out_dir / run
    tmp_ipynb = out_dir / f".{run}.{os.getpid()}.tmp.ipynb"
    log_text = ""

    def fail(msg: str, keep_ipynb: bool) -> dict:
        remove_stale_outputs(out_dir, run, keep_ipynb=keep_ipynb)
        res.status, res.error, res.html = "failed", _one_line(msg, 1000), ""
        res.ipynb = ipynb_path.name if keep_ipynb and ipynb_path.exists() else ""
        return res

    def finish(r: RunResult) -> dict:
        r.seconds = round(time.perf_counter() - t_start, 2)
        return r.row()

    try:
        from balance.params import error_line, notebook_parameters, notebook_path, validate_run

        try:
            params, declared = validate_run(spec["params_path"], spec.get("notebooks_dir"))
        except InputError as exc:
            return finish(fail(error_line(exc), keep_ipynb=False))
        except Exception as exc:  # unreadable data etc.
            return finish(fail(f"{type(exc).__name__}: {exc}", keep_ipynb=False))
        res.notebook = params.notebook
        res.county_code = params.county_code or ""
        res.year = "" if params.year is None else str(params.year)
        res.title = params.title or ""
        nb_file = notebook_path(params, spec.get("notebooks_dir"))

        if results_dir.exists():
            shutil.rmtree(results_dir)
        results_dir.mkdir(parents=True)
        nb_params = notebook_parameters(params, results_dir, declared)

        error = None
        with _EXECUTE_LOCK, _CaptureFds() as cap:  # fds 1/2 are per process: one capture at a time
            error = _execute(nb_file, tmp_ipynb, nb_params, spec)
        log_text = _filter_noise(cap.text)
        nb = _read_nb(tmp_ipynb)
        if nb is not None:
            res.kernel_start, res.execution = _timings(nb)
            os.replace(tmp_ipynb, ipynb_path)
        else:
            _remove(tmp_ipynb)
        if error:
            return finish(fail(error, keep_ipynb=nb is not None))
        if nb is None:
            return finish(fail("papermill wrote no executed notebook / 未生成执行后的笔记本", keep_ipynb=False))

        from balance.html import export_html, notebook_errors, notebook_title

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
        _remove(tmp_ipynb)
        return finish(fail(f"{type(exc).__name__}: {exc}", keep_ipynb=ipynb_path.exists()))
    finally:
        if log_text:
            try:
                results_dir.mkdir(parents=True, exist_ok=True)
                (results_dir / "run.log").write_text(log_text + "\n", encoding="utf-8")
            except OSError:
                pass


def _execute(nb_file: Path, tmp_ipynb: Path, nb_params: dict, spec: dict) -> str | None:
    """papermill with one retry on kernel start failure. Returns an error line or ``None``."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    timeout = spec.get("timeout") or None
    for attempt in (1, 2):
        _remove(tmp_ipynb)
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
    """Specs to execute and results already decided (skipped or duplicate names)."""
    from balance.params import load_params, notebook_path

    todo, done, seen = [], [], {}
    for p in paths:
        run = p.stem
        if run in seen:
            done.append(RunResult(run=f"{run}@{len(done)}", params=str(p), started=_now(),
                                  error=_one_line(f"运行名称重复：{p} 与 {seen[run]} 的文件名相同 / duplicate run name: "
                                                  f"{p} and {seen[run]} have the same file name")))
            continue
        seen[run] = p
        h = ""
        params = None
        try:
            params = load_params(p, notebooks_dir)
            h = input_hash(params, p, notebook_path(params, notebooks_dir))
        except InputError as exc:  # invalid file: fails its own run, no worker needed
            from balance.params import error_line

            remove_stale_outputs(out_dir, run, keep_ipynb=False)
            done.append(RunResult(run=run, params=str(p), started=_now(), seconds=0.0,
                                  error=_one_line(error_line(exc), 2000)))
            continue
        except Exception:
            pass  # the worker reports the problem as this run's error
        prev = previous.get(run, {})
        html, ipynb = out_dir / f"{run}.html", out_dir / f"{run}.ipynb"
        hash_file = out_dir / run / HASH_FILE
        recorded = hash_file.read_text(encoding="utf-8").strip() if hash_file.is_file() else ""
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
                     "notebooks_dir": str(notebooks_dir) if notebooks_dir else None, "input_hash": h})
    return todo, done


def _cleanup_tmp(out_dir: Path, runs: set[str]) -> None:
    """Remove temporary files left by an interrupted earlier batch."""
    for f in [*out_dir.glob(".*.tmp"), *out_dir.glob(".*.tmp.ipynb")]:
        name = f.name[1:]
        if any(name.startswith(r + ".") for r in runs) or name.startswith(("manifest.csv.", "index.html.")):
            _remove(f)


#: Modules the fork server imports once; workers forked from it start in ~0.1 s instead of
#: re-importing papermill / nbconvert / pandas (~3 s each on a small machine).
PRELOAD = ["balance.runner", "balance.params", "balance.html", "papermill", "nbclient", "nbformat",
           "nbconvert", "pandas", "yaml", "pydantic", "jupyter_client"]


def _mp_context():
    """``forkserver`` (Linux, macOS) with the heavy modules preloaded, else ``spawn`` (Windows).
    Never plain ``fork``: the parent may hold threads (tqdm, asyncio)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


#: The manifest and index are rewritten as results arrive, at most every PUBLISH_EVERY seconds
#: (or 10 × the time the last rewrite took, when that is longer), and always at the end:
#: rewriting them (~0.3 s at 2,850 rows) after every run of a national batch would cost more
#: than the runs.
PUBLISH_EVERY = 2.0


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
    remove_stale_outputs(out_dir, s["run"], keep_ipynb=False)
    return RunResult(run=s["run"], params=str(s.get("params_label") or s["params_path"]), started=_now(),
                     input_hash=s.get("input_hash") or "", error=_one_line(msg))


def _remove_run_tmp(out_dir: Path, runs: set[str]) -> None:
    """Temporary files of runs whose worker died half-way (another worker redid the run)."""
    for f in out_dir.glob(".*.tmp*"):
        if any(f.name[1:].startswith(r + ".") for r in runs):
            _remove(f)


def run_batch(params_paths, out_dir, workers: int | None = None, force: bool = False, timeout: float | None = 600,
              progress: bool = True, notebooks_dir: str | Path | None = None,
              start_timeout: float = 60, executor: str = "local", scheduler=None) -> BatchResult:
    """Run every params file (YAML files or folders of them) and export the briefings.

    ``executor``: ``"local"`` (worker processes on this machine, ``workers`` of them, default
    the CPU count) or ``"dask"`` (Dask distributed: a LocalCluster of ``workers`` processes with
    one thread each, or the existing cluster at ``scheduler`` — an address such as
    ``tcp://host:8786`` or a ``distributed.Client``; see :mod:`balance.executors`). Planning,
    skip-if-unchanged, outputs and manifest are the same for both.

    Returns a :class:`BatchResult`; ``result.exit_code`` is 1 when any run failed. Never raises
    for a failing run (only for an unusable ``out_dir`` or executor:
    :class:`balance.executors.ExecutorError`).
    """
    from balance.executors import make_executor

    if scheduler is not None and executor in (None, "local"):
        executor = "dask"
    executor = executor or "local"
    ex = make_executor(executor, workers=workers, scheduler=scheduler)  # ValueError for an unknown kind
    t0 = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    notebooks_dir = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    paths = expand_params(params_paths)
    previous = read_manifest(out_dir)
    todo, done = _plan(paths, out_dir, notebooks_dir, force, previous)
    _cleanup_tmp(out_dir, {s["run"] for s in todo})
    for s in todo:
        s["timeout"] = timeout
        s["start_timeout"] = start_timeout

    results: dict[str, RunResult] = {r.run: r for r in done}
    order = [p.stem for p in paths]
    batch = BatchResult(out_dir=out_dir)
    last_publish = [0.0, 0.0]  # when, how long it took

    def publish(now: bool = True):
        t_pub = time.perf_counter()
        if not now and t_pub - last_publish[0] < max(PUBLISH_EVERY, 10 * last_publish[1]):
            return
        batch.runs = [results[r] for r in dict.fromkeys(order) if r in results] + \
                     [r for k, r in results.items() if k not in order]
        rows = {k: v for k, v in previous.items() if k not in results}
        rows.update({r.run: r.row() for r in batch.runs})
        merged = [rows[k] for k in sorted(rows)]
        batch.manifest = write_manifest(out_dir, merged)
        batch.index = write_index(out_dir, merged)
        last_publish[:] = [time.perf_counter(), time.perf_counter() - t_pub]

    from tqdm.auto import tqdm

    bar = tqdm(total=len(done) + len(todo), desc="简报 briefings", unit="run", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    bar.update(len(done))
    for r in done:
        if r.status == "failed":
            bar.write(f"✗ {r.run}: {r.error}", file=sys.stderr)
    try:
        if todo:
            with ex:
                ex.start(len(todo))
                ex.prepare(todo, out_dir, notebooks_dir)
                if ex.name != "local":
                    bar.write(f"执行器 executor: {ex.describe()}", file=sys.stderr)
                try:
                    for s, out in ex.as_completed(execute_run, todo):
                        if isinstance(out, BaseException):
                            r = _worker_died(s, out, ex.name, out_dir)
                        else:
                            r = RunResult.from_row(out)
                        results[r.run] = r
                        bar.update(1)
                        if r.status == "failed":
                            bar.write(f"✗ {r.run}: {r.error}", file=sys.stderr)
                        publish(now=False)
                except KeyboardInterrupt:
                    ex.cancel()
                    raise
            _remove_run_tmp(out_dir, {s["run"] for s in todo})
    finally:
        bar.close()
        batch.seconds = time.perf_counter() - t0
        publish()
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

    p = out_dir / run / "results.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except Exception:
        return {}


def write_index(out_dir: Path, rows: list[dict]) -> Path:
    """``DIR/index.html``: every run with its title, type, county, year, status, briefing and
    audit-log links, and the error of failed runs. Offline, styled like the briefings."""
    from balance import __version__
    from balance.atomic import atomic_write_text
    from balance.html import briefing_css

    e = _html.escape
    n_ok = sum(r["status"] == "ok" for r in rows)
    n_fail = sum(r["status"] == "failed" for r in rows)
    n_skip = sum(r["status"] == "skipped" for r in rows)
    body = []
    for i, r in enumerate(rows, 1):
        extra = _results_json(out_dir, r["run"])
        title = r.get("title") or extra.get("title") or ""
        if not title:
            name = extra.get("county_name") or r.get("county_code") or ""
            title = " ".join(x for x in (str(name), f"{r['year']} 年" if r.get("year") else "",
                                         NOTEBOOK_ZH.get(r.get("notebook", ""), "")) if x) or r["run"]
        has_html = r.get("html") and (out_dir / r["html"]).is_file()
        name = f'<a href="{e(r["html"])}">{e(title)}</a>' if has_html else e(title)
        log = f'<a href="{e(r["ipynb"])}">{e(r["ipynb"])}</a>' if r.get("ipynb") and (out_dir / r["ipynb"]).is_file() else ""
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
def _cmd_batch(args: argparse.Namespace) -> int:
    paths = expand_params(args.params)
    if not paths:
        print(f"没有找到参数文件 / no params files found in: {' '.join(map(str, args.params))}", file=sys.stderr)
        return 2
    from balance.executors import ExecutorError

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
    print(batch.summary())
    return batch.exit_code


def _cmd_report(args: argparse.Namespace) -> int:
    p = Path(args.params)
    if p.is_dir():
        print(f"report 只接受一个 YAML 文件（文件夹请用 batch）/ report takes one YAML file (use batch for folders): {p}",
              file=sys.stderr)
        return 2
    batch = run_batch([p], args.out, workers=1, force=args.force, timeout=args.timeout,
                      progress=False, notebooks_dir=args.notebooks)
    r = batch.runs[0]
    if r.status == "failed":
        print(f"✗ {r.run} 失败 / failed: {r.error}")
        if r.ipynb:
            print(f"执行记录 executed notebook: {batch.out_dir / r.ipynb}")
        return 1
    word = "未变化，沿用 / unchanged, kept" if r.status == "skipped" else "完成 / done"
    print(f"✓ {r.run} {word}: {batch.out_dir / r.html}")
    return 0


def register_cli(subparsers) -> None:
    """Add ``batch`` and ``report`` to the ``balance`` command's subparsers."""
    def common(p):
        p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹 / output folder")
        p.add_argument("--force", action="store_true", help="即使输入未变化也重新运行 / rerun even if inputs are unchanged")
        p.add_argument("--timeout", type=float, default=600, metavar="S",
                       help="每个单元格的超时秒数 / per-cell execution timeout in seconds (default 600)")
        p.add_argument("--notebooks", default=None, metavar="DIR", help=argparse.SUPPRESS)

    b = subparsers.add_parser("batch", help="批量运行笔记本并导出 HTML 简报 / run notebooks and export HTML briefings",
                              description="PARAMS: YAML 参数文件或其所在文件夹 / YAML params files or folders of them")
    b.add_argument("params", nargs="+", metavar="PARAMS")
    common(b)
    b.add_argument("--workers", type=int, default=None, metavar="N",
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
