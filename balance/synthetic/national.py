"""A synthetic *national* panel: ≈ 2,850 fictional counties, ≈ 200,000 school sections a year.

**The data are synthetic (模拟数据，非真实学校).** County codes use the fictional province prefixes
``90``–``99`` (no real Chinese code starts with 9); every name is invented.

``balance demo-data --scale national --years 5 --out DIR`` writes the panel as a balance Parquet
store (:mod:`balance.io.store`), one partition per year, in a few seconds. Unlike the small demo
(:mod:`balance.synthetic.demo`, a per-school simulation with a designed story) everything here is drawn
with vectorised numpy over all schools at once:

* **Counties**: about a third are urban districts (市辖区: mostly 城区 schools, few teaching
  points), the rest counties (县: mostly 镇区 and 乡村 schools, many teaching points). School
  counts per county are log-normal (median ≈ 40 in districts, ≈ 70 in counties, a long tail up to
  several hundred), as in the national statistics.
* **School mix** per county kind: 小学, 教学点, 初级中学, 九年一贯制学校, 完全中学,
  十二年一贯制学校 and one 特殊教育学校 per county; 民办 schools mainly in towns.
* **Enrolment** log-normal by type × 城乡类型 with a yearly drift (urban growth, rural decline).
  Classes and teachers follow typical class sizes and pupil–teacher ratios.
* **Resources**: each school's level per indicator (ratio to the quality-2017 standard) combines
  城乡类型, a persistent school effect and a county effect; each county runs a standardisation
  programme that lifts schools to a rising *floor*, so pass rates rise over the years. Buildings,
  grounds, equipment and rooms never shrink.

The same seed, years and county count give the same table (bit for bit). The rows pass the full
validation of :func:`balance.io.reading.load_school_table` (tested on a small panel).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from balance.schema import COLUMNS
from balance.synthetic.demo import STD

DEFAULT_SEED = 2026
DEFAULT_COUNTIES = 2850
FIRST_YEAR = 2021

TYPES = np.array(["小学", "教学点", "初级中学", "九年一贯制学校", "完全中学", "十二年一贯制学校", "特殊教育学校"])
T_PRI, T_POINT, T_JUN, T_NINE, T_FULL, T_TWELVE, T_SPECIAL = range(7)
UR = np.array(["城区", "镇区", "乡村"])
OWN = np.array(["公办", "民办"])
#: type probabilities (without the one special school per county) for districts / counties
MIX = {"district": [0.60, 0.05, 0.19, 0.10, 0.045, 0.015], "county": [0.50, 0.25, 0.13, 0.09, 0.025, 0.005]}
#: 城乡类型 probabilities for districts / counties
UR_MIX = {"district": [0.78, 0.14, 0.08], "county": [0.12, 0.33, 0.55]}
#: median pupils (小学, 初中, 高中) by type and 城乡类型 (rows: 城区, 镇区, 乡村)
PUPILS = {
    T_PRI: [(1700, 0, 0), (850, 0, 0), (230, 0, 0)],
    T_POINT: [(45, 0, 0), (45, 0, 0), (40, 0, 0)],
    T_JUN: [(1450, 0, 0), (850, 0, 0), (330, 0, 0)],
    T_NINE: [(1050, 650, 0), (550, 380, 0), (260, 200, 0)],
    T_FULL: [(0, 1000, 1700), (0, 850, 1400), (0, 600, 900)],
    T_TWELVE: [(700, 550, 600), (600, 450, 500), (500, 400, 400)],
    T_SPECIAL: [(90, 40, 0), (70, 30, 0), (60, 25, 0)],
}
SPLIT = {T_NINE: (1.0, 1.1, 0.0), T_TWELVE: (1.0, 1.1, 1.32), T_FULL: (0.0, 1.0, 1.2)}
#: yearly enrolment drift (小学, 初中, 高中) by 城乡类型
DRIFT = [(1.015, 1.035, 1.01), (0.99, 1.015, 1.0), (0.955, 0.985, 1.0)]
#: raw resource level (ratio to the standard) by 城乡类型, indicator keys as in balance.synthetic.demo
KEYS = ("qual", "backbone", "peart", "teach", "sports", "equip", "mm")
RAW = {"teach": (0.95, 1.10, 1.35), "sports": (0.85, 1.15, 1.45), "equip": (1.05, 0.92, 0.82),
       "mm": (0.98, 1.05, 1.20), "backbone": (1.40, 1.00, 0.80), "peart": (1.05, 0.95, 0.85)}
SPREAD = {"teach": 0.20, "sports": 0.26, "equip": 0.24, "mm": 0.16, "backbone": 0.28, "peart": 0.24, "qual": 1.0}
CLASS_SIZE = [(46, 49, 52), (42, 47, 50), (35, 42, 50)]
PTR = [(19.0, 13.0), (17.5, 12.5), (15.0, 11.5)]

_NAME_A = "东南西北中上下前后大小新老长平安永宁兴和丰盛明光华清青白红黄金石云山河江湖海松竹梅兰桃杏柳桂"
_NAME_B = "阳城山川河水源江林泉桥台峰岭原州丰安宁平泰兴昌盛远乐德康和"


def _years(years) -> tuple[int, ...]:
    """``5`` → the 5 years ending 2025; a list of calendar years as it is."""
    if isinstance(years, (int, np.integer)):
        years = [int(years)]
    ys = sorted({int(y) for y in years})
    if len(ys) == 1 and 0 < ys[0] < 1000:
        n = ys[0]
        return tuple(range(FIRST_YEAR + 5 - n, FIRST_YEAR + 5)) if n <= 5 else tuple(range(FIRST_YEAR, FIRST_YEAR + n))
    return tuple(ys)


def _county_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    idx = np.arange(n)
    district = rng.uniform(size=n) < 0.34
    per_prov = -(-n // 10)
    prov = 90 + idx // per_prov
    within = idx % per_prov
    pref = 1 + within // 15
    cty = 1 + within % 15 + np.where(district, 0, 20)  # 01-15 districts, 21-35 counties (as in real codes)
    code = prov * 10000 + pref * 100 + cty
    a = np.array(list(_NAME_A))
    b = np.array(list(_NAME_B))
    name = [f"{a[i % len(a)]}{b[(i // len(a)) % len(b)]}{'区' if d else '县'}" for i, d in zip(idx, district)]
    size = np.where(district, rng.lognormal(np.log(36), 0.65, n), rng.lognormal(np.log(61), 0.55, n))
    size = np.clip(np.rint(size), 8, 900).astype("int64")
    return pd.DataFrame({
        "code": code.astype("int64"), "name": name, "district": district, "size": size,
        "floor0": rng.uniform(0.62, 0.95, n),          # standardisation floor in the first year
        "floor_step": rng.uniform(0.0, 0.07, n),       # its yearly rise
        "level": rng.normal(0.0, 0.08, n),             # county resource effect (log scale)
        "weak": rng.integers(0, len(KEYS), n),         # one indicator the county neglects
        "weak_mult": rng.uniform(0.55, 0.95, n),
        "n_towns": np.clip(np.rint(size / 9), 3, 40).astype("int64"),
    })


def _plan_schools(rng: np.random.Generator, counties: pd.DataFrame) -> dict[str, np.ndarray]:
    """Static attributes of every school (one entry per school, schools ordered by county)."""
    n_c = len(counties)
    size = counties["size"].to_numpy()
    district = counties["district"].to_numpy()
    county = np.repeat(np.arange(n_c), size - 1)  # the last slot is the special school
    d = district[county]
    n = len(county)
    stype = np.empty(n, dtype="int64")
    ur = np.empty(n, dtype="int64")
    for kind, mask in (("district", d), ("county", ~d)):
        k = int(mask.sum())
        stype[mask] = rng.choice(6, size=k, p=MIX[kind])
        ur[mask] = rng.choice(3, size=k, p=UR_MIX[kind])
    ur[stype == T_POINT] = 2
    ur[(stype == T_FULL) & (ur == 2)] = 1  # 完全中学 sit in towns
    # one special school per county, in the county town
    county = np.concatenate([county, np.arange(n_c)])
    stype = np.concatenate([stype, np.full(n_c, T_SPECIAL)])
    ur = np.concatenate([ur, np.zeros(n_c, dtype="int64")])
    order = np.lexsort((stype == T_SPECIAL, county))  # keep schools grouped by county
    county, stype, ur = county[order], stype[order], ur[order]
    n = len(county)
    private_p = np.select([ur == 0, ur == 1], [0.10, 0.04], 0.01)
    private = (rng.uniform(size=n) < private_p) & np.isin(stype, [T_PRI, T_JUN, T_NINE, T_TWELVE])
    private |= stype == T_TWELVE
    base = np.zeros((n, 3))
    for t, rows in PUPILS.items():
        m = stype == t
        base[m] = np.asarray(rows, dtype="float64")[ur[m]]
    base[private & (stype == T_PRI)] = (800, 0, 0)
    sigma = np.where(stype == T_POINT, 0.55, 0.40)[:, None]
    pupils0 = base * np.exp(rng.normal(0, 1, (n, 3)) * sigma)
    pupils0[stype == T_POINT, 0] = np.clip(pupils0[stype == T_POINT, 0], 6, 160)
    drift = np.asarray(DRIFT)[ur] * np.exp(rng.normal(0, 0.015, (n, 3)))
    drift[stype == T_POINT] = 0.94
    drift[stype == T_SPECIAL] = 1.02
    effect = {k: rng.normal(0, SPREAD[k], n) for k in KEYS}
    has_hall = (np.isin(stype, [T_JUN, T_FULL, T_NINE, T_TWELVE]) | ((ur == 0) & (stype == T_PRI)))
    has_hall &= rng.uniform(size=n) < np.where(ur == 0, 0.75, 0.4)
    hall = np.where(has_hall, np.round(rng.uniform(400, 1400, n), 1), 0.0)
    hall_year = np.where(rng.uniform(size=n) < 0.7, 0, rng.integers(1, 4, n))
    n_towns = counties["n_towns"].to_numpy()[county]
    town = np.where(ur == 0, 0, 1 + rng.integers(0, 1 << 30, n) % np.maximum(n_towns - 1, 1))
    serial = np.arange(n) - np.searchsorted(county, county, side="left") + 1
    return {"county": county, "type": stype, "ur": ur, "private": private, "pupils0": pupils0, "drift": drift,
            "effect": effect, "hall": hall, "hall_year": hall_year, "town": town, "serial": serial,
            "gap_u": rng.uniform(size=n), "computers_per": rng.uniform(0.09, 0.16, n),
            "books_per": rng.uniform(24, 40, n)}


def _names(counties: pd.DataFrame, s: dict) -> dict[str, np.ndarray]:
    """County, township and school names (built once; the same every year)."""
    cname = counties["name"].to_numpy(dtype=object)[s["county"]]
    a = np.array(list(_NAME_A))
    b = np.array(list(_NAME_B))
    town_no = s["town"]
    town_names = np.array([f"{a[(k * 7) % len(a)]}{b[(k * 3) % len(b)]}{'镇' if k % 3 else '乡'}" for k in range(64)],
                          dtype=object)
    township = np.where(town_no == 0, "城关镇", town_names[town_no % 64])
    # type labels in names
    label = np.array(["小学", "教学点", "初级中学", "九年一贯制学校", "完全中学", "十二年一贯制学校", "特殊教育学校"],
                     dtype=object)[s["type"]]
    school = [f"{c}{t}第{k}{lab}" if u else f"{c}{lab}" for c, t, k, lab, u in
              zip(cname, township, s["serial"], label, s["type"] != T_SPECIAL)]
    return {"county_name": cname, "township": township, "school_name": np.asarray(school, dtype=object)}


def _year_rows(counties: pd.DataFrame, s: dict, names: dict, state: dict, year: int, dt: int,
               rng: np.random.Generator) -> pd.DataFrame:
    """One year of the panel (``dt`` years after the first); ``state`` carries the facilities over.

    The random draws are taken in a fixed order (pupils, then each stage's classes and teachers,
    then the facilities), so the same seed gives the same tables.
    """
    n = len(s["county"])
    pupils = _pupils(s, dt, rng)
    c = s["county"]
    cty = {"floor": np.minimum(counties["floor0"].to_numpy() + counties["floor_step"].to_numpy() * dt, 1.08)[c],
           "weak_key": counties["weak"].to_numpy()[c], "weak_mult": counties["weak_mult"].to_numpy()[c],
           "level": counties["level"].to_numpy()[c]}
    row: dict[str, np.ndarray] = {}
    for j, (stage, prefix) in enumerate((("小学", "primary"), ("初中", "junior"))):
        row.update(_stage_teachers(s, cty, j, stage, prefix, pupils[:, j], dt, rng))
    hall, sports_total, rooms = _facilities(s, cty, pupils, dt, state, rng)
    st, ur = s["type"], s["ur"]
    total = pupils.sum(axis=1)
    out = {
        "year": np.full(n, year, dtype="int64"),
        "county_code": None, "county_name": names["county_name"], "school_code": None,
        "school_name": names["school_name"], "school_type": TYPES[st].astype(object),
        "ownership": OWN[s["private"].astype(int)].astype(object), "urban_rural": UR[ur].astype(object),
        "primary_students": pupils[:, 0], "junior_students": pupils[:, 1], "senior_students": pupils[:, 2],
        **row,
        "teaching_area": np.round(state["teach"] + hall, 1),
        "indoor_sports_area": np.round(hall, 1),
        "sports_ground_area": np.round(sports_total - hall, 1),
        "equipment_value": np.round(state["equip"], -1),
        "computers": np.maximum(2, np.rint(total * s["computers_per"] * (1 + 0.04 * dt))).astype("int64"),
        "books": np.rint(total * s["books_per"] * (1 + 0.02 * dt) / 10).astype("int64") * 10,
        "multimedia_rooms": rooms.astype("int64"),
        "township": names["township"],
    }
    out["county_code"] = state["county_code"]
    out["school_code"] = state["school_code"]
    names_order = [col["name"] for col in COLUMNS if col["name"] in out]
    df = pd.DataFrame({k: out[k] for k in names_order})
    df["source_row"] = np.arange(n, dtype="int64") + 2
    return df


def _pupils(s: dict, dt: int, rng: np.random.Generator) -> np.ndarray:
    """Pupils per school × stage (primary, junior, senior): the start drifted ``dt`` years, with noise;
    0 where the school type has no such stage, else at least a small minimum."""
    n = len(s["county"])
    st = s["type"]
    pupils = s["pupils0"] * s["drift"] ** dt * np.exp(rng.normal(0, 0.02, (n, 3)))
    offered = np.zeros((n, 3), dtype=bool)
    offered[:, 0] = np.isin(st, [T_PRI, T_POINT, T_NINE, T_TWELVE, T_SPECIAL])
    offered[:, 1] = np.isin(st, [T_JUN, T_NINE, T_FULL, T_TWELVE, T_SPECIAL])
    offered[:, 2] = np.isin(st, [T_FULL, T_TWELVE])
    lo = np.where(st == T_POINT, 3, np.where(st == T_SPECIAL, 8, 20))[:, None]
    return np.where(offered, np.maximum(lo, np.rint(pupils)), 0).astype("int64")


def _stage_teachers(s: dict, cty: dict, j: int, stage: str, prefix: str, p: np.ndarray, dt: int,
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Classes and teachers of one stage (``j``: 0 primary, 1 junior) with ``p`` pupils per school:
    ``<prefix>_classes``, ``_teachers``, ``_qualified_teachers``, ``_titled_teachers``,
    ``_backbone_teachers`` and ``_pe_art_teachers``."""
    n = len(p)
    st, ur = s["type"], s["ur"]
    row: dict[str, np.ndarray] = {}
    has = p > 0
    size = np.asarray(CLASS_SIZE)[ur, j] * rng.uniform(0.95, 1.06, n)
    grades = 6 if j == 0 else 3
    cls = np.maximum(np.minimum(grades, np.ceil(p / 8)), np.ceil(p / size))
    cls = np.where(st == T_POINT, np.clip(np.ceil(p / 14), 1, 4), cls)
    cls = np.where(st == T_SPECIAL, np.maximum(1, np.ceil(p / 10)), cls)
    ptr = np.asarray(PTR)[ur, j] * rng.uniform(0.93, 1.07, n)
    tch = np.maximum(np.rint(p / ptr), np.ceil(cls * (1.4 if j == 0 else 2.6)))
    tch = np.where(st == T_POINT, np.maximum(2, np.ceil(p / 11)), tch)
    tch = np.where(st == T_SPECIAL, np.maximum(3, np.ceil(p / 3.5)), tch)
    cls = np.where(has, cls, 0).astype("int64")
    tch = np.where(has, tch, 0).astype("int64")
    row[f"{prefix}_classes"] = cls
    row[f"{prefix}_teachers"] = tch
    qual_base = np.asarray([(0.985, 0.93), (0.96, 0.87), (0.92, 0.80)])[ur, j]
    qshare = np.minimum(1.0, qual_base + 0.012 * dt + 0.03 * s["effect"]["qual"])
    row[f"{prefix}_qualified_teachers"] = np.minimum(tch, np.rint(tch * qshare)).astype("int64")
    tshare = np.clip(np.asarray([0.58, 0.50, 0.42])[ur] + 0.01 * dt + 0.08 * s["effect"]["qual"], 0.2, 0.9)
    row[f"{prefix}_titled_teachers"] = np.minimum(tch, np.rint(tch * tshare)).astype("int64")
    floor, weak_key, weak_mult = cty["floor"], cty["weak_key"], cty["weak_mult"]
    for key, col in (("backbone", "backbone"), ("peart", "pe_art")):
        need = STD[key][stage] * p / 100
        mult = np.where(weak_key == KEYS.index(key), weak_mult, 1.0)
        raw = np.asarray(RAW[key])[ur] * mult * np.exp(s["effect"][key] + cty["level"]) * (1 + 0.02 * dt)
        if key == "backbone":
            raw = np.where(s["private"], raw * 0.8, raw)
        num = np.rint(raw * need)
        fl = floor * np.where(weak_key == KEYS.index(key), weak_mult, 1.0)
        num = np.where(num < fl * need, np.ceil(fl * need * rng.uniform(1.0, 1.08, n)), num)
        if key == "backbone":
            num = np.where((st == T_POINT) & (fl < 0.9), np.minimum(num, rng.uniform(size=n) < 0.3), num)
        gap = (ur == 2) & (p < 150) & (s["gap_u"] < np.clip(0.5 - 0.1 * dt - (floor - 0.8), 0, 1))
        num = np.where(gap, 0, num)
        row[f"{prefix}_{col}_teachers"] = np.minimum(num, tch).astype("int64")
    return row


def _facilities(s: dict, cty: dict, pupils: np.ndarray, dt: int, state: dict,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shared facilities (teaching area, sports ground, equipment, multimedia rooms) in ``state``:
    the need of the most demanding stage, never shrinking. Returns (sports hall area, total sports
    area, multimedia rooms)."""
    n = len(pupils)
    st, ur = s["type"], s["ur"]
    floor, weak_key, weak_mult = cty["floor"], cty["weak_key"], cty["weak_mult"]
    w = np.tile(np.array([1.0, 1.1, 1.32]), (n, 1))
    for t, ws in SPLIT.items():
        w[st == t] = ws
    wsum = (w * pupils).sum(axis=1)
    assessed = pupils[:, :2] > 0
    for key in ("teach", "sports", "equip", "mm"):
        fstd = np.array([STD[key]["小学"], STD[key]["初中"]]) / (100.0 if key == "mm" else 1.0)
        mult = np.where(weak_key == KEYS.index(key), weak_mult, 1.0)
        raw = np.asarray(RAW[key])[ur] * mult * np.exp(s["effect"][key] + cty["level"])
        raw = np.minimum(raw, 2.0) * (1.06 ** dt if key == "equip" else 1.0)
        per = np.where(assessed, fstd[None, :] / np.where(w[:, :2] > 0, w[:, :2], 1.0), 0.0).max(axis=1)
        fl = floor * mult
        raw = np.where(st == T_SPECIAL, 2.0, raw)
        fl = np.where(st == T_SPECIAL, 2.0, fl)
        target = wsum * per * raw
        req = wsum * per * fl
        prev = state.get(key)
        if prev is None:
            amount = np.maximum(target, req * rng.uniform(1.0, 1.05, n))
        else:
            grow = rng.uniform(1.02, 1.07, n) if key == "equip" else 1.0
            amount = prev * grow
            amount = np.where(amount < req, req * rng.uniform(1.01, 1.06, n), amount)
        state[key] = amount
    hall = np.where((s["hall_year"] == 0) | (dt >= s["hall_year"]), s["hall"], 0.0)
    sports_total = np.maximum(state["sports"], hall * 1.5)
    state["sports"] = sports_total
    rooms = np.ceil(state["mm"])
    state["mm"] = rooms
    return hall, sports_total, rooms


def generate_national(seed: int = DEFAULT_SEED, years=5, counties: int = DEFAULT_COUNTIES):
    """Yield ``(year, DataFrame)`` of the synthetic national panel, one canonical table per year.

    Parameters
    ----------
    seed : int
        Random seed: same seed, years and county count → identical tables.
    years : int or iterable of int
        A count (``5`` → 2021–2025) or calendar years. Years are simulated consecutively from the
        first one (assets carry over).
    counties : int
        Number of counties (default 2,850; ≈ 70 sections each).

    Yields
    ------
    (int, DataFrame)
        Canonical column names (as :attr:`balance.io.reading.SchoolTable.data`, with ``source_row``),
        sorted by county and school code.
    """
    ys = _years(years)
    rng = np.random.default_rng([int(seed), 86])
    cf = _county_frame(rng, int(counties))
    s = _plan_schools(rng, cf)
    names = _names(cf, s)
    codes = cf["code"].to_numpy()[s["county"]]
    state: dict = {"county_code": pd.array(codes.astype(str), dtype="str").to_numpy(dtype=object),
                   "school_code": (codes * 10000 + s["serial"]).astype(str).astype(object)}
    first = ys[0]
    for year in range(first, ys[-1] + 1):
        yr_rng = np.random.default_rng([int(seed), 87, year])
        df = _year_rows(cf, s, names, state, year, year - first, yr_rng)
        if year in ys:
            yield year, df


def national_table(seed: int = DEFAULT_SEED, years=5, counties: int = DEFAULT_COUNTIES) -> pd.DataFrame:
    """All years of :func:`generate_national` in one canonical DataFrame."""
    return pd.concat([df for _, df in generate_national(seed, years, counties)], ignore_index=True)


def write_national(out_dir, seed: int = DEFAULT_SEED, years=5, counties: int = DEFAULT_COUNTIES,
                   replace: bool = True) -> dict:
    """Write the panel as a balance Parquet store (one partition per year) and a README.

    Returns ``{"years": [...], "rows": {year: n}, "seconds": s, "path": Path}``.
    """
    from balance.io.store import write_partition

    t0 = time.perf_counter()
    out = Path(out_dir)
    rows = {}
    for year, df in generate_national(seed, years, counties):
        write_partition(df, out, year, replace=replace, source=f"balance demo-data --scale national --seed {seed} "
                        f"--counties {counties}", validation="generator")
        rows[year] = len(df)
    (out / "_README.md").write_text(
        "# 全国模拟面板（模拟数据，非真实学校）/ Synthetic national panel (NOT real schools)\n\n"
        f"- 县区 / counties: {counties}；年份 / years: {', '.join(map(str, rows))}；随机种子 / seed: {seed}\n"
        f"- 每年学校数 / schools per year: {', '.join(map(str, rows.values()))}\n"
        "- 县区代码以虚构的 90–99 省级前缀开头 / county codes use the fictional province prefixes 90–99\n"
        "- 格式：balance Parquet 数据仓库，每年一个分区 / a balance Parquet store, one partition per year\n",
        encoding="utf-8")
    return {"years": list(rows), "rows": rows, "seconds": time.perf_counter() - t0, "path": out}
