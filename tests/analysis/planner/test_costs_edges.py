"""Unit prices of the planner (``balance.analysis.planner.costs``) by hand: overrides, bounds, refusals.

A mutation run (mutmut, issue 10, round 5) found that the tests read a costs file once and
refused one bad value, but never looked at the refusal's summary, a file that is not a mapping,
the size guard, the bounds of ``teacher_years`` and of a cost, ``resolution``, ``currency``, the
rotation cost or ``Costs.to_dict``. Default prices: balance/data/costs.yaml.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from balance.analysis.planner.costs import COSTS_FILE, MAX_COST, load_costs
from balance.errors import InputError

SUMMARY = ("单价文件有误", "invalid costs file")


def _refused(spec) -> InputError:
    with pytest.raises(InputError) as e:
        load_costs(spec)
    assert (e.value.summary_zh, e.value.summary_en) == SUMMARY
    assert all(p.problem_zh and p.problem_en for p in e.value.problems)
    return e.value


def test_prices_and_steps_of_a_file_override_key_by_key(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("currency: 万元\nteacher_years: 3\ntransfer_per_teacher: 25000\n"
                 "resolution: {equipment_value: 500, books: 10}\nitems:\n  solar_panels: 80\n"
                 "  books: {cost: 40, unit: 元/本}\n", encoding="utf-8")
    c = load_costs(f)
    assert c.source == str(f) and c.currency == "万元" and c.teacher_years == 3
    assert c.transfer_cost == 25_000 * 3                      # per teacher per year × years
    assert c.unit_cost("qualified_teachers", "小学") == 120_000 * 3 and c.unit_cost("books", "初中") == 40
    assert c.unit_cost("solar_panels", "小学") == 80          # a new item: {cost: 80}
    assert c.step("equipment_value") == 500 and c.step("books") == 10 and c.step("teaching_area") == 1
    assert c.step("multimedia_rooms") == 0                  # no resolution: whole units decide
    assert c.unit("books") == "元/本" and c.unit("teaching_area") == "元/㎡" and c.unit("solar_panels") == ""
    assert c.unit("swimming_pools") == ""                     # no such item: no unit, no error
    d = c.to_dict()
    assert d["source"] == str(f) and d["currency"] == "万元" and d["teacher_years"] == 3
    assert d["transfer_per_teacher"] == 25_000 and d["resolution"]["equipment_value"] == 500
    assert d["items"]["books"] == {"cost": 40, "unit": "元/本"} and d["items"]["solar_panels"] == {"cost": 80}


def test_defaults_and_an_empty_file_are_the_packaged_prices(tmp_path):
    base = load_costs()
    assert base.source == str(COSTS_FILE)
    assert base.currency == "元" and base.teacher_years == 1 and base.transfer_cost == 20_000
    assert base.step("equipment_value") == 100
    f = tmp_path / "empty.yaml"
    f.write_text("# nothing overridden\n", encoding="utf-8")
    c = load_costs(f)
    assert {**c.to_dict(), "source": ""} == {**base.to_dict(), "source": ""}
    assert load_costs(c) is c


def test_a_missing_unit_cost_names_its_key():
    c = load_costs({})
    with pytest.raises(InputError) as e:
        c.unit_cost("swimming_pools", "小学")
    (p,) = e.value.problems
    assert (p.file, p.column, p.code) == ("<dict>", "items.swimming_pools", "cost_missing")
    assert "swimming_pools" in p.problem_zh and "swimming_pools" in p.problem_en
    assert (e.value.summary_zh, e.value.summary_en) == SUMMARY


@pytest.mark.parametrize("years, ok", [(100, True), (0.5, True), (0, False), (100.5, False), (-1, False),
                                       (True, False), ("3", False)])
def test_teacher_years_must_be_above_zero_and_at_most_one_hundred(years, ok):
    if ok:
        assert load_costs({"teacher_years": years}).teacher_years == years
        return
    (p,) = _refused({"teacher_years": years}).problems
    assert (p.file, p.column, p.value, p.code) == ("<dict>", "teacher_years", str(years), "cost_invalid")
    assert "100" in p.problem_zh and "100" in p.problem_en


@pytest.mark.parametrize("key", ["transfer_per_teacher", "items.books", "items.books.cost", "resolution.books"])
@pytest.mark.parametrize("value, ok", [(0, True), (MAX_COST, True), (MAX_COST * 1.5, False), (-0.01, False),
                                       (float("nan"), False), (float("inf"), False), (False, False)])
def test_a_cost_step_or_rotation_price_is_a_number_from_zero_to_max_cost(key, value, ok):
    parts = key.split(".")
    spec = {parts[0]: value} if len(parts) == 1 else \
        {parts[0]: {parts[1]: value}} if len(parts) == 2 else {parts[0]: {parts[1]: {parts[2]: value}}}
    if ok:
        c = load_costs(spec)
        got = {"transfer_per_teacher": lambda: c.transfer_per_teacher, "items.books": lambda: c.unit_cost("books", "小学"),
               "items.books.cost": lambda: c.unit_cost("books", "小学"), "resolution.books": lambda: c.step("books")}[key]()
        assert got == value
        return
    if key == "items.books" and not isinstance(value, bool):
        key = "items.books.cost"   # a bare number is read as {cost: number}; a boolean is no number
    err = _refused(spec)
    assert [p.column for p in err.problems] == [key]
    assert err.problems[0].code == "cost_invalid" and err.problems[0].value == str(value)


def test_unknown_keys_are_listed_with_the_known_ones():
    err = _refused({"teacher_year": 2, "items": {"books": 30}})
    (p,) = err.problems
    assert (p.column, p.code) == ("teacher_year", "cost_unknown_key")
    known = "currency, items, resolution, teacher_years, transfer_per_teacher"
    assert p.problem_zh == f"未知的键“teacher_year”（可用：{known}）"
    assert p.problem_en == f"unknown key 'teacher_year' (known: {known})"


def test_an_item_that_is_neither_a_number_nor_a_mapping_is_refused_and_the_rest_still_checked():
    err = _refused({"items": {"books": "thirty", "computers": -1}})
    assert [(p.column, p.value) for p in err.problems] == [("items.books", "thirty"), ("items.computers.cost", "-1")]
    p = err.problems[0]
    assert (p.file, p.column, p.value, p.code) == ("<dict>", "items.books", "thirty", "cost_invalid")
    assert (p.problem_zh, p.problem_en) == ("单价应为数字或 {cost: 数字}", "a cost must be a number or {cost: number}")


@pytest.mark.parametrize("text, code", [("- 1\n- 2\n", "yaml_not_mapping"), ("items: [1,\n", None)])
def test_a_costs_file_not_a_mapping_or_not_yaml_is_refused_under_the_costs_summary(tmp_path, text, code):
    f = tmp_path / "c.yaml"
    f.write_text(text, encoding="utf-8")
    err = _refused(f)
    assert all(p.file == str(f) for p in err.problems)
    if code:
        assert [(p.code, p.problem_zh, p.problem_en) for p in err.problems] == \
            [(code, "单价文件应为键值映射", "a costs file must be a mapping")]


def test_a_costs_file_above_the_yaml_size_limit_is_refused_before_it_is_read(tmp_path):
    """reading_limits.yaml: max_yaml_mb 10 (max_file_mb 512 for tables). An 11 MB comment is refused."""
    f = tmp_path / "big.yaml"
    f.write_bytes(b"# " + b"x" * (11 * 1024 * 1024) + b"\n")
    err = _refused(f)
    assert all(p.file == str(f) for p in err.problems)


@pytest.mark.parametrize("data", [b"teacher_years: 1\n# \xff\xfe\xfa\xfb\x81\x30\n", bytes(range(256)) * 4],
                         ids=["not_utf8_nor_gb18030", "binary"])
def test_a_costs_file_that_is_not_text_is_refused_naming_the_file(tmp_path, data):
    f = tmp_path / "单价.yaml"
    f.write_bytes(data)
    err = _refused(f)
    assert all(p.file == str(f) for p in err.problems)


# Round 6 (mutmut): the part of ``load_costs`` round 5 did not reach.

def test_a_new_item_given_only_its_unit_costs_nothing():
    c = load_costs({"items": {"solar_panels": {"unit": "元/块"}}})
    assert c.unit_cost("solar_panels", "小学") == 0 and c.unit("solar_panels") == "元/块"


def test_a_stage_price_written_after_the_unit_is_checked_too():
    # books in costs.yaml are {cost: 30, unit: 元/册}: a 初中 price added after the unit is still checked
    err = _refused({"items": {"books": {"初中": -5}}})
    assert [(p.column, p.value, p.code) for p in err.problems] == [("items.books.初中", "-5", "cost_invalid")]


def test_the_packaged_prices_are_read_as_utf8_whatever_the_locale():
    # costs.yaml holds Chinese comments and units: under a non-UTF-8 locale (POSIX/ASCII with
    # coercion and UTF-8 mode off, as a GBK Windows locale would be) the default encoding fails
    code = "from balance.analysis.planner.costs import load_costs; print(load_costs().unit('books'))"
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0", PYTHONIOENCODING="utf-8")
    r = subprocess.run([sys.executable, "-X", "utf8=0", "-c", code], env=env, capture_output=True, text=True,
                       encoding="utf-8", cwd=os.getcwd())
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "元/册"
