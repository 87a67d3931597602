"""Hostile and broken files built by hand (zipfile, bytes), so tests are fast and exact.

``xlsx(sheet_xml)`` is a minimal workbook (one sheet, inline strings) around a sheet's XML;
``sheet(rows, dimension=...)`` writes the XML; ``ods(rows_xml)`` a minimal OpenDocument sheet.
Nothing here is loaded by these helpers: they only write bytes.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '{sheets}</Types>')
_SHEET_CT = ('<Override PartName="/xl/worksheets/sheet{i}.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>')
_WB_SHEET = '<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
_WB_REL = ('<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'worksheet" Target="worksheets/sheet{i}.xml"/>')
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(ref: str, value) -> str:
    """One cell with its reference, as Excel writes it: a number, or an inline string."""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: list[list], first_row: int = 1) -> str:
    out = []
    for i, r in enumerate(rows, start=first_row):
        cells = "".join(cell(f"{col_letters(j)}{i}", v) for j, v in enumerate(r, start=1) if v is not None)
        out.append(f'<row r="{i}">{cells}</row>')
    return "".join(out)


def sheet(body: str, dimension: str | None = None, prefix: str = "") -> str:
    """A worksheet part around ``body`` (the ``<row>`` elements); ``prefix`` writes every element
    with a namespace prefix (``x:``) as some generators do."""
    dim = f'<{prefix}dimension ref="{dimension}"/>' if dimension else ""
    xmlns = f'xmlns:{prefix[:-1]}="{NS}"' if prefix else f'xmlns="{NS}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{prefix}worksheet {xmlns}>{dim}'
            f'<{prefix}sheetData>{body}</{prefix}sheetData></{prefix}worksheet>')


def xlsx(*sheets: str | tuple[str, str], compress=zipfile.ZIP_DEFLATED) -> bytes:
    """A workbook whose sheets are the given worksheet XML texts (or ``(name, xml)`` pairs)."""
    named = [s if isinstance(s, tuple) else (f"Sheet{i}", s) for i, s in enumerate(sheets, start=1)]
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compress) as z:
        z.writestr("[Content_Types].xml", _CT.format(sheets="".join(_SHEET_CT.format(i=i) for i in range(1, len(named) + 1))))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB.format(sheets="".join(
            _WB_SHEET.format(name=escape(n, {'"': "&quot;"}), i=i) for i, (n, _) in enumerate(named, start=1))))
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(rels="".join(
            _WB_REL.format(i=i) for i in range(1, len(named) + 1))))
        for i, (_, xml) in enumerate(named, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return b.getvalue()


def far_cell(ref: str = "XFD1048576", dimension: str | None = "A1:XFD1048576", with_a1: bool = False) -> bytes:
    """The 2 KB workbook of issue 9: one cell far away (and optionally one at A1)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    body = ('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' if with_a1 else "")
    body += f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx(sheet(body, dimension))


_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             '<manifest:file-entry manifest:full-path="/" '
             'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')


def ods(table_rows: str, name: str = "Sheet1") -> bytes:
    """A minimal ``.ods`` whose one table has the given ``<table:table-row>`` elements."""
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{name}">{table_rows}'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return b.getvalue()


def ods_cell(value, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if isinstance(value, (int, float)):
        return (f'<table:table-cell{rep} office:value-type="float" office:value="{value}">'
                f'<text:p>{value}</text:p></table:table-cell>')
    return f'<table:table-cell{rep} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def encrypted_ooxml() -> bytes:
    """The start of what Excel writes for a password-protected .xlsx: an OLE compound file whose
    directory names the EncryptionInfo and EncryptedPackage streams (UTF-16)."""
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    return head + directory + b"\x00" * 1024
