"""Batch runner: isolation of failures, manifest / index, skip-if-unchanged, --force, atomic
outputs, timeout, kernel-start retry, command line. Kernel starts cost ~1–3 s: few runs here."""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from balance import running as runner
from balance.running import MANIFEST_COLUMNS, execute_run, expand_params, run_batch, run_report

NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
CSV = "年份,县区代码,县区名称\n2024,130102,长安区\n2025,130102,长安区\n2025,130104,桥西区\n"


def make_project(tmp_path: Path) -> dict[str, Path]:
    """Data file and three params files: an ok briefing, a notebook that raises, an invalid file."""
    (tmp_path / "data").mkdir()
    data = tmp_path / "data" / "schools.csv"
    data.write_text(CSV, encoding="utf-8")
    pdir = tmp_path / "params"
    pdir.mkdir()
    files = {
        "ok": ("130102_2025.yaml", f'notebook: county_briefing\ndata: {data}\ncounty_code: "130102"\nyear: 2025\n'
                                   "title: 长安区 2025 年义务教育优质均衡简报\n"),
        "raises": ("trend_130102.yaml", f'notebook: county_trend\ndata: {data}\ncounty_code: "130102"\n'),
        "invalid": ("bad.yaml", f'notebook: county_briefing\ndata: {data}\ncounty_code: "130102"\nyear: 2025\nyaer: 2024\n'),
    }
    out = {"data": data, "params": pdir, "out": tmp_path / "out"}
    for key, (name, text) in files.items():
        (pdir / name).write_text(text, encoding="utf-8")
        out[key] = pdir / name
    return out


def manifest(out: Path) -> dict[str, dict]:
    raw = (out / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "manifest must be UTF-8 with BOM"
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == MANIFEST_COLUMNS
        return {r["run"]: r for r in reader}


def test_batch_lifecycle(tmp_path):
    p = make_project(tmp_path)
    out = p["out"]

    # 1. one ok, one raising, one invalid: the failures stay isolated
    b = run_batch([p["params"]], out, workers=2, progress=False, notebooks_dir=NOTEBOOKS, timeout=120)
    assert b.exit_code == 1
    st = {r.run: r.status for r in b.runs}
    assert st == {"130102_2025": "ok", "trend_130102": "failed", "bad": "failed"}
    m = manifest(out)
    assert m["130102_2025"]["status"] == "ok" and m["130102_2025"]["error"] == ""
    assert m["130102_2025"]["html"] == "130102_2025.html" and m["130102_2025"]["notebook"] == "county_briefing"
    assert float(m["130102_2025"]["kernel_start"]) > 0 and float(m["130102_2025"]["export"]) > 0
    err = m["trend_130102"]["error"]
    assert err.startswith("ValueError: 故意的错误 deliberate failure for 130102") and "(cell " in err
    assert "\n" not in err
    assert "yaer" in m["bad"]["error"] and "unknown key" in m["bad"]["error"] and "未知的参数" in m["bad"]["error"]
    # outputs: briefing + audit log for the ok run; audit log with the error, no HTML, for the failed one
    assert (out / "130102_2025.html").is_file() and (out / "130102_2025.ipynb").is_file()
    assert not (out / "trend_130102.html").exists()
    failed_nb = nbformat.read(out / "trend_130102.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed_nb.cells for o in c.get("outputs", []))
    assert not (out / "bad.html").exists() and not (out / "bad.ipynb").exists()
    assert not list(out.glob(".*.tmp*")), "temporary files left behind"
    # the notebook's results folder and the injected absolute parameters
    res = json.loads((out / "130102_2025" / "results.json").read_text(encoding="utf-8"))
    assert res["county_code"] == "130102" and res["year"] == 2025
    ran = nbformat.read(out / "130102_2025.ipynb", as_version=4)
    injected = ran.metadata["papermill"]["parameters"]
    assert injected["data"] == str(p["data"].resolve()) and injected["output_dir"] == str((out / "130102_2025").resolve())
    # kernel noise is filtered out of the run log
    log = out / "130102_2025" / "run.log"
    assert not log.exists() or "without encryption" not in log.read_text(encoding="utf-8")
    # index page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in index and 'href="130102_2025.html"' in index
    assert "长安区 2025 年义务教育优质均衡简报" in index and "✗ 失败" in index and "故意的错误" in index
    assert 'href="trend_130102.html"' not in index
    from balance.reporting.html_export import external_resources
    assert external_resources(index) == []
    html_mtime = (out / "130102_2025.html").stat().st_mtime_ns

    # 2. unchanged inputs: skipped (no kernel); rows of runs not in this batch are kept
    b = run_batch([p["ok"], p["invalid"]], out, workers=2, progress=False, notebooks_dir=NOTEBOOKS)
    assert {r.run: r.status for r in b.runs} == {"130102_2025": "skipped", "bad": "failed"}
    assert (out / "130102_2025.html").stat().st_mtime_ns == html_mtime
    m = manifest(out)
    assert m["130102_2025"]["status"] == "skipped" and m["130102_2025"]["html"] == "130102_2025.html"
    assert m["trend_130102"]["status"] == "failed"  # kept from the first batch
    assert "↺ 未变化" in (out / "index.html").read_text(encoding="utf-8")

    # 3. --force reruns
    b = run_batch([p["ok"]], out, force=True, progress=False, notebooks_dir=NOTEBOOKS)
    assert b.runs[0].status == "ok" and b.exit_code == 0
    assert (out / "130102_2025.html").stat().st_mtime_ns != html_mtime

    # 4. a changed data file reruns (same params, same notebook)
    with open(p["data"], "a", encoding="utf-8") as fh:
        fh.write("2025,130105,新华区\n")
    b = run_batch([p["ok"]], out, progress=False, notebooks_dir=NOTEBOOKS)
    assert b.runs[0].status == "ok"
    assert b.runs[0].input_hash != m["130102_2025"]["input_hash"]

    # 5. the run now fails (year not in the data): its stale briefing is removed, not presented
    p["ok"].write_text(p["ok"].read_text(encoding="utf-8").replace("year: 2025", "year: 2030"), encoding="utf-8")
    b = run_batch([p["ok"]], out, progress=False, notebooks_dir=NOTEBOOKS)
    r = b.runs[0]
    assert r.status == "failed" and "2030" in r.error and "数据中没有 2030 年" in r.error
    assert not (out / "130102_2025.html").exists()
    assert not (out / "130102_2025" / ".input-hash").exists()
    assert manifest(out)["130102_2025"]["html"] == ""


def test_export_interrupted_leaves_no_html(tmp_path, monkeypatch):
    """Run the worker function in-process; the export dies half-way through writing."""
    p = make_project(tmp_path)
    out = p["out"]
    out.mkdir()
    (out / "130102_2025.html").write_text(  # an earlier briefing, as balance writes them
        '<html><head><meta content="balance 0.1.0 (nbconvert)" name="generator"/></head>OLD BRIEFING</html>',
        encoding="utf-8")
    real_write = runner.os.fsync

    def interrupted(fd):
        raise OSError("disk full (simulated interruption after a partial write)")

    monkeypatch.setattr("balance.io.files.os.fsync", interrupted)
    row = execute_run({"run": "130102_2025", "params_path": str(p["ok"]), "out_dir": str(out),
                       "notebooks_dir": str(NOTEBOOKS), "timeout": 120, "input_hash": "x"})
    monkeypatch.setattr("balance.io.files.os.fsync", real_write)
    assert row["status"] == "failed" and "disk full" in row["error"] and "HTML" in row["error"]
    assert not (out / "130102_2025.html").exists(), "stale or partial briefing left in place"
    assert (out / "130102_2025.ipynb").is_file()  # the executed notebook is kept as the log
    assert not list(out.glob(".*.tmp*"))
    assert not (out / "130102_2025" / ".input-hash").exists()


def test_timeout_fails_the_run_with_the_cell(tmp_path):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    cells = [new_code_cell('year = 2000\ndata = ""\noutput_dir = ""'), new_code_cell("import time\ntime.sleep(60)")]
    cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "P",
                                                                      "language": "python"}}),
                   nbdir / "region_overview.ipynb")
    p = make_project(tmp_path)
    f = p["params"] / "overview_2025.yaml"
    f.write_text(f"notebook: region_overview\ndata: {p['data']}\nyear: 2025\n", encoding="utf-8")
    r = run_report(f, p["out"], notebooks_dir=nbdir, timeout=2)
    assert r.status == "failed"
    assert r.error.startswith("Timeout:") and "(cell 2)" in r.error  # cell 0 is papermill's injected one
    assert (p["out"] / "overview_2025.ipynb").is_file() and not (p["out"] / "overview_2025.html").exists()


def test_kernel_start_failure_is_retried_once(tmp_path, monkeypatch):
    import papermill

    calls = []

    def flaky(inp, out, **kw):
        calls.append(kw)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        nbformat.write(new_notebook(), out)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    tmp = tmp_path / "x.tmp.ipynb"
    cold = {"timeout": 5, "warm_kernel": False}  # the fresh-kernel path (papermill.execute_notebook)
    assert runner._execute(Path("nb.ipynb"), tmp, {"data": "d"}, cold) is None
    assert len(calls) == 2
    assert calls[0]["kernel_name"] == "python3" and calls[0]["execution_timeout"] == 5
    assert calls[0]["start_timeout"] == 60 and calls[0]["progress_bar"] is False and "cwd" not in calls[0]

    calls.clear()

    def always(inp, out, **kw):
        calls.append(kw)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", always)
    err = runner._execute(Path("nb.ipynb"), tmp, {}, cold)
    assert len(calls) == 2 and "after one retry" in err

    # a kernel that dies mid-run (a cell had started) is not a start failure: no retry
    from nbclient.exceptions import DeadKernelError
    calls.clear()

    def dies(inp, out, **kw):
        calls.append(kw)
        nb = new_notebook(cells=[new_code_cell("x")])
        nb.cells[0].metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "status": "running"}
        nbformat.write(nb, out)
        raise DeadKernelError("Kernel died")

    monkeypatch.setattr(papermill, "execute_notebook", dies)
    err = runner._execute(Path("nb.ipynb"), tmp, {}, cold)
    assert len(calls) == 1 and err.startswith("DeadKernelError")


def test_noise_filter():
    text = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication\n"
            "    continues here\n"
            "KeyboardInterrupt caught in kernel\n"
            "0.00s - Debugger warning: It seems that frozen modules are being used\n"
            "real problem: segfault in libfoo\n")
    assert runner._filter_noise(text) == "real problem: segfault in libfoo"


def test_expand_params_sorted_folders_and_files(tmp_path):
    (tmp_path / "b.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "a.yml").write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in expand_params([tmp_path])] == ["a.yml", "b.yaml"]
    assert [p.name for p in expand_params([tmp_path / "z.yaml", tmp_path])] == ["z.yaml", "a.yml", "b.yaml"]


def _cli(argv):
    from balance.cli import batch as cli_batch

    parser = argparse.ArgumentParser(prog="balance")
    sub = parser.add_subparsers(dest="command", required=True)
    cli_batch.add_batch(sub)
    cli_batch.add_report(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_invalid_params_and_empty_folder(tmp_path, capsys):
    p = make_project(tmp_path)
    assert _cli(["report", str(p["invalid"]), "--out", str(p["out"]), "--notebooks", str(NOTEBOOKS)]) == 1
    out = capsys.readouterr().out
    assert "失败 / failed" in out and "yaer" in out
    assert manifest(p["out"])["bad"]["status"] == "failed"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _cli(["batch", str(empty), "--out", str(p["out"])]) == 2
    assert "no params files" in capsys.readouterr().err
    assert _cli(["batch", str(p["invalid"]), str(tmp_path / "missing.yaml"), "--out", str(p["out"]),
                 "--no-progress", "--workers", "2", "--notebooks", str(NOTEBOOKS)]) == 1
    out = capsys.readouterr().out
    assert "2 runs: 0 ok, 2 failed" in out and "找不到参数文件" in out


def test_python_m_balance_wires_batch():
    from balance import cli

    parser = cli.build_parser()
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert {"batch", "report"} <= set(choices)
    proc = subprocess.run([sys.executable, "-m", "balance", "batch", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--workers" in proc.stdout and "--force" in proc.stdout


def test_input_error_in_a_notebook_shows_the_problem_table(tmp_path, capsys):
    """A notebook that stops on bad data used to say only "InputError: … (7 errors) (cell 2)"."""
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    cells = [new_code_cell('year = 2000\ndata = ""\noutput_dir = ""'), new_code_cell(
        "from balance.errors import InputError, Problem\n"
        "raise InputError([Problem(file=data, row=r, column='在校学生数', value=f'x{r}', problem_zh='应为数字',\n"
        "                          problem_en='must be a number') for r in range(2, 9)],\n"
        "                 '学校数据表有误', 'invalid school table')")]
    cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "P",
                                                                      "language": "python"}}),
                   nbdir / "region_overview.ipynb")
    p = make_project(tmp_path)
    f = p["params"] / "overview_2025.yaml"
    f.write_text(f"notebook: region_overview\ndata: {p['data']}\nyear: 2025\n", encoding="utf-8")
    assert _cli(["report", str(f), "--out", str(p["out"]), "--notebooks", str(nbdir)]) == 1
    console = capsys.readouterr()
    err = manifest(p["out"])["overview_2025"]["error"]
    assert err.startswith("InputError: 学校数据表有误（7 个错误）/ invalid school table (7 errors) (cell 2): ")
    assert "schools.csv, 第 2 行/row 2, 列/column 在校学生数, 值/value “x2”: 应为数字 / must be a number" in err
    assert "第 4 行/row 4" in err and "第 5 行" not in err and "另有 4 个问题 / 4 more" in err and "\n" not in err
    # the console: the problem table (file, row, column, value, Chinese and English), first 5, then a count
    table = console.err
    assert "文件 file" in table and "行 row" in table and "列 column" in table and "值 value" in table
    assert all(f"x{r}" in table for r in range(2, 7)) and "x7" not in table and "另有 2 个问题未显示" in table
    assert "应为数字 / must be a number" in table and "Traceback" not in console.out + console.err
    assert "4 more" in console.out
    # the index shows the one-line form; the audit log shows the table instead of a traceback
    index = (p["out"] / "index.html").read_text(encoding="utf-8")
    assert "第 2 行/row 2, 列/column 在校学生数" in index
    nb = nbformat.read(p["out"] / "overview_2025.ipynb", as_version=4)
    (tb,) = [o["traceback"] for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert any("应为数字 / must be a number" in line for line in tb)
    assert not any("Traceback" in line or "raise InputError" in line for line in tb)
