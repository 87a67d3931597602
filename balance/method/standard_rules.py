"""The parts of an assessment standard: indicators, scope, school and county rules, settings, relaxations.

Each part is a strict pydantic model (unknown keys refused, numbers finite and never a bool or a
quoted string); a validator that finds several problems raises them together (``_rule_error``),
and :func:`balance.method.standards.load_standard` turns each into a
:class:`~balance.errors.Problem` naming the file, line and key path. The whole standard, which
checks the parts against each other, is :class:`balance.method.standards.Standard`. Moved out of
:mod:`balance.method.standards`, which re-exports every name.
"""
from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from balance.schema import SCHOOL_TYPE_STAGES, column_spec

__all__ = [
    "STAGES", "SECTION_FIELDS", "CV_LIMIT_MAX", "SCHOOL_TYPES", "CONDITION_VALUES", "Indicator", "ExcludeRule",
    "Scope", "SchoolRule", "CompositeCV", "CountyRule", "SHEET_SETTINGS", "EVALUATION_SETTINGS",
    "COUNTY_SETTINGS", "PERCENT_SETTINGS", "RelaxationWhen", "Relaxation",
]

STAGES = ("小学", "初中")

#: Section fields an indicator numerator may use (built in :mod:`balance.method.sections`).
SECTION_FIELDS = (
    "teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers",
    "teaching_area", "indoor_sports_area", "sports_ground_area", "equipment_value",
    "computers", "books", "multimedia_rooms",
)
#: A CV limit is a ratio (0.50), never a percentage; no standard allows a CV above 1.
CV_LIMIT_MAX = 1.0


def _category_values(name: str) -> tuple[str, ...]:
    return tuple(next(c for c in column_spec()["columns"] if c["name"] == name).get("values", ()))


SCHOOL_TYPES = tuple(SCHOOL_TYPE_STAGES)
#: Values a scope or relaxation condition may name (the categories of columns.yaml).
CONDITION_VALUES = {"school_type": SCHOOL_TYPES, "ownership": _category_values("ownership"),
                    "urban_rural": _category_values("urban_rural")}

# Numbers: finite (allow_inf_nan=False below), never a bool or a quoted string (Strict).
Number = Annotated[float, Strict()]
Positive = Annotated[float, Strict(), Field(gt=0)]
Count = Annotated[int, Strict(), Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]


def _rule_error(problems: list[tuple[tuple, str, str, Any]]) -> PydanticCustomError:
    """One pydantic error carrying several problems ``(relative key path, zh, en, value)``.

    :func:`load_standard` turns each into a :class:`Problem`; ``str()`` of the ValidationError
    lists the English texts for Python users.
    """
    en = "; ".join(f"{'.'.join(map(str, p[0])) or '(file)'}: {p[2]}" for p in problems)
    return PydanticCustomError("standard_rule", "{en}", {"en": en, "problems": problems})


def _check_stage_keys(v: dict, allowed=STAGES, what: str = "stage") -> dict:
    bad = [k for k in v if k not in allowed]
    if bad:
        raise _rule_error([((k,), f"未知的学段「{k}」；可用：{'、'.join(allowed)}",
                            f"unknown {what} {k!r}; allowed: {', '.join(allowed)}", k) for k in bad])
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Indicator(_Strict):
    """One indicator: ``value = Σ coef·field × per / students``."""

    name: Text
    short: Text
    numerator: dict[str, Number]
    per: Positive
    unit: str
    add_unit: str
    add_column: str | None = None
    whole_units: Annotated[bool, Strict()] = False
    standard: dict[str, Positive] | None = None

    @field_validator("numerator")
    @classmethod
    def _known_fields(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise _rule_error([((), "分子不能为空", "numerator is empty", None)])
        probs = [((k,), f"未知的字段「{k}」；可用：{', '.join(SECTION_FIELDS)}",
                  f"unknown section field {k!r}; known: {', '.join(SECTION_FIELDS)}", k) for k in v if k not in SECTION_FIELDS]
        probs += [((k,), "系数不能为 0", "coefficient must not be 0", c) for k, c in v.items() if c == 0]
        if not probs and not any(c > 0 for c in v.values()):
            probs.append(((), "至少要有一个正系数", "at least one coefficient must be positive", None))
        if probs:
            raise _rule_error(probs)
        return v

    @field_validator("standard")
    @classmethod
    def _standard_stages(cls, v):
        return v if v is None else _check_stage_keys(v)

    @model_validator(mode="after")
    def _add_column_in_numerator(self) -> "Indicator":
        if self.add_column is not None and self.numerator.get(self.add_column, 0) <= 0:
            raise _rule_error([(("add_column",), f"add_column「{self.add_column}」应为分子中系数为正的字段",
                                f"add_column {self.add_column!r} must be a field of the numerator with a positive "
                                "coefficient", self.add_column)])
        return self

    @property
    def main_field(self) -> str:
        """The field to which additions are made when the indicator falls short."""
        return self.add_column or next(k for k, c in self.numerator.items() if c > 0)


def _check_condition(key: str, cond: Any) -> list[tuple[tuple, str, str, Any]]:
    """Problems of one scope / relaxation condition ``key: cond`` (paths relative to ``key``)."""
    values = cond if isinstance(cond, list) else [cond]
    if key not in CONDITION_VALUES:
        return []
    if not values:
        return [((key,), "列表不能为空", "the list must not be empty", None)]
    allowed = CONDITION_VALUES[key]
    out = []
    for i, x in enumerate(values):
        rel = (key, i) if isinstance(cond, list) else (key,)
        if not isinstance(x, str):
            out.append((rel, "应为文字", "must be text", x))
        elif x not in allowed:
            out.append((rel, f"未知的取值「{x}」；可用：{'、'.join(allowed)}",
                        f"unknown value {x!r}; allowed: {', '.join(allowed)}", x))
    return out


class ExcludeRule(_Strict):
    when: dict[str, Any]
    reason: Text

    @field_validator("when")
    @classmethod
    def _known_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        allowed = {"school_type", "ownership", "urban_rural", "students_below"}
        probs = [((k,), f"未知的条件「{k}」；可用：{'、'.join(sorted(allowed))}",
                  f"unknown scope condition {k!r}; allowed: {', '.join(sorted(allowed))}", k) for k in v if k not in allowed]
        if not v:
            probs.append(((), "条件不能为空（空条件会排除所有学段单位）", "the condition is empty (it would exclude every section)", None))
        for k, cond in v.items():
            if k == "students_below":
                if isinstance(cond, bool) or not isinstance(cond, (int, float)) or not math.isfinite(cond) or cond <= 0:
                    probs.append(((k,), "应为正数（在校生人数）", "must be a positive number (pupils)", cond))
            else:
                probs += _check_condition(k, cond)
        if probs:
            raise _rule_error(probs)
        return v


class Scope(_Strict):
    exclude: list[ExcludeRule] = []


class SchoolRule(_Strict):
    min_met: Count
    floor_ratio: Annotated[float, Strict(), Field(gt=0, le=1)]


class CompositeCV(_Strict):
    name: Text = "综合差异系数"
    limit: dict[str, Annotated[float, Strict(), Field(gt=0, le=CV_LIMIT_MAX)]]

    @field_validator("limit")
    @classmethod
    def _limit_stages(cls, v):
        return _check_stage_keys(v)


class CountyRule(_Strict):
    all_sections_pass: Annotated[bool, Strict()] = False
    each_cv_within_limit: Annotated[bool, Strict()] = False
    composite_within_limit: Annotated[bool, Strict()] = False


#: Settings of the evaluation items computed from school data (method.md §§6–7); national values
#: in ``balance/data/evaluation_items.yaml`` (``computed_defaults``). A standard may change them
#: for every school (``evaluation_settings``) or for some schools only (``relaxations``).
#: The typed thresholds of the county sheet (``evaluation_items.yaml`` rules ``{setting: …}``).
SHEET_SETTINGS = (
    "special_school_funds_min", "training_rate_min", "rotation_rate_min", "rotation_backbone_share_min",
    "certificate_rate_min", "nearby_primary_min", "nearby_junior_min", "quota_share_min", "migrant_public_share_min",
    "retention_rate_min", "disabled_enrolment_min", "training_budget_share_min", "difference_rate_max",
)
EVALUATION_SETTINGS = (
    "classes_per_room", "music_room_min_area", "art_room_min_area", "school_size_cap",
    "school_size_cap_combined", "class_size_primary", "class_size_junior", "recognition_min", *SHEET_SETTINGS,
)
#: County-level settings that cannot depend on the school.
COUNTY_SETTINGS = ("recognition_min", *SHEET_SETTINGS)
#: Settings that are percentages (at most 100).
PERCENT_SETTINGS = ("recognition_min", *(k for k in SHEET_SETTINGS if k not in ("special_school_funds_min",
                                                                                "difference_rate_max")))


def _check_settings(v: dict[str, float], *, school_level: bool = False) -> dict[str, float]:
    allowed = [k for k in EVALUATION_SETTINGS if not (school_level and k in COUNTY_SETTINGS)]
    probs = [((k,), f"未知的设置「{k}」；可用：{', '.join(allowed)}", f"unknown setting {k!r}; allowed: {', '.join(allowed)}", k)
             for k in v if k not in allowed]
    probs += [((k,), "应为正数", "settings must be positive", x) for k, x in v.items() if k in allowed and not x > 0]
    probs += [((k,), "是百分数，应不大于 100", "is a percentage, at most 100", x) for k, x in v.items()
              if k in PERCENT_SETTINGS and x > 100]
    if probs:
        raise _rule_error(probs)
    return v


class RelaxationWhen(_Strict):
    """Which schools a relaxation applies to (all given conditions must hold).

    ``built_before``: the school's 建成年份 is known and earlier than this year (a school without
    a build year is never relaxed).
    """

    built_before: Annotated[int, Strict(), Field(ge=1800, le=2200)] | None = None
    school_type: list[str] | None = None
    urban_rural: list[str] | None = None

    @model_validator(mode="after")
    def _known_values(self) -> "RelaxationWhen":
        probs = []
        for key in ("school_type", "urban_rural"):
            if getattr(self, key) is not None:
                probs += _check_condition(key, getattr(self, key))
        if probs:
            raise _rule_error(probs)
        return self


class Relaxation(_Strict):
    """A provincial relaxation of evaluation items for some schools (method.md §7), opt-in."""

    name: Text
    enabled: Annotated[bool, Strict()] = True
    when: RelaxationWhen = RelaxationWhen()
    settings: dict[str, Positive]
    note: str = ""

    @field_validator("settings")
    @classmethod
    def _known_settings(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise _rule_error([((), "设置不能为空", "settings is empty", None)])
        return _check_settings(v, school_level=True)
