"""Export an executed notebook to one self-contained HTML briefing (nbconvert, in-process).

The template ``balance/templates/briefing`` extends nbconvert's ``lab`` template:

* no code and no prompts (``exclude_input`` / prompt exclusion), cells tagged ``remove-cell``
  removed, ``remove-input`` / ``remove-output`` honoured (``TagRemovePreprocessor``);
* stderr streams (warnings included) and error outputs dropped; code cells left without output
  dropped; a notebook that contains an error is refused (:class:`ExportError`) unless
  ``allow_errors=True``;
* ``<html lang="zh-CN">``, a Chinese font stack, A4 print CSS, styles for ``.balance-figure``,
  ``figcaption``, ``.balance-table``, ``.pass`` / ``.fail`` (colour and ✓ / ✗), ``.callout``,
  ``.cover``; the lab stylesheet (0.24 MB) is replaced by ``static/briefing.css`` (~8 KB);
* no script, stylesheet or image loaded from the network (checked after rendering);
* a table of contents built from the level-2/3 headings (markdown cells, markdown outputs and
  ``<h2>``/``<h3>`` in HTML outputs), placed in a cell tagged ``toc`` if there is one, else right
  after the headline box (the verdict comes first), else right after the cover block (the first cell whose source or output contains ``class="cover"``), else
  after the first level-1 heading, else at the top.
"""
from __future__ import annotations

import html as _html
import re
from functools import lru_cache
from pathlib import Path

import nbformat

from balance._resources import TEMPLATES_DIR  # noqa: E402
from balance.io.files import atomic_write_text  # noqa: F401 - re-exported
from balance.reporting.display import cover_html  # noqa: F401 - re-exported for notebooks and tests

TEMPLATE_NAME = "briefing"
CSS_FILE = TEMPLATES_DIR / TEMPLATE_NAME / "static" / "briefing.css"

#: Font stack used in the HTML (kept in sync with ``static/briefing.css``).
FONT_STACK = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif'


class ExportError(RuntimeError):
    """The notebook cannot be exported as a briefing (it has errors, or the HTML is not
    self-contained)."""


def briefing_css() -> str:
    """The briefing stylesheet (for pages built outside nbconvert, e.g. the batch index)."""
    return CSS_FILE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# preprocessors
def _make_preprocessors():
    from nbconvert.preprocessors import Preprocessor

    class DropNoiseOutputs(Preprocessor):
        """Drop stderr streams, error outputs, and code cells left without any output."""

        def preprocess(self, nb, resources):
            cells = []
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.get("outputs", [])
                                    if o.get("output_type") != "error"
                                    and not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
                    if not cell.outputs and "toc" not in cell.metadata.get("tags", []):
                        continue
                cells.append(cell)
            nb.cells = cells
            return nb, resources

    class TableOfContents(Preprocessor):
        """Insert a table of contents (a ``<nav class="toc">`` HTML output) built from headings."""

        def preprocess(self, nb, resources):
            entries = _collect_headings(nb)
            if len(entries) < 2:
                return nb, resources
            nav = _toc_html(entries)
            out = nbformat.v4.new_output("display_data", data={"text/html": nav})
            new = nbformat.v4.new_code_cell(source="", outputs=[out])
            new.metadata["tags"] = ["toc"]
            # nbformat gives a new cell a random id, which nbconvert writes into the page
            # (id="cell-id=…"): derive it from the headings instead, so that two exports of the
            # same notebook are the same bytes
            new["id"] = _toc_cell_id(entries)
            tagged = [i for i, c in enumerate(nb.cells) if "toc" in c.metadata.get("tags", [])]
            if tagged:
                nb.cells[tagged[0]] = new
                return nb, resources
            nb.cells.insert(_toc_position(nb), new)
            return nb, resources

    return DropNoiseOutputs, TableOfContents


_HEADING_MD = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_HEADING_HTML = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1\s*>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def _md_headings(text: str) -> list[tuple[int, str]]:
    out, fence = [], None
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"^(`{3,}|~{3,})", s)
        if m:
            fence = None if fence and s.startswith(fence) else (fence or m.group(1))
            continue
        if fence:
            continue
        m = _HEADING_MD.match(line)
        if m and not line.startswith("    "):
            out.append((len(m.group(1)), m.group(2)))
    return out


def _anchor_of_md_heading(level: int, text: str) -> tuple[str, str]:
    """(id, plain text) exactly as nbconvert renders this markdown heading."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune("#" * level + " " + text)
    m = re.search(r'id="([^"]*)"', rendered)
    inner = _HEADING_HTML.search(rendered)
    plain = _html.unescape(_TAGS.sub("", inner.group(3) if inner else text)).replace("¶", "").strip()
    return (_html.unescape(m.group(1)) if m else ""), plain


def _collect_headings(nb, levels=(2, 3)) -> list[tuple[int, str, str]]:
    """[(level, id, text)] in document order. HTML-output headings without an id get one."""
    entries: list[tuple[int, str, str]] = []
    counter = [0]
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "no-toc" in tags or "toc" in tags:
            continue
        if cell.cell_type == "markdown":
            for level, text in _md_headings(cell.source):
                if level in levels:
                    hid, plain = _anchor_of_md_heading(level, text)
                    if hid:
                        entries.append((level, hid, plain))
        elif cell.cell_type == "code":
            for o in cell.get("outputs", []):
                data = o.get("data", {})
                if "text/html" in data:
                    src = data["text/html"]
                    src = "".join(src) if isinstance(src, list) else src

                    def add_id(m):
                        level, attrs, inner = int(m.group(1)), m.group(2) or "", m.group(3)
                        if level not in levels:
                            return m.group(0)
                        idm = re.search(r'\bid\s*=\s*["\']([^"\']+)["\']', attrs)
                        if idm:
                            hid = idm.group(1)
                        else:
                            counter[0] += 1
                            hid = f"sec-{counter[0]}"
                            attrs = f' id="{hid}"' + attrs
                        entries.append((level, hid, _html.unescape(_TAGS.sub("", inner)).strip()))
                        return f"<h{level}{attrs}>{inner}</h{level}>"

                    data["text/html"] = _HEADING_HTML.sub(add_id, src)
                elif "text/markdown" in data:
                    src = data["text/markdown"]
                    src = "".join(src) if isinstance(src, list) else src
                    for level, text in _md_headings(src):
                        if level in levels:
                            hid, plain = _anchor_of_md_heading(level, text)
                            if hid:
                                entries.append((level, hid, plain))
    return entries


def _toc_cell_id(entries: list[tuple[int, str, str]]) -> str:
    """Stable id of the table-of-contents cell: a digest of the headings (level, anchor, text) in
    document order."""
    import hashlib

    h = hashlib.sha1("\n".join(f"{level}\t{hid}\t{text}" for level, hid, text in entries).encode("utf-8"))
    return f"toc-{h.hexdigest()[:8]}"


def _toc_html(entries: list[tuple[int, str, str]]) -> str:
    top = min(level for level, _, _ in entries)
    parts = ['<nav class="toc" aria-label="目录"><p class="toc-title">目录</p><ol>']
    depth, open_li = 0, False
    for level, hid, text in entries:
        d = min(level - top, depth + 1)
        if d > depth:
            parts.append("<ol>")
            depth, open_li = d, False
        while d < depth:
            parts.append("</li></ol>")
            depth -= 1
        if open_li:
            parts.append("</li>")
        parts.append(f'<li><a href="#{_html.escape(hid, quote=True)}">{_html.escape(text)}</a>')
        open_li = True
    if open_li:
        parts.append("</li>")
    while depth > 0:
        parts.append("</ol></li>")
        depth -= 1
    parts.append("</ol></nav>")
    return "".join(parts)


def _cell_text(cell, source: bool = True) -> str:
    texts = [cell.source] if source or cell.cell_type != "code" else []
    for o in cell.get("outputs", []):
        for k in ("text/html", "text/markdown"):
            v = o.get("data", {}).get(k)
            if v:
                texts.append("".join(v) if isinstance(v, list) else v)
    return "\n".join(texts)


def _toc_position(nb) -> int:
    # the answer first, the contents after it (issue 11): after the headline box when there is one
    for i, cell in enumerate(nb.cells):
        if re.search(r'class\s*=\s*["\'][^"\']*\bheadline\b', _cell_text(cell, source=False)):
            return i + 1
    for i, cell in enumerate(nb.cells):
        if re.search(r'class\s*=\s*["\'][^"\']*\bcover\b', _cell_text(cell, source=False)):
            return i + 1
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and any(level == 1 for level, _ in _md_headings(cell.source)):
            return i + 1
        if cell.cell_type == "code" and re.search(r"<h1[\s>]", _cell_text(cell, source=False), re.I):
            return i + 1
    return 0


# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=2)
def _exporter(toc: bool):
    """One configured HTMLExporter per process (building it loads the templates: ~0.1 s)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    DropNoise, Toc = _make_preprocessors()
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    c.TagRemovePreprocessor.enabled = True
    c.CSSHTMLHeaderPreprocessor.enabled = False  # pygments CSS: no code is shown
    exp = HTMLExporter(
        config=c,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="zh",
        embed_images=True,
    )
    exp.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    exp.register_preprocessor(DropNoise(), enabled=True)
    if toc:
        exp.register_preprocessor(Toc(), enabled=True)
    return exp


def notebook_errors(nb) -> list[str]:
    """Errors recorded in an executed notebook: ``["ename: evalue (cell i)", ...]``."""
    errs = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                errs.append(f"{o.get('ename')}: {o.get('evalue')} (cell {i})")
        pm = cell.get("metadata", {}).get("papermill", {})
        if pm.get("exception") and not errs:
            errs.append(f"papermill: cell {i} failed")
    if nb.metadata.get("papermill", {}).get("exception") and not errs:
        errs.append("papermill: execution failed")
    return errs


_EXTERNAL = re.compile(
    r"""<(?:script|img|iframe|audio|video|source|embed)\b[^>]*?\bsrc\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)"""
    r"""|@import\s+(?:url\()?\s*["']?((?:https?:)?//[^"')\s]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.I,
)


def external_resources(html_text: str) -> list[str]:
    """URLs the page would load from the network (scripts, stylesheets, images, frames, CSS
    ``url()``/``@import``). Plain ``<a href>`` links are not loads and are not listed."""
    return [next(g for g in m.groups() if g) for m in _EXTERNAL.finditer(html_text)]


def render_html(nb, title: str | None = None, *, resources_name: str = "briefing", toc: bool = True,
                copy: bool = True) -> str:
    """The briefing HTML of an executed notebook node (no checks for errors). ``copy=False``: the
    node is changed (title, heading anchors) instead of copied first (a deep copy of a briefing's
    notebook costs ~0.3 s)."""
    import copy as _copy

    from balance import __version__

    if copy:
        nb = _copy.deepcopy(nb)
    if title is None:
        title = nb.metadata.get("title") or _first_h1(nb) or resources_name
    nb.metadata["title"] = title
    resources = {"metadata": {"name": resources_name}, "balance_version": __version__}
    body, _ = _exporter(toc).from_notebook_node(nb, resources=resources)
    # nbconvert's English fallback alt text for images without one (figures made with
    # balance.reporting.plotting carry their own alt text)
    return body.replace('alt="No description has been provided for this image"', 'alt="图表（无文字说明）"')


def notebook_title(nb) -> str | None:
    """``metadata.title``, else the first level-1 heading (markdown cell or HTML output)."""
    return nb.metadata.get("title") or _first_h1(nb)


def _first_h1(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for level, text in _md_headings(cell.source):
                if level == 1:
                    return _anchor_of_md_heading(1, text)[1]
        elif cell.cell_type == "code":
            m = re.search(r"<h1[^>]*>(.*?)</h1>", _cell_text(cell, source=False), re.S | re.I)
            if m:
                return _html.unescape(_TAGS.sub("", m.group(1))).strip()
    return None


def export_html(ipynb_path: str | Path, html_path: str | Path, title: str | None = None, *,
                allow_errors: bool = False, toc: bool = True, nb=None) -> Path:
    """Export an executed notebook to a self-contained HTML briefing, written atomically.

    Parameters
    ----------
    ipynb_path : executed notebook (papermill output).
    html_path : where the briefing goes (a temporary sibling is written first, then renamed).
    title : ``<title>`` of the page; default the notebook's ``metadata.title``, else its first
        level-1 heading, else the file name.
    allow_errors : export even if the notebook recorded an error (the error outputs are still
        hidden — never use this for a briefing that is reported as ok).
    nb : the notebook node already read from ``ipynb_path`` (it is not read again, and it is
        changed by the export: pass a node that is not used afterwards).

    Raises
    ------
    ExportError
        The notebook has errors, or the page would load something from the network.
    """
    ipynb_path, html_path = Path(ipynb_path), Path(html_path)
    if nb is None:
        nb = nbformat.read(ipynb_path, as_version=4)
    errs = notebook_errors(nb)
    if errs and not allow_errors:
        raise ExportError(f"notebook has errors, not exported / 笔记本运行出错，未导出: {errs[0]}")
    text = render_html(nb, title, resources_name=html_path.stem, toc=toc, copy=False)  # nb is ours
    ext = external_resources(text)
    if ext:
        raise ExportError(f"briefing would load from the network / 简报引用了网络资源: {', '.join(ext[:3])}")
    return atomic_write_text(html_path, text)


