"""Edges of ``balance.method.scope.apply_scope`` that the round-4 mutmut run showed no test watched
(docs/mutation/round4-method-a.md).

The shipped standards have at most one section matching two rules and no rule with a single
(non-list) value, so these build their own rules on quality-2017 (method.md §2: a rule is a
conjunction of its conditions; a section matching several rules lists every reason, joined
with "；"). Each test names the mutants it kills; each was seen to fail on them.
"""
from __future__ import annotations

import pandas as pd

from balance.method.scope import apply_scope
from balance.method.standard_rules import ExcludeRule, Scope
from balance.method.standards import load_standard

Q = load_standard("quality-2017")


def _with_rules(*rules):
    return Q.model_copy(update={"scope": Scope(exclude=[ExcludeRule(when=w, reason=r) for w, r in rules])})


def _sections(rows):
    return pd.DataFrame(rows, columns=["school_type", "ownership", "urban_rural", "students"])


def test_students_below_is_one_condition_of_the_rule_not_the_whole_rule():
    # quality-2017's own rule: 教学点 with fewer than 50 pupils; a 小学 with 30 pupils stays in
    # (kills `mask &= students < n` -> `mask = …`, which forgot the school_type condition)
    secs = _sections([("小学", "公办", "乡村", 30), ("教学点", "公办", "乡村", 30), ("教学点", "公办", "乡村", 60)])
    out = apply_scope(secs, Q)
    assert out["in_scope"].tolist() == [True, False, True]
    assert out["exclusion_reason"].tolist() == ["", "在校生不足50人的教学点不纳入评估", ""]


def test_a_single_value_condition_and_every_matching_reason_in_rule_order():
    std = _with_rules(({"ownership": "民办"}, "民办不评"), ({"urban_rural": ["乡村"]}, "乡村不评"))
    secs = _sections([("小学", "民办", "城区", 100), ("小学", "公办", "乡村", 100),
                      ("小学", "民办", "乡村", 100), ("小学", "公办", "城区", 100)])
    out = apply_scope(secs, std)
    # a scalar value means a list of one (kills `isinstance(cond, list) or True`: isin("民办") is refused);
    # only the rules a section matches, both joined with "；" (kills `>> k | 1` and the separator "XX；XX")
    assert out["exclusion_reason"].tolist() == ["民办不评", "乡村不评", "民办不评；乡村不评", ""]
    assert out["in_scope"].tolist() == [False, False, False, True]
