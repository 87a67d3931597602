"""Recognising a statistics workbook: its form generation, its tables, its school type.

* :func:`table_code` — the table code of a sheet name (``教基5170_小学`` → ``教基5170``);
* :func:`detect_generation` — the mapping whose ``detect.sheet_prefixes`` the sheet names carry
  (``基础基`` → 2018, ``教基`` → 2021), or the one asked for with ``--forms``;
* :func:`school_type_of` — 办学类型 (a code such as 211 or a name, from the cover sheet, else the
  sheet-name suffix of the new forms) → the template's 学校类型, or a refusal for a kindergarten,
  a senior high school or a vocational school.
"""
from __future__ import annotations

import re

from balance.io.statsforms.locate import norm
from balance.io.statsforms.mapping import Mapping


class Refused(Exception):
    """The workbook cannot be imported at all: ``code`` of messages.yaml and its fields."""

    def __init__(self, code: str, /, **kw):
        super().__init__(code)
        self.code, self.kw = code, kw


def table_code(sheet_name: str, separators: list[str]) -> str:
    """The table code of a sheet: the name up to the first separator (``_``, ``-``, a space, a
    bracket), spaces removed. ``"教基1102续_小学"`` → ``"教基1102续"``."""
    name = str(sheet_name).strip()
    cut = len(name)
    for sep in separators:
        k = name.find(sep)
        if k > 0:
            cut = min(cut, k)
    return re.sub(r"\s+", "", name[:cut])


def sheet_suffix(sheet_name: str, separators: list[str]) -> str:
    """The part after the table code (``"教基1001_小学"`` → ``"小学"``), brackets removed."""
    code = table_code(sheet_name, separators)
    rest = str(sheet_name).strip()[len(code):]
    return norm(rest.strip("".join(separators) + ")）"))


def sheets_by_table(sheet_names: list[str], mapping: Mapping) -> dict[str, list[str]]:
    """Table code (and plain sheet name) → the sheet names carrying it (more than one: ambiguous)."""
    out: dict[str, list[str]] = {}
    for name in sheet_names:
        code = table_code(name, mapping.settings.sheet_separators)
        out.setdefault(code, []).append(name)
        plain = str(name).strip()
        if plain != code:
            out.setdefault(plain, []).append(name)
    return out


def detect_generation(sheet_names: list[str], mappings: list[Mapping], wanted: Mapping | None) -> Mapping:
    """The mapping of a workbook with these sheets.

    Raises
    ------
    Refused
        No sheet of any known generation (``not_statistics``), sheets of two generations without
        ``--forms`` (``mixed_generations``), or a workbook of another generation than ``wanted``
        (``wrong_generation``).
    """
    found = []
    for m in mappings:
        n = sum(1 for s in sheet_names if any(str(s).strip().startswith(p) for p in m.detect.sheet_prefixes))
        if n:
            found.append(m)
    if wanted is not None:
        if any(str(s).strip().startswith(p) for s in sheet_names for p in wanted.detect.sheet_prefixes):
            return wanted
        if found:
            other = found[0]
            raise Refused("wrong_generation", found=other.generation, found_title=other.title, wanted=wanted.generation)
        raise Refused("not_statistics", examples=_examples(mappings + [wanted]), sheets=_sheet_list(sheet_names))
    if not found:
        raise Refused("not_statistics", examples=_examples(mappings), sheets=_sheet_list(sheet_names))
    if len(found) > 1:
        raise Refused("mixed_generations", generations="、".join(m.generation for m in found))
    return found[0]


def _examples(mappings: list[Mapping]) -> str:
    codes = []
    for m in mappings:
        codes.extend(sorted(m.tables)[:1])
    return "、".join(dict.fromkeys(codes))


def _sheet_list(names: list[str], n: int = 8) -> str:
    shown = "、".join(str(s) for s in names[:n])
    return shown + (f" …（共 {len(names)} 个）" if len(names) > n else "") if names else "（无 / none）"


_CODE = re.compile(r"(?<!\d)(\d{3})(?!\d)")
_BRACKETS = re.compile(r"[()（）\[\]【】]")


def _candidates(value) -> list[str]:
    """Texts to look up for a coded value such as "211", "211 小学", "小学（211）", 211.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    out = []
    out.extend(_CODE.findall(text))
    name = norm(_CODE.sub("", _BRACKETS.sub(" ", text)))
    if name:
        out.append(name)
    whole = norm(text)
    if whole and whole not in out:
        out.append(whole)
    return out


def lookup_coded(value, table: dict[str, object]):
    """The entry of ``table`` (keys: codes or names, compared after :func:`norm`) for ``value``."""
    keyed = {norm(k): v for k, v in table.items()}
    for c in _candidates(value):
        if c in keyed:
            return keyed[c]
    return None


def school_type_of(value, mapping: Mapping) -> str | None:
    """The template's 学校类型 for a 办学类型 ``value`` (None when unknown).

    Raises
    ------
    Refused
        ``refused_type`` for a kindergarten, senior high or vocational school.
    """
    refused = lookup_coded(value, {k: v for k, v in mapping.refuse_types.items()})
    if refused is not None:
        what = {"kindergarten": ("幼儿园", "kindergarten"), "senior_high": ("高中", "senior high school")}.get(
            refused.kind, (refused.name, "school that is not a compulsory school"))
        raise Refused("refused_type", name=refused.name, name_en=what[1], value=str(value).strip(), what=what[0])
    return lookup_coded(value, mapping.school_types)
