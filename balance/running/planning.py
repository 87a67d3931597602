"""Planning a batch (in the batch process, before any worker runs): the params files of the
command line, their run names checked, the inputs inside ``DIR`` protected, each run's outputs
checked, unchanged runs skipped, the rest ordered longest first. Used by
:mod:`balance.running.batch`."""
from __future__ import annotations

import os
from pathlib import Path

from balance.errors import InputError
from balance.running.manifest import HASH_FILE, _now, _one_line, input_hash
from balance.running.notebooks import default_notebooks_dir
from balance.running.outdir import (
    UnsafeOutput,
    check_output_file,
    check_results_dir,
    printable,
    protected_paths,
    run_key,
    run_name_message,
)
from balance.running.results import RunResult
from balance.running.worker import problems_line, problems_table, remove_stale_outputs

__all__ = ["expand_params"]


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


def _plan(paths: list[Path], out_dir: Path, notebooks_dir, force: bool, previous: dict) -> tuple[list[dict], list[RunResult]]:
    """Specs to execute and results already decided (skipped, invalid, refused names).

    A params file whose name is not a plain run name, or whose outputs would land on a symbolic
    link, a folder where a file belongs or one of the run's inputs, fails here and nothing in
    ``out_dir`` is touched for it.
    """
    done: list[RunResult] = []
    entries = _read_entries(paths, notebooks_dir, done)
    protected = _protected_inputs(entries, out_dir, notebooks_dir)
    todo = []
    for entry in entries:
        planned = _plan_one(entry, out_dir, notebooks_dir, force, previous, protected)
        (done if isinstance(planned, RunResult) else todo).append(planned)
    return todo, done


def _read_entries(paths: list[Path], notebooks_dir, done: list[RunResult]) -> list[tuple]:
    """``(path, run, params or None, InputError or None)`` of every params file with a usable
    run name; a refused or duplicate name is appended to ``done`` as a failed run instead."""
    from balance.running.params import load_params

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
    return entries


def _protected_inputs(entries: list[tuple], out_dir: Path, notebooks_dir) -> list:
    """The inputs that lie inside ``out_dir``: no delete or replace of the batch may touch them."""
    from balance.running.params import NOTEBOOKS, input_paths

    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    inputs: list = [p for p, *_ in entries] + [nb_dir / f"{n}.ipynb" for n in NOTEBOOKS]
    for p, _, params, _ in entries:
        if params is not None:
            inputs += [params.data, params.county_sheet, params.standard if params.standard_is_path() else None,
                       params.previous_ledger]
        else:  # an invalid file: what it names, as far as it can be read
            inputs += input_paths(p)
    return protected_paths(inputs, out_dir)


def _plan_one(entry: tuple, out_dir: Path, notebooks_dir, force: bool, previous: dict, protected) -> dict | RunResult:
    """One params file: its spec to execute, or its result decided here (unsafe outputs, an
    invalid file, unchanged since its last successful run)."""
    from balance.running.params import notebook_path

    p, run, params, exc = entry
    html, ipynb = out_dir / f"{run}.html", out_dir / f"{run}.ipynb"
    try:
        check_results_dir(out_dir, out_dir / run, protected)
        check_output_file(out_dir, html, protected, kind="html")
        check_output_file(out_dir, ipynb, protected, kind="ipynb")
    except (UnsafeOutput, OSError) as e:
        return RunResult(run=run, params=str(p), started=_now(), seconds=0.0, error=_one_line(str(e), 1500))
    if exc is not None:
        remove_stale_outputs(out_dir, run, keep_ipynb=False, protected=protected)
        return RunResult(run=run, params=str(p), started=_now(), seconds=0.0,
                         error=problems_line(exc.headline, exc.problems),
                         details=problems_table(exc.headline, exc.problems))
    h = ""
    if params is not None:
        try:
            h = input_hash(params, p, notebook_path(params, notebooks_dir))
        except Exception:  # noqa: BLE001 - unreadable input: the worker reports it
            h = ""
    hash_file = out_dir / run / HASH_FILE
    try:
        recorded = hash_file.read_text(encoding="utf-8").strip() if hash_file.is_file() else ""
    except (OSError, UnicodeDecodeError):
        recorded = ""
    if not force and h and recorded == h and html.is_file() and ipynb.is_file():
        return _skipped(run, p, params, previous.get(run, {}), h, html, ipynb)
    return {"run": run, "params_path": str(p), "out_dir": str(out_dir),
            "notebooks_dir": str(notebooks_dir) if notebooks_dir else None, "input_hash": h,
            "protected": sorted(map(str, protected)), "pending_row": _pending_row(run, p, params, previous.get(run))}


def _pending_row(run: str, p: Path, params, prev: dict | None) -> dict:
    """The index row of a run handed to the workers and not finished yet: status ``pending``
    (index.html says 进行中/待生成), what its params say, no briefing, log or error (its last
    ones are not this batch's). Not a manifest row: the manifest keeps the run's last row."""
    row = {**(prev or {}), "run": run, "status": "pending", "html": "", "ipynb": "", "error": "", "params": str(p)}
    if params is not None:
        row.update(notebook=params.notebook, county_code=params.county_code or "",
                   year="" if params.year is None else str(params.year), title=params.title or row.get("title", ""))
    return row


def _skipped(run: str, p: Path, params, prev: dict, h: str, html: Path, ipynb: Path) -> RunResult:
    """The row of a run that is unchanged: its last row, marked skipped."""
    r = RunResult.from_row(prev) if prev else RunResult(run=run)
    r.run, r.status, r.error, r.started, r.seconds = run, "skipped", "", _now(), 0.0
    r.kernel_start = r.execution = r.export = ""
    r.html, r.ipynb, r.input_hash, r.params = html.name, ipynb.name, h, str(p)
    if params is not None:
        r.notebook = params.notebook
        r.county_code = params.county_code or ""
        r.year = "" if params.year is None else str(params.year)
        r.title = params.title or r.title
    return r


def _likely_work(paths: list[Path], out_dir: Path, force: bool) -> bool:
    """Some run will execute (cheap: before planning): ``force``, or a run without a recorded
    input hash or outputs. When every run has them (a rerun, most often all unchanged), the
    workers are started after planning, and only if a run changed."""
    if force:
        return bool(paths)
    for p in paths:
        run = p.stem
        if run_name_message(run, p):  # refused at planning: nothing is read for it
            continue
        if not ((out_dir / run / HASH_FILE).is_file() and (out_dir / f"{run}.html").is_file()
                and (out_dir / f"{run}.ipynb").is_file()):
            return True
    return False


def _data_hint(paths: list[Path], notebooks_dir, tries: int = 3) -> tuple | None:
    """(data, sheet, standard, county_code, year, county_sheet) of the first of the first ``tries``
    params files that loads: what the workers' kept kernels read and assess while the batch plans
    (:func:`balance.running.kernel.warm_inputs`; a batch names one data file, as a rule). ``None``
    when none loads (each run then reads its own)."""
    from balance.running.params import load_params

    for p in paths[:tries]:
        try:
            prm = load_params(p, notebooks_dir)
        except Exception:  # noqa: BLE001 - planning reports it
            continue
        return (str(Path(prm.data).resolve()), prm.sheet, str(prm.standard), prm.county_code, prm.year,
                str(prm.county_sheet) if prm.county_sheet else None)
    return None


def _longest_first(todo: list[dict], previous: dict) -> list[dict]:
    """The runs in the order they are handed to the workers: the longest first (the time of its
    last run in the manifest), so the batch does not end waiting for one long run started last;
    runs never timed go first (they may be long), ties keep the given order."""
    def last_seconds(s: dict) -> float:
        try:
            return float(previous.get(s["run"], {}).get("seconds"))
        except (TypeError, ValueError):
            return float("inf")

    return sorted(todo, key=last_seconds, reverse=True)
