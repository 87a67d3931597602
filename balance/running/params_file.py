"""Reading a params file's text, before its keys are validated: the file's size and encoding, YAML
read strictly (a key written twice is an error), a YAML error as a problem with its line in
Chinese and English, and the line of each top-level key (for messages). Used by
:mod:`balance.running.params`."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from balance.errors import InputError, Problem

#: The summary line of every params-file error.
_SUMMARY = ("运行参数有误", "invalid run parameters")


def _problem(file, zh, en, *, code, column=None, value=None, row=None) -> Problem:
    return Problem(file=str(file), problem_zh=zh, problem_en=en, code=code, column=column,
                   value=None if value is None else str(value), row=row)


#: A params file is a few lines; anything larger is not one.
MAX_PARAMS_BYTES = 1 << 20


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key written twice (YAML would silently keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=deep)
                hash(key)
            except (TypeError, yaml.YAMLError):
                continue  # the base class reports unhashable keys
            if key in seen:
                raise _DuplicateKey(
                    f"key '{key}' first written on line {seen[key] + 1}", None,
                    f"duplicate key '{key}'", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


#: Chinese for the YAML parser's usual complaints (English stays as PyYAML says it).
_YAML_ZH = [
    ("duplicate key", "参数写了两次"),
    ("while scanning a quoted scalar", "引号未闭合（从这一行开始的引号到文件末尾都没有结束）"),
    ("could not find expected ':'", "缺少冒号“:”（应写成“键: 值”）"),
    ("mapping values are not allowed here", "此处不能出现“键: 值”：缩进有误，或值中含“: ”（请给值加引号）"),
    ("found character '\\t'", "含制表符（Tab）：请用空格缩进"),
    ("while parsing a flow sequence", "方括号 [ 未闭合"),
    ("while parsing a flow mapping", "花括号 { 未闭合"),
    ("found undefined alias", "以 * 开头的值会被当作别名：请给值加引号"),
    ("cannot start any token", "以 @ 或 ` 开头的值请加引号"),
    ("while parsing a block mapping", "缩进不一致"),
]


def _yaml_problem(fname: str, text: str, exc: yaml.YAMLError) -> Problem:
    """The YAML error at the line where the faulty construct begins (1-based).

    PyYAML's ``problem_mark`` is where the parser gave up, which for an unclosed quote is the end
    of the file and for a missing colon the line after; its ``context_mark`` (when there is one)
    is where the quote, key or bracket began, i.e. the line to fix. The line is clamped to the
    file's last line.
    """
    problem = getattr(exc, "problem", None) or ""
    context = getattr(exc, "context", None) or ""
    pm, cm = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    mark = cm if isinstance(exc, yaml.MarkedYAMLError) and cm is not None and not isinstance(exc, _DuplicateKey) else pm
    lines = text.splitlines()
    line = None
    if mark is not None:
        line = min(mark.line + 1, max(len(lines), 1))
        while line > 1 and line <= len(lines) and not lines[line - 1].strip():
            line -= 1  # an error "at the end" belongs to the last line with text
    what_en = "; ".join(x for x in (context, problem) if x) or str(exc).splitlines()[0]
    if isinstance(exc, _DuplicateKey):
        what_en = f"{problem} ({context})"
    both = f"{context} {problem}"
    zh = next((z for k, z in _YAML_ZH if k in both), "格式不符合 YAML")
    if isinstance(exc, _DuplicateKey):
        first = context.rsplit(" ", 1)[-1]
        zh = f"参数写了两次（第一次在第 {first} 行）"
    where_zh = f"第 {line} 行" if line else "位置不明"
    where_en = f"line {line}" if line else "unknown line"
    value = lines[line - 1].strip()[:80] if line and line <= len(lines) else None
    return _problem(fname, f"YAML 格式错误（{where_zh}）：{zh}", f"YAML syntax error ({where_en}): {what_en}",
                    code="yaml_syntax", row=line, value=value)


def read_mapping(path: Path, summary: tuple[str, str]) -> tuple[dict, str]:
    """The params file's top-level mapping and its text. :class:`InputError` (with ``summary``)
    when the file is missing, too large, unreadable, not UTF-8, not YAML or not a mapping."""
    fname = str(path)
    if not path.is_file():
        raise InputError([_problem(fname, "找不到参数文件", "params file not found", code="params_not_found")], *summary)
    try:
        size = path.stat().st_size
        if size > MAX_PARAMS_BYTES:
            raise InputError([_problem(fname, f"参数文件过大（{size:,} 字节，最多 {MAX_PARAMS_BYTES:,} 字节）：它应只有几行",
                                       f"params file too large ({size:,} bytes, at most {MAX_PARAMS_BYTES:,}): it "
                                       f"should be a few lines", code="params_too_large")], *summary)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([_problem(fname, f"无法读取参数文件：{exc.strerror or exc}",
                                   f"cannot read the params file: {exc.strerror or exc}", code="params_unreadable")],
                         *summary) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError([_problem(fname, f"参数文件不是 UTF-8 编码（第 {line} 行，第 {exc.start} 字节）；请用 UTF-8 保存",
                                   f"params file is not UTF-8 (line {line}, byte {exc.start}); save it as UTF-8",
                                   code="params_encoding", row=line)],
                         *summary) from None
    text = text.removeprefix("\ufeff")
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InputError([_yaml_problem(fname, text, exc)], *summary) from None
    except RecursionError:
        raise InputError([_problem(fname, "参数文件嵌套过深（括号层数过多）", "params file nested too deeply (too many "
                                   "brackets)", code="yaml_syntax")], *summary) from None
    if not isinstance(raw, dict):
        raise InputError([_problem(fname, "参数文件应为“键: 值”映射", "a params file must be a mapping of key: value",
                                   code="yaml_not_mapping")], *summary)
    return raw, text


def _msg_zh(err: dict) -> str:
    t = err["type"]
    return {
        "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
        "string_type": "应为文本", "path_type": "应为文件路径", "greater_than_equal": "数值过小",
        "less_than_equal": "数值过大", "string_pattern_mismatch": "格式不符", "value_error": "取值无效",
    }.get(t, err["msg"])


def _key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each top-level key, for messages."""
    out: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m and m.group(1) not in out:
            out[m.group(1)] = i
    return out
