"""Edges of ``balance.method.indicators`` that the round-4 mutmut run showed no test watched
(docs/mutation/round4-method-a.md): every test so far passed sections with a RangeIndex and
more than one pupil, so values put on the wrong rows, or a one-pupil section refused, went
unnoticed. Each test names the mutants it kills; each was seen to fail on them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balance.method.indicators import indicator_values, standard_values
from balance.method.standards import load_standard

Q = load_standard("quality-2017")
QUAL = "每百名学生拥有高于规定学历教师数"  # numerator qualified_teachers, per 100 pupils


def _sections(students, qualified, stages, index):
    fields = {f for ind in Q.indicators for f in ind.numerator}
    data = {f: [0.0] * len(students) for f in fields}
    data.update(students=students, qualified_teachers=qualified, stage=stages)
    return pd.DataFrame(data, index=index)


def test_values_keep_the_sections_index_and_a_one_pupil_section_is_valid():
    # kills index=None / no index in indicator_values (the frame would have RangeIndex 0..1, so
    # aligning it with sections gives NaN) and `students <= 1` (the one-pupil section refused);
    # hand computation: 1 teacher / 1 pupil × 100 = 100; 3 / 200 × 100 = 1.5
    secs = _sections([1, 200], [1.0, 3.0], ["小学", "初中"], index=[7, 3])
    vals = indicator_values(secs, Q)
    assert vals.index.tolist() == [7, 3]
    assert vals[QUAL].tolist() == [100.0, 1.5]


def test_a_section_without_pupils_is_refused():
    # kills `students <= 0` -> `< 0` (0 pupils would give an infinite value)
    secs = _sections([0, 200], [1.0, 3.0], ["小学", "初中"], index=[0, 1])
    with pytest.raises(ValueError, match="sections must have pupils > 0"):
        indicator_values(secs, Q)


def test_standard_values_keep_the_sections_index():
    # kills index=None / no index in standard_values; the quality-2017 values are its YAML's
    secs = _sections([100, 100, 100], [0.0] * 3, ["初中", "小学", None], index=[5, 9, 2])
    std = standard_values(secs, Q)
    ind = next(i for i in Q.indicators if i.name == QUAL)
    assert std.index.tolist() == [5, 9, 2]
    np.testing.assert_array_equal(std[QUAL].to_numpy(), [ind.standard["初中"], ind.standard["小学"], np.nan])
