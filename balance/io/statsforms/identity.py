"""The identity of a school in its statistics workbook: code, name, county, type, ownership, year.

Read from the cover / basic-information sheets named by the mapping: a labelled cell's value after
a colon in the same cell, else the next non-empty cell to the right (a blank value is never taken
from the next label). The year is a labelled cell, else "2024年" in a title cell; another year is
refused. ``book`` is the opened workbook of :mod:`balance.io.statsforms.extract` (``_Workbook``).
Moved out of :mod:`balance.io.statsforms.extract`, which re-exports every name.
"""
from __future__ import annotations

import re

from balance.io.statsforms.forms import Refused, lookup_coded, school_type_of, sheet_suffix
from balance.io.statsforms.locate import matches
from balance.io.statsforms.mapping import Mapping, message
from balance.io.statsforms.school_import import Missing, SchoolImport, _record
from balance.schema import HEADERS

__all__ = ["IDENTITY_ORDER"]

IDENTITY_ORDER = ("school_code", "school_name", "county_code", "county_name", "school_type", "ownership",
                  "urban_rural", "township")


def _identity_cells(book):
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


def _identity(book, out: SchoolImport, year: int) -> None:
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
