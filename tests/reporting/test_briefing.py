"""Briefing sections (what notebook cells call) on a demo subset; warnings are failures."""
import re
import warnings

import pandas as pd
import pytest

from balance.errors import InputError
from balance.reporting import briefing as bf

DEMO = "data/demo/schools.csv"


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    # two counties from the demo data: 南川县 (fails on one CV) and 青山县 (passes), years 2024-2025
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990101", "990105"]) & df["年份"].isin(["2024", "2025"])]
    p = tmp_path_factory.mktemp("demo") / "subset.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    return str(p)


@pytest.fixture(scope="module")
def b(subset):
    bf.setup()
    return bf.county_briefing(subset, "990105", 2025)


def _text(h) -> str:
    return re.sub(r"<[^>]+>", "", h.data)


def test_every_county_section_renders_without_warnings(b):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (bf.cover, bf.headline, bf.cv_table, bf.cv_figure, bf.indicator_figures, bf.attainment_figures,
                  bf.rectification_list, bf.urban_rural, bf.equity_appendix, bf.scorecard, bf.planning, bf.appendix):
            h = f(b)
            assert h.data.strip(), f.__name__


def test_headline_states_the_verdict_and_the_failing_cv(b):
    text = _text(bf.headline(b))
    assert "南川县 2025 年义务教育学校资源配置未达到" in text
    # the demo story: junior 生均体育运动场馆面积 CV over 0.45 (see data/demo/README.md)
    ci = b.year_view().county_indicators
    r = ci[(ci.stage == "初中") & (ci.indicator == "生均体育运动场馆面积")].iloc[0]
    assert r.cv > 0.45 and f"{r.cv:.3f}" in text
    assert "与 2024 年相比" in text


def test_figures_have_alt_and_caption(b):
    html = bf.cv_figure(b).data
    assert 'alt="' in html and "<figcaption" in html and "data:image/png;base64," in html


def test_planning_section_shows_cost_and_cv_drivers(b):
    text = _text(bf.planning(b))
    assert "最低投入" in text and "最低成本达标方案" in text and "推高超限差异系数的主要学校" in text


def test_trend_and_region(subset):
    t = bf.county_trend(subset, "990101")
    assert t.years == [2024, 2025]
    for f in (bf.cover, bf.trend_headline, bf.trend_cv_figure, bf.trend_pass_share, bf.trend_means,
              bf.trend_movers, bf.trend_equity):
        assert f(t).data
    r = bf.region_overview(subset, 2025)
    html = bf.region_table(r).data
    assert 'href="990105_2025.html"' in html and "青山县" in html
    assert "2 个县区中 1 个达到" in _text(bf.region_headline(r))


def test_county_not_in_data_is_a_clear_error(subset):
    with pytest.raises(InputError) as e:
        bf.county_briefing(subset, "990199", 2025)
    assert "990199" in e.value.render()


def test_save_results(b, tmp_path):
    import json

    bf.save_results(b, str(tmp_path))
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["county_name"] == "南川县" and data["summary"]["passed"] is False


def test_urban_rural_table_lists_primary_first(b):
    text = _text(bf.urban_rural(b))
    assert text.index("小学") < text.index("初中")


def test_planning_section_quotes_the_plans_own_cost_bound_gap_and_schedule(b, subset, tmp_path):
    """Issue 13: the briefing's numbers equal plan_summary.json and plan_schedule.csv (as written by the CLI)."""
    import json

    from balance.cli import main

    out = tmp_path / "plan"
    assert main(["plan", subset, "--county", "990105", "--year", "2025", "--target-year", "2027",
                 "--annual-cap", "300", "--out", str(out)]) == 0
    js = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    sched = pd.read_csv(out / "plan_schedule.csv", encoding="utf-8-sig")
    text = _text(bf.planning(b, target_year=2027, annual_cap_wan=300.0))
    c = js["counties"][0]
    assert c["total_cost"] > 0 and f"{c['total_cost'] / 1e4:,.1f} 万元" in text
    assert f"成本下界 {c['lower_bound'] / 1e4:,.1f} 万元" in text and f"{c['gap']:.2%}" in text
    for y, cost in sched.groupby("spend_year")["cost"].sum().items():
        assert str(y) in text and f"{cost / 1e4:,.1f}" in text
    assert "学生数依据" in text and "年均变化率" in text        # 2024–2025 in the subset: the stated trend
    plain = _text(bf.planning(b))
    assert "分年度安排" not in plain and "成本下界" in plain


def test_no_county_sheet_note_speaks_the_clerks_command_not_a_parameter_name(b, subset):
    # a leader reads the briefing: no raw parameter name (county_sheet); the clerk's option instead
    for note in (_text(bf.scorecard(b)), _text(bf.trend_areas(bf.county_trend(subset, "990105")))):
        assert "未提供县级填报表" in note and "（county_sheet）" not in note
        assert "--county-sheet" in note
