"""Shared pieces of the briefing markup: the ``HTML`` output type, the escaping path and numbering.

:mod:`balance.reporting.display` (figures, boxes) and :mod:`balance.reporting.tables` both build on
these; the markup contract itself is documented in :mod:`balance.reporting.display`.
Numbering: figures ("图 N") and tables ("表 N") are numbered per kernel (per process), from 1;
:func:`reset_numbering` starts again.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Iterable

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


__all__ = ["HTML", "NO_TEX", "escape", "links_html", "reset_numbering"]
