"""Which sections a standard assesses (method.md §2).

* quality-2017: all compulsory schools, public and private, except 特殊教育学校 and 教学点 with
  fewer than 50 pupils.
* basic-2012: public schools only, no 教学点, no 特殊教育学校.

The rules are data (``scope.exclude`` in the standard's YAML); each rule is a conjunction of
conditions (``school_type`` in a list, ``ownership`` in a list, ``urban_rural`` in a list,
``students_below`` n = the section has fewer than n pupils). Excluded sections are kept and
listed with every matching reason, never dropped silently.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance._fast import text_from_codes
from balance.method.standards import Standard

__all__ = ["apply_scope"]


def apply_scope(sections: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Add ``in_scope`` (bool) and ``exclusion_reason`` (str, "" when in scope) to ``sections``.

    Returns a new DataFrame; when several rules match, their reasons are joined with "；".
    """
    out = sections.copy(deep=False)  # copy-on-write: the caller's frame is never modified
    n = len(out)
    # which rules match each section, as bits: the few distinct combinations get their text once
    bits = np.zeros(n, dtype="int64")
    rules = standard.scope.exclude
    for k, rule in enumerate(rules):
        mask = np.ones(n, dtype=bool)
        for key, cond in rule.when.items():
            if key == "students_below":
                mask &= out["students"].to_numpy() < float(cond)
            else:
                allowed = cond if isinstance(cond, list) else [cond]
                mask &= out[key].isin(allowed).to_numpy()
        bits |= mask.astype("int64") << k
    combos, codes = np.unique(bits, return_inverse=True)
    labels = ["；".join(r.reason for k, r in enumerate(rules) if (int(c) >> k) & 1) for c in combos]
    out["in_scope"] = bits == 0
    out["exclusion_reason"] = text_from_codes(codes.reshape(-1), labels).set_axis(out.index)
    return out
