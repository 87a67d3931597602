"""The county verdict of resource allocation: :func:`county_verdicts` (method.md §5).

One row per year × county: passed when the county has in-scope sections, every stage the standard
assesses has in-scope sections ("all 14 CVs"), every section passes the school rule (when the
county rule asks for it) and every decisive CV is defined and within its limit; otherwise the
failing items, in plain Chinese sentences, in the order a reader lists them (no sections; a stage
without in-scope sections; sections missing the school rule, per stage; CVs, in table order).
Re-exported by :mod:`balance.method.official`, its home before the split.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.method.standards import Standard

__all__ = ["county_verdicts"]


def county_verdicts(county_ind: pd.DataFrame, school_results: pd.DataFrame, standard: Standard,
                    names: pd.DataFrame, sections: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per year × county: the resource-allocation verdict and what fails, in plain words.

    ``sections`` (all sections, in and out of scope) lets the verdict see a stage the county has
    but whose sections are all out of scope: its CVs cannot be computed, so the county does not
    pass ("all 14 CVs", method.md §5). A stage with no section at all in the county's data (no
    junior school) has no CVs and is not judged.

    Columns: year, county_code, county_name, standard_id, sections, sections_passed (NA without a
    school rule), cvs_decisive, cvs_passed, passed (bool, never NA: anything undefined fails),
    failing_items (list of Chinese sentences), and per stage ``sections_小学`` … counts.
    """
    n_keys = len(names)
    if n_keys == 0:
        return pd.DataFrame([])
    keys = names.sort_values(["year", "county_code"]).reset_index(drop=True)
    locate = _key_locator(keys)
    sr_key = locate(school_results) if len(school_results) else np.zeros(0, dtype="int64")
    n_sec = np.bincount(sr_key, minlength=n_keys).astype("int64")
    out: dict[str, object] = {
        "year": keys["year"].to_numpy(), "county_code": keys["county_code"], "county_name": keys["county_name"],
        "standard_id": pd.Series([standard.id] * n_keys, dtype="str"), "sections": n_sec,
    }
    items = _FailingItems()
    none = np.flatnonzero(n_sec == 0)
    items.add(none, 0, ["没有纳入评估的学段单位，无法判定"] * len(none))
    if sections is not None and len(sections):
        _missing_stage_items(items, sections, school_results, standard, locate, sr_key, n_sec)
    if standard.school_rule is not None:
        out.update(_school_rule_counts(items, school_results, standard, sr_key, n_keys))
    else:
        out["sections_passed"] = np.full(n_keys, pd.NA, dtype=object)
    out.update(_cv_counts(items, county_ind, locate, n_keys))
    lists, n_items = items.by_key(n_keys)
    out["passed"] = (n_sec > 0) & (n_items == 0)
    out["failing_items"] = lists
    return pd.DataFrame(out, index=pd.RangeIndex(n_keys), copy=False)


class _FailingItems:
    """Failing items as (county-year, rank, text); ranks keep the order in which a reader lists them."""

    def __init__(self) -> None:
        self.keys: list[np.ndarray] = []
        self.ranks: list[np.ndarray] = []
        self.texts: list[np.ndarray] = []

    def add(self, where: np.ndarray, rank, texts) -> None:
        """Items for the county-years at positions ``where`` (rank: one or one per item)."""
        self.keys.append(where.astype("int64"))
        self.ranks.append(np.broadcast_to(np.asarray(rank, dtype="int64"), where.shape).copy())
        self.texts.append(np.asarray(texts, dtype=object).reshape(-1))

    def by_key(self, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
        """(object array of each county-year's list of texts in rank order, number of items per county-year)."""
        k = np.concatenate(self.keys)
        r = np.concatenate(self.ranks)
        t = np.concatenate(self.texts)
        order = np.lexsort((r, k))
        k, t = k[order], t[order]
        items: list[list[str]] = [[] for _ in range(n_keys)]
        for key, text in zip(k.tolist(), t.tolist()):
            items[key].append(text)
        fi = np.empty(n_keys, dtype=object)
        fi[:] = items
        return fi, np.bincount(k, minlength=n_keys)


def _missing_stage_items(items: _FailingItems, sections: pd.DataFrame, school_results: pd.DataFrame,
                         standard: Standard, locate, sr_key: np.ndarray, n_sec: np.ndarray) -> None:
    """Every stage the standard assesses must be present: "all 14 CVs" (method.md §5). A county-year
    with sections of one stage only (a partial upload, or all excluded) is not judged a pass."""
    n_keys = len(n_sec)
    sr_stage = school_results["stage"] if len(school_results) else pd.Series([], dtype="str")
    all_key = locate(sections)
    for j, st in enumerate(standard.stages):
        scoped = np.bincount(sr_key[(sr_stage == st).to_numpy(dtype=bool)], minlength=n_keys) > 0
        exists = np.bincount(all_key[(sections["stage"] == st).to_numpy(dtype=bool)], minlength=n_keys) > 0
        missing = np.flatnonzero(exists & ~scoped & (n_sec > 0))
        items.add(missing, 1 + j, [f"{st}学段单位均未纳入评估，{st}差异系数无法计算，不能判定达标"] * len(missing))


def _school_rule_counts(items: _FailingItems, school_results: pd.DataFrame, standard: Standard,
                        sr_key: np.ndarray, n_keys: int) -> dict[str, np.ndarray]:
    """``sections_passed`` and per stage ``sections_<st>`` / ``sections_passed_<st>``; under
    ``all_sections_pass`` one failing item per stage with sections that miss the school rule."""
    out: dict[str, np.ndarray] = {}
    passed_sec = school_results["school_passed"].to_numpy(dtype="float64", na_value=0.0) if len(school_results) \
        else np.zeros(0)
    out["sections_passed"] = np.bincount(sr_key, weights=passed_sec, minlength=n_keys).astype("int64")
    st_codes, st_uniques = pd.factorize(school_results["stage"]) if len(school_results) \
        else (np.zeros(0, dtype="int64"), [])
    st_index = {u: k for k, u in enumerate(st_uniques)}
    for j, st in enumerate(standard.stages):
        m = st_codes == st_index.get(st, -2)
        total = np.bincount(sr_key[m], minlength=n_keys).astype("int64")
        ok = np.bincount(sr_key[m], weights=passed_sec[m], minlength=n_keys).astype("int64")
        out[f"sections_{st}"] = total
        out[f"sections_passed_{st}"] = ok
        if standard.county_rule.all_sections_pass:
            bad = np.flatnonzero(total - ok)
            items.add(bad, 1 + j, [f"{st}有 {f} 个学段单位未达到学校资源配置标准（共 {t} 个）"
                                   for f, t in zip((total - ok)[bad], total[bad])])
    return out


def _cv_counts(items: _FailingItems, county_ind: pd.DataFrame, locate, n_keys: int) -> dict[str, np.ndarray]:
    """``cvs_decisive`` and ``cvs_passed`` per county-year; one failing item per decisive CV that is
    undefined or above its limit, after the section items, in table order."""
    if len(county_ind):
        dec = county_ind[county_ind["decisive"].to_numpy(dtype=bool, na_value=False)]
    else:
        dec = county_ind.iloc[0:0]
    dec_key = locate(dec) if len(dec) else np.zeros(0, dtype="int64")
    cv_ok = dec["cv_passed"].to_numpy(dtype=bool, na_value=False) if len(dec) else np.zeros(0, dtype=bool)
    out = {"cvs_decisive": np.bincount(dec_key, minlength=n_keys).astype("int64"),
           "cvs_passed": np.bincount(dec_key, weights=cv_ok, minlength=n_keys).astype("int64")}
    fail = np.flatnonzero(~cv_ok)
    if len(fail):
        f = dec.iloc[fail]
        texts = [f"{st}“{ind}”差异系数无法计算（{note.split(' / ')[0]}）" if cv != cv else
                 f"{st}“{ind}”差异系数 {cv:.3f} 超过限值 {lim:.2f}"
                 for st, ind, cv, lim, note in zip(f["stage"], f["indicator"], f["cv"].to_numpy(dtype="float64"),
                                                   f["cv_limit"].to_numpy(dtype="float64"), f["cv_note"])]
        items.add(dec_key[fail], 100 + fail, texts)  # after the section items, in table order
    return out


def _key_locator(keys: pd.DataFrame):
    """A function mapping the (year, county_code) of a frame's rows to row positions in ``keys``."""
    cats = pd.Index(keys["county_code"].unique())
    y0 = int(keys["year"].min())
    n_years = int(keys["year"].max()) - y0 + 1
    table = np.full(n_years * len(cats), -1, dtype="int64")
    table[(keys["year"].to_numpy(dtype="int64") - y0) * len(cats) + cats.get_indexer(keys["county_code"])] = \
        np.arange(len(keys))

    def locate(df: pd.DataFrame) -> np.ndarray:
        y = df["year"].to_numpy(dtype="int64") - y0
        codes, uniques = pd.factorize(df["county_code"])  # look up the distinct codes only
        c = np.append(cats.get_indexer(uniques), -1)[codes]
        ok = (y >= 0) & (y < n_years) & (c >= 0)
        pos = np.full(len(df), -1, dtype="int64")
        pos[ok] = table[y[ok] * len(cats) + c[ok]]
        if (pos < 0).any():
            raise ValueError("rows for a county-year missing from names / 县区年度不在名单中")
        return pos
    return locate
