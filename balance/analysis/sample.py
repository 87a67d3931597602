"""The field-check sample (实地核查抽样): a reproducible stratified sample of a county's schools.

The city checks 「实地核查比例不少于全县义务教育中小学总数的40%」. :func:`draw_sample` draws, for one
county and one year:

1. **Population** — every school of the county that has a compulsory section (primary or junior
   pupils > 0) in that year, in the assessment's scope or not (teaching points included, also
   those under 50 pupils); special schools (特殊教育学校, :data:`NOT_SAMPLED`) are not 中小学 and are
   left out; N schools.
2. **Size** — n = ⌈share × N⌉ (share 0.4 by default); never fewer than the schools that must be seen.
3. **Must-see schools**, always drawn, with the reason:
   * a school with a section that fails the school rule (``school_rule``);
   * a school that drives a failing CV (``cv_driver``): for each decisive CV over its limit, the
     sections in order of their share of the pupil-weighted variance
     c_i = P_i (x_i − X)² / Σ_j P_j (x_j − X)² (X the pupil-weighted mean, method.md §4), taken
     until their shares add up to at least ``driver_share`` (default 0.5) of the variance.
4. **The rest** (n − must-see) at random within strata school type × urban/rural (学校类型 × 城乡类型):
   each stratum's quota is its share of the population (largest-remainder rounding of
   n × N_h / N), less the must-see schools already in it, at most the stratum's remaining schools;
   quotas that cannot be met go to the strata with the largest unfilled remainders. Within a stratum
   schools are ordered by school code and permuted by ``numpy.random.default_rng(seed)``, so the same
   data, share and seed give the same sample whatever the row order of the input.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from balance.errors import InputError, Problem

__all__ = [
    "NOT_SAMPLED", "REASON_ZH", "Sample", "cv_drivers", "draw_sample", "SAMPLE_HEADERS", "write_sample",
]

#: School types outside the population (not 义务教育中小学 in the sense of the check).
NOT_SAMPLED = ("特殊教育学校",)
REASON_ZH = {"school_rule": "必查：学校未达到资源配置标准", "cv_driver": "必查：推高未达标的差异系数",
             "random": "分层随机抽取"}


@dataclass
class Sample:
    """Result of :func:`draw_sample`.

    Attributes
    ----------
    schools : DataFrame  drawn schools: school_code, school_name, school_type, urban_rural, township,
        stratum, students (compulsory pupils), reason_code (school_rule / cv_driver / random),
        reason (Chinese, the details of every must-see reason)
    strata : DataFrame   per stratum: schools, must_see, drawn
    population : int     N
    size : int           n drawn (≥ ⌈share × N⌉)
    """

    schools: pd.DataFrame
    strata: pd.DataFrame
    population: int
    size: int
    share: float
    seed: int
    year: int
    county_code: str
    county_name: str

    @property
    def required(self) -> int:
        """⌈share × N⌉, the fewest schools the check asks for."""
        return math.ceil(self.share * self.population - 1e-9)


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(int)
    left = total - base.sum()
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:left]] += 1
    return base


def _true(s: pd.Series) -> np.ndarray:
    """A flag column (bool, nullable boolean, object or 0/1 floats) as booleans, missing as False."""
    return s.astype("boolean").fillna(False).to_numpy(dtype=bool)


def cv_drivers(assessment, driver_share: float = 0.5) -> pd.DataFrame:
    """The sections that drive each failing decisive CV: county_code, school_code, stage, indicator,
    contribution (share of the pupil-weighted variance, see the module docstring). A CV that is no
    indicator of the school results (a composite) has no sections to rank and no drivers."""
    ci = assessment.county_indicators
    sr = assessment.school_results
    bad = ci[_true(ci["decisive"]) & ~_true(ci["cv_passed"])]
    rows = []
    for r in bad.itertuples(index=False):
        if r.indicator not in sr.columns:  # a composite CV (basic-2012's 综合差异系数): no section values
            continue
        sec = sr[(sr["year"] == r.year) & (sr["county_code"] == r.county_code) & (sr["stage"] == r.stage)]
        x = sec[r.indicator].to_numpy(dtype="float64")
        p = sec["students"].to_numpy(dtype="float64")
        ok = np.isfinite(x) & (p > 0)
        if not ok.any():
            continue
        mean = float((p[ok] * x[ok]).sum() / p[ok].sum())
        dev = np.where(ok, p * (x - mean) ** 2, 0.0)
        total = dev.sum()
        if not total > 0:
            continue
        share = dev / total
        order = np.argsort(-share, kind="stable")
        acc = 0.0
        for k in order:
            rows.append({"county_code": r.county_code, "school_code": sec["school_code"].iat[k], "stage": r.stage,
                         "indicator": r.indicator, "contribution": float(share[k])})
            acc += share[k]
            if acc >= driver_share:
                break
    return pd.DataFrame(rows, columns=["county_code", "school_code", "stage", "indicator", "contribution"])


def draw_sample(assessment, *, year: int, county: str, share: float = 0.4, seed: int = 0,
                driver_share: float = 0.5) -> Sample:
    """Draw the field-check sample of one county × year (see the module docstring).

    Raises
    ------
    InputError
        ``share`` not in (0, 1], or the county has no compulsory school that year.
    """
    if not (isinstance(share, (int, float)) and math.isfinite(share) and 0 < share <= 1):
        raise InputError([Problem(file="--share", column="--share", value=str(share), code="share_out_of_range",
                                  problem_zh="抽样比例应在 0 到 1 之间（如 0.4 表示 40%）",
                                  problem_en="the share must be in (0, 1], e.g. 0.4 for 40 %")],
                         "参数有误", "invalid option")
    sec = _county_sections(assessment, year, county)
    schools = _sampling_frame(sec)
    reasons, codes = _must_see(assessment, sec, year, county, driver_share)
    N = len(schools)
    must = schools["school_code"].isin(list(reasons))
    n = max(math.ceil(share * N - 1e-9), int(must.sum()))
    strata, want = _stratum_quotas(schools, must, n, N)
    rng = np.random.default_rng(int(seed))
    drawn = set(reasons)
    for k, st in enumerate(strata["stratum"]):
        pool = schools.loc[(schools["stratum"] == st) & ~must, "school_code"].sort_values().to_numpy()
        if want[k] and len(pool):
            drawn.update(rng.permutation(pool)[: int(want[k])].tolist())
    out = _sample_rows(schools, drawn, reasons, codes)
    strata["drawn"] = strata["stratum"].map(out.groupby("stratum").size()).fillna(0).astype(int)
    cols = ["school_code", "school_name", "school_type", "urban_rural", "township", "stratum", "students",
            "reason_code", "reason"]
    name = str(sec["county_name"].iat[0])
    return Sample(out[cols], strata, N, len(out), float(share), int(seed), int(year), str(county), name)


def _county_sections(a, year, county) -> pd.DataFrame:
    """The assessment's sections of the county and year that can be sampled (not ``NOT_SAMPLED``);
    none raises."""
    sec = a.sections
    sec = sec[(sec["year"] == int(year)) & (sec["county_code"] == str(county))
              & ~sec["school_type"].isin(NOT_SAMPLED)]
    if sec.empty:
        raise InputError([Problem(file=a.source, column="县区代码", value=str(county), code="county_not_in_data",
                                  problem_zh=f"{year} 年数据中没有县区代码 {county} 的义务教育学校",
                                  problem_en=f"no compulsory school of county {county} in {year}")],
                         "筛选条件与数据不符", "filter does not match the data")
    return sec


def _sampling_frame(sec: pd.DataFrame) -> pd.DataFrame:
    """One row per school (pupils summed over its sections) with its stratum 学校类型·城乡类型."""
    schools = (sec.groupby("school_code", sort=True)
               .agg(school_name=("school_name", "first"), school_type=("school_type", "first"),
                    urban_rural=("urban_rural", "first"), township=("township", "first"),
                    students=("students", "sum"))
               .reset_index())
    schools["stratum"] = schools["school_type"].astype(str) + "·" + schools["urban_rural"].astype(str)
    return schools


def _must_see(a, sec: pd.DataFrame, year, county, driver_share: float) -> tuple[dict, dict]:
    """The schools that are always visited: ``(reasons, codes)`` — school code → its reasons
    (sections failing the school rule, then CV drivers by :func:`cv_drivers`) and its first
    reason code (``school_rule`` or ``cv_driver``)."""
    reasons: dict[str, list[str]] = {}
    codes: dict[str, str] = {}
    sr = a.school_results
    sr = sr[(sr["year"] == int(year)) & (sr["county_code"] == str(county))]
    n_ind = len(a.standard.indicators)
    # <NA> (a standard without a school rule, basic-2012) is no failure of it
    for r in sr[~sr["school_passed"].fillna(True).astype(bool)].itertuples(index=False):
        reasons.setdefault(r.school_code, []).append(f"{r.stage}学段 {r.indicators_met}/{n_ind} 项指标达标")
        codes.setdefault(r.school_code, "school_rule")
    sub = type(a)(a.standard, a.source, a.sha256, sec, sr, a.excluded, None,
                  a.county_indicators[(a.county_indicators["year"] == int(year))
                                      & (a.county_indicators["county_code"] == str(county))],
                  a.shortfalls, a.county_shortfalls, a.verdicts, a.warnings, a.header_map)
    for r in cv_drivers(sub, driver_share).itertuples(index=False):
        reasons.setdefault(r.school_code, []).append(
            f"{r.stage}{r.indicator}差异系数超限，该校占加权方差的 {r.contribution:.0%}")
        codes.setdefault(r.school_code, "cv_driver")
    return reasons, codes


def _stratum_quotas(schools: pd.DataFrame, must: pd.Series, n: int, N: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The strata (``stratum, schools, must_see``) and how many schools to draw at random in each:
    the largest-remainder share of ``n`` proportional to the stratum's schools, less its must-see
    schools, within its room; a shortfall goes to the strata with the largest exact remainders,
    an excess is taken from the largest quotas."""
    strata = schools.groupby("stratum", sort=True).agg(schools=("school_code", "size")).reset_index()
    strata["must_see"] = strata["stratum"].map(schools[must].groupby("stratum").size()).fillna(0).astype(int)
    quota = _largest_remainder(n, strata["schools"].to_numpy(dtype=float))
    want = np.maximum(quota - strata["must_see"].to_numpy(), 0)
    room = strata["schools"].to_numpy() - strata["must_see"].to_numpy()
    want = np.minimum(want, room)
    short = (n - int(must.sum())) - int(want.sum())
    if short > 0:  # the must-see schools crowded some strata: give the rest to strata with room
        exact = n * strata["schools"].to_numpy(dtype=float) / max(N, 1) - strata["must_see"].to_numpy() - want
        for k in np.argsort(-exact, kind="stable"):
            add = min(short, int(room[k] - want[k]))
            want[k] += add
            short -= add
            if short <= 0:
                break
    elif short < 0:  # more must-see schools than quota spare: take from the largest quotas
        for k in np.argsort(-want, kind="stable"):
            cut = min(-short, int(want[k]))
            want[k] -= cut
            short += cut
            if short >= 0:
                break
    return strata, want


def _sample_rows(schools: pd.DataFrame, drawn: set, reasons: dict, codes: dict) -> pd.DataFrame:
    """The drawn schools with reason code and reason text, must-see first (school rule, CV
    driver, random), then by stratum and code."""
    out = schools[schools["school_code"].isin(drawn)].copy()
    out["reason_code"] = [codes.get(c, "random") for c in out["school_code"]]
    out["reason"] = [("；".join([REASON_ZH[c]] + reasons[s]) if s in reasons else REASON_ZH["random"] + f"（{st}）")
                     for s, c, st in zip(out["school_code"], out["reason_code"], out["stratum"])]
    out["_o"] = out["reason_code"].map({"school_rule": 0, "cv_driver": 1, "random": 2})
    return out.sort_values(["_o", "stratum", "school_code"], kind="stable").drop(columns="_o").reset_index(drop=True)


SAMPLE_HEADERS = {"school_code": "学校标识码", "school_name": "学校名称", "school_type": "学校类型",
                  "urban_rural": "城乡类型", "township": "乡镇", "stratum": "抽样层", "students": "义务教育在校生数",
                  "reason_code": "抽取原因代码", "reason": "抽取原因"}
STRATA_HEADERS = {"stratum": "抽样层（学校类型·城乡类型）", "schools": "学校数", "must_see": "必查学校数",
                  "drawn": "抽取学校数"}


def write_sample(s: Sample, out_dir) -> list:
    """``sample.csv`` (English keys, UTF-8 with BOM) and ``sample.xlsx`` (抽样名单, 分层统计, 说明)."""
    from balance.io.export.xlsx import About, Sheet, save_workbook
    from balance.io.files import staged_files

    with staged_files(out_dir) as st:
        s.schools.to_csv(st.stage("sample.csv"), index=False, encoding="utf-8-sig")
        sheets = [
            Sheet("抽样名单", s.schools, "抽取的学校，每校一行：学校、抽样层、义务教育在校生数与抽取原因",
                  key="sample", headers=SAMPLE_HEADERS, freeze="C2", order_stages=False),
            Sheet("分层统计", s.strata, "每个抽样层（学校类型 × 城乡类型）一行：学校数、必查学校数、抽取学校数",
                  key="sample_strata", headers=STRATA_HEADERS),
        ]
        lines = [("县区", f"{s.county_code} {s.county_name}"), ("年度", str(s.year)),
                 ("义务教育学校总数", s.population), ("抽样比例", f"{s.share:.0%}"),
                 ("应抽学校数", s.required), ("实际抽取学校数", s.size),
                 ("随机种子", s.seed),
                 ("方法", "未达到学校资源配置标准的学校和推高未达标差异系数的学校全部抽取；其余名额按学校类型×城乡类型分层，"
                        "按各层学校数比例分配，层内随机抽取。同一数据、比例和随机种子得到同一名单。")]
        save_workbook(st.stage("sample.xlsx"), sheets, About(lines=lines))
    return st.final
