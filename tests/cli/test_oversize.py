"""``balance oversize`` from the clerk's side: oversized schools and classes per county-year, the
same counts as items 4 and 5 of 政府保障程度."""
from pathlib import Path

import pandas as pd

from balance.cli import main

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _run(tmp_path, src, *extra, name="o") -> pd.DataFrame:
    out = tmp_path / name
    assert main(["oversize", str(src), "--out", str(out), *extra]) == 0
    return pd.read_csv(out / "oversize.csv", dtype={"county_code": str}, encoding="utf-8-sig")


def test_counts_agree_with_items_4_and_5(tmp_path):
    from balance.method.evaluation import evaluate

    d = _run(tmp_path, DEMO / "schools.csv", "--year", "2023")
    from balance.analysis.oversize import COLUMNS

    assert list(d.columns) == COLUMNS
    si = evaluate(DEMO / "schools.csv", None, year=2023).school_items
    for r in d.itertuples(index=False):
        s = si[si["county_code"] == r.county_code]
        assert r.oversized_schools == int((s.loc[s["item_no"] == 4, "passed"] == False).sum())  # noqa: E712
        for stage, n in (("小学", r.primary_sections_oversized), ("初中", r.junior_sections_oversized)):
            assert n == int((s.loc[(s["item_no"] == 5) & (s["stage"] == stage), "passed"] == False).sum())  # noqa: E712
    assert d["oversized_schools"].sum() > 0 and d["primary_oversized_classes"].sum() > 0
    assert not d.isna().any().any()


def test_one_big_school_and_three_big_classes_more(tmp_path):
    t = pd.read_csv(DEMO / "schools.csv", dtype=str, encoding="utf-8-sig")
    t = t[(t["年份"] == "2025") & (t["县区代码"] == "990101")]
    base = _run(tmp_path, _save(t, tmp_path / "a.csv"), name="a").iloc[0]
    small = t[(t["学校类型"] == "小学") & (t["小学在校生数"].astype(int).between(800, 1900))].index[0]
    t2 = t.copy()
    classes = int(t2.at[small, "小学班数"])
    t2.at[small, "小学在校生数"] = "2600"        # over the 2000 cap by 600
    t2.at[small, "小学超标班额班数"] = str(int(float(t2.at[small, "小学超标班额班数"] or 0)) + 3)
    after = _run(tmp_path, _save(t2, tmp_path / "b.csv"), name="b").iloc[0]
    assert after.oversized_schools == base.oversized_schools + 1
    assert after.seats_needed == base.seats_needed + 600
    assert after.primary_oversized_classes == base.primary_oversized_classes + 3
    import math

    old_need = max(0, math.ceil(int(t.at[small, "小学在校生数"]) / 45) - classes)
    assert after.primary_classes_needed - base.primary_classes_needed == max(0, math.ceil(2600 / 45) - classes) - old_need


def _save(t, p):
    t.to_csv(p, index=False, encoding="utf-8-sig")
    return p


def test_unknown_county_is_refused(tmp_path, capsys):
    assert main(["oversize", str(DEMO / "schools.csv"), "--out", str(tmp_path / "o"), "--county", "1"]) == 2
    assert not (tmp_path / "o").exists()
    assert "1" in capsys.readouterr().err
