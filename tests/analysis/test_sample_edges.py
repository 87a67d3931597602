"""The field-check sample at library level, hand-worked: largest-remainder rounding, stratum quotas
with must-see schools, the CV drivers of a hand-made assessment, the population and its size, the
must-see reasons and their order, the share and county checks, and the files written. (The CLI's
tests in tests/cli/test_sample.py run the demo data end to end; these are fast and exact.)"""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from balance.analysis.sample import (
    NOT_SAMPLED,
    REASON_ZH,
    _county_sections,
    _largest_remainder,
    _must_see,
    _stratum_quotas,
    cv_drivers,
    draw_sample,
    write_sample,
)
from balance.errors import InputError
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import junior, primary, table

Q = load_standard("quality-2017")
EQUIP = "生均教学仪器设备值"
C = "99999999"  # the factories' school codes are "9…9" + the given digits


# ---------------------------------------------------------------------------- _largest_remainder


@pytest.mark.parametrize("total, weights, expected", [
    (4, [5, 3, 2], [2, 1, 1]),        # exact 2, 1.2, 0.8: the one left goes to the largest remainder 0.8
    (2, [1, 1, 1], [1, 1, 0]),        # ties: the first strata (stable order)
    (5, [3, 4, 4], [1, 2, 2]),        # exact 1.36, 1.82, 1.82
    (6, [1, 2, 3], [1, 2, 3]),        # exact already
    (1, [0, 2, 0], [0, 1, 0]),
    (0, [1, 2], [0, 0]),
    (-1, [1, 2], [0, 0]),
    (3, [0, 0], [0, 0]),
    (1, [1], [1]),                    # one stratum of one school
    (3, [2] * 20, [1, 1, 1] + [0] * 17),  # 20 equal remainders: the first three, past numpy's small-array sort
])
def test_largest_remainder(total, weights, expected):
    got = _largest_remainder(total, np.array(weights, dtype=float))
    assert got.tolist() == expected and got.dtype.kind == "i"


# ---------------------------------------------------------------------------- _stratum_quotas


def _frame(sizes: dict) -> pd.DataFrame:
    return pd.DataFrame([{"school_code": f"{st}{i}", "stratum": st} for st, k in sizes.items() for i in range(k)])


def test_quotas_without_must_see_are_the_rounded_shares():
    schools = _frame({"B": 4, "A": 3, "C": 4})  # strata come out sorted
    strata, want = _stratum_quotas(schools, pd.Series(False, index=schools.index), 5, 11)
    assert strata.columns.tolist() == ["stratum", "schools", "must_see"]
    assert strata["stratum"].tolist() == ["A", "B", "C"] and strata["schools"].tolist() == [3, 4, 4]
    assert strata["must_see"].tolist() == [0, 0, 0] and strata["must_see"].dtype.kind == "i"
    assert want.tolist() == [1, 2, 2]


def test_must_see_schools_count_against_their_stratums_quota():
    schools = _frame({"A": 4, "B": 6})
    must = schools["school_code"].isin(["B0"])
    # n = 4 of N = 10: quotas 1.6 → 2 and 2.4 → 2; B has one must-see school, so 1 more at random
    strata, want = _stratum_quotas(schools, must, 4, 10)
    assert strata["must_see"].tolist() == [0, 1] and want.tolist() == [2, 1]
    # A: 2 schools, one must-see, quota 1 of n = 5 → it is the must-see school, none at random; B: 4 of 8
    schools = _frame({"A": 2, "B": 8})
    strata, want = _stratum_quotas(schools, schools["school_code"].isin(["A0"]), 5, 10)
    assert strata["must_see"].tolist() == [1, 0] and want.tolist() == [0, 4]


def test_surplus_must_see_schools_are_taken_from_the_largest_quota_first():
    # A: 3 schools, all must-see; B, C: 4 each; n = 5 of 11 → quotas (1, 2, 2), A's 1 is already
    # more than used: 5 − 3 = 2 at random, the 2 taken from the first largest quota (B) in full
    schools = _frame({"A": 3, "B": 4, "C": 4})
    must = schools["stratum"] == "A"
    strata, want = _stratum_quotas(schools, must, 5, 11)
    assert strata["must_see"].tolist() == [3, 0, 0] and want.tolist() == [0, 0, 2]
    # two must-see in a 2-school stratum of 10 with n = 4: quotas (1, 3) → want (0, 3), one too many
    schools = _frame({"A": 2, "B": 8})
    strata, want = _stratum_quotas(schools, schools["stratum"] == "A", 4, 10)
    assert want.tolist() == [0, 2] and int(want.sum()) == 4 - 2


def test_the_surplus_is_cut_from_the_largest_quota_and_from_the_next_when_it_is_used_up():
    # A: 3 must-see; B: 2; C: 6; n = 5 of 11 → quotas (1.36, 0.91, 2.73) → (1, 1, 3); 2 at random, so the
    # surplus 2 is cut from C's 3 → (0, 1, 1)
    schools = _frame({"A": 3, "B": 2, "C": 6})
    assert _stratum_quotas(schools, schools["stratum"] == "A", 5, 11)[1].tolist() == [0, 1, 1]
    # A: 4 must-see; B: 3; C: 3; n = 4 of 10 → quotas (2, 1, 1): nothing at random; B's 1 is cut, then C's
    schools = _frame({"A": 4, "B": 3, "C": 3})
    assert _stratum_quotas(schools, schools["stratum"] == "A", 4, 10)[1].tolist() == [0, 0, 0]


def test_ties_in_a_frame_of_many_strata_go_to_the_first_strata():
    # A: 3 schools, all must-see; S00 … S19: 2 each; N = 43, n = 18: quotas A 1 (1.26), S00–S16 1 (the 17
    # largest of 20 equal remainders 0.84), S17–S19 0; 15 at random, so S00 and S01 give up their 1
    sizes = {"A": 3, **{f"S{i:02d}": 2 for i in range(20)}}
    schools = _frame(sizes)
    strata, want = _stratum_quotas(schools, schools["stratum"] == "A", 18, 43)
    assert want.tolist() == [0, 0, 0] + [1] * 15 + [0] * 3


def test_every_sample_size_is_met_exactly_without_going_over_a_stratum():
    # every n of a 3-stratum frame with must-see schools: the random quotas always add up to n − must
    schools = _frame({"A": 2, "B": 5, "C": 3})
    must = schools["school_code"].isin(["A0", "A1", "B4"])
    for n in range(3, 11):
        strata, want = _stratum_quotas(schools, must, n, 10)
        assert int(want.sum()) == n - 3, n
        assert (want >= 0).all() and (want <= strata["schools"] - strata["must_see"]).all(), n


# ---------------------------------------------------------------------------- cv_drivers


def _ci(**kw):
    row = dict(year=2025, county_code="990101", stage="小学", indicator=EQUIP, decisive=True, cv_passed=False)
    row.update(kw)
    return row


def _sec(code, x, p, **kw):
    row = dict(year=2025, county_code="990101", stage="小学", school_code=code, students=p, **{EQUIP: x})
    row.update(kw)
    return row


def _fake(ci_rows, sr_rows):
    return SimpleNamespace(county_indicators=pd.DataFrame(ci_rows), school_results=pd.DataFrame(sr_rows))


# x = 1, 1, 1, 5 with 100 pupils each: mean 2, P(x−X)² = 100, 100, 100, 900 of 1200 → shares 1/12 ×3, 3/4
FOUR = [_sec("s1", 1.0, 100), _sec("s2", 1.0, 100), _sec("s3", 1.0, 100), _sec("s4", 5.0, 100)]
DECOYS = [_sec("other_county", 100.0, 100, county_code="990102"), _sec("other_year", 100.0, 100, year=2024),
          _sec("junior", 100.0, 100, stage="初中"), _sec("missing", np.nan, 100), _sec("no_pupils", 100.0, 0)]


@pytest.mark.parametrize("driver_share, expected", [
    (0.5, [("s4", 0.75)]),
    (0.75, [("s4", 0.75)]),                                  # reaching the share exactly is enough
    (0.8, [("s4", 0.75), ("s1", 1 / 12)]),                   # ties in order of the rows
    (1.0, [("s4", 0.75), ("s1", 1 / 12), ("s2", 1 / 12), ("s3", 1 / 12)]),
])
def test_cv_drivers_hand_worked(driver_share, expected):
    d = cv_drivers(_fake([_ci()], FOUR + DECOYS), driver_share)
    assert d.columns.tolist() == ["county_code", "school_code", "stage", "indicator", "contribution"]
    assert [(r.school_code, r.contribution) for r in d.itertuples()] == [
        (c, pytest.approx(v, rel=1e-12)) for c, v in expected]
    assert set(d["county_code"]) == {"990101"} and set(d["stage"]) == {"小学"} and set(d["indicator"]) == {EQUIP}


def test_cv_drivers_default_share_is_one_half():
    # x = 0, 2, 4 with 100 pupils each: mean 2, P(x−X)² = 400, 0, 400 of 800 → shares 0.5, 0, 0.5;
    # 0.5 is reached by the first school alone, 0.51 needs the third too
    rows = [_sec("a", 0.0, 100), _sec("b", 2.0, 100), _sec("c", 4.0, 100)]
    d = cv_drivers(_fake([_ci()], rows))
    assert d["school_code"].tolist() == ["a"] and d["contribution"].tolist() == [0.5]
    assert cv_drivers(_fake([_ci()], rows), 0.51)["school_code"].tolist() == ["a", "c"]


@pytest.mark.parametrize("ci", [
    _ci(decisive=False), _ci(decisive=np.nan), _ci(cv_passed=True),
])
def test_only_failing_decisive_cvs_have_drivers(ci):
    assert cv_drivers(_fake([ci], FOUR)).empty


def test_an_unknown_cv_pass_counts_as_failing():
    assert cv_drivers(_fake([_ci(cv_passed=np.nan)], FOUR))["school_code"].tolist() == ["s4"]


def test_no_variance_or_no_valid_section_has_no_driver_and_the_next_cv_still_counts():
    flat = [_sec("f1", 3.0, 100), _sec("f2", 3.0, 200)]
    empty = [_sec("e1", np.nan, 100), _sec("e2", 4.0, 0)]
    d = cv_drivers(_fake([_ci(stage="初中"), _ci(year=2024), _ci()],
                         [*[dict(r, stage="初中") for r in flat], *[dict(r, year=2024) for r in empty], *FOUR]))
    assert d["school_code"].tolist() == ["s4"] and d.empty is False
    none = cv_drivers(_fake([_ci(stage="初中")], [dict(r, stage="初中") for r in flat]))
    assert none.empty and none.columns.tolist() == ["county_code", "school_code", "stage", "indicator",
                                                    "contribution"]


def test_cv_drivers_weigh_by_pupils():
    # x = 1, 3 with 300 and 100 pupils: mean 1.5; 300·0.25 = 75, 100·2.25 = 225 of 300 → 0.75 for the small one
    d = cv_drivers(_fake([_ci()], [_sec("big", 1.0, 300), _sec("small", 3.0, 100)]))
    assert d["school_code"].tolist() == ["small"] and d["contribution"].iloc[0] == pytest.approx(0.75, rel=1e-12)


def test_a_school_of_one_pupil_can_drive_a_cv():
    # x = 1, 1, 1 (100 pupils each) and 100 (1 pupil): X = 400/301; the one-pupil school has 98.7² ≈ 9736
    # of the ≈ 9768 of P(x−X)²: it is the driver
    d = cv_drivers(_fake([_ci()], [*FOUR[:3], _sec("tiny", 100.0, 1)]))
    x, p = np.array([1.0, 1.0, 1.0, 100.0]), np.array([100.0, 100.0, 100.0, 1.0])
    dev = p * (x - (p * x).sum() / p.sum()) ** 2
    assert d["school_code"].tolist() == ["tiny"]
    assert d["contribution"].iloc[0] == pytest.approx(dev[3] / dev.sum(), rel=1e-12)


def test_a_small_variance_still_has_drivers():
    # FOUR's values ÷ 100 (per-100-pupil counts are small): P(x−X)² adds up to 0.12, the shares are the same
    d = cv_drivers(_fake([_ci()], [dict(r, **{EQUIP: r[EQUIP] / 100}) for r in FOUR]))
    assert d["school_code"].tolist() == ["s4"] and d["contribution"].iloc[0] == pytest.approx(0.75, rel=1e-12)


def test_equal_contributions_are_taken_in_row_order_in_a_large_county():
    # 19 sections at x = 1 and one (the 11th row) at 20, 100 pupils each: X = 1.95, shares 18.05²/T and
    # 0.95²/T each (T = 18.05² + 19·0.95²); 0.955 needs the high one and two of the equal ones: rows 1, 2
    rows = [_sec(f"r{i:02d}", 20.0 if i == 10 else 1.0, 100) for i in range(20)]
    d = cv_drivers(_fake([_ci()], rows), 0.955)
    t = 18.05 ** 2 + 19 * 0.95 ** 2
    assert d["school_code"].tolist() == ["r10", "r00", "r01"]
    assert d["contribution"].tolist() == pytest.approx([18.05 ** 2 / t, 0.95 ** 2 / t, 0.95 ** 2 / t], rel=1e-12)


# ---------------------------------------------------------------------------- draw_sample on an assessment


def _county(**kw):
    """青山 990101, 2025: school 1 drives the failing equipment CV (30 000 元 per pupil), school 2 fails the
    school rule (500 元 per pupil), schools 3–5 are plain; school 6 is a special school, school 7 of another
    county fails, school 8 is the same county in 2024 and fails."""
    return [primary("1", 100, equipment=3_000_000.0), primary("2", 100, equipment=50_000.0, urban_rural="乡村"),
            primary("3", 100), primary("4", 100, urban_rural="乡村"), primary("5", 100),
            primary("6", 100, school_type="特殊教育学校"),
            primary("7", 100, county_code="990102", county_name="乙县", equipment=10.0),
            primary("8", 100, year=2024, equipment=10.0)]


@pytest.fixture(scope="module")
def a():
    return assess_schools(table(*_county()), Q)


def test_must_see_reasons_and_codes(a):
    sec = _county_sections(a, 2025, "990101")
    reasons, codes = _must_see(a, sec, 2025, "990101", 0.5)
    assert codes == {"9999999992": "school_rule", "9999999991": "cv_driver"}
    assert reasons["9999999992"] == ["小学学段 6/7 项指标达标"]
    # school 1 has 0.796… of the variance: (100·(30000−X)²) / Σ with X = (30000 + 500 + 3·2500)·100/500
    x = np.array([30000.0, 500.0, 2500.0, 2500.0, 2500.0])
    share = (x[0] - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()
    assert reasons["9999999991"] == [f"小学{EQUIP}差异系数超限，该校占加权方差的 {share:.0%}"] == [
        f"小学{EQUIP}差异系数超限，该校占加权方差的 80%"]


def test_draw_sample_population_size_order_and_reasons(a):
    s = draw_sample(a, year=2025, county="990101", share=0.4, seed=0)
    # population: schools 1–5 (the special school and the other county / year are not in it)
    assert (s.population, s.size, s.required) == (5, 2, 2)
    assert (s.share, s.seed, s.year, s.county_code, s.county_name) == (0.4, 0, 2025, "990101", "测试县")
    assert isinstance(s.share, float) and isinstance(s.year, int)
    assert s.schools.columns.tolist() == ["school_code", "school_name", "school_type", "urban_rural", "township",
                                          "stratum", "students", "reason_code", "reason"]
    assert s.schools["school_code"].tolist() == ["9999999992", "9999999991"]  # school rule before CV driver
    assert s.schools["reason_code"].tolist() == ["school_rule", "cv_driver"]
    assert s.schools["reason"].tolist() == [
        "必查：学校未达到资源配置标准；小学学段 6/7 项指标达标",
        f"必查：推高未达标的差异系数；小学{EQUIP}差异系数超限，该校占加权方差的 80%"]
    assert s.schools["stratum"].tolist() == ["小学·乡村", "小学·城区"] and s.schools["students"].tolist() == [100, 100]
    assert s.schools.index.tolist() == [0, 1]
    assert s.strata.to_dict("list") == {"stratum": ["小学·乡村", "小学·城区"], "schools": [2, 3],
                                        "must_see": [1, 1], "drawn": [1, 1]}


def test_more_must_see_than_the_share_raises_the_size(a):
    s = draw_sample(a, year=2025, county="990101", share=0.2, seed=0)
    assert (s.required, s.size) == (1, 2) and set(s.schools["reason_code"]) == {"school_rule", "cv_driver"}


def test_random_schools_follow_the_must_see_ones_by_stratum_and_code(a):
    s = draw_sample(a, year=2025, county="990101", share=1.0, seed=3)
    assert s.size == 5 and s.schools["school_code"].tolist() == [
        "9999999992", "9999999991", "9999999994", "9999999993", "9999999995"]
    assert s.schools["reason"].tolist()[2:] == ["分层随机抽取（小学·乡村）", "分层随机抽取（小学·城区）",
                                                "分层随机抽取（小学·城区）"]
    assert s.strata["drawn"].tolist() == [2, 3]


def test_size_is_the_ceiling_of_share_times_population_without_float_noise():
    # 0.3 × 10 = 3.0000000000000004 in binary: the check asks for 3 schools, not 4
    b = assess_schools(table(*[primary(str(i), 100 + i) for i in range(10, 20)]), Q)
    s = draw_sample(b, year=2025, county="990101", share=0.3, seed=0)
    assert (s.population, s.required, s.size) == (10, 3, 3)
    assert draw_sample(b, year="2025", county=990101, share=0.31).size == 4  # 3.1 → 4; year and code as text/number
    assert set(draw_sample(b, year=2025, county="990101", share=0.3).schools["reason_code"]) == {"random"}


def test_same_seed_same_sample_whatever_the_row_order_and_seeds_differ():
    rows = [primary(str(i), 100 + i, urban_rural=("城区", "乡村")[i % 2]) for i in range(10, 30)]
    b = assess_schools(table(*rows), Q)
    c = assess_schools(table(*rows[::-1]), Q)
    one = draw_sample(b, year=2025, county="990101", share=0.4, seed=7).schools
    pd.testing.assert_frame_equal(one, draw_sample(c, year=2025, county="990101", share=0.4, seed=7).schools)
    other = draw_sample(b, year=2025, county="990101", share=0.4, seed=8).schools
    assert set(other["school_code"]) != set(one["school_code"])
    # the draw is numpy's permutation of each stratum's codes in code order, seeded once
    rng = np.random.default_rng(7)
    want = {}
    for st, k in (("小学·乡村", 4), ("小学·城区", 4)):
        pool = sorted(f"{C}{i}" for i in range(10, 30) if ("城区", "乡村")[i % 2] == st[-2:])
        want[st] = sorted(rng.permutation(np.array(pool))[:k].tolist())
    got = {st: sorted(g["school_code"]) for st, g in one.groupby("stratum")}
    assert got == want


def test_a_school_of_two_stages_is_one_school_with_all_its_pupils():
    nine = primary("1", 200, school_type="九年一贯制学校", junior_students=90, junior_classes=2, junior_teachers=12,
                   junior_qualified_teachers=6, junior_backbone_teachers=2, junior_pe_art_teachers=1)
    b = assess_schools(table(nine, primary("2", 100), junior("3", 150)), Q)
    s = draw_sample(b, year=2025, county="990101", share=1.0)
    assert s.population == 3
    row = s.schools.set_index("school_code").loc["9999999991"]
    assert row.students == 290 and row.stratum == "九年一贯制学校·城区"


@pytest.mark.parametrize("share", [0, -0.1, 1.01, float("nan"), float("inf"), "0.4", None])
def test_share_out_of_range_is_refused(a, share):
    with pytest.raises(InputError) as e:
        draw_sample(a, year=2025, county="990101", share=share)
    (p,) = e.value.problems
    assert (p.file, p.column, p.value, p.code) == ("--share", "--share", str(share), "share_out_of_range")
    assert p.problem_zh == "抽样比例应在 0 到 1 之间（如 0.4 表示 40%）"
    assert p.problem_en == "the share must be in (0, 1], e.g. 0.4 for 40 %"
    assert (e.value.summary_zh, e.value.summary_en) == ("参数有误", "invalid option")


@pytest.mark.parametrize("year, county", [(2025, "990109"), (2023, "990101")])
def test_a_county_without_schools_that_year_is_refused(a, year, county):
    with pytest.raises(InputError) as e:
        draw_sample(a, year=year, county=county)
    (p,) = e.value.problems
    assert (p.file, p.column, p.value, p.code) == (a.source, "县区代码", county, "county_not_in_data")
    assert p.problem_zh == f"{year} 年数据中没有县区代码 {county} 的义务教育学校"
    assert p.problem_en == f"no compulsory school of county {county} in {year}"
    assert (e.value.summary_zh, e.value.summary_en) == ("筛选条件与数据不符", "filter does not match the data")


def test_only_special_schools_is_no_population():
    b = assess_schools(table(primary("1", 100, school_type=NOT_SAMPLED[0])), Q)
    with pytest.raises(InputError, match="filter does not match"):
        draw_sample(b, year=2025, county="990101")


def test_write_sample_files(a, tmp_path):
    from openpyxl import load_workbook

    s = draw_sample(a, year=2025, county="990101", share=0.4, seed=5)
    written = write_sample(s, tmp_path / "o")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["sample.csv", "sample.xlsx"]
    assert sorted(p.name for p in written) == ["sample.csv", "sample.xlsx"]
    raw = (tmp_path / "o" / "sample.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + b"school_code,school_name,")  # BOM, no index column
    back = pd.read_csv(tmp_path / "o" / "sample.csv", dtype={"school_code": str}, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, s.schools.astype({"students": "int64"}), check_dtype=False)
    wb = load_workbook(tmp_path / "o" / "sample.xlsx")
    rows = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    assert rows["抽样名单"][0] == ("学校标识码", "学校名称", "学校类型", "城乡类型", "乡镇", "抽样层", "义务教育在校生数",
                                 "抽取原因代码", "抽取原因")
    assert [r[0] for r in rows["抽样名单"][1:]] == s.schools["school_code"].tolist()
    assert rows["分层统计"] == [("抽样层（学校类型·城乡类型）", "学校数", "必查学校数", "抽取学校数"),
                            ("小学·乡村", 2, 1, 1), ("小学·城区", 3, 1, 1)]
    assert wb["抽样名单"].freeze_panes == "C2"
    about = dict(rows["说明"][1:])
    assert about["工作表「抽样名单」"] == "抽取的学校，每校一行：学校、抽样层、义务教育在校生数与抽取原因（2 行）"
    assert about["工作表「分层统计」"] == "每个抽样层（学校类型 × 城乡类型）一行：学校数、必查学校数、抽取学校数（2 行）"
    assert {k: about[k] for k in ("县区", "年度", "义务教育学校总数", "抽样比例", "应抽学校数", "实际抽取学校数",
                                  "随机种子")} == {"县区": "990101 测试县", "年度": "2025", "义务教育学校总数": 5,
                                               "抽样比例": "40%", "应抽学校数": 2, "实际抽取学校数": 2, "随机种子": 5}
    assert about["方法"] == ("未达到学校资源配置标准的学校和推高未达标差异系数的学校全部抽取；其余名额按学校类型×城乡类型分层，"
                           "按各层学校数比例分配，层内随机抽取。同一数据、比例和随机种子得到同一名单。")
    assert REASON_ZH["school_rule"] + "；小学学段 6/7 项指标达标" in [r[-1] for r in rows["抽样名单"]]


def test_school_rule_schools_come_before_cv_drivers_whatever_their_stratum():
    # the school-rule school is 城区 and the CV driver 乡村: 小学·乡村 sorts first, the reason still wins
    b = assess_schools(table(primary("1", 100, equipment=50_000.0), primary("2", 100, equipment=3_000_000.0,
                                                                            urban_rural="乡村"),
                             primary("3", 100), primary("4", 100), primary("5", 100, urban_rural="乡村")), Q)
    s = draw_sample(b, year=2025, county="990101", share=1.0, seed=0)
    assert s.schools["reason_code"].tolist() == ["school_rule", "cv_driver", "random", "random", "random"]
    assert s.schools["school_code"].tolist()[:2] == ["9999999991", "9999999992"]
    assert s.schools["stratum"].tolist() == ["小学·城区", "小学·乡村", "小学·乡村", "小学·城区", "小学·城区"]


def test_without_a_school_rule_no_school_is_must_see_for_it():
    # basic-2012 has no school rule: school_passed is <NA> for every section, which is not a failure
    # (the sample used to list every school as 「学校未达到资源配置标准」 with 「<NA>/8 项指标达标」)
    basic = load_standard("basic-2012")
    assert basic.school_rule is None
    b = assess_schools(table(*[primary(str(i), 100 + i) for i in range(10, 20)]), basic)
    assert b.school_results["school_passed"].isna().all()
    s = draw_sample(b, year=2025, county="990101", share=0.4, seed=0)
    assert (s.required, s.size) == (4, 4) and set(s.schools["reason_code"]) == {"random"}
    assert not s.schools["reason"].str.contains("<NA>").any()


def test_a_failing_composite_cv_has_no_section_to_rank_and_does_not_crash():
    # basic-2012 decides on 综合差异系数, which is no column of the school results: it has no drivers
    basic = load_standard("basic-2012")
    b = assess_schools(table(*[primary(str(i), 100 + i) for i in range(10, 20)]), basic)
    ci = b.county_indicators
    comp = ci[ci["decisive"].fillna(False).astype(bool)]
    assert comp["indicator"].tolist() == ["综合差异系数"] and not comp["cv_passed"].fillna(False).astype(bool).any()
    assert "综合差异系数" not in b.school_results.columns
    assert cv_drivers(b).empty
    assert set(draw_sample(b, year=2025, county="990101").schools["reason_code"]) == {"random"}


def test_a_stratum_with_nothing_to_draw_does_not_use_up_the_seed():
    # 小学·乡村 (sorted first): 3 schools, one failing the school rule; 小学·城区: 7. n = 4 of 10, quotas
    # 1.2 → 1 and 2.8 → 3: 乡村's one is its must-see school, so the seeded generator's first permutation
    # is 城区's (numpy's default_rng(seed), codes in order). Seed 2: a permutation of 乡村's two other
    # schools first would change 城区's three (with seeds 0 and 1 it happens not to)
    rows = [primary("10", 100, urban_rural="乡村", equipment=50_000.0), primary("11", 100, urban_rural="乡村"),
            primary("12", 100, urban_rural="乡村"), *[primary(str(i), 100) for i in range(13, 20)]]
    b = assess_schools(table(*rows), Q)
    s = draw_sample(b, year=2025, county="990101", share=0.4, seed=2)
    pool = np.array([f"{C}{i}" for i in range(13, 20)])
    expected = sorted(np.random.default_rng(2).permutation(pool)[:3].tolist())
    assert s.schools["school_code"].tolist() == [f"{C}10", *expected]
    assert s.strata["drawn"].tolist() == [1, 3] and s.seed == 2
    # the default seed is 0 (and seeds 0 and 2 give different lists here)
    plain = draw_sample(b, year=2025, county="990101", share=0.4)
    assert plain.seed == 0 and plain.schools["school_code"].tolist()[1:] == sorted(
        np.random.default_rng(0).permutation(pool)[:3].tolist()) != expected


def test_draw_sample_passes_its_driver_share_on():
    # equipment 2000, 2000, 2000, 10 000, 2000 元 per pupil, 100 pupils each: mean 3600, P(x−X)² = 1600² × 4
    # and 6400² → school 4 has 0.8 of the variance, each other 0.05 (the CV 0.89 is over 0.5): 0.5 needs
    # school 4 alone, 0.82 one of the others too (the first in school-code order)
    rows = [primary(str(i), 100, equipment=e * 100) for i, e in ((1, 2000.0), (2, 2000.0), (3, 2000.0),
                                                                   (4, 10_000.0), (5, 2000.0))]
    b = assess_schools(table(*rows), Q)
    assert b.county_indicators.set_index("indicator").loc[EQUIP, "cv_passed"] == False  # noqa: E712
    one = draw_sample(b, year=2025, county="990101", share=0.2)
    two = draw_sample(b, year=2025, county="990101", share=0.2, driver_share=0.82)
    assert one.schools["reason_code"].tolist() == ["cv_driver"] and one.schools["school_code"].tolist() == ["9999999994"]
    assert two.schools["reason_code"].tolist() == ["cv_driver"] * 2
    assert two.schools["school_code"].tolist() == ["9999999991", "9999999994"]


def test_a_stratum_with_no_school_drawn_counts_zero():
    # 小学·乡村 1 school, 小学·城区 9: n = 2 of 10 → quotas 0.2 → 0 and 1.8 → 2; 乡村 draws nobody
    rows = [primary("10", 100, urban_rural="乡村"), *[primary(str(i), 100) for i in range(11, 20)]]
    s = draw_sample(assess_schools(table(*rows), Q), year=2025, county="990101", share=0.2, seed=1)
    assert s.strata["stratum"].tolist() == ["小学·乡村", "小学·城区"]
    assert s.strata["drawn"].tolist() == [0, 2] and s.strata["drawn"].dtype == np.int64
    assert s.strata["schools"].tolist() == [1, 9] and s.strata["must_see"].tolist() == [0, 0]


def test_a_county_of_one_school_is_its_own_sample():
    s = draw_sample(assess_schools(table(primary("1", 80, county_name="小县")), Q), year=2025, county="990101")
    assert (s.population, s.required, s.size, s.county_name) == (1, 1, 1, "小县")
    assert s.schools["reason"].tolist() == ["分层随机抽取（小学·城区）"]
