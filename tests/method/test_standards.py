"""Standard files a province writes by hand: every bad number, type, key or file is refused.

Each kind below is one copy of a built-in standard with one mistake. ``balance assess --standard
bad.yaml`` must exit 2 with a Chinese and English message naming the file, the key path and (where
the key is in the file) its line, and write nothing; :func:`load_standard` must raise the same
problem. Nothing here may change a verdict silently.
"""
from __future__ import annotations

import math
import re

import pytest

from balance.cli import main
from balance.errors import InputError
from balance.method.standards import STANDARDS_DIR, load_standard
from tests.tables import valid_table

Q = (STANDARDS_DIR / "quality-2017.yaml").read_text(encoding="utf-8")
B = (STANDARDS_DIR / "basic-2012.yaml").read_text(encoding="utf-8")
P = (STANDARDS_DIR / "province-example.yaml").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``needle`` (after the edit)."""
    hits = [k for k, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth]


# kind -> (new text, key path the message must name, the line of that key or None)
def _kinds() -> dict[str, tuple[str, str, int | None]]:
    k: dict[str, tuple[str, str, int | None]] = {}

    def add(name, text, column, needle=None, nth=0):
        k[name] = (text, column, line_of(text, needle, nth) if needle else None)

    add("cv_limit_negative", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: -0.50"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_zero", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: 0"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_nan", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: .nan"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_inf", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: .inf"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_percent", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: 50"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_bool", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: yes"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_text", edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: 五成"), "cv_limit.小学", "cv_limit:")
    add("cv_limit_not_mapping", edit(Q, "cv_limit: {小学: 0.50, 初中: 0.45}", "cv_limit: abc"), "cv_limit", "cv_limit:")
    add("cv_limit_missing_stage", edit(Q, "cv_limit: {小学: 0.50, 初中: 0.45}", "cv_limit: {小学: 0.50}"),
        "cv_limit", "cv_limit:")
    add("cv_limit_unknown_stage", edit(Q, "cv_limit: {小学: 0.50, 初中: 0.45}", "cv_limit: {小学: 0.50, 初中: 0.45, 中学: 0.4}"),
        "cv_limit.中学", "cv_limit:")
    add("threshold_negative", edit(Q, "standard: {小学: 4.2", "standard: {小学: -4.2"),
        "indicators.0.standard.小学", "standard: {小学: -4.2")
    add("threshold_zero", edit(Q, "standard: {小学: 4.2", "standard: {小学: 0"), "indicators.0.standard.小学",
        "standard: {小学: 0")
    add("threshold_nan", edit(Q, "standard: {小学: 2000", "standard: {小学: .NaN"), "indicators.5.standard.小学",
        "standard: {小学: .NaN")
    add("threshold_inf", edit(Q, "standard: {小学: 2000", "standard: {小学: -.inf"), "indicators.5.standard.小学",
        "standard: {小学: -.inf")
    add("threshold_unknown_stage", edit(Q, "standard: {小学: 4.2, 初中: 5.3}", "standard: {小学: 4.2, 初中: 5.3, 大学: 1}"),
        "indicators.0.standard.大学", "大学")
    add("threshold_missing_stage", edit(Q, "standard: {小学: 4.2, 初中: 5.3}", "standard: {小学: 4.2}"),
        "indicators.0.standard", "standard: {小学: 4.2}")
    add("indicators_empty", edit(edit(Q, "school_rule: {min_met: 6, floor_ratio: 0.85}", "school_rule: null"),
                                 "indicators:\n", "indicators: []\nold_indicators:\n"), "indicators", "indicators: []")
    # an empty list with the school rule still in place, and nothing else wrong
    text = Q.split("\nindicators:\n")[0] + "\nindicators: []\n" + Q.split("# Pupil-weighted")[1].split("\n", 1)[1]
    add("indicators_empty_only", text, "indicators", "indicators: []")
    add("per_zero", edit(Q, "per: 100", "per: 0"), "indicators.0.per", "per: 0")
    add("per_inf", edit(Q, "per: 100", "per: .inf"), "indicators.0.per", "per: .inf")
    add("per_text", edit(Q, "per: 100", "per: many"), "indicators.0.per", "per: many")
    add("coefficient_inf", edit(Q, "numerator: {qualified_teachers: 1}", "numerator: {qualified_teachers: .inf}"),
        "indicators.0.numerator.qualified_teachers", "qualified_teachers: .inf")
    add("coefficient_zero", edit(Q, "numerator: {qualified_teachers: 1}", "numerator: {qualified_teachers: 0}"),
        "indicators.0.numerator.qualified_teachers", "qualified_teachers: 0")
    add("numerator_all_negative", edit(Q, "numerator: {qualified_teachers: 1}", "numerator: {qualified_teachers: -1}"),
        "indicators.0.numerator", "qualified_teachers: -1")
    add("numerator_unknown_field", edit(Q, "numerator: {qualified_teachers: 1}", "numerator: {qualifed_teachers: 1}"),
        "indicators.0.numerator.qualifed_teachers", "qualifed_teachers")
    add("add_column_not_in_numerator", edit(Q, "add_column: teaching_area", "add_column: books"),
        "indicators.3.add_column", "add_column: books")
    add("split_weight_zero", edit(Q, "九年一贯制学校: {小学: 1.0", "九年一贯制学校: {小学: 0"),
        "split_weights.九年一贯制学校.小学", "九年一贯制学校: {小学: 0")
    add("split_weight_negative", edit(Q, "完全中学: {初中: 1.0", "完全中学: {初中: -1.0"),
        "split_weights.完全中学.初中", "完全中学: {初中: -1.0")
    add("split_weight_nan", edit(Q, "default: {小学: 1.0", "default: {小学: .nan"),
        "split_weights.default.小学", "default: {小学: .nan")
    add("split_weight_unknown_school_type", edit(Q, "  九年一贯制学校: {小学: 1.0", "  九年一惯制学校: {小学: 1.0"),
        "split_weights.九年一惯制学校", "九年一惯制学校")
    add("split_weight_unknown_stage", edit(Q, "九年一贯制学校: {小学: 1.0, 初中: 1.1}", "九年一贯制学校: {小学: 1.0, 初級: 1.1}"),
        "split_weights.九年一贯制学校.初級", "初級")
    add("min_met_too_large", edit(Q, "min_met: 6", "min_met: 9"), "school_rule.min_met", "min_met: 9")
    add("min_met_negative", edit(Q, "min_met: 6", "min_met: -1"), "school_rule.min_met", "min_met: -1")
    add("min_met_fraction", edit(Q, "min_met: 6", "min_met: 5.5"), "school_rule.min_met", "min_met: 5.5")
    add("floor_ratio_zero", edit(Q, "floor_ratio: 0.85", "floor_ratio: 0"), "school_rule.floor_ratio", "floor_ratio: 0")
    add("floor_ratio_percent", edit(Q, "floor_ratio: 0.85", "floor_ratio: 85"), "school_rule.floor_ratio", "floor_ratio: 85")
    add("floor_ratio_above_one", edit(Q, "floor_ratio: 0.85", "floor_ratio: 1.2"), "school_rule.floor_ratio",
        "floor_ratio: 1.2")
    add("school_rule_typo", edit(Q, "min_met: 6", "min_mets: 6"), "school_rule.min_mets", "min_mets")
    add("stage_unknown", edit(Q, "stages: [小学, 初中]", "stages: [小学, 高中]"), "stages.1", "stages:")
    add("stages_empty", edit(Q, "stages: [小学, 初中]", "stages: []"), "stages", "stages:")
    add("stage_twice", edit(Q, "stages: [小学, 初中]", "stages: [小学, 小学]"), "stages.1", "stages:")
    add("indicator_name_twice", edit(Q, "name: 每百名学生拥有县级及以上骨干教师数", "name: 每百名学生拥有高于规定学历教师数"),
        "indicators.1.name", "name: 每百名学生拥有高于规定学历教师数", 1)
    add("indicator_short_twice", edit(Q, "short: 骨干教师", "short: 高学历教师"), "indicators.1.short", "short: 高学历教师", 1)
    add("indicator_name_empty", edit(Q, "name: 每百名学生拥有县级及以上骨干教师数", 'name: ""'), "indicators.1.name", 'name: ""')
    add("indicator_name_number", edit(Q, "name: 每百名学生拥有县级及以上骨干教师数", "name: 12"), "indicators.1.name", "name: 12")
    add("whole_units_text", edit(Q, "whole_units: true", "whole_units: 是"), "indicators.0.whole_units", "whole_units: 是")
    add("unknown_top_level_key", edit(Q, "cv_limit:", "cv_limt:"), "cv_limt", "cv_limt:")
    add("missing_required_key", edit(Q, "title:", "titel:"), "title", None)
    add("title_empty", edit(Q, "short_title: 优质均衡（2017）", "short_title: ''"), "short_title", "short_title:")
    add("scope_unknown_school_type", edit(Q, "school_type: [特殊教育学校]", "school_type: [特教学校]"),
        "scope.exclude.0.when.school_type.0", "特教学校")
    add("scope_students_below_negative", edit(Q, "students_below: 50", "students_below: -50"),
        "scope.exclude.1.when.students_below", "students_below: -50")
    add("scope_unknown_condition", edit(Q, "when: {school_type: [特殊教育学校]}", "when: {schooltype: [特殊教育学校]}"),
        "scope.exclude.0.when.schooltype", "schooltype")
    add("scope_reason_empty", edit(Q, "reason: 特殊教育学校不纳入资源配置评估", "reason: ''"), "scope.exclude.0.reason",
        "reason: ''")
    add("county_rule_nothing", edit(Q, "county_rule: {all_sections_pass: true, each_cv_within_limit: true}",
                                    "county_rule: {all_sections_pass: false, each_cv_within_limit: false}"),
        "county_rule", "county_rule:")
    add("county_rule_needs_cv_limit", edit(Q, "cv_limit: {小学: 0.50, 初中: 0.45}", "cv_limit: null"),
        "county_rule.each_cv_within_limit", "county_rule:")
    add("composite_limit_negative", edit(B, "limit: {小学: 0.65", "limit: {小学: -0.65"), "composite_cv.limit.小学",
        "composite_cv:")
    add("composite_limit_missing_stage", edit(B, "limit: {小学: 0.65, 初中: 0.55}", "limit: {小学: 0.65}"),
        "composite_cv.limit", "composite_cv:")
    add("evaluation_setting_negative", Q + "\nevaluation_settings: {class_size_primary: -45}\n",
        "evaluation_settings.class_size_primary", "evaluation_settings:")
    add("evaluation_setting_inf", Q + "\nevaluation_settings: {class_size_primary: .inf}\n",
        "evaluation_settings.class_size_primary", "evaluation_settings:")
    add("evaluation_setting_percent_over_100", Q + "\nevaluation_settings: {recognition_min: 850}\n",
        "evaluation_settings.recognition_min", "evaluation_settings:")
    add("relaxation_year_fraction", edit(P, "when: {built_before: 2016}", "when: {built_before: 2016.5}"),
        "relaxations.0.when.built_before", "built_before: 2016.5")
    add("relaxation_unknown_urban_rural", edit(P, "when: {built_before: 2016}", "when: {built_before: 2016, urban_rural: [农村地区]}"),
        "relaxations.0.when.urban_rural.0", "农村地区")
    add("relaxation_setting_nan", edit(P, "settings: {music_room_min_area: 72", "settings: {music_room_min_area: .nan"),
        "relaxations.0.settings.music_room_min_area", "music_room_min_area: .nan")
    return k


KINDS = _kinds()


@pytest.fixture(scope="module")
def school_csv(tmp_path_factory):
    p = tmp_path_factory.mktemp("data") / "学校数据.csv"
    valid_table().to_csv(p, index=False, encoding="utf-8-sig")
    return p


def _bilingual(p) -> bool:
    """A Chinese explanation (not pydantic's English in the Chinese half) and an English one."""
    zh = p.problem_zh.split("：", 1)[-1]
    return bool(CJK.search(zh)) and not re.search(r"Input should|Value error|Extra inputs", p.problem_zh) \
        and bool(re.search(r"[A-Za-z]{3,}", p.problem_en))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bad_standard_is_refused(kind, tmp_path, school_csv, capsys):
    text, column, line = KINDS[kind]
    bad = tmp_path / f"省标准_{kind}.yaml"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["assess", str(school_csv), "--out", str(out), "--standard", str(bad), "--no-excel"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert bad.name in err and column in err and "invalid standard" in err and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(InputError) as ei:
        load_standard(bad)
    mine = [p for p in ei.value.errors if p.column == column]
    assert mine, [(p.column, p.problem_en) for p in ei.value.errors]
    assert all(p.file == str(bad) for p in ei.value.errors)
    assert all(_bilingual(p) for p in ei.value.errors), [(p.problem_zh, p.problem_en) for p in ei.value.errors]
    if line is not None:
        assert mine[0].row == line, (mine[0].row, line)


def _raw_file_kinds():
    table = {
        "list": (b"- a\n- b\n", "yaml_not_mapping", None),
        "scalar": ("仅一行文字\n".encode(), "yaml_not_mapping", None),
        "empty": (b"", "yaml_not_mapping", None),
        "binary": (b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)) * 4, "binary", None),
        "utf16": (("\ufeff" + Q).encode("utf-16-le"), "encoding", None),
        "undecodable": (b"id: x\ntitle: \x80\xff\x80\xff\n", "encoding", None),
        "syntax_unclosed_bracket": ("id: x\ntitle: [没有闭合\nshort_title: y\n".encode(), "yaml_syntax", 2),
        "syntax_bad_indent": ("id: x\ntitle: t\n  short_title: y\nstages: [小学]\n".encode(), "yaml_syntax", 3),
        "syntax_unclosed_quote": ('id: x\ntitle: "没有闭合\nshort_title: y\nstages: [小学]\n'.encode(), "yaml_syntax", 2),
        "tab_indent": ("id: x\nscope:\n\texclude: []\n".encode(), "yaml_syntax", 3),
        "duplicate_key": (edit(Q, "school_rule:", "cv_limit: {小学: 5, 初中: 5}\nschool_rule:").encode(),
                          "yaml_duplicate_key", line_of(edit(Q, "school_rule:", "cv_limit: {小学: 5, 初中: 5}\nschool_rule:"),
                                                        "cv_limit:", 1)),
        "two_documents": (Q.encode() + b"\n---\nid: y\n", "yaml_syntax", None),
        "alias_bomb": (b"id: x\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
                       "yaml_too_large", None),
        "deep_nesting": (b"id: " + b"[" * 5000 + b"]" * 5000 + b"\n", None, None),
        "huge_file": (Q.encode() + b"#" + b" " * (2 << 20) + b"\n", "file_too_large", None),
        "control_character": ("id: x\ntitle: a\x07b\n".encode(), "yaml_syntax", None),
    }
    return table


RAW = _raw_file_kinds()


@pytest.mark.parametrize("kind", sorted(RAW))
def test_bad_standard_file_is_refused(kind, tmp_path, school_csv, capsys):
    data, code_expected, line = RAW[kind]
    bad = tmp_path / f"std_{kind}.yaml"
    bad.write_bytes(data)
    out = tmp_path / "out"
    code = main(["assess", str(school_csv), "--out", str(out), "--standard", str(bad), "--no-excel"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert bad.name in err and "Traceback" not in err and CJK.search(err) and "invalid standard" in err
    assert not out.exists()
    with pytest.raises(InputError) as ei:
        load_standard(bad)
    p = ei.value.errors[0]
    assert _bilingual(p) and p.file == str(bad)
    if code_expected:
        assert p.code == code_expected, (p.code, p.problem_en)
    if line is not None:
        assert p.row == line, (p.row, p.problem_en)
    assert "\n" not in p.problem_zh and "\n" not in p.problem_en  # one line in the problem table


def test_gb18030_standard_loads_like_utf8(tmp_path):
    """A province's file saved by Chinese Windows Notepad (GB18030) is the same standard."""
    gbk = tmp_path / "省标准.yaml"
    gbk.write_bytes(edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: 0.40").encode("gb18030"))
    std = load_standard(gbk)
    assert std.cv_limit["小学"] == 0.40 and std.title == load_standard("quality-2017").title


def test_edited_file_is_read_again(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(Q, encoding="utf-8")
    assert load_standard(p).cv_limit["小学"] == 0.50
    p.write_text(edit(Q, "cv_limit: {小学: 0.50", "cv_limit: {小学: 0.40"), encoding="utf-8")
    assert load_standard(p).cv_limit["小学"] == 0.40


def test_folder_as_standard(tmp_path, capsys):
    with pytest.raises(InputError) as ei:
        load_standard(tmp_path)
    assert "folder" in ei.value.errors[0].problem_en


@pytest.mark.parametrize("name", ["quality-2017", "basic-2012", "province-example"])
def test_builtin_standards_are_valid(name):
    std = load_standard(name)
    assert std.indicators and all(math.isfinite(x) for i in std.indicators for x in (i.standard or {}).values())

