"""Opening users' workbooks within bounds: every sheet is measured before it is loaded.

The spreadsheet reader (python-calamine) lays a sheet out as a dense grid from A1 to the last cell
that holds a value, so a 2 KB ``.xlsx`` whose one cell sits at XFD1048576 asks for 17 billion cells
(a 512 GB allocation: the process aborts), and a small file can unzip to hundreds of MB. This module
checks, before anything is loaded, against the limits of ``balance/data/reading_limits.yaml``
(overridable, see :func:`read_limits`):

* the file's size on disk (every format);
* zip-based workbooks (``.xlsx`` / ``.xlsm`` / ``.xlsb`` / ``.ods``): the size of the parts after
  unzipping, counted while unzipping them (the sizes a zip declares may lie);
* each sheet's extent — the last row and column that hold a value — found by scanning the sheet's
  XML (``.xlsx``, ``.xlsm``; the declared ``<dimension>`` is not trusted, it may be absent or lie),
  the ``content.xml`` of an ``.ods`` (with its repeated rows and cells), or the record stream of an
  ``.xlsb``. For ``.xls`` (whose own format caps a sheet at 65,536 × 256 cells) the extent is
  checked after the reader has measured the sheet and before the grid is built.

The XML scan takes a fast path (two regular-expression passes per chunk) when every cell carries
its reference as Excel writes it (``<c r="B7" …>``), and falls back to a full XML parser (expat)
otherwise (cells without references, namespace prefixes, comments or CDATA). A workbook with a
DOCTYPE is refused (no spreadsheet program writes one). Both paths only ever over-estimate.

The same scan finds formula cells without a cached value (files written by scripts that never ran
Excel): the reader returns them as blank, so :meth:`Workbook.formula_cells` lets the callers say
"formula without a value" instead of "blank".

Content is recognised by its bytes, not the file name: a workbook named ``.csv``, a text file named
``.xlsx`` and a password-protected (encrypted) workbook each get their own message.
"""
from __future__ import annotations

import io
import os
import re
import xml.parsers.expat
import zipfile
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from balance.errors import InputError, Problem

from balance._resources import DATA_DIR  # noqa: E402

LIMITS_FILE = DATA_DIR / "reading_limits.yaml"
ENV_PREFIX = "BALANCE_"
_CHUNK = 1 << 22  # 4 MB of decompressed XML per step

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


# ---------------------------------------------------------------------------------------------
# sheet extents


@dataclass
class SheetScan:
    """What a scan of one sheet found: the last row / column (1-based) holding a value, and formula
    cells without a cached value (0-based row, column), at most :data:`MAX_FORMULA_CELLS`."""

    rows: int = 0
    columns: int = 0
    formula_cells: list[tuple[int, int]] = field(default_factory=list)
    formula_count: int = 0
    _cell: tuple | None = field(default=None, repr=False)  # a cell open at the end of a chunk

    @property
    def cells(self) -> int:
        return self.rows * self.columns


MAX_FORMULA_CELLS = 10_000
_LETTERS = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,8})$")


def col_number(letters: str) -> int:
    """``"A"`` → 1, ``"XFD"`` → 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(n: int) -> str:
    """1 → ``"A"``, 16384 → ``"XFD"``."""
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class _TooBig(Exception):
    def __init__(self, what: str, size: int = 0):
        self.what, self.size = what, size


def _stream(z: zipfile.ZipFile, name: str, budget: list[int]):
    """Decompressed chunks of one part; ``budget[0]`` (bytes left) is charged as they come."""
    with z.open(name) as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                return
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _TooBig("uncompressed")
            yield chunk


# Excel's own way to write a cell: the reference first, <c r="B7" …>.
_C_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
# the same, only cells that are not self-closing (a <c r="Z9" s="3"/> carries a style, no value)
_C_OPEN_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"(?:\s[^<>]*)?(?<!/)>')
_C_OPEN_COL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"(?:\s[^<>]*)?(?<!/)>')
_C_COL_LONG = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')  # beyond column Z (few cells in most tables)
_C_COL_ONE = re.compile(rb'<c r="([A-Z])[0-9]')
_C_OTHER_START = re.compile(rb"<c[>/\t\n\r]")  # a cell tag not followed by a space: not Excel's form
_FORMULA_TOKENS = re.compile(rb'<(/?)(c|f|v|is)(?=[\s/>])([^<>]*?)(/?)>')
_REF_ATTR = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')


class _SlowPath(Exception):
    pass


class _Unsupported(Exception):
    pass


def _check_xml_start(first: bytes) -> None:
    s = first.lstrip(b"\xef\xbb\xbf").lstrip()
    if s[:1] != b"<" or b"\x00" in first[:64]:
        raise _Unsupported("XML not in UTF-8")


def scan_sheet_xml(chunks, limits: ReadLimits) -> SheetScan:
    """Scan a worksheet part (an iterable of byte chunks) for its extent and formulas without a
    value. Raises ``_SlowPath`` when the fast path cannot be trusted (the caller re-reads the part
    with :func:`scan_sheet_xml_exact`)."""
    out = SheetScan()
    tail = b""
    first = True
    for chunk in chunks:
        if first:
            _check_xml_start(chunk)
            first = False
        buf = tail + chunk
        cut = buf.rfind(b"<row")  # whole rows per step (a cell is never split), else at a tag
        if cut <= 0:
            cut = buf.rfind(b"<")
        if cut <= 0:
            tail = buf
            continue
        part, tail = buf[:cut], buf[cut:]
        _fast_part(part, out, limits)
        if out.rows > limits.max_rows or out.columns > limits.max_columns or out.cells > limits.max_cells:
            return out  # already too big: no need to read on
    if tail:
        _fast_part(tail, out, limits)
    return out


def _fast_part(part: bytes, out: SheetScan, limits: ReadLimits) -> None:
    # the fast path holds when every cell is written <c r="…" as Excel writes it: then the regular
    # expressions see every cell. Anything else (a comment or CDATA, a namespace prefix, a cell
    # without its reference first) goes to the XML parser.
    if b"<!" in part or b":c" in part:
        raise _SlowPath
    rows = _C_ROW.findall(part)
    if len(rows) != part.count(b"<c ") or _C_OTHER_START.search(part):
        raise _SlowPath
    if rows:
        r = max(map(int, set(rows)))
        letters = set(_C_COL_LONG.findall(part)) or set(_C_COL_ONE.findall(part))
        c = max(map(col_number, {x.decode() for x in letters}))
        if r > limits.max_rows or c > limits.max_columns or max(r, out.rows) * max(c, out.columns) > limits.max_cells:
            # too big counting every cell: count only cells that can hold a value (not self-closing)
            open_rows = _C_OPEN_ROW.findall(part)
            r = max(map(int, set(open_rows))) if open_rows else 0
            c = max(map(col_number, {x.decode() for x in _C_OPEN_COL.findall(part)})) if open_rows else 0
        out.rows, out.columns = max(out.rows, r), max(out.columns, c)
    if b"<f" in part or out._cell is not None:
        _formulas(part, out)


def _formulas(part: bytes, out: SheetScan) -> None:
    """Cells of ``part`` with a formula (``<f>``) but no cached value (``<v>`` empty or missing); a
    cell still open at the end of ``part`` is carried over to the next chunk."""
    ref, has_f, has_v = out._cell if out._cell is not None else (None, False, False)
    for m in _FORMULA_TOKENS.finditer(part):
        end, tag, attrs, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"c":
            if end:
                if ref is not None and has_f and not has_v:
                    _record_formula(out, ref)
                ref = None
            elif not selfclose:
                r = _REF_ATTR.search(b" " + attrs)
                ref = (int(r.group(2)) - 1, col_number(r.group(1).decode()) - 1) if r else None
                has_f = has_v = False
        elif end:
            continue
        elif tag == b"f":
            has_f = True
        elif not selfclose and part[m.end():m.end() + 4] != (b"</v>" if tag == b"v" else b"</is"):
            has_v = True
    out._cell = (ref, has_f, has_v) if ref is not None else None


def _record_formula(out: SheetScan, pos: tuple[int, int]) -> None:
    out.formula_count += 1
    if len(out.formula_cells) < MAX_FORMULA_CELLS:
        out.formula_cells.append(pos)


def scan_sheet_xml_exact(chunks, limits: ReadLimits) -> SheetScan:
    """The same as :func:`scan_sheet_xml` with an XML parser: cells without references (their
    position follows the previous cell), namespace prefixes, comments and CDATA are all handled."""
    out = SheetScan()
    state = {"row": 0, "col": 0, "cell": None, "has_f": False, "has_v": False, "in_v": False}

    def local(name: str) -> str:
        return name.rsplit(":", 1)[-1]

    def start(name, attrs):
        tag = local(name)
        if tag == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif tag == "c":
            m = _LETTERS.match(attrs.get("r", ""))
            if m:
                state["row"], state["col"] = int(m.group(2)), col_number(m.group(1))
            else:
                state["col"] += 1
            state["cell"] = (state["row"], state["col"])
            state["has_f"] = state["has_v"] = False
        elif state["cell"] is not None and tag in ("v", "is", "f"):
            if tag == "f":
                state["has_f"] = True
            elif tag == "is":
                state["has_v"] = True
            else:
                state["in_v"] = True
            r, c = state["cell"]
            out.rows, out.columns = max(out.rows, r), max(out.columns, c)

    def end(name):
        tag = local(name)
        if tag == "v":
            state["in_v"] = False
        elif tag == "c" and state["cell"] is not None:
            if state["has_f"] and not state["has_v"]:
                r, c = state["cell"]
                _record_formula(out, (r - 1, c - 1))
            state["cell"] = None

    def text(data):
        if state["in_v"] and data.strip():
            state["has_v"] = True

    _expat_scan(chunks, start, end, text, out, limits)
    return out


def _expat_scan(chunks, start, end, text, out: SheetScan | None, limits: ReadLimits) -> None:
    p = xml.parsers.expat.ParserCreate()
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_):
        raise _Unsupported("DOCTYPE")

    p.StartDoctypeDeclHandler = doctype
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = text
    p.buffer_text = True
    try:
        first = True
        for chunk in chunks:
            if first:
                _check_xml_start(chunk)
                first = False
            p.Parse(chunk, False)
            if out is not None and (out.rows > limits.max_rows or out.columns > limits.max_columns
                                    or out.cells > limits.max_cells):
                return
        p.Parse(b"", True)
    except xml.parsers.expat.ExpatError as e:
        raise _Unsupported(f"XML: {e}") from None


def scan_ods(chunks, limits: ReadLimits) -> dict[str, SheetScan]:
    """Extents of every table of an ODS ``content.xml``, with repeated rows and cells expanded by
    count (never materialised). Only cells holding a value or text count towards the extent (the
    empty rows LibreOffice repeats to the end of the sheet do not)."""
    tables: dict[str, SheetScan] = {}
    st = {"table": None, "row": 0, "rep": 1, "col": 0, "cell_rep": 1, "cell_start": 0, "content": False,
          "in_cell": False, "last": 0}

    def start(name, attrs):
        tag = name.rsplit(":", 1)[-1]
        if tag == "table" and name.startswith("table:"):
            st["table"] = tables.setdefault(attrs.get("table:name", f"Sheet{len(tables) + 1}"), SheetScan())
            st["row"] = 0
        elif tag == "table-row" and st["table"] is not None:
            st["rep"] = _count(attrs.get("table:number-rows-repeated"))
            st["col"], st["last"] = 0, 0
        elif tag in ("table-cell", "covered-table-cell") and st["table"] is not None:
            st["cell_rep"] = _count(attrs.get("table:number-columns-repeated"))
            st["cell_start"] = st["col"]
            st["col"] += st["cell_rep"]
            st["in_cell"] = True
            st["content"] = "office:value-type" in attrs or "table:formula" in attrs
        elif st["in_cell"]:
            st["content"] = True  # a child (text:p …) inside a cell

    def end(name):
        tag = name.rsplit(":", 1)[-1]
        if tag in ("table-cell", "covered-table-cell") and st["in_cell"]:
            if st["content"]:
                st["last"] = st["col"]
            st["in_cell"] = False
        elif tag == "table-row" and st["table"] is not None:
            t = st["table"]
            if st["last"]:
                t.rows = max(t.rows, st["row"] + st["rep"])
                t.columns = max(t.columns, st["last"])
            st["row"] += st["rep"]
            if t.rows > limits.max_rows or t.columns > limits.max_columns or t.cells > limits.max_cells:
                raise _TooBig("sheet")
        elif tag == "table" and name.startswith("table:"):
            st["table"] = None

    def text(data):
        if st["in_cell"] and data.strip():
            st["content"] = True

    try:
        _expat_scan(chunks, start, end, text, None, limits)
    except _TooBig:
        pass
    return tables


def _count(v) -> int:
    try:
        return max(1, int(v)) if v is not None else 1
    except ValueError:
        return 1


def scan_xlsb_sheet(chunks, limits: ReadLimits) -> SheetScan:
    """Extent of an ``.xlsb`` worksheet part (BIFF12 records): row headers (BrtRowHdr) give the row,
    cell records their column (the first 4 bytes). Formulas are not looked at."""
    out = SheetScan()
    data = b"".join(chunks)
    i, n, row, col = 0, len(data), 0, 0
    while i < n:
        t = data[i]
        i += 1
        if t & 0x80:
            if i >= n:
                break
            t = (t & 0x7F) | ((data[i] & 0x7F) << 7)
            i += 1
        size, shift = 0, 0
        for _ in range(4):
            if i >= n:
                break
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        body = data[i:i + 4]
        if t == 0 and len(body) == 4:  # BrtRowHdr
            row = int.from_bytes(body, "little") + 1
        elif (1 <= t <= 11 or t == 0x3E) and len(body) == 4:  # BrtCell* / BrtFmla* / BrtCellRString
            col = int.from_bytes(body, "little") + 1
            if t != 1:  # a blank cell (style only) holds no value
                out.rows, out.columns = max(out.rows, row), max(out.columns, col)
        elif 12 <= t <= 18:  # BrtShort*: the column follows the previous cell
            col += 1
            if t != 12:
                out.rows, out.columns = max(out.rows, row), max(out.columns, col)
        i += size
        if out.rows > limits.max_rows or out.columns > limits.max_columns or out.cells > limits.max_cells:
            break
    return out


# ---------------------------------------------------------------------------------------------
# the workbook


#: Parts the reader loads whatever sheet is read (the sheets themselves are measured one by one).
_READ_WITH_EVERY_SHEET = re.compile(r"^(\[Content_Types\]\.xml|_rels/\.rels|xl/_rels/workbook\.(xml|bin)\.rels|"
                                    r"xl/(workbook|sharedStrings|styles)\.(xml|bin)|META-INF/manifest\.xml|styles\.xml)$")


class Workbook:
    """A user's workbook (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``), opened within limits.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    file : str
        The path as the user wrote it (for messages).
    limits : ReadLimits
    summary : (str, str)
        Chinese and English headline of the refusal (e.g. "无法读取学校数据表").

    Raises
    ------
    InputError
        Not a workbook (with what it looks like instead), password-protected, corrupt, or larger
        than the limits.
    """

    def __init__(self, data: bytes, file: str, limits: ReadLimits, summary: tuple[str, str]):
        self.file, self.limits, self.summary = file, limits, summary
        self.kind = sniff(data)
        suffix = Path(file).suffix.lower() or "(无扩展名 / none)"
        if self.kind == "ole" and is_encrypted_ole(data):
            raise refusal(file, "encrypted", summary)
        if self.kind in ("text", "binary"):
            looks = ("文本（如 CSV）", "text (such as CSV)") if self.kind == "text" else ("其他二进制文件", "another binary file")
            if self.kind == "text" and data.lstrip()[:1] == b"<":
                looks = ("网页或 XML 表格", "a web page or XML table")
            raise refusal(file, "not_a_workbook", summary, suffix=suffix, looks=looks[0], looks_en=looks[1])
        self._zip: zipfile.ZipFile | None = None
        self._parts: dict[str, str] = {}  # sheet name -> part name (xlsx / xlsb)
        self._ods: dict[str, SheetScan] | None = None
        self._scans: dict[str, SheetScan] = {}
        self.format = "xls" if self.kind == "ole" else None
        self._budget = [limits.max_uncompressed_bytes]
        if self.kind == "zip":
            self._open_zip(data)
        if self.format == "ods":  # the reader parses every table of an .ods when it opens the file
            total = 0
            for name in self._ods_scans():
                scan = self.scan(name)
                total += scan.cells
                if total > limits.max_cells:
                    self._check_extent(name, scan.rows, max(scan.columns, limits.max_cells // max(scan.rows, 1) + 1))
        import python_calamine

        try:
            self._wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names = list(self._wb.sheet_names)
        except Exception as e:  # noqa: BLE001 - corrupt or protected workbook: the reader's own words
            text = str(e)
            if "password" in text.lower() or "encrypt" in text.lower():
                raise refusal(file, "encrypted", summary) from None
            raise refusal(file, "unreadable", summary, reason=f"{type(e).__name__}: {text[:300]}") from None

    # -- zip-based formats --------------------------------------------------------------------------
    def _open_zip(self, data: bytes) -> None:
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            infos = z.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
            raise refusal(self.file, "unreadable", self.summary, reason=f"zip: {e}") from None
        names = {i.filename for i in infos}
        declared = sum(i.file_size for i in infos)
        if declared > self.limits.max_uncompressed_bytes:
            raise refusal(self.file, "workbook_too_large", self.summary, size=_mb(declared),
                          limit=f"{self.limits.max_uncompressed_mb:g}")
        self._zip = z
        if "xl/workbook.xml" in names:
            self.format = "xlsx"
            self._map_sheets("xl/workbook.xml", names)
        elif "xl/workbook.bin" in names:
            self.format = "xlsb"
            self._map_sheets("xl/workbook.bin", names)
        elif "content.xml" in names:
            self.format = "ods"
        else:
            raise refusal(self.file, "not_a_workbook", self.summary, suffix=Path(self.file).suffix.lower() or "(无)",
                          looks="其他 zip 压缩文件", looks_en="another zip archive")
        # the small parts the reader loads with every sheet (shared strings, styles, the workbook),
        # unzipped and measured now: their declared sizes may lie
        for i in infos:
            if _READ_WITH_EVERY_SHEET.match(i.filename):
                self._drain(i.filename)

    def _drain(self, name: str) -> None:
        try:
            for _ in _stream(self._zip, name, self._budget):
                pass
        except _TooBig:
            raise self._too_big_uncompressed() from None
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as e:
            raise refusal(self.file, "unreadable", self.summary, reason=f"{name}: {e}") from None

    def _too_big_uncompressed(self) -> InputError:
        return refusal(self.file, "workbook_too_large", self.summary,
                       size=f"> {self.limits.max_uncompressed_mb:g}", limit=f"{self.limits.max_uncompressed_mb:g}")

    def _map_sheets(self, workbook_part: str, names: set[str]) -> None:
        """Sheet name -> worksheet part, from the workbook part and its relationships."""
        rels_part = workbook_part.rsplit("/", 1)[0] + "/_rels/" + workbook_part.rsplit("/", 1)[1] + ".rels"
        targets: dict[str, str] = {}
        if rels_part in names:
            for rid, target in re.findall(rb'<(?:\w+:)?Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"',
                                          self._read_small(rels_part)):
                targets[rid.decode()] = target.decode()
            for target, rid in re.findall(rb'<(?:\w+:)?Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"',
                                          self._read_small(rels_part)):
                targets.setdefault(rid.decode(), target.decode())
        base = workbook_part.rsplit("/", 1)[0]

        def resolve(t: str) -> str:
            t = t.lstrip("/") if t.startswith("/") else f"{base}/{t}"
            parts: list[str] = []
            for seg in t.split("/"):
                if seg == "..":
                    parts = parts[:-1]
                elif seg and seg != ".":
                    parts.append(seg)
            return "/".join(parts)

        if workbook_part.endswith(".xml"):
            from xml.sax.saxutils import unescape

            text = self._read_small(workbook_part)
            for attrs in re.findall(rb"<(?:\w+:)?sheet\s([^>]*)>", text):
                name = re.search(rb'\bname="([^"]*)"', attrs)
                rid = re.search(rb'\b(?:\w+:)?id="([^"]*)"', attrs)
                if name and rid and rid.group(1).decode() in targets:
                    label = unescape(name.group(1).decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
                    label = re.sub(r"&#(x?)([0-9A-Fa-f]+);",
                                   lambda m: chr(int(m.group(2), 16 if m.group(1) else 10)), label)
                    self._parts[label] = resolve(targets[rid.group(1).decode()])
        # every worksheet part is known even when the names cannot be matched (then by position)
        self._all_parts = sorted(n for n in names if re.match(r"xl/worksheets/[^/]+\.(xml|bin)$", n))

    def _read_small(self, name: str) -> bytes:
        try:
            return b"".join(_stream(self._zip, name, self._budget))
        except _TooBig:
            raise self._too_big_uncompressed() from None
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as e:
            raise refusal(self.file, "unreadable", self.summary, reason=f"{name}: {e}") from None

    # -- measuring a sheet --------------------------------------------------------------------------
    def scan(self, name: str) -> SheetScan:
        """The extent (and formulas without a value) of sheet ``name``; refuses one above the limits."""
        if name in self._scans:
            return self._scans[name]
        scan = self._scan(name)
        self._scans[name] = scan
        self._check_extent(name, scan.rows, scan.columns)
        return scan

    def _ods_scans(self) -> dict[str, SheetScan]:
        if self._ods is None:
            try:
                self._ods = scan_ods(_stream(self._zip, "content.xml", self._budget), self.limits)
            except _TooBig:
                raise self._too_big_uncompressed() from None
            except _Unsupported as e:
                raise refusal(self.file, "workbook_xml", self.summary, reason=str(e)) from None
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as e:
                raise refusal(self.file, "unreadable", self.summary, reason=f"content.xml: {e}") from None
        return self._ods

    def _scan(self, name: str) -> SheetScan:
        if self.format == "ods":
            return self._ods_scans().get(name, SheetScan())
        if self.format not in ("xlsx", "xlsb"):
            return SheetScan()  # .xls: measured by the reader (see read)
        part = self._parts.get(name)
        if part is None:  # names not matched: measure every worksheet part, take the largest
            scans = [self._scan_part(p) for p in self._all_parts]
            return max(scans, key=lambda s: s.cells, default=SheetScan())
        return self._scan_part(part)

    def _scan_part(self, part: str) -> SheetScan:
        if part not in {i.filename for i in self._zip.infolist()}:
            return SheetScan()
        budget = self._budget[0]
        try:
            if part.endswith(".bin"):
                return scan_xlsb_sheet(_stream(self._zip, part, self._budget), self.limits)
            try:
                return scan_sheet_xml(_stream(self._zip, part, self._budget), self.limits)
            except _SlowPath:
                self._budget[0] = budget  # the part is read again from its start
                return scan_sheet_xml_exact(_stream(self._zip, part, self._budget), self.limits)
        except _TooBig:
            raise self._too_big_uncompressed() from None
        except _Unsupported as e:
            raise refusal(self.file, "workbook_xml", self.summary, reason=str(e)) from None
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as e:
            raise refusal(self.file, "unreadable", self.summary, reason=f"{part}: {e}") from None

    def _check_extent(self, name: str, rows: int, columns: int) -> None:
        lim = self.limits
        if rows > lim.max_rows or columns > lim.max_columns or rows * columns > lim.max_cells:
            raise refusal(self.file, "sheet_too_large", self.summary, sheet=name, sheet_name=name, rows=f"{rows:,}",
                          columns=f"{columns:,}", last=f"{col_letters(columns)}{rows}", max_rows=f"{lim.max_rows:,}",
                          max_columns=f"{lim.max_columns:,}", max_cells=f"{lim.max_cells:,}")

    # -- reading ------------------------------------------------------------------------------------
    def rows(self, name: str, nrows: int | None = None) -> list[list]:
        """The cells of sheet ``name`` (typed, as the reader gives them), measured first."""
        self.scan(name)
        try:
            sheet = self._wb.get_sheet_by_name(name)
            end = sheet.end
            if end is not None:  # the reader's own measure, before the grid is built (.xls)
                self._check_extent(name, end[0] + 1, end[1] + 1)
            return sheet.to_python(skip_empty_area=False, nrows=nrows)
        except InputError:
            raise
        except Exception as e:  # noqa: BLE001 - a sheet the reader cannot parse
            raise refusal(self.file, "unreadable", self.summary, sheet=name,
                          reason=f"{type(e).__name__}: {str(e)[:300]}") from None

    def merged_ranges(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Merged cell ranges of sheet ``name`` as ``((row, col), (row, col))``, 0-based (empty when
        the format does not say)."""
        try:
            return list(self._wb.get_sheet_by_name(name).merged_cell_ranges or [])
        except Exception:  # noqa: BLE001 - not offered for every format
            return []

    def scan_first(self) -> SheetScan:
        """:meth:`scan` of the first sheet (what ``pandas.read_excel`` reads by default)."""
        if not self.sheet_names:
            return SheetScan()
        return self.scan(self.sheet_names[0])

    def formula_cells(self, name: str) -> tuple[list[tuple[int, int]], int]:
        """Formula cells of ``name`` without a cached value: ``([(row, col), …], total)``, 0-based."""
        s = self.scan(name)
        return s.formula_cells, s.formula_count


def open_workbook(data: bytes, file: str, summary: tuple[str, str], limits=None) -> Workbook:
    """:class:`Workbook` of ``data`` with :func:`read_limits` ``(limits)``."""
    return Workbook(data, file, read_limits(limits), summary)
