"""Items 14 and 15 ask every part of their official text, and the typed thresholds of the county
sheet come from the standard in use (a province can change them; the printed rule follows)."""
from pathlib import Path

import pandas as pd
import pytest
import yaml

from balance.method.evaluation import evaluate
from balance.synthetic.demo import county_sheet_rows

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
COUNTY, YEAR = "990101", 2025  # 青山县 2025: every item of the demo sheet holds


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.DataFrame([r for r in county_sheet_rows() if r["county_code"] == COUNTY and r["year"] == YEAR])


def _item(ev, no: int) -> pd.Series:
    i = ev.items
    return i[(i["area"] == "government") & (i["item_no"] == no)].iloc[0]


def _ev(sheet, standard="quality-2017"):
    return evaluate(DEMO / "schools.csv", sheet, standard, year=YEAR, county=COUNTY)


def test_all_answers_pass(rows):
    ev = _ev(rows)
    assert _item(ev, 14)["status"] == "达标" and _item(ev, 15)["status"] == "达标"
    assert bool(ev.verdicts["passed"].iat[0])


@pytest.mark.parametrize("field, answer, no, status", [
    ("g15_left_behind_care", None, 15, "缺失"), ("g15_left_behind_care", "否", 15, "未达标"),
    ("g14_rural_tilt", None, 14, "缺失"), ("g14_rural_tilt", "否", 14, "未达标"),
])
def test_a_missing_or_negative_answer_never_passes(rows, field, answer, no, status):
    r = rows.copy()
    r[field] = answer
    ev = _ev(r)
    it = _item(ev, no)
    assert it["status"] == status
    assert not bool(ev.verdicts["passed"].iat[0])
    if answer is None:
        assert "未填写" in it["note"]


def test_a_province_changes_a_typed_threshold(rows, tmp_path):
    from balance._resources import DATA_DIR

    std = yaml.safe_load((DATA_DIR / "standards" / "quality-2017.yaml").read_text(encoding="utf-8"))
    quota = float(rows["g14_quota_share"].iat[0])
    std.setdefault("evaluation_settings", {})["quota_share_min"] = round(quota + 1, 1)
    std.setdefault("id", "province-test")
    p = tmp_path / "省标准.yaml"
    p.write_text(yaml.safe_dump(std, allow_unicode=True), encoding="utf-8")
    national, province = _item(_ev(rows), 14), _item(_ev(rows, p), 14)
    assert national["status"] == "达标" and national["rule"].startswith("优质高中招生名额分配比例(%) ≥ 50 %")
    assert province["status"] == "未达标"
    assert f"≥ {quota + 1:g} %" in province["rule"]


def test_a_threshold_that_is_not_a_percentage_is_refused(tmp_path):
    from balance._resources import DATA_DIR
    from balance.errors import InputError
    from balance.method.standards import load_standard

    std = yaml.safe_load((DATA_DIR / "standards" / "quality-2017.yaml").read_text(encoding="utf-8"))
    std.setdefault("evaluation_settings", {})["retention_rate_min"] = 950
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(std, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_standard(p)
    assert "retention_rate_min" in e.value.render()
