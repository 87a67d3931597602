"""Attainment of every section: value ÷ standard per indicator, as a heat table (HTML) or a heatmap.

Both views show the same grid, built once by :func:`attainment_grid`: one row per section
(failing sections first, marked ✗), one column per indicator (with its standard), each cell the
达成率 ``ratio = value / standard`` coloured by :data:`ATTAINMENT_CMAP` (red below 100 %, blue at
or above; ▼ below the floor ratio of the standard in use). The words (title, caption, alt text)
come from :func:`attainment_words`, so the table and the figure say the same.

* :func:`attainment_table_html` — the briefing's view: an HTML ``<table>`` inside a numbered
  ``<figure>`` (图 N), the numbers as text (screen readers, copy to Excel, crisp in print), school
  names escaped, a colour legend. It costs milliseconds where a 120-row heatmap cost seconds.
* :func:`attainment_heatmap` — the same grid as a matplotlib figure (for notebooks and PNGs).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm, to_hex
from matplotlib.figure import Figure

from balance.reporting.plotting.county import (
    ATTAINMENT_CMAP,
    _grid_mesh,
    _stage_sections,
    _text_color,
    rule_caption,
)
from balance.reporting.plotting.labels import _pct, _pct_int, _status, fmt_num, indicator_short, indicator_unit
from balance.reporting.plotting.style import FAIL_COLOR, FLOOR_SHARE, _bold, _figure, _finish

#: The colour scale of 达成率: 40 % and below darkest red, 100 % the step to blue, 200 % and above darkest blue.
ATTAINMENT_NORM = TwoSlopeNorm(vmin=0.4, vcenter=1.0, vmax=2.0)


@dataclass
class AttainmentGrid:
    """One stage's attainment grid, rows in display order (failing sections first)."""

    ratios: np.ndarray          # rows × indicators, value ÷ standard (NaN: no value or no standard)
    labels: list[str]           # row labels: "✗ " + school name for failing sections (duplicates get their code)
    names: pd.Series            # school names by school code (duplicates with their code)
    info: pd.DataFrame          # per school code: passed, n_met, min_ratio, fail_key (0 = failing)
    order: list[str]            # indicator names (columns)
    standards: list[float]      # the standard of each column (NaN when none)
    county: str
    year: int | None
    stage: str
    floor: float
    min_met: int | None

    @property
    def n_fail(self) -> int:
        return int((self.info["fail_key"] == 0).sum())

    def failing(self, i: int) -> bool:
        return bool(self.info["fail_key"].iloc[i] == 0)


def attainment_grid(section_values: pd.DataFrame, stage: str, *, year: int | None = None,
                    floor: float = FLOOR_SHARE, min_met: int | None = None) -> AttainmentGrid:
    """The grid of :func:`attainment_heatmap` / :func:`attainment_table_html`.

    ``ratio = value / standard`` per section and indicator (``section_values["ratio"]``, filled
    where missing). Rows are sorted: sections failing the school rule first (``school_passed``, or
    when absent: at least ``min_met`` (default all but one) indicators ≥ 100 % and none below
    ``floor``), then by number of indicators met and lowest ratio, ascending.
    """
    df, year, county, order = _stage_sections(section_values, stage, year, "attainment_heatmap")
    grid = df.pivot_table(index="school_code", columns="indicator", values="ratio", aggfunc="first")
    grid = grid.reindex(columns=order)
    info = df.groupby("school_code", sort=False).agg(school_name=("school_name", "first"))
    if "school_passed" in df.columns:
        info["passed"] = df.groupby("school_code", sort=False)["school_passed"].first()
    else:
        met = grid.ge(1.0).sum(axis=1)
        info["passed"] = (met >= (len(order) - 1 if min_met is None else min_met)) & grid.min(axis=1).ge(floor)
    info = info.reindex(grid.index)
    info["n_met"] = grid.ge(1.0 - 1e-12).sum(axis=1)
    info["min_ratio"] = grid.min(axis=1)
    info["fail_key"] = info["passed"].map(lambda v: 0 if _status(v) == "fail" else 1)
    info = info.sort_values(["fail_key", "n_met", "min_ratio"], kind="stable")
    grid = grid.loc[info.index]
    names = info["school_name"].astype(str)
    dup = names.duplicated(keep=False)
    names = names.where(~dup, names + "（" + info.index.astype(str) + "）")
    labels = [("✗ " if k == 0 else "") + nm for nm, k in zip(names, info["fail_key"])]
    stds = []
    for c in order:
        s = df.loc[df["indicator"] == c, "standard"].dropna()
        stds.append(float(s.iloc[0]) if len(s) else float("nan"))
    return AttainmentGrid(grid.to_numpy(dtype=float), labels, names, info, order, stds, county, year, stage,
                          float(floor), min_met)


def attainment_words(g: AttainmentGrid) -> tuple[str, str, str]:
    """(title, caption, alt text) of the grid, from the standard's floor ratio and school rule."""
    fl = _pct(g.floor)
    title_year = f"{g.year}年" if g.year is not None else ""
    title = f"{g.county} {title_year}{g.stage}各校指标达成率".strip()
    caption = (f"{g.stage}每所学校（行）各项指标（列）的达成率：指标值除以标准值。红色低于标准，蓝色达到标准，"
               f"▼ 表示低于标准的 {fl}；标 ✗ 的学校未达到学校达标要求（{rule_caption(len(g.order), g.min_met, g.floor)}），排在最前。")
    n_cells_low = int(np.nansum(g.ratios < g.floor))
    worst = g.info[g.info["fail_key"] == 0].head(5)
    listed = "、".join(f"{g.names[c]}（{int(r.n_met)} 项达标，最低 {_pct(r.min_ratio)}）" for c, r in worst.iterrows())
    alt = (f"{g.county}{title_year}{g.stage} {len(g.labels)} 所学校中 {g.n_fail} 所未达标"
           + (("：" + listed + ("等" if g.n_fail > 5 else "")) if g.n_fail else "")
           + f"；共有 {n_cells_low} 个指标值低于标准的 {fl}。")
    return title, caption, alt


def cell_text(v: float, floor: float) -> str:
    """The text of one cell: "▼84%" below the floor, "96%", "—" without a value (never rounded onto a threshold)."""
    if math.isnan(v):
        return "—"
    return ("▼" if v < floor else "") + f"{_pct_int(v)}%"


def _cell_colours(ratios: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Background (hex) and text colour of every cell; NaN cells get the colour map's "bad" grey."""
    rgba = ATTAINMENT_CMAP(ATTAINMENT_NORM(np.ma.masked_invalid(ratios)))
    flat = rgba.reshape(-1, 4)
    bg = np.array([to_hex(c[:3]) for c in flat], dtype=object).reshape(ratios.shape)
    fg = np.array([_text_color(c) for c in flat], dtype=object).reshape(ratios.shape)
    fg[np.isnan(ratios)] = "#666666"
    return bg, fg


def _scale_ticks(floor: float) -> list[float]:
    """The ratios named on the colour scale: its ends, the floor ratio, 100 % and between."""
    return sorted({0.4, 0.6, round(floor, 4), 1.0, 1.5, 2.0})


def _scale_label(t: float) -> str:
    return ("≤" if t == 0.4 else "≥" if t == 2.0 else "") + _pct(t)


# ---------------------------------------------------------------------------------------------
# the heat table (HTML)

def _legend_html(floor: float) -> str:
    """A strip of colour swatches with their ratios (the colour bar of the heatmap)."""
    from balance.reporting.display import escape

    cells = []
    for t in _scale_ticks(floor):
        rgba = ATTAINMENT_CMAP(ATTAINMENT_NORM(t))
        text = _scale_label(t)
        cells.append(f'<span class="heat-swatch" style="background:{to_hex(rgba[:3])};color:{_text_color(rgba)}">'
                     f"{escape(text)}</span>")
    fl = _pct(floor)
    return (f'<p class="heat-legend"><span class="heat-legend-title">达成率 = 学校指标值 ÷ 标准（红：低于标准，'
            f'蓝：达到标准；▼ 低于 {escape(fl)}）</span> <span class="heat-scale">' + "".join(cells) + "</span></p>")


def attainment_table_html(section_values: pd.DataFrame, stage: str, *, year: int | None = None,
                          floor: float = FLOOR_SHARE, min_met: int | None = None, number: bool = True) -> str:
    """The attainment grid as a heat table: ``<figure class="balance-figure balance-heat">`` with a
    ``<table class="heat-table">`` (one row per section, ✗ and bold for failing ones, a rule under
    the last failing row), a colour legend in its caption and ``<figcaption>图 N　caption</figcaption>``.

    Each cell is ``value ÷ standard`` as a whole percent (:func:`cell_text`), its background the
    colour of the heatmap's scale; the table's summary (the heatmap's alt text) is a visually
    hidden paragraph the table points to with ``aria-describedby``. All text is escaped.
    """
    from balance.reporting import display

    esc = display.escape
    g = attainment_grid(section_values, stage, year=year, floor=floor, min_met=min_met)
    title, caption, alt = attainment_words(g)
    bg, fg = _cell_colours(g.ratios)
    head = "".join(f'<th scope="col">{esc(indicator_short(c))}<br><span class="heat-std">'
                   f"{esc(standard_text(c, s))}</span></th>" for c, s in zip(g.order, g.standards))
    rows = []
    last_fail = g.n_fail - 1 if 0 < g.n_fail < len(g.labels) else -1
    fails = (g.info["fail_key"] == 0).tolist()
    for i, label in enumerate(g.labels):
        cls = (["heat-fail"] if fails[i] else []) + (["heat-last-fail"] if i == last_fail else [])
        tr = f'<tr class="{" ".join(cls)}">' if cls else "<tr>"
        cells = "".join(f'<td style="background:{bg[i, j]};color:{fg[i, j]}">{esc(cell_text(v, g.floor))}</td>'
                        for j, v in enumerate(g.ratios[i]))
        rows.append(f'{tr}<th scope="row">{esc(label)}</th>{cells}</tr>')
    n = display._next("figure") if number else None
    # the summary's id: from the figure number, or (unnumbered) from the text itself, never from memory
    # addresses: the HTML must be the same in every run (warm-vs-fresh kernel test)
    digest = hashlib.sha1(f"{title}|{alt}".encode("utf-8")).hexdigest()[:10]
    fid, sid = (f' id="fig-{n}"', f"fig-{n}-summary") if n else ("", f"heat-{digest}-summary")
    num = f'<span class="balance-figure-number">图 {n}</span>{display._SEP}' if n else ""
    return (f'<figure class="balance-figure balance-heat {display.NO_TEX}"{fid}>'
            f'<div class="heat-wrap"><table class="heat-table" aria-describedby="{sid}">'
            f"<caption>{esc(title)}{_legend_html(g.floor)}</caption>"
            f'<thead><tr><th scope="col">学校</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            f'<p class="visually-hidden" id="{sid}">{esc(alt)}</p>'
            f"<figcaption>{num}{esc(caption)}</figcaption></figure>")


def standard_text(indicator: str, standard: float) -> str:
    """A column head's standard with the indicator's unit (from the standard files), as the
    county figures write it: ``"标准 2,000元/生"`` (``"标准 2,000"`` for an indicator without one)."""
    return f"标准 {fmt_num(standard)}{indicator_unit(indicator)}"


# ---------------------------------------------------------------------------------------------
# the heatmap (matplotlib)

def _heat_ticks(ax, g: AttainmentGrid) -> None:
    nrows, ncols = g.ratios.shape
    ax.set_xticks(np.arange(ncols))
    ax.set_xticklabels([f"{indicator_short(c)}\n{standard_text(c, s)}" for c, s in zip(g.order, g.standards)],
                       fontsize=8.5)
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=nrows > 30, labelbottom=nrows > 30, length=0)
    ax.set_yticks(np.arange(nrows))
    ax.set_yticklabels(g.labels, fontsize=8)
    for i, tick in enumerate(ax.get_yticklabels()):
        if g.failing(i):
            tick.set_color(FAIL_COLOR)
            tick.set_fontweight(_bold())
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    if 0 < g.n_fail < nrows:
        ax.axhline(g.n_fail - 0.5, color="#333333", lw=1.4)


def _heat_cells(ax, g: AttainmentGrid, fg: np.ndarray) -> None:
    nrows, ncols = g.ratios.shape
    fs = 7.5 if nrows <= 60 else 7
    for i in range(nrows):
        for j in range(ncols):
            v = g.ratios[i, j]
            weight = _bold() if (not math.isnan(v) and v < g.floor) else "normal"
            ax.text(j, i, cell_text(v, g.floor), ha="center", va="center", fontsize=fs, color=fg[i, j],
                    fontweight=weight, in_layout=False)


def _heat_colorbar(fig, cax, im, floor: float) -> None:
    cb = fig.colorbar(im, cax=cax, orientation="horizontal", extend="both")
    ticks = _scale_ticks(floor)
    cb.set_ticks(ticks)
    cb.set_ticklabels([_scale_label(t) for t in ticks], fontsize=8)
    cb.ax.axvline(floor, color="black", lw=1.6, ls=(0, (2, 1)))
    cb.ax.axvline(1.0, color="black", lw=1.6)
    fl = _pct(floor)
    cb.ax.set_title(f"达成率 = 学校指标值 ÷ 标准（红：低于标准，蓝：达到标准；虚线 {fl}，▼ 低于 {fl}）", fontsize=8.5, loc="left")
    cb.outline.set_visible(False)
    cax.set_box_aspect(None)


def attainment_heatmap(section_values: pd.DataFrame, stage: str, *, year: int | None = None,
                       annotate: bool = True, floor: float = FLOOR_SHARE, min_met: int | None = None) -> Figure:
    """Section × indicator grid of value ÷ standard (red below 100 %, blue above), ``floor`` (the
    standard's floor ratio) marked on the colour bar. Failing sections come first and are marked ✗.
    Height grows with the number of sections so 120 sections stay legible (0.24 in a row)."""
    g = attainment_grid(section_values, stage, year=year, floor=floor, min_met=min_met)
    nrows, ncols = g.ratios.shape
    row_h, cbar_h, head_h = 0.24, 0.18, 1.0
    label_w = min(3.2, 0.6 + 0.13 * max(len(s) for s in g.labels))
    fig = _figure(max(label_w + 0.95 * ncols + 0.6, 7.0), head_h + cbar_h + row_h * nrows + 0.4)
    gs = fig.add_gridspec(2, 1, height_ratios=[cbar_h, row_h * nrows + 0.6])
    cax, ax = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    im = _grid_mesh(ax, g.ratios, ATTAINMENT_CMAP, ATTAINMENT_NORM)
    _heat_ticks(ax, g)
    if annotate:
        _heat_cells(ax, g, _cell_colours(g.ratios)[1])
    _heat_colorbar(fig, cax, im, g.floor)
    title, caption, alt = attainment_words(g)
    fig.suptitle(title)
    return _finish(fig, caption, alt)
