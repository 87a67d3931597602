"""The batch's hold on its output folder and its process: the folder made (and removed again
when the batch is refused), a write that failed as a bilingual :class:`BatchError`, and the stop
signals (SIGTERM, SIGHUP) turned into :class:`BatchInterrupted` while the batch runs.
Used by :mod:`balance.running.batch`."""
from __future__ import annotations

import signal
import threading
from pathlib import Path

from balance.running.outdir import printable
from balance.running.results import BatchError, BatchInterrupted


def _prepare_out_dir(out_dir) -> tuple[Path, list[Path]]:
    """``out_dir`` resolved and created; the folders this created (to remove again, when empty, if
    the batch is refused). :class:`BatchError` when it cannot be a folder."""
    shown = printable(out_dir)
    if not str(out_dir).strip():
        raise BatchError("--out 为空：请给出输出文件夹 / --out is empty: give the output folder")
    try:
        out = Path(out_dir).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise BatchError(f"输出文件夹路径无效：{shown}（{exc}）/ invalid output folder path: {shown} ({exc})") from None
    if out.exists() and not out.is_dir():
        raise BatchError(f"--out 指向一个已存在的文件，而不是文件夹：{shown}；请给出一个文件夹 / --out names an existing "
                         f"file, not a folder: {shown}; give a folder")
    created = []
    d = out
    while not d.exists() and d != d.parent:
        created.append(d)
        d = d.parent
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise BatchError(f"无法创建输出文件夹 {shown}：路径中有一段是文件 / cannot create the output folder {shown}: "
                         f"part of the path is a file") from None
    except OSError as exc:
        raise BatchError(f"无法创建输出文件夹 {shown}：{exc.strerror or exc} / cannot create the output folder "
                         f"{shown}: {exc.strerror or exc}") from None
    return out, created


def _remove_if_empty(dirs: list[Path]) -> None:
    for d in dirs:  # innermost first
        try:
            d.rmdir()
        except OSError:
            return


def _write_failed(what_zh: str, what_en: str, path: Path, exc: OSError, exit_code: int) -> BatchError:
    why = exc.strerror or str(exc)
    hint_zh, hint_en = "", ""
    import errno

    if exc.errno == errno.ENOSPC:
        hint_zh, hint_en = "（磁盘已满）", " (the disk is full)"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint_zh, hint_en = "（没有写入权限或为只读）", " (no permission to write, or read-only)"
    p = printable(path)
    return BatchError(f"无法写入{what_zh} {p}：{why}{hint_zh} / cannot write the {what_en} {p}: {why}{hint_en}",
                      exit_code=exit_code)

_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


def _raise_interrupted(signum, frame):
    raise BatchInterrupted(signum)


class _StopSignals:
    """While a batch runs (main thread only): SIGTERM and SIGHUP raise :class:`BatchInterrupted`
    (Ctrl-C raises KeyboardInterrupt), so the batch stops its workers and writes its manifest
    instead of dying on the spot. ``hold()``: ignore stop signals while the last manifest is
    written."""

    def __init__(self):
        self.saved: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in _STOP_SIGNALS:
                try:
                    self.saved[sig] = signal.signal(sig, _raise_interrupted)
                except (ValueError, OSError):  # pragma: no cover
                    pass
        return self

    def hold(self):
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (*_STOP_SIGNALS, signal.SIGINT):
            try:
                self.saved.setdefault(sig, signal.signal(sig, signal.SIG_IGN))
            except (ValueError, OSError):  # pragma: no cover
                pass

    def __exit__(self, *exc):
        for sig, old in self.saved.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError, TypeError):  # pragma: no cover
                pass
        return False
