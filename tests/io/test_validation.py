"""Validation of the school table: one test per kind of problem, warnings, and collecting all problems."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.reading import load_school_table
from balance.io.validation import MAX_PER_KIND, message, messages, school_schema
from balance.schema import HEADERS, column_spec
from tests.tables import valid_table

H = HEADERS  # canonical -> Chinese header


def table() -> pd.DataFrame:
    """The valid table with object cells, so any cell can be set to text."""
    return valid_table().astype(object)


def problems_of(df: pd.DataFrame) -> list:
    with pytest.raises(InputError) as info:
        load_school_table(df)
    return info.value.problems


def errors_of(df: pd.DataFrame) -> list:
    return [p for p in problems_of(df) if p.severity == "error"]


def only(problems, code):
    return [p for p in problems if p.code == code]


def row_of(df, name):
    """Index of the first row of school ``name`` (DataFrame row i is user row i + 2)."""
    return int(np.flatnonzero(df[H["school_name"]].to_numpy() == name)[0])


def test_valid_table_passes_without_warnings():
    t = load_school_table(valid_table())
    assert len(t.data) == 22 and t.warnings == []


# -- cells -----------------------------------------------------------------------------------


def test_non_numeric_count():
    df = table()
    df.loc[3, H["primary_students"]] = "约300"
    errs = errors_of(df)
    assert [(p.code, p.row, p.column, p.value) for p in errs] == [("not_number", 5, "小学在校生数", "约300")]
    assert errs[0].problem_zh == "不是数字" and errs[0].problem_en == "not a number"


def test_negative_count():
    df = table()
    df.loc[0, H["books"]] = -5
    assert [(p.code, p.row, p.column) for p in errors_of(df)] == [("negative", 2, "图书册数")]


def test_non_integer_count():
    df = table()
    df.loc[1, H["junior_teachers"]] = "74.5"
    assert [(p.code, p.row, p.value) for p in errors_of(df)] == [("not_integer", 3, "74.5")]


@pytest.mark.parametrize("name", ["indoor_sports_area", "sports_ground_area", "equipment_value"])
def test_negative_area_or_money(name):
    df = table()
    df.loc[2, H[name]] = -1.5
    assert [(p.code, p.row, p.column) for p in errors_of(df)] == [("negative", 4, H[name])]


def test_fractional_area_is_fine():
    df = table()
    df.loc[2, H["teaching_area"]] = 3900.25
    assert load_school_table(df).data.loc[2, "teaching_area"] == 3900.25


@pytest.mark.parametrize("name", ["school_name", "county_name", "school_type", "primary_students",
                                  "teaching_area", "year", "school_code"])
def test_blank_required_cell(name):
    df = table()
    df.loc[0, H[name]] = "  "
    errs = errors_of(df)
    assert ("blank", 2, H[name]) in [(p.code, p.row, p.column) for p in errs]


def test_blank_cell_of_a_stage_the_school_type_lacks_is_zero():
    # 长安区实验小学 (a 小学, row 0): blank 高中在校生数 and blank 初中 columns mean 0, not an error
    df = table()
    for name in ("senior_students", "junior_students", "junior_classes", "junior_teachers"):
        df.loc[0, H[name]] = ""
    t = load_school_table(df)
    assert t.data.loc[0, ["senior_students", "junior_students", "junior_classes"]].tolist() == [0, 0, 0]


def test_blank_cell_of_a_stage_the_school_has_is_an_error():
    df = table()
    df.loc[0, H["primary_students"]] = ""  # a 小学 has the primary stage
    assert [(p.code, p.row) for p in errors_of(df)] == [("blank", 2)]


@pytest.mark.parametrize("value", [24, "2024.5", "二〇二四", 1800, 20245])
def test_year_not_plausible(value):
    df = table()
    df.loc[4, H["year"]] = value
    errs = errors_of(df)
    assert [(p.code, p.row) for p in errs] == [("year_invalid", 6)]


@pytest.mark.parametrize("value,year", [("2023年", 2023), (2023.0, 2023), (" 2023 ", 2023)])
def test_year_forms_accepted(value, year):
    df = table()
    df.loc[0, H["year"]] = value
    assert load_school_table(df).data.loc[0, "year"] == year


def test_county_code_too_short_mentions_lost_zeros():
    df = table()
    df.loc[0, H["county_code"]] = "13010"
    (p,) = errors_of(df)
    assert (p.code, p.row, p.value) == ("code_too_short", 2, "13010")
    assert "0" in p.problem_zh and "leading zeros" in p.problem_en and "6" in p.problem_en


def test_school_code_too_long():
    df = table()
    df.loc[0, H["school_code"]] = "21300000011"
    (p,) = errors_of(df)
    assert (p.code, p.value) == ("code_length", "21300000011")
    assert "10" in p.problem_en and "11" in p.problem_en and "leading zeros" not in p.problem_en


@pytest.mark.parametrize("value", ["213000000A", "2130-00001", "2.13E+09"])
def test_school_code_non_digits(value):
    df = table()
    df.loc[0, H["school_code"]] = value
    assert [(p.code, p.value) for p in errors_of(df)] == [("code_not_digits", value)]


def test_code_with_trailing_point_zero_is_read_as_digits():
    df = table()
    df.loc[0, H["county_code"]] = "130102.0"
    assert load_school_table(df).data.loc[0, "county_code"] == "130102"


def test_duplicate_school_code_same_year_one_line_naming_every_row():
    df = table()
    code = df.loc[0, H["school_code"]]
    df.loc[[1, 5], H["school_code"]] = code  # rows 0, 1, 5 of 2023 share one code
    errs = errors_of(df)
    assert [(p.code, p.row, p.value) for p in errs] == [("duplicate_school", 2, code)]
    assert "3 次" in errs[0].problem_zh and "2、3、7" in errs[0].problem_zh
    assert "3 times" in errs[0].problem_en and "2, 3, 7" in errs[0].problem_en


def test_duplicate_school_message_stays_short_for_50000_rows():
    """50,000 rows of one school code made 37 MB of output (every row listed on every line): now
    one line per duplicated code, naming a few rows and counting the rest, and at most MAX_PER_KIND
    codes, then a count."""
    from balance.io.validation import MAX_ROWS_LISTED

    codes = [f"31300{i:05d}" for i in range(MAX_PER_KIND + 9)]  # more duplicated codes than are listed
    picks = np.concatenate([np.zeros(50_000, dtype=int), np.ones(3, dtype=int), np.full(2 * len(codes), 2)])
    df = table().iloc[picks].reset_index(drop=True)  # 50,000 × school 0, 3 × school 1, then pairs
    df.loc[50_003:, H["school_code"]] = [c for c in codes for _ in range(2)]
    with pytest.raises(InputError) as info:
        load_school_table(df)
    dup = only(info.value.errors, "duplicate_school")
    assert len(dup) == MAX_PER_KIND + 1  # MAX_PER_KIND codes, then one line counting the rest
    first = dup[0]
    assert first.row == 2 and "50000 次" in first.problem_zh and "50000 times" in first.problem_en
    shown = ", ".join(str(r) for r in range(2, 2 + MAX_ROWS_LISTED))
    assert f"rows {shown} and {50_000 - MAX_ROWS_LISTED} more" in first.problem_en
    assert dup[1].row == 50_002 and "第 50002、50003、50004 行" in dup[1].problem_zh and "3 次" in dup[1].problem_zh
    rest = len(codes) + 2 - MAX_PER_KIND  # the two codes above plus the extra codes, minus those listed
    assert dup[-1].row is None and f"{rest} more school codes" in dup[-1].problem_en
    assert len(info.value.render()) < 30_000


def test_same_school_code_in_two_years_is_fine():
    df = valid_table()
    assert df[H["school_code"]].duplicated().any()  # each school appears in 2023 and 2024
    load_school_table(df)


@pytest.mark.parametrize("name,value", [("school_type", "大学"), ("ownership", "合资"), ("urban_rural", "郊区")])
def test_unknown_category(name, value):
    df = table()
    df.loc[0, H[name]] = value
    (p,) = errors_of(df)
    assert (p.code, p.column, p.value) == ("unknown_category", H[name], value)
    allowed = next(c["values"] for c in column_spec()["columns"] if c["name"] == name)
    assert all(v in p.problem_zh for v in allowed)


def test_value_aliases_are_applied():
    df = table()
    i = row_of(df, "长安区第一中学")
    df.loc[i, H["school_type"]] = "初中"
    df.loc[i, H["ownership"]] = "公立"
    df.loc[i, H["urban_rural"]] = " 城市 "
    d = load_school_table(df).data
    assert d.loc[i, ["school_type", "ownership", "urban_rural"]].tolist() == ["初级中学", "公办", "城区"]


# -- rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("part,whole", column_spec()["subsets"])
def test_subset_larger_than_total(part, whole):
    df = table()
    i = row_of(df, "长安区育才学校")  # has both stages, so every subset pair has a positive total
    df.loc[i, H[part]] = df.loc[i, H[whole]] + 1
    errs = errors_of(df)
    assert [(p.code, p.row, p.column) for p in errs] == [("subset_exceeds", i + 2, H[part])]
    assert H[whole] in errs[0].problem_zh


def test_subset_equal_to_total_is_fine():
    df = table()
    df.loc[0, H["primary_qualified_teachers"]] = df.loc[0, H["primary_teachers"]]
    load_school_table(df)


@pytest.mark.parametrize("school,name,value", [
    ("长安区实验小学", "junior_students", 30),           # 小学 has no 初中
    ("长安区实验小学", "junior_teachers", 2),            # teachers too
    ("长安区第一中学", "primary_classes", 1),            # 初级中学 has no 小学 classes
    ("长安区育才学校", "senior_students", 40),           # 九年一贯制 has no 高中
    ("长安区河口教学点", "junior_students", 5),          # 教学点: 小学 only
    ("长安区特殊教育学校", "senior_students", 3),        # 特殊教育学校: 小学, 初中
    ("长安区第二中学", "primary_students", 10),          # 完全中学: 初中, 高中
])
def test_pupils_in_a_stage_the_type_lacks(school, name, value):
    df = table()
    i = row_of(df, school)
    df.loc[i, H[name]] = value
    errs = [p for p in errors_of(df) if p.code == "stage_not_offered"]
    assert [(p.row, p.column) for p in errs] == [(i + 2, H[name])]


@pytest.mark.parametrize("school", ["长安区外国语学校", "长安区第二中学"])  # 十二年一贯制, 完全中学
def test_senior_pupils_allowed_for_twelve_year_and_complete_middle_schools(school):
    df = valid_table()
    assert df.loc[row_of(df, school), H["senior_students"]] > 0
    load_school_table(df)


def test_county_code_with_two_names_in_a_year():
    df = table()
    i = row_of(df, "桥西区北庄学校")  # 2023, county 130104 (three schools)
    df.loc[i, H["county_name"]] = "桥西县"
    errs = errors_of(df)
    assert [(p.code, p.row, p.value) for p in errs] == [("county_name_conflict", i + 2, "桥西县")]
    assert "桥西区" in errs[0].problem_zh and "桥西县" in errs[0].problem_zh and "130104" in errs[0].problem_en


def test_county_renamed_between_years_is_fine():
    df = table()
    df.loc[df[H["year"]] == 2024, H["county_name"]] = df[H["county_name"]].str.replace("区", "新区")
    load_school_table(df)


# -- collecting everything -----------------------------------------------------------------------


def test_all_problems_collected():
    df = table()
    df.loc[0, H["primary_students"]] = "many"          # not a number
    df.loc[5, H["school_type"]] = "大学"                # unknown category
    df.loc[9, H["county_code"]] = "1301"               # short code
    df.loc[12, H["books"]] = -1                        # negative
    errs = errors_of(df)
    assert len(errs) >= 4
    assert {"not_number", "unknown_category", "code_too_short", "negative"} <= {p.code for p in errs}
    assert sorted(p.row for p in errs) == [2, 7, 11, 14]


def test_missing_columns_and_bad_cells_reported_together():
    df = table().drop(columns=[H["books"]])
    df.loc[0, H["computers"]] = "x"
    codes = {p.code for p in errors_of(df)}
    assert {"missing_column", "not_number"} <= codes


def test_problems_are_capped_with_a_summary_line():
    df = pd.concat([valid_table()] * 10, ignore_index=True).astype(object)
    df[H["school_code"]] = [f"{2100000000 + i}" for i in range(len(df))]
    df.loc[: MAX_PER_KIND + 69, H["books"]] = -1  # 120 negative cells
    errs = only(errors_of(df), "negative")
    assert len(errs) == MAX_PER_KIND + 1
    assert errs[-1].row is None and "70" in errs[-1].problem_zh and "70 more" in errs[-1].problem_en


def test_problem_uses_the_users_header_text():
    df = table().rename(columns={H["books"]: " 图书 册数 "})
    df.loc[0, " 图书 册数 "] = -3
    (p,) = errors_of(df)
    assert p.column == "图书 册数"


# -- warnings --------------------------------------------------------------------------------------


def warnings_of(df):
    return load_school_table(df).warnings


def test_warning_pupils_but_no_teachers():
    df = table()
    i = row_of(df, "长安区实验小学")
    for name in ("primary_teachers", "primary_qualified_teachers", "primary_backbone_teachers",
                 "primary_pe_art_teachers", "primary_titled_teachers"):
        df.loc[i, H[name]] = 0
    ws = warnings_of(df)
    assert [(p.code, p.row, p.column) for p in ws] == [("no_teachers", i + 2, H["primary_teachers"])]
    assert ws[0].severity == "warning"


def test_warning_teachers_but_no_pupils():
    df = table()
    i = row_of(df, "长安区育才学校")
    df.loc[i, H["junior_students"]] = 0
    df.loc[i, H["junior_classes"]] = 0
    ws = warnings_of(df)
    assert ("teachers_no_pupils", i + 2) in [(p.code, p.row) for p in ws]


def test_warning_school_without_pupils():
    df = table()
    i = row_of(df, "长安区河口教学点")
    for name in ("primary_students", "primary_classes", "primary_teachers", "primary_qualified_teachers",
                 "primary_backbone_teachers", "primary_pe_art_teachers", "primary_titled_teachers"):
        df.loc[i, H[name]] = 0
    ws = warnings_of(df)
    assert [(p.code, p.row) for p in ws] == [("no_pupils", i + 2)]


def test_warning_pupils_but_no_classes():
    df = table()
    df.loc[0, H["primary_classes"]] = 0
    assert [(p.code, p.row) for p in warnings_of(df)] == [("no_classes", 2)]


def test_warning_implausible_teaching_area_per_pupil():
    # 长安区实验小学: 1200 pupils; 130000 ㎡ / 1200 = 108.3 ㎡ per pupil > 100
    df = table()
    df.loc[0, H["teaching_area"]] = 130000
    ws = warnings_of(df)
    assert [(p.code, p.row, p.column) for p in ws] == [("implausible", 2, H["teaching_area"])]
    assert "108.33" in ws[0].problem_zh and "100" in ws[0].problem_en


def test_warning_implausible_class_size():
    # 1200 pupils in 10 classes = 120 per class > 80
    df = table()
    df.loc[0, H["primary_classes"]] = 10
    ws = warnings_of(df)
    assert [(p.code, p.column) for p in ws] == [("implausible", H["primary_classes"])]


def test_warning_equipment_value_probably_in_wan_yuan():
    # 312 entered under a 元 header for 1200 pupils: 0.26 元 per pupil < 10
    df = table()
    df.loc[0, H["equipment_value"]] = 312
    ws = warnings_of(df)
    assert [(p.code, p.column) for p in ws] == [("implausible", H["equipment_value"])]


def test_warnings_travel_with_errors():
    df = table()
    df.loc[0, H["primary_classes"]] = 0   # warning
    df.loc[1, H["books"]] = -1            # error
    problems = problems_of(df)
    assert {(p.code, p.severity) for p in problems} == {("no_classes", "warning"), ("negative", "error")}


# -- optional columns (four-area evaluation) ---------------------------------------------------------

OPTIONAL_COUNTS = ["music_rooms", "art_rooms", "primary_max_class_size", "junior_max_class_size",
                   "primary_oversized_classes", "junior_oversized_classes", "built_year"]
OPTIONAL_AREAS = ["music_room_min_area", "art_room_min_area"]


def with_optional(**columns) -> pd.DataFrame:
    """The valid table (object cells) plus optional columns: canonical name -> list of cells (22 rows)."""
    df = table()
    for name, cells in columns.items():
        df[H[name]] = cells
    return df


def test_absent_optional_columns_are_all_missing_not_zero():
    t = load_school_table(valid_table())
    for name in OPTIONAL_COUNTS:
        assert t.data[name].dtype == "Int64" and t.data[name].isna().all(), name
    for name in OPTIONAL_AREAS:
        assert t.data[name].dtype == "float64" and t.data[name].isna().all(), name


def test_blank_optional_cells_are_missing_and_values_are_kept():
    n = 22
    cells = {"music_rooms": [2, "", None] + [1] * (n - 3),
             "music_room_min_area": [96.5, " ", None] + [100] * (n - 3),
             "built_year": ["2008", "", "1998年"] + [2010] * (n - 3),
             "primary_max_class_size": [44] + [""] * (n - 1)}
    t = load_school_table(with_optional(**cells))
    d = t.data
    assert d["music_rooms"].dtype == "Int64" and d["music_rooms"].iloc[:3].tolist() == [2, pd.NA, pd.NA]
    assert d["music_room_min_area"].iloc[0] == 96.5 and d["music_room_min_area"].iloc[1:3].isna().all()
    assert d["built_year"].iloc[:3].tolist() == [2008, pd.NA, 1998]   # "1998年" is read as 1998
    assert d["primary_max_class_size"].iloc[0] == 44 and d["primary_max_class_size"].iloc[1:].isna().all()
    assert d["art_rooms"].isna().all()                                   # column absent
    assert t.warnings == []
    # reading the canonical result again gives the same table
    pd.testing.assert_frame_equal(load_school_table(d).data, d)


@pytest.mark.parametrize("name", OPTIONAL_COUNTS[:-1])
def test_optional_count_cells_are_checked(name):
    cells = ["两间", -1, 1.5] + [""] * 19
    errs = errors_of(with_optional(**{name: cells}))
    assert sorted((p.row, p.code, p.column) for p in errs) == [(2, "not_number", H[name]), (3, "negative", H[name]),
                                                                (4, "not_integer", H[name])]


def test_optional_area_cells_are_checked():
    errs = errors_of(with_optional(art_room_min_area=["九十", -90, 90.5] + [""] * 19))
    assert sorted((p.row, p.code) for p in errs) == [(2, "not_number"), (3, "negative")]


def test_build_year_between_1900_and_the_data_year():
    df = with_optional(built_year=[1899, 1900, 2023, 2024, 2025] + [""] * 17)
    years = df[H["year"]].tolist()
    assert years[:5] == [2023] * 5
    errs = errors_of(df)
    assert [(p.row, p.code, p.value) for p in errs] == [(2, "out_of_range", "1899"), (5, "out_of_range", "2024"),
                                                        (6, "out_of_range", "2025")]
    assert "1900" in errs[0].problem_zh and "2023" in errs[0].problem_zh and "2023" in errs[0].problem_en
    # a later row of 2024 may say 2024
    ok = with_optional(built_year=[""] * 11 + [2024] + [""] * 10)
    assert load_school_table(ok).data["built_year"].iloc[11] == 2024


def test_oversized_classes_may_not_exceed_classes():
    df = with_optional(primary_oversized_classes=[31, 0, 15] + [""] * 19)   # 30, 0 and 15 primary classes
    errs = errors_of(df)
    assert [(p.row, p.code, p.column) for p in errs] == [(2, "subset_exceeds", "小学超标班额班数")]


def test_largest_class_of_a_stage_the_school_lacks():
    # row 2 is a 初级中学: a primary class size there is an error; blank is fine
    errs = errors_of(with_optional(primary_max_class_size=["", 40] + [""] * 20))
    assert [(p.row, p.code, p.column) for p in errs] == [(3, "stage_not_offered", "小学最大班额")]


def test_warning_largest_class_implausible_or_below_average():
    # row 2: 小学 with 1200 pupils in 30 classes (average 40); row 4: 九年一贯制 with 600 in 15
    t = load_school_table(with_optional(primary_max_class_size=[39, "", 81] + [""] * 19))
    w = [(p.row, p.code, p.column) for p in t.warnings]
    assert w == [(4, "implausible", "小学最大班额"), (2, "implausible", "小学最大班额")]
    assert "平均班额 40.0" in t.warnings[1].problem_zh and "≤ 80" in t.warnings[0].problem_zh


# -- the schema and messages -------------------------------------------------------------------------


def test_schema_is_built_from_columns_yaml():
    names = tuple(c["name"] for c in column_spec()["columns"])
    schema, codes = school_schema(names)
    assert set(schema.columns) == set(names)
    assert codes["books"] == ["negative", "not_integer", "too_large"] and codes["teaching_area"] == ["negative", "too_large"]
    assert codes["school_code"] == ["code_not_digits", "code_length"]
    assert schema.unique == ["year", "school_code"]


def test_every_message_has_both_languages():
    for section in ("errors", "warnings"):
        for code, t in messages()[section].items():
            assert t["zh"].strip() and t["en"].strip(), code
    assert message("negative") == ("不能为负数", "must not be negative")


def test_two_hundred_thousand_rows():
    # speed is measured in benchmarks/, not asserted here (a loaded machine must not fail a test)
    base = valid_table(years=(2024,))
    n = 200_000
    df = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n]
    df[H["school_code"]] = [f"{2100000000 + i}" for i in range(n)]
    t = load_school_table(df)
    assert len(t.data) == n


# -- names that would become formulas or break a workbook (issue 9, item 3) ----------------------


NAME_COLUMNS = [c["name"] for c in column_spec()["columns"] if c.get("is_name")]


@pytest.mark.parametrize("column", ["county_name", "school_name", "township"])
@pytest.mark.parametrize("char", ["\n", "\r", "\t", "\u202e", "\u2066", "\u200e", "\u061c", "\u200b", "\u200d", "\u2060",
                                  "\ufeff", "\u2028", "\x85"])
def test_names_with_line_breaks_or_invisible_characters_are_refused(column, char):
    df = table()
    text = f"长安{char}学校"
    df.loc[4, H[column]] = text
    if column == "county_name":
        df.loc[df[H["county_code"]] == df.loc[4, H["county_code"]], H[column]] = text
    with pytest.raises(InputError) as e:
        load_school_table(df)
    hits = [p for p in e.value.errors if p.code == "name_invisible"]
    assert hits and all(p.column == H[column] for p in hits)
    assert 6 in {p.row for p in hits}                                   # data row 4 = line 6 of the file
    assert f"U+{ord(char):04X}" in hits[0].problem_en
    assert char not in (hits[0].value or "")                           # the value is shown escaped


def test_name_columns_are_data():
    assert NAME_COLUMNS == ["county_name", "school_name", "township"]
    assert column_spec()["name_rules"]["refuse_leading"] == ["=", "+", "-", "@"]


@pytest.mark.parametrize("column", ["county_name", "school_name", "township"])
@pytest.mark.parametrize("text", ["=1+1", "+86 学校", "-2", "@SUM(A1)", "\t=cmd|' /C calc'!A0", " =HYPERLINK(\"x\")",
                                  "\r=1", "\u3000=1"])
def test_names_beginning_like_a_formula_are_refused(column, text):
    df = table()
    df.loc[4, H[column]] = text
    if column == "county_name":  # the same county code must keep one name: change all its rows of that year
        df.loc[df[H["county_code"]] == df.loc[4, H["county_code"]], H[column]] = text
    errs = only(errors_of(df), "name_formula")
    assert errs and errs[0].column == H[column] and errs[0].row == (2 if column == "county_name" else 6)
    assert "公式" in errs[0].problem_zh and "formula" in errs[0].problem_en
    assert "=、+、-、@" in errs[0].problem_zh


@pytest.mark.parametrize("text", ["＝1+1", "＋学校", "－2", "＠x", "学校=1", "a-b", "长安区（=）小学"])
def test_full_width_or_inner_signs_are_ordinary_text(text):
    """The reader keeps names as written (no NFKC folding), so full-width signs stay text."""
    df = table()
    df.loc[4, H["school_name"]] = text
    assert load_school_table(df).data.loc[4, "school_name"] == text


@pytest.mark.parametrize("text", ["长安\x00小学", "小学\x07", "a\x1bb"])
def test_names_with_control_characters_are_refused(text):
    df = table()
    df.loc[0, H["school_name"]] = text
    errs = only(errors_of(df), "name_control")
    assert [(p.row, p.column) for p in errs] == [(2, "学校名称")]
    assert "\x00" not in errs[0].value and "\x07" not in errs[0].value  # shown escaped


def test_overlong_name_refused_and_not_repeated_in_full():
    df = table()
    df.loc[0, H["school_name"]] = "学" * 5_000_000
    errs = only(errors_of(df), "name_too_long")
    assert [(p.row, p.column) for p in errs] == [(2, "学校名称")]
    assert len(errs[0].value) < 200


# -- numbers too large, non-finite, or beyond int64 (issue 9, item 4) -----------------------------


NUMERIC_BOUNDS = {c["name"]: c.get("max") for c in column_spec()["columns"] if c["kind"] in ("count", "area", "money")}


def test_every_number_column_has_an_exact_bound():
    for name, bound in NUMERIC_BOUNDS.items():
        if name == "built_year":  # a year: its range (1900 to the row's year) bounds it
            continue
        assert bound is not None and 0 < bound < 2**53, name


@pytest.mark.parametrize("text", ["9223372036854775808", "9223372036854775807", "18446744073709551616", "1e30",
                                  "100001", "1" + "0" * 400], ids=["2**63", "2**63-1", "2**64", "1e30", "100001", "1e400"])
def test_huge_counts_refused_never_wrapped(text):
    df = table()
    df.loc[0, H["primary_students"]] = text
    errs = only(errors_of(df), "too_large") + only(errors_of(df), "not_finite")
    assert [(p.row, p.column, p.value) for p in errs] == [(2, "小学在校生数", text[:100] + ("…" if len(text) > 100 else ""))
                                                          if len(text) <= 100 else (2, "小学在校生数", errs[0].value)]


def test_bound_itself_is_accepted():
    df = table()
    df.loc[0, H["sports_ground_area"]] = str(NUMERIC_BOUNDS["sports_ground_area"])
    assert load_school_table(df).data.loc[0, "sports_ground_area"] == NUMERIC_BOUNDS["sports_ground_area"]


@pytest.mark.parametrize("name", [n for n in NUMERIC_BOUNDS if n != "built_year"])
def test_every_number_column_refuses_above_its_bound(name):
    df = table()
    df.loc[0, H[name]] = str(NUMERIC_BOUNDS[name] + 1)
    errs = only(errors_of(df), "too_large")
    assert [(p.row, p.column) for p in errs] == [(2, H[name])]
    assert f"{NUMERIC_BOUNDS[name]:,}" in errs[0].problem_zh


def test_wan_yuan_bound_applies_after_conversion():
    df = table().rename(columns={H["equipment_value"]: "教学仪器设备值(万元)"})
    df["教学仪器设备值(万元)"] = "300"  # 3,000,000 元 each: plausible
    df.loc[0, "教学仪器设备值(万元)"] = str(NUMERIC_BOUNDS["equipment_value"] // 10_000 + 1)  # 元 entered under 万元
    assert [p.row for p in only(errors_of(df), "too_large")] == [2]


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "Infinity", "1e309", "-1e309"])
def test_non_finite_numbers_refused(text):
    df = table()
    df.loc[0, H["teaching_area"]] = text
    errs = only(errors_of(df), "not_finite")
    assert [(p.row, p.column, p.value) for p in errs] == [(2, H["teaching_area"], text)]


@pytest.mark.parametrize("value", [10**400, 2**64, float("inf"), np.uint64(2**64 - 1)],
                         ids=["10**400", "2**64", "inf", "uint64-max"])
def test_huge_python_and_numpy_numbers_in_a_dataframe(value):
    df = table()
    df[H["books"]] = df[H["books"]].astype(object)
    df.loc[0, H["books"]] = value
    errs = [p for p in errors_of(df) if p.column == H["books"]]
    assert [(p.row, p.code) for p in errs] in ([(2, "too_large")], [(2, "not_finite")])


@pytest.mark.parametrize("text", ["2024-01-05", "2024-01-05T00:00:00", "2024/1/5", "2024年1月"])
def test_dates_in_number_columns_are_named_as_dates(text):
    df = table()
    df.loc[0, H["primary_students"]] = text
    assert [p.row for p in only(errors_of(df), "date_not_number")] == [2]


def test_a_stage_without_pupils_is_on_record():
    """A 九年一贯制学校 without junior pupils forms no junior section: a warning says so (it would
    otherwise vanish without a word)."""
    df = table()
    i = row_of(df, "长安区育才学校")
    for f in ("students", "classes", "teachers", "qualified", "backbone", "pe_art", "titled"):
        col = {"students": "junior_students", "classes": "junior_classes", "teachers": "junior_teachers",
               "qualified": "junior_qualified_teachers", "backbone": "junior_backbone_teachers",
               "pe_art": "junior_pe_art_teachers", "titled": "junior_titled_teachers"}[f]
        df.loc[i, H[col]] = 0
    t = load_school_table(df)
    w = only(t.warnings, "stage_no_pupils")
    assert [(p.row, p.column) for p in w] == [(i + 2, H["junior_students"])]
    assert "初中" in w[0].problem_zh and "九年一贯制学校" in w[0].problem_zh


def test_a_missing_column_names_the_header_that_looks_like_it():
    """A clerk's header with an extra unit (「小学在校生数（人）」) is not guessed, but the
    refusal points at it, so the clerk knows which header to rename."""
    df = table().rename(columns={H["primary_students"]: H["primary_students"] + "（人）"})
    p = only(errors_of(df), "missing_column")
    assert len(p) == 1
    assert "小学在校生数（人）" in p[0].problem_zh and "小学在校生数（人）" in p[0].problem_en


def test_a_missing_column_without_a_look_alike_has_no_hint():
    p = only(errors_of(table().drop(columns=[H["primary_students"]])), "missing_column")
    assert len(p) == 1 and "表中有" not in p[0].problem_zh


def test_full_width_digits_in_codes_read_as_the_digits():
    """A clerk typing in the Chinese IME's full-width mode writes ９９０１０１: numbers take it
    (``_to_number``), so must the county and school codes; the typed code is ASCII."""
    df = table()
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    want_school, want_county = str(df.loc[0, H["school_code"]]), str(df.loc[0, H["county_code"]])
    df.loc[0, H["school_code"]] = want_school.translate(fw)
    df.loc[0, H["county_code"]] = want_county.translate(fw)
    t = load_school_table(df)
    row = t.data.iloc[0]
    assert (row["school_code"], row["county_code"]) == (want_school, want_county)


def test_a_code_with_letters_is_still_refused():
    df = table()
    df.loc[0, H["school_code"]] = "99O1010003"  # a letter O among the digits
    assert only(errors_of(df), "code_not_digits")
