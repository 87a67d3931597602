"""The parameters a run hands its notebook: those it declares, and the values papermill injects.

:func:`check_notebook_parameters` refuses a params key the notebook does not declare in its
``parameters`` cell (papermill would only warn); :func:`notebook_parameters` turns a valid
:class:`balance.running.params.RunParams` (``params``) into the plain values papermill injects.
Moved out of :mod:`balance.running.params`, which re-exports every name.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from balance.errors import InputError
from balance.running.params_file import _SUMMARY, _problem

__all__ = ["declared_parameters", "check_notebook_parameters", "notebook_parameters"]


def declared_parameters(notebook: str | Path) -> dict[str, dict]:
    """Parameters declared in the notebook's ``parameters``-tagged cell (papermill's inspection)."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def check_notebook_parameters(params, declared: dict | set | list, notebook: str | Path = "") -> None:
    """Every key written in the params file (except ``notebook``) must be a declared parameter.

    papermill only logs a warning for unknown parameters and then injects them anyway; here an
    undeclared key is an error (it is a typo or a file meant for another notebook).
    """
    declared = set(declared)
    if not declared:
        raise InputError([_problem(params.source or "", f"笔记本 {Path(notebook).name or params.notebook} 没有带 parameters 标签的参数单元格",
                                   f"notebook {Path(notebook).name or params.notebook} has no cell tagged 'parameters'",
                                   code="no_parameters_cell", column="notebook", value=params.notebook)], *_SUMMARY)
    extra = sorted(params.given_keys() - {"notebook"} - declared)
    if extra:
        raise InputError([_problem(params.source or "", f"参数“{k}”不是笔记本 {params.notebook} 声明的参数（已声明：{', '.join(sorted(declared))}）",
                                   f"key '{k}' is not a parameter of notebook {params.notebook} (declared: {', '.join(sorted(declared))})",
                                   code="undeclared_key", column=k) for k in extra], *_SUMMARY)


def notebook_parameters(params, output_dir: str | Path, declared: dict | set | list | None = None) -> dict:
    """The values papermill injects: plain str/int, ``data`` and ``output_dir`` absolute.

    Keys left out of the params file are not passed (the notebook's defaults apply), except
    ``standard`` (always passed when declared, so the notebook and the runner agree) and
    ``output_dir`` (passed when declared, or always when ``declared`` is ``None``).
    """
    out: dict[str, Any] = {"data": str(Path(params.data).resolve())}
    for key in ("county_code", "year", "title", "previous_year", "sheet", "target_year", "county_briefings"):
        if key in params.given_keys() and getattr(params, key) is not None:
            out[key] = getattr(params, key)
    if params.county_sheet is not None:
        out["county_sheet"] = str(params.county_sheet)
    if params.previous_ledger is not None:
        out["previous_ledger"] = str(params.previous_ledger)
    if "standard" in params.given_keys() or (declared is not None and "standard" in declared):
        out["standard"] = params.standard
    if declared is None or "output_dir" in declared:
        out["output_dir"] = str(Path(output_dir).resolve())
    if declared is not None:
        out = {k: v for k, v in out.items() if k in declared or k in params.given_keys()}
    return out
