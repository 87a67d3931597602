"""The user's workbook opened within limits: :class:`Workbook` and :func:`open_workbook`."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from balance.errors import InputError
from balance.io.workbook.limits import ReadLimits, _mb, is_encrypted_ole, read_limits, refusal, sniff
from balance.io.workbook.scan import (
    SheetScan,
    _SlowPath,
    _stream,
    _TooBig,
    _Unsupported,
    col_letters,
    scan_ods,
    scan_sheet_xml,
    scan_sheet_xml_exact,
    scan_xlsb_sheet,
)

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
        self._xls = data if self.kind == "ole" else None  # .xls: its formats are read by xlrd (percent_cells)
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

    def percent_cells(self, name: str) -> set[tuple[int, int]]:
        """Cells of sheet ``name`` formatted as percentages (0-based row, column): the reader gives
        their stored value (0.92 for a cell showing 92 %). Empty for ``.xlsb`` (formats not exposed)
        and for a sheet with no percent format. See :mod:`balance.io.workbook.styles`."""
        from balance.io.workbook.styles import ods_percent_cells, percent_cells_xml, percent_styles, xls_percent_cells

        self.scan(name)  # measured (and refused when too large) first
        if self.format == "xls":
            self.rows(name, nrows=1)  # the reader's own measure of the sheet first (.xls: see rows)
            return xls_percent_cells(self._xls, name)
        budget = [self.limits.max_uncompressed_bytes]  # parts already measured: read again on their own budget
        try:
            if self.format == "ods":
                return ods_percent_cells(_stream(self._zip, "content.xml", budget), name)
            if self.format != "xlsx" or name not in self._parts:
                return set()
            if "xl/styles.xml" not in {i.filename for i in self._zip.infolist()}:
                return set()
            styles = percent_styles(b"".join(_stream(self._zip, "xl/styles.xml", budget)))
            if not styles or self._parts[name].endswith(".bin"):
                return set()
            return percent_cells_xml(_stream(self._zip, self._parts[name], budget), styles)
        except (_TooBig, zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError):
            return set()  # the extent scan read these parts: nothing new can go wrong but their size

    def formula_cells(self, name: str) -> tuple[list[tuple[int, int]], int]:
        """Formula cells of ``name`` without a cached value: ``([(row, col), …], total)``, 0-based."""
        s = self.scan(name)
        return s.formula_cells, s.formula_count


def open_workbook(data: bytes, file: str, summary: tuple[str, str], limits=None) -> Workbook:
    """:class:`Workbook` of ``data`` with :func:`read_limits` ``(limits)``."""
    return Workbook(data, file, read_limits(limits), summary)
