"""Refusals of a scenario CSV that the mutation run over balance/method/scenario.py (issue 10,
docs/mutation-report.md) showed no test was watching: every refusal names the file (and row and
column where there is one), in Chinese and English, under the scenario summary. Each test names
the mutants it kills and was checked to fail on them."""
import pandas as pd
import pytest

from balance.errors import InputError
from balance.method.scenario import SUMMARY, apply_scenario, apply_to_table, as_scenario, load_scenario
from tests.factories import primary, table


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
