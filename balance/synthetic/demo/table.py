"""Yearly values of every school and the school table of 示例市 (:func:`generate_demo_table`).

Part of :mod:`balance.synthetic.demo` (the data are synthetic: 模拟数据，非真实学校).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.schema import COLUMNS
from balance.synthetic import DEFAULT_SEED, DEFAULT_YEARS
from balance.synthetic.demo.layout import _plan_schools
from balance.synthetic.demo.plan import COUNTIES, FACILITY_KEYS, RAW_BASE, RAW_CAP, SPLIT, STD, CountyPlan, _School


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
    """One row (canonical names) for school ``s`` in ``year``; updates ``s.state`` (persistent assets).

    The random draws are taken in a fixed order (pupils, the small-school gap, each stage's staff,
    the facilities, then computers and books), so the same seed gives the same table.
    """
    pupils = _year_pupils(plan, s, year, rng)
    row: dict = {"primary_students": pupils["小学"], "junior_students": pupils["初中"], "senior_students": pupils["高中"]}
    stages = [st for st in ("小学", "初中") if pupils[st] > 0]
    gap = _small_school_gap(plan, s, year, rng)
    for st, prefix in (("小学", "primary"), ("初中", "junior")):
        row.update(_stage_staff(plan, s, year, st, prefix, pupils[st], gap, rng))
    _grow_facilities(plan, s, year, pupils, stages, rng)
    row.update(_facility_row(s, year, pupils, rng))
    return row


def _year_pupils(plan: CountyPlan, s: _School, year: int, rng: np.random.Generator) -> dict[str, int]:
    """Pupils per stage: the start drifted since the first year (or the school's opening), with
    noise; held below the county's size cap where it has one."""
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
    return pupils


def _small_school_gap(plan: CountyPlan, s: _School, year: int, rng: np.random.Generator) -> bool:
    """Whether a small rural school lacks backbone and PE/art teachers this year (the county's
    ``small_school_gap`` schedule against the school's own draw, drawn once; a draw is taken every year)."""
    gap_u = s.state.setdefault("gap_u", float(rng.uniform()))
    gap_p = plan.small_school_gap
    return s.ur == "乡村" and bool(gap_p) and gap_u < float(np.interp(year, sorted(gap_p), [gap_p[y] for y in sorted(gap_p)]))


def _stage_staff(plan: CountyPlan, s: _School, year: int, st: str, prefix: str, p: int, gap: bool,
                 rng: np.random.Generator) -> dict[str, int]:
    """Classes and teachers of one stage with ``p`` pupils (``<prefix>_classes``, ``_teachers`` and the
    qualified, titled, backbone and PE/art teachers)."""
    dt = year - DEFAULT_YEARS[0]
    row: dict[str, int] = {}
    cls = _classes(s.type, s.ur, st, p, rng, _class_cap(plan, year))
    tch = _teachers(s.type, s.ur, st, p, cls, rng)
    row[f"{prefix}_classes"] = cls
    row[f"{prefix}_teachers"] = tch
    if p == 0:
        for f in ("qualified", "backbone", "pe_art", "titled"):
            row[f"{prefix}_{f}_teachers"] = 0
        return row
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
    return row


def _grow_facilities(plan: CountyPlan, s: _School, year: int, pupils: dict[str, int], stages: list[str],
                     rng: np.random.Generator) -> None:
    """The shared facilities in ``s.state``: never shrink; brought up to the county's floor."""
    dt = year - DEFAULT_YEARS[0]
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


def _facility_row(s: _School, year: int, pupils: dict[str, int], rng: np.random.Generator) -> dict:
    """Areas, equipment, rooms, computers and books of the row from ``s.state`` (the indoor sports
    hall counts in the teaching area and in the sports total)."""
    dt = year - DEFAULT_YEARS[0]
    st_state = s.state
    row: dict = {}
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


#: 2021 share of primary teachers with a bachelor's degree (of the 专科及以上 ones) and its yearly rise,
#: per 城乡类型: rural schools catch up, so the urban ÷ rural ratio falls towards 1.05 (issue 14 §5)
BACHELOR_SHARE = {"城区": (0.80, 0.008), "镇区": (0.70, 0.025), "乡村": (0.60, 0.055)}


def _bachelor_year(s: _School, year: int, row: dict, rng: np.random.Generator, speed: float) -> dict:
    """小学本科及以上学历专任教师数 of one school and year: a share of its 专科及以上 primary teachers,
    the school's own offset kept from year to year; one random number per call (subset property)."""
    u = float(rng.uniform())
    st = s.state.setdefault("bachelor", {"offset": (u - 0.5) * 0.12})
    base, rise = BACHELOR_SHARE[s.ur]
    share = min(0.98, max(0.2, base + st["offset"] + rise * speed * (year - DEFAULT_YEARS[0])))
    return {"primary_bachelor_teachers": int(math.floor(row["primary_qualified_teachers"] * share))}


def generate_demo_table(seed: int = DEFAULT_SEED, years=DEFAULT_YEARS, counties=None) -> pd.DataFrame:
    """The synthetic school table of 示例市 (8 fictional counties), one row per school per year.

    Parameters
    ----------
    seed : int
        Random seed; the same seed (and years) gives the same table, bit for bit.
    years : iterable of int
        Statistical years to output (the designed trends are anchored on 2021–2025). Every year from
        2021 to the last one is simulated, so ``years=(2025,)`` gives exactly the 2025 rows of the
        default table.
    counties : list of CountyPlan, optional
        The counties to simulate (default :data:`COUNTIES`, the eight of 示例市); e.g.
        ``[dataclasses.replace(COUNTIES[3], n_schools=124)]`` gives one county of about 120 schools
        (benchmarks and size tests of a large briefing).

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
    for k, plan in enumerate(COUNTIES if counties is None else counties):
        rng = np.random.default_rng([int(seed), k])
        # a stream of its own for the optional columns, so that adding them left the rest unchanged
        rng_optional = np.random.default_rng([int(seed), k, 1])
        rng_bachelor = np.random.default_rng([int(seed), k, 2])  # and one for the bachelor column
        speed = 0.6 + 0.9 * float(rng_bachelor.uniform())  # how fast the county's rural schools catch up
        schools = _plan_schools(plan, rng)
        for year in simulated:
            keep = year in years
            for s in schools:
                if year < s.open_year or year >= s.close_year:
                    continue
                row = _school_year(plan, s, year, rng)
                row.update(_optional_year(plan, s, year, row, rng_optional))
                row.update(_bachelor_year(s, year, row, rng_bachelor, speed))
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
