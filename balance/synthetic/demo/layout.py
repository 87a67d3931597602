"""The layout of a fictional county: its schools, their names, types, starting enrolment and drift.

Part of :mod:`balance.synthetic.demo` (the data are synthetic: 模拟数据，非真实学校).
"""
from __future__ import annotations

import math

import numpy as np

from balance.synthetic import DEFAULT_YEARS
from balance.synthetic.demo.plan import (
    _PLACE_SUFFIX,
    _SURNAMES,
    CN_NUM,
    FACILITY_KEYS,
    SPREAD,
    TEACHER_KEYS,
    CountyPlan,
    _School,
)


def _villages(rng: np.random.Generator, n: int) -> list[str]:
    names = [s + suf for s in _SURNAMES for suf in _PLACE_SUFFIX]
    idx = rng.permutation(len(names))[:n]
    return [names[i] for i in idx]


def _layout(plan: CountyPlan, rng: np.random.Generator) -> list[tuple[str, str, str, str, str]]:
    """The schools of a county: (type, ownership, 城乡类型, 乡镇, name)."""
    c = plan.name
    seat = plan.urban_seat
    towns = plan.towns
    all_towns = towns + plan.xiang
    out: list[tuple[str, str, str, str, str]] = []
    district = plan.kind == "district"
    urban_towns = [seat] + ([t for t in towns if t.endswith("街道")] if district else [])

    def urban_town(i: int) -> str:
        return urban_towns[i % len(urban_towns)]

    # county-town (urban) public schools
    out.append(("特殊教育学校", "公办", "城区", seat, f"{c}特殊教育学校"))
    out.append(("完全中学", "公办", "城区", seat, f"{c}第一中学"))
    out.append(("小学", "公办", "城区", seat, f"{c}实验小学"))
    for i in range(plan.urban_primary - 1):
        label = f"{c}第{_cn(i + 1)}小学" if district else f"{c}城关第{_cn(i + 1)}小学"
        out.append(("小学", "公办", "城区", urban_town(i), label))
    out.append(("初级中学", "公办", "城区", seat, f"{c}实验中学"))
    for i in range(plan.urban_junior - 1):
        out.append(("初级中学", "公办", "城区", urban_town(i), f"{c}第{_cn(i + 2)}初级中学"))
    # private schools
    private_names = [("小学", f"{c}启明小学"), ("九年一贯制学校", f"{c}博雅学校"), ("初级中学", f"{c}明德初级中学"),
                     ("小学", f"{c}博文小学"), ("小学", f"{c}育英小学"), ("九年一贯制学校", f"{c}外国语学校"),
                     ("初级中学", f"{c}培元初级中学"), ("小学", f"{c}新华小学")]
    for t, name in private_names[:plan.private]:
        out.append((t, "民办", "城区", seat, name))
    if plan.twelve_year:
        out.append(("十二年一贯制学校", "民办", "城区", seat, f"{c}育才实验学校"))
    # town seats: a central primary and a junior school (or a nine-year 中心学校)
    town_seats = [t for t in all_towns if not (district and t in urban_towns)]
    for k, t in enumerate(town_seats):
        if t.endswith("镇"):
            out.append(("小学", "公办", "镇区", t, f"{c}{t}中心小学"))
            out.append(("初级中学", "公办", "镇区", t, f"{c}{t}初级中学"))
        else:  # 乡: one nine-year 中心学校 at the township seat
            out.append(("九年一贯制学校", "公办", "乡村", t, f"{c}{t}中心学校"))
    # villages: primary schools, some nine-year schools and teaching points
    rest = plan.n_schools - len(out)
    if rest < 0:
        raise ValueError(f"{c}: n_schools too small for the fixed schools")
    n_points = int(round(rest * plan.teaching_point_share))
    n_nine = max(1, rest // 14)
    n_primary = rest - n_points - n_nine
    villages = _villages(rng, rest)
    rural_towns = [t for t in all_towns if not (district and t in urban_towns)]
    vi = iter(villages)
    for i in range(n_nine):
        t = rural_towns[(i * 2 + 1) % len(rural_towns)]
        out.append(("九年一贯制学校", "公办", "乡村", t, f"{c}{t}{next(vi)}九年一贯制学校"))
    for i in range(n_primary):
        t = rural_towns[i % len(rural_towns)]
        out.append(("小学", "公办", "乡村", t, f"{c}{t}{next(vi)}小学"))
    for i in range(n_points):
        t = rural_towns[(i * 3 + 2) % len(rural_towns)]
        out.append(("教学点", "公办", "乡村", t, f"{c}{t}{next(vi)}教学点"))
    return out


def _cn(i: int) -> str:
    if i <= 10:
        return CN_NUM[i - 1]
    if i < 20:
        return "十" + CN_NUM[i - 11]
    tens, ones = divmod(i, 10)
    return CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


def _initial_pupils(t: str, ur: str, own: str, rng: np.random.Generator) -> dict[str, float]:
    u = rng.uniform
    if t == "小学":
        p = {"城区": u(1300, 2300), "镇区": u(600, 1300), "乡村": u(90, 520)}[ur]
        if own == "民办":
            p = u(500, 1200)
        return {"小学": p}
    if t == "教学点":
        return {"小学": u(14, 110)}
    if t == "初级中学":
        p = {"城区": u(1100, 2000), "镇区": u(500, 1300), "乡村": u(200, 500)}[ur]
        if own == "民办":
            p = u(400, 900)
        return {"初中": p}
    if t == "九年一贯制学校":
        if own == "民办":
            return {"小学": u(600, 1100), "初中": u(400, 800)}
        if ur == "城区":
            return {"小学": u(800, 1400), "初中": u(500, 900)}
        return {"小学": u(150, 450), "初中": u(120, 380)}
    if t == "十二年一贯制学校":
        return {"小学": u(500, 900), "初中": u(400, 700), "高中": u(400, 800)}
    if t == "完全中学":
        return {"初中": u(700, 1300), "高中": u(1200, 2200)}
    if t == "特殊教育学校":
        return {"小学": u(60, 130), "初中": u(25, 60)}
    raise ValueError(t)


def _drift(t: str, ur: str, stage: str, rng: np.random.Generator) -> float:
    base = {("城区", "小学"): 1.015, ("镇区", "小学"): 0.99, ("乡村", "小学"): 0.955,
            ("城区", "初中"): 1.035, ("镇区", "初中"): 1.015, ("乡村", "初中"): 0.985,
            ("城区", "高中"): 1.01, ("镇区", "高中"): 1.0, ("乡村", "高中"): 1.0}[(ur, stage)]
    if t == "教学点":
        base = 0.93
    if t == "特殊教育学校":
        base = 1.02
    return base * math.exp(rng.normal(0, 0.015))


def _plan_schools(plan: CountyPlan, rng: np.random.Generator) -> list[_School]:
    layout = _layout(plan, rng)
    schools = []
    for i, (t, own, ur, town, name) in enumerate(layout):
        code = f"{plan.code}{i + 1:04d}"
        eff = {k: float(rng.normal(0, SPREAD.get(k, 0.2))) for k in (*FACILITY_KEYS, *TEACHER_KEYS, "qual")}
        has_hall = t in ("初级中学", "完全中学", "九年一贯制学校", "十二年一贯制学校") or (ur == "城区" and t == "小学")
        has_hall = has_hall and rng.uniform() < (0.75 if ur == "城区" else 0.4)
        indoor = float(round(rng.uniform(400, 1400), 1)) if has_hall else 0.0
        indoor_year = int(rng.choice([0, 0, 0, DEFAULT_YEARS[2], DEFAULT_YEARS[3]])) if has_hall else 0
        pupils0 = _initial_pupils(t, ur, own, rng)
        drift = {s: _drift(t, ur, s, rng) for s in pupils0}
        schools.append(_School(code, name, t, own, ur, town, pupils0, drift, eff, indoor, indoor_year))
    # closures: the smallest rural teaching points are merged into their central schools
    points = sorted((s for s in schools if s.type == "教学点"), key=lambda s: s.pupils0["小学"])
    for k, s in enumerate(points[:plan.closures]):
        s.close_year = DEFAULT_YEARS[3] + (k % 2)
    # openings: new urban primary schools (relieve the crowded central schools)
    n = len(schools)
    for k in range(plan.openings):
        code = f"{plan.code}{n + k + 1:04d}"
        name = f"{plan.name}第{_cn(plan.urban_primary + k)}小学" if plan.kind == "district" \
            else f"{plan.name}城关第{_cn(plan.urban_primary + k)}小学"
        eff = {key: abs(float(rng.normal(0, 0.1))) for key in (*FACILITY_KEYS, *TEACHER_KEYS, "qual")}
        s = _School(code, name, "小学", "公办", "城区", plan.urban_seat, {"小学": float(rng.uniform(700, 1000))},
                    {"小学": 1.12}, eff, float(round(rng.uniform(800, 1200), 1)), 0, open_year=DEFAULT_YEARS[2] + k)
        s.state["new"] = True
        schools.append(s)
    return schools
