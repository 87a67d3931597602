"""What the briefing notebooks call: one function per section of a briefing.

The notebooks in ``notebooks/`` are thin — parameters, then one call per cell to this package —
so every number, sentence and figure of a briefing is produced (and tested) here. Each section
function returns one ``IPython.display.HTML`` block (figures embedded with caption and alt text,
tables with Chinese headers and units, pass/fail by colour *and* symbol).

Three briefings:

* :func:`county_briefing` — one county, one year (the core product): :mod:`.county`;
* :func:`county_trend` — one county over every year in the data: :mod:`.trend`;
* :func:`region_overview` — every county of the data in one year: :mod:`.region`.

Shared set-up in :mod:`._common`; ``results.json`` in :mod:`.results`. The old module
``balance.briefing`` is an alias of this package (``from balance import briefing`` in notebooks).
"""
from balance.reporting.briefing._common import STAGES, setup
from balance.reporting.briefing.changes import since_last_year
from balance.reporting.briefing.county import (
    CountyBriefing,
    appendix,
    attainment_figures,
    county_briefing,
    cover,
    cv_figure,
    cv_intro,
    cv_table,
    distribution_intro,
    equity_appendix,
    headline,
    indicator_figures,
    planning,
    rectification_intro,
    rectification_list,
    scorecard,
    urban_rural,
)
from balance.reporting.briefing.degrees import bachelor_ratio_section, region_bachelor_ratio, trend_bachelor_ratio
from balance.reporting.briefing.ledger_view import ledger_status
from balance.reporting.briefing.region import (
    RegionBriefing,
    county_verdict,
    region_change,
    region_cover,
    region_failing,
    region_headline,
    region_heatmap,
    region_on_course,
    region_oversize,
    region_overview,
    region_table,
)
from balance.reporting.briefing.results import save_results
from balance.reporting.briefing.trend import (
    TrendBriefing,
    county_trend,
    trend_areas,
    trend_cv_figure,
    trend_equity,
    trend_headline,
    trend_means,
    trend_movers,
    trend_on_course,
    trend_oversize,
    trend_pass_share,
)

__all__ = [
    "STAGES", "setup", "save_results",
    "CountyBriefing", "county_briefing", "cover", "headline", "cv_table", "cv_figure", "indicator_figures",
    "attainment_figures", "rectification_list", "urban_rural", "equity_appendix", "scorecard", "planning",
    "appendix", "cv_intro", "distribution_intro", "rectification_intro", "bachelor_ratio_section",
    "trend_bachelor_ratio", "region_bachelor_ratio",
    "since_last_year", "ledger_status",
    "TrendBriefing", "county_trend", "trend_headline", "trend_cv_figure", "trend_pass_share", "trend_means",
    "trend_movers", "trend_equity", "trend_areas", "trend_oversize", "trend_on_course",
    "RegionBriefing", "region_overview", "region_cover", "region_headline", "region_table", "region_heatmap",
    "region_failing", "region_change", "region_oversize", "region_on_course", "county_verdict",
]
