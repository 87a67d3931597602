"""The output folder of a batch (``--out DIR``): run names, guarded deletes, the batch lock.

A batch deletes and replaces files in ``DIR`` (a failed run's stale briefing, a rerun's results
folder, temporary files). Everything a user hands the program — a params file's name, a symbolic
link in ``DIR``, a manifest edited by hand — must never turn one of those deletes into one outside
``DIR``. Three rules, each in one place:

* **Run names are plain names** (:func:`run_name_problem`, in :mod:`balance.running.run_names`):
  the run name is the params file's stem and becomes ``DIR/<run>.html``, ``DIR/<run>.ipynb`` and
  ``DIR/<run>/``. Refused: ``.``, ``..``
  and other all-dot names, hidden names (leading dot), path separators (``/`` ``\\``), the
  characters Windows forbids in file names (``< > : " | ? *``), control and invisible formatting
  characters (and bytes that are not valid text), leading or trailing spaces, a trailing dot,
  Windows device names (``CON``, ``NUL``, ``COM1`` …, also with an extension), ``index`` in any
  letter case (it would overwrite ``index.html``), and names longer than
  :data:`MAX_RUN_NAME_BYTES` bytes (UTF-8). Spaces inside, Chinese text, digits, ``-``, ``_``,
  ``(``, ``)``, ``#``, ``+`` … are fine.
* **Every delete or replace is guarded** (:func:`safe_unlink`, :func:`safe_rmtree`,
  :func:`safe_replace`, :func:`output_entry`): the target's folder, after ``resolve()``, must be
  ``DIR`` or inside it, the target must not be ``DIR`` itself, a folder that is a symbolic link is
  never followed nor removed, and a target that is (or, for a folder, contains) one of the run's
  inputs (params file, data, standard, county sheet, notebook) is never touched. A refusal raises
  :class:`UnsafeOutput` with a Chinese and English message; nothing is deleted.
* **Only the batch's own files are replaced or removed** (:func:`check_output_file`,
  :func:`check_results_dir`): ``--out`` may be a folder that holds other things (``--out .``); a
  ``<run>.html`` that is not a balance briefing (no ``generator`` tag), a ``<run>.ipynb`` that is
  not a papermill notebook and a ``<run>/`` folder that balance did not make (no
  :data:`RESULTS_MARKER`, ``.input-hash``, ``results.json`` or ``run.log``, and not empty) fail the
  run instead of being overwritten or deleted.
* **One batch per folder** (:class:`BatchLock`, in :mod:`balance.running.batch_lock`):
  ``DIR/.balance-batch.lock`` is locked with ``fcntl.flock`` (``msvcrt.locking`` on Windows) for
  the whole batch and holds the pid, host,
  start time and command of the batch holding it. The operating system releases the lock when
  its holder dies, however it dies, so a stale lock file never blocks a later batch. A second
  batch into the same ``DIR`` is refused with :class:`BatchLocked` naming the first.
"""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

# the run-name rules and the batch lock live in their own modules; every old name stays importable here
from balance.running.batch_lock import LOCK_FILE, BatchLock, _command_line  # noqa: F401
from balance.running.run_names import (  # noqa: F401
    _INVISIBLE,
    _WINDOWS_DEVICES,
    MAX_RUN_NAME_BYTES,
    RESERVED_RUN_NAMES,
    WINDOWS_FORBIDDEN,
    BatchLocked,
    UnsafeOutput,
    printable,
    run_key,
    run_name_message,
    run_name_problem,
)

__all__ = ["MAX_RUN_NAME_BYTES", "WINDOWS_FORBIDDEN", "RESERVED_RUN_NAMES", "LOCK_FILE", "RESULTS_MARKER",
           "UnsafeOutput", "BatchLocked", "printable", "run_name_problem", "run_name_message", "run_key",
           "protected_paths", "output_entry", "safe_unlink", "safe_rmtree", "safe_replace",
           "check_results_dir", "check_output_file", "BatchLock"]

#: Written into every results folder a run makes: the folder is the batch's to delete.
RESULTS_MARKER = ".balance-run"
#: Files that mark a results folder made by balance (also by versions before the marker).
_RESULTS_SIGNS = (RESULTS_MARKER, ".input-hash", "results.json", "run.log")


# --------------------------------------------------------------------------------------------
def _within(root: Path, p: Path) -> bool:
    return p == root or root in p.parents


def _refuse(entry, zh: str, en: str) -> UnsafeOutput:
    e = printable(entry)
    return UnsafeOutput(f"拒绝改动 {e}：{zh} / refusing to touch {e}: {en}")


def protected_paths(paths, out_dir: str | Path) -> frozenset[Path]:
    """The given input paths (absolute and resolved forms) that lie inside ``out_dir``: only those
    can be hit by a delete in ``out_dir``."""
    root = Path(out_dir).resolve()
    keep = set()
    for p in paths:
        if p is None or str(p) == "":
            continue
        for q in (Path(os.path.abspath(p)), Path(p).resolve()):
            if _within(root, q):
                keep.add(q)
    return frozenset(keep)


def output_entry(out_dir: str | Path, path: str | Path, protected=(), *, tree: bool = False) -> Path:
    """The directory entry ``path`` names, proven to lie in ``out_dir``.

    The entry's folder is resolved (symbolic links followed); it must be ``out_dir`` (resolved) or
    a folder inside it, and the entry must not be ``out_dir`` itself nor one of ``protected`` (with
    ``tree=True``: nor contain one). The entry itself is not followed: removing a symbolic link
    removes the link, never what it points to.

    Raises
    ------
    UnsafeOutput
        The target is outside ``out_dir``, is ``out_dir`` or is protected.
    """
    root = Path(out_dir).resolve()
    path = Path(path)
    if not path.is_absolute():
        path = root / path
    if path.name in ("", ".", ".."):
        raise _refuse(path, "它指向一个文件夹本身或其上级", "it names a folder itself or its parent")
    parent = path.parent.resolve()
    if not _within(root, parent):
        raise _refuse(path, f"它不在输出文件夹 {printable(root)} 之内", f"it is not inside the output folder {printable(root)}")
    entry = parent / path.name
    if entry == root:
        raise _refuse(path, "它是输出文件夹本身", "it is the output folder itself")
    for q in protected:
        q = Path(q)
        if q == entry or (tree and entry in q.parents):
            raise _refuse(path, f"会删除或覆盖本次运行的输入文件 {printable(q)}",
                          f"it would delete or overwrite an input of this run: {printable(q)}")
    return entry


def _lstat(p: Path):
    try:
        return os.lstat(p)
    except FileNotFoundError:
        return None


def safe_unlink(out_dir, path, protected=()) -> bool:
    """Remove the file (or symbolic link) ``path`` inside ``out_dir``; ``False`` when absent.
    A real folder at ``path`` is refused (it is not one of the batch's files)."""
    entry = output_entry(out_dir, path, protected)
    st = _lstat(entry)
    if st is None:
        return False
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(entry, "这里应是文件，却是一个文件夹", "a file was expected here but it is a folder")
    try:
        os.unlink(entry)
    except FileNotFoundError:
        return False
    return True


def safe_rmtree(out_dir, path, protected=()) -> bool:
    """Remove the folder ``path`` inside ``out_dir`` with its content; ``False`` when absent.
    A symbolic link (to anywhere) and a file at ``path`` are refused, as is a folder holding an
    input of the run."""
    entry = output_entry(out_dir, path, protected, tree=True)
    st = _lstat(entry)
    if st is None:
        return False
    if stat.S_ISLNK(st.st_mode) or (hasattr(entry, "is_junction") and entry.is_junction()):
        raise _refuse(entry, "它是一个符号链接（不跟随、不删除；请移走它）",
                      "it is a symbolic link (never followed nor removed; move it away)")
    if not stat.S_ISDIR(st.st_mode):
        raise _refuse(entry, "这里应是结果文件夹，却是一个文件", "a results folder was expected here but it is a file")
    shutil.rmtree(entry)
    return True


def safe_replace(out_dir, src, dst, protected=()) -> Path:
    """``os.replace(src, dst)`` with both inside ``out_dir``; a folder at ``dst`` is refused."""
    s = output_entry(out_dir, src, protected)
    d = output_entry(out_dir, dst, protected)
    st = _lstat(d)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _refuse(d, "这里应是文件，却是一个文件夹", "a file was expected here but it is a folder")
    os.replace(s, d)
    return d


_NOT_OURS = ("已存在且不是 balance 生成的，不覆盖也不删除；请移走它或换一个 --out 文件夹",
             "it exists and was not made by balance: it is neither overwritten nor removed; move it away or "
             "use another --out folder")


def check_results_dir(out_dir, path, protected=()) -> None:
    """``path`` may become (be emptied as) the run's results folder: absent, or a real folder
    inside ``out_dir`` that balance made (or an empty one) and that holds no input of the run;
    else :class:`UnsafeOutput`."""
    entry = output_entry(out_dir, path, protected, tree=True)
    st = _lstat(entry)
    if st is None:
        return
    if stat.S_ISLNK(st.st_mode) or (hasattr(entry, "is_junction") and entry.is_junction()):
        raise _refuse(entry, "结果文件夹是一个符号链接（不跟随、不删除；请移走它）",
                      "the results folder is a symbolic link (never followed nor removed; move it away)")
    if not stat.S_ISDIR(st.st_mode):
        raise _refuse(entry, "这里应是结果文件夹，却是一个文件", "a results folder was expected here but it is a file")
    try:
        names = set(os.listdir(entry))
    except OSError as exc:
        raise _refuse(entry, f"无法读取该文件夹（{exc.strerror}）", f"the folder cannot be read ({exc.strerror})") from None
    if names and not names & set(_RESULTS_SIGNS):
        raise _refuse(entry, *_NOT_OURS)


def _made_by_balance(entry: Path, st, kind: str) -> bool:
    if stat.S_ISLNK(st.st_mode) or st.st_size == 0:
        return True  # replacing a link or an empty file loses nothing
    if not stat.S_ISREG(st.st_mode):
        return False
    try:
        with open(entry, "rb") as fh:
            if kind == "html":  # the briefing template's <meta name="generator" content="balance …">
                head = fh.read(16384)
                return b'content="balance ' in head and b"generator" in head
            if kind == "ipynb":  # papermill's metadata sits at the end of the notebook's JSON
                fh.seek(max(0, st.st_size - (1 << 18)))
                return b'"papermill"' in fh.read()
    except OSError:
        return False
    return True


def check_output_file(out_dir, path, protected=(), kind: str | None = None) -> None:
    """``path`` may be replaced by an output file: absent, a link, or (``kind`` ``"html"`` /
    ``"ipynb"``) a file balance wrote; never a folder. Else :class:`UnsafeOutput`."""
    entry = output_entry(out_dir, path, protected)
    st = _lstat(entry)
    if st is None:
        return
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(entry, "这里应是文件，却是一个文件夹", "a file was expected here but it is a folder")
    if kind and not _made_by_balance(entry, st, kind):
        raise _refuse(entry, *_NOT_OURS)
