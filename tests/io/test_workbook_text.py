"""Every workbook the package writes keeps text as text and numbers finite (issue 9, item 3).

openpyxl stores any string that begins with ``=`` as a formula and ``#N/A``-like strings as error
cells; Excel evaluates the one and shows the other as an error. A school or county name (or a rule
text such as ``= 100 %``) must come out of ``results.xlsx``, ``evaluation.xlsx``, the templates and
the demo workbook exactly as it went in, as a text cell. The tables here are built at the
assessment level (:mod:`tests.factories`), bypassing validation, so the workbook writers are
tested on their own: validation refusing such names is a second, independent line of defence.
"""
from __future__ import annotations

import math
import re
import zipfile

import numpy as np
import openpyxl
import pytest

from balance.io.export import assessment as export
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import primary, school, table

Q = load_standard("quality-2017")

#: Names that Excel (or openpyxl) would read as formulas, error values or commands.
HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x","y")', "#N/A", "#DIV/0!",
           "=cmd|' /C calc'!A0", "= 100 %"]


def _cells(path):
    """(sheet, coordinate, value, data_type, quotePrefix) of every cell of every sheet."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield ws.title, c.coordinate, c.value, c.data_type, bool(c.quotePrefix)


def _raw_sheets(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


def assert_text_only(path, expected: list[str]) -> None:
    """No formula or error cell anywhere; every ``expected`` string present, intact, as text."""
    cells = list(_cells(path))
    formulas = [(s, a, v) for s, a, v, t, _ in cells if t in ("f", "e")]
    assert formulas == [], f"{len(formulas)} formula/error cells, e.g. {formulas[:3]}"
    for name, xml in _raw_sheets(path).items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert 't="e"' not in xml, name
    texts = {v for _, _, v, t, _ in cells if isinstance(v, str)}
    for s in expected:
        assert s in texts or any(s in t for t in texts), f"{s!r} not written as text"
    # a clerk who edits such a cell (F2, Enter) keeps text: Excel's quote prefix is set
    risky = [(s, a, v) for s, a, v, t, q in cells if isinstance(v, str) and v[:1] in "=+-@" and not q]
    assert risky == [], risky[:3]


def assert_numbers_finite(path) -> None:
    for s, a, v, t, _ in _cells(path):
        if isinstance(v, float):
            assert math.isfinite(v), (s, a, v)
    for name, xml in _raw_sheets(path).items():
        assert not re.search(r"<v>\s*-?(inf|nan)", xml, re.I), name


@pytest.fixture(scope="module")
def hostile_assessment():
    rows = []
    for i, name in enumerate(HOSTILE, start=1):
        # one county per name (its county name, township and school name all hostile); the odd schools
        # fail (too few rooms) so the shortfall sheets carry names too
        rows.append(primary(str(i), 300 + 10 * i, rooms=1 if i % 2 else None, school_name=name,
                            county_code=f"9901{i:02d}", county_name=name, township=name))
    rows.append(primary("90", 30, school_type="教学点", school_name="@教学点", county_code="990101",
                        county_name=HOSTILE[0], township="-乡"))
    rows.append(school("91", school_type="初级中学", junior_students=400, junior_teachers=40,
                       junior_qualified_teachers=30, junior_backbone_teachers=5, junior_pe_art_teachers=4,
                       teaching_area=2600.0, sports_ground_area=4200.0, equipment_value=1_100_000.0,
                       multimedia_rooms=10, school_name="=2*3", county_code="990101", county_name=HOSTILE[0]))
    return assess_schools(table(*rows), Q, source="=evil.csv", sha256="ab" * 32)


def test_results_workbook_keeps_hostile_names_as_text(tmp_path, hostile_assessment):
    export.write_results(hostile_assessment, tmp_path)
    assert_text_only(tmp_path / "results.xlsx", HOSTILE + ["@教学点", "=2*3", "-乡", "=evil.csv"])


def test_results_workbook_keeps_names_that_look_like_booleans(tmp_path):
    """Only boolean columns become 是 / 否: a school or county named "true" keeps its name."""
    t = table(primary("1", 300, school_name="true", county_name="false"), primary("2", 200))
    t = t.astype({"school_name": object, "county_name": object})  # as a table built by hand may have them
    export.write_workbook(assess_schools(t, Q, source="x.csv"), tmp_path / "results.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "results.xlsx")
    values = {c.value for r in wb["学校指标"].iter_rows() for c in r} | {c.value for r in wb["县域结论"].iter_rows() for c in r}
    assert {"true", "false"} <= values
    assert "是" in {c.value for r in wb["学校指标"].iter_rows() for c in r}  # the real booleans are translated


def test_results_workbook_nan_and_inf_are_blank_or_marked(tmp_path, hostile_assessment):
    a = hostile_assessment
    sr = a.school_results.copy()
    sr["min_ratio"] = sr["min_ratio"].astype(float)
    sr.loc[sr.index[0], "min_ratio"] = np.inf
    sr.loc[sr.index[1], "min_ratio"] = -np.inf
    sr.loc[sr.index[2], "min_ratio"] = np.nan
    a2 = _replace(a, school_results=sr)
    export.write_workbook(a2, tmp_path / "results.xlsx")
    assert_numbers_finite(tmp_path / "results.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "results.xlsx")
    ws = wb["学校指标"]
    head = [c.value for c in ws[1]]
    col = head.index("最低达成率") + 1
    # the workbook orders 小学 before 初中 within a school: find the three rows by school and stage
    at = {(ws.cell(r, head.index("学校标识码") + 1).value, ws.cell(r, head.index("学段") + 1).value): r
          for r in range(2, ws.max_row + 1)}
    rows = [at[(sr["school_code"].iat[i], sr["stage"].iat[i])] for i in range(3)]
    got = [ws.cell(row=r, column=col).value for r in rows]
    assert got == [export.EXCEL_INF_TEXT, "-" + export.EXCEL_INF_TEXT, None]
    # a missing value is an empty cell, not a cell holding an empty string
    assert ws.cell(row=rows[2], column=col).data_type != "s" or ws.cell(row=rows[2], column=col).value is None


def _replace(a, **frames):
    import copy

    b = copy.copy(a)
    for k, v in frames.items():
        setattr(b, k, v)
    return b


def test_control_characters_and_huge_text_do_not_break_the_workbook(tmp_path, hostile_assessment):
    """openpyxl refuses control characters (a crash) and Excel cuts text at 32,767 characters
    (a "repair" prompt): both are cleaned, visibly, instead."""
    a = hostile_assessment
    sr = a.school_results.copy()
    sr["school_name"] = sr["school_name"].astype(object)
    sr.loc[sr.index[0], "school_name"] = "铃\x07声\x00小学"
    sr.loc[sr.index[1], "school_name"] = "长" * 40_000
    export.write_workbook(_replace(a, school_results=sr), tmp_path / "results.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "results.xlsx")["学校指标"]
    head = [c.value for c in ws[1]]
    col = head.index("学校名称") + 1
    names = [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]
    first = next(n for n in names if n.startswith("铃"))
    second = next(n for n in names if n.startswith("长"))
    assert first.startswith("铃") and "声" in first and "\x07" not in first and "\x00" not in first
    assert len(second) <= export.EXCEL_MAX_TEXT and second.startswith("长" * 1000)


def test_evaluation_workbook_keeps_text_as_text(tmp_path):
    from balance.method.evaluation import evaluate, write_evaluation
    from tests.method.test_evaluation import passing_table, sheet

    ev = evaluate(passing_table(), sheet(g6_small_school_funding="否"))
    ev.verdicts["county_name"] = "=1+1"
    ev.items["county_name"] = "=1+1"
    ev.items["note"] = ['=HYPERLINK("http://x","y")'] * len(ev.items)
    ev.school_items["school_name"] = "+SUM(A1)"
    ev.assessment.county_indicators["county_name"] = "@cmd"
    write_evaluation(ev, tmp_path)
    path = tmp_path / "evaluation.xlsx"
    assert_text_only(path, ["=1+1", '=HYPERLINK("http://x","y")', "+SUM(A1)", "@cmd"])
    assert_numbers_finite(path)
    # the rule texts of the standard (e.g. "= 100 %") are text too
    rules = {v for s, _, v, _, _ in _cells(path) if s == "逐项结果" and isinstance(v, str) and v.startswith("=")}
    assert rules, "expected rule texts beginning with '=' in 逐项结果"


def test_demo_table_workbook_keeps_text_as_text(tmp_path):
    from balance.synthetic.demo import write_table_xlsx
    from tests.tables import valid_table

    df = valid_table(years=(2024,))
    df.loc[0, "学校名称"] = "=1+1"
    df.loc[1, "县区名称"] = "#N/A"
    df.loc[2, "乡镇"] = "@cmd"
    df["教学及辅助用房面积(㎡)"] = df["教学及辅助用房面积(㎡)"].astype(float)
    df.loc[3, "教学及辅助用房面积(㎡)"] = np.inf
    df.loc[4, "教学及辅助用房面积(㎡)"] = np.nan
    path = write_table_xlsx(df, tmp_path / "t.xlsx")
    assert_text_only(path, ["=1+1", "#N/A", "@cmd"])
    assert_numbers_finite(path)


def test_county_sheet_template_keeps_prefilled_names_as_text(tmp_path):
    from balance.io.county_sheet import write_county_sheet_template

    path = write_county_sheet_template(tmp_path / "c.xlsx", rows=[(2025, "990101", "=1+1"), (2025, "990102", "@x")])
    assert_text_only(path, ["=1+1", "@x"])


@pytest.mark.parametrize("which", ["school-table", "county-sheet"])
def test_templates_have_no_formula_cells(tmp_path, which):
    from balance.io.county_sheet import write_county_sheet_template
    from balance.io.templates import write_school_table_template

    writer = write_school_table_template if which == "school-table" else write_county_sheet_template
    assert_text_only(writer(tmp_path / "t.xlsx"), [])


def test_every_workbook_writer_goes_through_the_text_safe_path():
    """A new writer that calls ``to_excel`` / ``ws.append`` / ``ws.cell(..., value=...)`` directly would
    store "=…" as a formula again: only :mod:`balance.io.export.cells` (re-exported by
    :mod:`balance.io.export.xlsx`) may touch cells directly."""
    from pathlib import Path

    import balance

    offenders = []
    root = Path(balance.__file__).parent
    for p in sorted(root.rglob("*.py")):
        if p.relative_to(root).as_posix() == "io/export/cells.py":
            continue
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.to_excel\(|ExcelWriter\(|\b(ws|sheet|guide|ex|wb\.active)\.append\(|\.cell\([^)]*value=", line):
                offenders.append(f"{p.name}:{n}: {line.strip()}")
    assert offenders == []
