"""What reading one statistics workbook gives: the values, one provenance record per cell, what is missing.

Moved out of :mod:`balance.io.statsforms.extract` (which re-exports every name): :class:`SchoolImport`
is the result of :func:`balance.io.statsforms.extract.read_workbook`, :class:`Missing` one column
that could not be read, ``_record`` one row of the provenance CSV.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from balance.schema import HEADERS

__all__ = ["Missing", "SchoolImport"]


@dataclass
class Missing:
    """Why a column of a school could not be read."""

    column: str
    code: str
    zh: str
    en: str
    sheet: str = ""
    cell: str = ""


@dataclass
class SchoolImport:
    """One workbook's result (see the module docstring)."""

    file: str
    generation: str
    mapping_source: str
    values: dict = field(default_factory=dict)
    provenance: list[dict] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def school_code(self) -> str:
        return str(self.values.get("school_code") or "")

    @property
    def school_name(self) -> str:
        return str(self.values.get("school_name") or "")


def _record(out: SchoolImport, column: str, value, *, sheet="", cell="", raw="", op="+", term="", row_code="",
            row_label="", col_number="", col_header="", factor=None, unit="", note="") -> dict:
    return {"school_code": out.values.get("school_code", ""), "school_name": out.values.get("school_name", ""),
            "workbook": out.file, "column": HEADERS.get(column, column), "value": value, "term": term, "op": op,
            "sheet": sheet, "cell": cell, "row_code": row_code, "row_label": row_label, "col_number": col_number,
            "col_header": col_header, "raw": raw, "unit": unit, "factor": factor, "note": note}
