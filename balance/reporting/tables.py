"""Tables of the briefing: a DataFrame as a numbered, Chinese-headed HTML table (:func:`show_table`).

The markup (``<div class="balance-table-wrap">…``) is documented in :mod:`balance.reporting.display`,
which re-exports everything here (``display.show_table`` keeps working).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from balance.io.export.xlsx import EXCEL_INF_TEXT
from balance.reporting.markup import _SEP, HTML, NO_TEX, _esc, _esc_lines, _next

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


__all__ = [
    "DEFAULT_FORMATS", "DEFAULT_UNITS", "FAIL_TEXT", "INF_TEXT", "NA_TEXT", "PASS_COLUMNS", "PASS_TEXT",
    "YEAR_COLUMNS", "show_table", "table_html",
]
