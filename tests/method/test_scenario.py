"""What-if scenarios (issue 4 §2): planned changes applied on top of the input, never editing it."""
import pandas as pd
import pytest

from balance.errors import InputError
from balance.method.assessment import assess_schools
from balance.method.scenario import apply_scenario, apply_to_table, load_scenario
from balance.method.standards import load_standard
from tests.factories import primary, school, table

Q = load_standard("quality-2017")


def _t():
    return table(primary("1", 200, qualified=6), primary("2", 300),
                 school("3", school_type="初级中学", junior_students=100, junior_teachers=10, junior_qualified_teachers=6))


def test_yaml_both_forms_and_wanyuan(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        "changes:\n"
        "  - {school_code: '9999999991', column: 小学专科及以上学历专任教师数, amount: 2, year: 2025}\n"
        "  - {school_code: '9999999991', column: primary_teachers, amount: 2}\n"
        "  - school_code: '9999999992'\n"
        "    add: {教学及辅助用房面积（平方米）: 300.5, 教学仪器设备值(万元): 1.5, 网络多媒体教室数: 2}\n",
        encoding="utf-8")
    sc = load_scenario(f)
    assert len(sc) == 5
    assert sc.changes["row"].tolist() == [2, 3, 4, 4, 4]   # YAML line of each change
    t = _t()
    out = apply_scenario(t, sc)
    assert out.loc[0, "primary_qualified_teachers"] == 8 and out.loc[0, "primary_teachers"] == t.loc[0, "primary_teachers"] + 2
    assert out.loc[1, "teaching_area"] == t.loc[1, "teaching_area"] + 300.5
    assert out.loc[1, "equipment_value"] == t.loc[1, "equipment_value"] + 15_000   # 1.5 万元
    assert out.loc[1, "multimedia_rooms"] == t.loc[1, "multimedia_rooms"] + 2
    assert out["multimedia_rooms"].dtype == t["multimedia_rooms"].dtype
    pd.testing.assert_frame_equal(t, _t())  # the input table is untouched
    # the change turns school 1 from failing into passing
    assert not assess_schools(t, Q).school_results["school_passed"].iloc[0]
    assert assess_schools(out, Q).school_results.set_index("school_code").loc["9999999991", "school_passed"]


def test_csv_chinese_headers_gbk_and_plan_csv_columns(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("学校标识码,列,增加量,备注\n9999999993,初中本科及以上学历专任教师数,1,新聘\n", encoding="gb18030")
    out = apply_scenario(_t(), load_scenario(f))
    assert out.loc[2, "junior_qualified_teachers"] == 7
    # plan.csv has many more columns; the relevant ones are found by name
    g = tmp_path / "plan.csv"
    pd.DataFrame({"year": [2025], "county_code": ["990101"], "school_code": ["9999999991"], "school_name": ["x"],
                  "stage": ["小学"], "column": ["小学专任教师数"], "field": ["teachers"], "amount": [-1.0],
                  "cost": [0.0]}).to_csv(g, index=False, encoding="utf-8-sig")
    out = apply_scenario(_t(), load_scenario(g))
    assert out.loc[0, "primary_teachers"] == _t().loc[0, "primary_teachers"] - 1


def test_errors_name_file_row_and_column(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("学校标识码,列,增加量\n"
                 "9999999991,小学专任教师数,abc\n"        # row 2: not a number
                 "9999999991,不存在的列,1\n"              # row 3: unknown column
                 "9999999991,学校名称,1\n"                # row 4: not numeric
                 "9999999991,小学专任教师数,1.5\n",       # row 5: fractional teachers
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(f)
    errs = {p.row: p for p in e.value.errors}
    assert set(errs) == {2, 3, 4, 5}
    assert errs[3].column == "不存在的列" and "未知的列" in errs[3].problem_zh and "unknown column" in errs[3].problem_en
    assert all(p.file == str(f) for p in e.value.errors)


def test_unknown_school_year_negative_and_subset(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("changes:\n"
                 "  - {school_code: '1234567890', column: 小学专任教师数, amount: 1}\n"
                 "  - {school_code: '9999999991', column: 小学专任教师数, amount: 1, year: 1999}\n"
                 "  - {school_code: '9999999992', column: 网络多媒体教室数, amount: -100}\n"
                 "  - {school_code: '9999999993', column: 初中本科及以上学历专任教师数, amount: 5}\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        apply_scenario(_t(), load_scenario(f))
    codes = {p.row: p.code for p in e.value.errors}
    assert codes == {2: "scenario_unknown_school", 3: "scenario_unknown_year", 4: "scenario_negative", 5: "scenario_subset"}
    assert "大于" in next(p for p in e.value.errors if p.row == 5).problem_zh


def test_missing_headers_and_files(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("school,amount\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(f)
    assert {p.code for p in e.value.errors} == {"scenario_missing_header"}
    with pytest.raises(InputError):
        load_scenario(tmp_path / "nope.yaml")
    g = tmp_path / "s.yaml"
    g.write_text("foo: 1\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_scenario(g)


def test_apply_to_table_revalidates_and_names_scenario(tmp_path):
    from balance.io.reading import SchoolTable

    tbl = SchoolTable(data=_t(), path="schools.csv", sha256="x")
    f = tmp_path / "s.yaml"
    f.write_text("changes:\n  - {school_code: '9999999991', column: 小学专任教师数, amount: 3}\n", encoding="utf-8")
    new = apply_to_table(tbl, load_scenario(f))
    assert new.data.loc[0, "primary_teachers"] == tbl.data.loc[0, "primary_teachers"] + 3
    assert "schools.csv" in new.path and str(f) in new.path
    assert tbl.data.loc[0, "primary_teachers"] == _t().loc[0, "primary_teachers"]


# -- hostile scenario files (issue 9, item 9) -------------------------------------------------------


def test_gb18030_yaml_is_read(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_bytes('changes:\n  - {school_code: "9999999001", column: 小学专任教师数, amount: 2}\n'.encode("gb18030"))
    sc = load_scenario(p)
    assert sc.changes["field"].tolist() == ["primary_teachers"]


@pytest.mark.parametrize("content,code", [
    (bytes(range(256)) * 8, "not_text"),
    (b"\xff\xfe\x00\x01garbage\x00\x00", "not_text"),
    (b"changes: " + b"[" * 50_000 + b"]" * 50_000, "yaml_syntax"),
], ids=["binary", "utf16-garbage", "deep"])
def test_unreadable_yaml_is_refused_cleanly(tmp_path, content, code):
    p = tmp_path / "s.yaml"
    p.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_scenario(p)
    assert [x.code for x in info.value.problems] == [code]
    assert info.value.problems[0].file == str(p)


def test_yaml_alias_bomb_is_not_expanded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 12)]
    lines += ["changes:", "  - *a11", "  - {school_code: *a11, column: 小学专任教师数, amount: 1}"]
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(p)
    # refused while parsing (the same guard as standards: nodes counted after expanding aliases)
    assert {x.code for x in info.value.problems} == {"yaml_too_large"}
    assert all(len(x.value or "") < 200 for x in info.value.problems)


def test_broken_csv_scenario_names_the_line(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text('学校标识码,列,增加量\n9999999001,小学专任教师数,2\n"9999999001,小学专任教师数,2\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(p)
    assert [(x.code, x.row) for x in info.value.problems] == [("csv_unclosed_quote", 3)]


def test_scenario_folder_and_size_limit(tmp_path):
    d = tmp_path / "d.yaml"
    d.mkdir()
    with pytest.raises(InputError) as info:
        load_scenario(d)
    assert [x.code for x in info.value.problems] == ["is_a_folder"]
    p = tmp_path / "s.yaml"
    p.write_text("changes: []\n" + "# padding\n" * 1000, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(p, limits={"max_yaml_mb": 0.001})
    assert [x.code for x in info.value.problems] == ["file_too_large"]


def test_changing_classes_when_the_optional_subset_is_unknown(tmp_path):
    """小学班数 has the optional subset 小学超标班额班数; when that column is missing (NA), changing the
    classes raised "boolean value of NA is ambiguous"."""
    from balance.io.reading import load_school_table
    from tests.tables import valid_table

    t = load_school_table(valid_table())
    code = t.data.loc[0, "school_code"]
    p = tmp_path / "s.yaml"
    p.write_text(f'changes:\n  - {{school_code: "{code}", column: 小学班数, amount: 1}}\n', encoding="utf-8")
    new = apply_to_table(t, load_scenario(p))
    assert (new.data.loc[t.data["school_code"] == code, "primary_classes"].to_numpy()
            == t.data.loc[t.data["school_code"] == code, "primary_classes"].to_numpy() + 1).all()


def test_a_change_without_year_that_fails_in_two_years_names_each_year(tmp_path):
    # a clerk's scenario row without 年份 applies to every year of the table; when the result is
    # impossible in two years, the two problems must say which year each is about (they were
    # printed as two identical lines)
    t = table(primary("1", 200, year=2024), primary("1", 200, year=2025),
              school("3", year=2024, school_type="初级中学", junior_students=100, junior_teachers=10,
                     junior_qualified_teachers=6),
              school("3", year=2025, school_type="初级中学", junior_students=100, junior_teachers=10,
                     junior_qualified_teachers=6))
    f = tmp_path / "s.yaml"
    f.write_text("changes:\n"
                 "  - {school_code: '9999999991', column: 网络多媒体教室数, amount: -100}\n"
                 "  - {school_code: '9999999993', column: 初中本科及以上学历专任教师数, amount: 5}\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as e:
        apply_scenario(t, load_scenario(f))
    for code in ("scenario_negative", "scenario_subset"):
        probs = [p for p in e.value.errors if p.code == code]
        assert len(probs) == 2
        assert len({p.problem_zh for p in probs}) == 2 and len({p.problem_en for p in probs}) == 2
        assert any("2024 年" in p.problem_zh for p in probs) and any("2025 年" in p.problem_zh for p in probs)
        assert any("2024" in p.problem_en for p in probs) and any("2025" in p.problem_en for p in probs)
