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
import re
from dataclasses import dataclass, field
from pathlib import Path

from balance.io.statsforms.forms import (Refused, detect_generation, lookup_coded, school_type_of, sheet_suffix,
                                         sheets_by_table, table_code)
from balance.io.statsforms.locate import FormSheet, LocateError, Located, matches, norm
from balance.io.statsforms.mapping import FieldSpec, Mapping, Term, message
from balance.schema import COLUMNS, HEADERS, SCHOOL_TYPE_STAGES

SUMMARY = ("无法读取统计报表工作簿", "cannot read the statistics workbook")
KINDS = {c["name"]: c["kind"] for c in COLUMNS}
IDENTITY_ORDER = ("school_code", "school_name", "county_code", "county_name", "school_type", "ownership",
                  "urban_rural", "township")


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
# identity


def _identity_cells(book: _Workbook):
    """(sheet name, grid) of the identity sheets present, in the mapping's order."""
    for ident in book.mapping.identity.sheets:
        if book.has(ident):
            for name in book.by_table[ident]:
                yield name, book.wb.rows(name)


def _find_labelled(grid: list[list], labels: list[str], all_labels: list[str] = ()):
    """(value, row, col) of the first cell matching one of ``labels``: the value after a colon in
    the same cell, else the next non-empty cell to the right — unless that cell is itself a label
    (``all_labels``: the value was left blank), which gives no value. Nothing else is tried."""
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            text = str(v or "").strip()
            if not text:
                continue
            mm = re.match(r"^(.*?)[:：](.*)$", text)
            head, tail = (mm.group(1), mm.group(2).strip()) if mm else (text, "")
            if not any(matches(lab, head) for lab in labels):
                continue
            if tail:
                return tail, i, j
            for k in range(j + 1, len(row)):
                if str(row[k]).strip() != "":
                    if any(matches(lab, str(row[k]).split("：")[0].split(":")[0]) for lab in all_labels):
                        return None  # the next cell is the next label: this value is blank
                    return row[k], i, k
            return None
    return None


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _identity(book: _Workbook, out: SchoolImport, year: int) -> None:
    from balance.io.workbook import col_letters

    m = book.mapping
    found: dict[str, tuple] = {}
    cells = list(_identity_cells(book))
    all_labels = [lab for spec in m.identity.fields.values() for lab in spec.labels]
    for key, spec in m.identity.fields.items():
        for sheet, grid in cells:
            hit = _find_labelled(grid, spec.labels, all_labels)
            if hit is not None:
                found[key] = (hit[0], sheet, f"{col_letters(hit[2] + 1)}{hit[1] + 1}")
                break
    # the year: a labelled cell, else "2024年" in a title cell of the identity sheets
    stated = None
    if "year" in found:
        digits = re.findall(r"(?:19|20)\d{2}", _text(found["year"][0]))
        stated = int(digits[0]) if digits else None
    if stated is None:
        for sheet, grid in cells:
            for row in grid[:10]:
                for v in row:
                    mm = re.search(m.identity.year_pattern, str(v or ""))
                    if mm:
                        stated = int(mm.group(1))
                        break
                if stated is not None:
                    break
            if stated is not None:
                break
    if stated is not None and stated != year:
        raise Refused("wrong_year", found=stated, year=year)
    if stated is None:
        zh, en = message("year_not_stated", year=year)
        out.notes.append((f"{out.file}：{zh}", f"{out.file}: {en}"))
    # the school type first: a refused type stops here
    type_value = found.get("school_type")
    if type_value is None:
        suffixes = {sheet_suffix(s, m.settings.sheet_separators) for s in book.wb.sheet_names
                    if any(str(s).startswith(p) for p in m.detect.sheet_prefixes)} - {""}
        if len(suffixes) == 1:
            type_value = (suffixes.pop(), "(工作表名 / sheet names)", "")
    if type_value is not None:
        school_type_of(type_value[0], m)  # raises Refused for a kindergarten or senior high school
    for key in IDENTITY_ORDER:
        spec = m.identity.fields.get(key)
        if spec is None:
            continue
        hit = type_value if key == "school_type" else found.get(key)
        header = HEADERS[key]
        if hit is None or _text(hit[0]) == "":
            if spec.required:
                zh, en = message("identity_missing", labels="、".join(spec.labels))
                out.missing.append(Missing(header, "identity_missing", zh, en))
            continue
        raw, sheet, cell = hit
        value, problem = _identity_value(key, raw, spec.digits, m)
        if problem is not None:
            out.missing.append(Missing(header, problem[0], problem[1], problem[2], sheet, cell))
            continue
        out.values[key] = value
        out.provenance.append(_record(out, key, value, sheet=sheet, cell=cell, raw=_text(raw), op="="))


def _identity_value(key: str, raw, digits: int | None, m: Mapping):
    text = _text(raw)
    header = HEADERS[key]
    if key in ("school_code", "county_code"):
        code = re.sub(r"\s", "", text)
        want = digits or 10
        if not code.isdigit() or len(code) < want or (key == "school_code" and len(code) != want):
            zh, en = message("identity_bad_code", column=header, value=text, digits=want)
            return None, ("identity_bad_code", zh, en)
        return code[:want], None
    if key == "school_type":
        t = school_type_of(raw, m)
        if t is None:
            zh, en = message("unknown_type", value=text)
            return None, ("unknown_type", zh, en)
        return t, None
    if key in ("ownership", "urban_rural"):
        table = m.ownership if key == "ownership" else m.urban_rural
        v = lookup_coded(raw, table)
        if v is None:
            zh, en = message("unknown_value", column=header, value=text)
            return None, ("unknown_value", zh, en)
        return v, None
    return text, None


# ------------------------------------------------------------------------------------------------
# values


def _record(out: SchoolImport, column: str, value, *, sheet="", cell="", raw="", op="+", term="", row_code="",
            row_label="", col_number="", col_header="", factor=None, unit="", note="") -> dict:
    return {"school_code": out.values.get("school_code", ""), "school_name": out.values.get("school_name", ""),
            "workbook": out.file, "column": HEADERS.get(column, column), "value": value, "term": term, "op": op,
            "sheet": sheet, "cell": cell, "row_code": row_code, "row_label": row_label, "col_number": col_number,
            "col_header": col_header, "raw": raw, "unit": unit, "factor": factor, "note": note}


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
