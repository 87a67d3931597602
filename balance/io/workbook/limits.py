"""Reading limits, refusals, and what a file's bytes are (see :mod:`balance.io.workbook`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from balance._resources import DATA_DIR  # noqa: E402
from balance.errors import InputError, Problem

LIMITS_FILE = DATA_DIR / "reading_limits.yaml"
ENV_PREFIX = "BALANCE_"

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ReadLimits:
    """Limits on what is read from one file (see ``reading_limits.yaml``)."""

    max_file_mb: float = 512
    max_uncompressed_mb: float = 256
    max_rows: int = 1_048_576
    max_columns: int = 1000
    max_cells: int = 10_000_000
    max_yaml_mb: float = 10

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_uncompressed_bytes(self) -> int:
        return int(self.max_uncompressed_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def _yaml_limits() -> dict:
    return yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8")) or {}


def read_limits(overrides: "Mapping | ReadLimits | None" = None) -> ReadLimits:
    """The limits in force: ``reading_limits.yaml``, then ``BALANCE_<KEY>`` environment variables,
    then ``overrides`` (a dict with some of the keys, or a :class:`ReadLimits`).

    Raises
    ------
    ValueError
        An override that is not a positive number, or an unknown key.
    """
    if isinstance(overrides, ReadLimits):
        return overrides
    names = {f.name: f.type for f in fields(ReadLimits)}
    values: dict = {}
    env = {k: os.environ[ENV_PREFIX + k.upper()] for k in names if os.environ.get(ENV_PREFIX + k.upper())}
    for origin, source in (("yaml", _yaml_limits()), ("env", env), ("keyword", dict(overrides or {}))):
        for k, v in source.items():
            if k not in names:
                raise ValueError(f"unknown reading limit {k!r} (known: {', '.join(names)})")
            try:
                x = float(v)
            except (TypeError, ValueError):
                x = float("nan")
            if not x > 0 or x == float("inf"):
                if origin == "env":  # a user's setting: a refusal, not a traceback
                    raise refusal(ENV_PREFIX + k.upper(), "bad_limit", ("环境变量有误", "invalid environment variable"),
                                  value=str(v)[:40])
                raise ValueError(f"reading limit {k} must be a positive number, not {v!r}")
            values[k] = x if k.endswith("_mb") else int(x)
    return replace(ReadLimits(), **values)


def _message(code: str, **kw) -> tuple[str, str]:
    from balance.io.validation import message

    return message(code, **kw)


def refusal(file: str, code: str, summary: tuple[str, str], sheet: str | None = None, **kw) -> InputError:
    """An :class:`InputError` with one problem ``code`` of ``messages.yaml``."""
    zh, en = _message(code, **kw)
    return InputError([Problem(file=file, sheet=sheet, problem_zh=zh, problem_en=en, code=code)], *summary)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f}"


def check_file_size(size: int, file: str, limits: ReadLimits, summary: tuple[str, str]) -> None:
    """Refuse a file larger than ``max_file_mb`` (before its bytes are read)."""
    if size > limits.max_file_bytes:
        raise refusal(file, "file_too_large", summary, size=_mb(size), limit=f"{limits.max_file_mb:g}")


def read_file_bytes(path: Path, file: str, limits: ReadLimits, summary: tuple[str, str]) -> bytes:
    """The bytes of a user's file: a folder, a device or FIFO ("not a regular file"), a missing or
    unreadable file and one above the size limit are refused (never a traceback, never a wait)."""
    try:
        if path.is_dir():
            raise refusal(file, "is_a_folder", summary)
        if not path.is_file():  # never opened: a FIFO would block, /dev/zero never ends
            raise refusal(file, "not_regular_file" if path.exists() else "file_not_found", summary)
        check_file_size(path.stat().st_size, file, limits, summary)
        return path.read_bytes()
    except OSError as e:  # permission denied, a file that vanished, an I/O error
        raise refusal(file, "cannot_open", summary, reason=e.strerror or type(e).__name__) from None


# ---------------------------------------------------------------------------------------------
# what the bytes are


def sniff(data: bytes) -> str:
    """``"zip"``, ``"ole"`` (an .xls, or an encrypted Office file), ``"text"`` or ``"binary"``."""
    if data[:4] in ZIP_MAGIC:
        return "zip"
    if data[:8] == OLE_MAGIC:
        return "ole"
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE file holding an encrypted Office document (a password-protected .xlsx/.docx) names the
    streams ``EncryptionInfo`` / ``EncryptedPackage`` in its directory (UTF-16)."""
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data

