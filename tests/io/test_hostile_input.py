"""Hostile and broken input files (issue 9): every one refused cleanly, never a crash.

Workbooks are built by hand (``tests/hostile.py``) so that the tests are fast. The files that
made the reader abort the process (a cell at XFD1048576: a 512 GB allocation) are read in a
subprocess with a memory cap, so that the test can fail (a signal exit) without taking pytest
down with it.
"""
from __future__ import annotations

import hashlib
import io
import os
import resource
import subprocess
import sys
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from balance.errors import InputError
from balance.io.reading import load_school_table
from balance.schema import HEADERS as H
from tests import hostile_files as hostile
from tests.tables import valid_table

MEMORY_CAP = 3 * 1024**3  # bytes of address space for an isolated read


def frame_rows(df: pd.DataFrame) -> list[list]:
    return [list(df.columns)] + [[None if pd.isna(v) else v for v in r] for r in df.itertuples(index=False)]


def table_xlsx(**kw) -> bytes:
    """The valid table as a hand-built workbook (numbers as numbers, text inline)."""
    return hostile.xlsx(hostile.sheet(hostile.rows_xml(frame_rows(valid_table())), **kw))


def problems(source, **kw):
    with pytest.raises(InputError) as info:
        load_school_table(source, **kw)
    return info.value.problems


def codes(source, **kw):
    return [p.code for p in problems(source, **kw) if p.severity == "error"]


def isolated(path, *extra, env=None) -> subprocess.CompletedProcess:
    """``balance validate PATH`` in a child process with at most MEMORY_CAP of memory."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run([sys.executable, "-m", "balance", "validate", str(path), *extra], capture_output=True,
                          text=True, errors="replace", timeout=300, preexec_fn=cap, env={**os.environ, **(env or {})})


def isolated_call(call: str, path) -> subprocess.CompletedProcess:
    """``call(path)`` (e.g. ``"balance.running.params:read_data_keys"``) in a capped child process; prints
    the problem codes and exits 2 on InputError."""
    module, func = call.split(":")
    code = (f"import sys\nfrom {module} import {func}\nfrom balance.errors import InputError\n"
            f"try:\n    {func}(sys.argv[1])\nexcept InputError as e:\n"
            "    print(*[p.code for p in e.problems])\n    sys.exit(2)\n")
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP)))


def assert_clean_refusal(r: subprocess.CompletedProcess, *needles):
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "panicked" not in r.stderr
    for n in needles:
        assert n in r.stderr, (n, r.stderr[-2000:])


# -- a sheet whose cells reach far away (issue 9, item 5) -------------------------------------------


FAR = {
    # the file of the issue: one cell at XFD1048576, its dimension says so
    "declared": hostile.far_cell(),
    # no <dimension> at all, one cell at A1 and one at XFD1048576 (the reader's grid spans both)
    "no-dimension": hostile.far_cell(dimension=None, with_a1=True),
    # a dimension that lies (A1:A1)
    "lying-dimension": hostile.far_cell(dimension="A1:A1", with_a1=True),
    # cells written without references: their position follows the previous cell / row
    "implicit-positions": hostile.xlsx(hostile.sheet(
        '<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>' + "<row/>" * 300_000
        + "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 2000 + "</row>")),
    # every element with a namespace prefix
    "prefixed": hostile.xlsx(hostile.sheet(
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'
        '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', prefix="x:")),
    # a comment that would make a naive pattern swallow the far cell
    "comment": hostile.xlsx(hostile.sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><!-- <c r="B1" x=" -->'
        '<c r="XFD1048576"><v>1</v></c></row>')),
}


@pytest.mark.parametrize("kind", list(FAR))
def test_far_away_cells_refused_before_loading(tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(FAR[kind])
    r = isolated(path)
    assert_clean_refusal(r, str(path), "工作表", "too large", "BALANCE_MAX_CELLS")


def test_far_cell_message_names_sheet_and_last_cell(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell())
    r = isolated(path)
    assert_clean_refusal(r, "Sheet1", "XFD1048576", "1,048,576", "16,384")


@pytest.mark.parametrize("call", ["balance.running.params:read_data_keys", "balance.io.reading:load_school_table",
                                  "balance.io.county_sheet:load_county_sheet"])
def test_every_reader_of_a_workbook_measures_it_first(tmp_path, call):
    """Including the batch's light reader of a data file's keys (it used pandas, unguarded)."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell())
    r = isolated_call(call, path)
    assert (r.returncode, r.stdout.split()) == (2, ["sheet_too_large"]), r.stderr[-1500:]


def test_a_large_declared_dimension_alone_is_harmless(tmp_path):
    """The reader does not trust <dimension>, and neither does the check: a table whose
    dimension claims A1:XFD1048576 but whose cells are ordinary is read."""
    path = tmp_path / "dim.xlsx"
    path.write_bytes(table_xlsx(dimension="A1:XFD1048576"))
    assert len(load_school_table(path).data) == 22


def test_styled_empty_cells_far_away_do_not_count(tmp_path):
    """A self-closing cell only carries a style (Excel writes them for formatted empty cells)."""
    rows = hostile.rows_xml(frame_rows(valid_table()))
    body = rows[:-len("</row>")] + '<c r="XFD23" s="1"/></row>'
    path = tmp_path / "styled.xlsx"
    path.write_bytes(hostile.xlsx(hostile.sheet(body)))
    assert len(load_school_table(path).data) == 22


def test_ods_repeated_rows_refused(tmp_path):
    """An 800-byte .ods repeating one row of 1,000 filled cells 1,000,000 times (10^9 cells)."""
    row = ('<table:table-row table:number-rows-repeated="1000000">' + hostile.ods_cell(1, repeat=1000)
           + "</table:table-row>")
    path = tmp_path / "rep.ods"
    path.write_bytes(hostile.ods(row))
    assert_clean_refusal(isolated(path), str(path), "1,000,000 rows × 1,000 columns")


def test_ods_trailing_empty_repeats_are_fine(tmp_path):
    """LibreOffice repeats an empty row to the end of every sheet: not content."""
    rows = "".join("<table:table-row>" + "".join(hostile.ods_cell(v) for v in r if v is not None)
                   + "</table:table-row>" for r in frame_rows(valid_table()))
    rows += ('<table:table-row table:number-rows-repeated="1048552">'
             '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    path = tmp_path / "t.ods"
    path.write_bytes(hostile.ods(rows))
    assert len(load_school_table(path).data) == 22


# -- unzipping (zip bombs) ------------------------------------------------------------------------


def _bomb(rows: int) -> bytes:
    header = hostile.rows_xml([list(valid_table().columns)])
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'
                   for i in range(2, rows + 2))
    return hostile.xlsx(hostile.sheet(header + body))


def test_zip_bomb_refused_by_uncompressed_size(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_bomb(400_000))  # ~2 MB of zip, ~35 MB of XML
    assert os.path.getsize(path) < 3_000_000
    r = isolated(path, env={"BALANCE_MAX_UNCOMPRESSED_MB": "20"})
    assert_clean_refusal(r, str(path), "解压后过大", "zip bomb", "BALANCE_MAX_UNCOMPRESSED_MB")


def test_uncompressed_limit_as_keyword_and_declared_sizes(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_bomb(50_000))
    assert codes(path, limits={"max_uncompressed_mb": 1}) == ["workbook_too_large"]


def test_lying_zip_sizes_are_counted_while_unzipping(tmp_path):
    """A zip may declare small sizes for large parts: the bytes are counted as they come."""
    from balance.io.workbook import Workbook, read_limits

    data = bytearray(_bomb(50_000))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as src:
        real = src.getinfo("xl/worksheets/sheet1.xml").file_size
    # patch the size the central directory declares for the sheet
    cd = data.find(b"PK\x01\x02")
    while cd != -1:
        name_len = int.from_bytes(data[cd + 28:cd + 30], "little")
        if data[cd + 46:cd + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            data[cd + 24:cd + 28] = (100).to_bytes(4, "little")
            break
        cd = data.find(b"PK\x01\x02", cd + 4)
    assert real > 1024 * 1024
    wb = Workbook(bytes(data), "lie.xlsx", read_limits({"max_uncompressed_mb": 1}), ("x", "y"))
    with pytest.raises(InputError) as info:
        wb.rows(wb.sheet_names[0])
    assert [p.code for p in info.value.problems] in (["workbook_too_large"], ["unreadable"])


def test_file_size_limit(tmp_path):
    path = tmp_path / "s.csv"
    valid_table().to_csv(path, index=False)
    ps = problems(path, limits={"max_file_mb": 0.001})
    assert [p.code for p in ps] == ["file_too_large"] and "BALANCE_MAX_FILE_MB" in ps[0].problem_en


def test_limits_are_data_and_overridable(monkeypatch):
    from balance.io.workbook import read_limits

    assert read_limits().max_cells == 10_000_000
    monkeypatch.setenv("BALANCE_MAX_CELLS", "123")
    assert read_limits().max_cells == 123 and read_limits({"max_cells": 7}).max_cells == 7
    with pytest.raises(ValueError):
        read_limits({"max_cells": -1})
    with pytest.raises(ValueError):
        read_limits({"max_sheets": 3})


def test_cell_limit_by_keyword(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(table_xlsx())
    ps = problems(path, limits={"max_cells": 100})
    assert [p.code for p in ps] == ["sheet_too_large"] and ps[0].sheet == "Sheet1"


@pytest.mark.parametrize("xml", [
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet xmlns="%s"><sheetData>'
    '<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>' % hostile.NS,
    '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>' % hostile.NS,  # truncated
], ids=["doctype", "truncated"])
def test_odd_sheet_xml_is_refused_cleanly(tmp_path, xml):
    path = tmp_path / "odd.xlsx"
    path.write_bytes(hostile.xlsx(xml))
    assert codes(path)[0] in ("workbook_xml", "unreadable")


def test_the_scans_agree(tmp_path):
    """The fast scan and the XML parser find the same extent and formulas on an ordinary sheet."""
    from balance.io.workbook import read_limits, scan_sheet_xml, scan_sheet_xml_exact

    rows = frame_rows(valid_table())
    body = hostile.rows_xml(rows) + '<row r="40"><c r="C40"><f>1+1</f><v></v></c><c r="D40"><f>2</f><v>2</v></c></row>'
    xml = hostile.sheet(body).encode()
    lim = read_limits()
    fast, exact = scan_sheet_xml([xml[:777], xml[777:]], lim), scan_sheet_xml_exact([xml], lim)
    assert (fast.rows, fast.columns, fast.formula_cells) == (exact.rows, exact.columns, exact.formula_cells)
    assert (fast.rows, fast.columns, fast.formula_cells) == (40, len(rows[0]), [(39, 2)])


# -- formulas without cached values (issue 9, item 11) -----------------------------------------------


def test_formula_without_a_value_is_named(tmp_path):
    rows = frame_rows(valid_table())
    j = rows[0].index(H["primary_students"])
    rows[1][j] = "=B2*2"  # openpyxl writes the formula and no cached value (nothing calculated it)
    k = rows[0].index("乡镇")
    rows[3][k] = '=CONCAT("a","b")'  # an optional column: would silently be "missing"
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    path = tmp_path / "f.xlsx"
    wb.save(path)
    errs = [p for p in problems(path) if p.severity == "error"]
    assert [(p.code, p.row, p.column) for p in errs] == [("formula_no_value", 2, H["primary_students"]),
                                                        ("formula_no_value", 4, "乡镇")]
    assert "公式没有计算结果" in errs[0].problem_zh and "open and save the file in Excel" in errs[0].problem_en


def test_formula_with_a_cached_value_is_read(tmp_path):
    rows = hostile.rows_xml(frame_rows(valid_table()))
    rows = rows.replace('<c r="I2"><v>1200</v></c>', '<c r="I2"><f>600*2</f><v>1200</v></c>')
    assert "<f>600*2</f>" in rows
    path = tmp_path / "f.xlsx"
    path.write_bytes(hostile.xlsx(hostile.sheet(rows)))
    assert load_school_table(path).data.loc[0, "primary_students"] == 1200


# -- which sheet (issue 9, item 11) -----------------------------------------------------------------


def _instructions() -> str:
    return hostile.sheet(hostile.rows_xml([["填报说明"], ["请在“学校”工作表中填写"], ["年份：四位数"]]))


def test_instructions_sheet_first(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(hostile.xlsx(("说明", _instructions()), ("学校", hostile.sheet(hostile.rows_xml(
        frame_rows(valid_table()))))))
    t = load_school_table(path)
    assert t.sheet == "学校" and len(t.data) == 22
    assert [w.code for w in t.warnings] == ["sheet_chosen"]


def test_two_school_sheets_one_line(tmp_path):
    s = hostile.sheet(hostile.rows_xml(frame_rows(valid_table())))
    path = tmp_path / "s.xlsx"
    path.write_bytes(hostile.xlsx(("说明", _instructions()), ("2023", s), ("2024", s)))
    ps = problems(path)
    assert [p.code for p in ps] == ["several_school_sheets"]
    assert "「2023」" in ps[0].problem_zh and "--sheet" in ps[0].problem_en


def test_no_school_sheet_one_line(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(hostile.xlsx(("说明", _instructions()), ("其他", _instructions())))
    ps = problems(path)
    assert [p.code for p in ps] == ["no_header_sheets"]
    assert "「说明」、「其他」" in ps[0].problem_zh and "--sheet" in ps[0].problem_en


# -- CSV (issue 9, item 11) --------------------------------------------------------------------------


def _csv_lines() -> list[str]:
    return valid_table().to_csv(index=False, lineterminator="\n").splitlines()


def test_unclosed_quote_reported_where_it_opens(tmp_path):
    lines = _csv_lines()
    lines[3] = lines[3].replace(",长安区", ',"长安区', 1)  # line 4 of the file opens a quote never closed
    lines[1] = lines[1].replace("长安区实验小学", '"长安区\n实验小学"')  # an earlier cell spans two lines
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ps = problems(path)
    assert [(p.code, p.row) for p in ps] == [("csv_unclosed_quote", 5)]  # physical line 5 (line 2 was split)
    assert "第 5 行" in ps[0].problem_zh and "line 5" in ps[0].problem_en


def test_unclosed_quote_below_title_lines(tmp_path):
    lines = ["学校基本情况表", ""] + _csv_lines()
    lines[9] = lines[9].replace(",长安区", ',"长安区', 1)
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [(p.code, p.row) for p in problems(path)] == [("csv_unclosed_quote", 10)]


def test_extra_cells_reported_at_their_line(tmp_path):
    lines = _csv_lines()
    lines[1] = lines[1].replace("长安区实验小学", '"长安区\n实验小学"')
    lines[6] += ",x,y"
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ps = problems(path)
    assert [(p.code, p.row) for p in ps] == [("csv_field_count", 8)]


def test_big5_file_gets_one_line_about_the_encoding(tmp_path):
    text = valid_table().to_csv(index=False)
    path = tmp_path / "big5.csv"
    path.write_bytes(text.encode("big5", errors="replace"))
    ps = [p for p in problems(path) if p.severity == "error"]
    assert [p.code for p in ps] == ["no_header_encoding"]
    assert "Big5" in ps[0].problem_zh and "GB18030" in ps[0].problem_en and "UTF-8" in ps[0].problem_en


def test_utf16_with_bom_is_read(tmp_path):
    """Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated."""
    path = tmp_path / "u.txt"
    path.write_bytes(valid_table().to_csv(index=False, sep="\t").encode("utf-16"))
    assert len(load_school_table(path).data) == 22


def test_semicolon_separated_file_is_read(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(valid_table().to_csv(index=False, sep=";"), encoding="utf-8")
    assert len(load_school_table(path).data) == 22


# -- what the bytes are ---------------------------------------------------------------------------


def test_encrypted_workbook(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(hostile.encrypted_ooxml())
    ps = problems(path)
    assert [p.code for p in ps] == ["encrypted"] and "密码" in ps[0].problem_zh


@pytest.mark.parametrize("content,looks", [(b"year,county\n2024,1\n", "CSV"), (b"<html><table><tr><td>1</td></tr>", "web page"),
                                           (bytes(range(256)) * 4, "binary")], ids=["text", "html", "binary"])
def test_not_a_workbook(tmp_path, content, looks):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    ps = problems(path)
    assert [p.code for p in ps] == ["not_a_workbook"] and looks in ps[0].problem_en


def test_workbook_named_csv(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(table_xlsx())
    ps = problems(path)
    assert [p.code for p in ps] == ["workbook_as_text"] and ".xlsx" in ps[0].problem_en


@pytest.mark.parametrize("content", [bytes(range(256)) * 40, b"a,b\n1,\x00\x00\x00\n" * 20], ids=["binary", "nul"])
def test_binary_csv_is_not_a_text_file(tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    assert codes(path) == ["not_text"]


def test_unreadable_file(tmp_path, monkeypatch):
    from pathlib import Path

    path = tmp_path / "s.csv"
    valid_table().to_csv(path, index=False)

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    ps = problems(path)
    assert [p.code for p in ps] == ["cannot_open"] and "Permission denied" in ps[0].problem_en


def test_folder_that_is_not_a_parquet_folder(tmp_path):
    d = tmp_path / "folder.csv"
    d.mkdir()
    (d / "notes.txt").write_text("hello")
    ps = problems(d)
    assert ps and ps[0].severity == "error" and "Parquet" in ps[0].problem_en


def test_empty_folder(tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    assert problems(d)


# -- the assessment never drops a section silently (issue 9, item 4) -------------------------------------


def test_assess_refuses_unvalidated_pupils():
    """A canonical table that skipped validation (e.g. Parquet read with check="none") with a
    missing or wrapped pupil count is refused instead of losing the section."""
    from balance.method.assessment import assess_schools
    from balance.method.standards import load_standard

    data = load_school_table(valid_table()).data
    for bad in (np.nan, -9223372036854775808):
        d = data.copy()
        d["primary_students"] = d["primary_students"].astype("float64")
        d.loc[0, "primary_students"] = bad
        with pytest.raises(InputError) as info:
            assess_schools(d, load_standard("quality-2017"))
        assert [(p.code, p.row, p.column) for p in info.value.problems] == [("pupils_invalid", 2, "小学在校生数")]


def test_1e30_pupils_refused_not_dropped(tmp_path):
    from balance.cli import main

    df = valid_table().astype(object)
    df.loc[0, H["primary_students"]] = "1e30"
    src = tmp_path / "s.csv"
    df.to_csv(src, index=False)
    out = tmp_path / "out"
    assert main(["assess", str(src), "--out", str(out)]) == 2
    assert not out.exists()


def test_file_is_never_modified(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(hostile.far_cell())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    isolated(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_structural_check_of_stored_rows_applies_the_bounds():
    """Rows of a Parquet store are re-checked cheaply (they may have been edited by hand)."""
    from balance.io.store import structural_check

    data = load_school_table(valid_table()).data
    assert structural_check(data, "s") == []
    for value in (1e30, np.inf):
        d = data.copy()
        d["teaching_area"] = d["teaching_area"].astype("float64")
        d.loc[3, "teaching_area"] = value
        probs = structural_check(d, "s")
        assert [(p.code, p.column) for p in probs] == [("store_invalid_value", H["teaching_area"])]


def test_xlsb_record_scan():
    """The extent of an .xlsb sheet from its records: BrtRowHdr (type 0) gives the row, cell
    records (types 1-11) their column in the first 4 bytes; a blank cell (type 1) holds no value."""
    from balance.io.workbook import read_limits, scan_xlsb_sheet

    def record(kind: int, payload: bytes) -> bytes:
        head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
        size, out = len(payload), b""
        while True:
            b = size & 0x7F
            size >>= 7
            out += bytes([b | (0x80 if size else 0)])
            if not size:
                break
        return head + out + payload

    def row(r):
        return record(0, r.to_bytes(4, "little") + b"\x00" * 8)

    def real(c):
        return record(5, c.to_bytes(4, "little") + b"\x00" * 12)

    stream = (record(0x81, b"") + row(0) + real(0) + real(4) + row(9) + real(2) + record(1, (30).to_bytes(4, "little")
                                                                                          + b"\x00" * 4))
    s = scan_xlsb_sheet([stream[:7], stream[7:]], read_limits())
    assert (s.rows, s.columns) == (10, 5)
    far = row(1_048_575) + real(16_383)
    assert (scan_xlsb_sheet([far], read_limits()).rows, scan_xlsb_sheet([far], read_limits()).columns) == (1_048_576,
                                                                                                          16_384)


def test_bad_limit_in_the_environment_is_a_refusal(tmp_path, monkeypatch, capsys):
    from balance.cli import main

    path = tmp_path / "s.csv"
    valid_table().to_csv(path, index=False)
    monkeypatch.setenv("BALANCE_MAX_CELLS", "lots")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "BALANCE_MAX_CELLS" in err and "lots" in err


def test_a_scenario_that_empties_a_stage_leaves_a_reason_on_record(tmp_path):
    """Scenario rows re-validated: their warnings (a stage without pupils forms no section) are
    kept with the table's, instead of the section vanishing silently."""
    from balance.analysis.scenario import apply_to_table, load_scenario

    t = load_school_table(valid_table())
    row = t.data.index[(t.data["school_name"] == "长安区育才学校") & (t.data["year"] == 2024)][0]
    cols = ["junior_students", "junior_classes", "junior_teachers", "junior_qualified_teachers",
            "junior_backbone_teachers", "junior_pe_art_teachers", "junior_titled_teachers"]
    code = t.data.loc[row, "school_code"]
    changes = "".join(f'  - {{school_code: "{code}", column: {c}, amount: {-int(t.data.loc[row, c])}, year: 2024}}\n'
                      for c in cols)
    p = tmp_path / "s.yaml"
    p.write_text("changes:\n" + changes, encoding="utf-8")
    new = apply_to_table(t, load_scenario(p))
    w = [x for x in new.warnings if x.code == "stage_no_pupils"]
    assert [(x.row, x.column) for x in w] == [(int(t.data.loc[row, "source_row"]), H["junior_students"])]
    assert "情景" in w[0].file


def test_formula_cell_split_between_chunks():
    from balance.io.workbook import read_limits, scan_sheet_xml

    xml = hostile.sheet('<row r="1"><c r="A1"><f>1+1</f><v></v></c><c r="B1"><f>2</f><v>2</v></c></row>').encode()
    cut = xml.index(b"<v></v>")
    for k in (cut, cut + 2, xml.index(b"<f>2") + 3):
        s = scan_sheet_xml([xml[:k], xml[k:]], read_limits())
        assert s.formula_cells == [(0, 0)], k


def test_formula_value_split_right_after_its_tag():
    from balance.io.workbook import read_limits, scan_sheet_xml

    xml = hostile.sheet('<row r="1"><c r="A1"><f>1+1</f><v></v></c></row>').encode()
    k = xml.index(b"<v></v>") + len(b"<v></")
    assert scan_sheet_xml([xml[:k], xml[k:]], read_limits()).formula_cells == [(0, 0)]
