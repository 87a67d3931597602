"""Edges of the area items' missing-column note (``balance.method.area_items._missing_column_note``)
that a mutation run (mutmut, issue 10, round 3) showed no test was watching."""
import pandas as pd
import pytest

from balance.method import area_items


def _headers():
    return {c["name"]: c["header"] for c in area_items.optional_school_columns()}


def test_an_item_without_optional_columns_has_no_missing_column_note():
    """Item 4 is computed from school rows but needs no optional column: the note is empty
    (kills ``.get(item_no, [])`` → ``None`` / no default, which fail on item 4)."""
    assert area_items._missing_column_note(4, pd.DataFrame()) == ""


def test_the_note_lists_every_absent_column_by_its_header_joined_by_the_chinese_comma():
    """Item 3 without music/art room columns: all four headers, in order, joined by "、"
    (kills the separator ``'、'`` → ``'XX、XX'``); a present column is not listed."""
    h = _headers()
    need = ["music_rooms", "art_rooms", "music_room_min_area", "art_room_min_area"]
    assert area_items._missing_column_note(3, pd.DataFrame()) == "学校数据缺少列：" + "、".join(h[n] for n in need)
    extras = pd.DataFrame(columns=["music_rooms", "art_rooms"])
    assert area_items._missing_column_note(3, extras) == "学校数据缺少列：" + "、".join(h[n] for n in need[2:])


# --- round 5 (docs/mutation/round5-method.md): the sentence of a failing item (``_sentence``)

def _row(**kw):
    r = dict(item_no=2, item="某项", value=None, rule="≥ 1", source=area_items.SOURCE_SCHOOLS, passed=False,
             note="甲校：0", area="computed")
    r.update(kw)
    return r


def test_a_failing_cv_is_shown_with_three_decimals_and_no_school_note():
    """A resource CV that fails: its value with three decimals, the rule and the source, and no
    note (a resource item's note is a CV detail, not a list of schools). Kills ``val = None``,
    ``"差异系数" in item`` → ``and False`` / ``not in`` / ``"XX差异系数XX"``, ``where = None``,
    ``extra = None``, the note condition ``or True``, ``… or area != "resource"``, ``area ==
    "resource"``, ``"XXresourceXX"`` / ``"RESOURCE"`` and the empty else → ``"XXXX"``."""
    r = _row(item="小学生均教学及辅助用房面积差异系数", value=0.51234, rule="≤ 0.50", area="resource",
             note="12 个学段单位")
    assert area_items._sentence("资源配置", r) == "资源配置第2项“小学生均教学及辅助用房面积差异系数”未达到：0.512，要求 ≤ 0.50（学校数据）"


def test_a_failing_number_that_is_not_a_cv_uses_the_plain_format():
    """Any other number is shown like the sheet shows it (2.0 → "2", 2.25 → "2.2"), not with three
    decimals (kills ``"差异系数" in item`` → ``or True`` and ``_fmt(val)`` → ``_fmt(None)``)."""
    assert area_items._sentence("保障程度", _row(value=2.0, source=area_items.SOURCE_SHEET)) == \
        "保障程度第2项“某项”未达到：2，要求 ≥ 1（县级填报表）"
    assert "未达到：2.2，" in area_items._sentence("保障程度", _row(value=2.25, source=area_items.SOURCE_SHEET))


def test_a_computed_item_failed_by_schools_names_them_and_a_sheet_item_does_not():
    """An item failed by school rows (source 学校数据, not a resource item) ends with its note —
    the failing schools; the same item from the county sheet does not (kills the note condition
    ``and False``, ``get(None)`` / ``"XXnoteXX"`` / ``"NOTE"``, ``source != SOURCE_SCHOOLS`` and
    ``note or …``)."""
    r = _row(value="1 所学校未达到（共 3 所）")
    assert area_items._sentence("保障程度", r) == "保障程度第2项“某项”未达到：1 所学校未达到（共 3 所），要求 ≥ 1（学校数据）：甲校：0"
    s = _row(value="否", source=area_items.SOURCE_SHEET)
    assert area_items._sentence("保障程度", s) == "保障程度第2项“某项”未达到：否，要求 ≥ 1（县级填报表）"


# --- round 5: the county result of a computed item from its school rows (``_computed_item``)

ITEM = {"item_no": 4, "text": "规模不超过 2000 人", "fields": [{"name": "school_size_ok", "header": "4 学校规模达标"}]}


def _rows(*passed, stage="小学"):
    return pd.DataFrame({"school_code": [f"s{i}" for i in range(len(passed))],
                         "school_name": [f"{i}校" for i in range(len(passed))],
                         "stage": [stage if i else "" for i in range(len(passed))],
                         "passed": pd.array(list(passed), dtype="boolean"),
                         "detail": [f"d{i}" for i in range(len(passed))]})


def _computed(rows, sheet=None, **kw):
    return area_items._computed_item(ITEM, ITEM["fields"][0], rows, sheet, pd.DataFrame(), **kw)


def test_no_school_rows_and_no_sheet_answer_is_missing_not_passed():
    """Without school rows the item is missing (kills ``n = … else 0`` → ``else 1``, which
    counts one school and passes it)."""
    r = _computed(_rows().iloc[0:0])
    assert (r["passed"], r["value"], r["note"]) == (None, None, "没有纳入评估的学校；县级填报表也未填写")


def test_the_rule_is_the_items_text_unless_one_is_given():
    """Kills ``rule = None``, ``rule and item["text"]`` and the renamed ``"text"`` key."""
    assert _computed(_rows(True, True))["rule"] == "规模不超过 2000 人"
    assert _computed(_rows(True, True), rule="≤ 2500 人")["rule"] == "≤ 2500 人"


def test_failing_schools_are_listed_five_at_most_with_their_stage_when_known():
    """Six failing rows: the first five, each with its stage in brackets when it has one, joined by
    "；", then how many more (kills the ``"；"`` join, the stage condition ``and False`` / ``or
    True``, the bracket texts, ``else 'XXXX'``, ``head(5)`` → ``head(6)`` / ``head(None)`` and the
    "另有" condition ``and False``); an unknown row does not fail the item."""
    rows = pd.concat([_rows(False, False, False, False, False, False), _rows(None).assign(school_code="u")])
    r = _computed(rows)
    shown = "；".join(["0校：d0"] + [f"{i}校（小学）：d{i}" for i in range(1, 5)])
    assert (r["passed"], r["value"], r["note"]) == (False, "6 所学校未达到（共 7 所）", shown + "；另有 1 处")


# --- round 6 (docs/mutation/round6-method-rest.md): one field's rule on a sheet row (``_field_ok``)

def test_an_at_most_rule_holds_at_the_limit_and_fails_above_it():
    """``op: "<="``, which no sheet test reached: 5 against at most 5 passes, 6 fails, a blank is
    missing (kills ``"XX<=XX"``, ``bool(None)``, ``at_most(None, …)`` / ``(…, None)`` / one argument)."""
    f = {"name": "x", "rule": {"op": "<=", "value": 5}}
    assert [area_items._field_ok(f, {"x": v}, {}) for v in (5, 4.5, 6, None)] == [True, True, False, None]


def test_an_unknown_rule_op_is_named_in_the_error():
    """Kills ``ValueError(None)``: the message names the op."""
    with pytest.raises(ValueError, match="^unknown rule op '~'$"):
        area_items._field_ok({"name": "x", "rule": {"op": "~", "value": 1}}, {"x": 1}, {})
