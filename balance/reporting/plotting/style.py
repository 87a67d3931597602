"""Figures for the briefings: one house style, Chinese labels, standards drawn as reference lines.

Every figure function takes the tidy frames of the core library and returns a
:class:`matplotlib.figure.Figure` (never calls ``plt.show``). The figure carries two attributes
used by :func:`balance.reporting.display.show_figure`:

``fig.balance_caption``
    a caption for the ``<figcaption>`` (what is drawn and how to read it);
``fig.balance_alt``
    an alt text written from the data ("初中 7 项差异系数中 2 项超过 0.45 限值：…"), for screen
    readers and for readers of a text-only copy.

Figures are made with :class:`matplotlib.figure.Figure` directly, not through pyplot, so the
notebook's inline backend does not display them a second time.

Input frames (contract with the core library)
---------------------------------------------
county_indicators
    year, county_code, county_name, stage ('小学'/'初中'), indicator, value, cv, cv_limit,
    cv_passed (bool, NA when not decisive), standard (NA when none).
section_values (school results, long form)
    year, county_code, county_name, school_code, school_name, stage, urban_rural
    ('城区'/'镇区'/'乡村'), students, indicator, value, standard, ratio, met, school_passed.

Accessibility: pass/fail is shown by colour *and* by marker or hatch; the three 城乡 colours
also differ in lightness, so figures stay readable in grey print.
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from balance.reporting import fonts

STAGES: tuple[str, ...] = ("小学", "初中")

URBAN_RURAL: tuple[str, ...] = ("城区", "镇区", "乡村")


#: 城乡 colours: dark blue / mid teal / light sand (CIE L* ≈ 32 / 59 / 81, distinct in grey).
URBAN_RURAL_COLORS = {"城区": "#1f4e79", "镇区": "#3a9e8f", "乡村": "#e9c46a"}


#: Stage colours (L* ≈ 46 / 63) — lines also differ by style and marker.
STAGE_COLORS = {"小学": "#2c6fbb", "初中": "#e08214"}

STAGE_STYLES = {"小学": dict(ls="-", marker="o"), "初中": dict(ls="--", marker="s")}

PASS_COLOR = "#1a7f4b"

FAIL_COLOR = "#d1495b"

NA_COLOR = "#9e9e9e"

PASS_MARKER = "o"

FAIL_MARKER = "X"

NA_MARKER = "D"

FAIL_HATCH = "////"

STANDARD_COLOR = "#222222"   # the standard (100 %): solid line

FLOOR_COLOR = "#666666"      # 85 % of the standard: dashed line

LIMIT_COLOR = "#b2182b"      # CV limit: dashed line

FLOOR_SHARE = 0.85           # school rule: the one missed indicator must reach 85 % of its standard

PALETTE = [URBAN_RURAL_COLORS[k] for k in URBAN_RURAL] + ["#8c564b", "#7f7f7f", "#9467bd"]

_style_applied = False


def house_rc() -> dict:
    """rcParams of the house style (fonts included)."""
    rc = dict(fonts.rc_params())
    rc.update({
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "axes.titlesize": 11,
        "axes.titleweight": fonts.bold_weight(),
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.title_fontsize": 9,
        "figure.titlesize": 13,
        "figure.titleweight": fonts.bold_weight(),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "grid.color": "#e3e3e3",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "hatch.linewidth": 0.8,
        "hatch.color": "#ffffff",
        # names from the data are drawn as written: "$x$" in a school name is not mathtext (and
        # "$\\frac$" would otherwise abort the figure with a parse error)
        "text.parse_math": False,
    })
    return rc


def use_house_style() -> fonts.CJKFont:
    """Apply the house style globally (seaborn theme + Chinese font). Returns the CJK font.

    ``sns.set_theme`` resets ``font.family``; the same font list is passed as its ``font=``.
    """
    global _style_applied
    import seaborn as sns

    font = fonts.configure_matplotlib()
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font=font.font_family(),
                  rc=house_rc())
    _style_applied = True
    return font


def _bold() -> str:
    """Bold when the Chinese font has a bold face, else normal (see :func:`fonts.bold_weight`)."""
    return fonts.bold_weight()


def _ensure_style() -> None:
    font = fonts.find_cjk_font()
    if not _style_applied or list(mpl.rcParams["font.family"]) != font.font_family():
        use_house_style()


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _fixed_figure(width: float, height: float) -> Figure:
    """A figure laid out by hand (:func:`_fixed_axes`): no layout engine measures text at draw
    time, and :func:`balance.reporting.render.render_figure` draws it once (no tight bounding
    box). ``fig.balance_fixed_layout`` marks it."""
    fig = Figure(figsize=(width, height))
    fig.balance_fixed_layout = True
    return fig


def _fixed_axes(fig: Figure, nrows: int, ncols: int, *, left: float, right: float, top: float,
                bottom: float, wspace: float, hspace: float = 0.0, **subplots) -> "np.ndarray":
    """``nrows × ncols`` axes placed by margins and gaps in inches (not measured from the text).

    Panel width ``pw = (W − left − right − (ncols − 1)·wspace) / ncols`` (height alike); matplotlib's
    gridspec takes the gaps as fractions of the mean panel size (``wspace / pw``). Returns the
    axes as a 2-D array. Titles of these axes are set with ``y=1.0`` (fixed): matplotlib then does
    not measure the tick labels of every axes to place them.
    """
    w, h = fig.get_size_inches()
    pw = max((w - left - right - wspace * (ncols - 1)) / ncols, 0.1)
    ph = max((h - top - bottom - hspace * (nrows - 1)) / nrows, 0.1)
    grid = dict(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h,
                wspace=wspace / pw, hspace=hspace / ph)
    return fig.subplots(nrows, ncols, squeeze=False, gridspec_kw=grid, **subplots)


def _fixed_title(fig: Figure, text: str, pad: float = 0.1) -> None:
    """The figure title, ``pad`` inches below the top edge (a fixed layout's suptitle)."""
    fig.suptitle(text, y=1 - pad / fig.get_figheight(), va="top")


def _fixed_legend(fig: Figure, handles, ncol: int, pad: float = 0.06):
    """The legend centred ``pad`` inches above the bottom edge (a fixed layout's outside legend)."""
    return fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, pad / fig.get_figheight()),
                      ncol=ncol)


def _finish(fig: Figure, caption: str, alt: str) -> Figure:
    fig.balance_caption = caption
    fig.balance_alt = alt
    return fig
