"""The county sheet: template, reading, and every kind of bad value reported at once."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.county_sheet import (
    DESCRIPTION_ROWS,
    SHEET_NAME,
    fields,
    item_spec,
    items,
    load_county_sheet,
    sheet_columns,
    write_county_sheet_template,
)


def full_row(year=2024, code="130102", name="长安区", **over) -> dict:
    """A sheet row (Chinese headers) where every item holds; ``over`` replaces cells by field name."""
    row = {"年份": year, "县区代码": code, "县区名称": name}
    for f in fields():
        if f["type"] == "yes_no":
            v = "否" if f["area"] == "veto" else "是"
        elif f["type"] == "rate":
            v = 100
        elif f["type"] == "amount":
            v = 8000
        else:
            v = 0.1
        row[f["header"]] = over.pop(f["name"], v)
    assert not over, f"unknown fields {over}"
    return row


def test_items_file_has_the_official_counts():
    by_area = {}
    for it in items():
        by_area.setdefault(it["area"], []).append(it["item_no"])
    assert by_area["government"] == list(range(1, 16))
    assert by_area["quality"] == list(range(1, 10))
    assert by_area["recognition"] == [1]
    assert by_area["veto"] == list(range(1, 7))
    computed = {it["item_no"]: it["computed"] for it in items() if it.get("computed")}
    assert computed == {3: "music_art_rooms", 4: "school_size", 5: "class_size"}
    assert item_spec()["computed_defaults"]["music_room_min_area"] == 96
    # headers and names are unique
    cols = sheet_columns()
    assert len({c["header"] for c in cols}) == len(cols)
    assert len({c["name"] for c in cols}) == len(cols)


def test_template_layout_and_round_trip(tmp_path):
    path = write_county_sheet_template(tmp_path / "sub" / "county.xlsx", rows=[(2024, "013102", "某县")])
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_NAME]
    header_row = DESCRIPTION_ROWS + 1
    headers = [c.value for c in ws[header_row]]
    assert headers[:3] == ["年份", "县区代码", "县区名称"]
    assert "保障1 学校布局规划合理" in headers and "保障1 说明及佐证材料" in headers
    assert "认可 社会认可度调查结果(%)" in headers and "否决6 存在数据弄虚作假" in headers
    j = headers.index("质量1 初中三年巩固率(%)") + 1
    # the rule and the requirement stand above the header, bilingual
    assert "≥ 95 %" in ws.cell(row=4, column=j).value
    assert "巩固率" in ws.cell(row=2, column=j).value and "retention" in ws.cell(row=3, column=j).value
    # yes/no drop-down
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"是,否"'
    # the county code keeps its leading zero (text)
    assert ws.cell(row=header_row + 1, column=2).value == "013102"
    assert "填报说明" in wb.sheetnames
    # the blank template reads back: one row, every item missing, no error
    sheet = load_county_sheet(path)
    assert len(sheet.data) == 1
    r = sheet.row(2024, "013102")
    assert r["g1_layout"] is None and pd.isna(r["q1_retention_rate"])


def test_filled_template_reads_values(tmp_path):
    path = write_county_sheet_template(tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_NAME]
    headers = [c.value for c in ws[DESCRIPTION_ROWS + 1]]
    row = full_row(q1_retention_rate="96.5%", g7_special_school_funds=6000)
    for j, h in enumerate(headers, start=1):
        ws.cell(row=DESCRIPTION_ROWS + 2, column=j, value=row.get(h))
    wb.save(path)
    sheet = load_county_sheet(path, known_counties={"130102": "长安区"})
    r = sheet.row(2024, "130102")
    assert r["q1_retention_rate"] == 96.5
    assert r["g1_layout"] == "是" and r["v1_exam_admission"] == "否"
    assert r["g7_special_school_funds"] == 6000
    assert r["source_row"] == DESCRIPTION_ROWS + 2
    assert sheet.sha256 and len(sheet.columns_found) == len(fields())


def _problems(df, **kw) -> list:
    with pytest.raises(InputError) as ei:
        load_county_sheet(df, **kw)
    return ei.value.errors


def test_bad_values_all_reported_with_row_and_column():
    bad = full_row(g1_layout="yes", q1_retention_rate=120, q2_disabled_enrolment="很高",
                   g7_special_school_funds=-5, q9_difference_rate=1.5, v3_key_schools="没有")
    df = pd.DataFrame([full_row(code="130104", name="桥西区"), bad])
    errs = _problems(df)
    by_col = {e.column: e for e in errs}
    e = by_col["保障1 学校布局规划合理"]
    assert e.row == 3 and e.value == "yes" and e.code == "not_yes_no"
    assert "“是”或“否”" in e.problem_zh and "yes" in e.problem_en
    e = by_col["质量1 初中三年巩固率(%)"]
    assert e.code == "rate_out_of_range" and "0–100" in e.problem_zh and e.value == "120"
    assert by_col["质量2 残疾儿童少年入学率(%)"].code == "not_number"
    assert by_col["保障7 特殊教育学校生均公用经费(元)"].code == "negative"
    assert by_col["质量9b 校际差异率"].code == "ratio_out_of_range"
    assert by_col["否决3 存在重点学校或重点班"].code == "not_yes_no"
    assert len(errs) == 6
    assert all(x.row == 3 for x in errs)


def test_negative_rate_and_percent_sign():
    errs = _problems(pd.DataFrame([full_row(g12_certificate_rate="-1", g9_training_rate="99%")]))
    assert [e.code for e in errs] == ["rate_out_of_range"]


def test_fraction_like_rate_is_a_warning():
    sheet = load_county_sheet(pd.DataFrame([full_row(recognition_rate=0.9)]))
    assert sheet.row(2024, "130102")["recognition_rate"] == 0.9
    # the only value of the column looks like a fraction: one warning for the column (issue 12)
    w = [p for p in sheet.warnings if p.code in ("rate_looks_like_fraction", "rate_column_fraction")]
    assert [p.code for p in w] == ["rate_column_fraction"] and "请填写 90" in w[0].problem_zh


def test_one_fraction_like_rate_among_percents_is_a_cell_warning():
    df = pd.DataFrame([full_row(recognition_rate=0.9), full_row(year=2023, recognition_rate=96)])
    w = [p for p in load_county_sheet(df).warnings if p.code.startswith("rate_")]
    assert [(p.code, p.row) for p in w] == [("rate_looks_like_fraction", 2)] and "90" in w[0].problem_zh


def test_duplicate_county_year_and_unknown_county():
    df = pd.DataFrame([full_row(), full_row(), full_row(code="999999", name="无此县"), full_row(year=2023)])
    errs = _problems(df, known_counties={"130102": "长安区"})
    dup = [e for e in errs if e.code == "duplicate_county_year"]
    assert [e.row for e in dup] == [2, 3]
    assert "第 2、3 行" in dup[0].problem_zh
    unknown = [e for e in errs if e.code == "unknown_county"]
    assert len(unknown) == 1 and unknown[0].row == 4 and unknown[0].value == "999999"
    assert "不在学校数据中" in unknown[0].problem_zh and "not in the school data" in unknown[0].problem_en


def test_bad_identity_cells():
    df = pd.DataFrame([full_row(year="二〇二四"), full_row(code="13010"), full_row(code="13A102")])
    codes = [e.code for e in _problems(df)]
    assert codes == ["year_invalid", "code_length", "code_not_digits"]


def test_county_code_lost_leading_zero_in_excel(tmp_path):
    path = tmp_path / "c.xlsx"
    pd.DataFrame([full_row(code=13102)]).to_excel(path, index=False)
    errs = _problems(path)
    assert errs[0].code == "code_length" and "开头的 0" in errs[0].problem_zh


def test_missing_columns_are_a_warning_and_items_missing(tmp_path):
    df = pd.DataFrame([{"年份": 2024, "县区代码": "130102", "保障1 学校布局规划合理": "是", "多余的列": 1}])
    path = tmp_path / "c.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    sheet = load_county_sheet(path)
    codes = {w.code for w in sheet.warnings}
    assert {"missing_item_columns", "unknown_columns"} <= codes
    r = sheet.row(2024, "130102")
    assert r["g1_layout"] == "是" and r["g2_unified_standards"] is None


def test_headers_matched_by_code_or_name():
    df = pd.DataFrame([{"年份": 2024, "县区代码": "130102", "保障11a 交流轮岗比例": 12, "g11_backbone_share": 25,
                        "认可（社会认可度 %）": 90}])
    r = load_county_sheet(df).row(2024, "130102")
    assert r["g11_rotation_rate"] == 12 and r["g11_backbone_share"] == 25 and r["recognition_rate"] == 90


def test_no_header_row_and_missing_file(tmp_path):
    with pytest.raises(InputError) as ei:
        load_county_sheet(pd.DataFrame([{"a": 1}]))
    assert ei.value.errors[0].code == "missing_header"
    with pytest.raises(InputError) as ei:
        load_county_sheet(tmp_path / "none.xlsx")
    assert ei.value.errors[0].code == "file_not_found"


# -- hostile input (issue 9) ----------------------------------------------------------------------


def _write(tmp_path, rows: list[dict], name="c.xlsx"):
    path = tmp_path / name
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(list(rows[0]))
    for r in rows:
        ws.append(list(r.values()))
    wb.save(path)
    return path


def _errors(path, **kw):
    with pytest.raises(InputError) as info:
        load_county_sheet(path, **kw)
    return [p for p in info.value.problems if p.severity == "error"]


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"长安区\")", "+1", "-区", "@SUM(A1)"])
def test_county_name_starting_like_a_formula_is_refused(name):
    errs = _errors(pd.DataFrame([full_row(name=name)]))  # as text (openpyxl would store a formula)
    assert [(p.code, p.row, p.column) for p in errs] == [("name_formula", 2, "县区名称")]


def test_formula_without_a_value_is_named_not_missing(tmp_path):
    row = full_row()
    rate = next(f for f in fields() if f["type"] == "rate")
    row[rate["header"]] = "=95+1"  # openpyxl writes no cached value
    errs = _errors(_write(tmp_path, [row]))
    assert [(p.code, p.row, p.column) for p in errs] == [("formula_no_value", 2, rate["header"])]


def test_far_away_cell_refused_in_a_county_sheet(tmp_path):
    """In a child process with capped memory: before the check, the reader asked for 512 GB."""
    import resource
    import subprocess
    import sys

    from tests import hostile_files as hostile

    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell())
    code = ("import sys\nfrom balance.io.county_sheet import load_county_sheet\nfrom balance.errors import InputError\n"
            "try:\n    load_county_sheet(sys.argv[1])\nexcept InputError as e:\n"
            "    print(*[p.code for p in e.problems])\n    sys.exit(2)\n")
    cap = 3 * 1024**3
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (cap, cap)))
    assert (r.returncode, r.stdout.split()) == (2, ["sheet_too_large"]), r.stderr[-1000:]


def test_county_sheet_limits_and_odd_files(tmp_path):
    path = _write(tmp_path, [full_row()])
    assert [p.code for p in _errors(path, limits={"max_cells": 10})] == ["sheet_too_large"]
    text = tmp_path / "t.xlsx"
    text.write_text("年份,县区代码\n2024,130102\n", encoding="utf-8")
    assert [p.code for p in _errors(text)] == ["not_a_workbook"]
    named_csv = tmp_path / "w.csv"
    named_csv.write_bytes(path.read_bytes())
    assert [p.code for p in _errors(named_csv)] == ["workbook_as_text"]
    folder = tmp_path / "d.xlsx"
    folder.mkdir()
    assert [p.code for p in _errors(folder)] == ["is_a_folder"]
    nul = tmp_path / "n.csv"
    nul.write_bytes(b"\xe5\xb9\xb4\xe4\xbb\xbd,x\n2024,\x00\n")
    assert [p.code for p in _errors(nul)] == ["not_text"]
