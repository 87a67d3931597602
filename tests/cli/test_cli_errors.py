"""The command line when things go wrong: no raw traceback, no partial output, no empty folders.

Exit codes (balance/cli.py): 2 = bad input or an output path that cannot be used as given,
1 = the environment (a full disk, a read-only folder, no permission) or a bug. The table-driven
cases live in tests/fuzz/test_fuzz_cli.py; these tests look closer at single mechanisms.
"""
from __future__ import annotations

import errno
import os
import re

import pyarrow.parquet as pq
import pytest

from balance.cli import main
from balance.io import files as atomic
from balance.io.files import WriteError, atomic_write_text, staged_files
from tests.fuzz.harness import assert_refused, disk_fault, run_cli, snapshot
from tests.tables import valid_table


@pytest.fixture()
def sandbox(tmp_path):
    valid_table().to_csv(tmp_path / "学校数据.csv", index=False, encoding="utf-8-sig")
    return tmp_path


# ------------------------------------------------------------------------- unexpected errors

def test_unexpected_error_is_short_bilingual_and_saves_the_traceback(sandbox, monkeypatch):
    import balance.method.assessment

    def broken(*a, **k):
        raise RuntimeError("内部计算出错 internal failure")

    monkeypatch.setattr(balance.method.assessment, "assess", broken)
    r = run_cli(["assess", "学校数据.csv", "--out", "out"], sandbox)
    assert r.code == 1 and "Traceback" not in r.err
    assert "意外错误" in r.err and "unexpected error" in r.err and "RuntimeError" in r.err
    assert "please report" in r.err and "--debug" in r.err
    log = re.search(r"full traceback saved to: (\S+)", r.err).group(1)
    text = open(log, encoding="utf-8").read()
    os.unlink(log)
    assert "Traceback" in text and "RuntimeError" in text and "broken" in text
    assert r.after == r.before  # nothing written in the sandbox


@pytest.mark.parametrize("how", ["--debug", "BALANCE_DEBUG"])
def test_debug_prints_the_traceback(sandbox, monkeypatch, how):
    import balance.method.assessment

    monkeypatch.setattr(balance.method.assessment, "assess", lambda *a, **k: 1 / 0)
    args = ["assess", "学校数据.csv", "--out", "out"]
    r = run_cli(["--debug", *args] if how == "--debug" else args, sandbox,
                env={"BALANCE_DEBUG": "1"} if how == "BALANCE_DEBUG" else None)
    os.unlink(re.search(r"full traceback saved to: (\S+)", r.err).group(1))
    assert r.code == 1 and "Traceback" in r.err and "ZeroDivisionError" in r.err


# ------------------------------------------------------------------------- full and read-only disks

@pytest.mark.parametrize("after", range(0, 8))
def test_assess_disk_full_at_every_file(sandbox, after):
    """Whichever of the eight files the disk fills up on: exit 1, the path, nothing left behind."""
    with disk_fault(sandbox / "out", errno.ENOSPC, after=after, at="write") as state:
        r = run_cli(["assess", "学校数据.csv", "--out", "out"], sandbox)
    # the fault was hit where intended: the tables are written on writer threads (io/export/assessment),
    # so the files opened after the failing one may still be tried before the set is discarded
    assert state["writes"] >= after + 1
    assert_refused(r, names=("ENOSPC", "磁盘空间不足", "no space left"), code=1)
    assert ".balance-tmp" not in r.err  # the user's path, not the staging copy
    assert str(sandbox / "out") in r.err or "out/" in r.err or "out" in r.err


def test_disk_full_message_names_the_file_being_written(sandbox):
    with disk_fault(sandbox / "out", errno.ENOSPC, after=7):
        r = run_cli(["assess", "学校数据.csv", "--out", "out"], sandbox)
    assert r.code == 1 and re.search(r"out/results\.xlsx", r.err), r.err


def test_read_only_folder_keeps_old_results(sandbox):
    out = sandbox / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"old": true}', encoding="utf-8")
    with disk_fault(out, errno.EROFS):
        r = run_cli(["assess", "学校数据.csv", "--out", "out"], sandbox)
    assert_refused(r, names=("EROFS",), code=1)
    assert (out / "summary.json").read_text(encoding="utf-8") == '{"old": true}'


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into read-only folders")
def test_really_read_only_folder(sandbox):
    ro = sandbox / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = run_cli(["assess", "学校数据.csv", "--out", "ro/out"], sandbox)
        assert_refused(r, names=("ro",), code=1)
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("form,name", [("school-table", "模板.xlsx"), ("school-table", "模板.csv"),
                                       ("county-sheet", "县级表.xlsx")])
def test_template_disk_full_leaves_no_file_and_no_folder(sandbox, form, name):
    with disk_fault(sandbox / "new", errno.ENOSPC, at="write"):
        r = run_cli(["template", form, f"new/folder/{name}"], sandbox)
    assert_refused(r, names=(name, "ENOSPC"), code=1)


def test_evaluate_disk_full_leaves_no_folder(tmp_path):
    import shutil

    shutil.copy("data/demo/schools.csv", tmp_path / "s.csv")
    shutil.copy("data/demo/county_sheet.xlsx", tmp_path / "c.xlsx")
    with disk_fault(tmp_path / "结果", errno.ENOSPC, after=1, at="write"):
        r = run_cli(["evaluate", "s.csv", "--county-sheet", "c.xlsx", "--out", "结果/评估", "--county", "990105",
                     "--year", "2025"], tmp_path)
    assert_refused(r, names=("ENOSPC", "evaluation.xlsx"), code=1)


def test_name_too_long_is_bad_input(sandbox):
    r = run_cli(["assess", "学校数据.csv", "--out", "x" * 300, "--no-excel"], sandbox)
    assert_refused(r, names=("ENAMETOOLONG", "文件名或路径过长"), code=2)


# ------------------------------------------------------------------------- the staged writer itself

def test_failure_while_moving_puts_everything_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.csv").write_text("old b", encoding="utf-8")
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        if str(dst).startswith(str(out)) and ".balance-tmp" not in str(dst):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(WriteError) as ei:
        with staged_files(out) as s:
            for name in ("a.csv", "b.csv", "c.csv"):
                s.stage(name).write_text(f"new {name}", encoding="utf-8")
    assert ei.value.errno == errno.EIO and ".balance-tmp" not in ei.value.filename
    assert sorted(p.name for p in out.iterdir()) == ["b.csv"]
    assert (out / "b.csv").read_text(encoding="utf-8") == "old b"


def test_a_folder_in_the_way_moves_nothing(tmp_path):
    out = tmp_path / "out"
    (out / "b.csv").mkdir(parents=True)
    with pytest.raises(WriteError) as ei:
        with staged_files(out) as s:
            for name in ("a.csv", "b.csv"):
                s.stage(name).write_text("x", encoding="utf-8")
    assert ei.value.errno == errno.EISDIR and ei.value.filename.endswith("b.csv")
    assert sorted(p.name for p in out.iterdir()) == ["b.csv"] and (out / "b.csv").is_dir()


def test_staged_files_removes_the_folders_it_created(tmp_path):
    with pytest.raises(RuntimeError):
        with staged_files(tmp_path / "a" / "b" / "c") as s:
            s.stage("x.csv").write_text("x", encoding="utf-8")
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_staged_files_keeps_a_folder_that_existed(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError):
        with staged_files(tmp_path / "out"):
            raise RuntimeError("stop")
    assert (tmp_path / "out").is_dir() and list((tmp_path / "out").iterdir()) == []


def test_atomic_write_text_failure_leaves_nothing(tmp_path):
    target = tmp_path / "new" / "index.html"
    with disk_fault(tmp_path / "new", errno.ENOSPC, at="write"):
        with pytest.raises(WriteError) as ei:
            atomic_write_text(target, "<html>" * 1000)
    assert ei.value.filename == str(target)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- ingest: all years or none

def _two_years(tmp_path):
    t = valid_table()
    assert t["年份"].nunique() == 2
    p = tmp_path / "学校数据.csv"
    t.to_csv(p, index=False, encoding="utf-8-sig")
    return p


def test_ingest_disk_full_on_the_second_year_leaves_no_store(tmp_path, monkeypatch):
    src = _two_years(tmp_path)
    real = pq.write_table
    calls = {"n": 0}

    def full(table, where, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", full)
    before = snapshot(tmp_path)
    r = run_cli(["ingest", src.name, "--store", "仓库"], tmp_path)
    assert_refused(r, names=("仓库", "ENOSPC"), code=1)
    assert snapshot(tmp_path) == before


def test_ingest_replace_failure_restores_the_replaced_years(tmp_path, monkeypatch):
    from balance.io.ingest import ingest
    from balance.io.store import store_years

    src = _two_years(tmp_path)
    ingest(src, tmp_path / "仓库")
    before = snapshot(tmp_path)
    real = pq.write_table
    calls = {"n": 0}

    def full(table, where, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", full)
    r = run_cli(["ingest", src.name, "--store", "仓库", "--replace"], tmp_path)
    assert r.code == 1 and "ENOSPC" in r.err
    assert snapshot(tmp_path) == before and store_years(tmp_path / "仓库") == sorted(valid_table()["年份"].unique())


def test_main_refuses_output_checks_before_reading(sandbox, capsys):
    (sandbox / "结果").write_text("keep", encoding="utf-8")
    assert main(["assess", str(sandbox / "学校数据.csv"), "--out", str(sandbox / "结果")]) == 2
    err = capsys.readouterr().err
    assert "结果" in err and "--out" in err and (sandbox / "结果").read_text(encoding="utf-8") == "keep"


# ------------------------------------------------------------------------- option values

@pytest.mark.parametrize("args, zh", [
    (["sample", "学校数据.csv", "--year", "2025", "--county", "990101", "--share", "1.5", "--out", "o"],
     "比例"),
    (["ledger", "学校数据.csv", "--year", "2025", "--as-of", "2025-13-40", "--out", "o"], "日期"),
])
def test_a_bad_option_value_is_explained_in_chinese_too(sandbox, args, zh):
    """The Chinese half of an option's refusal is Chinese (argparse type messages are English;
    balance/data/messages_cli.yaml translates them), exit 2, nothing written."""
    r = run_cli(args, sandbox)
    assert r.code == 2 and r.after == r.before
    line = next(s for s in r.err.splitlines() if s.startswith("命令行参数有误"))
    chinese_half = line.split(" / invalid command line")[0]
    assert zh in chinese_half and "must be" not in chinese_half
