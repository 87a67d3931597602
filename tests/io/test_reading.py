"""Reading the school table: files, encodings, Excel cells, header matching, row numbers."""
from __future__ import annotations

import hashlib

import numpy as np
import openpyxl
import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.reading import SchoolTable, header_lookup, load_school_table, normalize_header
from balance.schema import COLUMNS, HEADERS
from tests.tables import valid_canonical, valid_table

H = HEADERS
CANONICAL = [c["name"] for c in COLUMNS]


def problems(source, **kw):
    with pytest.raises(InputError) as info:
        load_school_table(source, **kw)
    return info.value.problems


def write_csv(df: pd.DataFrame, path, encoding="utf-8", title_lines=()):
    text = "".join(line + "\n" for line in title_lines) + df.to_csv(index=False, lineterminator="\n")
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(rows: list[list], path, sheet="学校", extra_sheets=()):
    """An Excel file written cell by cell with openpyxl (numbers stay numbers)."""
    wb = openpyxl.Workbook()
    for name in extra_sheets:
        wb.create_sheet(name).append(["说明"])
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if extra_sheets:  # put the data sheet last, so "first sheet" and a named sheet differ
        wb.move_sheet(ws, offset=len(extra_sheets))
    wb.save(path)
    return path


def frame_rows(df: pd.DataFrame) -> list[list]:
    return [list(df.columns)] + [[None if pd.isna(v) else v for v in r] for r in df.itertuples(index=False)]


# -- the canonical result -----------------------------------------------------------------------------


def test_result_columns_and_dtypes():
    t = load_school_table(valid_table())
    assert isinstance(t, SchoolTable)
    assert list(t.data.columns) == CANONICAL + ["source_row"]
    for c in COLUMNS:
        name, kind = c["name"], c["kind"]
        dtype = t.data[name].dtype
        if kind in ("year", "count"):
            # optional counts (音乐专用教室数, 建成年份 …) are nullable: absent here, so all <NA>
            assert dtype == ("int64" if c.get("required") else "Int64"), name
        elif kind in ("area", "money"):
            assert dtype == "float64", name
        else:
            assert pd.api.types.is_string_dtype(dtype), name
        if not c.get("required") and kind != "text":
            assert t.data[name].isna().all(), name
    assert t.data["source_row"].dtype == "int64"
    assert t.data["source_row"].tolist() == list(range(2, 24))
    assert t.path == "<DataFrame>" and t.sha256 is None
    present = [c["name"] for c in COLUMNS if c.get("required") or c["name"] == "township"]
    assert t.header_map[H["teaching_area"]] == "teaching_area" and len(t.header_map) == len(present)


def test_dataframe_with_canonical_names():
    t = load_school_table(valid_canonical())
    ref = load_school_table(valid_table())
    pd.testing.assert_frame_equal(t.data, ref.data)
    assert t.header_map["books"] == "books"


def test_missing_township_is_na():
    t = load_school_table(valid_table().drop(columns=[H["township"]]))
    assert "township" in t.data and t.data["township"].isna().all()


def test_reloading_the_canonical_data_keeps_source_rows():
    t = load_school_table(valid_table().iloc[5:])
    assert t.data["source_row"].iloc[0] == 2  # a DataFrame's rows are numbered from 2
    again = load_school_table(t.data)
    pd.testing.assert_frame_equal(again.data, t.data)


# -- header matching ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant,canonical", [
    (" 小学 在校生数 ", "primary_students"),
    ("小学\u3000在校生数", "primary_students"),                     # full-width space
    ("小学在校\n生数", "primary_students"),                         # line break in the cell
    ("教学及辅助用房面积（㎡）", "teaching_area"),                   # full-width brackets
    ("教学及辅助用房面积(平方米)", "teaching_area"),
    ("教学及辅助用房面积(m2)", "teaching_area"),
    ("教学及辅助用房面积(M²)", "teaching_area"),
    ("室内体育用房面积（平方米）", "indoor_sports_area"),
    ("体育运动场（馆）面积", "sports_ground_area"),                  # alias with brackets
    ("Teaching_Area", "teaching_area"),                              # English, case-insensitive
    ("SCHOOL_CODE", "school_code"),
    ("学校代码", "school_code"),                                     # alias
    ("校名", "school_name"),
    ("*学校名称", "school_name"),                                    # required-field mark
])
def test_header_variants(variant, canonical):
    assert header_lookup()[normalize_header(variant)][0] == canonical


def test_header_variants_in_a_table():
    renames = {H["school_name"]: " 学校 名称 ", H["teaching_area"]: "教学及辅助用房面积（平方米）",
               H["indoor_sports_area"]: "室内体育用房面积(m2)", H["school_code"]: "学校代码",
               H["books"]: "Books", H["primary_pe_art_teachers"]: "小学体育、艺术专任教师数"}
    t = load_school_table(valid_table().rename(columns=renames))
    ref = load_school_table(valid_table())
    pd.testing.assert_frame_equal(t.data, ref.data)
    assert t.header_map["教学及辅助用房面积（平方米）"] == "teaching_area"
    assert t.header_map["学校 名称"] == "school_name"


def test_no_normalised_header_names_two_columns():
    # header_lookup raises on a clash; every column's own header must map back to it
    lookup = header_lookup()
    for c in COLUMNS:
        assert lookup[normalize_header(c["header"])] == (c["name"], 1.0)


def test_wan_yuan_converted_to_yuan():
    # 12.5 万元 × 10000 = 125000 元; 0.37 万元 × 10000 = 3700 元
    df = valid_table().rename(columns={H["equipment_value"]: "教学仪器设备值（万元）"}).astype(object)
    df[ "教学仪器设备值（万元）"] = df["教学仪器设备值（万元）"] / 10000
    df.loc[0, "教学仪器设备值（万元）"] = 12.5
    df.loc[1, "教学仪器设备值（万元）"] = "0.37"
    t = load_school_table(df)
    assert t.data.loc[0, "equipment_value"] == 125000.0
    assert t.data.loc[1, "equipment_value"] == 3700.0
    assert t.data["equipment_value"].iloc[2:].tolist() == valid_table()[H["equipment_value"]].iloc[2:].tolist()
    assert t.header_map["教学仪器设备值（万元）"] == "equipment_value"


def test_missing_required_columns_all_listed():
    gone = [H["books"], H["year"], H["junior_titled_teachers"]]
    ps = problems(valid_table().drop(columns=gone))
    missing = [p for p in ps if p.code == "missing_column"]
    assert sorted(p.column for p in missing) == sorted(gone)
    assert all(p.row is None for p in missing)


def test_two_columns_mapping_to_one_is_an_error():
    df = valid_table()
    df["校名"] = df[H["school_name"]]
    ps = problems(df)
    assert [p.code for p in ps] == ["duplicate_column"]
    assert "校名" in ps[0].problem_zh and H["school_name"] in ps[0].problem_zh


def test_unknown_columns_ignored_with_a_warning():
    df = valid_table()
    df["备注"] = "无"
    df["校长姓名"] = "张三"
    t = load_school_table(df)
    assert "备注" not in t.data and "校长姓名" not in t.data
    (w,) = t.warnings
    assert w.code == "unknown_columns" and "备注" in w.problem_zh and "校长姓名" in w.problem_en


def test_optional_evaluation_columns_by_alias_in_csv_and_xlsx(tmp_path):
    n = 22
    df = valid_table().astype(object)
    df["音乐教室数"] = [2] + [""] * (n - 1)                       # alias of 音乐专用教室数
    df["最小音乐教室面积（平方米）"] = [98.5] + [""] * (n - 1)     # alias + unit spelling
    df["初中超50人班数"] = [""] * n                                 # present, every cell blank
    df["校舍建成年份"] = ["1996"] + [""] * (n - 1)
    for path in (write_csv(df, tmp_path / "s.csv"), write_xlsx(frame_rows(df), tmp_path / "s.xlsx")):
        t = load_school_table(path)
        d = t.data
        assert t.warnings == []                                     # the optional headers are recognised
        assert t.header_map["音乐教室数"] == "music_rooms" and t.header_map["校舍建成年份"] == "built_year"
        assert d["music_rooms"].iloc[0] == 2 and d["music_rooms"].iloc[1:].isna().all()
        assert d["music_room_min_area"].iloc[0] == 98.5
        assert d["junior_oversized_classes"].dtype == "Int64" and d["junior_oversized_classes"].isna().all()
        assert d["built_year"].iloc[0] == 1996 and d["art_rooms"].isna().all()


# -- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = write_csv(valid_table(), tmp_path / "schools.csv", encoding)
    raw = path.read_bytes()
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # the file really is not UTF-8
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    t = load_school_table(path)
    pd.testing.assert_frame_equal(t.data, load_school_table(valid_table()).data)
    assert t.sha256 == hashlib.sha256(raw).hexdigest()
    assert t.path == str(path)


def test_csv_row_numbers_and_title_lines(tmp_path):
    df = valid_table().astype(object)
    df.loc[3, H["books"]] = "n/a"
    path = write_csv(df, tmp_path / "s.csv", title_lines=["长安区2023—2024年义务教育学校基本情况表", "填报单位：教育局,,,"])
    ps = problems(path)
    # two title lines, the header on line 3, data from line 4: df row 3 is line 7
    assert [(p.code, p.row, p.column, p.value) for p in ps] == [("not_number", 7, H["books"], "n/a")]
    assert ps[0].file == str(path)


def test_csv_cells_read_as_text_keep_leading_zeros(tmp_path):
    df = valid_table()
    df[H["school_code"]] = df[H["school_code"]].str.replace("^2", "0", regex=True)
    t = load_school_table(write_csv(df, tmp_path / "s.csv"))
    assert t.data["school_code"].iloc[0] == "0130000001"


def test_file_is_not_modified(tmp_path):
    path = write_csv(valid_table(), tmp_path / "s.csv", "gb18030")
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    load_school_table(path)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert [p.code for p in problems(path)] == ["empty_file"]


def test_header_only(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(",".join(H.values()) + "\n\n", encoding="utf-8")
    assert [p.code for p in problems(path)] == ["no_data_rows"]


def test_dataframe_without_rows():
    assert [p.code for p in problems(valid_table().iloc[:0])] == ["no_data_rows"]


def test_missing_file_and_unsupported_type(tmp_path):
    assert [p.code for p in problems(tmp_path / "nope.csv")] == ["file_not_found"]
    other = tmp_path / "schools.docx"
    other.write_bytes(b"x")
    assert [p.code for p in problems(other)] == ["unsupported_format"]


# -- Excel ----------------------------------------------------------------------------------------


def test_xlsx_numbers_and_codes(tmp_path):
    df = valid_table()
    rows = frame_rows(df)
    ci, si = rows[0].index(H["county_code"]), rows[0].index(H["school_code"])
    for r in rows[1:]:
        r[ci] = float(r[ci])  # county codes stored as numbers: 130102.0 has 6 digits, fine
    rows[1][si] = 2130000001  # a full-length school code stored as a number is fine too
    t = load_school_table(write_xlsx(rows, tmp_path / "s.xlsx"))
    assert t.data["county_code"].iloc[0] == "130102"
    assert t.data["school_code"].iloc[0] == "2130000001"
    pd.testing.assert_frame_equal(t.data, load_school_table(df).data)
    assert t.sheet == "学校"


def test_xlsx_code_stored_as_number_lost_leading_zero(tmp_path):
    rows = frame_rows(valid_table())
    si = rows[0].index(H["school_code"])
    rows[1][si] = int("0130000001")  # Excel keeps 130000001: nine digits
    ps = problems(write_xlsx(rows, tmp_path / "s.xlsx"))
    assert [(p.code, p.row, p.value, p.sheet) for p in ps] == [("code_stored_as_number", 2, "130000001", "学校")]
    assert "stored as a number" in ps[0].problem_en and "leading zeros" in ps[0].problem_en
    assert "数字格式" in ps[0].problem_zh


def test_xlsx_title_rows_above_the_header(tmp_path):
    df = valid_table().astype(object)
    df.loc[0, H["primary_students"]] = "一千"
    rows = [["长安区义务教育学校基本情况统计表"], ["统计时间：2024年9月", None, "单位：人、㎡、元"]] + frame_rows(df)
    ps = problems(write_xlsx(rows, tmp_path / "s.xlsx"))
    # title rows 1-2, header row 3, first data row 4
    assert [(p.code, p.row) for p in ps] == [("not_number", 4)]


def test_xlsx_title_rows_row_numbers_when_valid(tmp_path):
    rows = [["统计表"], []] + frame_rows(valid_table())
    t = load_school_table(write_xlsx(rows, tmp_path / "s.xlsx"))
    assert t.data["source_row"].iloc[0] == 4 and len(t.data) == 22


def test_xlsx_trailing_blank_rows_ignored(tmp_path):
    rows = frame_rows(valid_table()) + [[None] * 5, ["", " "]]
    assert len(load_school_table(write_xlsx(rows, tmp_path / "s.xlsx")).data) == 22


def test_xlsx_sheet_by_name(tmp_path):
    path = write_xlsx(frame_rows(valid_table()), tmp_path / "s.xlsx", sheet="数据", extra_sheets=["说明"])
    first = load_school_table(path)  # the first sheet, 说明, is not a school table: the only one that is is read
    assert first.sheet == "数据" and [w.code for w in first.warnings] == ["sheet_chosen"]
    assert "说明" in first.warnings[0].problem_zh and "--sheet" in first.warnings[0].problem_en
    assert [p.code for p in problems(path, sheet="说明")] == ["no_header_sheets"]  # asked for: one line
    t = load_school_table(path, sheet="数据")
    assert len(t.data) == 22 and t.sheet == "数据"
    ps = problems(path, sheet="不存在")
    assert [p.code for p in ps] == ["sheet_not_found"] and "数据" in ps[0].problem_zh


def test_xlsx_file_not_modified_and_checksum(tmp_path):
    path = write_xlsx(frame_rows(valid_table()), tmp_path / "s.xlsx")
    before = path.read_bytes()
    t = load_school_table(path)
    assert path.read_bytes() == before
    assert t.sha256 == hashlib.sha256(before).hexdigest()


def test_empty_workbook(tmp_path):
    path = write_xlsx([], tmp_path / "e.xlsx")
    assert [p.code for p in problems(path)] == ["empty_file"]


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip file at all")
    ps = problems(path)
    assert [p.code for p in ps] == ["not_a_workbook"] and "CSV" in ps[0].problem_en


def test_numeric_dataframe_code_column_reports_lost_zero():
    df = valid_table()
    df[H["county_code"]] = df[H["county_code"]].astype("int64")
    df.loc[0, H["county_code"]] = 30102  # was 030102 before becoming a number
    ps = problems(df)
    assert [(p.code, p.row, p.value) for p in ps] == [("code_stored_as_number", 2, "30102")]


def test_integer_valued_float_codes_become_digits():
    df = valid_table()
    df[H["county_code"]] = df[H["county_code"]].astype("float64")  # 130102.0
    t = load_school_table(df)
    assert t.data["county_code"].iloc[0] == "130102"
    assert np.all(t.data["county_code"].str.len() == 6)
