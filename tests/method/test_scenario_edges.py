"""Refusals of a scenario CSV that the mutation run over balance/method/scenario.py (issue 10,
docs/mutation-report.md) showed no test was watching: every refusal names the file (and row and
column where there is one), in Chinese and English, under the scenario summary. Each test names
the mutants it kills and was checked to fail on them."""
import pandas as pd
import pytest

from balance.errors import InputError
from balance.method.scenario import SUMMARY, apply_scenario, apply_to_table, as_scenario, load_scenario
from tests.factories import primary, school, table


def _refused(path):
    with pytest.raises(InputError) as ei:
        load_scenario(path)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == SUMMARY
    return e.problems


def test_missing_headers_are_each_named_on_row_1(tmp_path):
    """Kills the mutants of the missing-header problem (file, row, column, texts) and of the
    ``_rows_of_frame(df, file, …)`` call."""
    f = tmp_path / "s.csv"
    f.write_text("school,amount\n1,2\n", encoding="utf-8")
    probs = _refused(f)
    assert [(p.file, p.row, p.column) for p in probs] == [(str(f), 1, "学校标识码 school_code"), (str(f), 1, "列 column")]
    assert [(p.problem_zh, p.problem_en) for p in probs] == [
        ("缺少表头“学校标识码”", "missing header 'school_code'"), ("缺少表头“列”", "missing header 'column'")]
    g = tmp_path / "t.csv"
    g.write_text("学校标识码,列\n9999999991,小学专任教师数\n", encoding="utf-8")
    [p] = _refused(g)
    assert (p.column, p.problem_zh, p.problem_en) == ("增加量 amount", "缺少表头“增加量”", "missing header 'amount'")


def test_an_empty_csv_is_refused_by_name(tmp_path):
    """Kills the mutants of the ``empty_file`` problem (file, code, texts, summary)."""
    f = tmp_path / "empty.csv"
    f.write_bytes(b"")
    [p] = _refused(f)
    assert (p.file, p.code, p.problem_zh, p.problem_en) == (str(f), "empty_file", "情景文件为空",
                                                          "the scenario file is empty")


def test_a_broken_or_binary_csv_names_the_file(tmp_path):
    """A broken quote and binary bytes are refused naming the file under the scenario summary
    (kills ``csv_parse_refusal(None, …)``/``(…, )`` and ``decode_text(data, None/…, SUMMARY)``)."""
    f = tmp_path / "broken.csv"
    f.write_text('学校标识码,列,增加量\n"9999999001,小学专任教师数,2\n', encoding="utf-8")
    assert [p.file for p in _refused(f)] == [str(f)]
    g = tmp_path / "binary.csv"
    g.write_bytes(b"\x00\x01\x02" * 200)
    assert [(p.file, p.code) for p in _refused(g)] == [(str(g), "not_text")]


def test_school_codes_stay_text(tmp_path):
    """学校标识码 is text: a code with a leading zero must still find its school (kills
    ``read_csv(dtype=str)`` → ``dtype=None`` / omitted, which reads 0999999991 as the number
    999999991)."""
    t = table(primary("1", 200))
    t["school_code"] = "0999999991"
    f = tmp_path / "s.csv"
    f.write_text("学校标识码,列,增加量\n0999999991,小学专任教师数,2\n", encoding="utf-8")
    out = apply_scenario(t, load_scenario(f))
    assert out.loc[0, "primary_teachers"] == t.loc[0, "primary_teachers"] + 2


# --- round 5 (docs/mutation/round5-method.md): every other refusal names the file under its summary


def _one(path, **kw):
    with pytest.raises(InputError) as ei:
        load_scenario(path, **kw)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == SUMMARY
    [p] = e.problems
    return p


def test_a_missing_file_and_an_unknown_suffix_are_refused_by_name(tmp_path):
    """Kills the mutants of the ``file_not_found`` and ``unsupported_format`` problems (file, code,
    value, texts, the summary dropped, ``InputError(None, …)`` / ``InputError(*SUMMARY)``)."""
    f = tmp_path / "none.csv"
    p = _one(f)
    assert (p.file, p.code, p.problem_zh, p.problem_en) == (str(f), "file_not_found", "找不到情景文件",
                                                          "scenario file not found")
    g = tmp_path / "s.json"
    g.write_text("{}", encoding="utf-8")
    p = _one(g)
    assert (p.file, p.code, p.value, p.problem_zh, p.problem_en) == (
        str(g), "unsupported_format", ".json", "情景文件应为 .yaml 或 .csv", "a scenario must be .yaml or .csv")


def test_yml_and_txt_files_are_read_as_yaml_and_csv(tmp_path):
    """``.yml`` is YAML (with the YAML size limit), ``.txt`` is CSV (kills ``".yml"`` → ``"XX.ymlXX"``
    / ``".YML"`` in the accepted suffixes, the YAML-limit test and the reader choice, and ``".txt"``
    → ``"XX.txtXX"`` / ``".TXT"``)."""
    y = tmp_path / "s.yml"
    y.write_text("changes:\n  - {school_code: '9999999991', column: 小学专任教师数, amount: 2}\n" + "# pad\n" * 300,
                 encoding="utf-8")
    assert load_scenario(y).changes["amount"].tolist() == [2.0]
    assert _one(y, limits={"max_yaml_mb": 0.001}).code == "file_too_large"
    t = tmp_path / "s.txt"
    t.write_text("学校标识码,列,增加量\n9999999991,小学专任教师数,3\n", encoding="utf-8")
    assert load_scenario(t).changes["amount"].tolist() == [3.0]


def test_a_folder_named_like_a_csv_is_refused_naming_it(tmp_path):
    """Kills ``read_file_bytes(p, None, …)`` (the problem would name no file)."""
    d = tmp_path / "d.csv"
    d.mkdir()
    p = _one(d)
    assert (p.file, p.code) == (str(d), "is_a_folder")


def test_yaml_refusals_keep_the_scenario_summary_and_name_the_file(tmp_path):
    """Binary bytes and a YAML syntax error are refused under the scenario summary (kills
    ``decode_text(…, )`` and ``InputError(exc.problems, )``); a file without a ``changes:`` list is
    one problem naming it (kills every mutant of ``scenario_no_changes`` there); a change that is
    not a mapping names the file (kills ``_rows_of_items(…, None)``)."""
    b = tmp_path / "b.yaml"
    b.write_bytes(bytes(range(256)) * 8)
    assert _one(b).code == "not_text"
    s = tmp_path / "s.yaml"
    s.write_text("changes: [1, 2\n", encoding="utf-8")
    assert _one(s).file == str(s)
    n = tmp_path / "n.yaml"
    n.write_text("change: []\n", encoding="utf-8")
    p = _one(n)
    assert (p.file, p.code, p.problem_zh, p.problem_en) == (str(n), "scenario_no_changes", "情景文件应包含 changes: 列表",
                                                          "a scenario needs a 'changes:' list")
    i = tmp_path / "i.yaml"
    i.write_text("changes:\n  - 5\n", encoding="utf-8")
    p = _one(i)
    assert (p.file, p.code, p.row) == (str(i), "scenario_bad_item", 2)


# --- round 5: the Python forms and applying to a table


def test_a_frame_missing_headers_names_itself():
    """A DataFrame without the headers is refused naming it (kills ``_rows_of_frame(…, None, …)``)."""
    with pytest.raises(InputError) as ei:
        as_scenario(pd.DataFrame({"学校标识码": ["9999999991"], "增加量": [1]}), name="plan")
    assert [(p.file, p.column) for p in ei.value.problems] == [("plan", "列 column")]


def test_one_change_written_as_a_mapping_and_a_scenario_of_the_wrong_type():
    """A single change may be one mapping (kills ``items = [changes]`` → ``None``); anything that
    is not a path, frame, mapping or list is one problem naming its type under the scenario
    summary (kills every mutant of that ``scenario_no_changes`` problem)."""
    sc = as_scenario({"school_code": "9999999991", "column": "小学专任教师数", "amount": 2})
    assert sc.changes[["school_code", "field", "amount"]].values.tolist() == [["9999999991", "primary_teachers", 2.0]]
    with pytest.raises(InputError) as ei:
        as_scenario(5)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == SUMMARY
    assert [(p.file, p.code, p.value, p.problem_zh, p.problem_en) for p in e.problems] == [
        ("<mapping>", "scenario_no_changes", "int", "情景应为文件路径、DataFrame、映射或变化列表",
         "a scenario must be a file path, a DataFrame, a mapping or a list of changes")]


def _tbl():
    from balance.io.reading import SchoolTable, load_school_table
    from tests.factories import primary, school, table

    t = table(primary("1", 200, qualified=6), primary("2", 300),
              school("3", school_type="初级中学", junior_students=100, junior_teachers=10, junior_qualified_teachers=6))
    return SchoolTable(data=t, path="schools.csv", sha256="x", warnings=load_school_table(t).warnings)


def test_a_scenario_that_breaks_the_table_is_refused_naming_both_files():
    """Pupils added to a stage the school does not offer: the table's own check refuses it, each
    problem names the table and the scenario, under the after-the-scenario summary (kills the
    mutants of ``probs`` and of that ``InputError``)."""
    with pytest.raises(InputError) as ei:
        apply_to_table(_tbl(), {"9999999991": {"初中在校生数": 50}})
    e = ei.value
    assert (e.summary_zh, e.summary_en) == ("应用情景后的学校数据表有误", "the school table is invalid after the scenario")
    assert [(p.file, p.code, p.row) for p in e.errors] == [
        ("schools.csv + 情景/scenario <mapping>", "stage_not_offered", 2)]


def test_warnings_the_scenario_brings_join_the_tables_own_once_with_chinese_columns():
    """Removing every primary pupil of school 1 leaves a school without pupils and teachers without
    pupils: those warnings join the table's own (which are not repeated), naming the scenario and
    the Chinese column (kills ``new.warnings = None``, ``file=None`` / dropped, ``column=None`` /
    dropped, ``HEADERS.get(None, …)`` and ``not in known`` → ``in``; the default of ``HEADERS.get``
    is never used: the re-checked table is canonical, so every warning names a canonical column)."""
    tbl = _tbl()
    own = [(w.code, w.row) for w in tbl.warnings]
    assert own == [("no_classes", 4)]
    new = apply_to_table(tbl, {"9999999991": {"小学在校生数": -200}})
    label = "schools.csv + 情景/scenario <mapping>"
    assert [(w.file, w.code, w.row, w.column) for w in new.warnings[1:]] == [
        (label, "no_pupils", 2, "学校名称"), (label, "teachers_no_pupils", 2, "小学在校生数")]
    assert new.warnings[0] == tbl.warnings[0]


# --- round 6 (docs/mutation/round6-method-rest.md): the changes given from Python, applying them

APPLY = ("情景无法应用到学校数据表", "the scenario does not fit the school table")


def _refused_py(changes, name="plan"):
    with pytest.raises(InputError) as ei:
        as_scenario(changes, name=name)
    assert (ei.value.summary_zh, ei.value.summary_en) == SUMMARY
    return ei.value.problems


def test_changes_that_are_not_mappings_are_each_named_by_position():
    """Every item that is not a mapping is one problem: the scenario's name, its position from 1,
    its short text and both texts (kills the ``scenario_bad_item`` mutants — value, texts, ``str
    (None)``, ``_scalar(None)``, ``continue`` → ``break`` — and in ``as_scenario`` the rows from 0
    and ``_rows_of_items(…, None)``)."""
    probs = _refused_py([5, {"school_code": "9999999991", "column": "小学专任教师数", "amount": 1}, [1, 2]])
    assert [(p.file, p.row, p.code, p.value, p.problem_zh, p.problem_en) for p in probs] == [
        ("plan", r, "scenario_bad_item", v, "每项应为映射（school_code, column, amount）",
         "each change must be a mapping (school_code, column, amount)") for r, v in ((1, "5"), (3, "[1, 2]"))]


def test_a_change_missing_its_code_column_or_amount_is_refused_not_crashed():
    """A mapping without 学校标识码, without 列 or without 增加量 gives that problem (kills ``next(…, )``
    without its default, which raises StopIteration, for the code, the column and the amount, and
    in ``_changes`` ``code is None … and False`` / ``"XXXX"``, ``append(None)`` and ``column=None``)."""
    probs = _refused_py([{"column": "小学专任教师数", "amount": 1},
                         {"school_code": "9999999991", "amount": 1},
                         {"school_code": "9999999991", "column": "小学专任教师数"}])
    assert [(p.file, p.row, p.column, p.code) for p in probs] == [
        ("plan", 1, "学校标识码", "scenario_no_school"), ("plan", 2, "列", "scenario_bad_column"),
        ("plan", 3, "小学专任教师数", "scenario_bad_amount")]
    assert (probs[0].problem_zh, probs[0].problem_en) == ("缺少学校标识码", "school code is missing")


def test_an_add_that_is_not_a_mapping_is_the_amount():
    """``add`` is also an amount header: ``{school_code, column, add: 2}`` is one change of 2 (kills
    ``isinstance(item.get("add"), dict) or True``, which tries ``(2).items()``)."""
    sc = as_scenario([{"school_code": "9999999991", "column": "小学专任教师数", "add": 2}])
    assert sc.changes[["school_code", "field", "amount"]].values.tolist() == [["9999999991", "primary_teachers", 2.0]]


def test_a_school_code_read_as_a_whole_float_loses_its_point_zero_and_text_keeps_it():
    """9999999991.0 (a code a spreadsheet turned into a number) is the code 9999999991; "12a.0" is
    not digits and stays as written (kills ``".0"`` renamed, ``[:-2]`` → ``[:+2]`` / ``[:-3]`` in
    the test and in the cut, and ``code_s = None``)."""
    sc = as_scenario([{"school_code": 9999999991.0, "column": "小学专任教师数", "amount": 1},
                      {"school_code": "12a.0", "column": "小学专任教师数", "amount": 1}])
    assert sc.changes["school_code"].tolist() == ["9999999991", "12a.0"]


def test_every_refusal_of_applying_names_the_scenario_row_column_and_value():
    """Unknown school (without and with a year), unknown year, a value below zero and a part above
    its whole: each problem exactly, under the apply summary (kills ``file = None`` and the
    ``file`` / ``column`` / ``value`` / text mutants of the five problems, the year suffix's
    conditions, and every mutant of the summary)."""
    t = table(primary("1", 200, qualified=6), primary("2", 300),
              school("3", school_type="初级中学", junior_students=100, junior_teachers=10, junior_qualified_teachers=6))
    sc = as_scenario([{"school_code": "1234567890", "column": "小学专任教师数", "amount": 1},
                      {"school_code": "9999999991", "column": "小学专任教师数", "amount": 1, "year": 1999},
                      {"school_code": "1234567890", "column": "小学专任教师数", "amount": 1, "year": 2025},
                      {"school_code": "9999999992", "column": "网络多媒体教室数", "amount": -100},
                      {"school_code": "9999999993", "column": "初中本科及以上学历专任教师数", "amount": 5}], name="plan")
    with pytest.raises(InputError) as ei:
        apply_scenario(t, sc)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == APPLY
    no = ("学校数据表中没有这所学校", "no such school in the table")
    assert [(p.file, p.row, p.column, p.value, p.code, p.problem_zh, p.problem_en) for p in e.errors] == [
        ("plan", 1, "学校标识码", "1234567890", "scenario_unknown_school", *no),
        ("plan", 2, "年份", "1999", "scenario_unknown_year", "数据中没有 1999 年", "year 1999 is not in the data"),
        ("plan", 3, "学校标识码", "1234567890", "scenario_unknown_school", no[0] + "（2025 年）", no[1] + " (year 2025)"),
        ("plan", 4, "网络多媒体教室数", "-100.0", "scenario_negative",
         "应用后 测试学校2（2025 年）的“网络多媒体教室数”为 -91，不能为负",
         "after the change, 网络多媒体教室数 of school 9999999992 in 2025 would be -91 (< 0)"),
        ("plan", 5, "初中本科及以上学历专任教师数", "5.0", "scenario_subset",
         "应用后学校 9999999993（2025 年）的“初中本科及以上学历专任教师数”(11) 大于“初中专任教师数”(10)",
         "after the change, school 9999999993 has 初中本科及以上学历专任教师数 (11) > 初中专任教师数 (10) in 2025")]


def test_a_value_just_below_zero_is_refused():
    """Half a square metre below zero is refused (kills ``v < -1e-9`` → ``v < -1.000000001``)."""
    t = table(primary("1", 200))
    assert t.loc[0, "sports_ground_area"] == 1600.0
    with pytest.raises(InputError) as ei:
        apply_scenario(t, as_scenario({"9999999991": {"sports_ground_area": -1600.5}}))
    assert [p.code for p in ei.value.errors] == ["scenario_negative"]


def test_removing_teachers_below_their_qualified_part_is_refused_and_down_to_it_is_not():
    """Only the whole changed: 5 teachers for 6 qualified is refused naming that change (kills
    ``(i, whole) not in touched`` → ``in`` and ``touched.get(None)``); 6 for 6 is fine (kills
    ``pv > wv + 1e-9`` → ``pv > wv - 1e-9``)."""
    t = table(primary("1", 200, qualified=6))
    assert t.loc[0, "primary_teachers"] == 20
    with pytest.raises(InputError) as ei:
        apply_scenario(t, as_scenario({"9999999991": {"小学专任教师数": -15}}))
    assert [(p.row, p.column, p.code) for p in ei.value.errors] == [(1, "小学专任教师数", "scenario_subset")]
    assert apply_scenario(t, as_scenario({"9999999991": {"小学专任教师数": -14}})).loc[0, "primary_teachers"] == 6


def test_an_unknown_optional_part_does_not_stop_checking_the_next_schools():
    """School 1 has no 超标班额班数 (nothing to compare), school 2 ends with more oversized classes
    than classes: still refused (kills the ``continue`` after the NA test → ``break``)."""
    t = table(primary("1", 200), primary("2", 300, primary_oversized_classes=1))
    sc = as_scenario([{"school_code": "9999999991", "column": "primary_classes", "amount": 1},
                      {"school_code": "9999999992", "column": "primary_oversized_classes", "amount": 10}])
    with pytest.raises(InputError) as ei:
        apply_scenario(t, sc)
    assert [(p.row, p.code) for p in ei.value.errors] == [(2, "scenario_subset")]


def test_an_optional_count_keeps_its_nullable_type_and_its_missing_cells():
    """音乐专用教室数 is a nullable whole number: after adding one room at school 1 it is still
    ``Int64`` with school 2's cell missing (kills the final cast's ``and False`` / ``not in`` /
    ``"IU"``, which cast to int64 and fail on the missing cell)."""
    t = table(primary("1", 200, music_rooms=2), primary("2", 300))
    out = apply_scenario(t, as_scenario({"9999999991": {"music_rooms": 1}}))
    assert str(out["music_rooms"].dtype) == "Int64" and out["music_rooms"].tolist()[0] == 3
    assert out["music_rooms"].isna().tolist() == [False, True]
    assert out["primary_teachers"].dtype == t["primary_teachers"].dtype


def test_a_year_that_is_not_whole_is_refused_and_a_year_written_none_is_no_year():
    """2025.5 is one ``scenario_bad_year`` problem, exactly (kills its mutants: ``append(None)``,
    ``where`` / column / value / code / texts dropped, ``None`` or renamed); a year written
    "None" means every year (kills ``"None"`` → ``"XXNoneXX"`` / ``"none"`` / ``"NONE"`` in the
    blanks); an unknown column's problem carries what was written (kills ``value=None`` / dropped
    and the code mutants of ``scenario_bad_column``)."""
    probs = _refused_py([{"school_code": "9999999991", "column": "小学专任教师数", "amount": 1, "year": "2025.5"},
                         {"school_code": "9999999991", "column": "不存在的列", "amount": 1}])
    assert [(p.file, p.row, p.column, p.value, p.code, p.problem_zh, p.problem_en) for p in probs[:1]] == [
        ("plan", 1, "年份", "2025.5", "scenario_bad_year", "年份不是整数", "year is not a whole number")]
    assert [(p.row, p.column, p.value, p.code) for p in probs[1:]] == [(2, "不存在的列", "不存在的列", "scenario_bad_column")]
    sc = as_scenario([{"school_code": "9999999991", "column": "小学专任教师数", "amount": 1, "year": "None"}])
    assert sc.changes["year"].isna().tolist() == [True]


# --- round 7 (docs/mutation/round7-method-rest.md): the checks of the raw changes (``_changes``)
# called directly with raw ``(row, code, year, column, amount)`` tuples, and ``_scalar``.

from balance.method.scenario import _changes  # noqa: E402
from balance.method.scenario_file import _scalar  # noqa: E402

T = "小学专任教师数"


def _refused_raw(raw):
    with pytest.raises(InputError) as ei:
        _changes(raw, "s.yaml")
    return [(p.file, p.row, p.column, p.value, p.code, p.problem_zh, p.problem_en) for p in ei.value.problems]


def test_a_bad_amount_a_fractional_count_and_an_unknown_column_are_all_named_in_file_order():
    """Four rows, four problems, each with its file, row, column, value, code and both texts:
    an amount that is text ("abc"), a blank amount (value ""), a fractional teacher count, and —
    after it — an unknown column, which is still checked (kills the bad-amount and fractional
    problems' field / text mutants, ``continue`` → ``break`` after the fractional count and the
    column hint texts renamed)."""
    got = _refused_raw([(2, "1", None, T, "abc"), (3, "1", None, T, None), (4, "1", None, T, "1.5"),
                    (5, "1", None, "不存在的列", 1)])
    assert got == [
        ("s.yaml", 2, T, "abc", "scenario_bad_amount", "增加量不是数字", "amount is not a number"),
        ("s.yaml", 3, T, "", "scenario_bad_amount", "增加量不是数字", "amount is not a number"),
        ("s.yaml", 4, T, "1.5", "scenario_fractional", "该列只能是整数，增加量必须为整数",
         "this column holds whole numbers: the amount must be whole"),
        ("s.yaml", 5, "不存在的列", "不存在的列", "scenario_bad_column",
         "未知的列“不存在的列”（应为学校数据表中的数值列，如“小学专任教师数”）",
         "unknown column '不存在的列' (use a numeric column of the school table, e.g. 小学专任教师数)")]


def test_an_amount_with_thousands_separators_is_read_as_its_number():
    """"1,000" is 1000 (kills ``replace(",", …)`` → ``"XX,XX"`` / ``"XXXX"``)."""
    sc = _changes([(2, "1", 2025, T, "1,000")], "s.yaml")
    assert sc.changes[["school_code", "year", "field", "amount"]].values.tolist() == [["1", 2025, "primary_teachers", 1000.0]]


def test_no_changes_is_an_empty_scenario_with_its_columns():
    """An empty list is an empty scenario with the six columns and a nullable year (kills
    ``DataFrame(out, columns=None)`` / no columns, where the year column does not exist)."""
    sc = _changes([], "s.yaml")
    assert len(sc) == 0 and list(sc.changes.columns) == ["row", "school_code", "year", "field", "column", "amount"]
    assert str(sc.changes["year"].dtype) == "Int64"


def test_a_value_that_should_be_one_cell_is_shown_by_a_short_repr():
    """A list, mapping or other object where one cell belongs is shown by ``reprlib`` with at most
    4 items, 2 levels, strings and other objects cut to 40 characters, the whole cut at 100
    (expected texts: those limits applied by hand; kills each limit + 1 and ``[:101]``)."""
    import datetime

    assert _scalar(list(range(6))) == "[0, 1, 2, 3, ...]"
    assert _scalar({k: i for i, k in enumerate("abcde")}) == "{'a': 0, 'b': 1, 'c': 2, 'd': 3, ...}"
    assert _scalar([[[1]]]) == "[[[...]]]"
    assert _scalar(["x" * 50]) == "['" + "x" * 17 + "..." + "x" * 18 + "']"
    assert _scalar(datetime.datetime(2025, 1, 1, 12, 30, 45, 123456)) == "datetime.datetime(...12, 30, 45, 123456)"
    long = _scalar(["y" * 40] * 4)
    assert len(long) == 100 and long.startswith("['" + "y" * 17 + "...")
