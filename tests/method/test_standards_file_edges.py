"""The exact words of a refused standard file (``balance.method.standards_file``), not only its code and line.

Written for the mutmut survivors of round 4 (docs/mutation/round4-method-a.md):
``tests/method/test_standards.py`` checks the code, the line and that both languages are there,
so a message that lost PyYAML's context, named the wrong lines of an unclosed bracket or printed
"None" went unnoticed. The English half is PyYAML's own context and problem (as PyYAML words them,
libyaml loader); the Chinese hint is the ``yaml`` entry of ``messages_cli.yaml`` that matches it.
"""
from __future__ import annotations

import pytest

from balance.errors import InputError
from balance.method.standards import STANDARDS_DIR, load_standard

Q = (STANDARDS_DIR / "quality-2017.yaml").read_text(encoding="utf-8")


def _problem(tmp_path, text: str):
    path = tmp_path / "省标准.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_standard(path)
    return ei.value.problems[0]


@pytest.mark.parametrize("text, row, zh, en", [
    ("id: x\ntitle: [没有闭合\nshort_title: y\n", 2,
     "YAML 格式错误（第 2 行开始，至第 3 行仍未结束）：方括号 [ 没有闭合，或其中缺少逗号",
     "YAML syntax error (begins on line 2, still open on line 3): while parsing a flow sequence, "
     "did not find expected ',' or ']'"),
    ('id: x\ntitle: "没有闭合\nshort_title: y\nstages: [小学]\n', 2,
     "YAML 格式错误（第 2 行开始，至第 5 行仍未结束）：引号没有闭合",
     "YAML syntax error (begins on line 2, still open on line 5): while scanning a quoted scalar, "
     "found unexpected end of stream"),
    # no context: the problem alone, nothing about where a construct began
    ("id: x\ntitle: t\n  short_title: y\nstages: [小学]\n", 3,
     "YAML 格式错误：此处不能出现冒号「:」（缩进不对，或者值里的冒号需要加引号）",
     "YAML syntax error: mapping values are not allowed in this context"),
    # a context that is neither a flow collection nor a quote: the line of the problem, no "begins on"
    ("id: x\nscope:\n  a: 1\n b: 2\n", 4,
     "YAML 格式错误：缩进不一致，或某一行缺少冒号「:」",
     "YAML syntax error: while parsing a block mapping, did not find expected key"),
    # a reader error has no problem text of its own: the character, in hexadecimal
    ("id: x\ntitle: a\x07b\n", None, "YAML 格式错误：含有不允许的控制字符", "YAML syntax error: unacceptable character #x0007"),
], ids=["bracket", "quote", "indent", "block_mapping", "control_character"])
def test_yaml_syntax_errors_in_both_languages(tmp_path, text, row, zh, en):
    p = _problem(tmp_path, text)
    assert (p.code, p.row, p.problem_zh, p.problem_en) == ("yaml_syntax", row, zh, en)


def test_a_missing_key_is_placed_on_its_parents_line_and_shows_no_value(tmp_path):
    text = Q.replace("school_rule: {min_met: 6, floor_ratio: 0.85}", "school_rule:\n  floor_ratio: 0.85")
    line = next(k for k, s in enumerate(text.splitlines(), start=1) if s.startswith("school_rule:"))
    p = _problem(tmp_path, text)
    assert (p.column, p.row, p.value) == ("school_rule.min_met", line, None)


def test_a_wrong_scalar_is_shown_as_written_and_a_wrong_mapping_is_not(tmp_path):
    """(Round 6, ``_value``.) The value of a refused key is shown when it is a scalar, so the clerk
    sees what was typed; a whole mapping or list is not printed."""
    line = next(k for k, s in enumerate(Q.splitlines(), start=1) if s.startswith("school_rule:"))
    p = _problem(tmp_path, Q.replace("{min_met: 6, floor_ratio: 0.85}", "{min_met: 六, floor_ratio: 0.85}"))
    assert (p.code, p.column, p.row, p.value) == ("standard_invalid", "school_rule.min_met", line, "六")
    p = _problem(tmp_path, Q.replace("{min_met: 6, floor_ratio: 0.85}", "{min_met: [6], floor_ratio: 0.85}"))
    assert (p.column, p.value) == ("school_rule.min_met", None)


def test_a_known_error_kind_has_its_own_words_and_an_unlisted_one_the_default(tmp_path, monkeypatch):
    """(Round 6, ``_problems``.) Pydantic's error kind picks the message of messages_cli.yaml; a kind
    the file does not list falls back to 取值无效 with pydantic's English, never a crash."""
    from balance.method import standards_file

    text = Q.replace("{min_met: 6, floor_ratio: 0.85}", "{min_met: 六, floor_ratio: 0.85}")
    p = _problem(tmp_path, text)
    assert (p.problem_zh, p.problem_en) == ("标准文件内容无效：应为整数", "invalid standard: must be a whole number")
    msgs = {k: v for k, v in standards_file._messages().items() if k not in ("int_type", "int_parsing")}
    monkeypatch.setattr(standards_file, "_messages", lambda: msgs)
    p = _problem(tmp_path, text.replace("min_met: 六", "min_met: 七"))   # another text: not a cached answer
    assert p.problem_zh == "标准文件内容无效：取值无效" and p.problem_en.startswith("invalid standard: Input should be a valid integer")
