"""Sections and the facility split (method.md §1), with the arithmetic written out."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance.method.sections import build_sections, facility_shares
from balance.method.standards import load_standard
from balance.schema import FACILITY_COLUMNS
from tests.factories import school, table

Q = load_standard("quality-2017")


def test_nine_year_split_hand_computed():
    # A = 600 primary, B = 300 junior: primary share 600/(600+1.1·300) = 600/930; junior 330/930
    t = table(school("1", school_type="九年一贯制学校", primary_students=600, junior_students=300,
                     teaching_area=9300.0, equipment_value=930_000.0))
    s = build_sections(t, Q).set_index("stage")
    assert s.loc["小学", "facility_share"] == pytest.approx(600 / 930, rel=1e-15)
    assert s.loc["初中", "facility_share"] == pytest.approx(330 / 930, rel=1e-15)
    assert s.loc["小学", "teaching_area"] == pytest.approx(6000.0)   # 9300 · 600/930
    assert s.loc["初中", "teaching_area"] == pytest.approx(3300.0)   # 9300 · 330/930
    assert s.loc["初中", "equipment_value"] == pytest.approx(330_000.0)


def test_twelve_year_split_hand_computed():
    # A=500, B=200, C=100: denominator 500 + 1.1·200 + 1.32·100 = 500 + 220 + 132 = 852
    t = table(school("1", school_type="十二年一贯制学校", primary_students=500, junior_students=200,
                     senior_students=100, sports_ground_area=8520.0))
    s = build_sections(t, Q).set_index("stage")
    assert set(s.index) == {"小学", "初中"}  # senior part is not assessed
    assert s.loc["小学", "facility_share"] == pytest.approx(500 / 852)
    assert s.loc["初中", "facility_share"] == pytest.approx(220 / 852)
    assert s.loc["小学", "sports_ground_area"] == pytest.approx(5000.0)
    assert s.loc["初中", "sports_ground_area"] == pytest.approx(2200.0)


def test_complete_middle_school_split_hand_computed():
    # B=400 junior, C=500 senior: junior share B/(B+1.2C) = 400/(400+600) = 0.4
    t = table(school("1", school_type="完全中学", junior_students=400, senior_students=500, books=10_000))
    s = build_sections(t, Q)
    assert list(s["stage"]) == ["初中"]
    assert s["facility_share"].iloc[0] == pytest.approx(0.4)
    assert s["books"].iloc[0] == pytest.approx(4000.0)


def test_teachers_are_never_split():
    t = table(school("1", school_type="九年一贯制学校", primary_students=100, junior_students=100,
                     primary_teachers=7, junior_teachers=11, junior_qualified_teachers=9))
    s = build_sections(t, Q).set_index("stage")
    assert s.loc["小学", "teachers"] == 7 and s.loc["初中", "teachers"] == 11
    assert s.loc["初中", "qualified_teachers"] == 9


def test_zero_pupil_section_does_not_exist():
    t = table(school("1", school_type="九年一贯制学校", primary_students=120, junior_students=0, teaching_area=500.0))
    s = build_sections(t, Q)
    assert list(s["stage"]) == ["小学"]
    assert s["facility_share"].iloc[0] == 1.0  # all facilities go to the only section


def test_custom_split_weights_from_yaml(tmp_path):
    text = (Q.source and open(Q.source, encoding="utf-8").read()).replace("九年一贯制学校: {小学: 1.0, 初中: 1.1}",
                                                                         "九年一贯制学校: {小学: 1.0, 初中: 1.5}")
    p = tmp_path / "prov.yaml"
    p.write_text(text, encoding="utf-8")
    std = load_standard(p)
    t = table(school("1", school_type="九年一贯制学校", primary_students=300, junior_students=200))
    sh = facility_shares(t, std)
    # 300/(300 + 1.5·200) = 0.5
    assert sh.loc[0, "小学"] == pytest.approx(0.5)


counts = st.integers(min_value=0, max_value=3000)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["九年一贯制学校", "十二年一贯制学校", "完全中学", "小学", "初级中学"]), counts, counts, counts,
       st.floats(min_value=0, max_value=1e6))
def test_split_conserves_totals(kind, a, b, c, area):
    stages = {"小学": ["小学"], "初级中学": ["初中"], "九年一贯制学校": ["小学", "初中"],
              "十二年一贯制学校": ["小学", "初中", "高中"], "完全中学": ["初中", "高中"]}[kind]
    pupils = {"小学": a if "小学" in stages else 0, "初中": b if "初中" in stages else 0,
              "高中": c if "高中" in stages else 0}
    t = table(school("1", school_type=kind, primary_students=pupils["小学"], junior_students=pupils["初中"],
                     senior_students=pupils["高中"], teaching_area=area, multimedia_rooms=17))
    sh = facility_shares(t, Q).iloc[0]
    if sum(pupils.values()) > 0:
        assert sh.sum() == pytest.approx(1.0)
    else:
        assert sh.sum() == 0
    secs = build_sections(t, Q)
    if sum(pupils.values()) == 0:  # a school without pupils forms no section at all
        assert secs.empty
        return
    senior_part = sh["高中"] * area
    # assessed sections + the senior part add back to the school total
    assert secs["teaching_area"].sum() + senior_part == pytest.approx(area, rel=1e-12, abs=1e-9)
    for col in FACILITY_COLUMNS:
        assert np.all(secs[col].to_numpy() >= 0)
