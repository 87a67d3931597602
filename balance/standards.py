"""Assessment standards as data: thresholds, split weights, scope rules, school and county rules.

A standard is a YAML file. Two national ones ship with the package (``quality-2017``,
``basic-2012`` in ``balance/data/standards/``); a province passes its own file with different
thresholds, split weights or scope (method.md §7). This module only loads and checks the file;
the rules are applied in :mod:`balance.sections`, :mod:`balance.scope`,
:mod:`balance.indicators` and :mod:`balance.official`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from balance.errors import InputError, Problem

STANDARDS_DIR = Path(__file__).parent / "data" / "standards"
STAGES = ("小学", "初中")

#: Section fields an indicator numerator may use (built in :mod:`balance.sections`).
SECTION_FIELDS = (
    "teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers",
    "teaching_area", "indoor_sports_area", "sports_ground_area", "equipment_value",
    "computers", "books", "multimedia_rooms",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Indicator(_Strict):
    """One indicator: ``value = Σ coef·field × per / students``."""

    name: str
    short: str
    numerator: dict[str, float]
    per: float = Field(gt=0)
    unit: str
    add_unit: str
    add_column: str | None = None
    whole_units: bool = False
    standard: dict[str, float] | None = None

    @field_validator("numerator")
    @classmethod
    def _known_fields(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in v if k not in SECTION_FIELDS]
        if unknown:
            raise ValueError(f"unknown section field(s) {unknown}; known: {list(SECTION_FIELDS)}")
        if not v:
            raise ValueError("numerator is empty")
        return v

    @property
    def main_field(self) -> str:
        """The field to which additions are made when the indicator falls short."""
        return self.add_column or next(k for k, c in self.numerator.items() if c > 0)


class ExcludeRule(_Strict):
    when: dict[str, Any]
    reason: str

    @field_validator("when")
    @classmethod
    def _known_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        allowed = {"school_type", "ownership", "urban_rural", "students_below"}
        bad = set(v) - allowed
        if bad:
            raise ValueError(f"unknown scope condition(s) {sorted(bad)}; allowed: {sorted(allowed)}")
        return v


class Scope(_Strict):
    exclude: list[ExcludeRule] = []


class SchoolRule(_Strict):
    min_met: int = Field(ge=0)
    floor_ratio: float = Field(ge=0, le=1)


class CompositeCV(_Strict):
    name: str = "综合差异系数"
    limit: dict[str, float]


class CountyRule(_Strict):
    all_sections_pass: bool = False
    each_cv_within_limit: bool = False
    composite_within_limit: bool = False


#: Settings of the evaluation items computed from school data (method.md §§6–7); national values
#: in ``balance/data/evaluation_items.yaml`` (``computed_defaults``). A standard may change them
#: for every school (``evaluation_settings``) or for some schools only (``relaxations``).
EVALUATION_SETTINGS = (
    "classes_per_room", "music_room_min_area", "art_room_min_area", "school_size_cap",
    "school_size_cap_combined", "class_size_primary", "class_size_junior", "recognition_min",
)
#: County-level settings that cannot depend on the school.
COUNTY_SETTINGS = ("recognition_min",)


def _check_settings(v: dict[str, float], *, school_level: bool = False) -> dict[str, float]:
    allowed = [k for k in EVALUATION_SETTINGS if not (school_level and k in COUNTY_SETTINGS)]
    unknown = [k for k in v if k not in allowed]
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; allowed: {allowed}")
    bad = [k for k, x in v.items() if not x > 0]
    if bad:
        raise ValueError(f"settings must be positive: {bad}")
    return v


class RelaxationWhen(_Strict):
    """Which schools a relaxation applies to (all given conditions must hold).

    ``built_before``: the school's 建成年份 is known and earlier than this year (a school without
    a build year is never relaxed).
    """

    built_before: int | None = None
    school_type: list[str] | None = None
    urban_rural: list[str] | None = None


class Relaxation(_Strict):
    """A provincial relaxation of evaluation items for some schools (method.md §7), opt-in."""

    name: str
    enabled: bool = True
    when: RelaxationWhen = RelaxationWhen()
    settings: dict[str, float]
    note: str = ""

    @field_validator("settings")
    @classmethod
    def _known_settings(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("settings is empty")
        return _check_settings(v, school_level=True)


class Standard(_Strict):
    """A loaded assessment standard (see ``balance/data/standards/quality-2017.yaml``)."""

    id: str
    title: str
    short_title: str
    stages: list[str] = list(STAGES)
    split_weights: dict[str, dict[str, float]]
    scope: Scope
    indicators: list[Indicator]
    cv_limit: dict[str, float] | None = None
    composite_cv: CompositeCV | None = None
    school_rule: SchoolRule | None = None
    county_rule: CountyRule
    evaluation_settings: dict[str, float] = {}
    relaxations: list[Relaxation] = []
    source: str = ""

    @field_validator("evaluation_settings")
    @classmethod
    def _known_evaluation_settings(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_settings(v)

    @model_validator(mode="after")
    def _consistent(self) -> "Standard":
        names = [i.name for i in self.indicators]
        if len(set(names)) != len(names):
            raise ValueError("indicator names must be unique")
        bad_stages = [s for s in self.stages if s not in STAGES]
        if bad_stages:
            raise ValueError(f"unknown stage(s) {bad_stages}; allowed {list(STAGES)}")
        if self.school_rule is not None:
            missing = [i.name for i in self.indicators if not i.standard or any(s not in i.standard for s in self.stages)]
            if missing:
                raise ValueError(f"school_rule needs a standard value for every stage; missing for {missing}")
            if self.school_rule.min_met > len(self.indicators):
                raise ValueError("school_rule.min_met is larger than the number of indicators")
        if self.county_rule.each_cv_within_limit and not self.cv_limit:
            raise ValueError("county_rule.each_cv_within_limit needs cv_limit")
        if self.county_rule.composite_within_limit and not self.composite_cv:
            raise ValueError("county_rule.composite_within_limit needs composite_cv")
        for st, w in self.split_weights.items():
            if any(x <= 0 for x in w.values()):
                raise ValueError(f"split weights must be positive ({st})")
        return self

    def indicator(self, name: str) -> Indicator:
        for i in self.indicators:
            if i.name == name:
                return i
        raise KeyError(name)

    @property
    def indicator_names(self) -> list[str]:
        return [i.name for i in self.indicators]


def builtin_standards() -> list[str]:
    """Names of the standards shipped with the package."""
    return sorted(p.stem for p in STANDARDS_DIR.glob("*.yaml"))


def load_standard(spec: str | Path | Standard = "quality-2017") -> Standard:
    """Load a standard by built-in name (``quality-2017``, ``basic-2012``) or from a YAML file.

    Raises
    ------
    InputError
        The file is missing, is not valid YAML, or does not describe a valid standard; the
        message names the file and the offending key in Chinese and English.
    """
    if isinstance(spec, Standard):
        return spec
    return _load_cached(str(spec))


@lru_cache(maxsize=32)
def _load_cached(spec: str) -> Standard:
    path = Path(spec)
    if spec in builtin_standards():
        path = STANDARDS_DIR / f"{spec}.yaml"
    if not path.is_file():
        raise InputError([Problem(
            file=spec, code="standard_not_found",
            problem_zh=f"找不到评估标准：既不是内置标准（{', '.join(builtin_standards())}），也不是存在的 YAML 文件",
            problem_en=f"standard not found: not a built-in one ({', '.join(builtin_standards())}) and no such YAML file",
        )], "评估标准有误", "invalid standard")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError([Problem(
            file=str(path), row=(mark.line + 1) if mark else None, code="yaml_syntax",
            problem_zh=f"YAML 格式错误：{exc}", problem_en=f"YAML syntax error: {exc}",
        )], "评估标准有误", "invalid standard") from None
    if not isinstance(raw, dict):
        raise InputError([Problem(file=str(path), code="yaml_not_mapping",
                                  problem_zh="标准文件应为键值映射", problem_en="a standard file must be a mapping")],
                         "评估标准有误", "invalid standard")
    raw.setdefault("source", str(path))
    try:
        return Standard.model_validate(raw)
    except ValidationError as exc:
        problems = [Problem(
            file=str(path), column=".".join(str(x) for x in err["loc"]), code="standard_invalid",
            value=None if isinstance(err.get("input"), (dict, list)) else str(err.get("input")),
            problem_zh=f"标准文件内容无效：{err['msg']}", problem_en=f"invalid standard: {err['msg']}",
        ) for err in exc.errors()]
        raise InputError(problems, "评估标准有误", "invalid standard") from None
