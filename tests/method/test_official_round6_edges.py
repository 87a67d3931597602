"""Edges of balance/method/official.py, verdicts.py and standards.py that round 6 of the mutation
run (issue 10, docs/mutation/round6-method-core.md) reached for the first time and found unwatched.

Each test names the mutants it kills; each was applied to the source, seen to fail, and the source
restored. Expected numbers are read off ``quality-2017.yaml`` (units, CV limits) or worked by hand
in the docstring.
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from balance.method import official
from balance.method.standards import load_standard
from balance.method.verdicts import county_verdicts

QUAL = "每百名学生拥有高于规定学历教师数"  # quality-2017: unit 人/百生, 小学 4.2, 初中 5.3
Q_TEXT = open(load_standard("quality-2017").source, encoding="utf-8").read()
RULE = "county_rule: {all_sections_pass: true, each_cv_within_limit: true}"


def _cv_long(indicators, stage="小学"):
    """group_cv's long form for one county-year, one row per indicator (cv 0.8: above every limit)."""
    n = len(indicators)
    return pd.DataFrame({"year": [2025] * n, "county_code": ["990101"] * n, "stage": [stage] * n,
                         "indicator": list(indicators), "value": [1.0] * n, "cv": [0.8] * n,
                         "sections": [2] * n, "students": [200] * n, "cv_note": [""] * n})


NAMES = pd.DataFrame({"year": [2025], "county_code": ["990101"], "county_name": ["测试县"]})


def test_cvs_decide_nothing_when_the_county_rule_does_not_ask_for_them_even_with_cv_limits(tmp_path):
    """A province keeps quality-2017's cv_limit (0.50 / 0.45) but judges its counties by the school
    rule only (``each_cv_within_limit: false``, which the standard's checks allow). A CV of 0.8 then
    decides nothing: not decisive, no verdict (NA), no limit (NaN, a float column as with basic-2012).
    Kills ``cv_limit and each_cv_within_limit`` → ``or`` (the 0.8 would fail the county) and, in the
    no-limit branch, ``cv_limit = None`` (an object column) and the renamed ``cv_limit`` column
    (``XXcv_limitXX`` / ``CV_LIMIT``: the table loses its cv_limit column)."""
    assert RULE in Q_TEXT
    p = tmp_path / "school-rule-only.yaml"
    p.write_text(Q_TEXT.replace("id: quality-2017", "id: school-rule-only")
                 .replace(RULE, "county_rule: {all_sections_pass: true, each_cv_within_limit: false}"),
                 encoding="utf-8")
    std = load_standard(p)
    assert std.cv_limit and not std.county_rule.each_cv_within_limit
    out = official.county_indicators(_cv_long([QUAL]), std, NAMES)
    assert list(out["decisive"]) == [False]
    assert out["cv_passed"].isna().all()
    assert out["cv_limit"].dtype == "float64" and out["cv_limit"].isna().all()


def test_an_indicator_the_standard_does_not_know_gets_no_unit_and_the_known_ones_keep_theirs():
    """county_indicators is public: a long table may carry an indicator that is not the standard's
    (here ``自定义指标``). Then the units are looked up one by one: the known indicator keeps
    人/百生, the unknown one has none (NaN), and the threshold follows the same rule (4.2 for 小学,
    NaN). Kills the fallback branch's ``unit = None``, the renamed ``unit`` column (2, KeyError),
    ``map(None)`` and the renamed ``indicator`` column it reads (2)."""
    std = load_standard("quality-2017")
    out = official.county_indicators(_cv_long([QUAL, "自定义指标"]), std, NAMES)
    got = dict(zip(out["indicator"], out["unit"]))
    assert got[QUAL] == "人/百生"
    assert pd.isna(got["自定义指标"])
    thr = dict(zip(out["indicator"], out["threshold"]))
    assert thr[QUAL] == 4.2 and np.isnan(thr["自定义指标"])


def _sr(county, n, year=2025):
    return pd.DataFrame({"year": [year] * n, "county_code": [county] * n, "stage": ["小学"] * n,
                         "school_passed": pd.array([True] * n, dtype="boolean")})


def test_three_counties_of_one_year_each_get_their_own_section_count():
    """Three counties in one year with 1, 2 and 3 sections. The key grid is year × county; with its
    position written as ``y·n − c`` instead of ``y·n + c`` (mutant ``_key_locator`` 29) the second
    and third counties swap places (−1 and −2 wrap around a grid of 3), so 990102 would be counted
    with 3 sections and 990103 with 2. Two counties never show it (−1 wraps onto position 1)."""
    std = load_standard("quality-2017")
    names = pd.DataFrame({"year": [2025] * 3, "county_code": ["990101", "990102", "990103"],
                          "county_name": ["甲县", "乙县", "丙县"]})
    sr = pd.concat([_sr("990101", 1), _sr("990102", 2), _sr("990103", 3)], ignore_index=True)
    out = county_verdicts(pd.DataFrame(), sr, std, names)
    assert dict(zip(out["county_code"], out["sections"])) == {"990101": 1, "990102": 2, "990103": 3}
    assert dict(zip(out["county_code"], out["county_name"])) == {"990101": "甲县", "990102": "乙县",
                                                                  "990103": "丙县"}


def test_a_row_without_a_county_code_is_refused_not_counted_for_another_county():
    """A school-results row whose county code is missing (NaN: ``factorize`` gives it code −1) is a
    county-year not in the names and must be refused, like an unknown code. Kills the sentinel
    ``np.append(…, -1)`` → ``+1``, which counts that row for the second county of the table."""
    std = load_standard("quality-2017")
    names = pd.DataFrame({"year": [2025] * 2, "county_code": ["990101", "990102"], "county_name": ["甲县", "乙县"]})
    sr = pd.concat([_sr("990101", 1), _sr("990102", 1)], ignore_index=True)
    sr.loc[1, "county_code"] = np.nan
    with pytest.raises(ValueError, match="missing from names"):
        county_verdicts(pd.DataFrame(), sr, std, names)


def test_a_relative_path_is_cached_by_its_absolute_path(tmp_path, monkeypatch):
    """The same relative name ``p.yaml`` in two folders, two files of the same size and modification
    time that differ in one letter: each folder's own standard is read. Kills ``_load_cached(…,
    absolute=None, …)`` (the second load would return the first folder's cached standard)."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for d, sid in ((a, "prov-a"), (b, "prov-b")):
        (d / "p.yaml").write_text(Q_TEXT.replace("id: quality-2017", f"id: {sid}"), encoding="utf-8")
        os.utime(d / "p.yaml", ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert (a / "p.yaml").stat().st_size == (b / "p.yaml").stat().st_size
    monkeypatch.chdir(a)
    assert load_standard("p.yaml").id == "prov-a"
    monkeypatch.chdir(b)
    assert load_standard("p.yaml").id == "prov-b"


def test_a_changed_file_with_the_same_modification_time_is_read_again_when_its_size_changed(tmp_path):
    """A file rewritten within the same clock tick (same ``st_mtime_ns``, set here with ``utime``)
    but of another size is read again. Kills ``_load_cached(…, size=None)``."""
    p = tmp_path / "p.yaml"
    ns = 1_700_000_000_000_000_000
    p.write_text(Q_TEXT.replace("id: quality-2017", "id: before"), encoding="utf-8")
    os.utime(p, ns=(ns, ns))
    assert load_standard(p).id == "before"
    p.write_text(Q_TEXT.replace("id: quality-2017", "id: after-the-change"), encoding="utf-8")
    os.utime(p, ns=(ns, ns))
    assert load_standard(p).id == "after-the-change"


def test_shortfalls_sort_their_rows_unless_told_the_sections_already_are():
    """``presorted`` is a promise the caller makes; without it shortfalls sorts. Two sections out of
    order (a 小学 row before a 初中 row; 初中 sorts first), both short of QUAL: the rows come 初中,
    小学. Kills the default ``presorted=False`` → ``True`` (the rows would keep the input order)."""
    from balance.method.indicators import indicator_values
    from tests.factories import section_rows, zero_standards

    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(stage="小学", students=100), dict(stage="初中", students=100)])
    out = official.shortfalls(sec, indicator_values(sec, std), zero_standards(std, sec, **{QUAL: [1.0, 1.0]}), std)
    assert list(zip(out["stage"], out["school_code"])) == [("初中", "9999999901"), ("小学", "9999999900")]


def test_sections_without_a_facility_share_column_count_every_column_whole():
    """Sections built by hand without ``facility_share`` are taken as share 1 (each section is its
    own school): 100 pupils, 0 multimedia rooms against 3 per 100 → 3 rooms short, 3 to add at
    the school, share 1.0. Kills ``"facility_share" in sections`` → ``or True`` (KeyError) and the
    fallback ``np.ones(len(sections))`` → ``np.ones(None)``."""
    from balance.method.indicators import indicator_values
    from tests.factories import section_rows, zero_standards

    rooms = "每百名学生拥有网络多媒体教室数"
    std = load_standard("quality-2017")
    sec = section_rows(std, [dict(students=100)]).drop(columns="facility_share")
    out = official.shortfalls(sec, indicator_values(sec, std), zero_standards(std, sec, **{rooms: [3.0]}), std)
    assert list(out["indicator"]) == [rooms]
    assert list(out["shortfall"]) == [3.0] and list(out["add_to_school"]) == [3.0]
    assert list(out["facility_share"]) == [1.0]


def test_rows_of_a_year_after_the_last_one_named_are_refused_with_the_message():
    """Names cover 2024 and 2025; a school-results row of 2026 lies just past the key grid (y =
    n_years). It is refused with the bilingual message, not an IndexError. Kills the bound
    ``y < n_years`` → ``y <= n_years`` of ``_key_locator``'s lookup."""
    std = load_standard("quality-2017")
    names = pd.DataFrame({"year": [2024, 2025], "county_code": ["990101"] * 2, "county_name": ["甲县"] * 2})
    sr = pd.concat([_sr("990101", 1, year=2024), _sr("990101", 1, year=2026)], ignore_index=True)
    with pytest.raises(ValueError, match="missing from names / 县区年度不在名单中"):
        county_verdicts(pd.DataFrame(), sr, std, names)
