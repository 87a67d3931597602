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
import html
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from balance.io.export.xlsx import EXCEL_INF_TEXT
from balance.reporting.render import (  # noqa: F401 - re-exported (display.render_figure …)
    PRINT_DPI, PRINT_WIDTH_IN, _png_size, _quantize_png, print_dpi, render_figure,
)

try:  # IPython is there in every notebook kernel; keep the module importable without it
    from IPython.display import HTML
except ImportError:  # pragma: no cover
    class HTML:  # type: ignore[no-redef]
        def __init__(self, data: str = ""):
            self.data = data

        def _repr_html_(self) -> str:
            return self.data

        def __str__(self) -> str:
            return self.data


# ---------------------------------------------------------------------------------------------
# numbering

@dataclass
class _Numbering:
    figure: int = 0
    table: int = 0


_numbers = _Numbering()


def reset_numbering(figures: int = 1, tables: int = 1) -> None:
    """Next figure is "图 {figures}", next table "表 {tables}" (default: start again from 1)."""
    _numbers.figure = figures - 1
    _numbers.table = tables - 1


def _next(kind: str) -> int:
    setattr(_numbers, kind, getattr(_numbers, kind) + 1)
    return getattr(_numbers, kind)


_SEP = "\u3000"  # ideographic space between "图 N" and the caption


def escape(text: Any) -> str:
    """``text`` as HTML text or attribute value: ``& < > " '`` escaped (``None`` → "").

    The one escaping path of the briefings: every text that comes from data or parameters
    (names, titles, file names, messages) passes through it before it becomes markup.
    """
    return html.escape("" if text is None else str(text), quote=True)


_esc = escape


def _esc_lines(text: Any) -> str:
    return "<br>".join(_esc(line) for line in str(text).split("\n"))


#: Classes on the outer element of every block: MathJax (JupyterLab typesets "$…$" in HTML
#: outputs; v2 and pandas use ``tex2jax_ignore``, v3 ``mathjax_ignore``) leaves names as written.
NO_TEX = "tex2jax_ignore mathjax_ignore"


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
# tables

#: Column headers without a labels file; the labels file (balance/data/labels.yaml) wins.
_FALLBACK_HEADERS = {
    "year": "年份", "county_code": "县区代码", "county_name": "县区名称", "school_code": "学校标识码",
    "school_name": "学校名称", "stage": "学段", "urban_rural": "城乡类型", "students": "在校生数",
    "indicator": "指标", "value": "指标值", "standard": "标准值", "ratio": "达成率", "met": "是否达标",
    "school_passed": "学校达标", "cv": "差异系数", "cv_limit": "差异系数限值", "cv_passed": "差异系数达标",
    "unit": "单位", "sections": "参评学段单位数", "sections_passed": "达标学段单位数",
}

#: Units appended to headers: "在校生数（人）".
DEFAULT_UNITS = {
    "students": "人", "teachers": "人", "classes": "个", "sections": "个", "sections_passed": "个",
    "sections_below": "个", "indicators_met": "项",
}

#: Default formats by column name (see :func:`show_table` for the accepted forms).
DEFAULT_FORMATS: dict[str, Any] = {
    "cv": 3, "cv_limit": 3, "ratio": "pct1", "min_ratio": "pct1", "share": "pct1",
    "year": "plain", "county_code": "text", "school_code": "text", "source_row": "plain",
}

#: Columns rendered as ✓ 达标 / ✗ 未达标 when ``pass_columns`` is not given.
PASS_COLUMNS = ("met", "school_passed", "cv_passed", "passed", "resource_passed", "decisive_passed")

PASS_TEXT = "✓ 达标"
FAIL_TEXT = "✗ 未达标"
NA_TEXT = "—"
#: Infinite numbers, as the workbooks show them.
INF_TEXT = EXCEL_INF_TEXT


def _labels() -> dict[str, str]:
    headers = dict(_FALLBACK_HEADERS)
    try:
        from importlib.resources import files

        import yaml

        doc = yaml.safe_load(files("balance").joinpath("data", "labels.yaml").read_text(encoding="utf-8")) or {}
        headers.update({k: str(v) for k, v in (doc.get("columns") or {}).items()})
    except Exception:  # noqa: BLE001 - headers are cosmetic: keep the fallback
        pass
    return headers


def _is_na(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _is_inf(v) -> bool:
    return isinstance(v, (float, np.floating)) and bool(np.isinf(v))


def _auto_decimals(s: pd.Series) -> int:
    x = pd.to_numeric(s, errors="coerce").dropna().astype(float)
    x = x[np.isfinite(x)]
    if x.empty or (np.abs(x - np.round(x)) < 1e-9).all():
        return 0
    m = float(np.median(np.abs(x)))
    if m >= 100:
        return 1
    if m >= 1:
        return 2
    if m >= 0.1:
        return 3
    return 4


#: Columns holding years, shown without thousands separators.
YEAR_COLUMNS = frozenset({"year", "年份", "previous_year", "上年"})


def _formatter(spec, s: pd.Series) -> Callable[[Any], str]:
    """Turn a format spec into a function. Specs: int (fixed decimals, thousands separators),
    "pct" / "pct1" / "pct2" (percent with 0/1/2 decimals), "plain" (str(int) for numbers, no
    separators), "text", a format string ("{:,.2f}" or ",.2f"), or a callable."""
    if callable(spec):
        return lambda v: str(spec(v))
    if spec is None:
        if pd.api.types.is_bool_dtype(s.dtype):
            return lambda v: "是" if bool(v) else "否"
        if pd.api.types.is_numeric_dtype(s.dtype):
            spec = _auto_decimals(s)
        else:
            spec = "text"
    if isinstance(spec, bool):  # bool is an int: refuse the confusion
        raise TypeError("format must be an int (decimals), a string or a callable")
    if isinstance(spec, int):
        d = spec
        return lambda v: f"{float(v):,.{d}f}"
    if isinstance(spec, str):
        if spec == "text":
            return str
        if spec == "plain":
            return lambda v: str(int(v)) if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer() else str(v)
        if spec.startswith("pct"):
            d = int(spec[3:] or 0)
            return lambda v: f"{float(v) * 100:,.{d}f}%"
        if "{" in spec:
            return lambda v: spec.format(v)
        return lambda v: format(v, spec)
    raise TypeError(f"unknown format {spec!r}")


def _is_numeric_spec(spec, s: pd.Series) -> bool:
    if spec in ("text",):
        return False
    if spec is None:
        return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    return True


def table_html(df: pd.DataFrame, columns: Sequence[str] | Mapping[str, str] | None = None,
               formats: Mapping[str, Any] | None = None, pass_columns: Iterable[str] | None = None,
               caption: str | None = None, *, units: Mapping[str, str] | None = None,
               max_rows: int | None = None, number: bool = True,
               pass_labels: tuple[str, str] = (PASS_TEXT, FAIL_TEXT)) -> str:
    """Markup of :func:`show_table` as a string."""
    # a year is a label, not an amount: never "2,025" (issue 11)
    formats = {**{c: "plain" for c in df.columns if str(c) in YEAR_COLUMNS}, **(formats or {})}
    if isinstance(columns, Mapping):
        cols = list(columns)
        header_over = dict(columns)
    else:
        cols = list(columns) if columns is not None else list(df.columns)
        header_over = {}
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"show_table: 没有这些列 / no such columns {missing}")
    labels = _labels()
    fmts = {**DEFAULT_FORMATS, **(dict(formats) if formats else {})}
    unit_map = {**DEFAULT_UNITS, **(dict(units) if units else {})}
    passes = set(pass_columns) if pass_columns is not None else {c for c in cols if c in PASS_COLUMNS}
    total = len(df)
    view = df.iloc[:max_rows] if max_rows is not None and total > max_rows else df

    funcs, kinds, heads = {}, {}, []
    for c in cols:
        s = df[c]
        if c in passes:
            kinds[c] = "pass"
        else:
            spec = fmts.get(c)
            funcs[c] = _formatter(spec, s)
            kinds[c] = "num" if _is_numeric_spec(spec, s) else "text"
        head = header_over.get(c) or labels.get(c, str(c))
        unit = unit_map.get(c)
        if unit and c not in header_over and f"（{unit}）" not in head:
            head = f"{head}（{unit}）"
        cls = "num" if kinds[c] == "num" else "text"
        heads.append(f'<th class="{cls}" scope="col">{_esc(head)}</th>')

    rows = []
    for rec in view[cols].itertuples(index=False, name=None):
        cells = []
        for c, v in zip(cols, rec):
            if kinds[c] == "pass":
                if _is_na(v):
                    cells.append(f'<td class="na">{NA_TEXT}</td>')
                elif bool(v):
                    cells.append(f'<td class="pass no-mark">{_esc(pass_labels[0])}</td>')
                else:
                    cells.append(f'<td class="fail no-mark">{_esc(pass_labels[1])}</td>')
            elif _is_na(v):
                cells.append(f'<td class="na">{NA_TEXT}</td>')
            elif _is_inf(v):  # shown as in the workbooks (balance.io.export.assessment.EXCEL_INF_TEXT), never "inf"
                cells.append(f'<td class="{kinds[c]}">{INF_TEXT if v > 0 else "-" + INF_TEXT}</td>')
            else:
                try:
                    text = funcs[c](v)
                except (TypeError, ValueError):
                    text = str(v)
                cells.append(f'<td class="{kinds[c]}">{_esc(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")

    n = _next("table") if number else None
    tid = f' id="tab-{n}"' if n else ""
    out = [f'<div class="balance-table-wrap table-wrap {NO_TEX}">', f'<table class="balance-table"{tid}>']
    if n or caption:
        num = f'<span class="balance-table-number">表 {n}</span>' if n else ""
        sep = _SEP if (n and caption) else ""
        out.append(f"<caption>{num}{sep}{_esc_lines(caption) if caption else ''}</caption>")
    out.append("<thead><tr>" + "".join(heads) + "</tr></thead>")
    out.append("<tbody>" + "".join(rows) + "</tbody></table>")
    if len(view) < total:
        out.append(f'<p class="balance-table-note note">仅显示前 {len(view):,} 行，共 {total:,} 行。</p>')
    out.append("</div>")
    return "".join(out)


def show_table(df: pd.DataFrame, columns: Sequence[str] | Mapping[str, str] | None = None,
               formats: Mapping[str, Any] | None = None, pass_columns: Iterable[str] | None = None,
               caption: str | None = None, *, units: Mapping[str, str] | None = None,
               max_rows: int | None = None, number: bool = True,
               pass_labels: tuple[str, str] = (PASS_TEXT, FAIL_TEXT)) -> HTML:
    """A DataFrame as a numbered, Chinese-headed HTML table.

    - ``columns``: which columns, in order; a dict ``{column: header}`` also renames them.
      Default headers come from ``balance/data/labels.yaml`` (e.g. students → 在校生数).
    - ``units``: ``{column: unit}`` appended to headers ("在校生数（人）"); defaults in
      :data:`DEFAULT_UNITS`.
    - ``formats``: ``{column: spec}``; spec = int (fixed decimals with thousands separators:
      ``1`` → "12,345.6"), "pct"/"pct1"/"pct2", "plain", "text", a format string or a callable.
      Defaults: CV 3 decimals, ratios as percent, integers with separators, other floats with a
      fixed number of decimals chosen per column from its magnitude.
    - ``pass_columns``: boolean columns shown as "✓ 达标" / "✗ 未达标" (classes ``pass``/``fail``;
      NA → "—", class ``na``); default: the known verdict columns present (:data:`PASS_COLUMNS`).
    - ``max_rows``: show only the first rows, with a note.
    Missing values show as "—", infinite ones as "∞" / "-∞". All text is escaped.
    """
    return HTML(table_html(df, columns, formats, pass_columns, caption, units=units, max_rows=max_rows,
                           number=number, pass_labels=pass_labels))


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


def links_html(links: Iterable[tuple[str, str]], title: str | None = None, *, label: str | None = None) -> str:
    """A list of links (``<nav><p>title</p><ul><li><a href>…``) to other pages of the batch.

    ``links``: ``(file name, text)`` pairs. The file name is percent-encoded (so it can only be a
    relative path: "javascript:…" becomes "javascript%3A…"; "%", "/" and "#" are kept, so parts
    quoted by the caller stay as they are) and both are escaped.
    """
    from urllib.parse import quote

    items = "".join(f'<li><a href="{_esc(quote(str(href), safe="/%#"))}">{_esc(text)}</a></li>' for href, text in links)
    head = f"<p>{_esc(title)}</p>" if title else ""
    aria = f' aria-label="{_esc(label or title)}"' if (label or title) else ""
    return f'<nav class="county-links {NO_TEX}"{aria}>{head}<ul>{items}</ul></nav>'
