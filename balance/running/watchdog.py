"""A worker process tied to its batch: it ends (with the kernels it started) when the batch ends,
even by ``kill -9`` (parent-death signal on Linux, a watchdog thread everywhere). Used by
:mod:`balance.running.worker`."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

__all__ = ["WATCHDOG_EVERY"]

#: How often a worker checks that its batch is still there (seconds).
WATCHDOG_EVERY = 0.5

_BATCH_PID: int | None = None

_START_PPID: int | None = None


def _pid_gone(pid: int) -> bool:
    """``pid`` no longer runs (or is a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _batch_gone() -> bool:
    """The batch that started this worker has died (this worker was re-parented, or the batch's
    pid is gone)."""
    if _START_PPID is not None and os.getppid() != _START_PPID:
        return True
    return _BATCH_PID is not None and _pid_gone(_BATCH_PID)


def _descendants() -> list[int]:
    """Pids of this process's descendants (the kernels it started and their children)."""
    me = os.getpid()
    try:
        import psutil

        return [c.pid for c in psutil.Process(me).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - a process vanished while listing
        return []
    parents: dict[int, int] = {}
    try:
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", "rb") as fh:
                        parents[int(d)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
    except OSError:
        return []
    out, todo = [], [me]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out.extend(kids)
        todo.extend(kids)
    return out


def _kill_descendants() -> None:
    """SIGKILL every descendant; kernels run in their own session, so also their process group."""
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)
    for pid in _descendants():
        try:
            if hasattr(os, "killpg") and os.getpgid(pid) == pid:
                os.killpg(pid, kill)
            else:
                os.kill(pid, kill)
        except OSError:
            pass


def _worker_exit(code: int) -> None:
    """Stop now: kernels first, then this worker (no clean-up that could start anything)."""
    try:
        _kill_descendants()
    finally:
        os._exit(code)


def _watchdog() -> None:
    while True:
        time.sleep(WATCHDOG_EVERY)
        if _batch_gone():
            _worker_exit(1)


def _die_with_batch(batch_pid: int | None) -> None:
    """Make this worker process (and the kernels it starts) end with the batch that started it.

    * Ctrl-C is the batch's business: the worker ignores SIGINT (the batch then stops it);
    * SIGTERM (sent by the batch when it stops, or by the parent-death signal) kills this worker's
      kernels, then the worker;
    * Linux: ``prctl(PR_SET_PDEATHSIG, SIGTERM)``, so the kernel signals the worker the moment its
      parent (the batch, or the fork server, which itself exits with the batch) dies, even by
      ``kill -9``;
    * everywhere: a watchdog thread checks every :data:`WATCHDOG_EVERY` s that the parent is still
      the one it started with and that the batch's pid still runs.
    """
    global _BATCH_PID, _START_PPID
    _BATCH_PID, _START_PPID = batch_pid, os.getppid()
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda signum, frame: _worker_exit(128 + signum))
    except (ValueError, OSError):  # pragma: no cover - not the main thread
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog remains
            pass
    if _batch_gone():  # the batch died before the line above
        _worker_exit(1)
    threading.Thread(target=_watchdog, name="balance-watchdog", daemon=True).start()
