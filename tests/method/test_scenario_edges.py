"""Refusals of a scenario CSV that the mutation run over balance/method/scenario.py (issue 10,
docs/mutation-report.md) showed no test was watching: every refusal names the file (and row and
column where there is one), in Chinese and English, under the scenario summary. Each test names
the mutants it kills and was checked to fail on them."""
import pytest

from balance.errors import InputError
from balance.method.scenario import SUMMARY, apply_scenario, load_scenario
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
