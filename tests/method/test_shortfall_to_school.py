"""Issue 11 item 4: every shortfall states the amount to add to the school's own input column.

A section of a combined school gets only its share w of a shared facility column, so the school
must add shortfall ÷ w (rounded up for whole units). Applying the listed amounts as a scenario and
re-assessing must bring those sections to the standard.
"""
import pandas as pd
import pytest
from balance.analysis.scenario import apply_scenario, load_scenario

from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from balance.schema import column_spec
from tests.factories import junior, primary, school, table

Q = load_standard("quality-2017")
TEACH = "生均教学及辅助用房面积"
ROOMS = "每百名学生拥有网络多媒体教室数"


def _complete_middle(code: str, junior_students: int, senior_students: int, teaching_area: float, **kw) -> dict:
    """A 完全中学 whose junior section meets every standard except what ``teaching_area`` makes short."""
    p = junior_students
    values = dict(school_type="完全中学", junior_students=p, junior_classes=max(1, p // 45), junior_teachers=p // 8,
                  junior_qualified_teachers=-(-p * 6 // 100), junior_backbone_teachers=-(-p * 2 // 100),
                  junior_pe_art_teachers=-(-p * 1 // 100), senior_students=senior_students,
                  teaching_area=teaching_area, sports_ground_area=40.0 * p, equipment_value=9000.0 * p,
                  multimedia_rooms=-(-p * 10 // 100))
    values.update(kw)
    return school(code, **values)


def test_complete_middle_school_needs_168_m2_for_a_60_m2_section_gap():
    # Issue 11's case. Junior 300 pupils, senior 450; split weights 初中 1.0, 高中 1.2 (quality-2017):
    # w = 300 / (300 + 1.2·450) = 300 / 840 = 5/14 ≈ 0.357. Junior standard 5.8 ㎡/pupil → 1740 ㎡ for
    # the section; school area 4704 ㎡ gives the section 4704·5/14 = 1680 ㎡: 60 ㎡ short. The school
    # must add 60 ÷ (5/14) = 168 ㎡; adding only 60 ㎡ leaves it 60·(1 − 5/14) ≈ 38.6 ㎡ short.
    t = table(_complete_middle("1", 300, 450, teaching_area=4704.0), junior("2", 400))
    a = assess_schools(t, Q)
    r = a.shortfalls[(a.shortfalls.indicator == TEACH) & (a.shortfalls.stage == "初中")]
    assert len(r) == 1
    r = r.iloc[0]
    assert r.shortfall == pytest.approx(60.0)
    assert r.facility_share == pytest.approx(5 / 14)
    assert r.add_to_school == pytest.approx(168.0)
    assert r.add_column == "教学及辅助用房面积(㎡)"
    # the section's own figure added at the school is not enough; the school figure is
    for extra, passes in ((60.0, False), (r.add_to_school, True)):
        t2 = t.copy()
        t2.loc[t2.school_code == r.school_code, "teaching_area"] += extra
        a2 = assess_schools(t2, Q)
        sec = a2.school_results[(a2.school_results.school_code == r.school_code) & (a2.school_results.stage == "初中")]
        assert bool(sec[TEACH].iloc[0] >= 5.8 - 1e-9) is passes


def test_whole_units_are_rounded_up_after_dividing_by_the_share():
    # 九年一贯制: 小学 400, 初中 200; weights 1.0 / 1.1 → w(小学) = 400/620, w(初中) = 220/620.
    # Rooms standard 2.3 / 2.4 per 100 (quality-2017): need 9.2 and 4.8 rooms. With 10 rooms at the
    # school the sections get 6.45 and 3.55: short 2.75 → 3 rooms and 1.25 → 2 rooms (whole rooms).
    # At the school: 2.75·620/400 = 4.26 → 5 rooms and 1.25·620/220 = 3.52 → 4 rooms.
    s = primary("1", 400, school_type="九年一贯制学校", rooms=10)
    s.update(junior_students=200, junior_classes=5, junior_teachers=30, junior_qualified_teachers=12,
             junior_backbone_teachers=4, junior_pe_art_teachers=2)
    s["teaching_area"] += 6.0 * 200 + 3000  # area and equipment with margin: only rooms fall short
    s["sports_ground_area"] += 11.0 * 200 + 3000
    s["equipment_value"] += 2600.0 * 200
    a = assess_schools(table(s, primary("2", 300)), Q)
    sh = a.shortfalls[a.shortfalls.indicator == ROOMS].set_index("stage")
    assert sh.loc["小学", "shortfall"] == 3 and sh.loc["初中", "shortfall"] == 2
    assert sh.loc["小学", "add_to_school"] == 5 and sh.loc["初中", "add_to_school"] == 4
    assert sh.loc["小学", "add_column"] == sh.loc["初中", "add_column"] == "网络多媒体教室数"


def _scenario_from(short: pd.DataFrame, schools: pd.DataFrame, path) -> None:
    """The listed amounts as a clerk's scenario CSV: per school and column the largest listed amount
    (a shared column added once serves every section of the school), and for a subset column
    (qualified teachers …) the same number of teachers added to the whole (a hire is a teacher)."""
    from balance.schema import HEADERS

    g = short.groupby(["year", "school_code", "add_column"], sort=False)["add_to_school"].max().reset_index()
    by_header = {v: k for k, v in HEADERS.items()}
    rows = g.to_dict("records")
    wholes: dict[tuple, float] = {}
    for part, whole in column_spec().get("subsets", []):
        for r in rows:
            if by_header.get(r["add_column"]) == part:
                key = (r["year"], r["school_code"], HEADERS[whole])
                wholes[key] = wholes.get(key, 0) + r["add_to_school"]
    rows += [{"year": y, "school_code": c, "add_column": h, "add_to_school": v} for (y, c, h), v in wholes.items()]
    pd.DataFrame({"学校标识码": [r["school_code"] for r in rows], "列": [r["add_column"] for r in rows],
                  "增加量": [r["add_to_school"] for r in rows], "年份": [r["year"] for r in rows]}) \
        .to_csv(path, index=False, encoding="utf-8-sig")


def test_listed_amounts_applied_as_a_scenario_bring_every_listed_section_to_the_standard(tmp_path):
    # The demo data (every school type, combined schools included), one year: apply every listed
    # amount at the school and re-assess — no listed section × indicator may remain below standard.
    from balance.method import cache

    tbl = cache.school_table("data/demo/schools.csv")
    schools = tbl.data
    schools = schools[schools["year"] == 2025].reset_index(drop=True)
    a = assess_schools(schools, Q)
    short = a.shortfalls
    assert len(short) > 0
    combined = short[short["facility_share"] < 1]
    assert len(combined) > 0, "the demo data should have a shared-facility shortfall of a combined school"
    assert (combined["add_to_school"] > combined["shortfall"]).all()
    f = tmp_path / "listed.csv"
    _scenario_from(short, schools, f)
    after = assess_schools(apply_scenario(schools, load_scenario(f)), Q).shortfalls
    listed = set(zip(short.school_code, short.stage, short.indicator))
    still = listed & set(zip(after.school_code, after.stage, after.indicator))
    assert not still, f"still below standard after adding the listed amounts: {sorted(still)[:5]}"
