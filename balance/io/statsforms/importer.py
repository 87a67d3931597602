"""Importing a folder of school statistics workbooks into the school table (``balance import-stats``).

:func:`import_statistics` reads every workbook (one per school), refuses the whole import when one
of them cannot be used at all (not a statistics workbook, another year or form generation, a
kindergarten or senior high school, a school code twice — every such problem listed at once), and
otherwise returns an :class:`ImportResult`: the complete schools as a school table (canonical
columns, checked by the package's own validation), the incomplete ones with what is missing, the
provenance of every value, and the notes of the run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from balance.errors import InputError, Problem
from balance.io.statsforms.extract import Missing, SchoolImport, read_workbook
from balance.io.statsforms.forms import Refused
from balance.io.statsforms.mapping import Mapping, all_mappings, load_mapping, mapping_files, message
from balance.schema import COLUMNS, HEADERS

WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".xlsm")
REFUSAL = ("无法导入统计报表", "cannot import the statistics workbooks")
#: Columns of the imported table: every required column of columns.yaml, then 乡镇.
TABLE_COLUMNS = [c["name"] for c in COLUMNS if c.get("required")] + ["township"]


@dataclass
class ImportResult:
    """What :func:`import_statistics` read."""

    year: int
    schools: list[SchoolImport]
    mappings: list[Mapping]
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> list[SchoolImport]:
        return [s for s in self.schools if s.complete]

    @property
    def incomplete(self) -> list[SchoolImport]:
        return [s for s in self.schools if not s.complete]

    def table(self) -> pd.DataFrame:
        """The complete schools, canonical column names, in input order."""
        rows = [{c: s.values.get(c) for c in TABLE_COLUMNS} for s in self.complete]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def provenance(self) -> pd.DataFrame:
        cols = ["school_code", "school_name", "workbook", "column", "value", "term", "op", "sheet", "cell", "row_code",
                "row_label", "col_number", "col_header", "raw", "unit", "factor", "note"]
        rows = [r for s in self.schools for r in s.provenance]
        return pd.DataFrame(rows, columns=cols)


def _refusal(file: str, code: str, /, **kw) -> Problem:
    zh, en = message(code, **kw)
    return Problem(file=file, code=code, problem_zh=zh, problem_en=en)


def find_workbooks(inputs: list[str]) -> tuple[list[tuple[Path, str, bool]], list[Problem]]:
    """The workbooks named by ``inputs`` (files, or folders: their .xlsx / .xls / .xlsm files, not
    hidden, not Excel's ``~$`` lock files), sorted by name within a folder, each once, as
    ``(path, name for messages, found in a folder)``."""
    found, problems, seen = [], [], set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in WORKBOOK_SUFFIXES
                           and not q.name.startswith((".", "~$")))
            if not files:
                problems.append(_refusal(str(item), "no_workbooks"))
            for q in files:
                key = q.resolve()
                if key not in seen:
                    seen.add(key)
                    found.append((q, str(q), True))
        elif p.exists():
            if p.suffix.lower() not in WORKBOOK_SUFFIXES:
                problems.append(_refusal(str(item), "bad_suffix", suffix=p.suffix or "(无 / none)"))
                continue
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                found.append((p, str(item), False))
        else:
            problems.append(_refusal(str(item), "not_found"))
    return found, problems


def resolve_forms(forms: str) -> Mapping | None:
    """``auto`` → None; a generation name or a mapping file → its :class:`Mapping` (refusal otherwise)."""
    if forms in (None, "", "auto"):
        return None
    try:
        return load_mapping(forms)
    except KeyError:
        raise InputError([_refusal("--forms", "unknown_forms", known="、".join(mapping_files()), value=forms)],
                         *REFUSAL) from None
    except Exception as e:  # noqa: BLE001 - a user's mapping file: pydantic / YAML errors
        text = " ".join(str(e).split())[:400]
        raise InputError([_refusal(str(forms), "bad_mapping", reason=text)], *REFUSAL) from None


def import_statistics(inputs: list[str], year: int, forms: str = "auto", *, limits=None) -> ImportResult:
    """Read the workbooks of ``inputs`` for statistical ``year`` (see the module docstring).

    Parameters
    ----------
    inputs : list of str
        Workbook files and/or folders of workbooks (one workbook per school).
    year : int
        The statistical year (``--year``): a workbook stating another year is refused, and so is a
        generation of forms that does not cover it (the old 基础基 forms end with 2020).
    forms : str
        ``auto`` (recognise the generation from the sheet names), ``2018``, ``2021`` or a mapping
        YAML file.
    limits : dict, optional
        Reading limits (see :func:`balance.io.workbook.read_limits`).

    Raises
    ------
    InputError
        When any workbook is refused (every refusal listed); nothing is imported then.
    """
    wanted = resolve_forms(forms)
    mappings = all_mappings()
    if wanted is not None and wanted.source not in {m.source for m in mappings}:
        mappings = mappings + [wanted]
    files, problems = find_workbooks(inputs)
    if not files and not problems:
        problems.append(_refusal(" ".join(inputs), "no_workbooks"))
    schools: list[SchoolImport] = []
    skipped: list[tuple[str, str]] = []
    for path, file, in_folder in files:
        try:
            schools.append(read_workbook(path, file, year, mappings, wanted, limits=limits))
        except Refused as e:
            if e.code == "school_table_not_forms" and in_folder:  # e.g. the output of an earlier import
                zh, en = message("skipped_school_table", file=file)
                skipped.append((zh, en))
                continue
            problems.append(_refusal(file, e.code, **e.kw))
        except InputError as e:
            problems.extend(e.errors)
    by_code: dict[str, list[str]] = {}
    for s in schools:
        if s.school_code:
            by_code.setdefault(s.school_code, []).append(s.file)
    for code, names in by_code.items():
        if len(names) > 1:
            problems.append(_refusal(names[0], "duplicate_school", school_code=code, files="、".join(names)))
    if problems:
        raise InputError(problems, *REFUSAL)
    used = {s.mapping_source for s in schools}
    if not schools and skipped:
        raise InputError([_refusal(" ".join(inputs), "no_workbooks")], *REFUSAL)
    result = ImportResult(year=year, schools=schools, mappings=[m for m in mappings if m.source in used])
    result.notes.extend(skipped)
    for s in schools:
        result.notes.extend(s.notes)
    _validate(result)
    return result


def _validate(result: ImportResult) -> None:
    """Run the package's own checks on the complete schools; a school with an error moves to the
    incomplete list with the check's message (the written table always passes ``balance validate``)."""
    from balance.io.reading import load_school_table

    complete = result.complete
    if not complete:
        return
    df = result.table().rename(columns=HEADERS)
    try:
        t = load_school_table(df)
        warnings = t.warnings
    except InputError as e:
        warnings = []
        for p in e.errors:
            if p.row is None or not 2 <= p.row < 2 + len(complete):
                continue
            school = complete[p.row - 2]
            school.missing.append(Missing(p.column or "", p.code or "invalid", f"数据检查未通过：{p.problem_zh}",
                                          f"check failed: {p.problem_en}"))
        warnings = [p for p in e.problems if p.severity == "warning"]
    for p in warnings:
        if p.row is not None and 2 <= p.row < 2 + len(complete):
            s = complete[p.row - 2]
            result.notes.append((f"{s.school_name}：{p.column or ''} {p.problem_zh}",
                                 f"{s.school_name}: {p.column or ''} {p.problem_en}"))
