"""HTML pieces of the briefing: figures as data URIs with alt text and numbered captions, tables
with Chinese headers, separators, fixed decimals and pass/fail symbols, escaped text."""
from __future__ import annotations

import base64
import re
import warnings

import pandas as pd
import pytest
from matplotlib.figure import Figure

from balance.reporting import display, plotting
from tests.reporting.test_plotting import county_from_sections, make_sections


@pytest.fixture(autouse=True)
def _fresh_numbers():
    display.reset_numbering()
    yield
    display.reset_numbering()


def _simple_figure() -> Figure:
    plotting.use_house_style()
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.bar(["城区", "镇区", "乡村"], [3, 2, 1])
    ax.set_title("测试图")
    return fig


def _html(obj) -> str:
    return obj.data if hasattr(obj, "data") else str(obj)


def test_show_figure_png_data_uri_alt_and_caption():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _html(display.show_figure(_simple_figure(), caption="各类学校数", alt="城区 3 所 <多>"))
    assert out.startswith(f'<figure class="balance-figure {display.NO_TEX}" id="fig-1">')
    assert 'alt="城区 3 所 &lt;多&gt;"' in out
    assert "<figcaption>" in out and "图 1" in out and "\u3000各类学校数</figcaption>" in out
    m = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', out)
    assert m
    assert base64.b64decode(m.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    assert re.search(r'width="\d+" height="\d+"', out)


def test_figure_numbers_count_up_and_reset():
    a = _html(display.show_figure(_simple_figure(), caption="一"))
    b = _html(display.show_figure(_simple_figure(), caption="二"))
    assert "图 1" in a and "图 2" in b
    display.reset_numbering()
    c = _html(display.show_figure(_simple_figure(), caption="三"))
    assert "图 1" in c


def test_show_figure_svg_and_defaults_from_plotting():
    fig = plotting.cv_chart(county_from_sections(make_sections(6)))
    out = _html(display.show_figure(fig, fmt="svg"))
    m = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', out)
    assert m
    svg = base64.b64decode(m.group(1)).decode()
    assert "<svg" in svg and "<text" not in svg  # glyphs as paths
    assert display._esc(fig.balance_alt) in out   # alt text written from the data
    assert display._esc(fig.balance_caption) in out


def test_show_figure_closes_pyplot_figures():
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.gca().plot([1, 2])
    num = fig.number
    display.show_figure(fig, caption="x")
    assert not plt.fignum_exists(num)


def test_show_table_formats_headers_and_pass_symbols():
    df = pd.DataFrame({
        "school_name": ["城关小学", "<河西> & 小学"],
        "students": [1234, 56],
        "value": [12345.6, 7.25],
        "cv": [0.41234, 0.5],
        "ratio": [1.0567, 0.8],
        "met": pd.array([True, False], dtype="boolean"),
        "school_passed": pd.array([True, pd.NA], dtype="boolean"),
    })
    out = _html(display.show_table(df, formats={"value": 1}, caption="学校结果"))
    assert "12,345.6" in out and "7.2" in out
    assert "1,234" in out
    assert "0.412" in out and "0.500" in out           # CV: 3 decimals
    assert "105.7%" in out and "80.0%" in out
    assert "在校生数（人）" in out and "学校名称" in out
    # symbol in the text; "no-mark" stops briefing.css from adding a second one via ::before
    assert '<td class="pass no-mark">✓ 达标</td>' in out
    assert '<td class="fail no-mark">✗ 未达标</td>' in out
    assert '<td class="na">—</td>' in out
    assert "&lt;河西&gt; &amp; 小学" in out and "<河西>" not in out
    assert '<table class="balance-table" id="tab-1">' in out
    assert "表 1\u3000学校结果" in re.sub("<[^>]+>", "", out)


def test_show_table_default_float_format_uses_separators():
    out = _html(display.show_table(pd.DataFrame({"x": [12345.6, 234.5]}), number=False))
    assert "12,345.6" in out and "234.5" in out
    assert "<caption>" not in out


def test_show_table_columns_mapping_units_and_max_rows():
    df = pd.DataFrame({"indicator": ["生均教学仪器设备值"] * 5, "value": [2000.0, 2100.5, 1999.9, 3000.0, 10.0]})
    out = _html(display.show_table(df, columns={"indicator": "指标", "value": "县域均值（元/生）"}, max_rows=3))
    assert "县域均值（元/生）" in out
    assert out.count("<tr>") == 4  # header + 3 rows
    assert "仅显示前 3 行，共 5 行" in out
    with pytest.raises(KeyError):
        display.show_table(df, columns=["nope"])


def test_callout_and_headline_escape_and_mark():
    c = _html(display.callout("初中 2 项差异系数 > 0.45", kind="fail", title="注意"))
    assert f'class="callout fail callout-fail no-mark {display.NO_TEX}"' in c and "✗" in c and "&gt; 0.45" in c
    h = _html(display.headline(["测试县 2025 年", ("小学全部达标", "pass"), ("初中 3 所学校未达标", "fail")]))
    assert h.startswith(f'<section class="headline {display.NO_TEX}"')
    assert '<li class="pass no-mark"><span class="mark" aria-hidden="true">✓</span> 小学全部达标</li>' in h
    assert '<li class="fail no-mark">' in h and "✗" in h
    with pytest.raises(ValueError):
        display.callout("x", kind="danger")


def test_class_names_match_the_briefing_stylesheet():
    """Every class the stylesheet keys on for our elements is emitted (when the template exists)."""
    from balance._resources import TEMPLATES_DIR

    css = TEMPLATES_DIR / "briefing" / "static" / "briefing.css"
    text = css.read_text(encoding="utf-8")
    for sel in ("figure.balance-figure", "table.balance-table", ".pass.no-mark::before", ".callout.fail", ".table-wrap"):
        assert sel in text, sel
    df = pd.DataFrame({"met": pd.array([True, False], dtype="boolean")})
    out = _html(display.show_table(df))
    assert f'class="balance-table-wrap table-wrap {display.NO_TEX}"' in out and "pass no-mark" in out


def test_briefing_of_120_sections_stays_small(tmp_path):
    """~15 figures of a 120-school county at dpi 150 must stay well under 5 MB of HTML. The two
    120-row heatmaps are the biggest; the other ~13 figures are bounded by the small multiples."""
    sec = make_sections(120, seed=3)
    heat = len(_html(display.show_figure(plotting.attainment_heatmap(sec, "小学"))))
    small = len(_html(display.show_figure(plotting.indicator_small_multiples(sec, "小学"))))
    cv = len(_html(display.show_figure(plotting.cv_chart(county_from_sections(sec)))))
    assert heat < 700_000, heat
    assert cv < small < 250_000, (cv, small)
    estimate = 2 * heat + 13 * small
    assert estimate < 3_500_000, estimate
    (tmp_path / "sizes.txt").write_text(f"heatmap {heat}\nsmall multiples {small}\ncv chart {cv}\n")


def test_infinite_numbers_show_as_in_the_workbooks():
    from balance.io.export.assessment import EXCEL_INF_TEXT

    h = display.table_html(pd.DataFrame({"ratio": [float("inf"), float("-inf"), float("nan"), 1.5]}),
                           formats={"ratio": 2})
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", h)
    assert cells == [EXCEL_INF_TEXT, "-" + EXCEL_INF_TEXT, display.NA_TEXT, "1.50"]
