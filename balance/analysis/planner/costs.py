"""Unit prices of the planner (``balance/data/costs.yaml`` or a province file) and the shared field tables.

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
The default prices are illustrative; a province file overrides them key by key (:func:`load_costs`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from balance._resources import DATA_DIR  # noqa: E402
from balance.errors import InputError, Problem
from balance.schema import COLUMNS

COSTS_FILE = DATA_DIR / "costs.yaml"
#: Teacher fields (per stage, never split). Their costs are per teacher per year.
TEACHER_FIELDS = ("teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers")
#: Teacher types that may rotate between sections with ``transfers=True``.
TRANSFERABLE = ("qualified_teachers", "backbone_teachers", "pe_art_teachers")
#: The planner aims at ``limit − CV_MARGIN`` so that CSV round trips cannot tip a CV over.
CV_MARGIN = 1e-6
MAX_ROUNDS = 8
_KIND = {c["name"]: c["kind"] for c in COLUMNS}
KIND_ZH = {"add": "新增", "transfer_in": "调入（交流轮岗）", "transfer_out": "调出（交流轮岗）",
           "teacher_total": "专任教师合计随之变化"}

PLAN_COLUMNS = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "stage",
                "column", "field", "indicator", "kind", "kind_zh", "amount", "unit", "unit_cost", "cost",
                "counterpart"]


# ------------------------------------------------------------------------------------------ costs

@dataclass(frozen=True)
class Costs:
    """Unit costs (元) for the planner; see ``balance/data/costs.yaml`` for the meaning of each key."""

    items: dict
    teacher_years: float
    transfer_per_teacher: float
    resolution: dict
    source: str
    currency: str = "元"

    def unit_cost(self, field: str, stage: str) -> float:
        """元 per school-level unit of ``field`` (teachers: × ``teacher_years``)."""
        it = self.items.get(field)
        if it is None:
            raise InputError([Problem(file=self.source, column=f"items.{field}", code="cost_missing",
                                      problem_zh=f"单价文件缺少“{field}”的单价",
                                      problem_en=f"the costs file has no unit cost for '{field}'")],
                             "单价文件有误", "invalid costs file")
        c = float(it.get(stage, it["cost"]))
        return c * self.teacher_years if field in TEACHER_FIELDS else c

    def unit(self, field: str) -> str:
        return str(self.items.get(field, {}).get("unit", ""))

    @property
    def transfer_cost(self) -> float:
        return float(self.transfer_per_teacher) * self.teacher_years

    def step(self, field: str) -> float:
        return float(self.resolution.get(field, 0) or 0)

    def to_dict(self) -> dict:
        return {"source": self.source, "currency": self.currency, "teacher_years": self.teacher_years,
                "transfer_per_teacher": self.transfer_per_teacher, "resolution": dict(self.resolution),
                "items": {k: dict(v) for k, v in self.items.items()}}


def load_costs(spec: "str | Path | dict | Costs | None" = None) -> Costs:
    """The default unit costs, overridden key by key by ``spec`` (a YAML file or a dict).

    Raises
    ------
    InputError
        The file is missing or not YAML, or a cost is not a number ≥ 0 (file and key named).
    """
    if isinstance(spec, Costs):
        return spec
    base = yaml.safe_load(COSTS_FILE.read_text(encoding="utf-8"))
    source = str(COSTS_FILE)
    user: dict = {}
    if spec is not None:
        if isinstance(spec, dict):
            user, source = spec, "<dict>"
        else:
            user, source = _read_costs_file(Path(spec), str(spec))
    problems: list[Problem] = []
    known_top = {"currency", "teacher_years", "items", "transfer_per_teacher", "resolution"}
    for k in user:
        if k not in known_top:
            problems.append(Problem(file=source, column=str(k), code="cost_unknown_key",
                                    problem_zh=f"未知的键“{k}”（可用：{', '.join(sorted(known_top))}）",
                                    problem_en=f"unknown key '{k}' (known: {', '.join(sorted(known_top))})"))
    items = {k: dict(v) for k, v in base["items"].items()}
    for k, v in (user.get("items") or {}).items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = {"cost": v}
        if not isinstance(v, dict):
            problems.append(Problem(file=source, column=f"items.{k}", value=str(v), code="cost_invalid",
                                    problem_zh="单价应为数字或 {cost: 数字}", problem_en="a cost must be a number or {cost: number}"))
            continue
        items.setdefault(k, {"cost": v.get("cost", 0)}).update(v)
    for k, v in items.items():
        for key, val in v.items():
            if key == "unit":
                continue
            if not _nonneg_number(val):
                problems.append(Problem(file=source, column=f"items.{k}.{key}", value=str(val), code="cost_invalid",
                                        problem_zh=f"单价必须是 0 到 {MAX_COST:.0e} 元之间的数字",
                                        problem_en=f"a unit cost must be a number from 0 to {MAX_COST:.0e} 元"))
    scalars = {}
    for key in ("teacher_years", "transfer_per_teacher"):
        val = user.get(key, base[key])
        if key == "teacher_years" and not (_nonneg_number(val, MAX_TEACHER_YEARS) and val > 0):
            problems.append(Problem(file=source, column=key, value=str(val), code="cost_invalid",
                                    problem_zh=f"教师经费年数必须是大于 0、不超过 {MAX_TEACHER_YEARS} 的数字",
                                    problem_en=f"teacher_years must be a number > 0 and ≤ {MAX_TEACHER_YEARS}"))
            val = 0
        elif not _nonneg_number(val):
            problems.append(Problem(file=source, column=key, value=str(val), code="cost_invalid",
                                    problem_zh=f"必须是 0 到 {MAX_COST:.0e} 之间的数字",
                                    problem_en=f"must be a number from 0 to {MAX_COST:.0e}"))
            val = 0
        scalars[key] = float(val)
    resolution = dict(base.get("resolution") or {})
    resolution.update(user.get("resolution") or {})
    for k, val in resolution.items():
        if not _nonneg_number(val):
            problems.append(Problem(file=source, column=f"resolution.{k}", value=str(val), code="cost_invalid",
                                    problem_zh=f"取整单位必须是 0 到 {MAX_COST:.0e} 之间的数字",
                                    problem_en=f"a resolution must be a number from 0 to {MAX_COST:.0e}"))
    if problems:
        raise InputError(problems, "单价文件有误", "invalid costs file")
    return Costs(items=items, teacher_years=scalars["teacher_years"],
                 transfer_per_teacher=scalars["transfer_per_teacher"],
                 resolution={k: float(v) for k, v in resolution.items()}, source=source,
                 currency=str(user.get("currency", base.get("currency", "元"))))


#: The largest unit cost, teacher-year horizon and resolution accepted (a typing or unit mistake
#: above: 1e12 元 = 1 万亿元 for one unit; 100 years of teacher pay).
MAX_COST = 1e12
MAX_TEACHER_YEARS = 100


def _nonneg_number(v, top: float = MAX_COST) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v <= top


def _read_costs_file(path: Path, source: str) -> tuple[dict, str]:
    """A costs YAML file read through the same guards as every other input: a folder, device or
    FIFO, a file above ``max_yaml_mb``, binary data and an unknown encoding (UTF-8 / GB18030) are
    refused; YAML through the standards' parser (the problem line, repeated keys, alias bombs and
    absurd nesting refused)."""
    import dataclasses

    from balance.io.reading import decode_text
    from balance.io.workbook import read_file_bytes, read_limits
    from balance.method.standards import _parse

    summary = ("单价文件有误", "invalid costs file")
    lim = read_limits()
    lim = dataclasses.replace(lim, max_file_mb=min(lim.max_file_mb, lim.max_yaml_mb))
    text = decode_text(read_file_bytes(path, source, lim, summary), source, summary)
    try:
        user, _ = _parse(source, text)
    except InputError as exc:
        raise InputError(exc.problems, *summary) from None
    if user is None:
        user = {}
    if not isinstance(user, dict):
        raise InputError([Problem(file=source, code="yaml_not_mapping", problem_zh="单价文件应为键值映射",
                                  problem_en="a costs file must be a mapping")], *summary)
    return user, source
