"""What happens to last year's ledger item that is not open this year (balance/analysis/ledger.py
``_subject_state``, issue 10, mutation round 4): fixed, with this year's value, or kept as 本年无数据
with the reason — each branch on a hand-made assessment, exact (status, value, explanation).

The CLI test of a closed school reaches one branch; the others (an excluded section and its
reason, a CV that now passes, an item of the county sheet, an id of another kind) were unwatched.
"""
from types import SimpleNamespace

import pandas as pd
import pytest

from balance.analysis.ledger import STATUS_FIXED, STATUS_GONE, _subject_state

AREA, RATIO = "生均教学及辅助用房面积", "师生比"
NOT_ASSESSED = "本次未评估该县区 / county not assessed in this run"


def _assessment():
    ind = [SimpleNamespace(name=AREA, short="教学用房"), SimpleNamespace(name=RATIO, short="师生比")]
    sr = pd.DataFrame({"county_code": ["990101"] * 2, "school_code": ["9999999991", "9999999992"],
                       "stage": ["小学", "初中"], "indicators_met": [2, 1], AREA: [6.25, 3.0], RATIO: [0.05, 0.04]})
    ex = pd.DataFrame({"county_code": ["990102", "990101", "990101"],
                       "school_code": ["9999999993"] * 3, "stage": ["小学", "初中", "小学"],
                       "exclusion_reason": ["另一个县", "另一个学段", "教学点不足50人"]})
    ci = pd.DataFrame({"county_code": ["990102", "990101", "990101", "990101"], "stage": ["小学", "初中", "小学", "小学"],
                       "indicator": [AREA, AREA, RATIO, AREA], "cv": [0.9, 0.8, 0.7, 0.41234]})
    return SimpleNamespace(standard=SimpleNamespace(indicators=ind), school_results=sr, excluded=ex,
                           county_indicators=ci)


@pytest.mark.parametrize("item_id, state", [
    ("R:990102:9999999991:小学:教学用房", (STATUS_GONE, "", NOT_ASSESSED)),
    ("R", (STATUS_GONE, "", NOT_ASSESSED)),
    ("R:990101", (STATUS_GONE, "", "编号无法识别")),
    ("R:990101:9999999991:小学:教学用房", (STATUS_FIXED, "6.250", "")),
    ("R:990101:9999999992:初中:师生比", (STATUS_FIXED, "0.040", "")),
    ("R:990101:9999999991:小学:未知指标", (STATUS_FIXED, "", "")),
    ("R:990101:9999999991:小学", (STATUS_FIXED, "", "")),
    ("R:990101:9999999993:小学:教学用房", (STATUS_GONE, "", "该学段单位本年不在评估范围内：教学点不足50人")),
    ("R:990101:9999999999:小学:教学用房", (STATUS_GONE, "", "本年数据中没有该学段单位")),
    ("S:990101:9999999991:小学", (STATUS_FIXED, "2/2 项达标", "")),
    ("S:990101:9999999992:初中", (STATUS_FIXED, "1/2 项达标", "")),
    ("CV:990101:小学:教学用房", (STATUS_FIXED, "0.412", "")),
    ("CV:990101:小学:" + AREA, (STATUS_FIXED, "0.412", "")),   # an id that names the indicator in full
    ("CV:990101:初中:师生比", (STATUS_GONE, "", "本年数据中没有该差异系数")),
    ("CV:990101:小学", (STATUS_GONE, "", "编号无法识别")),
    ("E:990101:government:4", (STATUS_GONE, "", "本次未提供县级填报表 / no county sheet given in this run")),
    ("X:990101:a:b", (STATUS_GONE, "", "编号无法识别")),
])
def test_the_state_of_an_item_not_open_this_year(item_id, state):
    assert _subject_state(item_id, _assessment(), None, {"990101"}) == state


def test_an_item_of_the_county_sheet_is_fixed_when_a_sheet_was_given():
    ev = SimpleNamespace(items=pd.DataFrame())
    assert _subject_state("E:990101:government:4", _assessment(), ev, {"990101"}) == (STATUS_FIXED, "达标", "")
    assert _subject_state("X:990101:a:b", _assessment(), ev, {"990101"}) == (STATUS_GONE, "", "编号无法识别")
