"""Teacher rotation (交流轮岗) in the water-filling heuristic: who may give, and the greedy moves.

Moved unchanged from :mod:`balance.analysis.planner.planning` (which still re-exports every name).
"""
from __future__ import annotations

import math

import numpy as np

from balance.analysis.planner.groups import _cv, _Group
from balance.method import official
from balance.schema import STAGE_COLUMNS


def _solve_transfers(grp: _Group, b: np.ndarray, slack: np.ndarray, tcost: float):
    """Hire or move whole teachers: bounds first (moves from the highest donors), then the CV.

    Returns (hires per section, moves {(donor, recipient): units}, cost).
    """
    P, g, x = grp.P, grp.g, grp.x
    n = len(x)
    y = x.copy()
    hire = np.zeros(n)
    tin = np.zeros(n)
    tout = np.zeros(n)
    moves: dict = {}
    need = grp.units_to(b).astype(int)
    receiver = need > 0
    tc = max(tcost, 1e-9)

    def donor_ok():
        return (~receiver) & (tin == 0) & (hire == 0) & (tout < slack) & official.at_least(y - g, b)

    def move(d, r):
        y[d] -= g[d]
        y[r] += g[r]
        tout[d] += 1
        tin[r] += 1
        moves[(d, r)] = moves.get((d, r), 0) + 1

    for r in np.argsort(y, kind="stable"):
        for _ in range(int(need[r])):
            ok = donor_ok()
            ok[r] = False
            if ok.any() and tcost < grp.cost:
                d = int(np.argmax(np.where(ok, y, -np.inf)))
                move(d, r)
            else:
                hire[r] += 1
                y[r] += g[r]
    if grp.target is not None:
        Ptot = P.sum()
        guard = 0
        while _cv(P, y) > grp.target and guard < 200_000:
            guard += 1
            S1, S2 = float((P * y).sum()), float((P * y * y).sum())
            cv2 = S2 * Ptot / (S1 * S1) - 1 if S1 > 0 else math.inf
            mass = P * g
            s1 = S1 + mass
            s2 = S2 + P * (2 * y * g + g * g)
            ok_r = tout == 0
            cand = np.where(ok_r, s2 / (s1 * s1), np.inf)
            r = int(np.argmin(cand))
            gain_h = (cv2 - (cand[r] * Ptot - 1)) / grp.cost if grp.cost > 0 else math.inf
            ok = donor_ok()
            gain_t, d = -math.inf, -1
            if ok.any():
                d = int(np.argmax(np.where(ok, y, -np.inf)))
                cand_t = np.where(ok_r & (np.arange(n) != d), cand, np.inf)
                r_t = int(np.argmin(cand_t))
                if np.isfinite(cand_t[r_t]):
                    t1 = S1 + mass[r_t] - mass[d]
                    t2 = S2 + P[r_t] * (2 * y[r_t] * g[r_t] + g[r_t] ** 2) - P[d] * (2 * y[d] * g[d] - g[d] ** 2)
                    cv2_t = t2 * Ptot / (t1 * t1) - 1 if t1 > 0 else math.inf
                    gain_t = (cv2 - cv2_t) / tc
            if gain_t > 0 and gain_t >= gain_h:
                move(d, r_t)
            else:
                hire[r] += 1
                y[r] += g[r]
    cost = float(hire.sum() * grp.cost + sum(moves.values()) * tcost)
    return hire, moves, cost


def _transfer_slack(df, rows, stage, fld, delta) -> np.ndarray:
    """How many teachers of type ``fld`` each section may give while its total stays ≥ every subset."""
    cols = STAGE_COLUMNS[stage]
    cur = lambda c: np.array([df.at[r, c] + delta.get((r, c), 0) for r in rows], dtype="float64")  # noqa: E731
    total = cur(cols["teachers"])
    others = [cur(cols[f]) for f in ("qualified_teachers", "backbone_teachers", "pe_art_teachers", "titled_teachers")
              if f != fld]
    return np.floor(total - np.max(others, axis=0) + 1e-9).clip(min=0)
