"""The batch lock: one batch per output folder (``DIR/.balance-batch.lock``).

``DIR/.balance-batch.lock`` is locked with ``fcntl.flock`` (``msvcrt.locking`` on Windows) for the
whole batch and holds the pid, host, start time and command of the batch holding it. The operating
system releases the lock when its holder dies, however it dies, so a stale lock file never blocks
a later batch. A second batch into the same ``DIR`` is refused with :class:`BatchLocked` naming
the first. Moved out of :mod:`balance.running.outdir`, which re-exports every name.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import sys
from pathlib import Path

from balance.running.run_names import BatchLocked, UnsafeOutput, printable

__all__ = ["LOCK_FILE", "BatchLock", "BatchLocked"]

LOCK_FILE = ".balance-batch.lock"


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
