"""HTML export: self-contained, Chinese, no code / stderr / errors, TOC; headless Chromium render."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from balance.reporting.html_export import (
    ExportError,
    atomic_write_text,
    cover_html,
    export_html,
    external_resources,
    notebook_errors,
    render_html,
)

NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """The fixture briefing notebook executed once (one kernel) and exported."""
    import papermill

    d = tmp_path_factory.mktemp("html")
    ipynb, html = d / "b.ipynb", d / "b.html"
    papermill.execute_notebook(
        str(NOTEBOOKS / "county_briefing.ipynb"), str(ipynb), kernel_name="python3", progress_bar=False,
        parameters={"county_code": "130102", "year": 2025, "data": str(d / "x.csv"), "output_dir": str(d / "out")},
        execution_timeout=120, start_timeout=60)
    export_html(ipynb, html)
    return html, html.read_text(encoding="utf-8"), nbformat.read(ipynb, as_version=4)


def test_lang_title_and_fonts(briefing):
    _, text, _ = briefing
    assert '<html lang="zh-CN">' in text
    assert "<title>测试县 130102 简报</title>" in text
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"' in text
    assert "@page { size: A4" in text


def test_no_network_resources(briefing):
    _, text, _ = briefing
    assert external_resources(text) == []
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", text, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", text, re.I)
    assert "require.min.js" not in text and "MathJax" not in text and "mermaid" not in text.lower()


def test_no_code_prompts_stderr_or_plumbing(briefing):
    _, text, nb = briefing
    # the executed notebook did produce them …
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert any("STDERR-TEXT-SHOULD-NOT-APPEAR" in o.text for o in streams)
    # … the briefing does not
    for s in ("STDERR-TEXT-SHOULD-NOT-APPEAR", "WARNING-TEXT-SHOULD-NOT-APPEAR", "PLUMBING-OUTPUT-SHOULD-NOT-APPEAR",
              "UserWarning", "plt.subplots", "display(HTML", "county_code = ", "In&nbsp;[", "Out["):
        assert s not in text, s
    assert '<div class="jp-CodeMirrorEditor' not in text
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text


def test_content_kept(briefing):
    html_path, text, _ = briefing
    assert re.search(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{200,}', text)
    assert "No description has been provided" not in text
    assert '<div class="cover"><h1>测试县 130102 简报</h1>' in text
    assert '<table class="balance-table">' in text and 'class="num fail">12,345' in text
    assert "写出结果 results written" in text  # stdout is kept
    assert html_path.stat().st_size < 200_000  # the 0.24 MB lab CSS is not included
    for rule in (".balance-figure", "figcaption", ".balance-table", ".pass::before", ".fail::before", ".callout", ".cover"):
        assert rule in text, rule


def test_table_of_contents_after_cover_links_to_headings(briefing):
    _, text, _ = briefing
    nav = re.search(r'<nav aria-label="目录" class="toc">.*?</nav>', text, re.S)
    assert nav, "no table of contents"
    assert text.index('class="cover"') < nav.start() < text.index("<h2")
    links = re.findall(r'href="#([^"]+)"', nav.group(0))
    assert len(links) == 3  # 一、总体结论 / 二、图表 / 2.1 示例图
    for hid in links:
        assert f'id="{hid}"' in text
    assert "一、总体结论" in nav.group(0) and "2.1 示例图" in nav.group(0)


# --- synthetic notebooks (no kernel) ----------------------------------------------------------
def _nb(*cells):
    return new_notebook(cells=list(cells), metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def _html_cell(html, **kw):
    c = new_code_cell("display(HTML(...))", **kw)
    c.outputs = [new_output("display_data", data={"text/html": html})]
    return c


def test_error_notebook_is_refused_and_errors_never_rendered(tmp_path):
    err = new_code_cell("1/0")
    err.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                              traceback=["TRACEBACK-LINE"])]
    nb = _nb(new_markdown_cell("# 标题"), err)
    assert notebook_errors(nb) == ["ZeroDivisionError: division by zero (cell 1)"]
    f = tmp_path / "e.ipynb"
    nbformat.write(nb, f)
    with pytest.raises(ExportError):
        export_html(f, tmp_path / "e.html")
    assert not (tmp_path / "e.html").exists()
    export_html(f, tmp_path / "e.html", allow_errors=True)
    assert "TRACEBACK-LINE" not in (tmp_path / "e.html").read_text(encoding="utf-8")


def test_toc_from_html_outputs_gets_ids_and_toc_tag_places_it():
    toc_cell = new_code_cell("")
    toc_cell.metadata["tags"] = ["toc"]
    nb = _nb(new_markdown_cell("intro"), toc_cell, _html_cell("<h2>甲 部分</h2><p>x</p>"),
             _html_cell('<h2 id="own">乙</h2><h3 class="s">乙.1</h3>'), new_markdown_cell("### 丙\n\n```\n## not a heading\n```"))
    text = render_html(nb, "t")
    nav = re.search(r'<nav aria-label="目录" class="toc">.*?</nav>', text, re.S).group(0)
    assert text.index("intro") < text.index("<nav")
    for hid in re.findall(r'href="#([^"]+)"', nav):
        assert f'id="{hid}"' in text
    assert "own" in nav and "not a heading" not in nav
    assert [m for m in re.findall(r">([^<>]+)</a>", nav)] == ["甲 部分", "乙", "乙.1", "丙"]


def test_no_toc_for_fewer_than_two_headings():
    assert "<nav" not in render_html(_nb(new_markdown_cell("# 题\n\n## 只有一个")), "t")


def test_remove_cell_tags_and_empty_code_cells():
    hidden = _html_cell("<p>SECRET</p>")
    hidden.metadata["tags"] = ["remove-cell"]
    out_only = _html_cell("<p>VISIBLE</p>")
    no_out = _html_cell("<p>GONE</p>")
    no_out.metadata["tags"] = ["remove-output"]
    text = render_html(_nb(hidden, out_only, no_out, new_code_cell("x = 1")), "t")
    assert "SECRET" not in text and "GONE" not in text and "VISIBLE" in text
    assert text.count("jp-CodeCell") == 1


def test_external_resources_detector():
    assert external_resources('<script src="https://cdn.x/require.js"></script>') == ["https://cdn.x/require.js"]
    assert external_resources('<link rel="stylesheet" href="//fonts.x/css">') == ["//fonts.x/css"]
    assert external_resources('<img src="http://x/a.png">') == ["http://x/a.png"]
    assert external_resources("<style>@import url('https://x/y.css');</style>") == ["https://x/y.css"]
    assert external_resources('<a href="https://www.moe.gov.cn/">教育部</a><img src="data:image/png;base64,AA">') == []


def test_external_image_in_notebook_refused(tmp_path):
    f = tmp_path / "n.ipynb"
    nbformat.write(_nb(new_markdown_cell("![logo](https://example.org/logo.png)")), f)
    with pytest.raises(ExportError, match="network"):
        export_html(f, tmp_path / "n.html")


def test_cover_html_escapes():
    h = cover_html("长安区 <2025>", "简报", {"县区": "长安区", "年份": 2025})
    assert re.match(r'<div class="cover[ "][^>]*><h1>长安区 &lt;2025&gt;</h1>', h) and "<dt>年份</dt><dd>2025</dd>" in h


def test_atomic_write_interrupted_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.html"
    target.write_text("OLD", encoding="utf-8")

    def boom(fd):
        raise KeyboardInterrupt("interrupted after a partial write")

    monkeypatch.setattr("balance.io.files.os.fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "NEW" * 100_000)
    assert target.read_text(encoding="utf-8") == "OLD"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


# --- headless Chromium ------------------------------------------------------------------------
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (apt-get install chromium); "
                                             "the browser render test needs /usr/bin/chromium")
def test_renders_in_headless_chromium(briefing, tmp_path):
    from PIL import Image, ImageStat

    html_path, _, _ = briefing
    shot = tmp_path / "shot.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
           "--window-size=1000,1400", "--enable-logging=stderr", "--v=0", f"--screenshot={shot}",
           html_path.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln]
    assert console == [], console
    img = Image.open(shot).convert("L")
    assert img.size[0] >= 800
    stat = ImageStat.Stat(img)
    assert stat.var[0] > 100, "screenshot is blank"
    # the page is mostly white with dark text: some pixels are dark
    hist = img.histogram()
    assert sum(hist[:100]) > 500


def test_two_exports_of_one_notebook_are_the_same_bytes(briefing, tmp_path):
    """The table of contents is a cell nbconvert renders with its id: a random id made every
    export differ (id="cell-id=…"). Two exports of one executed notebook are now identical."""
    html, _, _ = briefing
    ipynb = html.with_name("b.ipynb")
    pages = []
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        pages.append(export_html(ipynb, tmp_path / sub / "b.html").read_bytes())
    assert b'class="toc"' in pages[0]
    assert pages[0] == pages[1]
