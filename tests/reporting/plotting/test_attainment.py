"""The attainment heat table (issue 16): what the heatmap showed, as an HTML table.

Expected numbers come from the synthetic frame itself (``value / standard`` of one school and
indicator, the failing schools from ``school_passed``), not from the code under test.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from balance.reporting import plotting
from balance.reporting.plotting.attainment import attainment_grid, attainment_words
from tests.reporting.test_plotting import make_sections


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*>(.*?)</tr>", html.split("<tbody>")[1])


def _cells(row: str) -> list[tuple[str, str]]:
    """(background hex, text) of each data cell of one row."""
    return re.findall(r'<td style="background:(#[0-9a-f]{6});color:[^"]+">([^<]*)</td>', row)


@pytest.fixture(scope="module")
def sections() -> pd.DataFrame:
    return make_sections(30, seed=5)


def test_one_row_per_school_failing_first_and_marked(sections):
    html = plotting.attainment_table_html(sections, "小学", number=False)
    stage = sections[sections["stage"] == "小学"]
    passed = stage.groupby("school_code")["school_passed"].first()
    rows = _rows(html)
    assert len(rows) == stage["school_code"].nunique() == 30
    n_fail = int((~passed.astype(bool)).sum())
    assert 0 < n_fail < 30
    marks = ["✗ " in r.split("</th>")[0] for r in rows]
    assert marks == [True] * n_fail + [False] * (30 - n_fail)
    assert html.count('class="heat-fail') == n_fail
    assert html.count("heat-last-fail") == 1  # the rule under the last failing school
    assert all(len(_cells(r)) == 7 for r in rows)


def test_cells_are_the_ratio_as_text_coloured_by_attainment(sections):
    html = plotting.attainment_table_html(sections, "小学", number=False, floor=0.85)
    stage = sections[sections["stage"] == "小学"]
    seen = {"red": 0, "blue": 0, "floor": 0}
    for row in _rows(html):
        name = re.search(r'<th scope="row">(?:✗ )?([^<]*)</th>', row).group(1)
        school = stage[stage["school_name"] == name]
        if school["school_code"].nunique() != 1:
            continue  # a duplicated name carries its code; the other rows suffice
        ratios = (school["value"] / school["standard"]).tolist()  # indicator order of the frame
        for (bg, text), ratio in zip(_cells(row), ratios):
            r, b = int(bg[1:3], 16), int(bg[5:7], 16)
            shown = int(text.lstrip("▼").rstrip("%"))
            assert abs(shown - ratio * 100) <= 1, (text, ratio)
            assert text.startswith("▼") == (ratio < 0.85), (text, ratio)
            if ratio < 1:
                assert r > b, (bg, ratio)   # reds below the standard
                seen["red"] += 1
            else:
                assert b > r, (bg, ratio)   # blues at or above
                seen["blue"] += 1
            seen["floor"] += ratio < 0.85
    assert min(seen.values()) > 0, seen


def test_never_rounded_onto_a_threshold():
    sec = make_sections(6, seed=2)
    sel = (sec["stage"] == "小学") & (sec["indicator"] == "生均教学仪器设备值")
    sec.loc[sel, "value"] = [0.996 * 2000, 0.849 * 2000, 2000.0, 1.5 * 2000, 0.5 * 2000, 1.004 * 2000]
    sec.loc[sel, "ratio"] = sec.loc[sel, "value"] / 2000
    html = plotting.attainment_table_html(sec, "小学", number=False)
    texts = {t for r in _rows(html) for _, t in _cells(r)}
    assert {"99%", "▼84%", "100%", "150%", "▼50%"} <= texts
    assert "▼85%" not in texts


def test_floor_and_rule_come_from_the_standard_in_use(sections):
    html = plotting.attainment_table_html(sections, "小学", number=False, floor=0.9, min_met=5)
    assert "低于 90%" in html and "7 项中至少 5 项达到标准，其余 2 项不低于标准的 90%" in html
    assert "85%" not in html


def test_table_and_heatmap_say_the_same(sections):
    html = plotting.attainment_table_html(sections, "初中", number=False)
    fig = plotting.attainment_heatmap(sections, "初中")
    title, caption, alt = attainment_words(attainment_grid(sections, "初中"))
    assert fig.balance_alt == alt and fig.balance_caption == caption and fig._suptitle.get_text() == title
    assert f">{alt}</p>" in html and caption in html and f"<caption>{title}" in html


def test_school_names_are_escaped_and_stay_text():
    sec = make_sections(8, seed=3)
    hostile = '<img src=x onerror=alert(1)>"&\'学校'
    sec.loc[sec["school_code"] == sec["school_code"].iloc[0], "school_name"] = hostile
    html = plotting.attainment_table_html(sec, "小学", number=False)
    assert "<img" not in html and "onerror=alert(1)&gt;" in html and "&quot;&amp;&#x27;学校" in html


def test_numbered_as_a_figure_with_caption_and_summary(sections):
    from balance.reporting import display

    display.reset_numbering()
    html = plotting.attainment_table_html(sections, "小学")
    assert html.startswith('<figure class="balance-figure balance-heat')
    assert 'id="fig-1"' in html and '<span class="balance-figure-number">图 1</span>' in html
    assert 'aria-describedby="fig-1-summary"' in html and 'id="fig-1-summary"' in html
    assert "data:image" not in html  # no picture: the numbers are text
    display.reset_numbering()


def test_120_schools_stay_small_and_identical_between_runs():
    sec = make_sections(120, seed=7)
    a = plotting.attainment_table_html(sec, "小学", number=False)
    b = plotting.attainment_table_html(sec, "小学", number=False)
    assert a == b
    assert len(_rows(a)) == 120
    assert len(a.encode("utf-8")) < 150_000  # the 120-row heatmap PNG was ~200 KB more as base64


def test_column_heads_give_the_standard_with_its_unit(sections):
    """"标准 2,000" alone was ambiguous: every head names the indicator's unit, read here from the
    bundled standard file itself (not through the code under test)."""
    from pathlib import Path

    import yaml

    import balance

    doc = yaml.safe_load((Path(balance.__file__).parent / "data" / "standards" / "quality-2017.yaml")
                         .read_text(encoding="utf-8"))
    units = {i["name"]: i.get("unit") or "" for i in doc["indicators"]}
    html = plotting.attainment_table_html(sections, "小学", number=False)
    heads = re.findall(r'<span class="heat-std">([^<]*)</span>', html)
    order = attainment_grid(sections, "小学").order
    assert len(heads) == len(order) > 3
    assert sum(bool(units.get(c)) for c in order) > 3  # the check can fail: these indicators have units
    for head, c in zip(heads, order):
        assert head.startswith("标准 ") and head.endswith(units[c]), (head, c)
