"""One county × year × stage × indicator of the water-filling heuristic, and its CV and rounding helpers.

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from balance.method import official
from balance.method.dispersion import pupil_weighted_cv

# ------------------------------------------------------------------------------------ CV helpers

def _cv(P: np.ndarray, y: np.ndarray) -> float:
    """Pupil-weighted CV (method.md §4) by the one kernel; +inf when the mean is not positive
    (undefined counts as failing)."""
    cv = pupil_weighted_cv(y, P)
    return cv if cv >= 0 else math.inf


def _round_units(u: np.ndarray, whole: bool, step: float) -> np.ndarray:
    """Round additions up to whole units / to ``step`` (tolerant of binary representation)."""
    u = np.maximum(np.asarray(u, dtype="float64"), 0.0)
    if whole:
        return np.ceil(u - 1e-9 * np.maximum(1.0, u))
    if step > 0:
        q = u / step
        return np.ceil(q - 1e-9 * np.maximum(1.0, q)) * step
    return u


@dataclass
class _Group:
    """One county × year × stage × indicator: the sections and what a unit added does."""

    stage: str
    k: int                    # indicator position in the standard
    indicator: str
    field: str
    rows: np.ndarray          # row of the school in the county table
    columns: list             # the table column each section's units go to
    P: np.ndarray
    x: np.ndarray
    g: np.ndarray             # value gained per school-level unit
    cost: float               # 元 per school-level unit
    whole: bool
    step: float
    s: float                  # standard (NaN if none)
    target: float | None      # CV target (limit − margin) or None

    def units_to(self, b: np.ndarray) -> np.ndarray:
        """Least school-level units lifting every section to its bound ``b``."""
        need = np.where(official.at_least(self.x, b), 0.0, (b - self.x) / self.g)
        u = _round_units(need, self.whole, self.step)
        for _ in range(3):  # paranoia about representation: verify with the official comparison
            bad = ~official.at_least(self.x + u * self.g, b)
            if not bad.any():
                break
            u[bad] += 1.0 if self.whole else max(self.step, 1e-9 * np.max(np.abs(u[bad]) + 1))
        return u
