"""The county sheet (县级填报表): what a bureau fills in each year besides the school table.

One row per county × year with the answers to the 政府保障程度 items (15), the 教育质量 items
(9), the 社会认可度 survey rate and the one-vote vetoes (method.md §§5–6). The items, their
sheet columns, types, units, allowed values and rules are data: ``balance/data/evaluation_items.yaml``.

* :func:`write_county_sheet_template` writes the bilingual Excel template: above the header row,
  each column shows its area, the official requirement (Chinese and English), the rule and the
  allowed values / unit; yes/no cells have a 是/否 drop-down; qualitative items have an evidence
  note column (说明及佐证材料); a second sheet lists every item.
* :func:`load_county_sheet` reads a filled sheet (``.xlsx``/``.xls``/``.ods``/``.csv``), checks every
  cell and raises :class:`~balance.errors.InputError` with *all* problems (file, row, column,
  value, Chinese and English message): yes/no cells other than 是/否 (e.g. "yes"), rates that are
  not numbers or outside 0–100 %, negative amounts, bad years, county codes that are not 6 digits
  or not in the school data, the same county and year twice.

A blank cell is *missing*: kept as missing and reported so in the evaluation, never taken as a pass.
"""
from __future__ import annotations

# a package since the split of issue 10 (items, template, cells, reading); every old name is here
from balance.io.county_sheet.items import (DESCRIPTION_ROWS, GUIDE_SHEET, HEADER_SCAN_ROWS, ITEMS_FILE,  # noqa: F401
                                           NO, SHEET_NAME, TYPE_LABELS, YES, _SUMMARY, _num, _refuse, area_names,
                                           fields, item_id, item_spec, items, note_column, note_header,
                                           sheet_columns)
from balance.io.county_sheet.template import rule_text, write_county_sheet_template  # noqa: F401
from balance.io.county_sheet.cells import (CountySheet, _NUMBER, _cell_text, _fraction_columns,  # noqa: F401
                                           _header_lookup, _match_header, _normalize, _parse, _parse_value)
from balance.io.county_sheet.reading import _read_grid, load_county_sheet  # noqa: F401

__all__ = ["CountySheet", "load_county_sheet", "write_county_sheet_template", "rule_text", "item_spec",
           "items", "fields", "area_names", "item_id", "note_column", "note_header", "sheet_columns",
           "SHEET_NAME", "DESCRIPTION_ROWS", "HEADER_SCAN_ROWS", "YES", "NO"]
