"""The mapping of one form generation: which table, row and column carries each input (YAML, pydantic).

A mapping file (``balance/data/statsforms/<generation>.yaml``) says, for one generation of the school
forms of the national education statistics (教育事业统计基层报表), how a workbook of that generation is
recognised (the table-code prefix of its sheet names), which statistical years it covers, where the
school's identity is written (the cover sheet 封面 and the basic-information table), how the codes of
办学类型, 举办者 and 城乡分类 translate into the template's values, and, for every column of the school
table, the cells whose sum gives it: each cell named by (table code, row code or row label, column
number of the 甲/乙/1/2 row or column header), never by a cell address. A province or a new
statistical year is a new file with the same keys (see the README's section for statistics clerks).

Schema (all keys documented in the shipped files):

* ``generation``, ``title``, ``years: {first, last}``, ``detect: {sheet_prefixes: [...]}``;
* ``settings``: marks for "not applicable" (``*``), what a blank cell means, the labels of total
  columns, the units of money and their factors, the unit assumed when a form states none;
* ``identity``: sheets and labels of the identity fields (label cell → value in the next cell);
* ``school_types`` / ``refuse_types`` / ``ownership`` / ``urban_rural``: value tables;
* ``tables``: per table code its title, its row blocks (e.g. 小学 / 初中 / 高中) and an assumption
  note when the layout is uncertain;
* ``fields``: per canonical column of ``balance/data/columns.yaml`` the stage it belongs to and its
  ``terms`` (cells added, ``sign: -1`` to subtract) or ``alternatives`` (lists of terms, the first
  whose tables are all present is used), plus ``checks`` (e.g. 艺术 = 音乐 + 美术);
* ``assumptions``: sentences written into the 说明 sheet of every import.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "data" / "statsforms"
MESSAGES_FILE = MAPPINGS_DIR / "messages.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(v):
    if v is None:
        return []
    return [v] if isinstance(v, (str, int)) else list(v)


class RowRef(_Model):
    """A data row: by row code (乙 column) and/or label (甲 column), optionally inside a block."""

    code: str | None = None
    label: list[str] = Field(default_factory=list)
    block: str | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _labels(cls, v):
        return [str(x) for x in _as_list(v)]

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, v):
        return None if v is None else str(v)

    @model_validator(mode="after")
    def _one(self):
        if self.code is None and not self.label:
            raise ValueError("a row needs a code or a label")
        return self

    def describe(self) -> str:
        parts = []
        if self.block:
            parts.append(f"{self.block} / ")
        if self.label:
            parts.append(" | ".join(self.label))
        if self.code is not None:
            parts.append(f" [{self.code}]" if self.label else f"[{self.code}]")
        return "".join(parts)


class ColumnRef(_Model):
    """A data column: by its number in the 甲/乙/1/2 row and/or its header path (outer → inner)."""

    number: int | None = None
    header: list[str] = Field(default_factory=list)

    @field_validator("header", mode="before")
    @classmethod
    def _header(cls, v):
        return [str(x) for x in _as_list(v)]

    @model_validator(mode="after")
    def _one(self):
        if self.number is None and not self.header:
            raise ValueError("a column needs a number or a header")
        return self

    def describe(self) -> str:
        parts = []
        if self.header:
            parts.append(" / ".join(self.header))
        if self.number is not None:
            parts.append(f" (第{self.number}栏)" if self.header else f"第{self.number}栏")
        return "".join(parts)


class Term(_Model):
    """One cell of a sum: table code, row, column; ``sign`` −1 subtracts it."""

    table: str
    row: RowRef
    column: ColumnRef
    name: str | None = None
    sign: Literal[1, -1] = 1
    optional: bool = False  # a term whose row or column is absent is left out (noted), not "missing"

    @property
    def label(self) -> str:
        return self.name or f"{self.table} {self.row.describe()} × {self.column.describe()}"


class Check(_Model):
    """A consistency check between cells: ``total`` compared with the sum of the named ``parts``."""

    total: Term
    parts: list[str]
    relation: Literal["equal", "at_least"] = "equal"
    note: str = ""


class FieldSpec(_Model):
    """How one column of the school table is read."""

    stage: Literal["小学", "初中", "高中"] | None = None
    money: bool = False
    terms: list[Term] = Field(default_factory=list)
    alternatives: list[list[Term]] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _some(self):
        if bool(self.terms) == bool(self.alternatives):
            raise ValueError("a field needs either terms or alternatives")
        return self

    def options(self) -> list[list[Term]]:
        return [self.terms] if self.terms else self.alternatives


class TableSpec(_Model):
    title: str = ""
    blocks: list[str] = Field(default_factory=list)
    note: str = ""


class IdentityField(_Model):
    labels: list[str]
    digits: int | None = None  # keep the first N digits (county code from a 9/12-digit 行政区划代码)
    required: bool = True


IDENTITY_FIELDS = ("school_code", "school_name", "county_code", "county_name", "school_type", "ownership",
                   "urban_rural", "township", "year")


class Identity(_Model):
    sheets: list[str]
    fields: dict[str, IdentityField]
    year_pattern: str = r"((?:19|20)\d{2})\s*年"

    @field_validator("fields")
    @classmethod
    def _known(cls, v):
        unknown = sorted(set(v) - set(IDENTITY_FIELDS))
        if unknown:
            raise ValueError(f"unknown identity fields: {', '.join(unknown)} (known: {', '.join(IDENTITY_FIELDS)})")
        return v


class Settings(_Model):
    not_applicable: list[str] = Field(default_factory=lambda: ["*", "＊"])
    not_applicable_as: Literal["zero", "missing"] = "zero"
    blank_as: Literal["zero", "missing"] = "missing"
    total_labels: list[str] = Field(default_factory=lambda: ["合计", "计", "小计", "总计"])
    money_units: dict[str, float] = Field(default_factory=lambda: {"万元": 10000.0, "千元": 1000.0, "元": 1.0})
    default_money_unit: str = "万元"
    sheet_separators: list[str] = Field(default_factory=lambda: ["_", "-", " ", "(", "（"])

    @model_validator(mode="after")
    def _unit(self):
        if self.default_money_unit not in self.money_units:
            raise ValueError(f"default_money_unit {self.default_money_unit!r} is not one of money_units")
        return self


class Years(_Model):
    first: int
    last: int | None = None

    def covers(self, year: int) -> bool:
        return year >= self.first and (self.last is None or year <= self.last)

    def describe(self) -> str:
        return f"{self.first}–{self.last}" if self.last is not None else f"{self.first}–"


class Detect(_Model):
    sheet_prefixes: list[str]


class RefusedType(_Model):
    kind: Literal["kindergarten", "senior_high", "other"]
    name: str


class Mapping(_Model):
    """One form generation's mapping (see the module docstring)."""

    generation: str
    title: str
    years: Years
    detect: Detect
    settings: Settings = Settings()
    identity: Identity
    school_types: dict[str, str]
    refuse_types: dict[str, RefusedType] = Field(default_factory=dict)
    ownership: dict[str, str]
    urban_rural: dict[str, str]
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    fields: dict[str, FieldSpec]
    assumptions: list[str] = Field(default_factory=list)
    source: str = ""  # the file it was read from (set by load_mapping)

    @field_validator("school_types", "ownership", "urban_rural", "refuse_types", mode="before")
    @classmethod
    def _keys_text(cls, v):
        return {str(k): v2 for k, v2 in (v or {}).items()}

    @model_validator(mode="after")
    def _known(self):
        from balance.schema import COLUMNS

        names = {c["name"] for c in COLUMNS}
        unknown = sorted(set(self.fields) - names)
        if unknown:
            raise ValueError(f"fields not in columns.yaml: {', '.join(unknown)}")
        types = set(self._template_types())
        bad = sorted({v for v in self.school_types.values()} - types)
        if bad:
            raise ValueError(f"school_types values not in columns.yaml: {', '.join(bad)}")
        for name, f in self.fields.items():
            for opt in f.options():
                for t in opt:
                    if t.row.block and t.table in self.tables and t.row.block not in self.tables[t.table].blocks:
                        raise ValueError(f"{name}: block {t.row.block!r} is not a block of table {t.table}")
        return self

    @staticmethod
    def _template_types() -> list[str]:
        from balance.schema import COLUMNS

        return next(c["values"] for c in COLUMNS if c["name"] == "school_type")

    def table_codes(self) -> set[str]:
        out = set()
        for f in self.fields.values():
            for opt in f.options():
                out.update(t.table for t in opt)
                for c in f.checks:
                    out.add(c.total.table)
        return out


def mapping_files() -> dict[str, Path]:
    """Generation name → shipped mapping file (``balance/data/statsforms/*.yaml`` but messages)."""
    return {p.stem: p for p in sorted(MAPPINGS_DIR.glob("*.yaml")) if p.stem != "messages"}


@lru_cache(maxsize=16)
def _load(path: str) -> Mapping:
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    data = dict(data or {})
    data["source"] = Path(path).name
    return Mapping.model_validate(data)


def load_mapping(generation: str | Path) -> Mapping:
    """The :class:`Mapping` of a shipped generation (``"2018"``, ``"2021"``) or of a YAML file.

    Raises
    ------
    KeyError
        An unknown generation name.
    pydantic.ValidationError
        A mapping file that does not follow the schema.
    """
    files = mapping_files()
    if str(generation) in files:
        return _load(str(files[str(generation)]))
    p = Path(generation)
    if p.suffix.lower() in (".yaml", ".yml") and p.is_file():
        return _load(str(p.resolve()))
    raise KeyError(str(generation))


def all_mappings() -> list[Mapping]:
    """Every shipped mapping, oldest generation first."""
    return [load_mapping(g) for g in mapping_files()]


@lru_cache(maxsize=1)
def messages() -> dict:
    """The bilingual message templates of the importer (``messages.yaml`` beside the mappings)."""
    return yaml.load(MESSAGES_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def message(code: str, /, **kw) -> tuple[str, str]:
    """``(zh, en)`` of message ``code`` with its ``{placeholders}`` filled in."""
    m = messages()[code]
    return m["zh"].format(**kw), m["en"].format(**kw)
