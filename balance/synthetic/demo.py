"""Synthetic demo data: a fictional prefecture 示例市 with 8 counties, one row per school per year.

**The data are synthetic (模拟数据，非真实学校).** Codes use the fictional province prefix ``99``
(county codes 990101–990108, school codes ``99xxxxxxxx``); every name is invented.

:func:`generate_demo_table` returns the school table with exactly the Chinese headers of
``balance/data/columns.yaml`` (in that order, including the optional 乡镇 column);
:func:`write_demo` writes ``schools.csv`` (UTF-8 with BOM), ``schools.xlsx`` (codes as text cells),
``county_sheet.xlsx`` (the filled county sheet of the four-area evaluation) and a ``README.md``. The
same seed gives identical bytes.

How the numbers are made (so that the briefings have something to say):

* Each school has a type, 办学性质, 城乡类型 and 乡镇, a starting enrolment per stage and a drift
  (urban schools grow and are crowded, rural schools shrink; junior enrolment rises).
* Teachers follow pupil–teacher ratios typical of each area (rural schools are staffed by classes, so
  they have more teachers per pupil); shares of qualified / titled teachers rise year by year.
* Per-pupil resources start from a *raw* level (ratio to the quality-2017 standard) that depends on
  城乡类型 (urban schools: little area per pupil but more backbone teachers and equipment; rural
  schools: more area per pupil, fewer backbone and PE/art teachers) and on a persistent school effect.
* Every county runs a "standardisation" programme: a yearly *floor* (a ratio to the standard) up to
  which weak schools are brought. Buildings, grounds, equipment and rooms never shrink, so per-pupil
  values also move with enrolment. Each county has its own floors, which gives the designed story in
  2025 under quality-2017: 青山县, 云台县 and 清河县 pass resource allocation; 南川县's junior
  生均体育运动场馆面积 CV exceeds 0.45; several rural sections of 西岭县 miss the school rule;
  北塘县 falls short on 骨干教师 and 石桥县 on 体育、艺术专任教师; 东湖区's crowded urban schools miss
  the area standards. Failing items fall over the years in most counties.
* The optional columns of the four-area evaluation come from a random stream of their own (so adding
  them changed no other value; only the size and class caps below change pupils and classes of
  青山县 and 清河县): the largest class per stage is at least the average class
  (pupils ÷ classes) plus a spread, the classes above 45 / 50 follow from it; music and art rooms are
  sized to ⌈classes ÷ 12⌉ when a school is built or brought up to standard, old schools (built before
  2000) often have converted classrooms under 96 / 90 ㎡, and each county's room programme
  (``room_fix``) fixes a share of the short schools every year. 青山县 and 清河县 hold enrolment below
  2000 (``size_cap``) and bring every class under 45 / 50 (``class_cap``); elsewhere county-town
  schools are large and crowded. :data:`SHEET_STORY` sets the county sheet's failing answers. Under
  ``balance evaluate`` with quality-2017, 青山县 is recognised in 2024 and 2025; 清河县 misses only
  item 3 in 2025 (its oldest schools' small rooms); 云台县 misses items 4 and 5.
"""
from __future__ import annotations

import argparse
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from balance.schema import COLUMNS

from balance.synthetic import DEFAULT_SEED, DEFAULT_YEARS  # noqa: E402 - re-exported
PREFECTURE = "示例市"
#: The quality-2017 standards the generator aims at (fixed here so the demo data never change when a
#: standard file is edited). Keys: the generator's indicator keys.
STD = {
    "qual": {"小学": 4.2, "初中": 5.3},
    "backbone": {"小学": 1.0, "初中": 1.0},
    "peart": {"小学": 0.9, "初中": 0.9},
    "teach": {"小学": 4.5, "初中": 5.8},
    "sports": {"小学": 7.5, "初中": 10.2},
    "equip": {"小学": 2000.0, "初中": 2500.0},
    "mm": {"小学": 2.3, "初中": 2.4},
}
#: Facility split weights (quality-2017 practice), used to size shared facilities of combined schools.
SPLIT = {
    "九年一贯制学校": {"小学": 1.0, "初中": 1.1},
    "十二年一贯制学校": {"小学": 1.0, "初中": 1.1, "高中": 1.32},
    "完全中学": {"初中": 1.0, "高中": 1.2},
}
STAGES_OF = {
    "小学": ("小学",), "教学点": ("小学",), "初级中学": ("初中",), "九年一贯制学校": ("小学", "初中"),
    "十二年一贯制学校": ("小学", "初中", "高中"), "完全中学": ("初中", "高中"), "特殊教育学校": ("小学", "初中"),
}
FACILITY_KEYS = ("teach", "sports", "equip", "mm")
TEACHER_KEYS = ("backbone", "peart")
CN_NUM = "一二三四五六七八九十"

#: Raw level (ratio to the standard) by 城乡类型, before the county's floor is applied.
RAW_BASE = {
    "城区": {"teach": 0.95, "sports": 0.80, "equip": 1.05, "mm": 0.95, "backbone": 1.45, "peart": 1.05},
    "镇区": {"teach": 1.10, "sports": 1.15, "equip": 0.90, "mm": 1.05, "backbone": 1.00, "peart": 0.95},
    "乡村": {"teach": 1.35, "sports": 1.45, "equip": 0.80, "mm": 1.25, "backbone": 0.75, "peart": 0.85},
}
#: Upper cap of the raw level by 城乡类型 (rural schools have room, but not without limit).
RAW_CAP = {"城区": 1.6, "镇区": 1.9, "乡村": 2.1}
SPREAD = {"teach": 0.18, "sports": 0.22, "equip": 0.22, "mm": 0.15, "backbone": 0.25, "peart": 0.22}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_PLACE_SUFFIX = ["家村", "庄", "坪", "岭", "湾", "家沟", "店", "家寨", "坝", "河村", "塘", "家岗"]


@dataclass
class CountyPlan:
    """One fictional county: size, layout and its standardisation floors.

    ``floor`` maps a year to the general floor (ratio to the standard) for every indicator;
    ``floor_override`` maps (indicator, 城乡类型 or "*") to a year -> floor schedule that replaces
    it; ``raw_mult`` scales the raw level of (indicator, 城乡类型 or "*").
    """

    code: str
    name: str
    n_schools: int
    urban_seat: str
    towns: list[str]
    xiang: list[str]
    kind: str = "county"                 # "county" or "district" (more urban schools)
    urban_primary: int = 5
    urban_junior: int = 2
    private: int = 3                      # 民办 schools besides the 十二年一贯制学校
    twelve_year: bool = False
    teaching_point_share: float = 0.22
    floor: dict[int, float] = field(default_factory=dict)
    floor_override: dict[tuple[str, str], dict[int, float]] = field(default_factory=dict)
    raw_mult: dict[tuple[str, str], float] = field(default_factory=dict)
    #: year -> probability that a small rural school (< 150 pupils in a stage) has neither a backbone
    #: nor a PE/art teacher (drawn once per school, so the same schools stay short until staffed)
    small_school_gap: dict[int, float] = field(default_factory=dict)
    closures: int = 0                     # rural teaching points merged away in the later years
    openings: int = 0                     # new urban primary schools opening mid-period
    # -- the optional columns of the four-area evaluation (政府保障程度 items 3–5) ------------------
    #: compulsory pupils per school are held at or below this (school-size item 4; 九年/十二年一贯制:
    #: + 500); None: schools grow freely (most county towns have 2000+ pupil primaries)
    size_cap: int | None = None
    #: year -> largest average class the county allows (both stages; 消除大班额 programme): class
    #: counts rise so that the average stays below it, and no class exceeds 45 / 50
    class_cap: dict[int, float] = field(default_factory=dict)
    #: year -> probability that a school short of music/art rooms (or with undersized rooms) is
    #: brought up to standard that year (专用教室 programme)
    room_fix: dict[int, float] = field(default_factory=dict)
    #: probability that an old school (built before 2000) has undersized music / art rooms
    small_room_share: float = 0.35
    #: undersized rooms of schools built before this year are never rebuilt (the county only adds rooms)
    keep_small_rooms_before: int = 0
    #: years in which the county did not report the room columns (blank cells)
    rooms_unreported: tuple[int, ...] = ()
    #: teaching points' 建成年份 is not known (blank cells)
    built_unknown_points: bool = False


def _sched(*values: float) -> dict[int, float]:
    return dict(zip(DEFAULT_YEARS, values))


COUNTIES: list[CountyPlan] = [
    # model county: passes from 2023 on
    CountyPlan("990101", "青山县", 68, "城关镇", ["石门镇", "白沙镇", "龙潭镇"], ["柳林乡", "桃源乡", "松岗乡"],
               urban_primary=6, urban_junior=2, private=3, twelve_year=True,
               floor=_sched(0.84, 0.95, 1.03, 1.04, 1.05),
               raw_mult={("sports", "乡村"): 0.85, ("teach", "乡村"): 0.9},
               size_cap=1950, class_cap=_sched(99, 46.5, 43.0, 43.0, 43.0),
               room_fix=_sched(0.4, 0.7, 1.0, 1.0, 1.0)),
    # passes for the first time in 2025
    CountyPlan("990102", "清河县", 58, "城关镇", ["河口镇", "新桥镇"], ["杨柳乡", "荷塘乡", "古城乡"],
               urban_primary=5, urban_junior=2, private=2,
               floor=_sched(0.72, 0.80, 0.88, 0.95, 1.03),
               raw_mult={("sports", "乡村"): 0.85},
               size_cap=1950, class_cap=_sched(99, 99, 46.0, 43.0, 43.0),
               room_fix=_sched(0.3, 0.5, 0.8, 1.0, 1.0), small_room_share=0.4, keep_small_rooms_before=1982),
    # urban district: crowded central schools miss the area standards; new schools open from 2023
    CountyPlan("990103", "东湖区", 90, "湖滨街道", ["东城街道", "西城街道", "望湖镇"], ["莲塘乡", "北岸乡"],
               kind="district", urban_primary=30, urban_junior=12, private=7, twelve_year=True,
               teaching_point_share=0.08, openings=2,
               floor=_sched(0.75, 0.82, 0.90, 0.96, 1.02),
               floor_override={("teach", "城区"): _sched(0.75, 0.82, 0.88, 0.94, 1.00),
                               ("sports", "城区"): _sched(0.60, 0.66, 0.72, 0.78, 0.82)},
               raw_mult={("teach", "城区"): 1.0, ("sports", "城区"): 1.05},
               room_fix=_sched(0.1, 0.15, 0.2, 0.25, 0.3)),
    # mountainous county with many small rural schools: several rural sections miss the school rule
    CountyPlan("990104", "西岭县", 112, "城关镇", ["云雾镇", "高坪镇", "双河镇"],
               ["石岭乡", "青龙乡", "马鞍乡", "黄土乡", "雪峰乡"],
               urban_primary=6, urban_junior=2, private=2, teaching_point_share=0.30, closures=3,
               floor=_sched(0.74, 0.82, 0.90, 0.97, 1.03),
               small_school_gap=_sched(0.95, 0.85, 0.70, 0.55, 0.40),
               room_fix=_sched(0.1, 0.15, 0.2, 0.25, 0.3), small_room_share=0.5, built_unknown_points=True),
    # every school meets the rule, but junior sports area is very unequal (CV > 0.45)
    CountyPlan("990105", "南川县", 76, "城关镇", ["南江镇", "红岩镇", "长滩镇"], ["石桥乡", "凤凰乡", "梨树乡"],
               urban_primary=6, urban_junior=4, private=3, twelve_year=True,
               floor=_sched(0.76, 0.85, 0.93, 1.00, 1.03),
               floor_override={("sports", "城区", "初中"): _sched(0.70, 0.76, 0.82, 0.87, 0.88)},
               raw_mult={("sports", "城区", "初中"): 0.7, ("sports", "镇区", "初中"): 1.5,
                         ("sports", "乡村", "初中"): 1.8},
               room_fix=_sched(0.3, 0.4, 0.5, 0.6, 0.7)),
    # small county short of county-level backbone teachers
    CountyPlan("990106", "北塘县", 42, "城关镇", ["北塘镇", "草场镇"], ["沙河乡", "前进乡"],
               urban_primary=4, urban_junior=2, private=1,
               floor=_sched(0.76, 0.85, 0.93, 1.00, 1.03),
               floor_override={("backbone", "*"): _sched(0.40, 0.50, 0.58, 0.66, 0.76)},
               raw_mult={("backbone", "*"): 0.55},
               room_fix=_sched(0.3, 0.4, 0.5, 0.6, 0.7)),
    # passes from 2024 on
    CountyPlan("990107", "云台县", 64, "城关镇", ["云台镇", "清水镇", "金鸡镇"], ["茶山乡", "花园乡"],
               urban_primary=5, urban_junior=2, private=3,
               floor=_sched(0.80, 0.88, 0.96, 1.03, 1.04),
               raw_mult={("sports", "乡村"): 0.85},
               room_fix=_sched(0.4, 0.6, 0.9, 1.0, 1.0)),
    # short of PE and art teachers outside the county town
    CountyPlan("990108", "石桥县", 70, "城关镇", ["大石镇", "永安镇", "平安镇"], ["枫林乡", "竹园乡", "东岗乡"],
               urban_primary=6, urban_junior=2, private=2, twelve_year=True,
               floor=_sched(0.74, 0.83, 0.92, 0.99, 1.03),
               floor_override={("peart", "乡村"): _sched(0.35, 0.45, 0.55, 0.62, 0.70),
                               ("peart", "镇区"): _sched(0.50, 0.58, 0.66, 0.74, 0.80)},
               raw_mult={("peart", "乡村"): 0.6, ("peart", "镇区"): 0.75},
               room_fix=_sched(0.2, 0.25, 0.3, 0.4, 0.5), rooms_unreported=(2021, 2022)),
]


@dataclass
class _School:
    code: str
    name: str
    type: str
    ownership: str
    ur: str
    township: str
    pupils0: dict[str, float]           # enrolment per stage in the base year
    drift: dict[str, float]             # yearly growth factor per stage
    effect: dict[str, float]            # persistent school effect per indicator (log scale)
    indoor: float                       # indoor sports hall (m²), 0 = none
    indoor_year: int                    # year the hall is built
    open_year: int = 0
    close_year: int = 9999
    state: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# layout of a county


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


# ---------------------------------------------------------------------------------------------
# yearly values


def _floor(plan: CountyPlan, key: str, ur: str, year: int, stage: str = "") -> float:
    o = plan.floor_override
    sched = o.get((key, ur, stage)) or o.get((key, ur)) or o.get((key, "*")) or plan.floor
    ys = sorted(sched)
    return float(np.interp(year, ys, [sched[y] for y in ys]))


def _raw(plan: CountyPlan, s: _School, key: str, stage: str = "") -> float:
    m = plan.raw_mult
    mult = m.get((key, s.ur, stage), m.get((key, s.ur), m.get((key, "*"), 1.0)))
    if s.ownership == "民办" and key in ("backbone",):
        mult *= 0.8
    r = RAW_BASE[s.ur][key] * mult * math.exp(s.effect[key])
    return min(r, RAW_CAP[s.ur] * mult if mult > 1 else RAW_CAP[s.ur])


def _classes(t: str, ur: str, stage: str, p: int, rng: np.random.Generator, cap: float | None = None) -> int:
    """Teaching classes of a stage; ``cap``: the county's largest allowed average class (消除大班额)."""
    if p == 0:
        return 0
    if t == "教学点":
        return int(min(4, max(1, math.ceil(p / 14))))
    if t == "特殊教育学校":
        return int(max(1, math.ceil(p / 10)))
    size = {("城区", "小学"): 47, ("镇区", "小学"): 43, ("乡村", "小学"): 36,
            ("城区", "初中"): 50, ("镇区", "初中"): 47, ("乡村", "初中"): 42, ("城区", "高中"): 52,
            ("镇区", "高中"): 50, ("乡村", "高中"): 50}[(ur, stage)]
    size *= rng.uniform(0.95, 1.06)
    if cap is not None:
        size = min(size, cap)
    grades = {"小学": 6, "初中": 3, "高中": 3}[stage]
    return int(max(min(grades, math.ceil(p / 8)), math.ceil(p / size)))


def _teachers(t: str, ur: str, stage: str, p: int, classes: int, rng: np.random.Generator) -> int:
    if p == 0:
        return 0
    if t == "教学点":
        return int(max(2, math.ceil(p / 11)))
    if t == "特殊教育学校":
        return int(max(3, math.ceil(p / 3.5)))
    ptr = {("城区", "小学"): 19.0, ("镇区", "小学"): 17.5, ("乡村", "小学"): 15.0,
           ("城区", "初中"): 13.0, ("镇区", "初中"): 12.5, ("乡村", "初中"): 11.5}[(ur, stage)]
    per_class = {"小学": 1.4, "初中": 2.6}[stage]
    ptr *= rng.uniform(0.93, 1.07)
    return int(max(round(p / ptr), math.ceil(classes * per_class)))


def _qual_share(stage: str, ur: str, year: int, eff: float) -> float:
    base = {("城区", "小学"): 0.985, ("镇区", "小学"): 0.96, ("乡村", "小学"): 0.92,
            ("城区", "初中"): 0.93, ("镇区", "初中"): 0.87, ("乡村", "初中"): 0.80}[(ur, stage)]
    return min(1.0, base + 0.012 * (year - DEFAULT_YEARS[0]) + 0.03 * eff)


def _titled_share(ur: str, year: int, eff: float) -> float:
    base = {"城区": 0.58, "镇区": 0.50, "乡村": 0.42}[ur]
    return float(np.clip(base + 0.01 * (year - DEFAULT_YEARS[0]) + 0.08 * eff, 0.2, 0.9))


def _school_year(plan: CountyPlan, s: _School, year: int, rng: np.random.Generator) -> dict:
    """One row (canonical names) for school ``s`` in ``year``; updates ``s.state`` (persistent assets)."""
    dt = year - DEFAULT_YEARS[0]
    since_open = year - s.open_year if s.open_year else dt
    pupils = {st: 0 for st in ("小学", "初中", "高中")}
    for st, p0 in s.pupils0.items():
        p = p0 * s.drift[st] ** (since_open if s.open_year else dt) * math.exp(rng.normal(0, 0.02))
        pupils[st] = int(max(3 if s.type == "教学点" else 20, round(p)))
    if plan.size_cap and s.type not in ("教学点", "特殊教育学校"):  # enrolment held below the size cap
        limit = plan.size_cap + (500 if s.type in ("九年一贯制学校", "十二年一贯制学校") else 0)
        compulsory = pupils["小学"] + pupils["初中"]
        if compulsory > limit:
            for st in ("小学", "初中"):
                pupils[st] = int(pupils[st] * limit / compulsory)
    row: dict = {"primary_students": pupils["小学"], "junior_students": pupils["初中"], "senior_students": pupils["高中"]}
    stages = [st for st in ("小学", "初中") if pupils[st] > 0]
    gap_u = s.state.setdefault("gap_u", float(rng.uniform()))
    gap_p = plan.small_school_gap
    gap = s.ur == "乡村" and bool(gap_p) and gap_u < float(np.interp(year, sorted(gap_p), [gap_p[y] for y in sorted(gap_p)]))
    teachers = {}
    for st, prefix in (("小学", "primary"), ("初中", "junior")):
        p = pupils[st]
        cls = _classes(s.type, s.ur, st, p, rng, _class_cap(plan, year))
        tch = _teachers(s.type, s.ur, st, p, cls, rng)
        teachers[st] = tch
        row[f"{prefix}_classes"] = cls
        row[f"{prefix}_teachers"] = tch
        if p == 0:
            for f in ("qualified", "backbone", "pe_art", "titled"):
                row[f"{prefix}_{f}_teachers"] = 0
            continue
        row[f"{prefix}_qualified_teachers"] = min(tch, int(round(tch * _qual_share(st, s.ur, year, s.effect["qual"]))))
        row[f"{prefix}_titled_teachers"] = min(tch, int(round(tch * _titled_share(s.ur, year, s.effect["qual"]))))
        for key, col in (("backbone", "backbone"), ("peart", "pe_art")):
            std = STD[key][st] * p / 100
            raw = _raw(plan, s, key, st) * (1 + 0.02 * dt)
            lo = _floor(plan, key, s.ur, year, st)
            n = int(round(raw * std))
            if n < lo * std:
                n = int(math.ceil(lo * std * rng.uniform(1.0, 1.08)))
            if s.type == "教学点" and key == "backbone" and lo < 0.9:
                n = min(n, int(rng.uniform() < 0.3))  # teaching points seldom have a backbone teacher
            if gap and p < 150:
                n = 0
            row[f"{prefix}_{col}_teachers"] = int(min(n, tch))

    # shared facilities: never shrink; brought up to the county's floor
    w = SPLIT.get(s.type, {"小学": 1.0, "初中": 1.1, "高中": 1.32})
    wsum = sum(w.get(st, 0.0) * pupils[st] for st in pupils)
    st_state = s.state
    # per-pupil standards of the shared facilities (multimedia rooms are per 100 pupils)
    fstd = {k: {st: STD[k][st] / (100.0 if k == "mm" else 1.0) for st in ("小学", "初中")} for k in FACILITY_KEYS}
    for key in FACILITY_KEYS:
        if s.type == "特殊教育学校":
            need_per = {st: fstd[key][st] * 2.0 for st in stages}
            req = wsum * max(need_per[st] / w.get(st, 1.0) for st in stages) if stages else 0.0
            raw_amount = req
        else:
            growth = 1.06 if key == "equip" else 1.0
            raw_amount = wsum * max(_raw(plan, s, key, st) * fstd[key][st] / w.get(st, 1.0) for st in stages) \
                * growth ** dt
            req = wsum * max(_floor(plan, key, s.ur, year, st) * fstd[key][st] / w.get(st, 1.0) for st in stages)
        prev = st_state.get(key)
        if prev is None:
            amount = max(raw_amount, req * rng.uniform(1.0, 1.05)) if not s.state.get("new") else \
                max(raw_amount, 1.1 * wsum * max(fstd[key][st] / w.get(st, 1.0) for st in stages))
        else:
            grow = {"equip": rng.uniform(1.02, 1.07), "mm": 1.0}.get(key, 1.0)
            amount = prev * grow
            if amount < req:
                amount = req * rng.uniform(1.01, 1.06)
        st_state[key] = amount
    hall = s.indoor if (s.indoor and (s.indoor_year == 0 or year >= s.indoor_year)) else 0.0
    # teaching area includes the indoor sports hall; the sports total includes it as well
    teach_net = st_state["teach"]
    sports_total = max(st_state["sports"], hall * 1.5)
    st_state["sports"] = sports_total
    row["teaching_area"] = round(teach_net + hall, 1)
    row["indoor_sports_area"] = round(hall, 1)
    row["sports_ground_area"] = round(sports_total - hall, 1)
    row["equipment_value"] = int(round(st_state["equip"], -1))
    rooms = int(math.ceil(st_state["mm"]))
    st_state["mm"] = float(rooms)
    row["multimedia_rooms"] = rooms
    total_pupils = sum(pupils.values())
    if "computers_per" not in st_state:
        st_state["computers_per"] = rng.uniform(0.09, 0.16)
        st_state["books_per"] = rng.uniform(24, 40)
    row["computers"] = int(max(2, round(total_pupils * st_state["computers_per"] * (1 + 0.04 * dt))))
    row["books"] = int(round(total_pupils * st_state["books_per"] * (1 + 0.02 * dt), -1))
    return row


def _class_cap(plan: CountyPlan, year: int) -> float | None:
    """The county's largest allowed average class in ``year`` (None: no 消除大班额 programme yet)."""
    if not plan.class_cap:
        return None
    ys = sorted(plan.class_cap)
    cap = float(np.interp(year, ys, [plan.class_cap[y] for y in ys]))
    return cap if cap < 90 else None


#: national class-size limits (政府保障程度 item 5)
CLASS_LIMIT = {"小学": 45, "初中": 50}
#: national smallest music / art room (item 3)
ROOM_AREA = {"music": 96.0, "art": 90.0}
#: columns of the optional block, in the order of columns.yaml
OPTIONAL_NAMES = ("music_rooms", "art_rooms", "music_room_min_area", "art_room_min_area", "primary_max_class_size",
                  "junior_max_class_size", "primary_oversized_classes", "junior_oversized_classes", "built_year")


def _built_year(plan: CountyPlan, s: _School, u: float) -> int | None:
    """When the school's main building was finished (建成年份)."""
    if s.open_year:
        return s.open_year - 1
    if s.type == "教学点" and plan.built_unknown_points:
        return None  # old village buildings: the county does not know
    if s.ownership == "民办":
        lo, hi = 2001, 2017
    elif s.name.endswith(("实验小学", "第一中学", "实验中学")):
        lo, hi = 1952, 1990  # the old flagship schools of the county town
    elif s.type == "特殊教育学校":
        lo, hi = 1992, 2012
    elif s.type == "教学点":
        lo, hi = 1962, 1999
    else:
        lo, hi = {"城区": (1978, 2014), "镇区": (1975, 2012), "乡村": (1968, 2010)}[s.ur]
    return int(lo + round(u * (hi - lo)))


def _optional_year(plan: CountyPlan, s: _School, year: int, row: dict, rng: np.random.Generator) -> dict:
    """The optional columns of the four-area evaluation for one school and year (``row``: its other values).

    Rooms persist from year to year in ``s.state["opt"]``; every call draws the same number of
    random numbers, so that any selection of years is a subset of the full run.
    """
    u = rng.uniform(size=12)
    st = s.state.setdefault("opt", {})
    if "built" not in st:
        st["built"] = _built_year(plan, s, float(u[0]))
    built = st["built"]
    out: dict = {"built_year": built}
    # -- class sizes: the largest class and the classes above 45 / 50 per stage -----------------------
    cap = _class_cap(plan, year)
    for k, (stage, prefix) in enumerate((("小学", "primary"), ("初中", "junior"))):
        p, c = row[f"{prefix}_students"], row[f"{prefix}_classes"]
        if p == 0 or c == 0:
            out[f"{prefix}_max_class_size"] = out[f"{prefix}_oversized_classes"] = None
            continue
        avg = p / c
        if c == 1:
            mx = p
        else:
            spread = {"特殊教育学校": 3, "教学点": 4}.get(s.type, {"城区": 9, "镇区": 7, "乡村": 5}[s.ur])
            mx = math.ceil(avg - 1e-9) + int(u[1 + k] * spread)
            mx = min(mx, p - (c - 1))  # the other classes have at least one pupil
        limit = CLASS_LIMIT[stage]
        if cap is not None and avg <= limit:  # the county holds every class within the limit
            mx = max(math.ceil(avg - 1e-9), min(mx, limit))
        if mx <= limit:
            over = 0
        else:  # class sizes spread evenly between 2·avg − max and max
            frac = 1.0 if mx <= avg else (mx - limit) / (2 * (mx - avg))
            over = int(min(c, max(1, round(c * min(1.0, frac)))))
        out[f"{prefix}_max_class_size"] = int(mx)
        out[f"{prefix}_oversized_classes"] = over
    # -- music and art rooms ------------------------------------------------------------------------------
    classes = row["primary_classes"] + row["junior_classes"]
    needed = 1 if s.type == "教学点" else max(1, math.ceil(classes / 12))
    if "music" not in st:
        modern = (built is not None and built >= 2010) or s.state.get("new", False)
        old = built is None or built < 2000
        if s.type == "教学点" and not modern:
            st["music"], st["art"] = int(u[3] < 0.45), int(u[4] < 0.4)
            st["music_area"], st["art_area"] = 48 + 22 * u[5], 45 + 22 * u[6]
        elif modern:
            st["music"] = st["art"] = needed + int(u[3] < 0.2)
            st["music_area"], st["art_area"] = 96 + 32 * u[5], 90 + 30 * u[6]
        else:
            st["music"] = max(1, needed - int(u[3] < 0.3))
            st["art"] = max(1, needed - int(u[4] < 0.3))
            small = old and u[7] < plan.small_room_share
            st["music_area"] = 60 + 34 * u[5] if small else 96 + 30 * u[5]
            st["art_area"] = 56 + 32 * u[6] if small and u[8] < 0.7 else 90 + 28 * u[6]
        st["small_forever"] = bool(built is not None and built < plan.keep_small_rooms_before)
    else:
        fix = float(np.interp(year, sorted(plan.room_fix), [plan.room_fix[y] for y in sorted(plan.room_fix)])) \
            if plan.room_fix else 0.0
        short = st["music"] < needed or st["art"] < needed
        small = st["music_area"] < ROOM_AREA["music"] or st["art_area"] < ROOM_AREA["art"]
        if (short or small) and u[9] < fix:
            if st["music"] < needed or st["art"] < needed:  # new rooms are built to the standard
                st["music_area"] = st["music_area"] if st["music"] else 96 + 24 * u[10]
                st["art_area"] = st["art_area"] if st["art"] else 90 + 22 * u[11]
                st["music"], st["art"] = max(st["music"], needed), max(st["art"], needed)
            if small and not st["small_forever"]:  # the old rooms are rebuilt
                st["music_area"] = max(st["music_area"], 96 + 24 * u[10])
                st["art_area"] = max(st["art_area"], 90 + 22 * u[11])
    if year in plan.rooms_unreported:
        out.update(music_rooms=None, art_rooms=None, music_room_min_area=None, art_room_min_area=None)
    else:
        out.update(music_rooms=int(st["music"]), art_rooms=int(st["art"]),
                   music_room_min_area=round(float(st["music_area"]), 1) if st["music"] else None,
                   art_room_min_area=round(float(st["art_area"]), 1) if st["art"] else None)
    return out


def generate_demo_table(seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> pd.DataFrame:
    """The synthetic school table of 示例市 (8 fictional counties), one row per school per year.

    Parameters
    ----------
    seed : int
        Random seed; the same seed (and years) gives the same table, bit for bit.
    years : iterable of int
        Statistical years to output (the designed trends are anchored on 2021–2025). Every year from
        2021 to the last one is simulated, so ``years=(2025,)`` gives exactly the 2025 rows of the
        default table.

    Returns
    -------
    DataFrame
        Columns: exactly the Chinese headers of ``columns.yaml`` in order (including 乡镇). Codes are
        strings; counts are int64; areas (㎡) float64 with one decimal; 教学仪器设备值 in 元 (int64).
        Sorted by 年份, 县区代码, 学校标识码.
    """
    years = tuple(sorted({int(y) for y in years}))
    if not years:
        raise ValueError("years is empty")
    # simulate every year from 2021 (or earlier) on, so that any selection of years is a subset of
    # the full run (assets carry over from year to year)
    simulated = range(min(years[0], DEFAULT_YEARS[0]), max(years[-1], DEFAULT_YEARS[0]) + 1)
    rows = []
    for k, plan in enumerate(COUNTIES):
        rng = np.random.default_rng([int(seed), k])
        # a stream of its own for the optional columns, so that adding them left the rest unchanged
        rng_optional = np.random.default_rng([int(seed), k, 1])
        schools = _plan_schools(plan, rng)
        for year in simulated:
            keep = year in years
            for s in schools:
                if year < s.open_year or year >= s.close_year:
                    continue
                row = _school_year(plan, s, year, rng)
                row.update(_optional_year(plan, s, year, row, rng_optional))
                if not keep:
                    continue
                row.update(year=year, county_code=plan.code, county_name=plan.name, school_code=s.code,
                           school_name=s.name, school_type=s.type, ownership=s.ownership, urban_rural=s.ur,
                           township=s.township)
                rows.append(row)
    df = pd.DataFrame(rows)
    names = [c["name"] for c in COLUMNS]
    df = df[names].sort_values(["year", "county_code", "school_code"], kind="stable").reset_index(drop=True)
    for c in COLUMNS:
        if c["kind"] in ("count", "year") and not c.get("required"):
            df[c["name"]] = pd.to_numeric(df[c["name"]]).astype("Int64")
        elif c["kind"] in ("count", "year"):
            df[c["name"]] = df[c["name"]].astype("int64")
        elif c["kind"] == "area":
            df[c["name"]] = df[c["name"]].astype("float64").round(1)
        elif c["kind"] == "money":
            df[c["name"]] = df[c["name"]].astype("int64")
        else:
            df[c["name"]] = df[c["name"]].astype("str")
    return df.rename(columns={c["name"]: c["header"] for c in COLUMNS})


# ---------------------------------------------------------------------------------------------
# the filled county sheet (县级填报表) of the four-area evaluation


#: What each county's bureau answers besides the passing defaults, by field and year (the story of
#: the other three areas and the vetoes; 政府保障程度 items 3–5 come from the school table).
SHEET_STORY: dict[str, dict[str, dict[int, object]]] = {
    # model county: training short in 2021, survey below 85 % in 2022, backbone rotation in 2023;
    # everything holds from 2024 on (资源配置 from 2023, items 3–5 from 2023) -> 达到 2024 and 2025
    "990101": {"g9_training_rate": {2021: 97.6}, "recognition_rate": {2022: 84.3}, "g11_backbone_share": {2023: 18.5}},
    # teachers paid less than civil servants until 2022; retention below 95 % in 2021; in 2025 only
    # the undersized rooms of its oldest schools (item 3, school data) stand between it and 达到
    "990102": {"g8_teacher_pay": {2021: 96500, 2022: 99800}, "g8_civil_servant_pay": {2021: 98200, 2022: 101500},
               "q1_retention_rate": {2021: 94.6}},
    # crowded urban district: illegal school choice (veto) in 2021–2022, nearby enrolment of primary
    # pupils never 100 %, migrant children in public places below 85 % until 2023
    "990103": {"v2_school_choice": {2021: "是", 2022: "是"},
               "g13_nearby_primary": dict(zip(DEFAULT_YEARS, (98.4, 98.9, 99.3, 99.6, 99.8))),
               "g15_migrant_public_share": dict(zip(DEFAULT_YEARS, (81.5, 83.0, 84.6, 86.2, 88.0)))},
    # mountain county: small schools not funded as 100 pupils until 2022, retention below 95 % until
    # 2023, uncertified teachers until 2023
    "990104": {"g6_small_school_funding": {2021: "否", 2022: "否"},
               "q1_retention_rate": dict(zip(DEFAULT_YEARS, (93.2, 93.9, 94.5, 95.1, 95.6))),
               "g12_certificate_rate": dict(zip(DEFAULT_YEARS, (98.7, 99.2, 99.6, 100.0, 100.0)))},
    # monitoring: inter-school difference rate ≥ 0.15 until 2023; the 2025 training-budget cell left blank
    "990105": {"q9_difference_rate": dict(zip(DEFAULT_YEARS, (0.18, 0.17, 0.16, 0.14, 0.13))),
               "q4_training_budget_min": {2025: None}},
    # short of backbone teachers (resource allocation) and so of backbone teachers to rotate;
    # special-school funds below 6000 元 until 2022
    "990106": {"g11_backbone_share": dict(zip(DEFAULT_YEARS, (12.5, 14.0, 15.8, 17.2, 18.6))),
               "g7_special_school_funds": {2021: 5600, 2022: 5800}},
    # passes the sheet from 2022; fails items 4 and 5 (large schools, large classes) from school data
    "990107": {"q4_training_budget_min": {2021: 4.3}},
    # survey never reaches 85 %; the school table lacks the room columns in 2021–2022, so the
    # county answers item 3 itself (否, then 是)
    "990108": {"recognition_rate": dict(zip(DEFAULT_YEARS, (81.9, 82.7, 83.5, 84.1, 84.8))),
               "g3_music_art_rooms": {2021: "否", 2022: "是"}, "q2_disabled_enrolment": {2021: 94.2}},
}
#: Evidence notes (说明及佐证材料): item id -> text template.
SHEET_NOTES = {
    "government_1": "《{county}义务教育学校布局专项规划（2021—2035年）》",
    "government_2": "{county}人民政府办公室关于统一城乡义务教育学校建设标准的通知（{county}政办〔{year}〕{n}号）",
    "government_10": "{county}机构编制委员会办公室 教职工编制核定文件（{year}年）",
}
#: Notes explaining a failing yes/no answer: (county code, year) -> (item id, text).
SHEET_FAIL_NOTES = {
    ("990103", 2021): ("veto_2", "城区两所公办初中超计划接收择校生，已通报并责令整改"),
    ("990103", 2022): ("veto_2", "一所公办小学跨片区招收学生，已责令整改"),
    ("990104", 2021): ("government_6", "村小学和教学点按实际学生数核定公用经费，2023 年起按 100 人核定"),
    ("990104", 2022): ("government_6", "村小学和教学点按实际学生数核定公用经费，2023 年起按 100 人核定"),
}


def county_sheet_rows(seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> list[dict]:
    """The demo county sheet: one dict per county × year (canonical field names, notes by column name).

    Every item holds unless :data:`SHEET_STORY` says otherwise; the numbers vary a little by county
    and year (seeded). Items 3–5 of 政府保障程度 are left blank (computed from the school table)
    except where the school table lacks the columns.
    """
    from balance.io.county_sheet import fields, item_id, items, note_column

    years = tuple(sorted({int(y) for y in years}))
    out = []
    for k, plan in enumerate(COUNTIES):
        rng = np.random.default_rng([int(seed), k, 2])
        story = SHEET_STORY.get(plan.code, {})
        for year in range(min(years[0], DEFAULT_YEARS[0]), max(years[-1], DEFAULT_YEARS[0]) + 1):
            u = rng.uniform(size=16)
            if year not in years:
                continue
            dt = year - DEFAULT_YEARS[0]
            civil = int(round(92000 + 2600 * dt + 1500 * k, -2))
            v = {
                "g7_special_school_funds": int(round(6200 + 150 * dt + 400 * u[0], -1)),
                "g8_civil_servant_pay": civil, "g8_teacher_pay": int(round(civil * (1.005 + 0.03 * u[1]), -2)),
                "g9_training_rate": 100.0, "g11_rotation_rate": round(10.5 + 4.5 * u[2], 1),
                "g11_backbone_share": round(21 + 10 * u[3], 1), "g12_certificate_rate": 100.0,
                "g13_nearby_primary": 100.0, "g13_nearby_junior": round(95.5 + 4 * u[4], 1),
                "g14_quota_share": round(50.5 + 11 * u[5], 1), "g15_migrant_public_share": round(86 + 11 * u[6], 1),
                "q1_retention_rate": round(95.5 + 3.8 * u[7], 1), "q2_disabled_enrolment": round(95.2 + 4.3 * u[8], 1),
                "q4_training_budget_min": round(5.1 + 2.9 * u[9], 1), "q9_difference_rate": round(0.07 + 0.07 * u[10], 3),
                "recognition_rate": round(86 + 9 * u[11], 1),
            }
            row = {"year": year, "county_code": plan.code, "county_name": plan.name}
            for f in fields():
                if f["name"] in v:
                    row[f["name"]] = v[f["name"]]
                elif f.get("computed"):
                    row[f["name"]] = None  # computed from the school table
                elif f["type"] == "yes_no":
                    row[f["name"]] = "否" if f["area"] == "veto" else "是"
                else:
                    row[f["name"]] = None
                sched = story.get(f["name"])
                if sched is not None and year in sched:
                    row[f["name"]] = sched[year]
            for it in items():
                text = SHEET_NOTES.get(item_id(it))
                if text:
                    row[note_column(it)] = text.format(county=plan.name, year=year, n=int(10 + 40 * u[12]))
            fail_note = SHEET_FAIL_NOTES.get((plan.code, year))
            if fail_note:
                it = next(i for i in items() if item_id(i) == fail_note[0])
                row[note_column(it)] = fail_note[1]
            out.append(row)
    return out


def write_county_sheet(path, seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> Path:
    """Write the filled demo county sheet (the county-sheet template with :func:`county_sheet_rows`).

    The file's bytes depend only on ``seed`` and ``years``.
    """
    import datetime as dt

    from openpyxl import load_workbook

    from balance.io.county_sheet import DESCRIPTION_ROWS, SHEET_NAME, sheet_columns, write_county_sheet_template
    from balance.io.export.xlsx import set_cell

    path = Path(path)
    rows = county_sheet_rows(seed, years)
    write_county_sheet_template(path, rows=[(r["year"], r["county_code"], r["county_name"]) for r in rows])
    wb = load_workbook(path)
    ws = wb[SHEET_NAME]
    col_of = {c["name"]: j for j, c in enumerate(sheet_columns(), start=1)}
    first = DESCRIPTION_ROWS + 2
    for i, r in enumerate(rows, start=first):
        for name, value in r.items():
            if name in ("year", "county_code", "county_name") or value is None or name not in col_of:
                continue
            set_cell(ws, i, col_of[name], value)
    fixed = dt.datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "balance demo"
    wb.properties.title = "县级填报表（示例，模拟数据）/ county sheet (demo, SYNTHETIC)"
    path.unlink()  # the template is written privately (0600); the demo file is an ordinary one
    wb.save(path)
    deterministic_xlsx(path)
    return path


# ---------------------------------------------------------------------------------------------
# writing


_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

README_TEXT = """# 示例数据（模拟数据，非真实学校）/ Demo data (SYNTHETIC)

**本目录中的数据全部为程序生成的模拟数据，不是任何真实学校、真实县区的数据。**
示例市及其 8 个县区（青山县、清河县、东湖区、西岭县、南川县、北塘县、云台县、石桥县）、所有乡镇、
村名和学校名称均为虚构；县区代码 990101–990108 和以 99 开头的 10 位学校标识码使用虚构的省级前缀
99，不对应任何真实行政区划或学校。请勿将其用于任何实际评估或引用。

**Everything in this folder is SYNTHETIC, generated by a program — no real school or county.**
The prefecture 示例市, its 8 counties, all townships, villages and school names are invented; codes use
the fictional province prefix 99 (county codes 990101–990108, 10-digit school codes starting with 99).

| 文件 / file | 内容 / content |
|---|---|
| `schools.csv` | 学校基础数据表，UTF-8（带 BOM），{n_rows} 行 / school table, UTF-8 with BOM, {n_rows} rows |
| `schools.xlsx` | 同一张表的 Excel 版本，代码列为文本格式 / the same table in Excel, codes stored as text |
| `county_sheet.xlsx` | 已填写的县级填报表（政府保障程度、教育质量、社会认可度、一票否决），{n_sheet_rows} 行 / the filled county sheet, {n_sheet_rows} rows |

- 年份 / years: {years}；县区 / counties: {n_counties}；每年学校数 / schools per year: {n_schools}
- 随机种子 / seed: {seed}；同一种子生成的文件逐字节相同 / the same seed gives identical bytes
- 重新生成 / regenerate: `balance demo-data --out data/demo --seed {seed}`

数据的设计（便于演示评估结果）/ how the data were designed (so that the results have a story):
按《县域义务教育优质均衡发展督导评估办法》（2017）的资源配置标准，2025 年约有 3 个县区全部达标，
其余县区分别在某些方面未达标（初中生均体育运动场馆面积差异系数过大、乡村学校不达标、骨干教师或
体育艺术教师不足、城区学校拥挤）；多数县区未达标的项目逐年减少。城区学校规模大、生均面积小；乡村
学校规模小、骨干教师和体育艺术教师较少，但生均面积有时较大。
Under the quality-2017 standard about 3 counties pass resource allocation in 2025; the others fail on
particular items, and in most counties the failing items shrink over the years.

学校数据表含四个领域评估所用的可选列（音乐、美术专用教室数及最小面积，小学、初中最大班额和超标班额
班数，建成年份）。县域综合评估 / the four-area evaluation:

    balance evaluate data/demo/schools.csv --county-sheet data/demo/county_sheet.xlsx --out out/evaluation

设计的结果（2025 年）/ the designed story (2025): 青山县 2024、2025 年四个领域均达标、无否决事项，
达到优质均衡；清河县资源配置首次达标，只差政府保障程度第 3 项（几所建校最早的学校音乐、美术专用
教室面积不足）；云台县资源配置达标，但城区大校额、大班额（第 4、5 项）未消除；东湖区城区学校规模和班额
严重超标，2021–2022 年存在违规择校（一票否决），小学就近入学比例未达 100%；西岭县乡村学校缺少专用
教室；北塘县骨干教师交流比例不足；南川县 2025 年填报表有一项空白（缺失，不视为达标）；石桥县社会
认可度低于 85%，2021–2022 年学校数据缺少专用教室列，保障3 采用县级填报的答案。
Qingshan county is recognised in 2024 and 2025 (all four areas, no veto); the others fail on the
items above (school size and class size from the school table, the rest from the county sheet).
"""


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def deterministic_xlsx(path) -> None:
    """Rewrite an .xlsx written by openpyxl so that its bytes do not depend on when it was written.

    openpyxl stamps the save time into ``docProps/core.xml`` and into the zip entries; both are
    replaced by a fixed time (2026-01-01).
    """
    path = Path(path)
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, body)
    path.write_bytes(out.getvalue())


def write_table_xlsx(df: pd.DataFrame, path, sheet: str = "学校基础数据") -> Path:
    """Write a school table (Chinese headers) to Excel: codes as text cells, bold frozen header.

    The file's bytes depend only on the table (fixed document times and zip timestamps).
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from balance.io.export.xlsx import append_row

    path = Path(path)
    kinds = {c["header"]: c["kind"] for c in COLUMNS}
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    append_row(ws, list(df.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in df.itertuples(index=False, name=None):
        append_row(ws, row)  # text stays text, NaN an empty cell (balance.io.export.xlsx.excel_value)
    for j, h in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        kind = kinds.get(h, "text")
        if kind in ("code", "text", "category"):
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = "@"
        ws.column_dimensions[letter].width = max(10, min(32, 2.2 * len(str(h)) + 2)) \
            if kind != "text" else (30 if h == "学校名称" else 12)
    fixed = dt.datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "balance demo"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    deterministic_xlsx(path)
    return path


def write_demo(out_dir="data/demo", seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> list[Path]:
    """Write ``schools.csv`` (UTF-8 with BOM), ``schools.xlsx``, the filled ``county_sheet.xlsx`` and
    ``README.md`` into ``out_dir``.

    Returns the written paths. The same seed and years give identical bytes. The four files are
    staged and appear together (:func:`balance.io.files.staged_files`): a failure leaves none of them.
    """
    from balance.io.files import staged_files

    df = generate_demo_table(seed=seed, years=years)
    yrs = sorted(df["年份"].unique().tolist())
    per_year = df.groupby("年份").size()
    with staged_files(out_dir) as s:
        text = df.to_csv(index=False, lineterminator="\n")
        s.stage("schools.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        write_table_xlsx(df, s.stage("schools.xlsx"))
        write_county_sheet(s.stage("county_sheet.xlsx"), seed=seed, years=yrs)
        s.stage("README.md").write_text(README_TEXT.format(
            n_rows=len(df), years="、".join(map(str, yrs)), n_counties=df["县区代码"].nunique(),
            n_schools=f"{per_year.min()}–{per_year.max()}" if per_year.min() != per_year.max() else str(per_year.min()),
            n_sheet_rows=len(yrs) * len(COUNTIES), seed=seed), encoding="utf-8")
    return s.final


# ---------------------------------------------------------------------------------------------
# command line


#: ``--counties`` of ``--scale national`` at most (the default is 2,850, about China's count).
MAX_COUNTIES = 100_000
#: ``--years N`` of ``--scale national`` as a count of years at most.
MAX_YEAR_COUNT = 50


def check_demo_args(args: argparse.Namespace) -> None:
    """Refuse (InputError, exit 2) a seed, year or county count the generators cannot use."""
    from balance.errors import InputError, Problem
    from balance.io.validation import messages

    th = messages()["thresholds"]
    low, high = int(th["year_min"]), int(th["year_max"])
    national = getattr(args, "scale", "demo") == "national"
    probs = []

    def bad(option, value, zh, en):
        probs.append(Problem(file="命令行 / command line", column=option, value=str(value), code="bad_option",
                             problem_zh=zh, problem_en=en))

    if not 0 <= args.seed < 2 ** 32:
        bad("--seed", args.seed, f"随机种子应为 0–{2 ** 32 - 1} 的整数", f"the seed must be a whole number from 0 to {2 ** 32 - 1}")
    years = list(args.years or [])
    if national and len(years) == 1 and 0 < years[0] < 1000:
        if years[0] > MAX_YEAR_COUNT:
            bad("--years", years[0], f"年数最多 {MAX_YEAR_COUNT}", f"at most {MAX_YEAR_COUNT} years")
    else:
        for y in years:
            if not low <= y <= high:
                bad("--years", y, f"年份应为 {low}–{high} 之间的四位数年份" + ("（或 1–50 表示年数）" if national else ""),
                    f"a year must be a 4-digit year from {low} to {high}" + (" (or 1-50: a number of years)" if national else ""))
    if args.counties is not None and not 1 <= args.counties <= MAX_COUNTIES:
        bad("--counties", args.counties, f"县区数应为 1–{MAX_COUNTIES}", f"the number of counties must be 1 to {MAX_COUNTIES}")
    if probs:
        raise InputError(probs, "命令行参数有误", "invalid option")



#: The files ``write_demo`` writes (and replaces).
DEMO_FILES = ("schools.csv", "schools.xlsx", "county_sheet.xlsx", "README.md")


def refuse_foreign_files(out_dir) -> None:
    """Refuse (InputError, exit 2) to replace files that ``demo-data`` did not write: a folder that
    holds one of :data:`DEMO_FILES` counts as a demo folder only when its ``README.md`` is the demo
    README (first line); otherwise a clerk's own ``schools.csv`` would be overwritten. ``--force``
    replaces them anyway."""
    from balance.errors import InputError, Problem

    out = Path(out_dir)
    present = [n for n in DEMO_FILES if (out / n).exists() or (out / n).is_symlink()]
    if not present:
        return
    readme = out / "README.md"
    first = README_TEXT.splitlines()[0].encode("utf-8")
    try:
        ours = readme.is_file() and not readme.is_symlink() and readme.open("rb").read(len(first)) == first
    except OSError:
        ours = False
    if ours:
        return
    raise InputError([Problem(file=str(out / n), column="--out", code="demo_would_overwrite",
                              problem_zh="该文件不是 balance demo-data 生成的，不会被覆盖；请换一个 --out 文件夹，或加 --force 覆盖",
                              problem_en="this file was not written by balance demo-data and is not replaced; choose another "
                                         "--out folder, or add --force to replace it") for n in present],
                     "不会覆盖已有文件", "existing files not replaced")
