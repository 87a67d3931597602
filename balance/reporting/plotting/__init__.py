"""Figures for the briefings: one house style, Chinese labels, standards drawn as reference lines.

Every figure function takes the tidy frames of the core library and returns a
:class:`matplotlib.figure.Figure` carrying ``balance_caption`` and ``balance_alt`` (see
:mod:`~balance.reporting.plotting.style` for the input-frame contract).

* :mod:`~balance.reporting.plotting.style` — house style, colours, figure/finish helpers;
* :mod:`~balance.reporting.plotting.labels` — number formats, indicator labels, frame checks;
* :mod:`~balance.reporting.plotting.county` — ``cv_chart``, ``indicator_small_multiples``,
  ``urban_rural_chart``;
* :mod:`~balance.reporting.plotting.attainment` — ``attainment_table_html`` (the briefing's heat
  table) and ``attainment_heatmap``, one grid (``attainment_grid``);
* :mod:`~balance.reporting.plotting.trend` — ``cv_trend_chart``, ``pass_share_*``,
  ``equity_trend_chart``;
* :mod:`~balance.reporting.plotting.region` — ``region_cv_heatmap``.

The old module ``balance.plotting`` is an alias of this package.
"""
from balance.reporting import fonts  # noqa: F401 - ``plotting.fonts`` as before
from balance.reporting.plotting.attainment import attainment_grid, attainment_heatmap, attainment_table_html
from balance.reporting.plotting.county import (
    ATTAINMENT_CMAP,
    CV_RATIO_CMAP,
    cv_chart,
    indicator_small_multiples,
    urban_rural_chart,
)
from balance.reporting.plotting.labels import _wrap, fmt_num, indicator_short, indicator_unit  # noqa: F401
from balance.reporting.plotting.region import region_cv_heatmap
from balance.reporting.plotting.style import (
    FAIL_COLOR,
    FAIL_HATCH,
    FAIL_MARKER,
    FLOOR_COLOR,
    FLOOR_SHARE,
    LIMIT_COLOR,
    NA_COLOR,
    NA_MARKER,
    PALETTE,
    PASS_COLOR,
    PASS_MARKER,
    STAGE_COLORS,
    STAGE_STYLES,
    STAGES,
    STANDARD_COLOR,
    URBAN_RURAL,
    URBAN_RURAL_COLORS,
    house_rc,
    use_house_style,
)
from balance.reporting.plotting.trend import (
    cv_trend_chart,
    equity_trend_chart,
    oversize_trend_chart,
    pass_share_frame,
    pass_share_trend,
)

__all__ = [
    "ATTAINMENT_CMAP", "CV_RATIO_CMAP", "FAIL_COLOR", "FAIL_HATCH", "FAIL_MARKER", "FLOOR_COLOR", "FLOOR_SHARE",
    "LIMIT_COLOR", "NA_COLOR", "NA_MARKER", "PALETTE", "PASS_COLOR", "PASS_MARKER", "STAGE_COLORS", "STAGE_STYLES",
    "STAGES", "STANDARD_COLOR", "URBAN_RURAL", "URBAN_RURAL_COLORS",
    "attainment_grid", "attainment_heatmap", "attainment_table_html", "cv_chart", "cv_trend_chart", "equity_trend_chart", "fmt_num", "house_rc",
    "indicator_short", "indicator_small_multiples", "indicator_unit", "oversize_trend_chart", "pass_share_frame", "pass_share_trend",
    "region_cv_heatmap", "urban_rural_chart", "use_house_style",
]
