"""The data model the readers return: :class:`SchoolTable` (a validated school table)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from balance.errors import Problem


@dataclass
class SchoolTable:
    """A validated school table.

    Attributes
    ----------
    data : DataFrame
        One row per school and year; every canonical column of ``columns.yaml`` in order (the
        optional ``township`` is NA when the file has no such column) plus ``source_row``, the row
        number the user sees in Excel or a text editor.
    path : str
        The file path, or ``"<DataFrame>"``.
    sha256 : str or None
        Hex SHA-256 of the file's bytes (``None`` for a DataFrame).
    warnings : list of Problem
        Warnings (``severity="warning"``) about the table; they do not stop the run.
    header_map : dict
        The user's original header text -> canonical column name, for every recognised column.
    sheet : str or None
        The worksheet read (Excel / ODS only).
    """

    data: pd.DataFrame
    path: str
    sha256: str | None
    warnings: list[Problem] = field(default_factory=list)
    header_map: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
