"""Edges of balance/analysis/inequality/table.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them."""
import math

import pandas as pd

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
