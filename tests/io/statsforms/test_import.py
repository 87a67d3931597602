"""balance import-stats: school statistics workbooks → the school table, value by value.

The expected values are the canonical rows of ``tests.tables`` (every school type, both counties);
``builders.build_workbook`` writes each row as a statistics workbook in the documented layout,
splitting the numbers the way the forms do (degrees, subjects, titles, grades, 万元), so every test
checks that the importer adds the right cells — and only those — to get the row back.
"""
from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from balance.cli import main
from balance.errors import InputError
from balance.io.statsforms import import_statistics, provenance_csv_path, write_import
from balance.io.statsforms.importer import TABLE_COLUMNS
from balance.schema import HEADERS
from tests.io.statsforms.builders import build_workbook
from tests.tables import valid_canonical

YEARS = {"2018": 2019, "2021": 2024}
GENERATIONS = tuple(YEARS)


def truth(generation: str) -> list[dict]:
    """The canonical rows the workbooks are built from (11 schools, all 7 school types)."""
    return valid_canonical(years=(YEARS[generation],)).to_dict("records")


def make_folder(tmp_path: Path, generation: str, rows=None, fmt: str = "xlsx", name: str = "forms", **quirks) -> Path:
    d = tmp_path / name
    d.mkdir()
    for i, r in enumerate(rows if rows is not None else truth(generation)):
        build_workbook(r, generation, d / f"{i:02d}_{r['school_code']}.{fmt}", fmt=fmt, **quirks)
    return d


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One folder per generation with every school's workbook in the default layout (read-only)."""
    return {g: make_folder(tmp_path_factory.mktemp(f"built{g}"), g) for g in GENERATIONS}


def assert_same_values(got: pd.DataFrame, rows: list[dict]) -> None:
    """Every cell of ``got`` equals the row it was built from (money to 1e-9 relative)."""
    assert list(got.columns) == TABLE_COLUMNS
    expected = {r["school_code"]: r for r in rows}
    assert sorted(got["school_code"]) == sorted(expected)
    checked = 0
    for rec in got.to_dict("records"):
        want = expected[rec["school_code"]]
        for col in TABLE_COLUMNS:
            a, b = rec[col], want.get(col)
            if isinstance(b, float):
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (rec["school_name"], col, a, b)
            else:
                assert a == b, (rec["school_name"], col, a, b)
            checked += 1
    assert checked == len(rows) * len(TABLE_COLUMNS)


def provenance_of(result, school_code: str, column: str) -> pd.DataFrame:
    p = result.provenance()
    return p[(p["school_code"] == school_code) & (p["column"] == HEADERS[column])]


# ------------------------------------------------------------------------------------------------
# every school type, both generations, .xlsx and .xls


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_every_school_type_value_by_value(tmp_path, built, generation, fmt):
    rows = truth(generation)
    assert {r["school_type"] for r in rows} >= {"小学", "初级中学", "九年一贯制学校", "十二年一贯制学校", "完全中学", "教学点"}
    d = built[generation] if fmt == "xlsx" else make_folder(tmp_path, generation, fmt=fmt)
    result = import_statistics([str(d)], YEARS[generation])
    assert result.incomplete == []
    assert_same_values(result.table(), rows)
    assert [m.generation for m in result.mappings] == [generation]


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("quirks", [
    dict(art="merged"), dict(art="none"), dict(star=False), dict(yuan=True), dict(unit_in_sheet=True),
    dict(numeric_codes=True), dict(shifted=True), dict(suffix=True, cover_type=False), dict(identity_sheet=True),
], ids=lambda q: ",".join(f"{k}={v}" for k, v in q.items()))
def test_quirks_give_the_same_values(tmp_path, generation, quirks):
    # every stage (a 12-year school), junior + senior (a complete secondary school), a teaching point
    rows = [r for r in truth(generation) if r["school_type"] in ("十二年一贯制学校", "完全中学", "教学点")]
    d = make_folder(tmp_path, generation, rows=rows, **quirks)
    result = import_statistics([str(d)], YEARS[generation])
    assert [s.missing for s in result.incomplete] == []
    assert_same_values(result.table(), rows)


# ------------------------------------------------------------------------------------------------
# the known traps, one by one


@pytest.mark.parametrize("generation", GENERATIONS)
def test_equipment_units(tmp_path, generation):
    """万元 (label or header), 元, a unit only in the 单位 line, and no unit at all (the mapping's default, noted)."""
    row = truth(generation)[0]
    for quirks, unit in ((dict(), "万元"), (dict(yuan=True), "元"), (dict(unit_in_sheet=True), "万元"),
                         (dict(no_unit=True), "万元")):
        d = tmp_path / f"u{len(list(tmp_path.iterdir()))}"
        d.mkdir()
        build_workbook(row, generation, d / "a.xlsx", **quirks)
        result = import_statistics([str(d)], YEARS[generation])
        got = result.table().iloc[0]["equipment_value"]
        assert math.isclose(got, row["equipment_value"], rel_tol=1e-12), quirks
        prov = provenance_of(result, row["school_code"], "equipment_value")
        assert prov["unit"].tolist() == [unit]
        assert prov["factor"].tolist() == [10000.0 if unit == "万元" else 1.0]
        stated = "未写单位" not in str(prov["note"].iloc[0])
        assert stated == (not quirks.get("no_unit")), quirks


@pytest.mark.parametrize("generation,label", [("2018", "体育馆"), ("2018", "室内体育用房"), ("2021", "室内体育用房"),
                                              ("2021", "体育馆")])
def test_indoor_sports_line_old_and_new_name(tmp_path, generation, label):
    row = truth(generation)[0]
    d = tmp_path / "f"
    d.mkdir()
    build_workbook(row, generation, d / "a.xlsx", indoor_label=label)
    result = import_statistics([str(d)], YEARS[generation])
    t = result.table().iloc[0]
    assert t["indoor_sports_area"] == row["indoor_sports_area"]
    assert t["teaching_area"] == row["teaching_area"]  # the whole 教学及辅助用房: the method subtracts indoor
    prov = provenance_of(result, row["school_code"], "indoor_sports_area")
    assert prov["row_label"].tolist() == [label]


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("art", ["flat", "merged"])
def test_art_subtotal_is_never_counted_twice(tmp_path, built, generation, art):
    rows = truth(generation) if art == "flat" else truth(generation)[:1]
    d = built[generation] if art == "flat" else make_folder(tmp_path, generation, rows=rows, art=art)
    result = import_statistics([str(d)], YEARS[generation])
    assert_same_values(result.table(), rows)
    school = rows[0]
    prov = provenance_of(result, school["school_code"], "primary_pe_art_teachers")
    added = prov[prov["op"] == "+"]
    assert sorted(added["term"]) == sorted(["体育" if generation == "2018" else "体育与健康", "音乐", "美术"])
    checked = prov[prov["op"] == "核对 check"]
    assert len(checked) == 1 and "艺术" in checked["col_header"].iloc[0]
    assert result.notes == [] or all("核对" not in zh for zh, _ in result.notes)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_art_column_that_is_not_the_subtotal_is_reported(tmp_path, generation):
    rows = truth(generation)
    d = make_folder(tmp_path, generation, rows=rows[:1], art="wrong_subtotal")
    result = import_statistics([str(d)], YEARS[generation])
    assert result.table().iloc[0]["primary_pe_art_teachers"] == rows[0]["primary_pe_art_teachers"]
    notes = [zh for zh, _ in result.notes if "核对" in zh]
    assert len(notes) == 1 and "音乐+美术" in notes[0]


def test_nine_year_school_junior_teachers_from_4156_not_both(tmp_path):
    """A nine-year school's 4155 reports both stages and its 4156 the junior one again: junior
    teachers come from 4156 only; without 4156 they come from 4155's junior block (noted)."""
    row = next(r for r in truth("2021") if r["school_type"] == "九年一贯制学校")
    for drop, table in (((), "教基4156"), (("教基4156",), "教基4155")):
        d = tmp_path / f"n{table}"
        d.mkdir()
        build_workbook(row, "2021", d / "a.xlsx", drop_tables=drop)
        result = import_statistics([str(d)], YEARS["2021"])
        assert_same_values(result.table(), [row])
        for col in ("junior_teachers", "junior_qualified_teachers", "junior_pe_art_teachers"):
            prov = provenance_of(result, row["school_code"], col)
            assert set(prov.loc[prov["op"] == "+", "sheet"]) == {table}, col
            assert ("备选来源" in " ".join(prov["note"].fillna(""))) == bool(drop)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_combined_school_facilities_once_teachers_per_stage(built, generation):
    rows = [r for r in truth(generation) if r["school_type"] in ("九年一贯制学校", "十二年一贯制学校", "完全中学")]
    result = import_statistics([str(built[generation])], YEARS[generation])
    t = result.table()
    assert_same_values(t[t["school_code"].isin([r["school_code"] for r in rows])].reset_index(drop=True), rows)
    for r in rows:
        prov = provenance_of(result, r["school_code"], "teaching_area")
        assert len(prov) == 1  # one cell for the whole school, split later by the method


def test_sums_and_cells_on_record(tmp_path):
    """The provenance names each added cell: qualified primary teachers = 研究生 + 本科 + 专科."""
    row = truth("2018")[0]
    d = tmp_path / "f"
    d.mkdir()
    build_workbook(row, "2018", d / "a.xlsx")
    result = import_statistics([str(d)], 2019)
    prov = provenance_of(result, row["school_code"], "primary_qualified_teachers")
    assert prov["term"].tolist() == ["研究生", "本科", "专科"]
    assert prov["op"].tolist() == ["+", "+", "+"]
    assert set(prov["sheet"]) == {"基础基423"}
    assert sum(int(x) for x in prov["raw"]) == row["primary_qualified_teachers"]
    wb = openpyxl.load_workbook(d / "a.xlsx")
    ws = wb["基础基423"]
    for rec in prov.to_dict("records"):  # the cell named holds the raw value
        assert str(ws[rec["cell"]].value) == rec["raw"]


# ------------------------------------------------------------------------------------------------
# refusals (exit 2, nothing written)


def _codes(exc: InputError) -> list[str]:
    return [p.code for p in exc.errors]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_wrong_year_on_the_cover_is_refused(tmp_path, generation):
    row = truth(generation)[0]
    d = tmp_path / "f"
    d.mkdir()
    build_workbook(row, generation, d / "a.xlsx", cover_year=YEARS[generation] - 1)
    with pytest.raises(InputError) as e:
        import_statistics([str(d)], YEARS[generation])
    assert _codes(e.value) == ["wrong_year"]


def test_generation_that_does_not_cover_the_year_is_refused(tmp_path):
    d = make_folder(tmp_path, "2018", rows=truth("2018")[:1])
    with pytest.raises(InputError) as e:
        import_statistics([str(d)], 2024)
    assert _codes(e.value) == ["generation_year"]
    with pytest.raises(InputError) as e:
        import_statistics([str(d)], 2019, forms="2021")
    assert _codes(e.value) == ["wrong_generation"]


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("type_code,kind", [("111", "幼儿园"), ("342", "高级中学")])
def test_kindergarten_and_senior_high_are_refused(tmp_path, generation, type_code, kind):
    rows = truth(generation)[:2]
    d = make_folder(tmp_path, generation, rows=rows[:1])
    build_workbook(rows[1], generation, d / "other.xlsx", type_code=type_code)
    with pytest.raises(InputError) as e:
        import_statistics([str(d)], YEARS[generation])
    assert _codes(e.value) == ["refused_type"]
    assert kind in e.value.errors[0].problem_zh and e.value.errors[0].file.endswith("other.xlsx")


def test_kindergarten_recognised_from_the_sheet_names(tmp_path):
    row = dict(truth("2021")[0], school_type="小学")
    d = tmp_path / "f"
    d.mkdir()
    path = build_workbook(row, "2021", d / "a.xlsx", suffix=True, cover_type=False)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.title = ws.title.replace("_小学", "_幼儿园")
    wb.save(path)
    with pytest.raises(InputError) as e:
        import_statistics([str(d)], 2024)
    assert _codes(e.value) == ["refused_type"]


def test_not_statistics_duplicates_and_bad_files_all_listed(tmp_path):
    rows = truth("2021")[:1]
    d = make_folder(tmp_path, "2021", rows=rows)
    build_workbook(rows[0], "2021", d / "copy.xlsx")  # the same school twice
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(other)
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_statistics([str(d), str(other), str(csv), str(tmp_path / "nope")], 2024)
    assert sorted(_codes(e.value)) == sorted(["duplicate_school", "not_statistics", "bad_suffix", "not_found"])


def test_empty_folder_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as e:
        import_statistics([str(tmp_path / "empty")], 2024)
    assert _codes(e.value) == ["no_workbooks"]


def test_an_earlier_output_in_the_folder_is_skipped(tmp_path):
    rows = truth("2021")[:2]
    d = make_folder(tmp_path, "2021", rows=rows)
    result = import_statistics([str(d)], 2024)
    write_import(result, d / "学校数据.xlsx")
    again = import_statistics([str(d)], 2024)
    assert len(again.complete) == 2
    assert any("学校数据.xlsx" in zh for zh, _ in again.notes)


# ------------------------------------------------------------------------------------------------
# incomplete schools: listed with what is missing, the others written (exit 3)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_blank_cell_and_missing_sheet_make_a_school_incomplete(tmp_path, generation):
    rows = truth(generation)[:3]
    d = make_folder(tmp_path, generation, rows=rows[:1])
    teach = "基础基512" if generation == "2018" else "教基5170"
    students = "基础基313" if generation == "2018" else "教基3115"
    build_workbook(rows[1], generation, d / "b.xlsx", blank=(teach, "一、教学及辅助用房", 1))
    build_workbook(rows[2], generation, d / "c.xlsx", drop_tables=(students,))
    result = import_statistics([str(d)], YEARS[generation])
    assert [s.school_code for s in result.complete] == [rows[0]["school_code"]]
    missing = {s.school_code: [(m.column, m.code) for m in s.missing] for s in result.incomplete}
    assert missing == {rows[1]["school_code"]: [(HEADERS["teaching_area"], "blank_cell")],
                       rows[2]["school_code"]: [(HEADERS["junior_students"], "missing_sheet")]}
    blank = result.incomplete[0].missing[0]
    assert blank.sheet == teach and blank.cell  # where to look
    assert_same_values(result.table(), rows[:1])


def test_text_in_a_number_cell_and_inconsistent_values(tmp_path):
    rows = truth("2021")[:2]
    d = make_folder(tmp_path, "2021", rows=rows[:1])
    path = build_workbook(rows[1], "2021", d / "b.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["教基5176"]
    for r in ws.iter_rows():
        if r[1].value == "运动场地面积":
            r[3].value = "约8000"
    wb.save(path)
    bad = dict(rows[0], school_code="2130000999", primary_qualified_teachers=rows[0]["primary_teachers"] + 5)
    build_workbook(bad, "2021", d / "c.xlsx")
    result = import_statistics([str(d)], 2024)
    by = {s.school_code: s.missing for s in result.incomplete}
    assert [m.code for m in by[rows[1]["school_code"]]] == ["not_a_number"]
    assert "约8000" in by[rows[1]["school_code"]][0].zh
    assert len(by["2130000999"]) == 1 and by["2130000999"][0].zh.startswith("数据检查未通过")


def test_two_sheets_of_one_table_are_not_guessed(tmp_path):
    rows = truth("2021")[:1]
    d = make_folder(tmp_path, "2021", rows=rows)
    path = next(d.iterdir())
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["教基5170"]).title = "教基5170_初级中学"
    wb.save(path)
    result = import_statistics([str(d)], 2024)
    missing = [(m.column, m.code) for m in result.incomplete[0].missing]
    assert missing == [(HEADERS["teaching_area"], "ambiguous_sheet"), (HEADERS["indoor_sports_area"], "ambiguous_sheet")]


def test_blank_identity_value_is_missing_not_the_next_label(tmp_path):
    rows = truth("2021")[:1]
    d = make_folder(tmp_path, "2021", rows=rows)
    path = next(d.iterdir())
    wb = openpyxl.load_workbook(path)
    ws = wb["封面"]
    for r in ws.iter_rows():
        if r[1].value == "举办者":
            r[2].value = None
        if r[1].value == "学校（机构）名称":  # a second label | value pair on the same row
            r[3].value, r[4].value = "联系电话", "12345"
    wb.save(path)
    result = import_statistics([str(d)], 2024)
    s = result.incomplete[0]
    assert [(m.column, m.code) for m in s.missing] == [(HEADERS["ownership"], "identity_missing")]
    assert s.school_name == rows[0]["school_name"]


# ------------------------------------------------------------------------------------------------
# the output workbook and CSV, and the command line


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_writes_table_todo_sources_notes(tmp_path, capsys):
    rows = truth("2021")[:3]
    d = make_folder(tmp_path, "2021", rows=rows[:2])
    build_workbook(rows[2], "2021", d / "c.xlsx", blank=("教基5176", "运动场地面积", 1))
    out = tmp_path / "out" / "学校数据.xlsx"
    code, stdout, stderr = _run(["import-stats", str(d), "--year", "2024", "--out", str(out)], capsys)
    assert code == 3, stderr
    assert "待补充" in stdout and rows[2]["school_name"] in stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["学校基础数据", "待补充", "来源", "说明"]
    ws = wb["学校基础数据"]
    header = [c.value for c in ws[1]]
    assert header == [HEADERS[c] for c in TABLE_COLUMNS]
    codes = [ws.cell(row=i, column=header.index("学校标识码") + 1) for i in (2, 3)]
    assert [c.value for c in codes] == [r["school_code"] for r in rows[:2]] and all(c.data_type == "s" for c in codes)
    todo = list(wb["待补充"].iter_rows(min_row=2, values_only=True))
    assert len(todo) == 1 and todo[0][3] == HEADERS["sports_ground_area"] and todo[0][5] == "教基5176"
    prov = pd.read_csv(provenance_csv_path(out), encoding="utf-8-sig", dtype=str)
    assert provenance_csv_path(out).read_bytes()[:3] == b"\xef\xbb\xbf"
    assert len(prov) == wb["来源"].max_row - 1
    notes = [r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True)]
    assert any("假设" in str(r[0]) for r in wb["说明"].iter_rows(min_row=2, values_only=True))
    assert "2024" in [str(n) for n in notes]
    # the result passes balance validate
    code, stdout, stderr = _run(["validate", str(out)], capsys)
    assert code == 0, stderr


def test_cli_exit_codes_and_nothing_written_on_refusal(tmp_path, capsys):
    rows = truth("2021")[:1]
    d = make_folder(tmp_path, "2021", rows=rows)
    out = tmp_path / "o" / "学校数据.xlsx"
    assert _run(["import-stats", str(d), "--year", "2024", "--out", str(out)], capsys)[0] == 0
    # an existing output is not replaced without --force
    code, _, err = _run(["import-stats", str(d), "--year", "2024", "--out", str(out)], capsys)
    assert code == 2 and "--force" in err
    assert _run(["import-stats", str(d), "--year", "2024", "--out", str(out), "--force"], capsys)[0] == 0
    # refusals write nothing
    out2 = tmp_path / "p" / "学校数据.xlsx"
    for argv in (["--year", "2023"], ["--year", "2024", "--forms", "2018"], ["--year", "2024", "--forms", "1999"]):
        code, _, err = _run(["import-stats", str(d), *argv, "--out", str(out2)], capsys)
        assert code == 2, argv
        assert "/" in err and not out2.parent.exists()
    code, _, err = _run(["import-stats", str(d), "--year", "2024", "--out", str(tmp_path / "x.csv")], capsys)
    assert code == 2 and ".xlsx" in err


def test_names_that_look_like_formulas_stay_text(tmp_path):
    rows = truth("2021")[:1]
    bad = dict(rows[0], school_name="=HYPERLINK(\"x\")")
    d = make_folder(tmp_path, "2021", rows=[bad])
    result = import_statistics([str(d)], 2024)
    assert len(result.incomplete) == 1  # the package refuses such names in the table
    out = tmp_path / "学校数据.xlsx"
    write_import(result, out)
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == bad["school_name"]]
    assert cells and all(c.data_type == "s" for c in cells)


def test_custom_mapping_file(tmp_path):
    """A province's variant is a YAML file, not code: here PE/art = 体育与健康 + 艺术 (the subtotal alone)."""
    import yaml

    from balance.io.statsforms.mapping import mapping_files

    spec = yaml.safe_load(mapping_files()["2021"].read_text(encoding="utf-8"))
    spec["fields"]["primary_pe_art_teachers"] = {"stage": "小学", "terms": [
        {"name": "体育与健康", "table": "教基4155", "row": {"label": "小学"}, "column": {"header": "体育与健康"}},
        {"name": "艺术", "table": "教基4155", "row": {"label": "小学"}, "column": {"header": "艺术"}}]}
    spec["assumptions"] = ["体育艺术 = 体育与健康 + 艺术（本省）"]
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rows = truth("2021")[:1]
    d = make_folder(tmp_path, "2021", rows=rows)
    result = import_statistics([str(d)], 2024, forms=str(path))
    assert result.table().iloc[0]["primary_pe_art_teachers"] == rows[0]["primary_pe_art_teachers"]
    prov = provenance_of(result, rows[0]["school_code"], "primary_pe_art_teachers")
    assert prov["term"].tolist() == ["体育与健康", "艺术"]
    out = tmp_path / "学校数据.xlsx"
    write_import(result, out)
    notes = [r[1] for r in openpyxl.load_workbook(out)["说明"].iter_rows(min_row=2, values_only=True)]
    assert "体育艺术 = 体育与健康 + 艺术（本省）" in notes


def test_bad_mapping_file_is_a_refusal(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("generation: x\nfields: {nonsense: {}}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_statistics([str(tmp_path)], 2024, forms=str(path))
    assert _codes(e.value) == ["bad_mapping"]


# ------------------------------------------------------------------------------------------------
# round trip: import → assess equals assess of the same schools typed into the template


@pytest.mark.parametrize("generation", GENERATIONS)
def test_round_trip_assessment(tmp_path, built, generation):
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    rows = truth(generation)
    d = built[generation]
    out = tmp_path / "学校数据.xlsx"
    write_import(import_statistics([str(d)], YEARS[generation]), out)
    typed = tmp_path / "typed.xlsx"  # the same schools entered in the template by hand
    pd.DataFrame(rows)[TABLE_COLUMNS].rename(columns=HEADERS).to_excel(typed, index=False)
    a, b = assess(load_school_table(out)), assess(load_school_table(typed))
    pd.testing.assert_frame_equal(a.verdicts, b.verdicts)
    cols = ["year", "county_code", "stage", "indicator", "value", "cv", "cv_passed"]
    pd.testing.assert_frame_equal(a.county_indicators[cols], b.county_indicators[cols], rtol=1e-12)
    key = ["school_code", "stage"]
    pd.testing.assert_frame_equal(a.school_results.sort_values(key).reset_index(drop=True),
                                  b.school_results.sort_values(key).reset_index(drop=True), rtol=1e-12)
    assert len(a.school_results) > 0 and a.county_indicators["value"].notna().any()


def test_formula_like_raw_cells_cannot_run_from_the_provenance_csv(tmp_path):
    # a rejected school's raw name used to reach *.provenance.csv as written: a double-click on the
    # CSV would run =HYPERLINK(...) in Excel; it is now prefixed by ' (numbers such as -5 stay)
    import csv

    rows = truth("2021")[:1]
    bad = dict(rows[0], school_name="=HYPERLINK(\"x\")")
    d = make_folder(tmp_path, "2021", rows=[bad])
    result = import_statistics([str(d)], 2024)
    out = tmp_path / "学校数据.xlsx"
    write_import(result, out)
    with open(tmp_path / "学校数据.provenance.csv", encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert "'" + bad["school_name"] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    # the workbook keeps the name as written, as text (the test above)
    wb = openpyxl.load_workbook(out)
    assert any(c.value == bad["school_name"] for ws in wb.worksheets for row in ws.iter_rows() for c in row)
