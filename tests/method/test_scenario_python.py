"""What-if from Python without a file (issue 12): ``assess(..., scenario=DataFrame | mapping | list)``.

Every form must give the same changes as the equivalent scenario file and the same assessment as
applying them by hand; the input is never changed.
"""
import pandas as pd
import pytest

from balance.errors import InputError
from balance.method.assessment import assess, assess_schools
from balance.method.scenario import apply_scenario, as_scenario, load_scenario
from balance.method.standards import load_standard
from tests.factories import primary, school, table

Q = load_standard("quality-2017")
CHANGE = {"9999999991": {"小学专科及以上学历专任教师数": 2, "小学专任教师数": 2}}


def _t():
    return table(primary("1", 200, qualified=6), primary("2", 300),
                 school("3", school_type="初级中学", junior_students=100, junior_teachers=10, junior_qualified_teachers=6))


def _passed(a):
    return a.school_results.set_index("school_code")["school_passed"].to_dict()


def test_mapping_scenario_changes_the_verdict_like_applying_it_by_hand():
    t = _t()
    base = assess(t)
    what_if = assess(t, scenario=CHANGE)
    assert not _passed(base)["9999999991"]
    assert _passed(what_if)["9999999991"]  # two more qualified teachers lift school 1
    by_hand = assess_schools(apply_scenario(t, as_scenario(CHANGE)), Q)
    pd.testing.assert_frame_equal(what_if.school_results, by_hand.school_results)
    pd.testing.assert_frame_equal(t, _t())  # the input is untouched
    assert "情景/scenario <mapping>" in what_if.source


def test_dataframe_list_and_file_forms_give_the_same_changes(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("学校标识码,列,增加量,年份\n9999999991,小学专任教师数,2,2025\n9999999992,教学仪器设备值(万元),1.5,\n",
                 encoding="utf-8")
    from_file = load_scenario(f).changes.drop(columns="row")
    frame = pd.DataFrame({"学校标识码": ["9999999991", "9999999992"], "列": ["小学专任教师数", "教学仪器设备值(万元)"],
                          "增加量": [2, 1.5], "年份": [2025, None]})
    from_frame = as_scenario(frame).changes.drop(columns="row")
    pd.testing.assert_frame_equal(from_frame, from_file)
    items = [{"school_code": "9999999991", "column": "小学专任教师数", "amount": 2, "year": 2025},
             {"school_code": "9999999992", "column": "教学仪器设备值(万元)", "amount": 1.5}]
    pd.testing.assert_frame_equal(as_scenario(items).changes.drop(columns="row"), from_file)
    pd.testing.assert_frame_equal(as_scenario({"changes": items}).changes.drop(columns="row"), from_file)
    assert from_frame["amount"].tolist() == [2.0, 15_000.0]  # 万元 × 10000, as in a file


def test_python_scenarios_are_checked_like_files():
    frame = pd.DataFrame({"school_code": ["9999999991", "9999999991"], "column": ["不存在的列", "小学专任教师数"],
                          "amount": [1, "abc"]})
    with pytest.raises(InputError) as e:
        assess(_t(), scenario=frame)
    errs = {p.row: p for p in e.value.errors}
    assert set(errs) == {1, 2}  # rows counted from 1, as a researcher indexes the frame
    assert errs[1].column == "不存在的列" and errs[1].file == "<DataFrame>"
    assert errs[2].code == "scenario_bad_amount"
    with pytest.raises(InputError, match="no such school"):
        assess(_t(), scenario={"1234567890": {"小学专任教师数": 1}})
    with pytest.raises(InputError, match="a scenario must be"):
        as_scenario(42)


def test_file_path_and_scenario_object_pass_through(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("changes:\n  - {school_code: '9999999991', column: 小学专任教师数, amount: 1}\n", encoding="utf-8")
    sc = load_scenario(f)
    assert as_scenario(sc) is sc
    assert assess(_t(), scenario=str(f)).source.endswith(str(f))
