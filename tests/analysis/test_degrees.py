"""The urban–rural ratio of bachelor-degree shares (issue 14 §5).

Golden numbers are worked by hand in the comments from the rows built here (source: these rows)."""
import pandas as pd
import pytest

from balance.analysis.degrees import bachelor_ratio, groups_text, ratio_settings
from tests.factories import school, table


def _rows(town_bachelor=30, rural_primary_bachelor=40):
    return table(
        # 城区: 小学 100 teachers, 80 with a bachelor; 初中 50 teachers, 45 本科及以上 (junior_qualified)
        school("1", urban_rural="城区", primary_teachers=100, primary_bachelor_teachers=80,
               junior_teachers=50, junior_qualified_teachers=45),
        # 镇区: 小学 50 teachers, 30 with a bachelor
        school("2", urban_rural="镇区", primary_teachers=50, primary_bachelor_teachers=town_bachelor),
        # 乡村: 小学 80 teachers, 40 with a bachelor; a 初中 with 20 teachers, 10 本科
        school("3", urban_rural="乡村", primary_teachers=80, primary_bachelor_teachers=rural_primary_bachelor),
        school("4", urban_rural="乡村", school_type="初级中学", junior_teachers=20, junior_qualified_teachers=10),
    )


def test_target_and_groups_come_from_the_yaml():
    cfg = ratio_settings()
    r = bachelor_ratio(_rows()).iloc[0]
    assert r["target"] == cfg["target"] == 1.05
    assert r["groups"] == "城区、镇区 ÷ 乡村" == groups_text()  # 镇区 with the urban group by default
    assert r["town"] == cfg["town"]


def test_ratio_by_hand_with_town_urban_rural_or_left_out():
    # town urban: urban (80+45+30)/(100+50+50) = 155/200 = 0.775; rural (40+10)/(80+20) = 0.5; ratio 1.55
    r = bachelor_ratio(_rows(), town="urban").iloc[0]
    assert (r["urban_share"], r["rural_share"], r["ratio"]) == pytest.approx((0.775, 0.5, 1.55))
    assert r["met"] is False or r["met"] == False  # noqa: E712 (pandas boolean)
    # town rural: urban 125/150; rural (40+10+30)/(100+50) = 80/150; ratio 125/80 = 1.5625
    r = bachelor_ratio(_rows(), town="rural").iloc[0]
    assert r["ratio"] == pytest.approx(125 / 80)
    assert (r["urban_schools"], r["rural_schools"]) == (1, 3)
    # town none: urban 125/150, rural 50/100; ratio (125/150)/0.5 = 1.6667
    r = bachelor_ratio(_rows(), town="none").iloc[0]
    assert r["ratio"] == pytest.approx((125 / 150) / 0.5)
    assert r["groups"] == "城区 ÷ 乡村"


def test_met_at_and_below_the_target_not_above():
    # rural primary 80 teachers with b bachelors; town urban: urban share 0.775, rural (b+10)/100
    # b = 63.81 → 0.7381 → ratio 1.05 (exactly when rural share = 0.775/1.05); integers: b=64 → 0.74 → 1.0473
    ok = bachelor_ratio(_rows(rural_primary_bachelor=64)).iloc[0]
    assert ok["ratio"] == pytest.approx(0.775 / 0.74) and bool(ok["met"]) is True
    over = bachelor_ratio(_rows(rural_primary_bachelor=63)).iloc[0]
    assert over["ratio"] == pytest.approx(0.775 / 0.73) and bool(over["met"]) is False
    assert bool(bachelor_ratio(_rows(rural_primary_bachelor=63), target=1.07).iloc[0]["met"]) is True


def test_a_missing_value_is_missing_never_passed():
    rows = _rows()
    rows.loc[rows["urban_rural"] == "乡村", "primary_bachelor_teachers"] = pd.NA
    r = bachelor_ratio(rows).iloc[0]
    assert pd.isna(r["rural_share"]) and pd.isna(r["ratio"]) and pd.isna(r["met"])
    assert r["schools_missing"] == 1 and "农村组 1 所学校缺少" in r["note"]
    # a junior school needs no primary value (its primary teachers are 0)
    assert not pd.isna(r["urban_share"])


def test_absent_column_read_from_a_file_is_missing(tmp_path):
    from balance.io.reading import load_school_table

    d = pd.read_csv(_demo(), dtype=str, encoding="utf-8-sig").drop(columns=["小学本科及以上学历专任教师数"])
    d.to_csv(tmp_path / "t.csv", index=False, encoding="utf-8-sig")
    r = bachelor_ratio(load_school_table(tmp_path / "t.csv"))
    assert len(r) and r["ratio"].isna().all() and r["met"].isna().all()
    assert (r["schools_missing"] > 0).all()


def test_the_reader_checks_the_new_column(tmp_path):
    from balance.errors import InputError
    from balance.io.reading import load_school_table

    d = pd.read_csv(_demo(), dtype=str, encoding="utf-8-sig")
    d = d[(d["县区代码"] == "990101") & (d["年份"] == "2025")].copy()
    d = d.drop(columns=["小学本科及以上学历专任教师数"])
    d["小学本科及以上学历教师数"] = d["小学专科及以上学历专任教师数"]  # an alias of the header
    p = tmp_path / "t.csv"
    d.to_csv(p, index=False, encoding="utf-8-sig")
    t = load_school_table(p)
    assert t.header_map["小学本科及以上学历教师数"] == "primary_bachelor_teachers"
    bad = d.copy()
    bad.iloc[0, bad.columns.get_loc("小学本科及以上学历教师数")] = str(int(bad.iloc[0]["小学专任教师数"]) + 1)
    bad.to_csv(p, index=False, encoding="utf-8-sig")
    with pytest.raises(InputError) as e:
        load_school_table(p)
    assert any(x.column and "本科" in x.column for x in e.value.problems)


def _demo():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "data" / "demo" / "schools.csv"


def test_the_demo_data_tell_the_story_of_the_readme():
    """data/README.md: the ratio falls every year; in 2025 东湖区 and 云台县 are within 1.05."""
    from balance.io.reading import load_school_table

    r = bachelor_ratio(load_school_table(_demo()))
    assert r["ratio"].notna().all()
    for _, g in r.groupby("county_code"):
        assert g.sort_values("year")["ratio"].is_monotonic_decreasing
    met = set(r.loc[(r["year"] == 2025) & r["met"].astype(bool), "county_name"])
    assert met == {"东湖区", "云台县"}
