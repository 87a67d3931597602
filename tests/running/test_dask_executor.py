"""``balance batch --executor dask``: a 2-worker LocalCluster gives the same manifest and result
files as the local executor; failures stay isolated (a raising notebook, an invalid params file,
a notebook that kills its Dask worker twice); skip-if-unchanged; an existing cluster by address;
no processes left behind. Uses the small fixture notebooks; kernel starts cost ~1–3 s each."""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

distributed = pytest.importorskip(
    "distributed", reason="Dask distributed is not installed (pip install -e '.[dask]'): dask executor not tested")

import nbformat  # noqa: E402
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

from balance.running import MANIFEST_COLUMNS, executors, run_batch  # noqa: E402
from balance.running.executors import ExecutorError  # noqa: E402

NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
CSV = "年份,县区代码,县区名称\n2024,130102,长安区\n2025,130102,长安区\n2025,130104,桥西区\n"
COMPARED = ["run", "notebook", "status", "html", "ipynb", "error", "title", "county_code", "year", "params",
            "input_hash"]


def make_params(tmp_path: Path) -> dict[str, Path]:
    """An ok briefing, a notebook that raises, an invalid params file."""
    (tmp_path / "data").mkdir()
    data = tmp_path / "data" / "schools.csv"
    data.write_text(CSV, encoding="utf-8")
    pdir = tmp_path / "params"
    pdir.mkdir()
    files = {
        "130102_2025.yaml": f'notebook: county_briefing\ndata: {data}\ncounty_code: "130102"\nyear: 2025\n'
                            "title: 长安区 2025 年义务教育优质均衡简报\n",
        "trend_130102.yaml": f'notebook: county_trend\ndata: {data}\ncounty_code: "130102"\n',
        "bad.yaml": f'notebook: county_briefing\ndata: {data}\ncounty_code: "130102"\nyear: 2025\nyaer: 2024\n',
    }
    for name, text in files.items():
        (pdir / name).write_text(text, encoding="utf-8")
    return {"data": data, "params": pdir}


def manifest(out: Path) -> dict[str, dict]:
    assert (out / "manifest.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == MANIFEST_COLUMNS
        return {r["run"]: r for r in reader}


def result_files(out: Path) -> set[str]:
    """Every output file (relative), without the manifest / index and run logs."""
    return {str(f.relative_to(out)) for f in out.rglob("*")
            if f.is_file() and f.name not in ("manifest.csv", "index.html", "run.log")}


def marked_processes(mark: str) -> list:
    """Live processes (other than this one) whose environment carries ``mark``."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get("BALANCE_TEST_MARK") == mark and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def wait_no_marked_processes(mark: str, seconds: float = 10) -> list:
    deadline = time.monotonic() + seconds
    while (left := marked_processes(mark)) and time.monotonic() < deadline:
        time.sleep(0.25)
    return [(p.pid, " ".join(p.cmdline()[:4])) for p in left if p.is_running()]


@pytest.fixture(scope="module")
def cluster():
    """An "existing" cluster (2 workers, 1 thread each) reached by its address; a task whose
    worker dies is retried once, as the README tells cluster operators to configure."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                         silence_logs=40, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    try:
        yield c
    finally:
        c.close()


def test_dask_localcluster_matches_local_executor(tmp_path, cluster):
    p = make_params(tmp_path)
    out_local, out_dask = tmp_path / "out_local", tmp_path / "out_dask"

    b_local = run_batch([p["params"]], out_local, workers=2, progress=False, notebooks_dir=NOTEBOOKS, timeout=120)
    mark = uuid.uuid4().hex
    os.environ["BALANCE_TEST_MARK"] = mark  # inherited by the LocalCluster's processes and kernels
    try:
        b_dask = run_batch([p["params"]], out_dask, workers=2, progress=False, notebooks_dir=NOTEBOOKS, timeout=120,
                           executor="dask")
    finally:
        del os.environ["BALANCE_TEST_MARK"]
    # the LocalCluster, its workers and their kernels are gone once run_batch returns
    assert wait_no_marked_processes(mark) == []

    assert b_dask.exit_code == b_local.exit_code == 1
    assert [(r.run, r.status) for r in b_dask.runs] == [(r.run, r.status) for r in b_local.runs]
    assert {r.run: r.status for r in b_dask.runs} == {"130102_2025": "ok", "trend_130102": "failed", "bad": "failed"}
    ml, md = manifest(out_local), manifest(out_dask)
    assert ml.keys() == md.keys()
    for run in ml:
        assert {k: md[run][k] for k in COMPARED} == {k: ml[run][k] for k in COMPARED}, run
        assert bool(md[run]["error"]) == (md[run]["status"] == "failed")
        assert bool(md[run]["html"]) == (md[run]["status"] == "ok")
        if md[run]["html"]:
            assert (out_dask / md[run]["html"]).is_file()
    assert md["trend_130102"]["error"].startswith("ValueError: 故意的错误 deliberate failure for 130102")
    assert md["130102_2025"]["params"] == str(p["params"] / "130102_2025.yaml")  # as given, not resolved
    assert float(md["130102_2025"]["kernel_start"]) > 0 and float(md["130102_2025"]["export"]) > 0
    # same files, same results
    assert result_files(out_dask) == result_files(out_local)
    for run in ("130102_2025",):
        assert (json.loads((out_dask / run / "results.json").read_text(encoding="utf-8"))
                == json.loads((out_local / run / "results.json").read_text(encoding="utf-8")))
        assert (out_dask / run / ".input-hash").read_text() == (out_local / run / ".input-hash").read_text()
        assert "<html" in (out_dask / f"{run}.html").read_text(encoding="utf-8")
    assert not (out_dask / "trend_130102.html").exists() and (out_dask / "trend_130102.ipynb").is_file()
    assert not list(out_dask.glob(".*.tmp*")) and not list(out_dask.glob(".dask-probe*"))
    index = (out_dask / "index.html").read_text(encoding="utf-8")
    assert 'href="130102_2025.html"' in index and "故意的错误" in index

    # skip-if-unchanged under dask (an existing cluster, by address): the briefing is kept
    # untouched, only the failed run executes again
    mtimes = {r: (out_dask / f"{r}.html").stat().st_mtime_ns for r in ("130102_2025",)}
    trend_mtime = (out_dask / "trend_130102.ipynb").stat().st_mtime_ns
    b = run_batch([p["params"]], out_dask, progress=False, notebooks_dir=NOTEBOOKS, timeout=120,
                  executor="dask", scheduler=cluster.scheduler_address)
    assert {r.run: r.status for r in b.runs} == {"130102_2025": "skipped", "trend_130102": "failed", "bad": "failed"}
    assert {r: (out_dask / f"{r}.html").stat().st_mtime_ns for r in mtimes} == mtimes
    m = manifest(out_dask)
    assert m["130102_2025"]["status"] == "skipped" and m["130102_2025"]["html"] == "130102_2025.html"
    assert m["130102_2025"]["input_hash"] == md["130102_2025"]["input_hash"]
    assert m["trend_130102"]["error"] == md["trend_130102"]["error"]
    assert (out_dask / "trend_130102.ipynb").stat().st_mtime_ns != trend_mtime  # executed again


def _killer_notebooks(tmp_path: Path) -> Path:
    """region_overview as in the fixtures; explore kills the process that started its kernel
    (the Dask worker)."""
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    shutil.copy(NOTEBOOKS / "region_overview.ipynb", nbdir)
    cells = [new_code_cell('data = ""\noutput_dir = ""'),
             new_code_cell("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")]
    cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "P",
                                                                      "language": "python"}}),
                   nbdir / "explore.ipynb")
    return nbdir


def test_dying_worker_is_retried_then_recorded_failed(tmp_path, cluster, capsys):
    p = make_params(tmp_path)
    nbdir = _killer_notebooks(tmp_path)
    (p["params"] / "kill_worker.yaml").write_text(f"notebook: explore\ndata: {p['data']}\n", encoding="utf-8")
    (p["params"] / "overview_2025.yaml").write_text(f"notebook: region_overview\ndata: {p['data']}\nyear: 2025\n",
                                                   encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "kill_worker.html").write_text(  # an earlier briefing, as balance writes them
        '<html><head><meta content="balance 0.1.0 (nbconvert)" name="generator"/></head>OLD BRIEFING</html>',
        encoding="utf-8")
    sel = [p["params"] / "kill_worker.yaml", p["params"] / "overview_2025.yaml"]

    parser = argparse.ArgumentParser(prog="balance")
    from balance.cli import batch as cli_batch

    cli_batch.add_batch(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["batch", *map(str, sel), "--out", str(out), "--scheduler", cluster.scheduler_address,
                              "--workers", "2", "--no-progress", "--notebooks", str(nbdir), "--timeout", "120"])
    assert args.executor is None  # --scheduler alone implies dask
    assert args.func(args) == 1  # returns at all: a lost worker does not hang the batch (cells time out at 120 s)
    printed = capsys.readouterr().out
    assert "2 runs: 1 ok, 1 failed" in printed

    m = manifest(out)
    assert m["overview_2025"]["status"] == "ok" and (out / "overview_2025.html").is_file()
    bad = m["kill_worker"]
    assert bad["status"] == "failed" and "KilledWorker" in bad["error"] and "worker died" in bad["error"]
    assert "\n" not in bad["error"]
    assert not (out / "kill_worker.html").exists(), "a stale briefing must not survive a failed run"
    assert not list(out.glob(".*.tmp*"))
    # the cluster recovered (the nannies restarted the killed workers) and is usable again
    from distributed import Client

    with Client(cluster.scheduler_address, set_as_default=False) as c:
        c.wait_for_workers(2, timeout=30)
        assert c.submit(sum, [1, 2], pure=False).result(timeout=30) == 3


def test_executor_errors(tmp_path, monkeypatch):
    p = make_params(tmp_path)
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2)
    with pytest.raises(ExecutorError, match="cannot connect to the Dask scheduler"):
        run_batch([p["params"] / "130102_2025.yaml"], tmp_path / "out", progress=False, notebooks_dir=NOTEBOOKS,
                  executor="dask", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(ValueError, match="unknown executor"):
        run_batch([p["params"]], tmp_path / "out", executor="slurm")
