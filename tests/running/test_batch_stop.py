"""A batch stopped from outside — ``kill -9``, SIGTERM, Ctrl-C — leaves no worker or kernel
running, starts no queued run, and its manifest lists every run that finished.

A real ``balance batch`` runs in a subprocess on tiny notebooks: two quick runs, then slow runs
that write their kernel's and worker's pid and sleep. The batch is stopped once both workers are
busy with slow runs (so both quick runs have finished)."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

psutil = pytest.importorskip("psutil")

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _notebook(path: Path, body: str) -> None:
    cells = [new_code_cell('data = ""\noutput_dir = ""\nyear = 2000'), new_code_cell(body)]
    cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=cells, metadata=KERNELSPEC), path)


def _setup(tmp_path: Path) -> dict:
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "explore.ipynb", "print('quick')")
    _notebook(nbs / "region_overview.ipynb",
              "import json, os, pathlib, time\n"
              "p = pathlib.Path(output_dir)\n"
              "p.mkdir(parents=True, exist_ok=True)\n"
              "(p / 'started.json').write_text(json.dumps({'kernel': os.getpid(), 'worker': os.getppid()}))\n"
              "time.sleep(300)\n")
    data = tmp_path / "schools.csv"
    data.write_text("年份,县区代码,县区名称\n2025,130102,长安区\n", encoding="utf-8")
    params = tmp_path / "params"
    params.mkdir()
    for name in ("a_quick_1", "a_quick_2"):
        (params / f"{name}.yaml").write_text(f"notebook: explore\ndata: {data}\n", encoding="utf-8")
    slow = [f"b_slow_{i}" for i in (1, 2, 3, 4)]
    for name in slow:
        (params / f"{name}.yaml").write_text(f"notebook: region_overview\ndata: {data}\nyear: 2025\n",
                                             encoding="utf-8")
    return {"nbs": nbs, "params": params, "out": tmp_path / "out", "slow": slow}


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _manifest(out: Path) -> dict[str, dict]:
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["run"]: r for r in csv.DictReader(fh)}


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_stopped_batch_leaves_no_process_and_a_complete_manifest(tmp_path, how):
    s = _setup(tmp_path)
    out = s["out"]
    log = open(tmp_path / "batch.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "balance", "batch", str(s["params"]), "--out", str(out), "--workers", "2",
         "--no-progress", "--notebooks", str(s["nbs"]), "--timeout", "600"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        # started as a terminal starts it: Ctrl-C at its default. A test run launched in the background
        # (CI, `make test &`) inherits SIGINT ignored, and the batch then rightly ignores it too
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        pids: dict[str, dict] = {}
        while time.monotonic() < deadline and proc.poll() is None and len(pids) < 2:
            for n in s["slow"]:
                try:
                    pids[n] = json.loads((out / n / "started.json").read_text())
                except (OSError, ValueError):  # not there yet, or half-written
                    pass
            time.sleep(0.2)
        assert len(pids) == 2, (tmp_path / "batch.log").read_text(errors="replace")
        started = list(pids)
        pids = list(pids.values())
        family = {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
        family |= {p["kernel"] for p in pids} | {p["worker"] for p in pids}
        assert len(family) >= 5  # fork server, two workers, two kernels

        if how == "SIGINT":  # Ctrl-C in a terminal: the whole foreground process group
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, getattr(signal, how))
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # say what was still there, for whoever reads the failure
            tree = [(c.pid, c.name(), c.status()) for c in psutil.Process(proc.pid).children(recursive=True)]
            log.flush()
            pytest.fail(f"the batch did not stop within 60 s of {how}; processes {tree}; batch log:\n"
                        + (tmp_path / "batch.log").read_text(errors="replace"))
        t_end = time.monotonic() + 30
        while time.monotonic() < t_end and any(_alive(p) for p in family):
            time.sleep(0.2)
        survivors = sorted(p for p in family if _alive(p))
        assert not survivors, f"still running after the batch stopped: {survivors}"

        m = _manifest(out)
        assert m["a_quick_1"]["status"] == "ok" and m["a_quick_2"]["status"] == "ok", m.keys()
        assert not any(n in m for n in s["slow"])  # unfinished runs have no row
        queued = [n for n in s["slow"] if n not in started and (out / n / "started.json").exists()]
        assert not queued, f"queued runs started after the batch stopped: {queued}"
        if how == "SIGKILL":
            assert code == -signal.SIGKILL
        else:
            assert code == 128 + getattr(signal, how)
            text = (tmp_path / "batch.log").read_text(encoding="utf-8", errors="replace")
            assert "批次已中断" in text and "the batch was stopped" in text and "Traceback" not in text
            assert not list(out.glob(".*.tmp*")) and not (out / ".balance-batch.lock").exists()
            assert "a_quick_2" in (out / "index.html").read_text(encoding="utf-8")
    finally:
        log.close()
        for p in family | {proc.pid}:  # never leave anything behind, whatever happened
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        proc.wait(timeout=10)
