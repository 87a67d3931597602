"""Sheet extents measured without loading the sheet: the XML of ``.xlsx`` worksheets (a fast
regular-expression path, expat otherwise), the ``content.xml`` of ``.ods`` and the record stream of
``.xlsb`` (see :mod:`balance.io.workbook`)."""
from __future__ import annotations

import re
import xml.parsers.expat
import zipfile
from dataclasses import dataclass, field

from balance.io.workbook.limits import ReadLimits

_CHUNK = 1 << 22  # 4 MB of decompressed XML per step


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
