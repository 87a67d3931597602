"""Writing an evaluation: ``evaluation.json`` and ``evaluation.xlsx`` (a contract, see README; the workbook's
sheets and style are in :mod:`balance.io.export.evaluation`)."""
from __future__ import annotations

from pathlib import Path

from balance import __version__
from balance.io.files import json_scalar as _jsonable  # noqa: F401 - its old name, used by evaluation

__all__ = ["write_evaluation"]


def write_evaluation(ev, out_dir: str | Path) -> list[Path]:
    """Write ``evaluation.json`` and ``evaluation.xlsx`` of an :class:`~balance.method.evaluation.Evaluation`
    into ``out_dir``, atomically (both or neither)."""
    from balance.io.files import json_text, staged_files

    with staged_files(out_dir) as s:
        payload = {
            "generator": f"balance {__version__}", "standard": ev.standard.id, "standard_title": ev.standard.title,
            "source": ev.assessment.source, "sha256": ev.assessment.sha256,
            "county_sheet": None if ev.sheet is None else ev.sheet.path,
            "county_sheet_sha256": None if ev.sheet is None else ev.sheet.sha256,
            "counties": ev.records(),
        }
        s.stage("evaluation.json").write_text(json_text(payload), encoding="utf-8")
        _write_workbook(ev, s.stage("evaluation.xlsx"))
    return s.final


def _write_workbook(ev, path: Path) -> None:
    """``evaluation.xlsx`` in the house style: see :mod:`balance.io.export.evaluation`."""
    from balance.io.export.evaluation import write_evaluation_workbook

    write_evaluation_workbook(ev, path)
