"""Run parameters: YAML loading, bilingual errors, notebook parameters, data checks (no kernels)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from balance.errors import InputError
from balance.running.params import (
    RunParams,
    check_against_data,
    check_notebook_parameters,
    declared_parameters,
    error_line,
    load_params,
    notebook_parameters,
    read_data_keys,
    validate_run,
)

NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
CSV = "年份,县区代码,县区名称\n2024,130102,长安区\n2025,130102,长安区\n2025,130104,桥西区\n"


@pytest.fixture
def repo(make_repo):
    """A fake repository: pyproject.toml, data/schools.csv, params/."""
    return make_repo(CSV)


def write(repo: Path, text: str, name: str = "run.yaml") -> Path:
    p = repo / "params" / name
    p.write_text(text, encoding="utf-8")
    return p


def codes(exc: InputError) -> list[str]:
    return [p.code for p in exc.errors]


def test_valid_file_resolves_data_against_repo_root(repo):
    p = write(repo, 'notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102"\nyear: 2025\n'
                    "title: 长安区 2025 年简报\n")
    params = load_params(p, NOTEBOOKS)
    assert params.data == (repo / "data" / "schools.csv").resolve()
    assert params.data.is_absolute()
    assert params.county_code == "130102" and params.year == 2025
    assert params.standard == "quality-2017"
    assert params.title == "长安区 2025 年简报"
    assert params.run_name == "run"
    assert params.given_keys() == {"notebook", "data", "county_code", "year", "title"}


def test_relative_data_without_repo_resolves_against_params_folder(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "d.csv").write_text(CSV, encoding="utf-8")
    p = tmp_path / "p" / "x.yaml"
    p.write_text("notebook: region_overview\ndata: d.csv\nyear: 2025\n", encoding="utf-8")
    assert load_params(p, NOTEBOOKS).data == (tmp_path / "p" / "d.csv").resolve()


def test_unquoted_county_code_is_text(repo):
    p = write(repo, "notebook: county_trend\ndata: data/schools.csv\ncounty_code: 130102\n")
    assert load_params(p, NOTEBOOKS).county_code == "130102"


def test_unquoted_county_briefings_are_text(repo):
    """``county_briefings: [130102, "130104"]``: unquoted codes become the 6-digit text, as county_code."""
    p = write(repo, 'notebook: region_overview\ndata: data/schools.csv\nyear: 2025\ncounty_briefings: [130102, "130104"]\n')
    params = load_params(p, NOTEBOOKS)
    assert params.county_briefings == ["130102", "130104"]
    assert notebook_parameters(params, repo / "out")["county_briefings"] == ["130102", "130104"]


@pytest.mark.parametrize("bad", ["[1301020]", "[130102.0]", "[true]"])
def test_county_briefings_still_refuse_what_is_not_a_code(repo, bad):
    p = write(repo, f"notebook: region_overview\ndata: data/schools.csv\nyear: 2025\ncounty_briefings: {bad}\n")
    with pytest.raises(InputError):
        load_params(p, NOTEBOOKS)


def test_yaml_syntax_error_names_the_line(repo):
    p = write(repo, 'notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102\nyear: 2025\n')
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    (prob,) = ei.value.errors
    assert prob.code == "yaml_syntax" and prob.row is not None
    assert "YAML" in prob.problem_zh and "line" in prob.problem_en


def test_unknown_key_is_an_error_with_its_line(repo):
    p = write(repo, "notebook: region_overview\ndata: data/schools.csv\nyear: 2025\ncolour: red\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    (prob,) = ei.value.errors
    assert prob.code == "unknown_key" and prob.column == "colour" and prob.row == 4
    assert "未知的参数" in prob.problem_zh and "unknown key" in prob.problem_en


@pytest.mark.parametrize("line, key", [
    ("year: twenty", "year"),
    ("year: 2025.5", "year"),
    ("year: true", "year"),
    ('county_code: "1301"', "county_code"),
    ("county_code: 13010.2", "county_code"),
    ("title: [a, b]", "title"),
])
def test_wrong_types(repo, line, key):
    base = {"year": "year: 2025", "county_code": 'county_code: "130102"', "title": ""}
    lines = ["notebook: county_briefing", "data: data/schools.csv", base["year"], base["county_code"]]
    lines = [ln for ln in lines if not ln.startswith(key + ":")] + [line]
    p = write(repo, "\n".join(lines) + "\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert [p.column for p in ei.value.errors] == [key]
    assert codes(ei.value) == ["wrong_type"]


def test_missing_keys_for_notebook(repo):
    p = write(repo, "notebook: county_briefing\ndata: data/schools.csv\nyear: 2025\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert codes(ei.value) == ["missing_key"]
    assert "county_code" in ei.value.errors[0].problem_en
    p = write(repo, "notebook: county_briefing\ncounty_code: '130102'\nyear: 2025\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert codes(ei.value) == ["missing_key"] and ei.value.errors[0].column == "data"


def test_missing_data_file_and_unknown_standard_reported_together(repo):
    p = write(repo, "notebook: region_overview\ndata: data/nope.csv\nyear: 2025\nstandard: quality-2099\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert codes(ei.value) == ["data_not_found", "unknown_standard"]
    assert "找不到数据文件" in ei.value.errors[0].problem_zh
    assert "nope.csv" in ei.value.errors[0].problem_en


def test_standard_file_path_is_resolved(repo):
    (repo / "std.yaml").write_text("x: 1\n", encoding="utf-8")
    p = write(repo, "notebook: region_overview\ndata: data/schools.csv\nyear: 2025\nstandard: std.yaml\n")
    assert load_params(p, NOTEBOOKS).standard == str((repo / "std.yaml").resolve())
    p = write(repo, "notebook: region_overview\ndata: data/schools.csv\nyear: 2025\nstandard: missing/std.yaml\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert codes(ei.value) == ["standard_not_found"]


def test_invalid_notebook_name_and_notebook_not_found(repo, tmp_path):
    p = write(repo, "notebook: county_summary\ndata: data/schools.csv\nyear: 2025\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert codes(ei.value) == ["unknown_notebook"]
    p = write(repo, "notebook: region_overview\ndata: data/schools.csv\nyear: 2025\n")
    empty = tmp_path / "no_notebooks"
    empty.mkdir()
    with pytest.raises(InputError) as ei:
        load_params(p, empty)
    assert codes(ei.value) == ["notebook_not_found"]


def test_not_a_mapping_and_missing_file(repo):
    with pytest.raises(InputError) as ei:
        load_params(write(repo, "- a\n- b\n"), NOTEBOOKS)
    assert codes(ei.value) == ["yaml_not_mapping"]
    with pytest.raises(InputError) as ei:
        load_params(repo / "params" / "nothing.yaml", NOTEBOOKS)
    assert codes(ei.value) == ["params_not_found"]


def test_previous_year_must_be_before_year(repo):
    p = write(repo, "notebook: region_overview\ndata: data/schools.csv\nyear: 2025\nprevious_year: 2025\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert codes(ei.value) == ["invalid_value"]


# --- against the data ------------------------------------------------------------------------
def test_county_or_year_not_in_data(repo):
    table = read_data_keys(repo / "data" / "schools.csv")
    assert list(table.columns) == ["year", "county_code"]
    ok = RunParams(notebook="county_briefing", data=repo / "data" / "schools.csv", county_code="130102", year=2025)
    check_against_data(ok, table)
    with pytest.raises(InputError) as ei:
        check_against_data(ok.model_copy(update={"year": 2030}), table)
    assert codes(ei.value) == ["year_not_in_data"]
    assert "2024, 2025" in ei.value.errors[0].problem_en
    with pytest.raises(InputError) as ei:
        check_against_data(ok.model_copy(update={"county_code": "999999"}), table)
    assert codes(ei.value) == ["county_not_in_data"]
    with pytest.raises(InputError) as ei:  # both exist, but not together
        check_against_data(ok.model_copy(update={"county_code": "130104", "year": 2024}), table)
    assert codes(ei.value) == ["county_year_not_in_data"]
    with pytest.raises(InputError) as ei:
        check_against_data(ok.model_copy(update={"previous_year": 2020}), table)
    assert codes(ei.value) == ["year_not_in_data"]


def test_data_keys_from_gb18030_csv_with_alias_headers(tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes("统计年份 , 区县代码,学校名称\n2025,130102,第一小学\n".encode("gb18030"))
    t = read_data_keys(f)
    assert t.to_dict("records") == [{"year": "2025", "county_code": "130102"}]


# --- against the notebook's parameters --------------------------------------------------------
def test_declared_parameters_of_fixture():
    assert set(declared_parameters(NOTEBOOKS / "explore.ipynb")) == {"data", "output_dir"}
    assert {"county_code", "year", "data", "output_dir", "title", "standard"} <= set(
        declared_parameters(NOTEBOOKS / "county_briefing.ipynb"))


def test_key_not_declared_by_notebook_is_an_error(repo):
    # county_trend's fixture declares county_code, data, output_dir — not year nor title
    p = write(repo, 'notebook: county_trend\ndata: data/schools.csv\ncounty_code: "130102"\ntitle: 趋势\n')
    with pytest.raises(InputError) as ei:
        validate_run(p, NOTEBOOKS)
    assert codes(ei.value) == ["undeclared_key"] and ei.value.errors[0].column == "title"
    assert "不是笔记本 county_trend 声明的参数" in ei.value.errors[0].problem_zh
    with pytest.raises(InputError) as ei:
        check_notebook_parameters(load_params(p, NOTEBOOKS), {})
    assert codes(ei.value) == ["no_parameters_cell"]


def test_validate_run_checks_the_data(repo):
    p = write(repo, 'notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102"\nyear: 2023\n')
    with pytest.raises(InputError) as ei:
        validate_run(p, NOTEBOOKS)
    assert codes(ei.value) == ["year_not_in_data"]
    line = error_line(ei.value)
    assert "\n" not in line and "2023" in line and "/" in line


def test_notebook_parameters_are_plain_and_absolute(repo, tmp_path):
    p = write(repo, 'notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102"\nyear: 2025\n')
    params, declared = validate_run(p, NOTEBOOKS)
    values = notebook_parameters(params, tmp_path / "out" / "run", declared)
    assert values == {
        "data": str((repo / "data" / "schools.csv").resolve()),
        "county_code": "130102",
        "year": 2025,
        "standard": "quality-2017",
        "output_dir": str((tmp_path / "out" / "run").resolve()),
    }
    assert all(isinstance(v, (str, int)) for v in values.values())
    # a notebook that does not declare output_dir / standard does not get them
    ex = write(repo, "notebook: explore\ndata: data/schools.csv\n", "ex.yaml")
    params, declared = validate_run(ex, NOTEBOOKS)
    assert set(notebook_parameters(params, tmp_path, declared)) == {"data", "output_dir"}
    assert set(notebook_parameters(params, tmp_path, {"data"})) == {"data"}


def test_error_line_for_other_exceptions():
    assert error_line(ValueError("a\nb")) == "ValueError: a b"


def test_data_table_check_accepts_frame_with_int_years():
    df = pd.DataFrame({"year": [2025], "county_code": ["130102"]})
    check_against_data(RunParams(notebook="region_overview", data=Path("x.csv"), year=2025), df)


@pytest.mark.parametrize("text, line, zh", [
    # an unclosed quote: PyYAML's problem mark is the end of the file (line 5 of 4)
    ('notebook: county_briefing\ndata: data/schools.csv\ncounty_code: "130102\nyear: 2025\n', 3, "引号未闭合"),
    ("notebook: county_briefing\ntitle: 'abc\nyear: 2025\n\n\n", 2, "引号未闭合"),
    # a missing colon: the problem mark is the next line
    ("notebook: county_briefing\ndata data/schools.csv\nyear: 2025\n", 2, "缺少冒号"),
    ("notebook: county_briefing\ntitle: [a, b\nyear: 2025\ndata: x\n", 2, "方括号"),
    ("notebook: county_briefing\n\tdata: x\nyear: 2025\n", 2, "制表符"),
    ("notebook: county_briefing\ntitle: a: b\nyear: 2025\n", 2, "加引号"),
])
def test_broken_yaml_line_is_reported_where_it_is(repo, text, line, zh):
    p = write(repo, text)
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    (prob,) = ei.value.errors
    assert prob.row == line, (prob.row, prob.problem_en)
    assert f"第 {line} 行" in prob.problem_zh and f"line {line}" in prob.problem_en and zh in prob.problem_zh
    assert prob.value == text.splitlines()[line - 1].strip()


def test_key_written_twice_is_an_error(repo):
    p = write(repo, "notebook: county_briefing\nyear: 2024\ndata: data/schools.csv\ncounty_code: '130102'\nyear: 2025\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    (prob,) = ei.value.errors
    assert prob.row == 5 and "写了两次" in prob.problem_zh and "第 2 行" in prob.problem_zh
    assert "duplicate key 'year'" in prob.problem_en


def test_params_file_not_utf8_or_huge(repo):
    p = repo / "params" / "gbk.yaml"
    p.write_bytes("notebook: county_briefing\ntitle: 长安区\n".encode("gb18030"))
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert ei.value.errors[0].code == "params_encoding" and ei.value.errors[0].row == 2
    big = repo / "params" / "big.yaml"
    big.write_bytes(b"# " + b"x" * (2 << 20) + b"\nnotebook: explore\n")
    with pytest.raises(InputError) as ei:
        load_params(big, NOTEBOOKS)
    assert ei.value.errors[0].code == "params_too_large"


def test_deeply_nested_yaml_is_refused(repo):
    p = write(repo, "title: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError) as ei:
        load_params(p, NOTEBOOKS)
    assert ei.value.errors[0].code == "yaml_syntax" and "嵌套过深" in ei.value.errors[0].problem_zh
