"""Writing output files so that a reader never sees a half-written one.

* :func:`atomic_write_text` — one file: a hidden temporary file in the same folder, then
  ``os.replace`` (atomic on one file system).
* :func:`staged_files` — a set of files that belong together (``assess``, ``plan``, ``evaluate``):
  every file is written into a hidden temporary folder inside the output folder and moved into
  place only when all of them are complete; on any error nothing is moved and the temporary
  folder is removed, so an interrupted run never leaves a partial or mixed set.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically: readers see the old file or the complete new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class Staging:
    """The temporary folder of :func:`staged_files`; ``stage(name)`` gives the path to write to."""

    def __init__(self, tmp: Path, out: Path):
        self.tmp, self.out = tmp, out
        self.names: list[str] = []
        self.final: list[Path] = []

    def stage(self, name: str) -> Path:
        """Path inside the temporary folder for the output file ``name`` (moved to ``out/name``)."""
        self.names.append(name)
        return self.tmp / name


@contextmanager
def staged_files(out_dir: str | Path) -> Iterator[Staging]:
    """Context manager: write files via ``staging.stage(name)``; they appear in ``out_dir`` together.

    >>> with staged_files(out) as s:                     # doctest: +SKIP
    ...     df.to_csv(s.stage("a.csv"))
    ...     (s.stage("b.json")).write_text("{}")
    >>> s.final                                          # doctest: +SKIP
    [PosixPath('out/a.csv'), PosixPath('out/b.json')]
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".balance-tmp-", dir=out))
    staging = Staging(tmp, out)
    try:
        yield staging
        for name in staging.names:
            os.replace(tmp / name, out / name)
            staging.final.append(out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
