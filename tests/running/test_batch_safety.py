"""What a batch may touch in ``--out``: run names, guarded deletes, symbolic links, inputs inside
``--out``, the folder lock, an unusable ``--out``, the index page's escaping. No kernel runs here:
every run that reaches a worker in these tests is refused before it executes."""
from __future__ import annotations

import argparse
import csv
import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from balance import running as runner
from balance.running import MANIFEST_COLUMNS, run_batch, write_index
from balance.running.outdir import (
    LOCK_FILE,
    BatchLock,
    BatchLocked,
    UnsafeOutput,
    printable,
    run_name_problem,
    safe_rmtree,
    safe_unlink,
)

NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
CSV = "年份,县区代码,县区名称\n2025,130102,长安区\n"
EARLIER_BRIEFING = '<html><head><meta content="balance 0.1.0 (nbconvert)" name="generator"/></head>earlier</html>'


def _cli(argv):
    from balance.cli import batch as cli_batch

    parser = argparse.ArgumentParser(prog="balance")
    sub = parser.add_subparsers(dest="command", required=True)
    cli_batch.add_batch(sub)
    cli_batch.add_report(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def manifest(out: Path) -> dict[str, dict]:
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == MANIFEST_COLUMNS
        return {r["run"]: r for r in reader}


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` (links not followed) with the content of regular files."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            out[str(p.relative_to(root))] = p.read_bytes() if p.is_file() and not p.is_symlink() else None
    return out


@pytest.fixture
def project(tmp_path):
    """tmp/proj/{data/schools.csv, params/, out/ with an earlier briefing and a user's note},
    and a file next to the project that nothing may touch."""
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    (proj / "data" / "schools.csv").write_text(CSV, encoding="utf-8")
    (proj / "params").mkdir()
    out = proj / "out"
    out.mkdir()
    (out / "130102_2025.html").write_text(EARLIER_BRIEFING, encoding="utf-8")
    (out / "notes.txt").write_text("the clerk's own notes", encoding="utf-8")
    (tmp_path / "neighbour.txt").write_text("outside the project", encoding="utf-8")
    return proj


def invalid_params(proj: Path) -> str:
    """Valid YAML that fails validation (no kernel is ever needed)."""
    return f'notebook: county_briefing\ndata: {proj / "data" / "schools.csv"}\ncounty_code: "130102"\nyear: 2025\nyaer: 1\n'


def valid_params(proj: Path) -> str:
    return f'notebook: county_briefing\ndata: {proj / "data" / "schools.csv"}\ncounty_code: "130102"\nyear: 2025\n'


# --------------------------------------------------------------------------------------------
# item 1: run names
@pytest.mark.parametrize("name, valid", [
    ("...yaml", False), ("...yaml", True),   # stem ".." : the parent of --out
    ("..yaml", False), ("..yaml", True),     # stem "."  : --out itself
])
def test_dot_names_delete_nothing(project, name, valid):
    """``...yaml`` used to remove the parent of --out (the repository with the README's
    ``--out outputs``), ``..yaml`` to empty --out, even when the file was invalid."""
    f = project / "params" / name
    f.write_text(valid_params(project) if valid else invalid_params(project), encoding="utf-8")
    before = snapshot(project.parent)
    b = run_batch([f], project / "out", progress=False, notebooks_dir=NOTEBOOKS, workers=1)
    after = snapshot(project.parent)
    new = set(after) - set(before)
    assert set(before) <= set(after), f"removed: {sorted(set(before) - set(after))}"
    assert all(after[k] == v for k, v in before.items()), "a file was changed"
    assert new <= {"proj/out/manifest.csv", "proj/out/index.html"}, new
    (r,) = b.runs
    assert r.status == "failed" and b.exit_code == 1
    assert "参数文件名不能作运行名称" in r.error and "cannot be a run name" in r.error and name in r.error


BAD_NAMES = [
    ".hidden.yaml", "index.yaml", "INDEX.yml", "CON.yaml", "nul.yaml", "com1.notes.yaml", "a:b.yaml", "a?.yaml",
    "a*b.yaml", 'a"b.yaml', "a|b.yaml", "a<b>.yaml", "a\\b.yaml", "a..yaml", "a .yaml", " a.yaml",
    "a\x1b[31mred.yaml", "a\nb.yaml", "a\u202eb.yaml", "tab\there.yaml", "x" * 201 + ".yaml",
]


def test_names_that_are_not_plain_fail_their_run_and_touch_nothing(project):
    pdir = project / "params"
    files = []
    for name in BAD_NAMES:
        f = pdir / name
        f.write_text(invalid_params(project), encoding="utf-8")
        files.append(f)
    raw = os.path.join(os.fsencode(pdir), b"\xff\xfe.yaml")  # not valid UTF-8: not text at all
    with open(raw, "wb") as fh:
        fh.write(invalid_params(project).encode("utf-8"))
    files.append(Path(os.fsdecode(raw)))
    ok = pdir / "长安区 2025 (v2)#1.yaml"  # spaces, Chinese, brackets, '#': a plain name
    ok.write_text(invalid_params(project), encoding="utf-8")
    out = project / "out"
    for run in ("index", ".hidden", "a."):  # earlier outputs a refused name must not remove
        (out / f"{run}.ipynb").write_text("{}", encoding="utf-8")
    before = snapshot(project.parent)
    b = run_batch(files + [ok], out, progress=False, notebooks_dir=NOTEBOOKS)
    after = snapshot(project.parent)
    assert set(before) <= set(after) and all(after[k] == v for k, v in before.items() if k != "proj/out/index.html")
    assert "简报目录" in (out / "index.html").read_text(encoding="utf-8")  # index.html is still the index
    assert set(after) - set(before) <= {"proj/out/manifest.csv", "proj/out/index.html"}
    by_params = {r.params: r for r in b.runs}
    for f in files:
        r = by_params[printable(f)]
        assert r.status == "failed" and r.error.startswith("参数文件名不能作运行名称"), (f, r.error)
        assert "cannot be a run name" in r.error and "\n" not in r.error and "\x1b" not in r.error
    r = by_params[str(ok)]
    assert "参数文件名" not in r.error and "yaer" in r.error  # the name is fine, the content is not
    m = manifest(out)  # written despite undecodable and control characters, one line per row
    assert len(m) == len(files) + 1
    text = (out / "manifest.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in text and "\\xff\\xfe" in text and "\\x1b" in text


@pytest.mark.parametrize("name", ["a b", "长安区 2025", "130102_2025", "county-briefing_v2", "report (final)", "a.b",
                                  "第1版#2", "x" * 200, "Ａ全角", "index2", "my index"])
def test_plain_names_are_accepted(name):
    assert run_name_problem(name) is None


def test_duplicate_names_differing_in_case_are_refused(project):
    (project / "params" / "sub").mkdir()
    a = project / "params" / "Run.yaml"
    b = project / "params" / "sub" / "run.yaml"
    for f in (a, b):
        f.write_text(invalid_params(project), encoding="utf-8")
    res = run_batch([a, b], project / "out", progress=False, notebooks_dir=NOTEBOOKS)
    errors = sorted(r.error for r in res.runs)
    assert any("duplicate run name" in e and "运行名称重复" in e for e in errors)


# --------------------------------------------------------------------------------------------
# item 1: the guard — symbolic links and inputs inside --out
@pytest.mark.parametrize("valid", [False, True])
def test_results_folder_that_is_a_symlink_is_not_followed(project, tmp_path, valid):
    """``<out>/<run>`` pointing outside --out: its target is neither emptied nor written."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".input-hash").write_text("someone else's\n", encoding="utf-8")
    (elsewhere / "precious.txt").write_text("keep me", encoding="utf-8")
    out = project / "out"
    (out / "130102_2025").symlink_to(elsewhere, target_is_directory=True)
    outside_file = tmp_path / "outside.html"
    outside_file.write_text("not a briefing", encoding="utf-8")
    (out / "other.html").symlink_to(outside_file)
    os.symlink(out / "sibling", out / "other")  # a link to another folder inside --out
    (out / "sibling").mkdir()
    (out / "sibling" / ".input-hash").write_text("sibling's\n", encoding="utf-8")
    p1 = project / "params" / "130102_2025.yaml"
    p1.write_text(valid_params(project) if valid else invalid_params(project), encoding="utf-8")
    p2 = project / "params" / "other.yaml"
    p2.write_text(invalid_params(project), encoding="utf-8")
    before = snapshot(elsewhere)
    b = run_batch([p1, p2], out, progress=False, notebooks_dir=NOTEBOOKS, workers=1)
    assert snapshot(elsewhere) == before
    assert outside_file.read_text(encoding="utf-8") == "not a briefing"
    assert (out / "sibling" / ".input-hash").read_text(encoding="utf-8") == "sibling's\n"
    assert (out / "130102_2025").is_symlink()
    r = {x.run: x for x in b.runs}
    assert r["130102_2025"].status == "failed"
    assert "符号链接" in r["130102_2025"].error and "symbolic link" in r["130102_2025"].error
    assert r["other"].status == "failed" and "symbolic link" in r["other"].error


@pytest.mark.parametrize("valid", [False, True])
def test_inputs_inside_the_results_folder_are_never_deleted(project, valid):
    """A params file whose data lies in ``<out>/<run>/`` (or a notebook in --out) must not lose it."""
    out = project / "out"
    (out / "demo").mkdir()
    data = out / "demo" / "schools.csv"
    data.write_text(CSV, encoding="utf-8")
    f = project / "params" / "demo.yaml"
    body = f'notebook: county_briefing\ndata: {data}\ncounty_code: "130102"\nyear: 2025\n'
    f.write_text(body if valid else body + "yaer: 1\n", encoding="utf-8")
    b = run_batch([f], out, progress=False, notebooks_dir=NOTEBOOKS, workers=1)
    assert data.read_text(encoding="utf-8") == CSV
    (r,) = b.runs
    assert r.status == "failed" and "输入文件" in r.error and "input of this run" in r.error


def test_out_is_the_notebooks_folder(project, tmp_path):
    import shutil

    nbs = tmp_path / "nbs"
    shutil.copytree(NOTEBOOKS, nbs)
    before = snapshot(nbs)
    f = project / "params" / "county_briefing.yaml"
    f.write_text(invalid_params(project), encoding="utf-8")
    run_batch([f], nbs, progress=False, notebooks_dir=nbs)
    after = snapshot(nbs)
    assert {k: v for k, v in after.items() if k in before} == before


def test_guard_refuses_outside_targets(tmp_path):
    out = tmp_path / "out"
    (out / "run").mkdir(parents=True)
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "f").write_text("x", encoding="utf-8")
    for target in (out / "..", out / ".", out, out / ".." / "victim", out / "run" / ".." / ".." / "victim"):
        with pytest.raises(UnsafeOutput):
            safe_rmtree(out, target)
    with pytest.raises(UnsafeOutput):
        safe_unlink(out, out / ".." / "victim" / "f")
    assert (tmp_path / "victim" / "f").exists() and out.is_dir()
    (out / "run" / "x").write_text("x", encoding="utf-8")
    assert safe_rmtree(out, out / "run") and not (out / "run").exists()


# --------------------------------------------------------------------------------------------
# item 1 / index: a hand-edited manifest never becomes a path
def test_manifest_rows_never_become_paths(project, tmp_path):
    out = project / "out"
    (project / "secret.html").write_text("outside", encoding="utf-8")
    (project / "results.json").write_text(json.dumps({"title": "READ FROM OUTSIDE"}), encoding="utf-8")
    rows = [{c: "" for c in MANIFEST_COLUMNS} | {"run": "..", "status": "ok", "html": "../secret.html"},
            {c: "" for c in MANIFEST_COLUMNS} | {"run": "evil", "status": "ok", "html": "../secret.html",
                                                  "ipynb": "../secret.html"}]
    index = write_index(out, rows).read_text(encoding="utf-8")
    assert "secret.html" not in index.split("<tbody>")[1].split("</tbody>")[0].replace("..", "")
    assert "READ FROM OUTSIDE" not in index
    with open(out / "manifest.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    assert set(runner.read_manifest(out)) == {"evil"}


# --------------------------------------------------------------------------------------------
# item 7 (index part): every text from data, params or errors is escaped
def test_index_escapes_titles_county_names_errors_and_names(tmp_path):
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "results.json").write_text(json.dumps({"county_name": "<img src=x onerror=alert(1)>"}),
                                            encoding="utf-8")
    (out / "b.html").write_text("<html></html>", encoding="utf-8")
    base = {c: "" for c in MANIFEST_COLUMNS}
    rows = [base | {"run": "a", "status": "failed", "error": '<script>alert("error")</script>', "year": "2025",
                    "county_code": "<b>1</b>", "notebook": "<i>nb</i>"},
            base | {"run": "b", "status": "ok", "html": "b.html", "title": "<script>alert('title')</script>"},
            base | {"run": "c\"onmouseover=\"alert(1)", "status": "<x>"}]
    index = write_index(out, rows).read_text(encoding="utf-8")
    body = index.split("<tbody>")[1].split("</tbody>")[0]
    for bad in ("<script", "<img", "<b>", "<i>", "<x>", '"onmouseover'):
        assert bad not in body, bad
    assert "&lt;script&gt;alert(&quot;error&quot;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "&lt;script&gt;alert(&#x27;title&#x27;)" in body
    assert 'href="b.html"' in body


# --------------------------------------------------------------------------------------------
# item 7: one batch per --out
HOLDER = textwrap.dedent("""
    import sys, time
    from balance.running.outdir import BatchLock
    lock = BatchLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    time.sleep(120)
""")


def test_second_batch_into_the_same_folder_is_refused(project, capsys):
    out = project / "out"
    f = project / "params" / "bad.yaml"
    f.write_text(invalid_params(project), encoding="utf-8")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), "balance-batch-marker"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = snapshot(out)
        code = _cli(["batch", str(f), "--out", str(out), "--no-progress", "--notebooks", str(NOTEBOOKS)])
        err = capsys.readouterr().err
        assert code == 2
        assert "正被另一个批次使用" in err and "in use by another batch" in err
        assert f"pid {holder.pid}" in err and "balance-batch-marker" in err and "started 20" in err
        assert snapshot(out) == before  # no manifest row lost or added, nothing removed
        assert _cli(["report", str(f), "--out", str(out), "--notebooks", str(NOTEBOOKS)]) == 2
        with pytest.raises(BatchLocked):
            run_batch([f], out, progress=False, notebooks_dir=NOTEBOOKS)
    finally:
        holder.kill()  # kill -9: the operating system releases the lock
        holder.wait()
    assert (out / LOCK_FILE).exists()  # the dead holder's file is still there …
    b = run_batch([f], out, progress=False, notebooks_dir=NOTEBOOKS)  # … and locks nothing
    assert [r.run for r in b.runs] == ["bad"] and not (out / LOCK_FILE).exists()


def test_lock_is_exclusive_within_one_process_and_released(tmp_path):
    with BatchLock(tmp_path) as first:
        info = json.loads((tmp_path / LOCK_FILE).read_text(encoding="utf-8"))
        assert info["pid"] == os.getpid() and info["host"] and info["started"] and "command" in info
        with pytest.raises(BatchLocked) as ei:
            BatchLock(tmp_path).acquire()
        assert str(os.getpid()) in str(ei.value) and ei.value.holder["pid"] == os.getpid()
        assert first.fd is not None
    assert not (tmp_path / LOCK_FILE).exists()
    BatchLock(tmp_path).acquire().release()


# --------------------------------------------------------------------------------------------
# item 9: an unusable --out, a manifest that cannot be written
def test_out_is_an_existing_file(project, capsys):
    f = project / "params" / "bad.yaml"
    f.write_text(invalid_params(project), encoding="utf-8")
    target = project / "results.txt"
    target.write_text("a file", encoding="utf-8")
    for cmd in ("batch", "report"):
        code = _cli([cmd, str(f), "--out", str(target), "--notebooks", str(NOTEBOOKS)])
        err = capsys.readouterr().err
        assert code == 2 and "已存在的文件" in err and "existing file" in err and "Traceback" not in err
    code = _cli(["batch", str(f), "--out", str(target / "sub"), "--notebooks", str(NOTEBOOKS)])
    err = capsys.readouterr().err
    assert code == 2 and "无法创建输出文件夹" in err and "cannot create the output folder" in err
    assert target.read_text(encoding="utf-8") == "a file"


@pytest.mark.parametrize("err_no, zh, en", [(errno.ENOSPC, "磁盘已满", "disk is full"),
                                              (errno.EROFS, "只读", "read-only")])
def test_manifest_that_cannot_be_written_is_a_clean_refusal(project, monkeypatch, capsys, err_no, zh, en):
    f = project / "params" / "bad.yaml"
    f.write_text(invalid_params(project), encoding="utf-8")

    def cannot(*a, **k):
        raise OSError(err_no, os.strerror(err_no))

    monkeypatch.setattr("balance.running.batch.write_manifest", cannot)
    new_out = project / "new-out"
    for cmd in ("batch", "report"):
        code = _cli([cmd, str(f), "--out", str(new_out), "--notebooks", str(NOTEBOOKS)])
        err = capsys.readouterr().err
        assert code == 2 and "无法写入清单" in err and "cannot write the manifest" in err, err
        assert zh in err and en in err
        assert not new_out.exists(), "an empty --out folder was left behind"


def test_read_only_folder_is_a_clean_refusal(project, monkeypatch, capsys):
    """(Tests run as root here, where chmod does not stop writes: the lock file's creation fails
    as it would in a read-only folder.)"""
    f = project / "params" / "bad.yaml"
    f.write_text(invalid_params(project), encoding="utf-8")

    def denied(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self.path))

    monkeypatch.setattr(BatchLock, "acquire", denied)
    code = _cli(["batch", str(f), "--out", str(project / "out"), "--notebooks", str(NOTEBOOKS)])
    err = capsys.readouterr().err
    assert code == 2 and "无法写入输出文件夹" in err and "no permission to write" in err


def test_stale_lock_file_does_not_block(tmp_path):
    """A lock file left by a dead batch (any content) does not stop the next batch."""
    (tmp_path / LOCK_FILE).write_text("garbage from a batch killed long ago", encoding="utf-8")
    BatchLock(tmp_path).acquire().release()
    assert not (tmp_path / LOCK_FILE).exists()


def test_only_the_batchs_own_files_are_replaced_or_removed(project):
    """``--out`` may be a folder with other things in it (``--out .``): a params file named
    ``data.yaml`` must not empty ``./data/``, one named ``report.yaml`` must not replace the
    clerk's own ``report.html``."""
    out = project / "out"
    (out / "data").mkdir()
    (out / "data" / "2024.xlsx").write_bytes(b"PK\x03\x04 the clerk's workbook")
    (out / "report.html").write_text("<html>the clerk's own page</html>", encoding="utf-8")
    (out / "notes.ipynb").write_text('{"cells": [], "metadata": {}}', encoding="utf-8")
    files = []
    for name in ("data", "report", "notes"):
        f = project / "params" / f"{name}.yaml"
        f.write_text(invalid_params(project), encoding="utf-8")
        files.append(f)
    before = snapshot(out)
    b = run_batch(files, out, progress=False, notebooks_dir=NOTEBOOKS)
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k in before} == before
    for r in b.runs:
        assert r.status == "failed" and "不是 balance 生成的" in r.error and "not made by balance" in r.error, r.error


@pytest.mark.parametrize("argv, words", [
    (["--out", ""], ["--out 为空", "--out is empty"]),
    (["--timeout", "-1"], ["正的秒数", "positive number of seconds"]),
    (["--timeout", "nan"], ["正的秒数", "positive number of seconds"]),
    (["--workers", "0"], ["不小于 1", "whole number"]),
])
def test_bad_options_are_refused(project, capsys, argv, words):
    """An empty --out used to write into the current folder; a negative or NaN timeout and zero
    workers were passed on."""
    f = project / "params" / "bad.yaml"
    f.write_text(invalid_params(project), encoding="utf-8")
    args = ["batch", str(f), "--notebooks", str(NOTEBOOKS)] + (["--out", str(project / "o")] if argv[0] != "--out" else [])
    before = snapshot(project)
    try:
        code = _cli(args + argv)
    except SystemExit as exc:  # argparse refuses the value
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and all(w in err for w in words), err
    assert snapshot(project) == before


def test_index_failure_during_an_interrupt_is_reported_not_printed(project, monkeypatch, capsys):
    """The index page cannot be written while the batch is already stopping (Ctrl-C): the
    library prints nothing, the message travels with the interrupt (``batch.warnings`` and a note)
    and the command line shows it next to its own message (it used to be a print in the library)."""
    f = project / "params" / "run.yaml"
    f.write_text(valid_params(project), encoding="utf-8")

    class Interrupted:
        name = "local"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def start(self, n):
            pass

        def prepare(self, todo, out_dir, notebooks_dir):
            pass

        def abort(self):
            pass

        def as_completed(self, fn, todo):
            raise KeyboardInterrupt
            yield  # pragma: no cover - a generator that stops at once

    calls = []

    def index_fails_after_the_first(out_dir, rows):
        calls.append(1)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write_index(out_dir, rows)

    monkeypatch.setattr("balance.running.executors.make_executor", lambda *a, **k: Interrupted())
    monkeypatch.setattr("balance.running.batch.write_index", index_fails_after_the_first)
    with pytest.raises(KeyboardInterrupt) as info:
        run_batch([f], project / "out", notebooks_dir=NOTEBOOKS, progress=False)
    assert capsys.readouterr().err == ""
    warnings = info.value.batch.warnings
    assert len(warnings) == 1 and "目录页" in warnings[0] and "index page" in warnings[0]
    assert warnings == info.value.__notes__
    calls.clear()
    code = _cli(["batch", str(f), "--out", str(project / "out"), "--notebooks", str(NOTEBOOKS), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 130 and "批次已中断" in err and warnings[0] in err
