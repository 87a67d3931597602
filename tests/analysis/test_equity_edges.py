"""Edges of the equity tables, hand-worked: the option checks of ``--by`` / ``--groups`` at library
level (their exact canonical result and problem), the township fill of the decomposition, the
urban/rural gap when a side is missing or zero, the row order, and the within-group table's
unfilled group, single-school flag and notes, its column order and its repeated partitions."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from balance.analysis.equity import (
    GROUP_COLUMNS,
    KEYS,
    SINGLE_SCHOOL_NOTE,
    UNFILLED,
    check_grouping,
    check_groups,
    equity_table,
)
from balance.analysis.inequality import MEASURES, inequality_table
from balance.errors import InputError
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import primary, table

Q = load_standard("quality-2017")
EQUIP = "生均教学仪器设备值"
FOUR = ["township", "urban_rural", "ownership", "school_type"]


def _a(*rows):
    return assess_schools(table(*rows), Q)


# ---------------------------------------------------------------------------- check_grouping


@pytest.mark.parametrize("by", [None, "", "none", "无"])
def test_no_decomposition_spellings(by):
    assert check_grouping(by) is None


@pytest.mark.parametrize("by", ["urban_rural", "township", "stage", "城乡类型", "乡镇", "学段"])
def test_known_grouping_is_returned_as_given(by):
    assert check_grouping(by) == by


def test_unknown_grouping_is_one_bilingual_problem_naming_the_option():
    with pytest.raises(InputError) as e:
        check_grouping("学校类型")
    (p,) = e.value.problems
    assert (p.file, p.column, p.value, p.code) == ("命令行 / command line", "--by", "学校类型", "unknown_grouping")
    assert p.problem_zh == ("不支持的分组「学校类型」；可用：urban_rural、township、stage、城乡类型、乡镇、学段"
                            "（或 none：不分解）")
    assert p.problem_en == ("unsupported grouping '学校类型'; use one of: urban_rural, township, stage, 城乡类型, "
                            "乡镇, 学段 (or none: no decomposition)")
    assert (e.value.summary_zh, e.value.summary_en) == ("命令行参数有误", "invalid option")


# ---------------------------------------------------------------------------- check_groups


def test_groups_not_given_is_none():
    assert check_groups(None) is None


@pytest.mark.parametrize("text", ["all", "全部", " all ", "all,", "全部、"])
def test_all_names_the_four_partitions_in_order(text):
    assert check_groups(text) == FOUR


def test_groups_split_on_three_commas_canonical_and_once_each():
    assert check_groups(" 乡镇 , ownership，乡镇、学校类型,township") == ["township", "ownership", "school_type"]
    assert check_groups("城乡类型") == ["urban_rural"]


@pytest.mark.parametrize("text, value, shown", [
    ("乡镇,县长,学区", "县长, 学区", "「县长」、「学区」"),
    (",", ",", "「,」"),
    (" ， ", " ， ", "「 ， 」"),
    ("all,乡镇", "all", "「all」"),
])
def test_unknown_or_empty_group_column_is_one_exact_problem(text, value, shown):
    with pytest.raises(InputError) as e:
        check_groups(text)
    (p,) = e.value.problems
    assert (p.file, p.column, p.value, p.code) == ("命令行 / command line", "--groups", value, "unknown_group_column")
    assert p.problem_zh == (f"不支持的分组列{shown}；可用：乡镇（township）、城乡类型（urban_rural）、办学性质（ownership）、"
                            "学校类型（school_type），多个用逗号分隔，或 all（全部）")
    names = ", ".join(repr(n) for n in value.split(", ")) if text != " ， " else repr(text)
    assert p.problem_en == (f"unknown group column {names}; use one or more of: "
                            "township, urban_rural, ownership, school_type (comma-separated), or all")
    assert (e.value.summary_zh, e.value.summary_en) == ("命令行参数有误", "invalid option")


# ---------------------------------------------------------------------------- equity_table


@pytest.fixture()
def three():
    # equipment 元 per pupil: 城区 3000 (100 pupils), 镇区 2000 (300), 乡村 1500 (200)
    return _a(primary("1", 100, equipment=300_000.0, urban_rural="城区", township="城关镇"),
              primary("2", 300, equipment=600_000.0, urban_rural="镇区", township=""),
              primary("3", 200, equipment=300_000.0, urban_rural="乡村", township=None, ownership="民办"))


def test_no_decomposition_when_by_is_none_or_empty(three):
    for by in (None, ""):
        eq = equity_table(three, by=by)
        assert not [c for c in eq.columns if "between" in c or "within" in c]
        assert len(eq) == len(Q.indicator_names)
    with pytest.raises(ValueError, match=r"unsupported grouping: none \(choose \["):
        equity_table(three, by="none")


def test_township_blank_and_missing_are_one_unfilled_group(three):
    # 城关镇 = school 1; school 2 ("") and school 3 (missing) are both 「（未填）」: the same numbers as
    # naming their township outright
    sv = three.section_values
    assert sv["township"].isna().any() and (sv["township"] == "").any()
    eq = equity_table(three, by="乡镇")
    named = sv.assign(township=sv["township"].fillna(UNFILLED).replace("", UNFILLED))
    ref = inequality_table(named, value="value", weight="students", by=KEYS, group="township", zeros="nan")
    r, e = eq.set_index("indicator").loc[EQUIP], ref.set_index("indicator").loc[EQUIP]
    assert r.theil_t_between == pytest.approx(e.theil_t_between, rel=1e-12) and r.theil_t_between > 0
    assert r.theil_l_within == pytest.approx(e.theil_l_within, rel=1e-12) and r.theil_l_within > 0
    # two groups only: "" and missing are not two partitions of their own
    split = sv.assign(township=sv["township"].fillna("缺"))
    other = inequality_table(split, value="value", weight="students", by=KEYS, group="township", zeros="nan")
    assert other.set_index("indicator").loc[EQUIP].theil_t_between > r.theil_t_between


def test_gap_leaves_out_the_town_and_is_exact(three):
    r = equity_table(three).set_index("indicator").loc[EQUIP]
    # 城区 3000 (only school 1, 镇区 is neither side), 乡村 1500: ratio 2
    assert (r.urban_mean, r.rural_mean, r.urban_rural_ratio) == (3000.0, 1500.0, 2.0)
    assert r.n == 3 and r.students == 600


def test_gap_without_a_rural_or_an_urban_school_is_nan():
    no_rural = equity_table(_a(primary("1", 100, urban_rural="城区"), primary("2", 100, urban_rural="镇区")))
    assert no_rural["rural_mean"].isna().all() and no_rural["urban_rural_ratio"].isna().all()
    assert (no_rural["urban_mean"] > 0).all()
    no_urban = equity_table(_a(primary("1", 100, urban_rural="乡村"), primary("2", 100, urban_rural="镇区")))
    assert no_urban["urban_mean"].isna().all() and no_urban["urban_rural_ratio"].isna().all()
    assert (no_urban["rural_mean"] > 0).all()


def test_gap_over_a_rural_mean_of_zero_is_nan_and_zeros_make_theil_l_undefined():
    a = _a(primary("1", 100, urban_rural="城区", equipment=250_000.0),
           primary("2", 100, urban_rural="乡村", equipment=0.0))
    r = equity_table(a).set_index("indicator").loc[EQUIP]
    assert r.rural_mean == 0.0 and r.urban_mean == 2500.0 and np.isnan(r.urban_rural_ratio)
    assert np.isnan(r.theil_l) and "零值" in r.notes  # zeros="nan": never a number over the positive ones
    assert r.theil_t == pytest.approx(np.log(2))  # Theil T of (2500, 0) with equal pupils: ln 2


def test_include_median_reaches_mcloone():
    # equipment 1000 … 5000 元, 100 pupils each: median 3000; McLoone (1000+2000+3000)/(3 × 3000) = 2/3
    # with the median school, (1000+2000)/(2 × 3000) = 1/2 without it (the docstring's 6/9 and 3/6)
    a = _a(*[primary(str(i), 100, equipment=1000.0 * i * 100) for i in (1, 2, 3, 4, 5)])
    inc = equity_table(a).set_index("indicator").loc[EQUIP]
    exc = equity_table(a, include_median=False).set_index("indicator").loc[EQUIP]
    assert inc.mcloone == pytest.approx(2 / 3, rel=1e-12) and exc.mcloone == pytest.approx(0.5, rel=1e-12)
    g_exc = equity_table(a, groups="ownership", include_median=False).set_index("indicator").loc[EQUIP]
    g_inc = equity_table(a, groups="ownership").set_index("indicator").loc[EQUIP]
    assert g_exc.mcloone == pytest.approx(0.5, rel=1e-12) and g_inc.mcloone == pytest.approx(2 / 3, rel=1e-12)


def test_rows_sorted_by_year_county_stage_then_the_standards_indicator_order():
    rows = [primary("9", 100, year=2025, county_code="990102", county_name="乙县"),
            primary("8", 120, year=2025, county_code="990101"),
            primary("7", 110, year=2024, county_code="990102", county_name="乙县"),
            primary("6", 130, year=2024, county_code="990101")]
    eq = equity_table(_a(*rows))
    got = list(eq[["year", "county_code"]].drop_duplicates().itertuples(index=False, name=None))
    assert got == [(2024, "990101"), (2024, "990102"), (2025, "990101"), (2025, "990102")]
    for _, part in eq.groupby(["year", "county_code"]):
        assert part["indicator"].tolist() == list(Q.indicator_names)
    assert eq.index.tolist() == list(range(len(eq)))
    g = equity_table(_a(*rows), groups=["ownership", "township"])
    assert g.index.tolist() == list(range(len(g)))
    first = g[(g["year"] == 2024) & (g["county_code"] == "990101")]
    assert first["indicator"].tolist() == [i for i in Q.indicator_names for _ in ("ownership", "township")]
    assert first["grouping"].tolist()[:2] == ["ownership", "township"]


def test_empty_assessment_gives_the_columns_only():
    empty = SimpleNamespace(section_values=_a(primary("1", 100)).section_values.iloc[:0], standard=Q)
    assert equity_table(empty).columns.tolist() == KEYS and equity_table(empty).empty
    g = equity_table(empty, groups="all")
    assert g.empty and g.columns.tolist() == [*KEYS, "grouping", "group", "n", "students", "mean", *MEASURES,
                                               "single_school", "notes"]


# ---------------------------------------------------------------------------- within groups


def test_within_groups_unfilled_single_school_notes_and_columns(three):
    g = equity_table(three, groups="乡镇")
    assert g.columns.tolist() == [*KEYS, "grouping", "group", "n", "students", "mean", *MEASURES,
                                  "single_school", "notes"]
    e = g[g["indicator"] == EQUIP].set_index("group")
    # school 2 ("") and school 3 (missing) are one group 「（未填）」, sorted after 城关镇 by code point
    assert e.index.tolist() == sorted(["城关镇", UNFILLED]) and set(g["grouping"]) == {"township"}
    u = e.loc[UNFILLED]
    # (2000 × 300 + 1500 × 200) / 500 = 1800 元
    assert (u.n, u.students, u["mean"], bool(u.single_school), u.notes) == (2, 500, 1800.0, False, "")
    s = e.loc["城关镇"]
    assert bool(s.single_school) and s.n == 1 and s["mean"] == 3000.0 and s.notes == SINGLE_SCHOOL_NOTE
    assert all(np.isnan(s[m]) for m in MEASURES)
    assert g["single_school"].dtype == bool


def test_single_school_note_comes_before_the_tables_own_note():
    a = _a(primary("1", 100, township="甲镇", equipment=0.0), primary("2", 100, township="乙镇"),
           primary("3", 100, township="乙镇"))
    e = equity_table(a, groups="township").set_index(["indicator", "group"])
    one = e.loc[(EQUIP, "甲镇")]
    assert one.notes.startswith(SINGLE_SCHOOL_NOTE + "; ") and "零值" in one.notes
    assert one.notes == f"{SINGLE_SCHOOL_NOTE}; " + inequality_table(
        a.section_values[a.section_values["township"] == "甲镇"], by=KEYS).set_index("indicator").loc[EQUIP].notes
    assert e.loc[(EQUIP, "乙镇")].notes == "" and not e.loc[(EQUIP, "乙镇")].single_school


def test_groups_all_a_string_or_repeats_name_each_partition_once(three):
    assert list(dict.fromkeys(equity_table(three, groups="all")["grouping"])) == sorted(FOUR)
    for spelled in (["township", "乡镇"], ("乡镇",), "township"):
        assert set(equity_table(three, groups=spelled)["grouping"]) == {"township"}
        assert len(equity_table(three, groups=spelled)) == len(equity_table(three, groups=["township"]))
    with pytest.raises(ValueError) as e:
        equity_table(three, groups=["乡镇", "county", "学区"])
    assert str(e.value).startswith("不支持的分组 / unsupported grouping: ['county', '学区'] (choose [")
    assert str(e.value).endswith("] or 'all')") and all(k in str(e.value) for k in GROUP_COLUMNS)


def test_ownership_and_school_type_groups_are_their_values(three):
    g = equity_table(three, groups=["ownership", "school_type"])
    e = g[g["indicator"] == EQUIP]
    assert sorted(zip(e["grouping"], e["group"], e["n"])) == [
        ("ownership", "公办", 2), ("ownership", "民办", 1), ("school_type", "小学", 3)]
    pd.testing.assert_series_equal(e["single_school"].reset_index(drop=True), (e["n"] == 1).reset_index(drop=True),
                                   check_names=False)


def test_gap_ratio_is_defined_for_a_rural_mean_under_one():
    # 体育、艺术专任教师 per 100 pupils: 城区 2 teachers / 200 pupils = 1.0, 乡村 1 / 200 = 0.5: ratio 2
    a = _a(primary("1", 200, urban_rural="城区", pe_art=2), primary("2", 200, urban_rural="乡村", pe_art=1))
    r = equity_table(a).set_index("indicator").loc["每百名学生拥有体育、艺术专任教师数"]
    assert (r.urban_mean, r.rural_mean) == (1.0, 0.5) and r.urban_rural_ratio == 2.0


def test_county_table_columns_are_the_contract(three):
    decomposition = [f"{m}_{p}" for m in ("theil_t", "theil_l") for p in ("between", "within", "between_share")]
    tail = ["notes", "urban_mean", "rural_mean", "urban_rural_ratio"]
    assert equity_table(three).columns.tolist() == [*KEYS, "n", "students", "mean", *MEASURES, *decomposition, *tail]
    assert equity_table(three, by=None).columns.tolist() == [*KEYS, "n", "students", "mean", *MEASURES, *tail]
