"""Settings checks of a standard file and ``Standard.indicator`` that the mutation run over
balance/method/standards.py (issue 10, docs/mutation-report.md) showed no test was watching.

The bad-file tests of ``test_standards.py`` check the *first* problem of a refused file; these
check that a valid file is accepted (a mutant that refuses every setting is noticed), that every
problem is listed, and where the boundaries are. Each test names the mutants it kills and was
checked to fail on them."""
from __future__ import annotations

import pytest

from balance.errors import InputError
from balance.method.standards import COUNTY_SETTINGS, EVALUATION_SETTINGS, STANDARDS_DIR, load_standard

Q = (STANDARDS_DIR / "quality-2017.yaml").read_text(encoding="utf-8")
P = (STANDARDS_DIR / "province-example.yaml").read_text(encoding="utf-8")


def _load(tmp_path, text, name="std.yaml"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return load_standard(f)


def _problems(tmp_path, text):
    with pytest.raises(InputError) as ei:
        _load(tmp_path, text)
    return {p.column: p for p in ei.value.errors}


def test_the_province_example_with_school_level_relaxation_settings_loads():
    """Its relaxations set music/art room areas and school size caps (72 … 3000): allowed at the
    school level and positive (kills ``k not in allowed`` → ``in``, ``and not x > 0`` → ``or`` /
    ``and x > 0``, and ``PERCENT_SETTINGS and x > 100`` → ``or``, which refuse them)."""
    std = load_standard(STANDARDS_DIR / "province-example.yaml")
    settings = [r.settings for r in std.relaxations]
    assert {"music_room_min_area": 72, "art_room_min_area": 67} in settings
    assert {"school_size_cap": 2500, "school_size_cap_combined": 3000} in settings


def test_a_positive_setting_below_one_and_a_percentage_of_exactly_100_are_allowed(tmp_path):
    """Settings must be > 0 and percentages ≤ 100 (kills ``not x > 0`` → ``not x > 1`` and
    ``x > 100`` → ``x >= 100``)."""
    std = _load(tmp_path, Q + "\nevaluation_settings: {classes_per_room: 0.5, recognition_min: 100}\n")
    assert std.evaluation_settings == {"classes_per_room": 0.5, "recognition_min": 100}


def test_a_percentage_just_over_100_is_refused_with_its_reason(tmp_path):
    """recognition_min 101 % is refused (kills ``x > 100`` → ``x > 101``); the reason is the
    percentage rule in both languages (kills the text mutants of that message)."""
    p = _problems(tmp_path, Q + "\nevaluation_settings: {recognition_min: 101}\n")["evaluation_settings.recognition_min"]
    assert p.problem_zh.endswith("：是百分数，应不大于 100") and p.problem_en.endswith(": is a percentage, at most 100")


def test_a_county_setting_is_unknown_at_the_school_level_and_every_problem_is_listed(tmp_path):
    """A relaxation (school level) may not set a county-level setting such as recognition_min;
    the message lists exactly the school-level settings; a second problem in the same block (an
    unknown name) is listed too (kills the ``allowed`` mutants ``and`` → ``or`` / ``not in``, the
    ``join`` mutants of both messages, and ``probs +=`` → ``=``, which drops earlier problems)."""
    text = P.replace("settings: {music_room_min_area: 72, art_room_min_area: 67}",
                     "settings: {music_room_min_area: 72, recognition_min: 90, room_size: 3}", 1)
    probs = _problems(tmp_path, text)
    school_level = [k for k in EVALUATION_SETTINGS if k not in COUNTY_SETTINGS]
    p = probs["relaxations.0.settings.recognition_min"]
    assert "unknown setting 'recognition_min'; allowed: " + ", ".join(school_level) in p.problem_en
    assert "可用：" + ", ".join(school_level) in p.problem_zh
    assert "relaxations.0.settings.room_size" in probs


def test_an_unknown_setting_is_refused_at_the_county_level(tmp_path):
    """An unknown evaluation setting is refused on its own (kills ``probs +=`` → ``=`` on the
    positive-number line, which would forget it), and a county-level one is allowed there."""
    probs = _problems(tmp_path, Q + "\nevaluation_settings: {room_size: 3, recognition_min: 90}\n")
    assert list(probs) == ["evaluation_settings.room_size"]
    assert "allowed: " + ", ".join(EVALUATION_SETTINGS) in probs["evaluation_settings.room_size"].problem_en


def test_indicator_by_name():
    """``Standard.indicator`` finds by name and names the missing one (the planners' summary uses
    it; kills ``==`` → ``!=`` and ``KeyError(name)`` → ``KeyError(None)``)."""
    std = load_standard("quality-2017")
    last = std.indicators[-1]
    assert std.indicator(last.name) is last
    with pytest.raises(KeyError, match="没有"):
        std.indicator("没有这个指标")


def test_python_users_read_every_problem_in_the_validation_error():
    """``Standard.model_validate`` (Python use, no file): ``str()`` of the error lists each problem
    as ``path: text`` joined by ``; `` (kills ``en = None`` and the ``"; "`` → ``"XX; XX"`` join)."""
    import pydantic
    import yaml

    from balance.method.standards import Standard

    data = yaml.safe_load(Q)
    data["evaluation_settings"] = {"room_size": 3, "recognition_min": 101}
    with pytest.raises(pydantic.ValidationError) as ei:
        Standard.model_validate(data)
    assert "room_size: unknown setting 'room_size'; allowed: " in str(ei.value)
    assert "; recognition_min: is a percentage, at most 100" in str(ei.value)


# --- round 5 (docs/mutation/round5-method.md): the texts and key paths of standard_rules' checks


def test_an_unknown_stage_key_is_named_with_the_stages_allowed(tmp_path):
    """A CV limit for a stage the standard does not know (高中) is refused naming it and listing
    小学、初中 in both languages (kills ``what="stage"`` → ``"XXstageXX"`` / ``"STAGE"`` and the
    ``'、'`` / ``', '`` join mutants of ``_check_stage_keys``)."""
    p = _problems(tmp_path, Q.replace("cv_limit: {小学: 0.50, 初中: 0.45}", "cv_limit: {小学: 0.50, 初中: 0.45, 高中: 0.4}"))
    p = p["cv_limit.高中"]
    assert p.problem_zh.endswith("未知的学段「高中」；可用：小学、初中")
    assert p.problem_en.endswith("unknown stage '高中'; allowed: 小学, 初中")


def test_a_scope_condition_names_its_key_path_and_each_bad_value(tmp_path):
    """A scalar condition is named by its key (no list index), a list item by its index; a value
    that is not text says so, an unknown one lists the allowed values (kills ``isinstance(cond,
    list) or True``, ``out.append(None)``, the text mutants of "应为文字 / must be text" and the
    ``'、'`` / ``', '`` joins of the unknown-value message)."""
    from balance.method.standard_rules import CONDITION_VALUES

    text = Q.replace("- when: {school_type: [特殊教育学校]}", "- when: {school_type: 5, ownership: [公办, 7, 私立]}", 1)
    probs = _problems(tmp_path, text)
    where = "scope.exclude.0.when."
    assert set(probs) == {where + "school_type", where + "ownership.1", where + "ownership.2"}
    for k in ("school_type", "ownership.1"):
        assert probs[where + k].problem_zh.endswith("：应为文字") and probs[where + k].problem_en.endswith(": must be text")
    assert probs[where + "ownership.2"].problem_zh.endswith(
        "未知的取值「私立」；可用：" + "、".join(CONDITION_VALUES["ownership"]))
    assert probs[where + "ownership.2"].problem_en.endswith(
        "unknown value '私立'; allowed: " + ", ".join(CONDITION_VALUES["ownership"]))


def test_an_empty_condition_list_is_refused_with_its_reason(tmp_path):
    """``school_type: []`` would match no school: refused with "列表不能为空 / the list must not be
    empty" (kills the three text mutants of that message)."""
    p = _problems(tmp_path, Q.replace("- when: {school_type: [特殊教育学校]}", "- when: {school_type: []}", 1))
    p = p["scope.exclude.0.when.school_type"]
    assert p.problem_zh.endswith("：列表不能为空") and p.problem_en.endswith(": the list must not be empty")


def test_python_users_read_the_key_path_and_file_level_problems_as_written():
    """``str()`` of the ValidationError: a nested key path is joined by ``.`` and a problem of the
    whole block reads ``(file)``; the message is the text itself (kills ``'.'`` → ``'XX.XX'``,
    ``'(file)'`` → ``'XX(file)XX'`` / ``'(FILE)'`` and the template ``"{en}"`` → ``"XX{en}XX"``)."""
    import pydantic
    import yaml

    from balance.method.standards import Standard

    data = yaml.safe_load(Q)
    data["scope"]["exclude"][0]["when"] = {"ownership": [7]}
    with pytest.raises(pydantic.ValidationError) as ei:
        Standard.model_validate(data)
    assert [e["msg"] for e in ei.value.errors()] == ["ownership.0: must be text"]
    data = yaml.safe_load(Q)
    data["indicators"][0]["numerator"] = {"teachers": -1}
    with pytest.raises(pydantic.ValidationError) as ei:
        Standard.model_validate(data)
    assert [e["msg"] for e in ei.value.errors()] == ["(file): at least one coefficient must be positive"]


def test_the_default_standard_is_quality_2017():
    """``load_standard()`` without an argument is the 2017 national standard (kills the default
    ``"quality-2017"`` → ``"XXquality-2017XX"`` / ``"QUALITY-2017"``, which name no standard)."""
    assert load_standard().id == load_standard(STANDARDS_DIR / "quality-2017.yaml").id == "quality-2017"


@pytest.mark.parametrize("spec", ["", "   "])
def test_an_empty_standard_name_is_refused_naming_the_option(spec):
    """An empty ``--standard`` is one problem naming the option, in both languages, under the
    standards' summary (kills ``InputError(None, …)`` / ``InputError(*SUMMARY)``, the summary
    dropped, and ``file`` / ``column`` / ``code`` / ``problem_zh`` → ``None``)."""
    from balance.method.standards import SUMMARY

    with pytest.raises(InputError) as ei:
        load_standard(spec)
    e = ei.value
    assert (e.summary_zh, e.summary_en) == SUMMARY
    assert [(p.file, p.column, p.code, p.problem_zh, p.problem_en) for p in e.errors] == [
        (spec, "--standard", "standard_not_found", "评估标准不能为空", "the standard must not be empty")]


def test_a_missing_file_and_a_folder_are_refused_each_with_its_own_reason(tmp_path):
    """A name that is neither built in nor a file lists the built-in standards; a folder says it
    is a folder; both name the spec under the standards' summary (kills ``st = None`` → ``""``,
    ``st is not None or True``, the text mutants of both reasons, ``b = None``, the ``", "`` join,
    the summary dropped and ``file=None``)."""
    from balance.method.standards import SUMMARY, builtin_standards

    b = ", ".join(builtin_standards())
    for spec, zh, en in [(str(tmp_path / "none.yaml"), f"既不是内置标准（{b}），也不是存在的 YAML 文件",
                          f"not a built-in one ({b}) and no such YAML file"),
                         (str(tmp_path), "是文件夹，不是 YAML 文件", "is a folder, not a YAML file")]:
        with pytest.raises(InputError) as ei:
            load_standard(spec)
        e = ei.value
        assert (e.summary_zh, e.summary_en) == SUMMARY
        assert [(p.file, p.code, p.problem_zh, p.problem_en) for p in e.errors] == [
            (spec, "standard_not_found", "找不到评估标准：" + zh, "standard not found: " + en)]
