"""Reading a standard file safely: size and encoding checks, YAML parsed with the line of every
key, duplicate keys and alias bombs refused, pydantic errors turned into bilingual problems.

Moved unchanged from :mod:`balance.method.standards` (which re-exports the names it used), so the
model of a standard and the reading of its file each have one module.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from balance._resources import DATA_DIR
from balance.errors import InputError, Problem

MESSAGES_FILE = DATA_DIR / "messages_cli.yaml"
#: A standard file is a few KB; anything larger is not a standard.
MAX_FILE_BYTES = 1 << 20
#: YAML nodes after expanding aliases (``&a`` / ``*a``): refuses "billion laughs" files.
MAX_NODES = 100_000
MAX_DEPTH = 40
SUMMARY = ("评估标准有误", "invalid standard")


def _refuse(file: str, code: str, zh: str, en: str, row: int | None = None) -> None:
    raise InputError([Problem(file=file, row=row, code=code, problem_zh=zh, problem_en=en)], *SUMMARY)


@lru_cache(maxsize=1)
def _all_messages() -> dict:
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def _messages() -> dict:
    return _all_messages()["standard"]


def _read_text(path: Path) -> str:
    """The file's text through the project's one decoder (UTF-8 / BOM, then GB18030)."""
    from balance.io.headers import decode_text

    file = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        _refuse(file, "unreadable", f"无法读取标准文件：{exc.strerror or exc}",
                f"cannot read the standard file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        _refuse(file, "file_too_large", f"文件过大（超过 {MAX_FILE_BYTES // 1024} KB），不像是评估标准文件",
                f"file too large (over {MAX_FILE_BYTES // 1024} KB) for a standard file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(file, "encoding", "文件是 UTF-16 编码，请另存为 UTF-8", "the file is UTF-16; save it as UTF-8")
    if b"\x00" in data:
        _refuse(file, "binary", "不是文本文件（可能是 Excel 或其他二进制文件）；评估标准应为 YAML 文本文件",
                "not a text file (an Excel workbook or other binary file?); a standard is a YAML text file")
    try:
        return decode_text(data, file, SUMMARY)
    except InputError as exc:
        if any(p.code == "not_text" for p in exc.problems):
            _refuse(file, "binary", "不是文本文件（可能是 Excel 或其他二进制文件）；评估标准应为 YAML 文本文件",
                    "not a text file (an Excel workbook or other binary file?); a standard is a YAML text file")
        _refuse(file, "encoding", "无法识别文本编码（已尝试 UTF-8 与 GB18030），请另存为 UTF-8",
                "cannot decode the text (tried UTF-8 and GB18030); save the file as UTF-8")


def _yaml_error(file: str, exc: yaml.YAMLError) -> None:
    """Refuse a file PyYAML cannot parse, at the line the user has to fix.

    PyYAML notices an unclosed bracket or quote only where the file goes on wrongly; its
    ``context_mark`` is where the construct began, which is the line to fix (for every other
    error, e.g. indentation, a tab, a second document, the ``problem_mark`` is).
    """
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if isinstance(exc, yaml.reader.ReaderError):
        problem = f"unacceptable character #x{exc.character:04x}" if isinstance(exc.character, int) else problem
    pm, cm = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    use_context = cm is not None and any(w in str(context or "") for w in ("flow", "quoted scalar"))
    mark = cm if use_context else pm
    row = mark.line + 1 if mark is not None else None
    detail = f"{context}, {problem}" if context else str(problem)
    hint = next(m["zh"] for m in _all_messages()["yaml"] if m["match"] in detail)
    if use_context and pm is not None and pm.line != cm.line:
        zh_more, en_more = f"（第 {cm.line + 1} 行开始，至第 {pm.line + 1} 行仍未结束）", \
            f" (begins on line {cm.line + 1}, still open on line {pm.line + 1})"
    else:
        zh_more, en_more = "", ""
    _refuse(file, "yaml_syntax", f"YAML 格式错误{zh_more}：{hint}", f"YAML syntax error{en_more}: {detail}", row=row)


def _parse(file: str, text: str) -> tuple[Any, dict[tuple, int]]:
    """YAML text → (data, line of every key path). Refuses duplicate keys and alias bombs."""
    loader = None
    try:
        # libyaml when present: fast, and it refuses absurd nesting itself (the pure-Python parser
        # takes seconds to hit the recursion limit)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[tuple, int] = {}
        _walk(file, node, (), lines, set(), [0], 0, loader)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        _yaml_error(file, exc)
    except RecursionError:
        _refuse(file, "yaml_too_deep", "YAML 嵌套过深", "YAML nested too deeply")
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines


def _walk(file, node, path, lines, stack, count, depth, loader) -> None:
    count[0] += 1
    if count[0] > MAX_NODES or depth > MAX_DEPTH:
        _refuse(file, "yaml_too_large", f"YAML 结构过大或嵌套过深（别名 & / * 展开后超过 {MAX_NODES} 项或 {MAX_DEPTH} 层）",
                f"YAML structure too large or too deep (over {MAX_NODES} nodes or {MAX_DEPTH} levels after expanding "
                "aliases & / *)", row=node.start_mark.line + 1)
    if id(node) in stack:
        _refuse(file, "yaml_recursive", "YAML 别名引用了自身（循环）", "a YAML alias refers to itself (a cycle)",
                row=node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        stack.add(id(node))
        seen: dict[Any, int] = {}
        for k, v in node.value:
            key = loader.construct_object(k, deep=True) if isinstance(k, yaml.ScalarNode) else k.start_mark.line
            try:
                hash(key)
            except TypeError:
                key = str(key)
            if key in seen:
                _refuse(file, "yaml_duplicate_key",
                        f"键「{key}」重复（第 {seen[key]} 行与第 {k.start_mark.line + 1} 行）；重复的键会被静默覆盖",
                        f"key {key!r} appears twice (lines {seen[key]} and {k.start_mark.line + 1}); a repeated key "
                        "would silently replace the first", row=k.start_mark.line + 1)
            seen[key] = k.start_mark.line + 1
            lines[(*path, key)] = k.start_mark.line + 1
            _walk(file, v, (*path, key), lines, stack, count, depth + 1, loader)
        stack.discard(id(node))
    elif isinstance(node, yaml.SequenceNode):
        stack.add(id(node))
        for i, v in enumerate(node.value):
            _walk(file, v, (*path, i), lines, stack, count, depth + 1, loader)
        stack.discard(id(node))


def _line(lines: dict[tuple, int], loc: tuple) -> int | None:
    """The line of the longest prefix of ``loc`` that is in the file (a missing key: its parent)."""
    loc = tuple(x for x in loc if x != "[key]")
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _value(x: Any) -> str | None:
    return None if isinstance(x, (dict, list)) or x is None else str(x)


def _problems(file: str, exc: ValidationError, lines: dict[tuple, int]) -> list[Problem]:
    msgs = _messages()
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "standard_rule":
            items = [((*loc, *rel), zh, en, value) for rel, zh, en, value in err["ctx"]["problems"]]
        else:
            t = msgs.get(err["type"], msgs["default"])
            ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in (err.get("ctx") or {}).items()}
            try:
                zh, en = t["zh"].format(**ctx), t["en"].format(**ctx)
            except (KeyError, IndexError):
                zh, en = msgs["default"]["zh"], err["msg"]
            if t is msgs["default"]:
                en = err["msg"]
            items = [(loc, zh, en, err.get("input"))]
        for path, zh, en, value in items:
            out.append(Problem(file=file, row=_line(lines, path), column=".".join(str(x) for x in path) or None,
                               value=_value(value), code="standard_invalid",
                               problem_zh=f"标准文件内容无效：{zh}", problem_en=f"invalid standard: {en}"))
    return out
