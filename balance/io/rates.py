"""Percentages as the clerk sees them (issue 12, trap 1).

A rate typed as "92 %" into a percent-formatted Excel cell is stored as 0.92; read as a number it
would be 0.92 % and the item would fail with "0.9 %, 要求 ≥ 85 %". Two defences:

* :func:`percent_cells_as_text`: cells formatted as percentages (found by
  :meth:`balance.io.workbook.Workbook.percent_cells`) are read as the text they show, ``"92%"``
  (stored value × 100, then a ``%``), which the county sheet's parser reads as 92 %;
* :func:`fraction_rate_columns`: a rate column (0–100) whose every value is at most
  ``thresholds.rate_fraction_max`` of ``messages.yaml`` (1.5), none written with ``%``, still looks
  like fractions (typed 0.92 in a plain cell, or a format the reader does not expose, as in .xlsb):
  one warning per column — shown on the console and in the briefing — replaces the per-cell ones.
"""
from __future__ import annotations

from balance.errors import Problem

#: codes of the warnings that say a rate looks like a fraction (console and briefing show them first)
FRACTION_CODES = ("rate_column_fraction", "rate_looks_like_fraction")


def _shown(v: float) -> str:
    x = round(float(v) * 100, 9)
    return str(int(x)) if x.is_integer() else repr(x)


def percent_cells_as_text(rows: list[list], cells) -> list[list]:
    """``rows`` with each numeric cell at ``cells`` (0-based row, column) replaced by the text it
    shows, ``0.92`` → ``"92%"``. Text, blank and boolean cells are left as they are."""
    for r, c in cells:
        if r < len(rows) and c < len(rows[r]):
            v = rows[r][c]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
                rows[r][c] = _shown(v) + "%"
    return rows


def fraction_limit() -> float:
    """``thresholds.rate_fraction_max`` of ``messages.yaml``: a rate column whose values are all at
    most this looks like fractions."""
    from balance.io.validation import messages

    return float(messages()["thresholds"].get("rate_fraction_max", 1.5))


def fraction_rate_columns(records: list[dict], columns: dict[str, tuple[str, bool]], *, file: str,
                          sheet: str | None) -> tuple[list[Problem], set[str]]:
    """One warning per rate column whose values all look like fractions.

    Parameters
    ----------
    records : list of dict
        Parsed rows (``source_row`` and one float per field, NaN when blank).
    columns : dict
        Field name → (the column's header, whether any of its cells was written with ``%``), for
        the rate fields (type ``rate``) the sheet has.

    Returns
    -------
    problems : list of Problem
        ``rate_column_fraction`` warnings.
    headers : set of str
        The column headers warned about (their per-cell ``rate_looks_like_fraction`` warnings are
        dropped by the caller).
    """
    from balance.io.validation import message

    limit = fraction_limit()
    out, flagged = [], set()
    for name, (header, percent) in columns.items():
        vals = [(r["source_row"], r.get(name)) for r in records]
        vals = [(row, v) for row, v in vals if v is not None and v == v]
        if percent or not vals or not any(v > 0 for _, v in vals) or any(v > limit for _, v in vals):
            continue
        shown = "、".join(f"{v:g}" for _, v in vals[:5]) + ("…" if len(vals) > 5 else "")
        example = max(v for _, v in vals)
        zh, en = message("rate_column_fraction", "warning", header=header, limit=f"{limit:g}", values=shown,
                         values_en=shown.replace("、", ", "), example=f"{example:g}", example_pct=_shown(example))
        out.append(Problem(file=file, sheet=sheet, row=vals[0][0], column=header, value=shown, problem_zh=zh,
                           problem_en=en, severity="warning", code="rate_column_fraction"))
        flagged.add(header)
    return out, flagged


def fraction_warnings(problems) -> list[Problem]:
    """The warnings among ``problems`` that say a rate looks like a fraction."""
    return [p for p in problems if getattr(p, "code", None) in FRACTION_CODES]
