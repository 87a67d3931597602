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

from balance.io.workbook.book import _READ_WITH_EVERY_SHEET, Workbook, open_workbook  # noqa: F401

# a package since the split of issue 10 (limits, sheet scans, the workbook); every old name is here
from balance.io.workbook.limits import (  # noqa: F401
                                       ENV_PREFIX,
                                       LIMITS_FILE,
                                       OLE_MAGIC,
                                       ZIP_MAGIC,
                                       ReadLimits,
                                       _mb,
                                       _message,
                                       _yaml_limits,
                                       check_file_size,
                                       is_encrypted_ole,
                                       read_file_bytes,
                                       read_limits,
                                       refusal,
                                       sniff,
)
from balance.io.workbook.scan import (  # noqa: F401
                                       _CHUNK,
                                       MAX_FORMULA_CELLS,
                                       SheetScan,
                                       _check_xml_start,
                                       _expat_scan,
                                       _SlowPath,
                                       _stream,
                                       _TooBig,
                                       _Unsupported,
                                       col_letters,
                                       col_number,
                                       scan_ods,
                                       scan_sheet_xml,
                                       scan_sheet_xml_exact,
                                       scan_xlsb_sheet,
)

__all__ = ["ReadLimits", "read_limits", "refusal", "check_file_size", "read_file_bytes", "sniff",
           "is_encrypted_ole", "SheetScan", "col_number", "col_letters", "scan_sheet_xml",
           "scan_sheet_xml_exact", "scan_ods", "scan_xlsb_sheet", "Workbook", "open_workbook"]
