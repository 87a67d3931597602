"""What notebooks call to put figures, tables and boxes into the HTML briefing.

Every ``show_*`` function returns an :class:`IPython.display.HTML` object (display it by making it
the last expression of a cell, or with ``IPython.display.display``); the ``*_html`` variants
return the same markup as a ``str``. All text is HTML-escaped (:func:`escape`, the one escaping path).

HTML structure and class names (a contract with the briefing's CSS template)
---------------------------------------------------------------------------
Figures::

    <figure class="balance-figure" id="fig-N">
      <img class="balance-figure-img" src="data:image/png;base64,…" alt="…" width="…">
      <figcaption><span class="balance-figure-number">图 N</span>　caption</figcaption>
    </figure>

Heat tables (the attainment grid, :func:`balance.reporting.plotting.attainment_table_html`)::

    <figure class="balance-figure balance-heat" id="fig-N">
      <div class="heat-wrap"><table class="heat-table" aria-describedby="fig-N-summary">
        <caption>title<p class="heat-legend">…</p></caption> <thead>…</thead>
        <tbody><tr class="heat-fail [heat-last-fail]"><th scope="row">✗ 学校</th><td style="background:…">▼84%</td>…
      </table></div>
      <p class="visually-hidden" id="fig-N-summary">…</p><figcaption>图 N　caption</figcaption>
    </figure>

Tables::

    <div class="balance-table-wrap table-wrap">
      <table class="balance-table" id="tab-N">
        <caption><span class="balance-table-number">表 N</span>　caption</caption>
        <thead><tr><th class="num|text" scope="col">在校生数（人）</th>…</tr></thead>
        <tbody><tr><td class="num">12,345.6</td><td class="text">…</td>
                   <td class="pass no-mark">✓ 达标</td><td class="fail no-mark">✗ 未达标</td>
                   <td class="na">—</td></tr></tbody>
      </table>
      <p class="balance-table-note note">…</p>       (only when rows were cut)
    </div>

Boxes::

    <div class="callout KIND callout-KIND no-mark" role="note">     KIND = info | pass | fail | warn
      <span class="callout-icon" aria-hidden="true">ℹ|✓|✗|!</span>
      <div class="callout-body"><p class="callout-title">…</p>text</div>
    </div>

    <section class="headline" aria-label="要点">
      <p class="headline-title" role="heading" aria-level="2">要点</p>   (not an h2: stays out of the TOC)
      <ul class="headline-list"><li class="KIND no-mark"><span class="mark">✓</span> text</li>…</ul>
    </section>

Every outer element above (figure, table wrapper, box, headline, cover, link list) also carries
the classes ``tex2jax_ignore mathjax_ignore`` (:data:`NO_TEX`): JupyterLab typesets "$…$" in HTML
outputs, and a county named "$x$" must read "$x$". Text from data is escaped by :func:`escape`;
nothing from data is ever rendered as Markdown (the blocks are HTML outputs).

Pass/fail is always shown by a symbol (✓ / ✗) written in the text *and* a class (for colour), so
grey print works. The symbol is in the markup (screen readers, copy to Excel, no CSS needed), so every
element with ``pass``/``fail`` also carries ``no-mark``: the briefing CSS
(``templates/briefing/static/briefing.css``) adds its own "✓ "/"✗ " via ``::before`` unless
``no-mark`` is present. Callouts use the template's ``callout pass|fail|warn`` classes (plus
``callout-KIND``).
:data:`DEFAULT_CSS` is a minimal style sheet for these classes (:func:`style_tag` injects it when
no template provides one, e.g. in plain Jupyter).

Numbering: figures ("图 N") and tables ("表 N") are numbered per kernel (per process), from 1;
:func:`reset_numbering` starts again.
"""
from __future__ import annotations

import base64
import sys
from collections.abc import Iterable

from balance.reporting.markup import (  # noqa: F401 - re-exported (display.escape, display._next …)
    _SEP,
    HTML,
    NO_TEX,
    _esc,
    _esc_lines,
    _next,
    _Numbering,
    _numbers,
    escape,
    links_html,
    reset_numbering,
)
from balance.reporting.render import (  # noqa: F401 - re-exported (display.render_figure …)
    PRINT_DPI,
    PRINT_WIDTH_IN,
    _png_size,
    _quantize_png,
    print_dpi,
    render_figure,
)
from balance.reporting.tables import (  # noqa: F401 - re-exported (display.show_table …)
    _FALLBACK_HEADERS,
    DEFAULT_FORMATS,
    DEFAULT_UNITS,
    FAIL_TEXT,
    INF_TEXT,
    NA_TEXT,
    PASS_COLUMNS,
    PASS_TEXT,
    YEAR_COLUMNS,
    _auto_decimals,
    _formatter,
    _is_inf,
    _is_na,
    _is_numeric_spec,
    _labels,
    show_table,
    table_html,
)

# ---------------------------------------------------------------------------------------------
# figures

def _close(fig) -> None:
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)


def figure_html(fig, caption: str | None = None, alt: str | None = None, fmt: str = "png", dpi: float = 150, *,
                number: bool = True, close: bool = True, optimize: bool = True, fit_print: bool = True) -> str:
    """Markup of :func:`show_figure` as a string."""
    caption = caption if caption is not None else getattr(fig, "balance_caption", None)
    alt = alt if alt is not None else getattr(fig, "balance_alt", None) or caption or "图"
    if fit_print and fmt.lower() == "png":
        dpi = print_dpi(fig, dpi)
    try:
        data = render_figure(fig, fmt=fmt, dpi=dpi, optimize=optimize)
    finally:
        if close:
            _close(fig)
    if fmt.lower() == "png":
        mime = "image/png"
        w, h = _png_size(data)
        # CSS pixels at 96 per inch: the image is shown at its physical size, sharp on HiDPI screens
        size = f' width="{round(w * 96 / dpi)}" height="{round(h * 96 / dpi)}"' if w else ""
    else:
        mime = "image/svg+xml"
        size = ""
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    n = _next("figure") if number else None
    fid = f' id="fig-{n}"' if n else ""
    parts = [f'<figure class="balance-figure {NO_TEX}"{fid}>',
             f'<img class="balance-figure-img" src="{uri}" alt="{_esc(alt)}"{size} '
             f'style="max-width:100%;height:auto">']
    if n or caption:
        num = f'<span class="balance-figure-number">图 {n}</span>' if n else ""
        sep = _SEP if (n and caption) else ""
        parts.append(f"<figcaption>{num}{sep}{_esc_lines(caption) if caption else ''}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


def show_figure(fig, caption: str | None = None, alt: str | None = None, fmt: str = "png", dpi: float = 150, *,
                number: bool = True, close: bool = True, optimize: bool = True, fit_print: bool = True) -> HTML:
    """Embed a matplotlib figure as ``<figure><img src="data:…" alt="…"><figcaption>图 N　…``.

    ``caption``/``alt`` default to ``fig.balance_caption``/``fig.balance_alt`` (set by
    :mod:`balance.reporting.plotting`). ``fmt="svg"`` embeds an SVG (text as outlines) — good for simple
    charts; PNG for heatmaps. The figure is closed afterwards (``close=False`` keeps it).

    A PNG is drawn at :func:`print_dpi` (``dpi``, lowered for figures wider than the printed
    page so that they have at most about 1,050 pixels across); ``fit_print=False`` keeps ``dpi``.
    The ``<img>`` has the figure's size in CSS pixels (96 per inch), shrunk to the column by CSS.
    """
    return HTML(figure_html(fig, caption, alt, fmt, dpi, number=number, close=close, optimize=optimize,
                            fit_print=fit_print))


# ---------------------------------------------------------------------------------------------
# boxes

_KINDS = {"info": "ℹ", "pass": "✓", "fail": "✗", "warn": "!"}


def _kind(kind: str) -> str:
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}")
    return kind


def callout_html(text: str, kind: str = "info", title: str | None = None) -> str:
    """Markup of :func:`callout` as a string."""
    kind = _kind(kind)
    head = f'<p class="callout-title">{_esc(title)}</p>' if title else ""
    return (f'<div class="callout {kind} callout-{kind} no-mark {NO_TEX}" role="note">'
            f'<span class="callout-icon" aria-hidden="true">{_KINDS[kind]}</span>'
            f'<div class="callout-body">{head}{_esc_lines(text)}</div></div>')


def callout(text: str, kind: str = "info", title: str | None = None) -> HTML:
    """A highlighted box: ``kind`` = "info" (ℹ), "pass" (✓), "fail" (✗) or "warn" (!)."""
    return HTML(callout_html(text, kind, title))


def headline_html(lines: Iterable[str | tuple[str, str]], title: str = "要点") -> str:
    """Markup of :func:`headline` as a string."""
    items = []
    for line in lines:
        if isinstance(line, tuple):
            text, kind = line
        else:
            text, kind = line, "info"
        kind = _kind(kind)
        mark = {"info": "•", "pass": "✓", "fail": "✗", "warn": "!"}[kind]
        items.append(f'<li class="{kind} no-mark"><span class="mark" aria-hidden="true">{mark}</span> {_esc_lines(text)}</li>')
    return (f'<section class="headline {NO_TEX}" aria-label="{_esc(title)}">'
            f'<p class="headline-title" role="heading" aria-level="2">{_esc(title)}</p>'
            f'<ul class="headline-list">{"".join(items)}</ul></section>')


def headline(lines: Iterable[str | tuple[str, str]], title: str = "要点") -> HTML:
    """The plain-Chinese headline box at the top of a briefing.

    ``lines``: strings, or ``(text, kind)`` with kind "pass"/"fail"/"warn"/"info", e.g.
    ``[("小学 7 项差异系数全部达标", "pass"), ("初中 2 项差异系数超过 0.45", "fail")]``.
    """
    return HTML(headline_html(lines, title))


# ---------------------------------------------------------------------------------------------
# minimal CSS (for plain Jupyter; the briefing template has its own)

DEFAULT_CSS = """
.balance-figure{margin:1.2em 0;text-align:center}
.balance-figure figcaption{font-size:.92em;color:#333;margin-top:.4em;text-align:left}
.balance-figure-number,.balance-table-number{font-weight:bold}
.balance-table-wrap{overflow-x:auto;margin:1em 0}
.balance-table{border-collapse:collapse;font-size:.92em}
.balance-table caption{caption-side:top;text-align:left;font-size:.95em;margin-bottom:.3em}
.balance-table th,.balance-table td{border-bottom:1px solid #ddd;padding:.25em .6em}
.balance-table th{background:#f3f3f3;border-bottom:2px solid #999}
.balance-table .num{text-align:right;font-variant-numeric:tabular-nums}
.balance-table .text{text-align:left}
.pass{color:#1a7f4b}.fail{color:#b8283c;font-weight:bold}.na{color:#888}
.callout{display:flex;gap:.6em;border-left:4px solid #2c6fbb;background:#f2f6fb;padding:.6em .9em;margin:1em 0}
.callout.pass{border-color:#1a7f4b;background:#eef7f1;color:inherit}.callout.fail{border-color:#b8283c;background:#fbeff1;color:inherit}
.callout.warn{border-color:#e08214;background:#fdf4e9}
.callout-icon{font-weight:bold}.callout-title{font-weight:bold;margin:0 0 .2em}
.headline{border:2px solid #1f4e79;border-radius:6px;padding:.6em 1.1em;margin:1em 0}
.headline-title{font-size:1.15em;font-weight:bold;margin:.2em 0 .4em}
.headline-list{list-style:none;padding-left:0;margin:0}.headline-list li{margin:.3em 0}
.headline-list li.pass .mark{color:#1a7f4b}.headline-list li.fail .mark{color:#b8283c}
.balance-heat{text-align:left}.heat-wrap{overflow-x:auto}
.heat-table{border-collapse:separate;border-spacing:1px;font-size:.8em;font-variant-numeric:tabular-nums}
.heat-table caption{text-align:left;font-weight:bold}.heat-table td{text-align:center;white-space:nowrap;padding:.1em .4em}
.heat-table th{padding:.1em .4em;text-align:left;font-weight:normal}.heat-table thead th{font-weight:bold;text-align:center}
.heat-table tr.heat-fail th{color:#b8283c;font-weight:bold}.heat-table tr.heat-last-fail>*{border-bottom:2px solid #333}
.heat-std{color:#666;font-size:.9em}.heat-legend{font-size:.8em;font-weight:normal}.heat-scale{white-space:nowrap}.heat-swatch{display:inline-block;padding:0 .45em}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media print{.pass,.fail,.na{color:#000}}
""".strip()


def style_tag() -> HTML:
    """``<style>`` with :data:`DEFAULT_CSS`, for notebooks viewed without the briefing template."""
    return HTML(f"<style>{DEFAULT_CSS}</style>")


__all__ = [
    "DEFAULT_CSS",
    "DEFAULT_FORMATS",
    "DEFAULT_UNITS",
    "FAIL_TEXT",
    "PASS_COLUMNS",
    "PASS_TEXT",
    "NO_TEX",
    "callout",
    "callout_html",
    "cover_html",
    "escape",
    "figure_html",
    "headline",
    "headline_html",
    "links_html",
    "render_figure",
    "reset_numbering",
    "show_figure",
    "show_table",
    "style_tag",
    "table_html",
]


def cover_html(title: str, subtitle: str | None = None, items: dict | None = None) -> str:
    """A cover block (``<div class="cover">``): title, subtitle and a list of label → value
    (e.g. 县区、年份、评估标准、生成日期)."""
    parts = [f'<div class="cover {NO_TEX}">', f"<h1>{_esc(title)}</h1>"]
    if subtitle:
        parts.append(f'<p class="subtitle">{_esc(subtitle)}</p>')
    if items:
        parts.append("<dl>")
        for k, v in items.items():
            parts.append(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>")
        parts.append("</dl>")
    parts.append("</div>")
    return "".join(parts)


