"""A run's input problems as text: one line for the manifest and the index, a table for the
console (file / sheet / row / column / value, then Chinese / English), and the problems a kernel
wrote to its problems file. Used by the worker and by the batch's planning."""
from __future__ import annotations

from pathlib import Path

from balance.errors import Problem, render_problems
from balance.running.manifest import _one_line
from balance.running.outdir import printable

#: Problems of a run that failed on bad input: shown on the console (a table) and in the
#: manifest's ``error`` and the index (one line), the first few, then a count.
CONSOLE_PROBLEMS = 5

MANIFEST_PROBLEMS = 3


def _clip(s: str, n: int) -> str:
    s = _one_line(s, 10_000)
    return s if len(s) <= n else s[: n - 1] + "…"


def problem_text(p: Problem) -> str:
    """One problem on one line: where (file, sheet, row, column, value), then Chinese / English."""
    where = []
    if p.file:
        where.append(Path(str(p.file)).name)
    if p.sheet:
        where.append(f"工作表/sheet {p.sheet}")
    if p.row is not None:
        where.append(f"第 {p.row} 行/row {p.row}")
    if p.column:
        where.append(f"列/column {p.column}")
    if p.value not in (None, ""):
        where.append(f"值/value “{_clip(str(p.value), 40)}”")
    head = ", ".join(where)
    return f"{head}: {_clip(p.problem_zh, 200)} / {_clip(p.problem_en, 200)}" if head else \
        f"{_clip(p.problem_zh, 200)} / {_clip(p.problem_en, 200)}"


def problems_line(prefix: str, problems: list[Problem], limit: int = MANIFEST_PROBLEMS) -> str:
    """``prefix: problem; problem; problem; … N more`` (one line, for the manifest and index)."""
    errors = [p for p in problems if p.severity == "error"] or list(problems)
    parts = [problem_text(p) for p in errors[:limit]]
    if len(errors) > limit:
        parts.append(f"… 另有 {len(errors) - limit} 个问题 / {len(errors) - limit} more")
    return _one_line(f"{prefix}: " + "; ".join(parts), 4000) if parts else _one_line(prefix, 4000)


def problems_table(prefix: str, problems: list[Problem], limit: int = CONSOLE_PROBLEMS) -> str:
    """The console form: a summary line and the problem table (file / row / column / value /
    problem in Chinese and English), the first ``limit`` problems, then a count."""
    errors = [p for p in problems if p.severity == "error"] or list(problems)
    return printable(_one_line(prefix, 1000)) + "\n" + "\n".join(
        printable(line) for line in render_problems(errors, limit=limit).splitlines())


def _read_problems(path: Path | None) -> list[Problem]:
    """Problems the kernel wrote (``InputError._render_traceback_``) to ``BALANCE_PROBLEMS_FILE``."""
    import json
    from dataclasses import fields as _fields

    if path is None:
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8") or "[]")
    except (OSError, ValueError):
        return []
    names = {f.name for f in _fields(Problem)}
    out = []
    for d in raw if isinstance(raw, list) else []:
        if isinstance(d, dict) and "problem_zh" in d and "problem_en" in d:
            out.append(Problem(**{k: d.get(k) for k in names if k in d}))
    return out
