"""Render the 自评报告 blocks (:func:`balance.reporting.review.self_report.report_blocks`) as HTML and .docx.

* :func:`report_html` — one self-contained page (no scripts, no external files) that prints to A4
  (``@page { size: A4 }``, 2 cm margins, table rows kept whole, headings kept with what follows).
  Every text is escaped: a school or county name is shown as text, never markup.
* :func:`report_docx` — the same blocks in a Word document (python-docx): A4, headings as Word
  headings (so the navigation pane and a table of contents work), tables in the "Table Grid" style,
  a Chinese font set for East Asian text.
"""
from __future__ import annotations

import html
from pathlib import Path

HTML_FILE = "自评报告.html"
DOCX_FILE = "自评报告.docx"
CJK_FONT = "SimSun"

_CSS = """
@page { size: A4; margin: 2cm 2cm 2cm 2cm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", serif; font-size: 12pt;
       line-height: 1.6; max-width: 17cm; margin: 1.5em auto; color: #000; }
h1 { font-size: 18pt; text-align: center; margin: 0.5em 0 1em; }
h2 { font-size: 14pt; margin: 1.2em 0 0.4em; page-break-after: avoid; break-after: avoid; }
h3 { font-size: 12pt; margin: 0.8em 0 0.3em; page-break-after: avoid; break-after: avoid; }
p { text-indent: 2em; margin: 0.3em 0; text-align: justify; }
ul { margin: 0.3em 0 0.3em 1.2em; padding-left: 1em; }
li { margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; font-size: 10pt; }
caption { font-weight: bold; margin-bottom: 0.2em; caption-side: top; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; break-inside: avoid; }
thead { display: table-header-group; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _table_html(caption: str, df) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_e('' if v is None else v)}</td>" for v in rec) + "</tr>"
                   for rec in df.itertuples(index=False, name=None))
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def report_html(blocks: list[tuple]) -> str:
    """The report as one HTML page (UTF-8, ``lang="zh-CN"``), printable to A4."""
    title = next((p for k, p in blocks if k == "title"), "自评报告")
    body = []
    for kind, payload in blocks:
        if kind == "title":
            body.append(f"<h1>{_e(payload)}</h1>")
        elif kind in ("h2", "h3"):
            body.append(f"<{kind}>{_e(payload)}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{_e(payload)}</p>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in payload) + "</ul>")
        elif kind == "table":
            body.append(_table_html(*payload))
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _cjk(run, font: str = CJK_FONT) -> None:
    from docx.oxml.ns import qn

    run.font.name = font
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _set_style_font(doc, name: str, size_pt: float | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles[name]
    style.font.name = CJK_FONT
    if size_pt:
        style.font.size = Pt(size_pt)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)


def report_docx(blocks: list[tuple], path: str | Path) -> Path:
    """Write the report as a .docx (A4) to ``path``."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Mm(20)
    for name, size in (("Normal", 12), ("Title", 18), ("Heading 1", 14), ("Heading 2", 12)):
        _set_style_font(doc, name, size)
    for kind, payload in blocks:
        if kind == "title":
            p = doc.add_heading(payload, level=0)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind in ("h2", "h3"):
            doc.add_heading(payload, level=1 if kind == "h2" else 2)
        elif kind == "p":
            p = doc.add_paragraph(payload)
            p.paragraph_format.first_line_indent = Pt(24)
        elif kind == "ul":
            for x in payload:
                doc.add_paragraph(x, style="List Bullet")
        elif kind == "table":
            caption, df = payload
            cap = doc.add_paragraph()
            cap.add_run(caption).bold = True
            t = doc.add_table(rows=1, cols=len(df.columns))
            t.style = "Table Grid"
            for cell, name in zip(t.rows[0].cells, df.columns):
                cell.text = str(name)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for rec in df.itertuples(index=False, name=None):
                for cell, v in zip(t.add_row().cells, rec):
                    cell.text = "" if v is None else str(v)
            for row in t.rows:
                for cell in row.cells:
                    for para in cell.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(10)
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    for para in doc.paragraphs:
        for run in para.runs:
            _cjk(run)
    doc.core_properties.title = next((p for k, p in blocks if k == "title"), "自评报告")
    doc.save(str(path))
    return Path(path)


def write_self_report(blocks: list[tuple], out_dir: str | Path) -> list[Path]:
    """Write :data:`HTML_FILE` and :data:`DOCX_FILE` into ``out_dir``, atomically (both or neither)."""
    from balance.io.files import staged_files

    with staged_files(out_dir) as st:
        st.stage(HTML_FILE).write_text(report_html(blocks), encoding="utf-8")
        report_docx(blocks, st.stage(DOCX_FILE))
    return st.final
