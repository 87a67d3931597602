"""Edges of ``Evaluation.records`` / ``Evaluation.scorecard`` (``balance.method.evaluation``) that
the round-4 mutmut run showed no test watched (docs/mutation/round4-method-a.md): the keys of
``evaluation.json``'s county records (a contract, README) and of the scorecard, each area's items
and pass flags. Each test names the mutants it kills; each was seen to fail on them.
"""
from __future__ import annotations

from balance.method.evaluation import evaluate
from tests.method.test_evaluation import passing_table, sheet

EV = evaluate(passing_table(), sheet())


def test_a_county_record_has_every_contract_key_and_its_own_areas_items():
    rec = EV.records()[0]
    v = EV.verdicts.iloc[0]
    # kills the renamed "standard", "name", "passed", "status", "item_no", "item", "value", "rule" keys
    assert list(rec) == ["year", "county_code", "county_name", "verdict", "passed", "failing_items", "standard", "areas"]
    assert rec["standard"] == "quality-2017" and rec["passed"] is bool(v.passed) is True  # kills bool(None)
    for area, body in rec["areas"].items():
        assert list(body) == ["name", "passed", "status", "items"]
        assert body["passed"] is bool(v[f"{area}_passed"]) and body["status"] == v[f"{area}_status"]
        mine = EV.items[EV.items.area == area]
        # kills `sub.area != a` (another area's items)
        assert [i["item_no"] for i in body["items"]] == mine["item_no"].astype(int).tolist()
        for i, r in zip(body["items"], mine.itertuples(index=False)):
            # "shown" added in round 7 (the value as the pages show it): added at the end, none renamed
            assert list(i) == ["item_no", "item", "value", "rule", "source", "passed", "status", "note", "shown"]
            assert (i["item"], i["rule"], i["shown"]) == (r.item, r.rule, r.shown) and i["shown"]
    values = [i["value"] for b in rec["areas"].values() for i in b["items"]]
    assert any(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values)  # kills _jsonable(None)


def test_the_scorecard_counts_each_areas_passed_items():
    ev = evaluate(passing_table(), None)  # no county sheet: its items are missing, not passed
    card = ev.scorecard()
    assert list(card.columns)[:3] == ["年份", "县区代码", "县区名称"]  # kills the renamed headers
    assert list(card.columns)[-2:] == ["结论", "未达标事项数"]
    assert card.loc[0, "未达标事项数"] == len(ev.verdicts.iloc[0]["failing_items"]) > 0  # kills None
    # kills fillna(True) (a missing item counted as passed): government has missing items
    gov = ev.items[ev.items.area == "government"]
    assert gov["passed"].isna().any()
    for area, name in (("resource", "资源配置"), ("government", "政府保障程度")):
        s = ev.items[ev.items.area == area]
        ok = int((s["passed"] == True).sum())  # noqa: E712 (NA is not True)
        assert card.loc[0, name].endswith(f"（{ok}/{len(s)}）")
