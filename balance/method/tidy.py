"""Long-form (tidy) views of an assessment's verdicts, for pandas users.

:attr:`Assessment.verdicts` is the contract table (``verdicts.csv``): one row per year × county
with wide per-stage columns (``sections_小学``, ``sections_passed_初中`` …) and a list column
(``failing_items``). A researcher who groups, filters or plots wants one observation per row:

* :func:`verdicts_long` — one row per year × county × stage: ``sections``, ``sections_passed``,
  ``cvs_decisive``, ``cvs_passed`` of that stage and the county verdict ``passed``;
* :func:`failing_items_long` — one row per failing item: ``item_no`` (1, 2, … within the
  county-year, in the order of the verdict) and ``item`` (the sentence).

Both are derived from the contract tables, never recomputed: summing ``verdicts_long`` over the
stages gives the wide table's totals (tested).
"""
from __future__ import annotations

import pandas as pd

__all__ = ["verdicts_long", "failing_items_long"]

_ID = ["year", "county_code", "county_name", "standard_id"]


def verdicts_long(verdicts: pd.DataFrame, county_indicators: pd.DataFrame, stages) -> pd.DataFrame:
    """One row per year × county × stage (see the module docstring).

    Parameters
    ----------
    verdicts, county_indicators : DataFrame
        :attr:`Assessment.verdicts` and :attr:`Assessment.county_indicators`.
    stages : sequence of str
        The standard's stages, in order (``小学``, ``初中``).

    Returns
    -------
    DataFrame
        ``year, county_code, county_name, standard_id, stage, sections, sections_passed,
        cvs_decisive, cvs_passed, passed`` (``passed``: the county-year verdict, the same on
        each stage row; ``sections_passed``: NA when the standard has no school rule, as
        basic-2012). A stage without sections in a county-year has no row. ``cvs_decisive``
        counts the CVs that decide (basic-2012: the one 综合差异系数 per stage).
    """
    cols = [*_ID, "stage", "sections", "sections_passed", "cvs_decisive", "cvs_passed", "passed"]
    ci = county_indicators
    if verdicts.empty or ci.empty:
        return pd.DataFrame(columns=cols)
    keys = ["year", "county_code", "stage"]
    ok = ci["cv_passed"].astype("boolean").fillna(False).astype("int64")
    dec = ci["decisive"].astype("boolean").fillna(False).astype("int64")
    out = (ci.assign(_dec=dec, _ok=ok * dec).groupby(keys, sort=False)
           .agg(sections=("sections", "max"), cvs_decisive=("_dec", "sum"), cvs_passed=("_ok", "sum"))
           .reset_index())
    ident = [c for c in _ID if c in verdicts]
    wide = verdicts[[*ident, "passed", *[c for c in verdicts if c.startswith("sections_passed_")]]]
    out = out.merge(wide, on=["year", "county_code"], how="left")
    # sections passing the school rule, per stage, from the wide columns (NA without a school rule)
    passed_by_stage = pd.Series(pd.NA, index=out.index, dtype="Int64")
    for st in stages:
        col = f"sections_passed_{st}"
        if col in out:
            m = (out["stage"] == st).to_numpy()
            passed_by_stage[m] = pd.array(out.loc[m, col], dtype="Int64")
    out["sections_passed"] = passed_by_stage
    out["sections"] = out["sections"].astype("int64")
    order = {st: i for i, st in enumerate(stages)}
    out = out.assign(_s=out["stage"].map(order)).sort_values(["year", "county_code", "_s"], kind="stable")
    return out.reindex(columns=[c for c in cols if c in out]).reset_index(drop=True)


def failing_items_long(verdicts: pd.DataFrame) -> pd.DataFrame:
    """One row per failing item of every county-year: ``year, county_code, county_name,
    standard_id, item_no, item`` (a passing county-year has no row)."""
    cols = [*_ID, "item_no", "item"]
    if verdicts.empty or "failing_items" not in verdicts:
        return pd.DataFrame(columns=cols)
    ident = [c for c in _ID if c in verdicts]
    f = verdicts[[*ident, "failing_items"]].explode("failing_items").dropna(subset=["failing_items"])
    f = f.rename(columns={"failing_items": "item"})
    f.insert(len(ident), "item_no", f.groupby(level=0).cumcount() + 1)
    return f.reset_index(drop=True)
