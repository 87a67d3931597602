"""Which cells of a sheet are formatted as percentages (a rate typed as 92 % is stored as 0.92).

Excel stores what a clerk types as "92 %" in a percent-formatted cell as the number 0.92 and
shows it through the cell's number format; the reader (python-calamine) returns the stored 0.92.
A column meant as a percentage 0–100 would then read 0.92 %. This module finds those cells so that
the callers read them as the clerk sees them (``"92%"``):

* ``.xlsx`` / ``.xlsm``: ``xl/styles.xml`` lists the cell formats (``<cellXfs><xf numFmtId=…>``,
  a cell's ``s="N"`` is the N-th of them); a format is a percentage when its id is one of Excel's
  built-in percent formats (9 ``0%``, 10 ``0.00%``) or a custom ``<numFmt formatCode=…>`` holds a
  ``%`` outside quoted text, escapes and ``[…]`` sections;
* ``.ods``: a cell with ``office:value-type="percentage"`` (see :func:`ods_percent_cells`);
* ``.xls`` (BIFF, Excel 97–2003): xlrd reads the cell formats (each cell's XF record names a
  FORMAT record, built-in ids 9 and 10 or a custom code), the same test of the code as for .xlsx
  (see :func:`xls_percent_cells`);
* ``.xlsb``: the reader does not expose formats; a rate column that still looks like a fraction is
  caught by the callers' plausibility check instead.
"""
from __future__ import annotations

import re

#: Excel's built-in number formats that are percentages (ECMA-376 §18.8.30).
BUILTIN_PERCENT_IDS = frozenset({9, 10})

_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b([^>]*)/?>')
_CELLXFS = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF = re.compile(rb'<(?:\w+:)?xf\b([^>]*)>')
_ATTR = {name: re.compile(rb'\b' + name.encode() + rb'="([^"]*)"') for name in ("numFmtId", "formatCode", "r", "s")}
_CELL = re.compile(rb'<(?:\w+:)?c\s([^<>]*?)/?>')
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


def _attr(attrs: bytes, name: str) -> str | None:
    m = _ATTR[name].search(attrs)
    return m.group(1).decode("utf-8", "replace") if m else None


def is_percent_format(code: str) -> bool:
    """A number format code that shows a percentage: a ``%`` outside quoted text (``"%"``), escaped
    characters (``\\%``) and bracketed sections (``[Red]``, ``[>=100]``)."""
    from xml.sax.saxutils import unescape

    code = unescape(code, {"&quot;": '"', "&apos;": "'"})
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in code


def percent_styles(styles_xml: bytes) -> frozenset[int]:
    """Indices of the cell formats (``cellXfs``) of ``styles.xml`` that are percentages."""
    custom: set[int] = set()
    for attrs in _NUMFMT.findall(styles_xml):
        fid, code = _attr(attrs, "numFmtId"), _attr(attrs, "formatCode")
        if fid and fid.isdigit() and code is not None and is_percent_format(code):
            custom.add(int(fid))
    block = _CELLXFS.search(styles_xml)
    if block is None:
        return frozenset()
    out = set()
    for k, attrs in enumerate(_XF.findall(block.group(1))):
        fid = _attr(attrs, "numFmtId")
        if fid and fid.isdigit() and (int(fid) in BUILTIN_PERCENT_IDS or int(fid) in custom):
            out.add(k)
    return frozenset(out)


def percent_cells_xml(chunks, styles: frozenset[int]) -> set[tuple[int, int]]:
    """Cells (0-based row, column) of a worksheet part whose style is one of ``styles``. A cell
    tag split between two chunks is carried over; cells written without a reference are skipped
    (no spreadsheet program writes them)."""
    from balance.io.workbook.scan import col_number

    out: set[tuple[int, int]] = set()
    if not styles:
        return out
    tail = b""
    for chunk in chunks:
        buf = tail + chunk
        cut = buf.rfind(b"<")
        part, tail = (buf[:cut], buf[cut:]) if cut > 0 else (b"", buf)
        _collect(part, styles, out, col_number)
    _collect(tail, styles, out, col_number)
    return out


def _collect(part: bytes, styles, out: set, col_number) -> None:
    if b' s="' not in part:
        return
    for attrs in _CELL.findall(part):
        s = _attr(attrs, "s")
        if s is None or not s.isdigit() or int(s) not in styles:
            continue
        m = _REF.match((_attr(attrs, "r") or "").lstrip("$"))
        if m:
            out.add((int(m.group(2)) - 1, col_number(m.group(1)) - 1))


def ods_percent_cells(chunks, sheet: str) -> set[tuple[int, int]]:
    """Cells (0-based row, column) of table ``sheet`` of an ODS ``content.xml`` whose value type is
    ``percentage`` (repeated rows and cells expanded, at most 100,000 cells)."""
    import xml.parsers.expat

    out: set[tuple[int, int]] = set()
    st = {"in": False, "row": 0, "rep": 1, "col": 0}

    def start(name, attrs):
        tag = name.rsplit(":", 1)[-1]
        if tag == "table" and name.startswith("table:"):
            st["in"], st["row"] = attrs.get("table:name") == sheet, 0
        elif not st["in"]:
            return
        elif tag == "table-row":
            st["rep"] = _count(attrs.get("table:number-rows-repeated"))
            st["col"] = 0
        elif tag in ("table-cell", "covered-table-cell"):
            rep = _count(attrs.get("table:number-columns-repeated"))
            if attrs.get("office:value-type") == "percentage" and len(out) < 100_000:
                for r in range(st["row"], st["row"] + min(st["rep"], 1000)):
                    out.update((r, c) for c in range(st["col"], st["col"] + min(rep, 1000)))
            st["col"] += rep

    def end(name):
        tag = name.rsplit(":", 1)[-1]
        if st["in"] and tag == "table-row":
            st["row"] += st["rep"]
        elif tag == "table" and name.startswith("table:"):
            st["in"] = False

    p = xml.parsers.expat.ParserCreate()
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartElementHandler, p.EndElementHandler = start, end
    try:
        for chunk in chunks:
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except xml.parsers.expat.ExpatError:
        pass  # the extent scan has already read this part: a broken one was refused there
    return out


def _count(v) -> int:
    try:
        return max(1, int(v)) if v is not None else 1
    except ValueError:
        return 1


def xls_percent_cells(data: bytes, sheet: str) -> set[tuple[int, int]]:
    """Number cells (0-based row, column) of sheet ``sheet`` of an ``.xls`` file whose format is a
    percentage: a built-in percent id (:data:`BUILTIN_PERCENT_IDS`) or a code that
    :func:`is_percent_format` accepts. Empty when xlrd cannot read the file's formats (the
    workbook reader has already opened and measured it; a rate column that still looks like a
    fraction is then caught by the callers' plausibility check)."""
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=_Silent(), ragged_rows=True)
    except Exception:  # noqa: BLE001 - an .xls xlrd cannot parse: no formats, as before
        return set()
    try:
        if sheet not in book.sheet_names():
            return set()
        sh = book.sheet_by_name(sheet)
        percent_xf: dict[int, bool] = {}
        out: set[tuple[int, int]] = set()
        for r in range(sh.nrows):
            for c, ctype in enumerate(sh.row_types(r)):
                if ctype != xlrd.XL_CELL_NUMBER:
                    continue
                k = sh.cell_xf_index(r, c)
                if k not in percent_xf:
                    key = book.xf_list[k].format_key if k < len(book.xf_list) else None
                    fmt = book.format_map.get(key)
                    percent_xf[k] = key in BUILTIN_PERCENT_IDS or (fmt is not None and is_percent_format(fmt.format_str))
                if percent_xf[k]:
                    out.add((r, c))
        return out
    except Exception:  # noqa: BLE001 - a sheet whose records xlrd does not follow: no formats
        return set()
    finally:
        book.release_resources()


class _Silent:
    """A log file for xlrd that keeps its warnings about odd records off the console."""

    def write(self, _text: str) -> None:
        pass
