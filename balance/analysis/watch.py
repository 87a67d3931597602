"""The small-school watch list (小规模学校监测名单): small schools and teaching points whose enrolment
has fallen for several years in a row.

:func:`small_school_watch` keeps, for each county and the latest year of the table (or ``year``),
the schools that

* are small: compulsory pupils (primary + junior) below ``max_pupils`` (default 100, the
  "按100名学生核定公用经费" line of 政府保障程度 item 6), or of a type in ``types`` (教学点 by
  default, whatever their size), and
* have fallen ``years`` years in a row (default 3): pupils(t) < pupils(t − 1) for each of the last
  ``years`` years, with a row for the school in every one of those years.

Settings live in ``balance/data/watch.yaml``. Columns: year, county_code, county_name, school_code,
school_name, school_type, urban_rural, township, pupils, pupils_first (``years`` years earlier),
change (pupils − pupils_first), change_share (change ÷ pupils_first), years_falling, series
(the pupils of each year, oldest first, e.g. ``2021:86 → 2022:74 → …``).
"""
from __future__ import annotations

import pandas as pd

from balance._resources import DATA_DIR

__all__ = ["COLUMNS", "watch_settings", "small_school_watch"]

COLUMNS = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "urban_rural",
           "township", "pupils", "pupils_first", "change", "change_share", "years_falling", "series"]


def watch_settings() -> dict:
    """The package defaults (``watch.yaml``)."""
    import yaml

    return yaml.safe_load((DATA_DIR / "watch.yaml").read_text(encoding="utf-8"))


def small_school_watch(table, *, year: int | None = None, years: int | None = None,
                       max_pupils: float | None = None, types=None) -> pd.DataFrame:
    """The watch list (see the module docstring); ``table`` a SchoolTable or canonical DataFrame."""
    cfg = watch_settings()
    years = int(cfg["years_falling"] if years is None else years)
    max_pupils = float(cfg["max_pupils"] if max_pupils is None else max_pupils)
    types = set(cfg["types"] if types is None else types)
    data = table.data if hasattr(table, "data") else table
    d = data[["year", "county_code", "county_name", "school_code", "school_name", "school_type", "urban_rural",
              "township", "primary_students", "junior_students"]].copy()
    d["pupils"] = d["primary_students"].astype("float64") + d["junior_students"].astype("float64")
    d["year"] = d["year"].astype(int)
    last = int(d["year"].max()) if year is None else int(year)
    span = list(range(last - years, last + 1))
    piv = d[d["year"].isin(span)].pivot_table(index=["county_code", "school_code"], columns="year", values="pupils",
                                              aggfunc="sum")
    piv = piv.reindex(columns=span)
    complete = piv.notna().all(axis=1)
    falling = pd.Series(True, index=piv.index)
    for a, b in zip(span[:-1], span[1:]):
        falling &= piv[b] < piv[a]
    keep = piv[complete & falling]
    now = d[d["year"] == last].set_index(["county_code", "school_code"])
    rows = []
    for key, series in keep.iterrows():
        r = now.loc[key]
        small = r["pupils"] < max_pupils or r["school_type"] in types
        if not small:
            continue
        first = float(series[span[0]])
        rows.append({"year": last, "county_code": key[0], "county_name": r["county_name"], "school_code": key[1],
                     "school_name": r["school_name"], "school_type": r["school_type"], "urban_rural": r["urban_rural"],
                     "township": r["township"], "pupils": int(r["pupils"]), "pupils_first": int(first),
                     "change": int(r["pupils"] - first), "change_share": (r["pupils"] - first) / first if first else float("nan"),
                     "years_falling": years,
                     "series": " → ".join(f"{y}:{int(series[y])}" for y in span)})
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["county_code", "change_share", "school_code"], kind="stable").reset_index(drop=True)
