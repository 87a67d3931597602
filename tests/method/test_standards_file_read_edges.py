"""Reading a standard file, function by function (balance/method/standards_file.py ``_read_text``,
``_parse``, ``_walk``, ``_problems``; issue 10, mutation round 7).

Round 6 left 362 mutants of these functions unrun: they were reached only through
``load_standard`` in tests/method/test_standards.py, which checks the code and the line of a
refusal but not its words, nor the limits at their edges. Here each function is called directly on
a few bytes or a short YAML text, and every refusal is compared whole (file, line, code, both
languages, summary). The limits are the module's constants (MAX_FILE_BYTES 1 MiB, MAX_NODES
100 000 nodes after expanding aliases, MAX_DEPTH 40 levels below the root); the words are the
module's own, or the ``standard`` entries of data/messages_cli.yaml for pydantic's error kinds.
"""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from balance.errors import InputError, Problem
from balance.method import standards_file as sf

F = "省标准.yaml"


def _refusal(call, *args) -> Problem:
    with pytest.raises(InputError) as ei:
        call(*args)
    assert (ei.value.summary_zh, ei.value.summary_en) == ("评估标准有误", "invalid standard")
    assert len(ei.value.problems) == 1
    return ei.value.problems[0]


def _p(code, zh, en, row=None, file=F) -> Problem:
    return Problem(file=file, row=row, code=code, problem_zh=zh, problem_en=en)


# ------------------------------------------------------------------------------------- _read_text

BINARY = ("binary", "不是文本文件（可能是 Excel 或其他二进制文件）；评估标准应为 YAML 文本文件",
          "not a text file (an Excel workbook or other binary file?); a standard is a YAML text file")


def _file(tmp_path, data: bytes):
    path = tmp_path / F
    path.write_bytes(data)
    return path


def test_the_text_is_read_as_utf8_with_or_without_bom_else_gb18030(tmp_path):
    assert sf._read_text(_file(tmp_path, "id: 省标准\n".encode())) == "id: 省标准\n"
    assert sf._read_text(_file(tmp_path, "\ufeffid: 省标准\n".encode())) == "id: 省标准\n"
    assert sf._read_text(_file(tmp_path, "id: 省标准\n".encode("gb18030"))) == "id: 省标准\n"


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(tmp_path):
    # MAX_FILE_BYTES = 1 << 20 = 1 048 576 bytes = 1024 KB
    assert sf._read_text(_file(tmp_path, b"#" * (1 << 20))) == "#" * (1 << 20)
    path = _file(tmp_path, b"#" * ((1 << 20) + 1))
    assert _refusal(sf._read_text, path) == _p(
        "file_too_large", "文件过大（超过 1024 KB），不像是评估标准文件",
        "file too large (over 1024 KB) for a standard file", file=str(path))


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"], ids=["le", "be"])
def test_a_utf16_file_is_refused_with_its_own_words(tmp_path, bom):
    path = _file(tmp_path, bom + "id: x\n".encode("utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"))
    assert _refusal(sf._read_text, path) == _p("encoding", "文件是 UTF-16 编码，请另存为 UTF-8",
                                               "the file is UTF-16; save it as UTF-8", file=str(path))


@pytest.mark.parametrize("data", [b"id: x\x00\n", b"id: " + b"\x01" * 20 + b"\n"], ids=["nul", "control_bytes"])
def test_binary_data_is_refused_as_not_a_text_file(tmp_path, data):
    # one NUL is refused here; 20 control bytes (> 8, and > 5 % of the head) by the shared decoder
    path = _file(tmp_path, data)
    assert _refusal(sf._read_text, path) == _p(*BINARY, file=str(path))


def test_bytes_neither_utf8_nor_gb18030_are_refused_as_undecodable(tmp_path):
    path = _file(tmp_path, b"id: \x80\x80\n")
    assert _refusal(sf._read_text, path) == _p(
        "encoding", "无法识别文本编码（已尝试 UTF-8 与 GB18030），请另存为 UTF-8",
        "cannot decode the text (tried UTF-8 and GB18030); save the file as UTF-8", file=str(path))


def test_a_file_that_cannot_be_opened_is_refused_with_the_systems_reason(tmp_path, monkeypatch):
    missing = tmp_path / "没有.yaml"
    assert _refusal(sf._read_text, missing) == _p(
        "unreadable", "无法读取标准文件：No such file or directory",
        "cannot read the standard file: No such file or directory", file=str(missing))
    assert _refusal(sf._read_text, tmp_path) == _p(
        "unreadable", "无法读取标准文件：Is a directory", "cannot read the standard file: Is a directory",
        file=str(tmp_path))

    def broken(*_a, **_k):
        raise OSError("磁盘出错")          # an OSError without errno / strerror: its text

    monkeypatch.setattr(sf, "open", broken, raising=False)
    assert _refusal(sf._read_text, missing) == _p(
        "unreadable", "无法读取标准文件：磁盘出错", "cannot read the standard file: 磁盘出错", file=str(missing))


# ------------------------------------------------------------------------------- _parse and _walk


def test_every_key_path_has_the_line_of_its_key():
    text = "id: x\nscope:\n  a: 1\n  b: [1, 2]\nlist:\n  - p\n  -\n    q: 3\n"
    data, lines = sf._parse(F, text)
    assert data == {"id": "x", "scope": {"a": 1, "b": [1, 2]}, "list": ["p", {"q": 3}]}
    # a mapping's value is placed on its key's line (scope: line 2, not its first entry's line 3);
    # a list item on its own line; the whole document on line 1
    assert lines == {(): 1, ("id",): 1, ("scope",): 2, ("scope", "a"): 3, ("scope", "b"): 4, ("scope", "b", 0): 4,
                     ("scope", "b", 1): 4, ("list",): 5, ("list", 0): 6, ("list", 1): 8, ("list", 1, "q"): 8}


def test_an_empty_document_is_none_without_lines():
    assert sf._parse(F, "") == (None, {})
    assert sf._parse(F, "# 只有注释\n") == (None, {})
    assert sf._parse(F, "[]\n") == ([], {(): 1})


def test_a_key_written_twice_is_refused_at_its_second_line():
    p = _refusal(sf._parse, F, "id: x\nscope:\n  a: 1\n\n  a: 2\n")
    assert p == _p("yaml_duplicate_key", "键「a」重复（第 3 行与第 5 行）；重复的键会被静默覆盖",
                   "key 'a' appears twice (lines 3 and 5); a repeated key would silently replace the first", row=5)
    # the same key in two different mappings, or 1 and "1", are different keys
    data, _ = sf._parse(F, "a: {k: 1}\nb: {k: 2}\n1: x\n'1': y\n")
    assert data == {"a": {"k": 1}, "b": {"k": 2}, 1: "x", "1": "y"}
    # a key that is itself a list is known by its line here (two on different lines are not
    # duplicates); PyYAML then refuses it as a key
    p = _refusal(sf._parse, F, "? [a]\n: 1\n? [a]\n: 2\n")
    assert (p.code, p.row, p.problem_en) == (
        "yaml_syntax", 1, "YAML syntax error: while constructing a mapping, found unhashable key")


def test_depth_forty_below_the_root_is_read_and_forty_one_refused():
    # the root is level 0; "[" * n nests n lists, the innermost at level n - 1
    assert sf._parse(F, "x:\n  " + "[" * 40 + "]" * 40 + "\n")[1][("x",) + (0,) * 39] == 2
    p = _refusal(sf._parse, F, "x:\n  " + "[" * 41 + "]" * 41 + "\n")
    assert p == _p("yaml_too_large", "YAML 结构过大或嵌套过深（别名 & / * 展开后超过 100000 项或 40 层）",
                   "YAML structure too large or too deep (over 100000 nodes or 40 levels after expanding aliases & / *)",
                   row=2)


def test_one_hundred_thousand_nodes_are_read_and_one_more_refused():
    # nodes: the root mapping, the key's value list and its scalars (keys are not counted)
    data, _ = sf._parse(F, "x:\n  [" + "0," * 99_998 + "]\n")
    assert len(data["x"]) == 99_998
    p = _refusal(sf._parse, F, "x:\n  [" + "0," * 99_999 + "]\n")
    assert (p.code, p.row) == ("yaml_too_large", 2)


def test_aliases_count_every_time_they_are_expanded():
    # a: 10 nodes (the list and 9 scalars); b: the list of 10 000 aliases to a (1 + 10 000 × 10 nodes)
    text = "a: &a [" + "0," * 9 + "]\nb: [" + "*a," * 10_000 + "]\n"
    p = _refusal(sf._parse, F, text)
    assert (p.code, p.row) == ("yaml_too_large", 1)     # the alias expanded: the anchor's line
    data, _ = sf._parse(F, "a: &a [" + "0," * 9 + "]\nb: [" + "*a," * 9_000 + "]\n")
    assert len(data["b"]) == 9_000


def test_an_alias_inside_its_own_anchor_is_refused_as_a_cycle():
    # the line of the node that comes back: where its anchor stands
    p = _refusal(sf._parse, F, "id: x\nloop: &l\n  - 1\n  - *l\n")
    assert p == _p("yaml_recursive", "YAML 别名引用了自身（循环）", "a YAML alias refers to itself (a cycle)", row=2)
    p = _refusal(sf._parse, F, "id: x\n\nloop:\n  &m\n  k: *m\n")
    assert (p.code, p.row) == ("yaml_recursive", 4)
    # the same anchor used twice side by side is no cycle
    data, _ = sf._parse(F, "a: &a {k: 1}\nb: [*a, *a]\n")
    assert data["b"] == [{"k": 1}, {"k": 1}]


# ------------------------------------------------------------------------------------- _problems


def _error(*errs) -> ValidationError:
    return ValidationError.from_exception_data("Standard", list(errs))


LINES = {(): 1, ("school_rule",): 5, ("school_rule", "floor_ratio"): 6, ("cv_limit",): 9}


def test_a_pydantic_error_becomes_a_problem_at_the_line_of_its_key():
    exc = _error({"type": "greater_than", "loc": ("school_rule", "floor_ratio"), "input": 0.0, "ctx": {"gt": 0.25}},
                 {"type": "less_than_equal", "loc": ("cv_limit", "小学"), "input": 1.5, "ctx": {"le": 1.0}},
                 {"type": "missing", "loc": ("school_rule", "min_met"), "input": {"floor_ratio": 0.5}},
                 {"type": "string_type", "loc": ("cv_limit", 3, "[key]"), "input": 3})
    assert sf._problems(F, exc, LINES) == [
        # a limit that is not whole is shown as it is, a whole one without ".0"
        Problem(file=F, row=6, column="school_rule.floor_ratio", value="0.0", code="standard_invalid",
                problem_zh="标准文件内容无效：应大于 0.25", problem_en="invalid standard: must be greater than 0.25"),
        # a key the file does not have: its parent's line
        Problem(file=F, row=9, column="cv_limit.小学", value="1.5", code="standard_invalid",
                problem_zh="标准文件内容无效：应不大于 1", problem_en="invalid standard: must be at most 1"),
        # a mapping is not shown as a value
        Problem(file=F, row=5, column="school_rule.min_met", value=None, code="standard_invalid",
                problem_zh="标准文件内容无效：缺少必填项", problem_en="invalid standard: required key is missing"),
        # pydantic's "[key]" (the key of a mapping, not its value) is left out of the line's lookup only
        Problem(file=F, row=9, column="cv_limit.3.[key]", value="3", code="standard_invalid",
                problem_zh="标准文件内容无效：应为文字", problem_en="invalid standard: must be text")]


def test_an_error_of_the_whole_file_has_no_column_and_an_unknown_line_none():
    exc = _error({"type": "dict_type", "loc": (), "input": [1]},
                 {"type": "int_type", "loc": ("nowhere", 0), "input": "六"})
    assert sf._problems(F, exc, {("x",): 2}) == [
        Problem(file=F, row=None, column=None, value=None, code="standard_invalid",
                problem_zh="标准文件内容无效：应为键值映射（key: value）",
                problem_en="invalid standard: must be a mapping (key: value)"),
        Problem(file=F, row=None, column="nowhere.0", value="六", code="standard_invalid",
                problem_zh="标准文件内容无效：应为整数", problem_en="invalid standard: must be a whole number")]


def test_a_rule_error_gives_one_problem_per_problem_it_carries():
    from balance.method.standard_rules import _rule_error

    err = _rule_error([(("高中",), "未知的学段「高中」", "unknown stage '高中'", "高中"),
                       ((), "分子不能为空", "numerator is empty", None)])
    exc = _error({"type": err, "loc": ("cv_limit",), "input": {"高中": 0.5}})
    assert sf._problems(F, exc, {**LINES, ("cv_limit", "高中"): 10}) == [
        Problem(file=F, row=10, column="cv_limit.高中", value="高中", code="standard_invalid",
                problem_zh="标准文件内容无效：未知的学段「高中」", problem_en="invalid standard: unknown stage '高中'"),
        Problem(file=F, row=9, column="cv_limit", value=None, code="standard_invalid",
                problem_zh="标准文件内容无效：分子不能为空", problem_en="invalid standard: numerator is empty")]


def test_a_message_whose_placeholder_pydantic_does_not_fill_falls_back_to_the_default(monkeypatch):
    msgs = {**sf._messages(), "greater_than": {"zh": "应大于 {limit}", "en": "must exceed {limit}"},
            "less_than": {"zh": "应小于 {0}", "en": "below {0}"}}
    monkeypatch.setattr(sf, "_messages", lambda: msgs)
    exc = _error({"type": "greater_than", "loc": ("a",), "input": 0, "ctx": {"gt": 1}},
                 {"type": "less_than", "loc": ("b",), "input": 5, "ctx": {"lt": 1}},
                 {"type": "bool_type", "loc": ("c",), "input": 1})
    got = [(p.problem_zh, p.problem_en) for p in sf._problems(F, exc, {})]
    assert got == [("标准文件内容无效：取值无效", "invalid standard: Input should be greater than 1"),
                   ("标准文件内容无效：取值无效", "invalid standard: Input should be less than 1"),
                   ("标准文件内容无效：应为 true 或 false", "invalid standard: must be true or false")]


# --------------------------------------------------------------- round 7: survivors of the first run


def test_one_nul_byte_in_a_long_file_is_still_refused_as_binary(tmp_path):
    # the shared decoder leaves a stray NUL (≤ 1 % of the head) to the cell checks of a table; a
    # standard file has no cells: one NUL anywhere refuses it here
    path = _file(tmp_path, b"id: x\n" + b"# comment line\n" * 20 + b"title: a\x00b\n")
    assert _refusal(sf._read_text, path) == _p(*BINARY, file=str(path))


def test_the_file_is_read_with_a_bound(tmp_path, monkeypatch):
    # at most MAX_FILE_BYTES + 1 bytes are read: enough to know the file is too large, never a
    # whole multi-gigabyte file into memory
    asked = []

    class Huge:
        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

        def read(self, n=-1):
            asked.append(n)
            assert n is not None and n >= 0, "an unbounded read"
            return b"#" * n

    monkeypatch.setattr(sf, "open", lambda *_a, **_k: Huge(), raising=False)
    p = _refusal(sf._read_text, tmp_path / "huge.yaml")
    assert p.code == "file_too_large" and asked and all(n <= 2 * sf.MAX_FILE_BYTES for n in asked)


def test_a_yaml_syntax_error_names_the_file():
    p = _refusal(sf._parse, F, "id: x\ntitle: t\n  short_title: y\n")
    assert (p.file, p.code, p.row) == (F, "yaml_syntax", 3)


def test_a_parser_that_runs_out_of_stack_is_refused_as_too_deep(monkeypatch):
    # the pure-Python parser (no libyaml) hits Python's recursion limit on absurd nesting
    def deep(*_a):
        raise RecursionError

    monkeypatch.setattr(sf, "_walk", deep)
    assert _refusal(sf._parse, F, "a: [[1]]\n") == _p("yaml_too_deep", "YAML 嵌套过深", "YAML nested too deeply")


def test_the_parser_is_disposed_of_after_success_and_after_a_refusal(monkeypatch):
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    disposed = []

    class Counting(base):
        def dispose(self):
            disposed.append(1)
            super().dispose()

    monkeypatch.setattr(yaml, "CSafeLoader", Counting, raising=False)
    assert sf._parse(F, "a: 1\n")[0] == {"a": 1}
    _refusal(sf._parse, F, "a: 1\na: 2\n")
    _refusal(sf._parse, F, "a: [1\n")
    assert disposed == [1, 1, 1]
