"""The synthetic demo data: headers, determinism, validity and the designed story."""
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from balance.schema import COLUMNS, SCHOOL_TYPE_STAGES, column_spec
from balance.synthetic.demo import generate_demo_table, write_demo

ROOT = Path(__file__).resolve().parents[2]
H = {c["name"]: c["header"] for c in COLUMNS}
STAGE_STUDENTS = {"小学": "小学在校生数", "初中": "初中在校生数", "高中": "高中在校生数"}


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_demo_table()


def test_headers_are_columns_yaml_in_order(demo):
    assert list(demo.columns) == [c["header"] for c in COLUMNS]
    assert "乡镇" in demo.columns and demo["乡镇"].str.len().gt(0).all()


def test_same_seed_same_table_other_seed_differs(demo):
    pd.testing.assert_frame_equal(demo, generate_demo_table(seed=2026))
    other = generate_demo_table(seed=7)
    assert list(other.columns) == list(demo.columns)
    assert not other["小学在校生数"].equals(demo["小学在校生数"])


def test_written_files_are_byte_identical_to_committed(tmp_path):
    """write_demo is deterministic (fixed zip and document times) and data/demo is up to date."""
    paths = write_demo(tmp_path, seed=2026)
    assert [p.name for p in paths] == ["schools.csv", "schools.xlsx", "county_sheet.xlsx", "README.md"]
    for p in paths:
        committed = ROOT / "data" / "demo" / p.name
        assert committed.is_file(), f"{committed} missing: run `balance demo-data`"
        assert p.read_bytes() == committed.read_bytes(), f"{p.name} differs: regenerate with `balance demo-data`"


def test_size_and_layout(demo):
    assert demo["年份"].drop_duplicates().tolist() == [2021, 2022, 2023, 2024, 2025]
    assert demo["县区代码"].nunique() == 8
    per_year = demo.groupby(["年份", "县区代码"]).size()
    assert per_year.between(30, 120).all()
    assert 2000 <= len(demo) <= 4000
    latest = demo[demo["年份"] == 2025]
    assert set(latest["学校类型"]) == set(column_spec()["columns"][5]["values"])
    assert set(latest["城乡类型"]) == {"城区", "镇区", "乡村"}
    assert (latest["办学性质"] == "民办").sum() >= 8
    points = latest[latest["学校类型"] == "教学点"]["小学在校生数"]
    assert (points < 50).sum() >= 5 and (points >= 50).sum() >= 5


def test_codes_fictional_text_and_stable(demo):
    assert demo["县区代码"].str.fullmatch(r"9901\d\d").all()
    assert demo["学校标识码"].str.fullmatch(r"99\d{8}").all()
    assert (demo["学校标识码"].str[:6] == demo["县区代码"]).all()
    assert not demo.duplicated(["年份", "学校标识码"]).any()
    ident = demo.groupby("学校标识码")[["学校名称", "学校类型", "县区代码", "办学性质", "城乡类型"]].nunique()
    assert (ident == 1).all().all()
    assert demo.groupby(["年份", "县区代码"])["县区名称"].nunique().eq(1).all()
    assert all(name.startswith(county) for name, county in zip(demo["学校名称"], demo["县区名称"]))


def test_validation_invariants(demo):
    kinds = {c["header"]: c["kind"] for c in COLUMNS}
    required = {c["header"] for c in COLUMNS if c.get("required")}
    for h, k in kinds.items():
        if k in ("count", "year"):  # optional counts are nullable (a blank cell is missing, not 0)
            assert demo[h].dtype == (np.int64 if h in required else "Int64"), h
        if k in ("count", "area", "money"):
            assert (demo[h].dropna() >= 0).all(), h
        if k in ("code", "text", "category"):
            assert demo[h].map(type).eq(str).all(), h
        if k == "category":
            assert demo[h].isin(next(c["values"] for c in COLUMNS if c["header"] == h)).all(), h
    for part, whole in column_spec()["subsets"]:
        assert (demo[H[part]] <= demo[H[whole]]).all(), (part, whole)
    for school_type, stages in SCHOOL_TYPE_STAGES.items():
        rows = demo[demo["学校类型"] == school_type]
        for stage, col in STAGE_STUDENTS.items():
            if stage in stages:
                assert (rows[col] > 0).all(), (school_type, stage)
            else:
                assert (rows[col] == 0).all(), (school_type, stage)
    for stage, prefix in (("小学", "primary"), ("初中", "junior")):
        has = demo[STAGE_STUDENTS[stage]] > 0
        assert (demo.loc[has, H[f"{prefix}_teachers"]] > 0).all()
        assert (demo.loc[has, H[f"{prefix}_classes"]] > 0).all()
        assert (demo.loc[~has, H[f"{prefix}_teachers"]] == 0).all()


def test_realistic_urban_rural_differences(demo):
    d = demo[(demo["年份"] == 2025) & (demo["学校类型"] == "小学") & (demo["办学性质"] == "公办")]
    size = d.groupby("城乡类型")["小学在校生数"].median()
    assert size["城区"] > size["镇区"] > size["乡村"]
    per_pupil = ((d[H["teaching_area"]] - d[H["indoor_sports_area"]]) / d["小学在校生数"]).groupby(d["城乡类型"]).median()
    assert per_pupil["乡村"] > per_pupil["城区"]
    backbone = (d[H["primary_backbone_teachers"]] / d["小学在校生数"]).groupby(d["城乡类型"]).median()
    assert backbone["城区"] > backbone["乡村"] * 0.9


def test_csv_and_xlsx_keep_codes_as_text(tmp_path):
    write_demo(tmp_path, seed=2026, years=(2025,))
    raw = (tmp_path / "schools.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "schools.csv", encoding="utf-8-sig", dtype={"县区代码": str, "学校标识码": str})
    assert list(back.columns) == [c["header"] for c in COLUMNS]
    assert back["学校标识码"].str.len().eq(10).all()
    ws = openpyxl.load_workbook(tmp_path / "schools.xlsx").active
    assert [c.value for c in ws[1]] == [c["header"] for c in COLUMNS]
    assert ws.freeze_panes == "A2"
    for cell in (ws["B2"], ws["D2"], ws[f"D{ws.max_row}"]):
        assert isinstance(cell.value, str) and cell.number_format == "@"
    assert "模拟数据" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_readme_says_synthetic():
    text = (ROOT / "data" / "demo" / "README.md").read_text(encoding="utf-8")
    assert "模拟数据" in text and "SYNTHETIC" in text


def test_passes_the_reader_without_errors_or_warnings():
    from balance.io.reading import load_school_table

    t = load_school_table(ROOT / "data" / "demo" / "schools.csv")
    assert len(t.data) == len(generate_demo_table())
    assert t.warnings == []
    x = load_school_table(ROOT / "data" / "demo" / "schools.xlsx")
    assert x.data["school_code"].tolist() == t.data["school_code"].tolist()


def test_designed_story_under_quality_2017(demo):
    from balance.method.assessment import assess

    a = assess(demo, "quality-2017")
    v = a.verdicts.set_index(["year", "county_name"])
    passing_2025 = {c for (y, c), ok in v["passed"].items() if y == 2025 and ok}
    assert passing_2025 == {"青山县", "清河县", "云台县"}
    ci = a.county_indicators
    nc = ci[(ci["year"] == 2025) & (ci["county_name"] == "南川县")].set_index(["stage", "indicator"])
    assert nc.loc[("初中", "生均体育运动场馆面积"), "cv"] > 0.45
    assert int(nc["cv_passed"].eq(False).sum()) == 1
    failing = (v["sections"] - v["sections_passed"]).unstack("year")
    assert (failing[2025] <= failing[2021]).all()
    assert (failing[2025] < failing[2021]).sum() >= 6
    sv = a.section_values
    short = sv[(sv["year"] == 2025) & (sv["school_passed"] == False) & (sv["met"] == False)]  # noqa: E712
    by_county = short.groupby("county_name")["indicator"].agg(set)
    assert "每百名学生拥有县级及以上骨干教师数" in by_county["北塘县"]
    assert "每百名学生拥有体育、艺术专任教师数" in by_county["石桥县"]
    xl = short[short["county_name"] == "西岭县"]
    assert (xl["urban_rural"] == "乡村").all() and xl["school_code"].nunique() >= 5


def test_optional_columns_are_realistic_and_consistent(demo):
    d = demo
    for stage, prefix, limit in (("小学", "小学", 45), ("初中", "初中", 50)):
        students, classes = d[STAGE_STUDENTS[stage]], d[f"{prefix}班数"]
        mx, over = d[f"{prefix}最大班额"], d[f"{prefix}超标班额班数"]
        has = students > 0
        # filled exactly for the stages a school has, blank (missing, not 0) for the others
        assert mx[has].notna().all() and mx[~has].isna().all()
        assert over[has].notna().all() and over[~has].isna().all()
        avg = students[has] / classes[has]
        assert (mx[has] >= np.floor(avg)).all() and (mx[has] <= 80).all()
        assert ((over[has] > 0) == (mx[has] > limit)).all() and (over[has] <= classes[has]).all()
    latest = d[d["年份"] == 2025]
    urban = latest[(latest["城乡类型"] == "城区") & (latest["学校类型"] == "小学")]
    assert (urban["小学最大班额"] > 45).sum() >= 10       # crowded county-town primaries
    built = d["建成年份"]
    assert built.dropna().between(1900, 2025).all() and (built.dropna() <= d.loc[built.notna(), "年份"]).all()
    assert (latest["建成年份"] < 2000).sum() >= 100 and built.isna().any()  # some village points: unknown
    rooms = latest[["音乐专用教室数", "美术专用教室数"]]
    assert rooms.notna().all().all() and (rooms >= 0).all().all()
    small = latest["最小音乐专用教室面积(㎡)"] < 96
    assert small.sum() >= 10 and (latest.loc[small, "建成年份"].dropna() < 2010).all()
    # a room area only where there is a room
    assert (latest["最小音乐专用教室面积(㎡)"].isna() == (latest["音乐专用教室数"] == 0)).all()
    # 石桥县 did not report the room columns in 2021–2022
    sq = d[d["县区名称"] == "石桥县"]
    assert sq.loc[sq["年份"] <= 2022, "音乐专用教室数"].isna().all()
    assert sq.loc[sq["年份"] >= 2023, "音乐专用教室数"].notna().all()


@pytest.fixture(scope="module")
def evaluation():
    from balance.method.evaluation import evaluate

    return evaluate(ROOT / "data" / "demo" / "schools.csv", ROOT / "data" / "demo" / "county_sheet.xlsx")


def test_county_sheet_is_valid_and_covers_every_county_and_year():
    from balance.io.county_sheet import load_county_sheet

    cs = load_county_sheet(ROOT / "data" / "demo" / "county_sheet.xlsx")
    assert cs.warnings == [] and len(cs.data) == 40
    assert set(zip(cs.data["year"], cs.data["county_code"])) == {(y, f"99010{k}") for y in range(2021, 2026)
                                                                 for k in range(1, 9)}


def test_designed_four_area_story(evaluation):
    v = evaluation.verdicts.set_index(["year", "county_name"])
    recognised = {k for k, ok in v["passed"].items() if ok}
    assert recognised == {(2024, "青山县"), (2025, "青山县")}
    items = evaluation.items

    def failing(year, county):
        s = items[(items.year == year) & (items.county_name == county) & (items.passed == False)]  # noqa: E712
        return {(r.area, int(r.item_no)) for r in s.itertuples()}

    # 清河县 passes resource allocation in 2025 and misses only item 3 (old schools' small rooms)
    assert failing(2025, "清河县") == {("government", 3)}
    # 云台县: large schools and large classes, computed from the school table
    assert failing(2025, "云台县") == {("government", 4), ("government", 5)}
    g = items[(items.area == "government") & items.item_no.isin([3, 4, 5]) & (items.year == 2025)]
    assert (g[g.county_name != "石桥县"]["source"] == "学校数据").all()
    # 东湖区: a veto in 2021 and 2022 only
    assert v.loc[(2021, "东湖区"), "veto_status"] == "存在否决事项"
    assert v.loc[(2023, "东湖区"), "veto_status"] == "无否决事项"
    # 石桥县's school table lacks the room columns in 2021: item 3 from the county sheet
    r = items[(items.year == 2021) & (items.county_name == "石桥县") & (items.area == "government") & (items.item_no == 3)]
    assert r.iloc[0]["source"] == "县级填报表" and r.iloc[0]["passed"] == False  # noqa: E712
    # 南川县 left a cell blank in 2025: missing, never a pass
    assert v.loc[(2025, "南川县"), "quality_status"] == "数据缺失"
    # the resource-allocation story is the one of the school table
    assert {c for (y, c), ok in v["resource_passed"].items() if y == 2025 and ok} == {"青山县", "清河县", "云台县"}


def test_cli_demo_data(tmp_path, capsys):
    from balance.cli import main

    assert main(["demo-data", "--out", str(tmp_path), "--seed", "5", "--years", "2024", "2025"]) == 0
    df = pd.read_csv(tmp_path / "schools.csv", encoding="utf-8-sig", dtype=str)
    assert sorted(df["年份"].unique()) == ["2024", "2025"]
    assert "模拟数据" in capsys.readouterr().out


def test_selected_years_are_a_subset_of_the_full_run(demo):
    part = generate_demo_table(years=(2025, 2023))
    full = demo[demo["年份"].isin([2023, 2025])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, full)
