"""Every text that comes from data or parameters is text in a briefing (issue 9, item 2).

County, school and township names, titles, a provincial standard's titles and the data file name
are chosen to be markup (``<script>``, ``<img onerror>``, ``<svg onload>``, an attribute breaker),
Markdown (``**bold**``, ``[link](javascript:…)``) and TeX (``$x$``, ``$\\frac$``). Every section of
the three briefings is rendered and parsed with the standard library's HTML parser: no element or
attribute may come from the data, and the hostile texts must be readable, unchanged, as text. The
table is built with :func:`tests.tables.valid_table`; such names are valid input (only names that
begin with = + - @ are refused, for spreadsheets), so escaping is the only defence.
"""
from __future__ import annotations

import html
import re
import warnings

import pytest

from balance.reporting import briefing as bf
from balance.reporting import display
from tests.hostile import IMG, MARKDOWN, QUOTE, SCRIPT, SVG, TEX, TITLE, Parsed, active_markup
from tests.tables import valid_table

NAMES = {
    "county_a": SCRIPT + "长安区" + TEX,
    "county_b": IMG + "桥西区" + MARKDOWN,
    "school_1": SCRIPT + "实验小学",
    "school_2": IMG + QUOTE + "第一中学",
    "school_6": SVG + "河口教学点" + TEX,     # an excluded section (教学点 with fewer than 50 pupils)
    "school_7": MARKDOWN + "东沟教学点",
    "township": QUOTE + "<b>西兴镇</b>",
}
FILE_NAME = "<b onclick=alert(1)>数据&amp;.csv"

#: Element names the briefing functions themselves write (anything else came from data).
OWN_TAGS = {"div", "table", "caption", "span", "thead", "tbody", "tr", "th", "td", "p", "figure", "img",
            "figcaption", "section", "ul", "li", "br", "h1", "dl", "dt", "dd", "nav", "a"}


def parse(markup: str) -> Parsed:
    return Parsed(markup)


def assert_inert(markup: str) -> str:
    """No element, event handler or link target from data; returns the text content."""
    p = parse(markup)
    assert set(p.tags) <= OWN_TAGS, set(p.tags) - OWN_TAGS
    assert active_markup(markup) == []
    assert "<b>" not in markup and "<strong>" not in markup and "<em>" not in markup
    return "".join(p.text)


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory) -> str:
    df = valid_table(years=(2024, 2025))
    df.loc[df["县区代码"] == "130102", "县区名称"] = NAMES["county_a"]
    df.loc[df["县区代码"] == "130104", "县区名称"] = NAMES["county_b"]
    for code, key in (("2130000001", "school_1"), ("2130000002", "school_2"), ("2130000006", "school_6"),
                      ("2130000007", "school_7")):
        df.loc[df["学校标识码"] == code, "学校名称"] = NAMES[key]
    df.loc[df["乡镇"] == "西兴镇", "乡镇"] = NAMES["township"]
    # a failing school, so that the rectification list and the planner show school names
    df.loc[df["学校标识码"] == "2130000001", "网络多媒体教室数"] = 1
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / FILE_NAME  # the file name is shown in the cover and the appendix
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return str(path)


@pytest.fixture(scope="module")
def hostile_standard(tmp_path_factory) -> str:
    """quality-2017 with hostile titles, as a province's own standard file could have."""
    from importlib.resources import files

    text = files("balance").joinpath("data", "standards", "quality-2017.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", 'title: "<script>alert(1)</script>省标准$s$"', text, count=1, flags=re.M)
    text = re.sub(r"^short_title: .*$", 'short_title: "<img src=x onerror=alert(1)>省标"', text, count=1, flags=re.M)
    p = tmp_path_factory.mktemp("std") / "province.yaml"
    p.write_text(text, encoding="utf-8")
    return str(p)


COUNTY_SECTIONS = (bf.cover, bf.headline, bf.cv_table, bf.cv_figure, bf.indicator_figures, bf.attainment_figures,
                   bf.rectification_list, bf.urban_rural, bf.equity_appendix, bf.scorecard, bf.planning, bf.appendix)
TREND_SECTIONS = (bf.cover, bf.trend_headline, bf.trend_cv_figure, bf.trend_pass_share, bf.trend_means,
                  bf.trend_movers, bf.trend_equity)
REGION_SECTIONS = (bf.region_cover, bf.region_headline, bf.region_table, bf.region_heatmap)


def _render(sections, b) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a TeX parse error or a glyph warning is a failure too
        return "".join(f(b).data for f in sections)


#: A 1×1 PNG: the markup tests need the figures' captions and alt texts, not their pixels
#: (drawing is tested in :func:`test_tex_in_names_does_not_break_figures`).
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082")


@pytest.fixture(scope="module")
def rendered(hostile_csv, hostile_standard) -> dict[str, str]:
    bf.setup()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(display, "render_figure", lambda fig, *a, **k: _PNG)
        return _render_all(hostile_csv, hostile_standard)


def _render_all(hostile_csv, hostile_standard) -> dict[str, str]:
    out = {}
    b = bf.county_briefing(hostile_csv, "130102", 2025, title=TITLE)
    out["county"] = _render(COUNTY_SECTIONS, b)
    out["county_province"] = _render((bf.cover, bf.headline, bf.appendix),
                                     bf.county_briefing(hostile_csv, "130104", 2025, standard=hostile_standard))
    out["trend"] = _render(TREND_SECTIONS, bf.county_trend(hostile_csv, "130102", title=TITLE))
    out["region"] = _render(REGION_SECTIONS, bf.region_overview(hostile_csv, 2025, title=TITLE))
    return out


@pytest.mark.parametrize("which", ["county", "county_province", "trend", "region"])
def test_no_markup_from_data_in_any_briefing_section(rendered, which):
    assert_inert(rendered[which])


def test_hostile_texts_are_shown_as_written(rendered):
    county = assert_inert(rendered["county"])
    for key in ("county_a", "school_1", "school_6"):
        assert NAMES[key] in county, key
    assert TITLE in county and FILE_NAME in county
    region = assert_inert(rendered["region"])
    assert NAMES["county_a"] in region and NAMES["county_b"] in region and TITLE in region
    province = assert_inert(rendered["county_province"])
    assert "<script>alert(1)</script>省标准$s$" in province and "<img src=x onerror=alert(1)>省标" in province


def test_region_links_are_relative_file_names(rendered):
    hrefs = [v for t, k, v in parse(rendered["region"]).attrs if t == "a" and k == "href"]
    assert hrefs == ["130102_2025.html", "130104_2025.html"] or sorted(hrefs) == ["130102_2025.html", "130104_2025.html"]


def test_link_pattern_cannot_make_a_script_link(hostile_csv):
    """A county code is digits after validation; the link is still built as a quoted relative path."""
    r = bf.region_overview(hostile_csv, 2025)
    r.assessment.verdicts["county_code"] = r.assessment.verdicts["county_code"].map(
        {"130102": "javascript:alert(1)//", "130104": "\"><script>x</script>"}.get)
    markup = bf.region_table(r).data
    assert_inert(markup)
    hrefs = [v for t, k, v in parse(markup).attrs if t == "a" and k == "href"]
    assert len(hrefs) == 2 and all(":" not in h and "<" not in h and '"' not in h for h in hrefs)


def test_tex_in_names_does_not_break_figures(hostile_csv):
    """matplotlib reads "$…$" as mathtext: "$\\frac$" in a county or school name raised ValueError
    while drawing and aborted the briefing; names are now drawn as written."""
    from balance.reporting import plotting

    bf.setup()
    r = bf.region_overview(hostile_csv, 2025)
    fig = plotting.region_cv_heatmap(r.assessment.county_indicators, year=2025)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any("$x^2$与$\\frac$" in s for s in labels), labels
    display.render_figure(fig, dpi=40)
    sv = r.assessment.county("130102", 2025).section_values
    display.render_figure(plotting.attainment_heatmap(sv, "小学", year=2025), dpi=40)


def test_display_helpers_escape_every_argument():
    h = display.table_html(__import__("pandas").DataFrame({SCRIPT: [IMG], "b": [SVG]}), columns={SCRIPT: QUOTE, "b": "b"},
                           caption=SCRIPT + "\n" + IMG)
    assert_inert(h)
    assert_inert(display.callout_html(SCRIPT, "warn", title=IMG))
    assert_inert(display.headline_html([(SCRIPT, "fail"), IMG], title=QUOTE))
    assert_inert(display.cover_html(SCRIPT, IMG, {SVG: QUOTE}))


def test_display_blocks_are_not_typeset_as_tex():
    """JupyterLab typesets "$…$" in HTML outputs: every block carries MathJax's ignore classes."""
    import pandas as pd

    blocks = [display.table_html(pd.DataFrame({"a": ["$x$"]})), display.callout_html("$x$"),
              display.headline_html(["$x$"]), display.cover_html("$x$", "s", {"a": "$x$"})]
    for b in blocks:
        first = parse(b).attrs
        classes = next(v for t, k, v in first if k == "class")
        assert "tex2jax_ignore" in classes.split() and "mathjax_ignore" in classes.split(), b[:80]


def test_html_escape_roundtrip_of_the_names():
    """The names survive the escaping exactly (no double escaping)."""
    for s in NAMES.values():
        assert html.unescape(display.escape(s)) == s
