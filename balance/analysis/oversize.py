"""Oversized schools and classes (大校额、大班额) per county and year.

County plans ask to 「化解…2000人以上"大校额"」 and 「切实消除…大班额现象」. :func:`oversize_counts`
counts them with the caps of 政府保障程度 items 4 and 5, taken from the standard in use
(``evaluation_items.yaml`` ``computed_defaults``, the standard's ``evaluation_settings`` and its
``relaxations`` for the schools they select — the same settings as
:func:`balance.method.evaluation.compute_school_items`, so the counts and the item agree):

* schools: every school with a section in the assessment's scope; a school is oversized when its
  compulsory pupils (primary + junior) exceed ``school_size_cap`` (2000), or
  ``school_size_cap_combined`` (2500) for 九年一贯制 / 十二年一贯制; ``seats_needed`` = Σ (pupils − cap)
  over the oversized schools (pupils to place elsewhere, or the growth of the cap);
* classes, per stage (``primary_*`` limit ``class_size_primary`` 45, ``junior_*`` limit
  ``class_size_junior`` 50), over the in-scope sections:

  - ``*_oversized_classes`` — Σ of 小学超标班额班数 / 初中超标班额班数 where given; a section with only
    最大班额 (largest class) over the limit counts as at least 1; ``*_sections_oversized`` the sections with one;
  - ``*_pupils_in_oversized_min`` — a lower bound of the pupils in those classes: classes × (limit + 1);
  - ``*_classes_needed`` — Σ max(0, ⌈pupils ÷ limit⌉ − classes): the classes a section must add so that
    its pupils fit at the limit (exact when pupils can be spread over the section's classes);
  - ``*_sections_unknown`` — sections with neither column given (the count is then a lower bound).

Counts are integers; a county-year without any class data shows 0 oversized classes and its
unknown sections, never NaN.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["STAGES", "COLUMNS", "HEADERS_ZH", "oversize_schools", "oversize_counts", "write_oversize"]

STAGES = (("小学", "primary", "class_size_primary"), ("初中", "junior", "class_size_junior"))

#: Columns of ``oversize.csv`` (a contract: add, never rename).
COLUMNS = ["year", "county_code", "county_name", "schools", "oversized_schools", "pupils_in_oversized_schools",
           "seats_needed"] + [f"{p}_{k}" for _, p, _ in STAGES for k in (
               "sections", "classes", "oversized_classes", "sections_oversized", "pupils_in_oversized_min",
               "classes_needed", "sections_unknown", "class_limit")] + ["school_size_cap", "school_size_cap_combined"]

HEADERS_ZH = {"year": "年份", "county_code": "县区代码", "county_name": "县区名称", "schools": "学校数",
              "oversized_schools": "超规模学校数", "pupils_in_oversized_schools": "超规模学校在校生数",
              "seats_needed": "超出规模上限的学生数", "school_size_cap": "学校规模上限",
              "school_size_cap_combined": "一贯制学校规模上限"}
for _zh, _p, _ in STAGES:
    HEADERS_ZH.update({f"{_p}_sections": f"{_zh}学段单位数", f"{_p}_classes": f"{_zh}班数",
                       f"{_p}_oversized_classes": f"{_zh}超标班额班数", f"{_p}_sections_oversized": f"{_zh}有超标班额的学段单位数",
                       f"{_p}_pupils_in_oversized_min": f"{_zh}超标班额学生数（下限）",
                       f"{_p}_classes_needed": f"{_zh}需增加班数", f"{_p}_sections_unknown": f"{_zh}缺少班额数据的学段单位数",
                       f"{_p}_class_limit": f"{_zh}班额上限"})


def oversize_schools(table, assessment) -> pd.DataFrame:
    """Per school × year of the assessment's scope: pupils, cap, oversized, and per stage the class
    figures (see the module docstring); the rows :func:`oversize_counts` sums."""
    from balance.io.county_sheet import item_spec
    from balance.method.evaluation import school_settings

    data = table.data if hasattr(table, "data") else table
    sec = assessment.sections
    scoped = sec[sec["in_scope"].astype(bool)]
    keys = set(zip(scoped["year"], scoped["school_code"]))
    sch = data[[(y, c) in keys for y, c in zip(data["year"], data["school_code"])]].copy()
    settings, _ = school_settings(sch, assessment.standard)
    pupils = sch["primary_students"].astype("float64") + sch["junior_students"].astype("float64")
    combined = sch["school_type"].isin(item_spec()["combined_school_types"]).to_numpy()
    cap = np.where(combined, settings["school_size_cap_combined"], settings["school_size_cap"])
    out = sch[["year", "county_code", "county_name", "school_code", "school_name", "school_type"]].copy()
    out["pupils"] = pupils.to_numpy()
    out["cap"] = cap
    out["oversized"] = pupils.to_numpy() > cap
    out["over_by"] = np.maximum(pupils.to_numpy() - cap, 0.0)
    scoped_stage = set(zip(scoped["year"], scoped["school_code"], scoped["stage"]))
    for zh, p, key in STAGES:
        here = np.array([(y, c, zh) in scoped_stage for y, c in zip(sch["year"], sch["school_code"])], dtype=bool)
        lim = settings[key].to_numpy()
        st = sch[f"{p}_students"].astype("float64").to_numpy()
        cl = sch[f"{p}_classes"].astype("float64").to_numpy()
        nan = np.full(len(sch), np.nan)
        mx = sch[f"{p}_max_class_size"].astype("float64").to_numpy() if f"{p}_max_class_size" in sch else nan
        over = sch[f"{p}_oversized_classes"].astype("float64").to_numpy() if f"{p}_oversized_classes" in sch else nan
        n_over = np.where(~np.isnan(over), over, np.where(~np.isnan(mx) & (mx > lim), 1.0, 0.0))
        known = ~np.isnan(over) | ~np.isnan(mx)
        with np.errstate(invalid="ignore", divide="ignore"):
            need = np.where(cl > 0, np.maximum(np.ceil(st / lim - 1e-9) - cl, 0.0), 0.0)
        out[f"{p}_section"] = here
        out[f"{p}_classes"] = np.where(here, np.nan_to_num(cl), 0.0)
        out[f"{p}_oversized_classes"] = np.where(here, n_over, 0.0)
        out[f"{p}_pupils_in_oversized_min"] = np.where(here, n_over * (lim + 1), 0.0)
        out[f"{p}_classes_needed"] = np.where(here, need, 0.0)
        out[f"{p}_unknown"] = here & ~known
        out[f"{p}_class_limit"] = lim
    return out.reset_index(drop=True)


def oversize_counts(table, assessment) -> pd.DataFrame:
    """Oversized schools and classes per year × county (columns :data:`COLUMNS`).

    Parameters
    ----------
    table : SchoolTable or DataFrame   the canonical school table (with the optional class columns
        小学最大班额, 初中最大班额, 小学超标班额班数, 初中超标班额班数 when the bureau has them)
    assessment : Assessment   of that table (its scope and its standard's caps)
    """
    s = oversize_schools(table, assessment)
    if s.empty:
        return pd.DataFrame(columns=COLUMNS)
    g = s.groupby(["year", "county_code", "county_name"], sort=True)
    out = g.agg(schools=("school_code", "size"), oversized_schools=("oversized", "sum"))
    out["pupils_in_oversized_schools"] = g.apply(lambda d: d.loc[d["oversized"], "pupils"].sum(), include_groups=False)
    out["seats_needed"] = g["over_by"].sum()
    from balance.method.evaluation import base_settings

    base = base_settings(assessment.standard)  # the national caps of the standard (relaxed schools: own cap)
    out["school_size_cap"] = base["school_size_cap"]
    out["school_size_cap_combined"] = base["school_size_cap_combined"]
    for _, p, _k in STAGES:
        out[f"{p}_sections"] = g[f"{p}_section"].sum()
        out[f"{p}_classes"] = g[f"{p}_classes"].sum()
        out[f"{p}_oversized_classes"] = g[f"{p}_oversized_classes"].sum()
        out[f"{p}_sections_oversized"] = g[f"{p}_oversized_classes"].apply(lambda x: int((x > 0).sum()))
        out[f"{p}_pupils_in_oversized_min"] = g[f"{p}_pupils_in_oversized_min"].sum()
        out[f"{p}_classes_needed"] = g[f"{p}_classes_needed"].sum()
        out[f"{p}_sections_unknown"] = g[f"{p}_unknown"].sum()
        out[f"{p}_class_limit"] = base[_k]
    out = out.reset_index()
    for c in COLUMNS[3:]:
        out[c] = out[c].round().astype("int64")
    return out[COLUMNS]


def write_oversize(counts: pd.DataFrame, out_dir) -> list:
    """``oversize.csv`` (English keys, UTF-8 with BOM) and ``oversize.xlsx`` (Chinese headers)."""
    from balance.io.export.xlsx import About, Sheet, save_workbook
    from balance.io.files import staged_files

    with staged_files(out_dir) as st:
        counts.to_csv(st.stage("oversize.csv"), index=False, encoding="utf-8-sig")
        sheet = Sheet("大校额大班额", counts, "每个县区每年一行：学校数、超规模学校及其在校生、各学段超标班额班数与需增加班数",
                      key="oversize", headers=HEADERS_ZH, freeze="D2")
        save_workbook(st.stage("oversize.xlsx"), [sheet], About())
    return st.final
