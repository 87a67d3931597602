"""Indicator values per section (method.md §3).

For indicator *k* with numerator fields ``f`` and coefficients ``c_f`` (from the standard's YAML)
and scale ``per`` (100 for "每百名学生…", 1 for "生均…"):

.. math:: x_{ik} = \\frac{\\sum_f c_f\\, f_i}{P_i} \\times \\mathrm{per}

where :math:`P_i` is section *i*'s pupils. quality-2017 (practice rules kept as YAML defaults):

============================== ============================================= ======= ======
indicator                      numerator                                     unit    per
============================== ============================================= ======= ======
每百名学生拥有高于规定学历教师数 qualified teachers (小学 专科+, 初中 本科+)    人      100
每百名学生拥有县级及以上骨干教师数 backbone teachers                           人      100
每百名学生拥有体育、艺术专任教师数 PE, music and fine-art teachers              人      100
生均教学及辅助用房面积           teaching & auxiliary area − indoor sports area ㎡      1
生均体育运动场馆面积             sports ground area + indoor sports area        ㎡      1
生均教学仪器设备值               equipment value (元; 万元 inputs ×10000)        元      1
每百名学生拥有网络多媒体教室数   networked multimedia classrooms                间      100
============================== ============================================= ======= ======

basic-2012 adds computers per 100, books per pupil, 师生比 = teachers ÷ pupils (not pupils ÷
teachers), qualified and titled teachers per pupil (not per 100). Facility fields are the
section's split share (:mod:`balance.method.sections`). Validated by hand computations in
``tests/test_indicators.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.method.standards import Indicator, Standard

__all__ = ["numerator", "indicator_values", "standard_values"]


def numerator(sections: pd.DataFrame, indicator: Indicator) -> np.ndarray:
    """The indicator's numerator per section, in natural units (teachers, ㎡, 元, rooms)."""
    total = np.zeros(len(sections), dtype="float64")
    for field, coef in indicator.numerator.items():
        total += coef * sections[field].to_numpy(dtype="float64")
    return total


def indicator_values(sections: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """One column per indicator (named exactly as in method.md §3) with each section's value.

    Sections always have pupils > 0 (:func:`balance.method.sections.build_sections`), so every value is
    defined. The returned frame has the index of ``sections``.
    """
    students = sections["students"].to_numpy(dtype="float64")
    if (students <= 0).any():  # defensive: a section with no pupils does not exist
        raise ValueError("sections must have pupils > 0 / 学段单位在校生数必须大于0")
    data = {ind.name: numerator(sections, ind) * ind.per / students for ind in standard.indicators}
    return pd.DataFrame(data, index=sections.index, copy=False)


def standard_values(sections: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """The standard value of each indicator for each section's stage (NaN where none is set)."""
    codes, stages = pd.factorize(sections["stage"])  # map the few distinct stages, not every row
    data = {}
    for ind in standard.indicators:
        per_stage = np.array([(ind.standard or {}).get(s, np.nan) for s in stages] + [np.nan], dtype="float64")
        data[ind.name] = per_stage[codes]  # code -1 (missing stage) picks the trailing NaN
    return pd.DataFrame(data, index=sections.index, copy=False)
