"""Edges of the area items' missing-column note (``balance.method.area_items._missing_column_note``)
that a mutation run (mutmut, issue 10, round 3) showed no test was watching."""
import numpy as np
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


def test_a_cv_that_cannot_be_computed_says_why():
    """A resource CV without a value reads "—" and then its note (which indicators are undefined),
    so the reader is not left with a bare dash; a CV with a value keeps no note (test above)."""
    note = "生均图书册数的差异系数无定义，综合差异系数无法计算"
    r = _row(item="小学综合差异系数", value=None, rule="≤ 0.65", area="resource", note=note)
    assert area_items._sentence("资源配置", r) == f"资源配置第2项“小学综合差异系数”未达到：—，要求 ≤ 0.65（学校数据）：{note}"


def test_a_sentence_shows_the_items_own_text_and_a_missing_item_names_why():
    """The item's ``shown`` text wins over its raw value ("73 个学段单位中 59 个达标", not "59/73"),
    and an item without data reads "缺少数据（note）" with its number (mutmut after round 7:
    ``r.get("shown")`` dropped / renamed, the missing branch's ``item_no`` / ``note`` keys)."""
    r = _row(item="小学学段单位达到学校标准", value="59/73", shown="73 个学段单位中 59 个达标", area="resource",
             rule="全部达到")
    assert area_items._sentence("资源配置", r) == ("资源配置第2项“小学学段单位达到学校标准”未达到：73 个学段单位中 59 个达标，"
                                                 "要求 全部达到（学校数据）")
    m = _row(item_no=4, item="某项", passed=None, note="学校数据缺少列：甲")
    assert area_items._sentence("政府保障程度", m) == "政府保障程度第4项“某项”缺少数据（学校数据缺少列：甲）"


def test_shown_text_of_each_kind_of_value():
    """The one formatter of an item's value: NaN, None and NA are "—" (never "nan"), a CV three
    decimals, another float whole or one decimal, text as it is, an own text first."""
    f = area_items.shown_text
    assert [f("x", float("nan")), f("x", None), f("x", pd.NA)] == ["—", "—", "—"]
    assert [f("小学综合差异系数", 0.51234), f("人数", 12.0), f("比例", 84.75), f("x", "是"), f("x", 3, "自有")] == \
        ["0.512", "12", "84.8", "是", "自有"]


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


# --- round 7 (docs/mutation/round7-method-rest.md): one sheet item's county result (``_sheet_item``).
# Items are the shipped ones (balance/data/evaluation_items.yaml) unless hand-built; every expected
# text is derived by hand from the code's format: a field's label is its header after the first
# space, a number is shown by ``_fmt`` with its unit (" %" for a rate), a ratio with ``:g``.

from balance.io.county_items import item_spec, items  # noqa: E402

SETTINGS = dict(item_spec()["computed_defaults"])


def _item(area, no):
    return next(it for it in items() if it["area"] == area and it["item_no"] == no)


def test_a_two_field_item_shows_and_values_each_field_by_its_label_with_its_unit():
    """保障8 (teacher pay against civil servants' pay, an amount in 元/年 each): both fields shown,
    each as "label value unit", joined by "；"; the value is that text; only the ruled field is in
    the rule, labelled. Kills the unit mutants (``or True`` / ``!= "rate"`` give " %", ``get("unit")
    and False`` / ``get(None)`` / renamed drop it), the label mutants (``len(fs) == 1`` → ``or True``
    / ``!= 1`` / ``== 2``, ``split('XX XX')``, ``[-2]``), the value mutants (``value = None``, ``or
    True``, ``!= 1``, ``== 2``, ``and None``, ``"XX；XX"``)."""
    r = area_items._sheet_item(_item("government", 8), {"g8_teacher_pay": 98000, "g8_civil_servant_pay": 100000.0},
                               SETTINGS)
    shown = "教师平均工资收入(元/年) 98000 元/年；当地公务员平均工资收入(元/年) 100000 元/年"
    assert r == dict(value=shown, rule="教师平均工资收入(元/年) ≥ 当地公务员平均工资收入", source=area_items.SOURCE_SHEET,
                     passed=False, note="", shown=shown)


def test_a_blank_field_is_skipped_and_the_next_one_still_shown():
    """The first of two fields blank: it is named missing, the second still shown (kills the
    blank's ``continue`` → ``break``)."""
    r = area_items._sheet_item(_item("government", 8), {"g8_teacher_pay": None, "g8_civil_servant_pay": 100000.0},
                               SETTINGS)
    assert (r["passed"], r["value"], r["shown"]) == (None, "当地公务员平均工资收入(元/年) 100000 元/年",
                                                     "当地公务员平均工资收入(元/年) 100000 元/年")
    assert r["note"] == "县级填报表未填写：教师平均工资收入(元/年)"


def test_two_ruled_fields_are_each_labelled_in_the_rule_with_the_standards_settings():
    """保障13 with the junior threshold set to 90 (a province standard's setting): the rule is each
    field's label and its printed rule with the setting's number, joined by "；" (kills the rule's
    ``"XX；XX"``, ``len(fs) > 1`` → ``and False`` / ``> 2``, ``split('XX XX')``, ``[-2]`` and
    ``rule_text(f, None)`` / ``rule_text(settings)`` / ``rule_text(f, )``); 92.5 ≥ 90 passes."""
    settings = {**SETTINGS, "nearby_junior_min": 90}
    r = area_items._sheet_item(_item("government", 13), {"g13_nearby_primary": 100.0, "g13_nearby_junior": 92.5},
                               settings)
    assert r["rule"] == "小学就近划片入学比例(%) = 100 %；初中就近划片入学比例(%) ≥ 90 %"
    assert r["shown"] == "小学就近划片入学比例(%) 100 %；初中就近划片入学比例(%) 92.5 %"
    assert r["passed"] is True


def test_a_single_number_is_its_own_value_and_shown_without_a_label():
    """质量1 alone: the value is the number itself, not its text, and ``shown`` carries no label
    (kills ``len(fs) == 1`` → ``and False`` / ``== 2`` for the label and ``and False`` for the
    value)."""
    r = area_items._sheet_item(_item("quality", 1), {"q1_retention_rate": 96.5}, SETTINGS)
    assert (r["value"], r["shown"], r["rule"], r["passed"]) == (96.5, "96.5 %", "≥ 95 %", True)


def test_a_ratio_is_shown_with_its_digits_not_rounded_to_one_decimal():
    """质量9b, the difference rate: 0.149 is shown "0.149" (``_fmt`` would show "0.1"); kills the
    ratio condition ``or True`` / ``"XXratioXX"`` / ``"RATIO"``."""
    r = area_items._sheet_item(_item("quality", 9), {"q9_level3": "是", "q9_difference_rate": 0.149}, SETTINGS)
    assert r["shown"] == "各科学业水平达到Ⅲ级以上 是；校际差异率 0.149"
    assert r["passed"] is True


def test_a_single_blank_number_is_no_value_not_an_empty_text():
    """A NaN in the only field: the value is None (kills ``value = ""``)."""
    r = area_items._sheet_item(_item("recognition", 1), {"recognition_rate": float("nan")}, SETTINGS)
    assert (r["value"], r["passed"], r["shown"]) == (None, None, "")


def test_the_note_is_the_rows_evidence_else_empty_and_no_row_is_said_alone():
    """An item with an evidence column left blank and an item without one have an empty note
    (kills ``n or "XXXX"`` and the no-note ``else "XXXX"``); without a sheet row the note is only
    that (kills ``note = "XXXX"``, which would be appended after "；")."""
    assert area_items._sheet_item(_item("government", 1), {"g1_layout": "是", "government_1_note": None},
                                  SETTINGS)["note"] == ""
    assert area_items._sheet_item(_item("quality", 1), {"q1_retention_rate": 99.0}, SETTINGS)["note"] == ""
    r = area_items._sheet_item(_item("quality", 1), None, SETTINGS)
    assert (r["passed"], r["note"], r["value"]) == (None, "县级填报表没有该县区该年度的行", None)


def test_a_rate_is_shown_in_percent_and_a_number_without_unit_bare():
    """Hand-built item: a rate is shown with " %" by its type even where no unit is written
    (kills ``type == "rate"`` → ``and False`` / ``"XXrateXX"`` / ``"RATE"``); an amount without a
    unit is shown bare (kills the no-unit ``else "XXXX"``); a label keeps the spaces after the
    code (kills ``split(' ', )``, ``rsplit``, ``split(' ', 2)`` for ``shown`` and the rule)."""
    item = {"area": "government", "item_no": 99, "code": "X", "fields": [
        {"name": "a", "type": "rate", "header": "X1 甲 比例", "rule": {"op": ">=", "value": 10}, "rule_text": "≥ 10 %"},
        {"name": "b", "type": "amount", "header": "X2 乙 数量", "rule": {"op": ">=", "value": 1}, "rule_text": "≥ 1"}]}
    r = area_items._sheet_item(item, {"a": 50.0, "b": 7}, {})
    assert r["shown"] == "甲 比例 50 %；乙 数量 7"
    assert r["rule"] == "甲 比例 ≥ 10 %；乙 数量 ≥ 1"


# --- round 7: the resource items of one county × year from an assessment (``_resource_items``),
# on a hand-built stand-in for the Assessment (only the fields the function reads). The rule text
# is the school rule of quality-2017 (method.md §4: at least 6 of 7 indicators met, the rest ≥ 85 %).

from types import SimpleNamespace as NS  # noqa: E402

RULE = "全部达到学校标准（7 项指标中至少 6 项达到标准，其余不低于标准的 85%）"


def _std(school_rule=True, all_pass=True):
    return NS(school_rule=NS(min_met=6, floor_ratio=0.85) if school_rule else None,
              county_rule=NS(all_sections_pass=all_pass), indicators=list(range(7)), stages=["小学", "初中"])


def _verdicts(*rows):
    cols = ["year", "county_code", "sections", "sections_小学", "sections_passed_小学", "sections_初中",
            "sections_passed_初中"]
    return pd.DataFrame(rows, columns=cols)


CI_COLS = ["year", "county_code", "stage", "indicator", "cv", "cv_limit", "cv_passed", "decisive", "cv_note"]


def _a(verdicts, ci=None, **kw):
    return NS(standard=_std(**kw), verdicts=verdicts, county_indicators=pd.DataFrame(ci or [], columns=CI_COLS))


# the county asked for is (2025, "B"); the other rows share its year or its code, not both
OTHERS = [(2024, "B", 0, 0, 0, 0, 0), (2025, "A", 0, 0, 0, 0, 0)]


def test_a_county_year_without_a_verdict_has_no_resource_items():
    """Kills the county / year selection ``&`` → ``|`` and ``v.empty`` → ``not``."""
    assert area_items._resource_items(_a(_verdicts(*OTHERS)), 2025, "B") == []


def test_no_section_in_scope_is_one_failing_item_and_nothing_else():
    """Zero sections: one item, not passed, and no stage or CV item after it (kills its texts,
    ``value=1``, ``passed=True``, ``== 0`` → ``!= 0`` / ``== 1`` and the early ``return``)."""
    v = _verdicts(*OTHERS[:1], (2025, "B", 0, 0, 0, 0, 0))
    ci = [(2025, "B", "小学", "甲", 0.3, 0.5, True, True, "")]
    assert area_items._resource_items(_a(v, ci), 2025, "B") == [dict(
        item="纳入评估的学段单位", value=0, rule="至少 1 个", source=area_items.SOURCE_SCHOOLS, passed=False,
        note="没有纳入评估的学段单位，无法判定")]


def test_each_stage_with_sections_is_one_item_of_its_passing_count_then_each_decisive_cv():
    """小学 with no section is skipped and 初中's 2 of 3 still listed (kills ``continue`` →
    ``break`` and the stage count mutants); a stage all passed has no note. CVs: only the decisive
    rows of this county × year, a missing CV is no value and fails, the note is the first part
    before " / " (kills the CV selection, ``pd.isna`` conditions, ``float(None)``, the rule's
    ``:.2f``, ``split(" / ")[0]`` mutants and ``or ""``)."""
    v = _verdicts(*OTHERS, (2025, "B", 3, 0, 0, 3, 2))
    ci = [(2025, "B", "初中", "甲", 0.41234, 0.45, True, True, "12 个学段单位 / 另注"),
          (2025, "B", "初中", "乙", np.nan, 0.45, np.nan, True, ""),
          (2025, "B", "初中", "丙", 0.9, 0.45, False, False, "不计"),
          (2025, "A", "初中", "丁", 0.9, 0.45, False, True, ""),
          (2024, "B", "初中", "戊", 0.9, 0.45, False, True, "")]
    r = area_items._resource_items(_a(v, ci), 2025, "B")
    S = area_items.SOURCE_SCHOOLS
    assert r == [
        dict(item="初中学段单位达到学校标准", value="2/3", rule=RULE, source=S, passed=False, note="1 个学段单位未达到",
             shown="3 个学段单位中 2 个达标"),
        dict(item="初中甲差异系数", value=0.41234, rule="≤ 0.45", source=S, passed=True, note="12 个学段单位"),
        dict(item="初中乙差异系数", value=None, rule="≤ 0.45", source=S, passed=False, note="")]
    v2 = _verdicts((2025, "B", 5, 2, 2, 3, 3))
    r2 = area_items._resource_items(_a(v2), 2025, "B")
    assert [(x["item"], x["value"], x["passed"], x["note"]) for x in r2] == [
        ("小学学段单位达到学校标准", "2/2", True, ""), ("初中学段单位达到学校标准", "3/3", True, "")]


def test_a_stage_count_column_that_is_absent_counts_as_no_section():
    """A verdict row without the 初中 counts: that stage is skipped, not an error (kills the
    ``get(…, 0)`` defaults → ``None`` / ``1`` and ``or 0`` → ``or 1`` / ``and 0``)."""
    v = _verdicts((2025, "B", 2, 2, 1, 0, 0)).drop(columns=["sections_初中", "sections_passed_初中"])
    r = area_items._resource_items(_a(v), 2025, "B")
    assert [(x["item"], x["value"]) for x in r] == [("小学学段单位达到学校标准", "1/2")]


def test_without_a_school_rule_or_the_all_sections_rule_there_are_no_stage_items():
    """Kills ``school_rule is not None`` → ``is None`` / ``or``, and ``all_sections_pass`` dropped."""
    v = _verdicts((2025, "B", 2, 2, 1, 0, 0))
    assert area_items._resource_items(_a(v, school_rule=False), 2025, "B") == []
    assert area_items._resource_items(_a(v, all_pass=False), 2025, "B") == []


# --- round 7: a computed item's whole result (``_computed_item``) on each of its four paths, and
# the missing-field note of a sheet item (``_sheet_item`` / ``_isna``)

def test_all_schools_passing_decide_the_item_and_a_sheet_no_is_noted_as_overruled():
    """Every school passes: the school data decide (value, rule, source, passed), and a sheet
    answer "否" is named as overruled; "是" or no answer leaves no note (kills each key of that
    result renamed, dropped or ``None``, ``passed=False``, the note's condition and texts)."""
    S = area_items.SOURCE_SCHOOLS
    base = dict(value="2 所学校全部达到", rule="规模不超过 2000 人", source=S, passed=True)
    assert _computed(_rows(True, True), {"school_size_ok": "否"}) == dict(
        base, note="县级填报表填“否”，与学校数据不一致，以学校数据为准")
    assert _computed(_rows(True, True), {"school_size_ok": "是"}) == dict(base, note="")
    assert _computed(_rows(True, True)) == dict(base, note="")


def test_failing_schools_decide_the_item_and_a_sheet_yes_is_noted_as_overruled():
    """Five failing rows (no "另有", which starts at six) and a sheet answer "是": the whole result
    (kills ``> 5`` → ``>= 5`` / ``or True``, ``else "XXXX"``, the "是" condition and its note text,
    ``note =`` for ``+=`` and each key renamed, dropped or ``None``)."""
    r = _computed(_rows(False, False, False, False, False, True), {"school_size_ok": "是"})
    shown = "；".join(["0校：d0"] + [f"{i}校（小学）：d{i}" for i in range(1, 5)])
    assert r == dict(value="5 所学校未达到（共 6 所）", rule="规模不超过 2000 人", source=area_items.SOURCE_SCHOOLS,
                     passed=False, note=shown + "。县级填报表填“是”，与学校数据不一致，以学校数据为准")


def _item_computed(no, header=None):
    it = _item("government", no)
    if header:
        it = {**it, "fields": [{**it["fields"][0], "header": header}]}
    return it


def test_missing_columns_hand_the_item_to_the_sheet_and_say_why():
    """Item 3 without its music / art room columns, one school of unknown pass, the sheet says
    "是": the sheet decides, its rule is the field's label + "：是", the note names the absent
    columns, not the unknown school (kills ``why = None``, ``_missing_column_note(None / …, None)``,
    ``not why or …``, the "是" / "否" tuple texts, every key of the sheet result renamed, dropped
    or ``None``, ``passed != "是"`` / ``"XX是XX"``, the rule's split and ``"XX：是XX"``)."""
    it = _item_computed(3)
    rows = _rows(None)
    r = area_items._computed_item(it, it["fields"][0], rows, {"g3_music_art_rooms": "是"}, pd.DataFrame())
    cols = area_items._missing_column_note(3, pd.DataFrame())
    assert cols.startswith("学校数据缺少列：")
    assert r == dict(value="是", rule="音乐美术专用教室配备达标：是", source=area_items.SOURCE_SHEET, passed=True,
                     note=cols + "，采用县级填报表")


def test_schools_of_unknown_pass_hand_the_item_to_the_sheet_or_leave_it_missing():
    """Item 4 (no optional column needed), one school with two rows of unknown pass: the note
    counts schools, not rows; a sheet "否" decides (not passed); without a sheet answer the item
    is missing with its rule and source (kills ``why and len(unknown)``, ``why = None``, the
    renamed ``school_code``, ``"XX否XX"``, and each key of the missing result renamed, dropped or
    ``None``). A label with a space keeps it (kills ``split(' ', )`` / ``rsplit`` / ``split(' ', 2)``)."""
    it = _item_computed(4, header="保障4 学校 规模不超标")
    rows = _rows(None, None).assign(school_code="u")
    r = area_items._computed_item(it, it["fields"][0], rows, {"g4_school_size": "否"}, pd.DataFrame(), "≤ 2000 人")
    assert r == dict(value="否", rule="学校 规模不超标：是", source=area_items.SOURCE_SHEET, passed=False,
                     note="1 所学校数据不全，采用县级填报表")
    r = area_items._computed_item(it, it["fields"][0], rows, None, pd.DataFrame(), "≤ 2000 人")
    assert r == dict(value=None, rule="≤ 2000 人", source=area_items.SOURCE_NONE, passed=None,
                     note="1 所学校数据不全；县级填报表也未填写")


def test_a_sheet_item_names_every_blank_field_including_its_comparison_basis_then_its_evidence():
    """保障8 with civil servants' pay (a field without a rule) blank: both fields are named
    missing, joined by "、" (kills ``_isna``'s ``v is None and …`` and the ``"XX、XX"`` join), and
    the evidence note follows after "；" (kills ``f"；{note}" if note and False``); without a row,
    a field without a rule is read as blank, not looked up (kills ``_isna``'s ``row is None and
    False``). Labels with spaces are kept whole (kills ``split(' ', )``, ``rsplit``, ``split(' ', 2)``)."""
    it = _item("government", 8)
    r = area_items._sheet_item(it, {"g8_teacher_pay": 100000.0, "g8_civil_servant_pay": None}, SETTINGS)
    assert (r["passed"], r["note"]) == (None, "县级填报表未填写：教师平均工资收入(元/年)、当地公务员平均工资收入(元/年)")
    assert area_items._sheet_item(it, None, SETTINGS)["note"] == "县级填报表没有该县区该年度的行"
    g1 = _item("government", 1)
    r = area_items._sheet_item(g1, {"g1_layout": None, "government_1_note": "见附件"}, SETTINGS)
    assert (r["passed"], r["note"]) == (None, "县级填报表未填写：学校布局规划合理；见附件")
    spaced = {**g1, "fields": [{**g1["fields"][0], "header": "保障1 学校 布局"}]}
    assert area_items._sheet_item(spaced, {"g1_layout": None}, SETTINGS)["note"] == "县级填报表未填写：学校 布局"


def test_a_stage_with_no_section_passed_counts_zero_and_an_absent_passed_count_is_zero():
    """0 of 2 passed is "0/2" (kills ``or 0`` → ``or 1``); a verdict row with the stage's section
    count but no passed count reads 0 passed (kills ``get(…, 1)``)."""
    v = _verdicts((2025, "B", 4, 2, 0, 2, 2))
    assert [x["value"] for x in area_items._resource_items(_a(v), 2025, "B")] == ["0/2", "2/2"]
    v = v.drop(columns=["sections_passed_初中"])
    assert [x["value"] for x in area_items._resource_items(_a(v), 2025, "B")] == ["0/2", "0/2"]


def test_the_composite_cv_is_named_once_and_a_blank_note_is_empty_not_an_error():
    """The composite row's indicator already ends with 差异系数 (``综合差异系数``, basic-2012):
    the item reads "小学综合差异系数", not "小学综合差异系数差异系数" (a label that doubled its
    suffix until round 7). A note left NaN or None by the table is an empty note, not a crash."""
    v = _verdicts((2025, "B", 2, 2, 2, 0, 0))
    ci = [(2025, "B", "小学", "综合差异系数", 0.5, 0.65, True, True, np.nan),
          (2025, "B", "小学", "生均教学仪器设备值", 0.4, 0.65, True, True, None)]
    r = area_items._resource_items(_a(v, ci, school_rule=False), 2025, "B")
    assert [(x["item"], x["note"]) for x in r] == [("小学综合差异系数", ""), ("小学生均教学仪器设备值差异系数", "")]
