"""Edges of ``balance.analysis.watch`` that the round-5 mutmut run showed no test watched
(docs/mutation/round5-analysis-read.md): every column of a watched row, the default year, the
``types`` option, a SchoolTable as input, the last year of the window, the 100-pupil line, an empty
list and a history shorter than the window. Each test names the mutants it kills.
"""
from __future__ import annotations

import math

import pandas as pd

from balance.analysis.watch import COLUMNS, small_school_watch
from balance.io.table import SchoolTable


def _panel(series: dict[str, tuple[str, list[int]]], *, first_year: int = 2021, junior: int = 0,
           county: tuple[str, str] = ("990101", "青山县")) -> pd.DataFrame:
    """One row a year per school, from ``first_year`` on; ``junior`` junior pupils every year on top."""
    rows = []
    for code, (kind, pupils) in series.items():
        for k, p in enumerate(pupils):
            rows.append({"year": first_year + k, "county_code": county[0], "county_name": county[1],
                         "school_code": code, "school_name": f"学校{code}", "school_type": kind,
                         "urban_rural": "乡村", "township": "松岗乡", "primary_students": p,
                         "junior_students": junior})
    return pd.DataFrame(rows)


def test_every_column_of_a_watched_row():
    # kills primary − junior (junior pupils count too), county_code = key[1], and every renamed key
    # of the row (year, county_code, county_name, school_name, school_type, urban_rural, township,
    # years_falling: with columns=COLUMNS a renamed key leaves its column empty)
    t = _panel({"9990000001": ("九年一贯制学校", [50, 45, 40, 30])}, junior=20, county=("990102", "乙县"))
    w = small_school_watch(t, year=2024)
    assert list(w.columns) == COLUMNS  # also kills reset_index(drop=None / False): no `index` column
    assert w.to_dict("records") == [{
        "year": 2024, "county_code": "990102", "county_name": "乙县", "school_code": "9990000001",
        "school_name": "学校9990000001", "school_type": "九年一贯制学校", "urban_rural": "乡村",
        "township": "松岗乡", "pupils": 50, "pupils_first": 70, "change": -20, "change_share": -20 / 70,
        "years_falling": 3, "series": "2021:70 → 2022:65 → 2023:60 → 2024:50"}]


def _rises_in_last_year() -> pd.DataFrame:
    # A falls 2020–2023, then rises in 2024; B falls 2021–2024
    return _panel({"A": ("小学", [95, 90, 80, 70, 75]), "B": ("小学", [99, 95, 90, 80, 70])}, first_year=2020)


def test_the_default_year_is_the_latest_of_the_table():
    # kills `year is None` turned round or forced False, and int(None) / a renamed year column for
    # the default: without `year` the list is the one of the latest year (2024: only B)
    t = _rises_in_last_year()
    assert list(small_school_watch(t)["school_code"]) == ["B"]
    assert list(small_school_watch(t)["year"]) == [2024]


def test_an_earlier_year_is_watched_as_asked():
    # kills `(year is None) or True` (the year asked ignored): in 2023 A and B had both fallen 3 years
    w = small_school_watch(_rises_in_last_year(), year=2023)
    assert sorted(w["school_code"]) == ["A", "B"]
    assert set(w["year"]) == {2023}
    assert w.set_index("school_code").loc["A", "series"] == "2020:95 → 2021:90 → 2022:80 → 2023:70"


def test_types_given_replace_the_default():
    # kills `(types is None) or True` (the package's 教学点 always used)
    t = _panel({"C": ("教学点", [300, 250, 200, 150]), "D": ("小学", [900, 800, 700, 600])})
    assert list(small_school_watch(t, year=2024)["school_code"]) == ["C"]
    assert list(small_school_watch(t, year=2024, types=[])["school_code"]) == []
    assert list(small_school_watch(t, year=2024, types=["小学"])["school_code"]) == ["D"]


def test_a_school_table_is_read_through_its_data():
    # kills `hasattr(table, "data") and False`, hasattr(None, …) and the attribute renamed
    # ("XXdataXX", "DATA"): a SchoolTable is not a DataFrame
    t = _panel({"A": ("小学", [95, 90, 80, 70])})
    w = small_school_watch(SchoolTable(data=t, path="<DataFrame>", sha256=None), year=2024)
    assert list(w["school_code"]) == ["A"]


def test_a_flat_last_year_breaks_the_fall():
    # kills zip(span[:-2], span[1:]) (the last pair of years not compared)
    t = _panel({"A": ("小学", [95, 90, 80, 80]), "B": ("小学", [95, 90, 80, 81])})
    assert small_school_watch(t, year=2024).empty


def test_small_means_below_the_line():
    # kills `pupils <= max_pupils`: 100 pupils is not below 100 (the 100-pupil funding line)
    t = _panel({"A": ("小学", [130, 120, 110, 100]), "B": ("小学", [130, 120, 110, 99])})
    assert list(small_school_watch(t, year=2024)["school_code"]) == ["B"]


def test_an_empty_list_keeps_its_columns():
    # kills DataFrame(rows, columns=None) and the columns dropped: with no row the sort by
    # county_code would fail and the file would have no header
    t = _panel({"A": ("小学", [60, 70, 80, 90])})
    w = small_school_watch(t, year=2024)
    assert w.empty and list(w.columns) == COLUMNS


def test_a_history_shorter_than_the_window_watches_nobody():
    # kills reindex(columns=None): with rows for 2022–2024 only, 2021 (needed for 3 falling years)
    # is no column of the pivot, and comparing it must not fail
    t = _panel({"A": ("小学", [90, 80, 70])}, first_year=2022)
    w = small_school_watch(t, year=2024)
    assert w.empty and list(w.columns) == COLUMNS
    assert list(small_school_watch(t, year=2024, years=2)["school_code"]) == ["A"]


def test_the_settings_are_read_as_utf8_whatever_the_locale():
    # kills read_text(encoding=None): under a non-UTF-8 locale (POSIX/ASCII here, with locale
    # coercion and UTF-8 mode off, as a GBK Windows locale would be) 教学点 in watch.yaml would not
    # decode, or would decode to another string and teaching points would drop off the list
    import os
    import subprocess
    import sys
    # 教学点 written as escapes: the command line itself must be ASCII under this locale
    code = ("from balance.analysis.watch import watch_settings;"
            "print(watch_settings()['types'] == ['\\u6559\\u5b66\\u70b9'])")
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0",
               PYTHONIOENCODING="utf-8")
    r = subprocess.run([sys.executable, "-X", "utf8=0", "-c", code], env=env, capture_output=True, text=True,
                       encoding="utf-8", cwd=os.getcwd())
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


def test_change_share_of_a_watched_school_is_finite():
    # a watched school's first year is above every later one, so it is never 0 and the NaN branch
    # of change_share is unreachable (why the mutants of float("nan") are equivalent)
    t = _panel({"A": ("小学", [3, 2, 1, 0])})
    w = small_school_watch(t, year=2024)
    assert list(w["change_share"]) == [-1.0] and not math.isnan(w["change_share"].iloc[0])
