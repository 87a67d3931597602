"""Oversized schools and classes (balance/analysis/oversize.py) at library level, on a hand-made
table whose every count is worked out below (issue 10, mutation round 4: the module's only tests
were the CLI's, seconds per mutant, and they compare with items 4 and 5 rather than with numbers).

Caps of quality-2017 (``evaluation_items.yaml`` computed_defaults): school 2000 pupils, 2500 for
九年一贯制; class 45 (小学), 50 (初中). classes_needed = max(0, ⌈pupils ÷ limit⌉ − classes).

County 990101, 2025 (six schools in scope, one 教学点 of 30 pupils out of scope):

=====  ==========  ===============  =======  ==========================  ===================
code   type        pupils           classes  class data                  per stage
=====  ==========  ===============  =======  ==========================  ===================
1      小学        2100             44       最大班额 50                 over 1, need 47−44=3
2      九年一贯制  1500 + 900       30 / 18  超标班 4 / 最大班额 50      over 4 / 0, need 4 / 0
3      小学        450              10       none (unknown)              need ⌈10⌉−10 = 0
4      初级中学    2001             40       超标班 0, 最大班额 55       over 0, need 41−40 = 1
5      小学        60               1        最大班额 60                 over 1, need 2−1 = 1
7      小学        20               0        none (unknown)              no classes: need 0
6      教学点      30 (out)         2        最大班额 60                 not counted
=====  ==========  ===============  =======  ==========================  ===================

Oversized schools: 1 (2100 > 2000, by 100) and 4 (2001 > 2000, by 1); school 2 has 2400 ≤ 2500.
County 990102: school 8, 小学 of 2050 pupils in 46 classes in 2024 (oversized by 50), 100 pupils in
3 classes in 2025; no class data.
"""
import numpy as np
import pandas as pd
import pytest

from balance.analysis.oversize import COLUMNS, oversize_counts, oversize_schools
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import school, table

Q = load_standard("quality-2017")


def _p(code, pupils, classes, **kw):
    return school(code, school_type=kw.pop("school_type", "小学"), primary_students=pupils, primary_classes=classes,
                  primary_teachers=max(1, pupils // 15), **kw)


def _rows():
    return table(
        _p("8", 2050, 46, county_code="990102", county_name="乙县", year=2024),
        _p("8", 100, 3, county_code="990102", county_name="乙县"),
        _p("1", 2100, 44, primary_max_class_size=50),
        school("2", school_type="九年一贯制学校", primary_students=1500, primary_classes=30, primary_teachers=90,
               primary_oversized_classes=4, junior_students=900, junior_classes=18, junior_teachers=70,
               junior_max_class_size=50),
        _p("3", 450, 10),
        school("4", school_type="初级中学", junior_students=2001, junior_classes=40, junior_teachers=150,
               junior_oversized_classes=0, junior_max_class_size=55),
        _p("5", 60, 1, primary_max_class_size=60),
        _p("7", 20, 0),
        _p("6", 30, 2, school_type="教学点", primary_max_class_size=60),
    )


@pytest.fixture  # per test: mutmut credits a module-scoped fixture's calls to the first test only
def counts():
    t = _rows()
    return oversize_counts(t, assess_schools(t, Q))


def test_one_row_per_year_and_county_in_order_with_the_contract_columns(counts):
    assert list(counts.columns) == COLUMNS
    assert list(zip(counts["year"], counts["county_code"], counts["county_name"])) == [
        (2024, "990102", "乙县"), (2025, "990101", "测试县"), (2025, "990102", "乙县")]
    assert all(str(counts[c].dtype) == "int64" for c in COLUMNS[3:])


def test_schools_and_seats_with_the_combined_cap_and_the_scope(counts):
    r = counts.iloc[1]
    assert (r.schools, r.oversized_schools, r.pupils_in_oversized_schools, r.seats_needed) == (6, 2, 4101, 101)
    assert (r.school_size_cap, r.school_size_cap_combined) == (2000, 2500)
    a, b = counts.iloc[0], counts.iloc[2]
    assert (a.schools, a.oversized_schools, a.pupils_in_oversized_schools, a.seats_needed) == (1, 1, 2050, 50)
    assert (b.schools, b.oversized_schools, b.pupils_in_oversized_schools, b.seats_needed) == (1, 0, 0, 0)


def test_primary_classes_of_every_kind(counts):
    r = counts.iloc[1]
    got = [int(r[f"primary_{k}"]) for k in ("sections", "classes", "oversized_classes", "sections_oversized",
                                             "pupils_in_oversized_min", "classes_needed", "sections_unknown",
                                             "class_limit")]
    # oversized classes 1 + 4 + 1; their pupils at least 6 × 46; classes needed 3 + 4 + 1
    assert got == [5, 85, 6, 3, 276, 8, 2, 45]


def test_junior_classes_a_largest_class_at_the_limit_is_not_over(counts):
    r = counts.iloc[1]
    got = [int(r[f"junior_{k}"]) for k in ("sections", "classes", "oversized_classes", "sections_oversized",
                                            "pupils_in_oversized_min", "classes_needed", "sections_unknown",
                                            "class_limit")]
    assert got == [2, 58, 0, 0, 0, 1, 0, 50]


def test_a_county_without_class_data_has_zero_oversized_classes_and_unknown_sections(counts):
    for i, classes in ((0, 46), (2, 3)):
        r = counts.iloc[i]
        assert (r.primary_sections, r.primary_classes, r.primary_oversized_classes, r.primary_classes_needed,
                r.primary_sections_unknown) == (1, classes, 0, 0, 1)
        assert (r.junior_sections, r.junior_classes, r.junior_sections_unknown) == (0, 0, 0)


def test_school_rows_carry_pupils_cap_and_excess():
    t = _rows()
    s = oversize_schools(t, assess_schools(t, Q))
    s = s[s["year"] == 2025].set_index("school_code")
    assert "9999999996" not in s.index  # the 教学点 under 50 pupils is out of scope
    one, two, four = s.loc["9999999991"], s.loc["9999999992"], s.loc["9999999994"]
    assert (one.pupils, one.cap, bool(one.oversized), one.over_by) == (2100, 2000, True, 100)
    assert (two.pupils, two.cap, bool(two.oversized), two.over_by) == (2400, 2500, False, 0)
    assert (four.pupils, four.cap, bool(four.oversized), four.over_by) == (2001, 2000, True, 1)
    assert (bool(two.primary_section), bool(two.junior_section), bool(four.primary_section)) == (True, True, False)
    assert (two.primary_class_limit, two.junior_class_limit) == (45, 50)


def test_no_school_in_scope_gives_the_empty_table():
    t = table(_p("6", 30, 2, school_type="教学点"))
    out = oversize_counts(t, assess_schools(t, Q))
    assert out.empty and list(out.columns) == COLUMNS


def test_a_school_table_object_is_read_through_its_data():
    t = _rows()
    a = assess_schools(t, Q)
    wrapped = type("Table", (), {"data": t})()
    pd.testing.assert_frame_equal(oversize_counts(wrapped, a), oversize_counts(t, a))
    assert np.array_equal(oversize_counts(t, a)["seats_needed"], [50, 101, 0])


def test_the_files_written_their_names_bom_sheets_headers_and_panes(counts, tmp_path):
    """``write_oversize`` (a contract: oversize.csv with English keys and a BOM, oversize.xlsx with the
    说明 sheet and the data sheet under Chinese headers). Kills the file names ("XXoversize.xlsxXX",
    "OVERSIZE.XLSX"), the CSV's encoding None / dropped (no BOM), the sheet's name None / "XX…XX",
    its 说明 sentence None / "XX…XX", headers dropped, freeze None / dropped / "d2", About() None / dropped."""
    from pathlib import Path

    from openpyxl import load_workbook

    from balance.analysis.oversize import HEADERS_ZH, write_oversize

    files = write_oversize(counts, tmp_path)
    assert sorted(Path(p).name for p in files) == ["oversize.csv", "oversize.xlsx"]
    raw = (tmp_path / "oversize.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].decode("utf-8").splitlines()[0].split(",") == COLUMNS
    back = pd.read_csv(tmp_path / "oversize.csv", dtype={"county_code": str}, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, counts, check_dtype=False)
    wb = load_workbook(tmp_path / "oversize.xlsx")
    assert wb.sheetnames == ["说明", "大校额大班额"]
    ws = wb["大校额大班额"]
    assert [c.value for c in ws[1]] == [HEADERS_ZH[c] for c in COLUMNS]
    assert ws.freeze_panes == "D2"
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert about["工作表「大校额大班额」"] == (
        "每个县区每年一行：学校数、超规模学校及其在校生、各学段超标班额班数与需增加班数（3 行）")


def test_a_school_at_its_cap_is_not_oversized():
    """Oversized means over the cap (「2000人以上」): kills ``pupils >= cap``. A 小学 of exactly 2000
    pupils and a 九年一贯制 of exactly 2500 are within their caps."""
    t = table(_p("1", 2000, 45),
              school("2", school_type="九年一贯制学校", primary_students=1500, primary_classes=34, primary_teachers=90,
                     junior_students=1000, junior_classes=20, junior_teachers=70))
    s = oversize_schools(t, assess_schools(t, Q)).set_index("school_code")
    assert list(s["oversized"]) == [False, False] and list(s["over_by"]) == [0.0, 0.0]
    assert oversize_counts(t, assess_schools(t, Q)).loc[0, "oversized_schools"] == 0


def test_a_section_without_classes_needs_none_and_rows_are_numbers():
    """School 7 (20 pupils, 0 classes) needs 0 classes, a number like every other row's (kills the
    no-class branch ``0.0`` → ``None`` and every ``0.0`` → ``None`` of a row outside a stage: the
    county sums alone let a None pass); the rows have a fresh index and no ``index`` column (kills
    ``reset_index(drop=None / False)``)."""
    t = _rows()
    s = oversize_schools(t, assess_schools(t, Q))
    seven = s[(s["year"] == 2025) & (s["school_code"] == "9999999997")].iloc[0]
    assert seven.primary_classes_needed == 0.0 and seven.primary_classes == 0.0
    assert all(str(s[f"{p}_{k}"].dtype) == "float64" for p in ("primary", "junior")
               for k in ("classes", "oversized_classes", "pupils_in_oversized_min", "classes_needed"))
    assert "index" not in s.columns and list(s.index) == list(range(len(s)))
