"""The output folder of a batch (``--out DIR``): run names, guarded deletes, the batch lock.

A batch deletes and replaces files in ``DIR`` (a failed run's stale briefing, a rerun's results
folder, temporary files). Everything a user hands the program — a params file's name, a symbolic
link in ``DIR``, a manifest edited by hand — must never turn one of those deletes into one outside
``DIR``. Three rules, each in one place:

* **Run names are plain names** (:func:`run_name_problem`): the run name is the params file's stem
  and becomes ``DIR/<run>.html``, ``DIR/<run>.ipynb`` and ``DIR/<run>/``. Refused: ``.``, ``..``
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
* **One batch per folder** (:class:`BatchLock`): ``DIR/.balance-batch.lock`` is locked with
  ``fcntl.flock`` (``msvcrt.locking`` on Windows) for the whole batch and holds the pid, host,
  start time and command of the batch holding it. The operating system releases the lock when
  its holder dies, however it dies, so a stale lock file never blocks a later batch. A second
  batch into the same ``DIR`` is refused with :class:`BatchLocked` naming the first.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import socket
import stat
import sys
import unicodedata
from pathlib import Path

#: Longest run name accepted, in UTF-8 bytes: ``.<run>.<pid>.tmp.ipynb`` must stay within the
#: 255-byte file-name limit of common file systems.
MAX_RUN_NAME_BYTES = 200

#: Characters Windows does not allow in file names (the output folder may be a Windows share).
WINDOWS_FORBIDDEN = '<>:"|?*'
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                    *(f"COM{i}" for i in [*"123456789", "¹", "²", "³"]),
                    *(f"LPT{i}" for i in [*"123456789", "¹", "²", "³"])}
#: Names taken by the batch's own files in ``DIR`` (compared case-insensitively).
RESERVED_RUN_NAMES = {"index"}

LOCK_FILE = ".balance-batch.lock"
#: Written into every results folder a run makes: the folder is the batch's to delete.
RESULTS_MARKER = ".balance-run"
#: Files that mark a results folder made by balance (also by versions before the marker).
_RESULTS_SIGNS = (RESULTS_MARKER, ".input-hash", "results.json", "run.log")

_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"}


class UnsafeOutput(Exception):
    """A delete, replace or write in the output folder was refused (message: Chinese / English)."""


class BatchLocked(Exception):
    """Another batch holds the output folder (message: Chinese / English, naming that batch)."""

    def __init__(self, message: str, holder: dict | None = None):
        super().__init__(message)
        self.holder = holder or {}


# --------------------------------------------------------------------------------------------
def printable(text: object) -> str:
    """``text`` with control, invisible-formatting and undecodable characters shown as escapes
    (``\\x1b``, ``\\u202e``; a byte that was not valid UTF-8 in a file name as ``\\xff``), so a
    name can be printed, written to CSV and shown in HTML without acting on the terminal or page."""
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if cat not in _INVISIBLE or ch == " ":
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # surrogateescape: an undecodable byte of a file name
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def run_name_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` cannot be a run name — ``(Chinese, English)`` — or ``None`` when it is a plain
    name (see the module docstring for the rules)."""
    if not name:
        return "文件名为空", "the file name is empty"
    if set(name) == {"."}:
        return (f"“{name}”只由点组成，会指向输出文件夹本身或其上级文件夹",
                f"'{name}' is made of dots only and would name the output folder or its parent")
    if name.startswith("."):
        return "文件名以点开头（隐藏文件）", "the name starts with a dot (a hidden file)"
    if "/" in name or "\\" in name:
        return "文件名含路径分隔符（/ 或 \\）", "the name contains a path separator (/ or \\)"
    bad = sorted({ch for ch in name if unicodedata.category(ch) in _INVISIBLE and ch != " "})
    if bad:
        shown = ", ".join(printable(ch) for ch in bad)
        return (f"文件名含控制字符、不可见字符或不是文字的字节（{shown}）",
                f"the name contains control or invisible characters, or bytes that are not text ({shown})")
    bad = sorted({ch for ch in name if ch in WINDOWS_FORBIDDEN})
    if bad:
        shown = " ".join(bad)
        return (f"文件名含 Windows 文件名中不允许的字符：{shown}",
                f"the name contains characters not allowed in Windows file names: {shown}")
    if name != name.strip():
        return "文件名以空格开头或结尾", "the name starts or ends with a space"
    if name.endswith("."):
        return "文件名以点结尾（Windows 会去掉它）", "the name ends with a dot (Windows drops it)"
    if name.casefold() in RESERVED_RUN_NAMES:
        return (f"“{name}”是批次目录页的名称（会覆盖 {name}.html）",
                f"'{name}' is the name of the batch's index page (it would overwrite index.html)")
    if name.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        return (f"“{name}”是 Windows 的设备名（CON、NUL、COM1 …），不能作文件名",
                f"'{name}' is a Windows device name (CON, NUL, COM1 …) and cannot name a file")
    if len(name.encode("utf-8")) > MAX_RUN_NAME_BYTES:
        return (f"文件名过长（{len(name.encode('utf-8'))} 字节，最多 {MAX_RUN_NAME_BYTES} 字节）",
                f"the name is too long ({len(name.encode('utf-8'))} bytes, at most {MAX_RUN_NAME_BYTES})")
    return None


def run_name_message(name: str, params_file: str | Path) -> str | None:
    """One bilingual line naming the params file, or ``None`` when ``name`` is a plain name."""
    why = run_name_problem(name)
    if why is None:
        return None
    f = printable(params_file)
    return (f"参数文件名不能作运行名称：{f}：{why[0]}。请改名，只用文字、数字、空格、- 和 _（如 130102_2025.yaml）"
            f" / the params file's name cannot be a run name: {f}: {why[1]}; rename it using letters, digits, "
            f"spaces, - and _ (e.g. 130102_2025.yaml)")


def run_key(name: str) -> str:
    """Key under which two run names collide on a case-insensitive file system (Windows, macOS)."""
    return unicodedata.normalize("NFC", name).casefold()


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


# --------------------------------------------------------------------------------------------
def _command_line() -> str:
    import shlex

    argv = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    return printable(" ".join(shlex.quote(a) for a in argv))


class BatchLock:
    """Exclusive lock on ``DIR/.balance-batch.lock`` for the duration of a batch.

    ``acquire()`` raises :class:`BatchLocked` (naming the holder) when another batch holds it and
    ``OSError`` when the file cannot be created or written (read-only folder, full disk).
    ``release()`` removes the file. The lock is the operating system's (``flock`` / Windows byte
    lock): it ends with its holder's process, so a batch killed with ``kill -9`` leaves a lock file
    that no longer locks anything; the next batch takes it over.
    """

    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_FILE
        self.fd: int | None = None
        self.info: dict = {}

    # -- platform primitives -----------------------------------------------------------------
    @staticmethod
    def _try_lock(fd: int) -> bool:
        try:
            import fcntl
        except ImportError:
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except (BlockingIOError, PermissionError):
                return False
            except OSError as exc:  # a file system without flock (rare): no lock, but no crash
                import errno

                if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                    return True
                raise
        try:
            import msvcrt
        except ImportError:  # pragma: no cover - neither POSIX nor Windows
            return True
        try:  # lock one byte far past the data, so the holder's details stay readable
            os.lseek(fd, 1 << 20, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    @staticmethod
    def _unlock(fd: int) -> None:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        except ImportError:
            pass
        except OSError:
            return
        try:  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 1 << 20, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except (ImportError, OSError):
            pass

    @staticmethod
    def _read(fd: int) -> dict:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, 64 * 1024)
            info = json.loads(data.decode("utf-8")) if data.strip() else {}
            return info if isinstance(info, dict) else {}
        except (OSError, ValueError):
            return {}

    # -- public ------------------------------------------------------------------------------
    def acquire(self) -> "BatchLock":
        for _ in range(20):
            try:  # never through a symbolic link planted in the folder
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) |
                             getattr(os, "O_NOFOLLOW", 0), 0o644)
            except OSError as exc:
                import errno

                if exc.errno == errno.ELOOP or self.path.is_symlink():
                    raise UnsafeOutput(f"拒绝使用 {printable(self.path)}：它是一个符号链接；请删除它 / refusing to use "
                                       f"{printable(self.path)}: it is a symbolic link; remove it") from None
                raise
            try:
                if not self._try_lock(fd):
                    holder = self._read(fd)
                    raise BatchLocked(self._message(holder), holder)
                # the holder before us may have removed the file between our open and our lock:
                # then we hold a lock on a deleted file; open the path again
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    same = False
                if not same:
                    self._unlock(fd)
                    os.close(fd)
                    continue
                self.info = {"pid": os.getpid(), "host": socket.gethostname(),
                             "started": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                             "command": _command_line()}
                data = (json.dumps(self.info, ensure_ascii=False) + "\n").encode("utf-8")
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, data)
                os.fsync(fd)
                self.fd = fd
                return self
            except BaseException:
                if self.fd != fd:
                    os.close(fd)
                raise
        raise BatchLocked(self._message({}), {})  # pragma: no cover - only under a storm of batches

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        if os.name != "nt":  # remove while still holding the lock (see acquire)
            try:
                os.unlink(self.path)
            except OSError:
                pass
        self._unlock(fd)
        os.close(fd)
        if os.name == "nt":  # pragma: no cover - an open file cannot be removed on Windows
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def _message(self, holder: dict) -> str:
        d = printable(self.out_dir)
        pid, host = holder.get("pid", "?"), holder.get("host", "?")
        started, command = holder.get("started", "?"), printable(holder.get("command", "?"))
        return (f"输出文件夹 {d} 正被另一个批次使用（进程 {pid}，主机 {host}，开始于 {started}，命令：{command}）；"
                f"请等它结束，或换一个 --out 文件夹"
                f" / the output folder {d} is in use by another batch (pid {pid} on {host}, started {started}, "
                f"command: {command}); wait for it to finish or use another --out folder")

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False
