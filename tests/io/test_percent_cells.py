"""Trap 1 of issue 12: a rate typed as 92 % in a percent-formatted Excel cell is stored as 0.92.

Real ``.xlsx`` files are built with openpyxl (``number_format='0%'`` and a custom ``0.0%``), as a
clerk's Excel writes them; the expected values are the percentages the cells show in Excel."""
from __future__ import annotations

import math

import openpyxl
import pytest

from balance.io.county_sheet import DESCRIPTION_ROWS, SHEET_NAME, fields, load_county_sheet, write_county_sheet_template
from balance.io.workbook import open_workbook
from balance.io.workbook.styles import is_percent_format, percent_styles

RATES = [f for f in fields() if f["type"] == "rate"]


def _filled(tmp_path, value, number_format=None, name="county.xlsx", only=None):
    """The county-sheet template filled by hand: every item holds, every rate cell set to ``value``
    (with ``number_format`` when given) — or only the field ``only``."""
    path = write_county_sheet_template(tmp_path / name, rows=[(2024, "130102", "长安区")])
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_NAME]
    hr = DESCRIPTION_ROWS + 1
    col = {c.value: c.column for c in ws[hr]}
    for f in fields():
        cell = ws.cell(row=hr + 1, column=col[f["header"]])
        if f["type"] == "yes_no":
            cell.value = "否" if f["area"] == "veto" else "是"
        elif f["type"] == "rate":
            cell.value = value if only in (None, f["name"]) else 100
            if number_format and only in (None, f["name"]):
                cell.number_format = number_format
        elif f["type"] == "amount":
            cell.value = 8000
        else:
            cell.value = 0.1
    wb.save(path)
    return path


@pytest.mark.parametrize("code, expected", [("0%", True), ("0.00%", True), ("0.0%;[Red]-0.0%", True),
                                            ('0.0"%"', False), ("0\\%", False), ("[>=100]0;0.00", False),
                                            ("General", False), ("#,##0.00", False)])
def test_percent_format_codes(code, expected):
    assert is_percent_format(code) is expected


def test_percent_styles_from_styles_xml():
    xml = (b'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
           b'<cellStyleXfs count="1"><xf numFmtId="9"/></cellStyleXfs>'
           b'<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="9" applyNumberFormat="1"/>'
           b'<xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>')
    assert percent_styles(xml) == {1, 3}  # cellStyleXfs are not cell formats


def test_workbook_finds_percent_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B2"], ws["C3"] = 0.92, 0.5, 7
    ws["B2"].number_format = "0%"
    ws["C3"].number_format = "0.0%"
    path = tmp_path / "p.xlsx"
    wb.save(path)
    book = open_workbook(path.read_bytes(), str(path), ("x", "x"))
    assert book.percent_cells(book.sheet_names[0]) == {(1, 1), (2, 2)}


def test_percent_formatted_rates_read_as_percent(tmp_path):
    # a clerk types "92%" into every rate cell: Excel stores 0.92 with the format 0%
    cs = load_county_sheet(_filled(tmp_path, 0.92, "0%"))
    row = cs.data.iloc[0]
    for f in RATES:
        assert math.isclose(row[f["name"]], 92.0), f["header"]
    assert [p for p in cs.warnings if p.code.startswith("rate_")] == []


def test_custom_percent_format_keeps_decimals(tmp_path):
    cs = load_county_sheet(_filled(tmp_path, 0.965, "0.0%", only="g12_certificate_rate"))
    assert math.isclose(cs.data.iloc[0]["g12_certificate_rate"], 96.5)


def test_fraction_column_in_a_plain_cell_is_one_warning_naming_the_column(tmp_path):
    # 0.92 typed into a plain (General) cell: read as 0.92 %, said once for the column
    cs = load_county_sheet(_filled(tmp_path, 0.92, only="g15_migrant_public_share"))
    assert math.isclose(cs.data.iloc[0]["g15_migrant_public_share"], 0.92)
    w = [p for p in cs.warnings if p.code.startswith("rate_")]
    assert [p.code for p in w] == ["rate_column_fraction"]
    assert "保障15" in w[0].column and "0.92 即 0.92%" in w[0].problem_zh and "请填写 92" in w[0].problem_zh


def test_percent_of_a_value_above_100_is_refused_as_out_of_range(tmp_path):
    # 92 typed into a percent-formatted cell that shows 9200 %: what the clerk sees is refused
    from balance.errors import InputError

    with pytest.raises(InputError) as e:
        load_county_sheet(_filled(tmp_path, 92, "0%", only="g14_quota_share"))
    assert any(p.code == "rate_out_of_range" and "9200" in p.problem_zh for p in e.value.problems)


def test_ods_percentage_cells_with_repeats():
    from balance.io.workbook.styles import ods_percent_cells

    xml = ('<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body>'
           '<office:spreadsheet><table:table table:name="其他"><table:table-row><table:table-cell '
           'office:value-type="percentage" office:value="0.5"/></table:table-row></table:table>'
           '<table:table table:name="县级填报表"><table:table-row table:number-rows-repeated="2">'
           '<table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="float"/>'
           '</table:table-row><table:table-row><table:table-cell office:value-type="string"/>'
           '<table:table-cell office:value-type="percentage" office:value="0.92" table:number-columns-repeated="2"/>'
           '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    assert ods_percent_cells([xml.encode()], "县级填报表") == {(2, 1), (2, 2)}


# ---------------------------------------------------------------------------------- .xls (BIFF)

def _as_xls(xlsx_path, tmp_path, name="county.xls"):
    """The same workbook written by xlwt as an Excel 97–2003 .xls (values and number formats copied,
    as Excel's "save as .xls" keeps them)."""
    import xlwt

    src = openpyxl.load_workbook(xlsx_path)
    book = xlwt.Workbook(encoding="utf-8")
    styles = {}
    for ws in src.worksheets:
        out = book.add_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                fmt = cell.number_format or "General"
                style = styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                out.write(cell.row - 1, cell.column - 1, cell.value, style)
    path = tmp_path / name
    book.save(str(path))
    return path


def test_xls_workbook_finds_percent_cells(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("表")
    ws.write(0, 0, 0.92)                                              # General: not a percentage
    ws.write(1, 1, 0.5, xlwt.easyxf(num_format_str="0%"))             # built-in id 9
    ws.write(2, 2, 7, xlwt.easyxf(num_format_str="0.0%"))             # custom code
    ws.write(3, 3, 92, xlwt.easyxf(num_format_str='0.0"%"'))          # a quoted % is not a percentage
    ws.write(4, 4, "50%", xlwt.easyxf(num_format_str="0%"))           # text stays text
    path = tmp_path / "p.xls"
    book.save(str(path))
    wb = open_workbook(path.read_bytes(), str(path), ("x", "x"))
    assert wb.format == "xls"
    assert wb.percent_cells("表") == {(1, 1), (2, 2)}


def test_xls_percent_formatted_rates_read_as_percent(tmp_path):
    # the same clerk, the same 92 % in every rate cell, saved as .xls
    cs = load_county_sheet(_as_xls(_filled(tmp_path, 0.92, "0%"), tmp_path))
    row = cs.data.iloc[0]
    for f in RATES:
        assert math.isclose(row[f["name"]], 92.0), f["header"]
    assert [p for p in cs.warnings if p.code.startswith("rate_")] == []


def test_xls_custom_percent_keeps_decimals_and_plain_fraction_still_warns(tmp_path):
    cs = load_county_sheet(_as_xls(_filled(tmp_path, 0.965, "0.0%", only="g12_certificate_rate"), tmp_path))
    assert math.isclose(cs.data.iloc[0]["g12_certificate_rate"], 96.5)
    plain = tmp_path / "plain"
    plain.mkdir()
    cs = load_county_sheet(_as_xls(_filled(plain, 0.92, only="g15_migrant_public_share"), plain))
    assert math.isclose(cs.data.iloc[0]["g15_migrant_public_share"], 0.92)
    assert [p.code for p in cs.warnings if p.code.startswith("rate_")] == ["rate_column_fraction"]


def test_xls_reads_as_the_same_sheet_saved_as_xlsx(tmp_path):
    xlsx = _filled(tmp_path, 0.875, "0.0%", only="g14_quota_share")
    a, b = load_county_sheet(xlsx), load_county_sheet(_as_xls(xlsx, tmp_path))
    assert math.isclose(a.data.iloc[0]["g14_quota_share"], 87.5)
    import pandas as pd

    pd.testing.assert_frame_equal(a.data.reset_index(drop=True), b.data.reset_index(drop=True), check_dtype=False)


def test_xls_formats_of_a_broken_file_are_none_not_an_error():
    from balance.io.workbook.styles import xls_percent_cells

    assert xls_percent_cells(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "表") == set()
    assert xls_percent_cells(b"not an xls", "表") == set()
