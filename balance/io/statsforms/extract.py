"""Reading one school's statistics workbook into one row of the school table, with provenance.

:func:`read_workbook` opens a workbook within the package's reading limits (every sheet measured
before it is loaded: :mod:`balance.io.workbook`), recognises its generation, reads the identity from
the cover / basic-information sheet, and every column of ``balance/data/columns.yaml`` that the
mapping names, as the sum of its cells (:mod:`balance.io.statsforms.locate`). It returns a
:class:`SchoolImport`: the values, one provenance record per cell used (workbook, sheet, cell,
row code and label, column number and header, raw value, unit factor, + or −), what is missing
(with the reason and place), and notes (checks that failed, assumptions applied).

Units and marks: ``money`` fields are converted to 元 by the unit in the row label, column header
or the sheet's 单位 line (万元 ×10000); ``*`` (not applicable) and blank cells follow the mapping's
``settings``. Nothing is guessed: a value that cannot be located exactly (a missing or duplicated
row, an ambiguous column) makes the school incomplete, with the reason.
"""
from __future__ import annotations

import math
from pathlib import Path

from balance.io.statsforms.forms import (  # noqa: F401
    Refused,
    detect_generation,
    lookup_coded,
    school_type_of,
    sheet_suffix,
    sheets_by_table,
    table_code,
)

# the result classes and the identity live in their own modules; every old name stays importable here
from balance.io.statsforms.identity import (  # noqa: F401
    IDENTITY_ORDER,
    _find_labelled,
    _identity,
    _identity_cells,
    _identity_value,
    _text,
)
from balance.io.statsforms.locate import FormSheet, Located, LocateError, matches, norm  # noqa: F401
from balance.io.statsforms.mapping import FieldSpec, Mapping, Term, message
from balance.io.statsforms.school_import import Missing, SchoolImport, _record
from balance.schema import COLUMNS, HEADERS, SCHOOL_TYPE_STAGES

__all__ = ["SUMMARY", "KINDS", "IDENTITY_ORDER", "Missing", "SchoolImport", "open_statistics_workbook",
           "read_workbook"]

SUMMARY = ("无法读取统计报表工作簿", "cannot read the statistics workbook")
KINDS = {c["name"]: c["kind"] for c in COLUMNS}


class _Workbook:
    """The sheets of one opened workbook, parsed on first use."""

    def __init__(self, wb, mapping: Mapping):
        self.wb, self.mapping = wb, mapping
        self.by_table = sheets_by_table(wb.sheet_names, mapping)
        self._sheets: dict[str, FormSheet] = {}

    def has(self, table: str) -> bool:
        return table in self.by_table

    def sheet(self, table: str) -> FormSheet:
        names = self.by_table[table]
        if len(names) > 1:  # two sheets of one table (e.g. 教基5170_小学 and 教基5170_初级中学): which one?
            raise _Missing("ambiguous_sheet", dict(table=table, sheets="、".join(names)), sheet=table)
        name = names[0]
        if name not in self._sheets:
            self._sheets[name] = FormSheet(name, self.wb.rows(name), self.wb.merged_ranges(name))
        return self._sheets[name]


def open_statistics_workbook(path: Path, file: str, limits=None):
    """The :class:`balance.io.workbook.Workbook` of ``path``, measured and opened within limits."""
    from balance.io.workbook import open_workbook, read_file_bytes, read_limits

    lim = read_limits(limits)
    data = read_file_bytes(path, file, lim, SUMMARY)
    return open_workbook(data, file, SUMMARY, limits=lim)


def read_workbook(path: Path, file: str, year: int, mappings: list[Mapping], wanted: Mapping | None = None,
                  limits=None) -> SchoolImport:
    """Read one school's workbook (see the module docstring).

    Parameters
    ----------
    path, file : the workbook and its name as the user gave it (for messages).
    year : the statistical year asked for (``--year``).
    mappings : every known generation (for ``--forms auto``); ``wanted``: the one asked for.

    Raises
    ------
    Refused
        Not a statistics workbook, another generation or year, a kindergarten / senior high school.
    balance.errors.InputError
        The file cannot be read at all (not a workbook, encrypted, too large …).
    """
    wb = open_statistics_workbook(path, file, limits)
    from balance.io.templates import SHEET_DATA

    prefixes = [p for m in mappings + ([wanted] if wanted else []) for p in m.detect.sheet_prefixes]
    if SHEET_DATA in wb.sheet_names and not any(str(s).startswith(tuple(prefixes)) for s in wb.sheet_names):
        raise Refused("school_table_not_forms", sheet=SHEET_DATA)
    mapping = detect_generation(wb.sheet_names, mappings, wanted)
    if not mapping.years.covers(year):
        raise Refused("generation_year", generation=mapping.generation, title=mapping.title,
                      years=mapping.years.describe(), year=year)
    book = _Workbook(wb, mapping)
    out = SchoolImport(file=file, generation=mapping.generation, mapping_source=mapping.source)
    out.values["year"] = year
    _identity(book, out, year)
    stages = SCHOOL_TYPE_STAGES.get(out.values.get("school_type") or "", None)
    for name in [c["name"] for c in COLUMNS]:
        spec = mapping.fields.get(name)
        if spec is None:
            continue
        if spec.stage is not None:
            if stages is None:
                continue  # the type is unknown (already listed as missing): the stage cannot be decided
            if spec.stage not in stages:
                out.values[name] = 0
                out.provenance.append(_record(out, name, 0, op="", note="学校类型无此学段，按 0 / the school type has no such stage: 0"))
                continue
        _field(book, out, name, spec)
    for rec in out.provenance:  # the identity is known only now
        rec["school_code"], rec["school_name"] = out.school_code, out.school_name
    return out


# ------------------------------------------------------------------------------------------------
# values


class _Skip(Exception):
    """An optional term that is not there."""


def _number(raw, cell: str, settings) -> tuple[float | None, str, tuple | None]:
    """(value, note, problem) of a cell: ``*`` and blanks per ``settings``; text numbers accepted."""
    if isinstance(raw, bool):
        return None, "", ("not_a_number", cell, str(raw))
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if settings.blank_as == "zero":
            return 0.0, "空白按 0 / blank as 0", None
        return None, "", ("blank_cell", cell, "")
    if isinstance(raw, str) and raw.strip() in settings.not_applicable:
        if settings.not_applicable_as == "zero":
            return 0.0, "「*」不适用，按 0 / '*' not applicable: 0", None
        return None, "", ("not_applicable", cell, raw.strip())
    if isinstance(raw, (int, float)):
        x = float(raw)
    else:
        t = str(raw).strip().replace(",", "").replace("，", "")
        try:
            x = float(t)
        except ValueError:
            return None, "", ("not_a_number", cell, str(raw)[:40])
    if not math.isfinite(x):
        return None, "", ("not_a_number", cell, str(raw)[:40])
    if x < 0:
        return None, "", ("negative", cell, _text(raw))
    return x, "", None


def _unit_of(sheet: FormSheet, loc: Located, settings) -> tuple[str, float, bool]:
    """(unit, factor, stated) of a money cell: the row label, the column header, the sheet's 单位 line."""
    units = sorted(settings.money_units, key=len, reverse=True)
    for text in (norm(loc.row_label), loc.col_header, norm(sheet.unit())):
        for u in units:
            if u in text:
                return u, float(settings.money_units[u]), True
    u = settings.default_money_unit
    return u, float(settings.money_units[u]), False


def _term_value(book: _Workbook, out: SchoolImport, name: str, term: Term, spec: FieldSpec):
    """(value × factor × sign, provenance record) of one term; raises _Missing or _Skip."""
    m = book.mapping
    title = m.tables.get(term.table).title if term.table in m.tables else ""
    if not book.has(term.table):
        if term.optional:
            raise _Skip
        raise _Missing("missing_sheet", dict(table=term.table, title=title or "—"), sheet=term.table)
    sheet = book.sheet(term.table)
    if not sheet.ok:
        raise _Missing("no_number_row", {}, sheet=sheet.name)
    blocks = m.tables[term.table].blocks if term.table in m.tables else []
    try:
        i = sheet.find_row(term.row.code, term.row.label, term.row.block, blocks)
        j = sheet.find_column(term.column.number, term.column.header, m.settings.total_labels)
    except LocateError as e:
        if term.optional and e.code in ("missing_row", "missing_column", "missing_block"):
            raise _Skip from None
        raise _Missing(e.code, e.kw, sheet=sheet.name) from None
    loc = sheet.locate(i, j)
    x, note, problem = _number(loc.raw, loc.cell, m.settings)
    if problem is not None:
        code, cell, value = problem
        if code == "not_applicable":
            code, value = "blank_cell", "*"
        raise _Missing(code, dict(cell=cell, value=value), sheet=sheet.name, cell=cell)
    unit, factor = "", 1.0
    if spec.money:
        unit, factor, stated = _unit_of(sheet, loc, m.settings)
        if not stated:
            extra = f"未写单位，按{unit} / no unit stated: taken as {unit}"
            note = f"{note}；{extra}" if note else extra
    value = term.sign * x * factor
    rec = _record(out, name, None, sheet=sheet.name, cell=loc.cell, raw=_text(loc.raw), op="+" if term.sign > 0 else "−",
                  term=term.name or "", row_code=loc.row_code, row_label=loc.row_label, col_number=loc.col_number,
                  col_header=loc.col_header, factor=factor if spec.money else None, unit=unit, note=note)
    return value, x, rec


class _Missing(Exception):
    def __init__(self, code: str, kw: dict, sheet: str = "", cell: str = ""):
        super().__init__(code)
        self.code, self.kw, self.sheet, self.cell = code, kw, sheet, cell


def _field(book: _Workbook, out: SchoolImport, name: str, spec: FieldSpec) -> None:
    options = spec.options()
    chosen = next((opt for opt in options if all(book.has(t.table) or t.optional for t in opt)), options[0])
    header = HEADERS[name]
    total, records, parts = 0.0, [], {}
    try:
        for term in chosen:
            try:
                value, x, rec = _term_value(book, out, name, term, spec)
            except _Skip:
                continue
            total += value
            records.append(rec)
            if term.name:
                parts[term.name] = parts.get(term.name, 0.0) + x * term.sign
    except _Missing as e:
        zh, en = message(e.code, **e.kw)
        where = f"{e.sheet} " if e.sheet and e.code not in ("missing_sheet", "ambiguous_sheet") else ""
        out.missing.append(Missing(header, e.code, f"{where}{zh}".strip(), f"{where}{en}".strip(), e.sheet, e.cell))
        return
    if KINDS.get(name) == "count":
        r = round(total)
        if abs(total - r) > 1e-9:
            zh, en = message("not_whole", column=header, value=f"{total:g}")
            out.missing.append(Missing(header, "not_whole", zh, en, records[0]["sheet"] if records else ""))
            return
        total = int(r)
    else:
        total = float(total)
    if len(options) > 1 and chosen is not options[0]:
        alt = "、".join(dict.fromkeys(t.table for t in chosen))
        for r in records:
            r["note"] = (r["note"] + "；" if r["note"] else "") + f"备选来源 {alt} / alternative source {alt}"
    for r in records:
        r["value"] = total
    out.values[name] = total
    out.provenance.extend(records)
    for check in spec.checks:
        _check(book, out, name, spec, check, parts)


def _check(book: _Workbook, out: SchoolImport, name: str, spec: FieldSpec, check, parts: dict) -> None:
    if not all(p in parts for p in check.parts):
        return
    try:
        total, _, rec = _term_value(book, out, name, check.total, FieldSpec(terms=[check.total]))
    except (_Skip, _Missing):
        return
    s = sum(parts[p] for p in check.parts)
    bad = abs(total - s) > 1e-9 if check.relation == "equal" else total < s - 1e-9
    rec.update(value=out.values.get(name), op="核对 check", note="未计入，仅核对 / not counted, checked only")
    out.provenance.append(rec)
    if bad:
        zh, en = message("check_failed", total_name=f"{rec['sheet']} {rec['cell']}（{check.total.column.describe()}）",
                         total=f"{total:g}", parts_names="+".join(check.parts), parts=f"{s:g}", note=check.note)
        out.notes.append((f"{out.school_name or out.file}：{zh}", f"{out.school_name or out.file}: {en}"))
