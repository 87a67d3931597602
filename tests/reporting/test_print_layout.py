"""Printed to A4, no briefing strands a heading at the foot of a page (issue 11, print CSS).

A page built with the briefing stylesheet and nbconvert's cell structure reproduces the trend
briefing's 三 → 四 sections: a section ending with a note paragraph (``p.section-intro`` after a
callout, as 按期达标趋势 ends), then a heading with its intro and a figure too tall for the rest of
the page. Headless Chromium prints it; the heading must be on the page of its figure. With the
stylesheet before the fix (every cell holding a ``p.section-intro`` kept with the next) Chromium
left the heading and its intro at the page foot and moved the figure on: this test failed then.
"""
import re
import shutil
import subprocess

import pytest

from balance.reporting.html_export import briefing_css
from tests.browser import chromium

pytestmark = pytest.mark.skipif(chromium() is None or shutil.which("pdftotext") is None,
                                reason="needs headless Chromium and pdftotext (poppler-utils)")


def _md(html: str) -> str:
    return (f'<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-Cell-inputWrapper">'
            f'<div class="jp-InputArea jp-Cell-inputArea"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown '
            f'jp-MarkdownOutput">{html}</div></div></div></div>')


def _code(html: str) -> str:
    return (f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell jp-mod-noInput"><div class="jp-Cell-outputWrapper">'
            f'<div class="jp-OutputArea jp-Cell-outputArea"><div class="jp-OutputArea-child">'
            f'<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output">{html}</div></div></div></div></div>')


def _page(filler_mm: int) -> str:
    note = "判定规则：对最近一年超限的每项差异系数，按各年数值作最小二乘直线外推到目标年份。" * 3
    cells = [
        _code(f'<div style="height:{filler_mm}mm">前文</div>'),
        _md("<h2>三、按期达标趋势</h2>"),
        _code('<div class="callout info"><div><p class="callout-title">2027 年前能否达到资源配置标准</p>'
              '<p>东湖区：按期可达标。</p></div></div>'
              f'<p class="section-intro">{note}</p>'),
        _md("<h2>四、差异系数变化</h2><p>每项指标的差异系数逐年变化，虚线为限值。</p>"),
        _code('<figure class="balance-figure"><div style="height:150mm;background:#ddd"></div>'
              '<figcaption>图 1 差异系数逐年变化</figcaption></figure>'),
    ]
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{briefing_css()}</style></head>'
            f'<body><main>{"".join(cells)}</main></body></html>')


def _pages_with(pdf, text: str) -> list[int]:
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
    return [p for p in range(1, n + 1)
            if text in subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"],
                                      capture_output=True, text=True).stdout]


@pytest.mark.parametrize("filler_mm", [120, 150, 175])
def test_a_heading_is_printed_on_the_page_of_what_follows_it(tmp_path, filler_mm):
    page = tmp_path / "p.html"
    page.write_text(_page(filler_mm), encoding="utf-8")
    pdf = tmp_path / "p.pdf"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert pdf.is_file()
    heading, figure = _pages_with(pdf, "四、差异系数变化"), _pages_with(pdf, "图 1 差异系数逐年变化")
    assert heading and heading == figure, (filler_mm, heading, figure)


def _print(tmp_path, html: str):
    page = tmp_path / "p.html"
    page.write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{briefing_css()}</style>'
                    f'</head><body><main>{html}</main></body></html>', encoding="utf-8")
    pdf = tmp_path / "p.pdf"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert pdf.is_file()
    return pdf


def _table(n_rows: int, intro: str = "") -> str:
    """A briefing table as ``display.table`` writes it: caption, header row, ``n_rows`` rows whose
    first and last cells name the row (行N起 … 行N止), after an optional intro paragraph."""
    rows = "".join(f"<tr><td>行{i}起</td><td>{'指标说明' * 6}</td><td>行{i}止</td></tr>" for i in range(1, n_rows + 1))
    return _code(f"{intro}<div class=\"balance-table-wrap table-wrap\"><table class=\"balance-table\">"
                 f"<caption>表 3 各项指标县域均值逐年变化</caption><thead><tr><th>表头学段</th><th>指标</th>"
                 f"<th>数值</th></tr></thead><tbody>{rows}</tbody></table></div>")


@pytest.mark.parametrize("filler_mm", [150, 190])
def test_a_long_table_breaks_between_rows_with_its_header_repeated(tmp_path, filler_mm):
    """The trend briefing's 八 table (15 rows) moved whole to the next page and left most of page 4
    blank: a long table starts on its heading's page, breaks only between rows, and repeats its
    header row on every page it spans."""
    pdf = _print(tmp_path, _code(f'<div style="height:{filler_mm}mm">前文</div>')
                 + _md("<h2>八、指标县域均值</h2>") + _table(20))
    heading, header = _pages_with(pdf, "八、指标县域均值"), _pages_with(pdf, "表头学段")
    first, last = _pages_with(pdf, "行1起"), _pages_with(pdf, "行20止")
    assert heading == first, (heading, first)            # not moved whole to the next page
    assert last[0] > first[0]                            # it does break …
    assert header == list(range(first[0], last[0] + 1))  # … with the header on every page
    for i in range(1, 21):                               # … and every row whole on one page
        assert _pages_with(pdf, f"行{i}起") == _pages_with(pdf, f"行{i}止"), i


@pytest.mark.parametrize("filler_mm", [200, 215, 225])
def test_a_short_table_moves_whole_with_its_heading_and_intro(tmp_path, filler_mm):
    """A short table (≤ 10 rows) is never split, and its heading and intro paragraph (the trend
    briefing's 十: heading, one paragraph, a 5-row table) go with it."""
    intro = "<p>" + "城乡教师本科及以上学历比例之比 =（城区、镇区 ÷ 乡村）两组学校比例之比。" * 3 + "</p>"
    pdf = _print(tmp_path, _code(f'<div style="height:{filler_mm}mm">前文</div>')
                 + _md("<h2>十、城乡教师本科学历比例</h2>") + _table(5, intro))
    pages = [_pages_with(pdf, t) for t in ("十、城乡教师本科学历比例", "两组学校比例之比", "行1起", "行5止")]
    assert all(p == pages[0] and len(p) == 1 for p in pages), (filler_mm, pages)
