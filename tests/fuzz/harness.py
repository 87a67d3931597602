"""Run ``balance`` on hostile input in a sandbox and check that it refuses cleanly.

A *case* is one line of a table: a builder that creates the hostile input inside a sandbox
folder (``tmp_path``) and returns the command's arguments, plus what the refusal must look like.
:func:`check_case` runs it and asserts, for a refusal (``expect="refused"``, the default):

* the exit status is non-zero (and equals ``code`` when given: 2 = bad input, 1 = environment);
* the message is bilingual (Chinese characters and English words) and names every string in
  ``names`` (the file, the option, the key …);
* no ``Traceback`` and no "unexpected error" (a bug caught by the last line of defence) is printed;
* the sandbox is byte for byte what it was before: nothing written, nothing deleted, every input
  file unchanged (SHA-256 of every file, and every folder).

For ``expect="ok"`` the command must exit 0 without a traceback, leave every file that existed
before unchanged (unless it lies under one of ``writes``), and write only under ``writes``
(the ``--out`` folders, relative to the sandbox); ``check(sandbox, result)`` may look further.

Adding a kind is one line in a table (see ``tests/fuzz/test_fuzz_cli.py``)::

    Case("out_is_file", lambda d: ["assess", table(d), "--out", touch(d, "x.txt")], names=("x.txt", "--out")),

Commands run in-process (:func:`balance.cli.main`, fast) with the working directory set to the
sandbox; ``subprocess=True`` runs ``python -m balance`` instead, for input that may kill the
process (a crash then shows as a negative exit status). :func:`disk_fault` simulates a full,
read-only or forbidden disk under a folder (in-process only). Nothing is printed on success.
"""
from __future__ import annotations

import builtins
import errno as _errno
import hashlib
import io
import os
import re
import stat
import subprocess as _subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b")
UNEXPECTED = "unexpected error"


@dataclass
class Result:
    """What one run did: exit status, what it printed, and the sandbox before and after."""

    args: list[str]
    code: int
    out: str
    err: str
    before: dict[str, str]
    after: dict[str, str]

    @property
    def text(self) -> str:
        return self.out + "\n" + self.err

    def added(self) -> list[str]:
        return sorted(set(self.after) - set(self.before))

    def removed(self) -> list[str]:
        return sorted(set(self.before) - set(self.after))

    def modified(self) -> list[str]:
        return sorted(k for k in set(self.before) & set(self.after) if self.before[k] != self.after[k])

    def describe(self) -> str:
        return (f"balance {' '.join(self.args)}\nexit {self.code}\n--- stdout\n{self.out[-3000:]}\n--- stderr\n"
                f"{self.err[-3000:]}\nadded {self.added()}\nremoved {self.removed()}\nmodified {self.modified()}")


def snapshot(root: str | Path) -> dict[str, str]:
    """Every file and folder under ``root`` (relative POSIX path → SHA-256, ``<dir>`` or ``-> link``)."""
    root = Path(root)
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_dir():
                out[rel] = "<dir>"
            elif not p.is_file():  # a FIFO, socket or device: never opened (a FIFO would block)
                out[rel] = f"<special {stat.S_IFMT(p.lstat().st_mode):o}>"
            else:
                h = hashlib.sha256()
                with open(p, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                out[rel] = h.hexdigest()
    return out


def run_cli(args: Sequence[str], cwd: str | Path, *, sandbox: str | Path | None = None, subprocess: bool = False,
            env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """Run ``balance ARGS`` with working directory ``cwd``; snapshot ``sandbox`` (default ``cwd``)
    before and after. In-process by default (``SystemExit`` of argparse becomes the exit code)."""
    args = [str(a) for a in args]
    sandbox = Path(sandbox if sandbox is not None else cwd)
    before = snapshot(sandbox)
    if subprocess:
        run_env = {**os.environ, **(env or {}), "PYTHONIOENCODING": "utf-8"}
        p = _subprocess.run([sys.executable, "-m", "balance", *args], cwd=cwd, capture_output=True, text=True,
                            encoding="utf-8", errors="replace", timeout=timeout, env=run_env)
        code, out, err = p.returncode, p.stdout, p.stderr
    else:
        from balance.cli import main

        o, e = io.StringIO(), io.StringIO()
        old_cwd = os.getcwd()
        old_env = {k: os.environ.get(k) for k in (env or {})}
        try:
            os.environ.update(env or {})
            os.chdir(cwd)
            with redirect_stdout(o), redirect_stderr(e):
                try:
                    code = main(args)
                except SystemExit as exc:  # argparse: --help, --version, refused options
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.chdir(old_cwd)
            for k, v in old_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        out, err = o.getvalue(), e.getvalue()
    return Result(args, int(code), out, err, before, snapshot(sandbox))


def assert_refused(r: Result, *, names: Sequence[str] = (), code: int | None = None,
                   may_write: Sequence[str] = ()) -> None:
    """A clean refusal: non-zero exit, bilingual message naming ``names``, no traceback, nothing
    written or changed in the sandbox (except under ``may_write``: a batch records its failed runs
    in ``<out>/manifest.csv``)."""
    why = r.describe()
    assert r.code != 0, "accepted instead of refused\n" + why
    if code is not None:
        assert r.code == code, f"exit {r.code}, expected {code}\n" + why
    assert "Traceback" not in r.text, "traceback printed\n" + why
    assert UNEXPECTED not in r.text, "crashed (unexpected error)\n" + why
    assert CJK.search(r.err) or CJK.search(r.out), "no Chinese in the message\n" + why
    assert ENGLISH.search(r.err) or ENGLISH.search(r.out), "no English in the message\n" + why
    for n in names:
        assert n in r.text, f"message does not name {n!r}\n" + why
    if may_write:
        assert not outside(r, may_write), "the sandbox changed outside " + f"{list(may_write)}\n" + why
    else:
        assert r.after == r.before, "the sandbox changed\n" + why


def outside(r: Result, writes: Sequence[str]) -> list[str]:
    """Files and folders added, removed or changed that do not lie under one of ``writes``."""
    def inside(rel: str) -> bool:
        return any(rel == w or rel.startswith(w.rstrip("/") + "/") for w in writes)

    return [k for k in r.added() + r.removed() + r.modified() if not inside(k)]


def assert_ok(r: Result, *, writes: Sequence[str] = ()) -> None:
    """Success: exit 0, no traceback, existing files unchanged, new files only under ``writes``."""
    why = r.describe()
    assert r.code == 0, "failed\n" + why
    assert "Traceback" not in r.text and UNEXPECTED not in r.text, "traceback printed\n" + why
    touched = outside(r, writes)
    assert not touched, f"touched outside {list(writes)}: {touched}\n" + why


@dataclass(frozen=True)
class Case:
    """One kind of hostile input (see the module docstring)."""

    kind: str
    build: Callable[[Path], list[str]]
    names: tuple[str, ...] = ()
    code: int | None = 2
    expect: str = "refused"                       # "refused" or "ok"
    writes: tuple[str, ...] = ()                   # folders that may change (refused: a batch's manifest)
    check: Callable[[Path, Result], None] | None = None
    subprocess: bool = False
    fault: dict | None = None                      # keyword arguments of disk_fault (relative "root")
    env: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.kind


def check_case(case: Case, sandbox: Path) -> Result:
    """Build ``case`` in ``sandbox``, run it, and assert its expectations; returns the result."""
    args = case.build(sandbox)
    if case.fault is not None:
        fault = dict(case.fault)
        root = sandbox / fault.pop("root", ".")
        with disk_fault(root, **fault):
            r = run_cli(args, sandbox, env=case.env)
    else:
        r = run_cli(args, sandbox, subprocess=case.subprocess, env=case.env)
    if case.expect == "ok":
        assert_ok(r, writes=case.writes)
    else:
        assert_refused(r, names=case.names, code=case.code, may_write=case.writes)
    if case.check is not None:
        case.check(sandbox, r)
    return r


# ------------------------------------------------------------------------------ a failing disk

class _FailingFile:
    """A file object whose first ``write`` stores half of the data and then fails (a disk that
    fills up while a file is written)."""

    def __init__(self, fh, err: int, name):
        self._fh, self._err, self._name = fh, err, name

    def write(self, data):
        self._fh.write(data[: len(data) // 2])
        raise OSError(self._err, os.strerror(self._err), os.fspath(self._name))

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        return False

    def __iter__(self):
        return iter(self._fh)

    def __getattr__(self, name):
        return getattr(self._fh, name)


@contextmanager
def disk_fault(root: str | Path, err: int = _errno.ENOSPC, *, after: int = 0, at: str = "open",
               mkdir: bool | None = None) -> Iterator[dict]:
    """Make writing under ``root`` fail with ``OSError(err)``, as a full (``ENOSPC``), read-only
    (``EROFS``) or forbidden (``EACCES``) disk does.

    The first ``after`` files opened for writing under ``root`` work; from the next one on,
    ``at="open"`` refuses the open, ``at="write"`` opens the file and fails in its first write
    (after storing half of it: a partial file). ``mkdir`` (default: not for ``ENOSPC``) also
    refuses creating folders. Covers ``open``/``io.open``/``Path.open`` (pandas, openpyxl's zip,
    json), ``os.open`` (``tempfile.mkstemp``) and ``os.mkdir`` (``tempfile.mkdtemp``,
    ``Path.mkdir``); not writers in C++ (pyarrow). Yields a dict counting the ``writes`` tried.
    """
    root_s = os.path.abspath(root)
    if mkdir is None:
        mkdir = err != _errno.ENOSPC
    state = {"writes": 0}
    real_open, real_io_open, real_os_open, real_mkdir = builtins.open, io.open, os.open, os.mkdir

    def under(p) -> bool:
        if isinstance(p, int):
            return False
        try:
            s = os.fsdecode(os.fspath(p))
        except TypeError:
            return False
        s = os.path.abspath(s)
        return s == root_s or s.startswith(root_s + os.sep)

    def refuse(p):
        raise OSError(err, os.strerror(err), os.fsdecode(os.fspath(p)))

    def due(p) -> bool:
        state["writes"] += 1
        return state["writes"] > after

    def fake_open(file, mode="r", *a, **k):
        if any(c in mode for c in "wax+") and under(file) and due(file):
            if at == "open":
                refuse(file)
            return _FailingFile(real_open(file, mode, *a, **k), err, file)
        return real_open(file, mode, *a, **k)

    def fake_os_open(path, flags, mode=0o777, *, dir_fd=None):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and under(path) and due(path):
            refuse(path)
        return real_os_open(path, flags, mode, dir_fd=dir_fd)

    def fake_mkdir(path, mode=0o777, *, dir_fd=None):
        if mkdir and under(path):
            refuse(path)
        return real_mkdir(path, mode, dir_fd=dir_fd)

    builtins.open, io.open, os.open, os.mkdir = fake_open, fake_open, fake_os_open, fake_mkdir
    try:
        yield state
    finally:
        builtins.open, io.open, os.open, os.mkdir = real_open, real_io_open, real_os_open, real_mkdir
