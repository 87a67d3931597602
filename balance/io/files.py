"""Writing output files so that a reader never sees a half-written one, and a failure leaves nothing.

* :func:`atomic_write_text` / :func:`atomic_write_json` / :func:`atomic_path` — one file: a hidden
  temporary file in the same folder, then ``os.replace`` (atomic on one file system).
* :func:`staged_files` — a set of files that belong together (``assess``, ``plan``, ``evaluate``):
  every file is written into a hidden temporary folder inside the output folder and moved into
  place only when all of them are complete; on any error nothing is moved (files already moved
  are put back, older files of the same name restored) and the temporary folder is removed, so an
  interrupted run never leaves a partial or mixed set.
* Folders: every writer creates the missing folders of its target itself and removes again those
  it created when the write fails, so a failed run does not leave an empty ``--out`` folder.
* Errors: an :class:`OSError` while writing (disk full, read-only folder, no permission, a name
  too long …) is raised as :class:`WriteError`, an ``OSError`` that names the file the user asked
  for (not the temporary copy); :mod:`balance.cli` prints it in Chinese and English.
* Inputs: inside :func:`protect_inputs` (the command line wraps every command in it) no writer
  replaces one of the given input files — ``--out`` pointing at the folder of an input whose name
  is also an output name is refused (:class:`~balance.errors.InputError`) before anything is written.
* :func:`json_text` — the one JSON encoder of every file the package writes: strict JSON (a NaN
  or infinite number, ``pd.NA`` or ``NaT`` becomes ``null``; numpy scalars become numbers).
"""
from __future__ import annotations

import datetime as _dt
import io
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Real paths of the input files of the running command (see :func:`protect_inputs`).
_PROTECTED: set[str] = set()


@contextmanager
def protect_inputs(paths) -> Iterator[None]:
    """Within the block, refuse to write over any of the existing files ``paths`` (the inputs)."""
    added = set()
    for p in paths:
        try:
            if p is not None and os.path.isfile(p):
                added.add(os.path.realpath(p))
        except (TypeError, ValueError, OSError):
            continue
    added -= _PROTECTED
    _PROTECTED.update(added)
    try:
        yield
    finally:
        _PROTECTED.difference_update(added)


def check_not_input(target: str | Path) -> None:
    """Raise :class:`~balance.errors.InputError` when ``target`` is one of the protected inputs."""
    if _PROTECTED and os.path.realpath(target) in _PROTECTED:
        from balance.errors import InputError, Problem

        raise InputError([Problem(
            file=str(target), code="would_overwrite_input",
            problem_zh="输出文件与输入文件是同一个文件，写入会覆盖输入；请用 --out 换一个文件夹（输入未被改动）",
            problem_en="this output file is one of the input files and writing would overwrite it; choose another "
                       "folder with --out (the input was not touched)")], "输出位置有误", "unusable output location")


class WriteError(OSError):
    """Writing ``target`` failed with the file-system error ``errno`` (the cause is chained).

    ``filename`` is the path the user sees: the final output file or folder, never the staging
    copy that was being written.
    """

    def __init__(self, target: str | Path, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause), str(target))
        self.target = Path(target)
        self.cause = cause


def make_dirs(folder: str | Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the folders created, outermost first."""
    folder = Path(folder)
    missing = []
    p = folder
    while not p.exists() and not p.is_symlink() and p != p.parent:
        missing.append(p)
        p = p.parent
    created = []
    try:
        for d in reversed(missing):
            try:
                d.mkdir()
            except FileExistsError:
                if not d.is_dir():
                    raise
                continue
            created.append(d)
    except BaseException:
        remove_dirs(created)
        raise
    return created


def remove_dirs(created: list[Path]) -> None:
    """Remove the folders :func:`make_dirs` created (innermost first), if they are still empty."""
    for d in reversed(created):
        try:
            d.rmdir()
        except OSError:
            break


def _target(exc: OSError, tmp: Path | None, out: Path, current: Path | None) -> Path:
    """The user-visible path an error during writing concerns."""
    name = getattr(exc, "filename", None)
    if isinstance(name, (str, os.PathLike)):
        p = Path(name)
        if tmp is not None:
            try:
                return out / p.relative_to(tmp)
            except ValueError:
                pass
        return p
    return current if current is not None else out


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Context manager: a temporary path next to ``path``; moved onto ``path`` when the block ends.

    For writers that need a file name (openpyxl, pyarrow). On any error the temporary file and the
    folders created for it are removed, ``path`` is left as it was, and an ``OSError`` is raised as
    :class:`WriteError` naming ``path``.
    """
    path = Path(path)
    check_not_input(path)
    created: list[Path] = []
    tmp = None
    try:
        created = make_dirs(path.parent)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        os.replace(tmp, path)
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        remove_dirs(created)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise WriteError(path, exc) from exc
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: readers see the old file or the complete new one."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically: readers see the old file or the complete new one."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(path: str | Path, payload, *, indent: int | None = 2) -> Path:
    """Write ``payload`` as strict JSON (see :func:`json_text`) to ``path``, atomically."""
    return atomic_write_text(path, json_text(payload, indent=indent))


class Staging:
    """The temporary folder of :func:`staged_files`; ``stage(name)`` gives the path to write to."""

    def __init__(self, tmp: Path, out: Path):
        self.tmp, self.out = tmp, out
        self.names: list[str] = []
        self.final: list[Path] = []

    def stage(self, name: str) -> Path:
        """Path inside the temporary folder for the output file ``name`` (moved to ``out/name``)."""
        check_not_input(self.out / name)
        self.names.append(name)
        return self.tmp / name


def _move_into_place(staging: Staging) -> None:
    """Move every staged file to ``out``; on failure put everything back as it was."""
    tmp, out = staging.tmp, staging.out
    names = list(dict.fromkeys(staging.names))
    for name in names:  # refuse before moving anything
        dst = out / name
        if dst.is_dir() and not dst.is_symlink():
            raise IsADirectoryError(21, "Is a directory", str(dst))
    backup = tmp / ".previous"
    moved: list[tuple[str, bool]] = []
    try:
        for name in names:
            dst = out / name
            had_old = dst.exists() or dst.is_symlink()
            if had_old:  # keep the old file until every new one is in place
                backup.mkdir(exist_ok=True)
                try:
                    os.link(dst, backup / name, follow_symlinks=False)
                except OSError:
                    shutil.copy2(dst, backup / name, follow_symlinks=False)
            os.replace(tmp / name, dst)
            moved.append((name, had_old))
    except BaseException:
        for name, had_old in reversed(moved):
            try:
                if had_old:
                    os.replace(backup / name, out / name)
                else:
                    (out / name).unlink(missing_ok=True)
            except OSError:
                pass
        raise
    staging.final.extend(out / name for name in names)


@contextmanager
def staged_files(out_dir: str | Path) -> Iterator[Staging]:
    """Context manager: write files via ``staging.stage(name)``; they appear in ``out_dir`` together.

    On any error nothing of this run stays behind: no staged file, no file moved, and no folder
    that this call created (an ``out_dir`` that did not exist before is removed again). An
    ``OSError`` is raised as :class:`WriteError` naming the output file (or folder) concerned.

    >>> with staged_files(out) as s:                     # doctest: +SKIP
    ...     df.to_csv(s.stage("a.csv"))
    ...     (s.stage("b.json")).write_text("{}")
    >>> s.final                                          # doctest: +SKIP
    [PosixPath('out/a.csv'), PosixPath('out/b.json')]
    """
    out = Path(out_dir)
    created: list[Path] = []
    tmp = None
    staging = None
    try:
        created = make_dirs(out)
        tmp = Path(tempfile.mkdtemp(prefix=".balance-tmp-", dir=out))
        staging = Staging(tmp, out)
        yield staging
        _move_into_place(staging)
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp_gone, tmp = tmp, None
        else:
            tmp_gone = None
        remove_dirs(created)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            current = out / staging.names[-1] if staging is not None and staging.names else None
            raise WriteError(_target(exc, tmp_gone, out, current), exc) from exc
        raise
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------ JSON

def json_scalar(v):
    """One table cell as a plain Python value for a JSON record: ``None`` / ``pd.NA`` → ``None``,
    numpy or Python booleans → ``bool``, numpy integers → ``int``, floats → ``float`` with NaN →
    ``None`` (infinities are left to :func:`json_text`, which writes them ``null``); anything else
    unchanged. The one home of this conversion (the evaluation, the assessment summary and the plan
    summary use it)."""
    import numpy as np
    import pandas as pd

    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    return v


def _json_default(v):
    """Values the json module does not know: numpy / pandas scalars, dates, paths, arrays."""
    import numpy as np
    import pandas as pd

    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        x = float(v)
        return x if math.isfinite(x) else None
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, np.ndarray):
        return _clean(v.tolist())
    if isinstance(v, (pd.Series, pd.Index)):
        return _clean(v.tolist())
    if isinstance(v, (set, frozenset)):
        return _clean(sorted(v, key=str))
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    return str(v)


def _clean_key(k):
    if k is None or isinstance(k, (str, int, float, bool)):
        return None if isinstance(k, float) and not math.isfinite(k) else k
    v = _json_default(k)
    return v if v is None or isinstance(v, (str, int, float, bool)) else str(v)


def _clean(v):
    if isinstance(v, float):  # includes numpy.float64
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {_clean_key(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if v is None or isinstance(v, (str, int, bool)):
        return v
    return _clean(_json_default(v))


def json_text(payload, *, indent: int | None = 2) -> str:
    """``payload`` as strict JSON text (UTF-8 characters kept, not escaped).

    Every float that is not finite (NaN, ±inf) and every missing value (``None``, ``pd.NA``,
    ``NaT``, numpy NaN) is written as ``null``, never as the ``NaN`` / ``Infinity`` that strict
    parsers refuse; numpy and pandas scalars become plain numbers, dates ISO text. The encoder is
    ``json.dumps(..., allow_nan=False)``: the common case (nothing to replace) runs at C speed,
    only a payload with a NaN or an unusual key is walked once in Python.
    """
    try:
        return json.dumps(payload, ensure_ascii=False, indent=indent, allow_nan=False, default=_json_default)
    except (ValueError, TypeError):
        return json.dumps(_clean(payload), ensure_ascii=False, indent=indent, allow_nan=False, default=_json_default)


_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def deterministic_xlsx(path) -> None:
    """Rewrite an .xlsx written by openpyxl so that its bytes do not depend on when it was written.

    openpyxl stamps the save time into ``docProps/core.xml`` and into the zip entries; both are
    replaced by a fixed time (2026-01-01).
    """
    path = Path(path)
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, body)
    path.write_bytes(out.getvalue())
