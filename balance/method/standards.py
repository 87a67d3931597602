"""Assessment standards as data: thresholds, split weights, scope rules, school and county rules.

A standard is a YAML file. Two national ones ship with the package (``quality-2017``,
``basic-2012`` in ``balance/data/standards/``); a province passes its own file with different
thresholds, split weights or scope (method.md §7). This module only loads and checks the file;
the rules are applied in :mod:`balance.method.sections`, :mod:`balance.method.scope`,
:mod:`balance.method.indicators` and :mod:`balance.method.official`.

Validation is complete, because a wrong number in a standard changes verdicts silently: every
number must be finite (``.nan`` / ``.inf`` are refused) and of the right type (``yes`` is not a
number), thresholds, weights, CV limits and settings positive, CV limits and the school rule's
``floor_ratio`` in (0, 1] (a percentage such as ``50`` or ``85`` is refused), lists non-empty,
names unique, stages, school types and section fields known, and unknown keys (typos) are
refused. The file must be a UTF-8 (or GB18030) text file holding one YAML mapping without
duplicate keys. Every problem is reported as a :class:`~balance.errors.Problem` naming the file,
the line and the key path (``column``, e.g. ``cv_limit.小学``), in Chinese and English.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, Strict, ValidationError, field_validator, model_validator

from balance._resources import STANDARDS_DIR  # noqa: E402
from balance.errors import InputError, Problem

# the parts of a standard live in standard_rules; every old name stays importable here
from balance.method.standard_rules import (  # noqa: F401
    CONDITION_VALUES,
    COUNTY_SETTINGS,
    CV_LIMIT_MAX,
    EVALUATION_SETTINGS,
    PERCENT_SETTINGS,
    SCHOOL_TYPES,
    SECTION_FIELDS,
    SHEET_SETTINGS,
    STAGES,
    CompositeCV,
    Count,
    CountyRule,
    ExcludeRule,
    Indicator,
    Number,
    Positive,
    Relaxation,
    RelaxationWhen,
    SchoolRule,
    Scope,
    Text,
    _category_values,
    _check_condition,
    _check_settings,
    _check_stage_keys,
    _rule_error,
    _Strict,
)
from balance.method.standards_file import (  # noqa: F401
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    MESSAGES_FILE,
    SUMMARY,
    _parse,
    _problems,
    _read_text,
    _refuse,
)
from balance.schema import ALL_STAGES

__all__ = [
    "MESSAGES_FILE", "STAGES", "SECTION_FIELDS", "CV_LIMIT_MAX", "MAX_FILE_BYTES", "MAX_NODES",
    "MAX_DEPTH", "SUMMARY", "SCHOOL_TYPES", "CONDITION_VALUES", "Indicator", "ExcludeRule", "Scope",
    "SchoolRule", "CompositeCV", "CountyRule", "SHEET_SETTINGS", "EVALUATION_SETTINGS", "COUNTY_SETTINGS",
    "PERCENT_SETTINGS", "RelaxationWhen", "Relaxation", "Standard", "builtin_standards", "load_standard",
]


class Standard(_Strict):
    """A loaded assessment standard (see ``balance/data/standards/quality-2017.yaml``)."""

    id: Text
    title: Text
    short_title: Text
    stages: Annotated[list[str], Field(min_length=1)] = list(STAGES)
    split_weights: dict[str, dict[str, Positive]]
    scope: Scope
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    cv_limit: dict[str, Annotated[float, Strict(), Field(gt=0, le=CV_LIMIT_MAX)]] | None = None
    composite_cv: CompositeCV | None = None
    school_rule: SchoolRule | None = None
    county_rule: CountyRule
    evaluation_settings: dict[str, Positive] = {}
    relaxations: list[Relaxation] = []
    source: str = ""

    @field_validator("evaluation_settings")
    @classmethod
    def _known_evaluation_settings(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_settings(v)

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, v: list[str]) -> list[str]:
        probs = [((i,), f"未知的学段「{s}」；可用：{'、'.join(STAGES)}", f"unknown stage {s!r}; allowed: {', '.join(STAGES)}", s)
                 for i, s in enumerate(v) if s not in STAGES]
        probs += [((i,), f"学段「{s}」重复", f"stage {s!r} is listed twice", s) for i, s in enumerate(v) if s in v[:i]]
        if probs:
            raise _rule_error(probs)
        return v

    @field_validator("split_weights")
    @classmethod
    def _known_weights(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        probs = []
        for school_type, w in v.items():
            if school_type != "default" and school_type not in SCHOOL_TYPES:
                probs.append(((school_type,), f"未知的学校类型「{school_type}」；可用：default、{'、'.join(SCHOOL_TYPES)}",
                              f"unknown school type {school_type!r}; allowed: default, {', '.join(SCHOOL_TYPES)}",
                              school_type))
            probs += [((school_type, k), f"未知的学段「{k}」；可用：{'、'.join(ALL_STAGES)}",
                       f"unknown stage {k!r}; allowed: {', '.join(ALL_STAGES)}", k) for k in w if k not in ALL_STAGES]
        if probs:
            raise _rule_error(probs)
        return v

    @field_validator("cv_limit")
    @classmethod
    def _cv_stages(cls, v):
        return v if v is None else _check_stage_keys(v)

    @model_validator(mode="after")
    def _consistent(self) -> "Standard":
        probs: list[tuple[tuple, str, str, Any]] = []
        names = [i.name for i in self.indicators]
        shorts = [i.short for i in self.indicators]
        probs += [(("indicators", k, "name"), f"指标名称「{n}」重复", f"indicator name {n!r} is used twice", n)
                  for k, n in enumerate(names) if n in names[:k]]
        probs += [(("indicators", k, "short"), f"指标简称「{n}」重复", f"indicator short name {n!r} is used twice", n)
                  for k, n in enumerate(shorts) if n in shorts[:k]]
        if self.school_rule is not None:
            for k, i in enumerate(self.indicators):
                missing = [s for s in self.stages if not i.standard or s not in i.standard]
                if missing:
                    probs.append((("indicators", k, "standard"),
                                  f"有 school_rule 时每个学段都要有办学标准值；缺少：{'、'.join(missing)}",
                                  f"school_rule needs a standard value for every stage; missing: {', '.join(missing)}",
                                  None))
            if self.school_rule.min_met > len(self.indicators):
                probs.append((("school_rule", "min_met"),
                              f"min_met（{self.school_rule.min_met}）大于指标数（{len(self.indicators)}）",
                              f"min_met ({self.school_rule.min_met}) is larger than the number of indicators "
                              f"({len(self.indicators)})", self.school_rule.min_met))
        rule = self.county_rule
        if not (rule.all_sections_pass or rule.each_cv_within_limit or rule.composite_within_limit):
            probs.append((("county_rule",), "county_rule 至少要有一项为 true，否则每个县都会“达标”",
                          "county_rule needs at least one rule set to true (otherwise every county would pass)", None))
        if rule.all_sections_pass and self.school_rule is None:
            probs.append((("county_rule", "all_sections_pass"), "all_sections_pass 需要 school_rule",
                          "county_rule.all_sections_pass needs school_rule", None))
        if rule.each_cv_within_limit and not self.cv_limit:
            probs.append((("county_rule", "each_cv_within_limit"), "each_cv_within_limit 需要 cv_limit",
                          "county_rule.each_cv_within_limit needs cv_limit", None))
        if rule.composite_within_limit and not self.composite_cv:
            probs.append((("county_rule", "composite_within_limit"), "composite_within_limit 需要 composite_cv",
                          "county_rule.composite_within_limit needs composite_cv", None))
        for key, limits in (("cv_limit", self.cv_limit), ("composite_cv", self.composite_cv and self.composite_cv.limit)):
            if limits:
                missing = [s for s in self.stages if s not in limits]
                if missing:
                    path = (key,) if key == "cv_limit" else (key, "limit")
                    probs.append((path, f"缺少学段的上限：{'、'.join(missing)}",
                                  f"no limit for stage(s): {', '.join(missing)}", None))
        if probs:
            raise _rule_error(probs)
        return self

    def indicator(self, name: str) -> Indicator:
        for i in self.indicators:
            if i.name == name:
                return i
        raise KeyError(name)

    @property
    def indicator_names(self) -> list[str]:
        return [i.name for i in self.indicators]

    @property
    def programme(self) -> str:
        """What this standard certifies: 优质均衡发展 (a CV limit per indicator, each within it: quality-2017
        and provinces' quality standards) or 均衡发展 (basic-2012 and other basic standards)."""
        return "优质均衡发展" if self.cv_limit and self.county_rule.each_cv_within_limit else "均衡发展"

    @property
    def goal(self) -> str:
        """The recognition a county earns under this standard, as a verdict sentence names it:
        优质均衡 or 基本均衡 (never 优质均衡 under basic-2012)."""
        return "优质均衡" if self.programme == "优质均衡发展" else "基本均衡"


def builtin_standards() -> list[str]:
    """Names of the standards shipped with the package."""
    return sorted(p.stem for p in STANDARDS_DIR.glob("*.yaml"))


def load_standard(spec: str | Path | Standard = "quality-2017") -> Standard:
    """Load a standard by built-in name (``quality-2017``, ``basic-2012``) or from a YAML file.

    A file is read again when it changes (the cache key includes its size and modification time).

    Raises
    ------
    InputError
        The file is missing, is not a UTF-8/GB18030 text file, is not valid YAML (the line is
        given), or does not describe a valid standard; each problem names the file, the line and
        the key path (``column``) in Chinese and English.
    """
    if isinstance(spec, Standard):
        return spec
    spec = str(spec)
    if not spec.strip():
        raise InputError([Problem(file=spec, column="--standard", code="standard_not_found",
                                  problem_zh="评估标准不能为空", problem_en="the standard must not be empty")], *SUMMARY)
    path = STANDARDS_DIR / f"{spec}.yaml" if spec in builtin_standards() else Path(spec)
    try:
        st = path.stat()
    except (OSError, ValueError):  # missing, a bad path, or a name with NUL
        st = None
    if st is None or not path.is_file():
        what_zh, what_en = ("是文件夹，不是 YAML 文件", "is a folder, not a YAML file") if st is not None else \
            ("既不是内置标准（{b}），也不是存在的 YAML 文件", "not a built-in one ({b}) and no such YAML file")
        b = ", ".join(builtin_standards())
        raise InputError([Problem(
            file=spec, code="standard_not_found",
            problem_zh="找不到评估标准：" + what_zh.format(b=b), problem_en="standard not found: " + what_en.format(b=b),
        )], *SUMMARY)
    return _load_cached(str(path), os.path.abspath(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=32)
def _load_cached(path_text: str, absolute: str = "", mtime_ns: int = 0, size: int = 0) -> Standard:
    """The standard in file ``path_text``; cached by its absolute path, modification time and size."""
    path = Path(path_text)
    text = _read_text(path)
    raw, lines = _parse(str(path), text)
    if not isinstance(raw, dict):
        got = "空文件" if raw is None else type(raw).__name__
        _refuse(str(path), "yaml_not_mapping", f"标准文件应为键值映射（id: …、title: … 等各行），实际是 {got}",
                f"a standard file must be a mapping (lines like id: …, title: …), got {'an empty file' if raw is None else type(raw).__name__}")
    raw.setdefault("source", str(path))
    try:
        return Standard.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_problems(str(path), exc, lines), *SUMMARY) from None
