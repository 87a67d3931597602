"""Edges of balance/analysis/inequality/table.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them."""
import math

import pandas as pd
import pytest

from balance.analysis.inequality import MEASURES, inequality_table

ZERO_PUPILS = "已忽略1个学生数为0的单位 / units with 0 pupils ignored: 1; 无有效数据 / no valid rows"


def test_a_table_where_no_row_has_pupils_gives_nan_rows_with_notes_not_an_error():
    """With a partition column and every row at 0 pupils nothing is left to decompose: the table
    still has one row per group, every measure NaN and the notes say why (kills
    ``K = … if sub.size else 1`` → ``if sub.size or True``, which takes the max of an empty
    array and raises)."""
    df = pd.DataFrame({"stage": ["小学", "初中"], "value": [1.0, 2.0], "students": [0, 0],
                       "urban_rural": ["城区", "乡村"]})
    t = inequality_table(df, by="stage", group="urban_rural")
    assert t["stage"].tolist() == ["初中", "小学"] and t["n"].tolist() == [0, 0]
    cols = [*MEASURES, "theil_t_between", "theil_t_within", "theil_l_between_share"]
    assert all(math.isnan(v) for v in t[cols].to_numpy().ravel())
    assert t["notes"].tolist() == [ZERO_PUPILS, ZERO_PUPILS]


def _share_note(m):
    return f"{m}_between_share：总差异为0，占比无定义 / share undefined, total is 0"


def test_decomposition_shares_and_the_total_zero_notes_of_the_table():
    """County A has equal values (no inequality): both shares are undefined, NaN, with one note
    each, in the order theil_t, theil_l. County B is the hand case of test_inequality.py, x = (1, 2,
    3), w = (1, 1, 2), partition (a, a, b): between_T = ½(1.5/2.25)ln(1.5/2.25) + ½(3/2.25)ln(3/2.25),
    T = ¼ r₁ln r₁ + ¼ r₂ln r₂ + ½ r₃ln r₃ (r = x/2.25), share = between/T, and no note. With only one
    of the two measures chosen only its note is written. Kills, in _decompose: the note's condition
    (``None``, ``good | …``, ``T != 0``, ``T == 1``), its text (``None``, ``m=None``) and the
    ``"theil_t" in chosen`` test (``XX…XX``, upper case, ``not in``), and the same for theil_l."""
    df = pd.DataFrame({"county": ["A", "A", "B", "B", "B"], "value": [2.0, 2.0, 1.0, 2.0, 3.0],
                       "students": [5, 7, 1, 1, 2], "ur": ["城区", "乡村", "a", "a", "b"]})
    t = inequality_table(df, by="county", group="ur").set_index("county")
    a, b = t.loc["A"], t.loc["B"]
    assert (a["theil_t"], a["theil_t_between"], a["theil_t_within"]) == (0.0, 0.0, 0.0)
    assert math.isnan(a["theil_t_between_share"]) and math.isnan(a["theil_l_between_share"])
    assert a["notes"] == _share_note("theil_t") + "; " + _share_note("theil_l")
    r = [v / 2.25 for v in (1.0, 2.0, 3.0)]
    total = 0.25 * r[0] * math.log(r[0]) + 0.25 * r[1] * math.log(r[1]) + 0.5 * r[2] * math.log(r[2])
    between = 0.5 * (1.5 / 2.25) * math.log(1.5 / 2.25) + 0.5 * (3 / 2.25) * math.log(3 / 2.25)
    assert b["theil_t"] == pytest.approx(total, rel=1e-12)
    assert b["theil_t_between_share"] == pytest.approx(between / total, rel=1e-12)
    assert b["notes"] == ""
    for m in ("theil_t", "theil_l"):
        one = inequality_table(df, by="county", group="ur", measures=[m]).set_index("county")
        assert one.loc["A", "notes"] == _share_note(m) and one.loc["B", "notes"] == ""
    assert inequality_table(df, by="county", group="ur", measures=["gini"])["notes"].tolist() == ["", ""]
