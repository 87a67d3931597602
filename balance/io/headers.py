"""Header text and text files: one home for header normalisation and text decoding.

:func:`normalize_header` is the one rule set every reader uses to match a user's header with the
column model (school table, county sheet, run parameters): all whitespace removed (including the
full-width space and line breaks inside a cell), NFKC folding (``（）`` → ``()``, full-width letters
and digits), ``【】``/``[]`` → ``()``, unit marks ``㎡`` / ``m²`` / ``m2`` / ``平方米`` / ``平米`` → one
form, English case-insensitive, a leading required-field mark dropped. :func:`decode_text` turns
the bytes of a text file (CSV, YAML) into str (UTF-8, GB18030, UTF-16 with its BOM) or refuses
binary data.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from balance.errors import InputError, Problem
from balance.io.validation import message
from balance.schema import COLUMNS

_UNIT = re.compile(r"平方米|平米|m\^?2")

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "〈": "(", "〉": ")"})

_WS = re.compile(r"\s+")


def normalize_header(text) -> str:
    """Normalise a header for matching (see the module docstring).

    Parameters
    ----------
    text : object
        A header cell.

    Returns
    -------
    str
        ``normalize_header("教学及辅助用房面积（平方米）") == normalize_header("教学及辅助用房面积(㎡)")``.

    Examples
    --------
    >>> normalize_header(" 小学 在校生数 ")
    '小学在校生数'
    >>> normalize_header("Teaching_Area")
    'teaching_area'
    """
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = _WS.sub("", s).translate(_BRACKETS).lower()
    s = _UNIT.sub("m2", s)
    return s.lstrip("*★※")


@lru_cache(maxsize=1)
def header_lookup() -> dict[str, tuple[str, float]]:
    """Normalised header -> (canonical name, multiplier), from ``columns.yaml``.

    Raises
    ------
    ValueError
        When ``columns.yaml`` lets one normalised header name two columns (a packaging bug).
    """
    out: dict[str, tuple[str, float]] = {}

    def add(text, name, factor):
        key = normalize_header(text)
        if key in out and out[key] != (name, factor):
            raise ValueError(f"columns.yaml: header {text!r} matches both {out[key][0]} and {name}")
        out[key] = (name, factor)

    for c in COLUMNS:
        add(c["name"], c["name"], 1.0)
        add(c["header"], c["name"], 1.0)
        for a in c.get("aliases") or []:
            add(a, c["name"], 1.0)
        for h, f in (c.get("convert") or {}).items():
            add(h, c["name"], float(f))
    return out


#: Text encodings tried, in order, for CSV from Chinese Windows Excel and elsewhere (a file that
#: starts with a UTF-16 byte-order mark, as Excel's "Unicode text" does, is read as UTF-16).
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text_as(data: bytes, file: str, summary: tuple[str, str] = ("无法读取文件", "cannot read the file")
                   ) -> tuple[str, str]:
    """:func:`decode_text` and the encoding used (``"utf-8-sig"``, ``"gb18030"`` or ``"utf-16"``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    control = sum(b < 32 and b not in (9, 10, 12, 13, 27) for b in head)
    if head.count(b"\x00") > len(head) // 100 or control > max(8, len(head) // 20):
        zh, en = message("not_text")  # NUL bytes or many control bytes: binary data
        raise InputError([Problem(file=file, problem_zh=zh, problem_en=en, code="not_text")], *summary)
    for enc in TEXT_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    zh, en = message("encoding")
    raise InputError([Problem(file=file, problem_zh=zh, problem_en=en, code="encoding")], *summary)


def decode_text(data: bytes, file: str, summary: tuple[str, str] = ("无法读取文件", "cannot read the file")) -> str:
    """Bytes of a text file (CSV, YAML) as str: UTF-8 (with or without BOM), else GB18030 (a
    superset of GBK); UTF-16 when the file starts with its byte-order mark. Raises
    :class:`InputError` naming the file: code ``not_text`` for binary data (more than 1 % NUL bytes
    or 5 % control bytes — and more than 8 — in the first 8 KB; a stray NUL in one cell is left to the cell checks),
    ``encoding`` when no encoding fits."""
    return decode_text_as(data, file, summary)[0]


def spec_header(name: str) -> str:
    return next(c["header"] for c in COLUMNS if c["name"] == name)
