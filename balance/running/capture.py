"""What a run's kernel writes: fds 1 / 2 captured to a file while the run executes, and the
known harmless lines (ipykernel, debugpy) filtered out. Used by :mod:`balance.running.worker`."""
from __future__ import annotations

import os
import re
import sys
import tempfile

__all__ = ["NOISE_PATTERNS"]

#: Lines of kernel stderr that are harmless (ipykernel 7 at start-up / shutdown, debugpy).
NOISE_PATTERNS = [
    re.compile(p) for p in (
        r"running over TCP without encryption",
        r"KeyboardInterrupt caught in kernel",
        r"^\s*\d+\.\d+s - ",  # debugpy "frozen modules" warnings
        r"frozen modules|PYDEVD_DISABLE_FILE_VALIDATION|-Xfrozen_modules",
        r"^\s*$",
    )
]


def _is_noise(line: str) -> bool:
    return any(p.search(line) for p in NOISE_PATTERNS)


def _filter_noise(text: str) -> str:
    keep, skip_block = [], False
    for line in text.splitlines():
        if _is_noise(line):
            # ipykernel's multi-line warnings continue on the next lines without a prefix
            skip_block = "without encryption" in line
            continue
        if skip_block and line.startswith((" ", "\t")):
            continue
        skip_block = False
        keep.append(line)
    return "\n".join(keep).strip()


class _CaptureFds:
    """Redirect this process's fd 1 and 2 (inherited by the kernel) to a file while a run
    executes, so kernel chatter never reaches the terminal or corrupts the progress bar."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.file = tempfile.TemporaryFile(mode="w+b")
        self.saved = [os.dup(1), os.dup(2)]
        os.dup2(self.file.fileno(), 1)
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - a closed stream must not stop the restore  # pragma: no cover
            pass
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        for fd in self.saved:
            os.close(fd)
        self.file.seek(0)
        self.text = self.file.read().decode("utf-8", "replace")
        self.file.close()
        return False
