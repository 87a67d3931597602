"""The batch's index.html: one Chinese page linking every briefing, with status and errors."""
from __future__ import annotations

import datetime as _dt
import html as _html
from pathlib import Path

from balance.running.notebooks import NOTEBOOK_ZH
from balance.running.outdir import printable, run_name_problem
from balance.running.results import STATUS_ZH


# --------------------------------------------------------------------------------------------
def _results_json(out_dir: Path, run: str) -> dict:
    import json

    if run_name_problem(run) is not None:  # never a path built from a name that is not plain
        return {}
    p = out_dir / run / "results.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except Exception:  # noqa: BLE001 - an unreadable results.json shows its run without key numbers
        return {}


def _href(name: str) -> str:
    """A relative link to a file of ``DIR`` (percent-encoded: ``#``, ``?``, spaces and Chinese
    text in a run name stay part of the file name), HTML-escaped."""
    from urllib.parse import quote

    return _html.escape(quote(name, safe=""), quote=True)


_MARKS = {"pass": "✓", "fail": "✗", "warn": "!", "info": "•"}


def _verdict_cell(extra: dict) -> str:
    """The verdict lines of a briefing's headline, word for word, from its ``results.json``
    (``verdict_lines``: the four-area verdict when a county sheet was given, and the
    resource-allocation verdict labelled as such); empty for a briefing without them."""
    lines = extra.get("verdict_lines")
    if not isinstance(lines, list):
        return ""
    out = []
    for line in lines[:3]:
        if not isinstance(line, dict):
            continue
        kind = line.get("kind") if line.get("kind") in _MARKS else "info"
        text = _html.escape(printable(str(line.get("text", ""))), quote=True)
        out.append(f'<p class="verdict-line {kind} no-mark"><span class="mark" aria-hidden="true">{_MARKS[kind]}</span> '
                   f'{text}</p>')
    return "".join(out)


def _mark_line(kind: str, text: str) -> str:
    return (f'<p class="verdict-line {kind} no-mark"><span class="mark" aria-hidden="true">{_MARKS[kind]}</span> '
            f'{_html.escape(printable(text), quote=True)}</p>')


#: Why a county briefing the overview links is not in ``DIR`` (the state of its run), as the index says it.
_NOT_THERE = {"pending": ("info", "总览中 {n} 个县区简报进行中/待生成（本批次尚未运行完）：{names}"),
              "failed": ("warn", "总览中 {n} 个县区简报链接暂不可用（简报运行失败）：{names}"),
              "missing": ("warn", "总览中 {n} 个县区简报链接暂不可用（简报未生成）：{names}"),
              "unlinked": ("warn", "总览中 {n} 个县区简报未生成（运行失败或未运行），总览已标为“未生成”、不链接：{names}")}


def _missing_links(out_dir: Path, extra: dict, status: dict[str, str] | None = None) -> str:
    """Lines for a region overview that links county briefings not in ``DIR``, from ``linked`` in
    its ``results.json``, by the state of each briefing's run (``status``: run name -> status of
    the rows shown): not finished yet in this batch (``pending``), failed, or not run; empty when
    every link works."""
    linked = extra.get("linked")
    if not isinstance(linked, list):
        return ""
    status = status or {}
    groups: dict[str, list[str]] = {k: [] for k in _NOT_THERE}
    for x in linked:
        if not isinstance(x, dict):
            continue
        f = x.get("file")
        run = f[:-5] if isinstance(f, str) and f.endswith(".html") and run_name_problem(f[:-5]) is None else None
        if run is not None and (out_dir / f).is_file():
            continue
        state = status.get(run, "") if run is not None else ""
        groups[state if state in ("pending", "failed") else "missing"].append(str(x.get("text") or f))
    unlinked = extra.get("unlinked")  # named, not linked, by the batch (running.region_links)
    groups["unlinked"] = [str(x.get("text") or x.get("file")) for x in unlinked if isinstance(x, dict)] \
        if isinstance(unlinked, list) else []
    return "".join(_mark_line(_NOT_THERE[k][0], _NOT_THERE[k][1].format(n=len(v), names="、".join(v)))
                   for k, v in groups.items() if v)


def write_index(out_dir: Path, rows: list[dict]) -> Path:
    """``DIR/index.html``: every run with its title, type, county, year, status, briefing and
    audit-log links, and the error of failed runs. Offline, styled like the briefings."""
    from balance import __version__
    from balance.io.files import atomic_write_text
    from balance.reporting.html_export import briefing_css

    def e(text) -> str:  # every text from data, params or the manifest: escaped, control characters shown
        return _html.escape(printable(text), quote=True)

    def own_file(run: str, name: str, suffix: str) -> bool:  # a link only to this run's own output file
        return bool(name) and run_name_problem(run) is None and name == f"{run}{suffix}" and (out_dir / name).is_file()

    n_ok = sum(r.get("status") == "ok" for r in rows)
    n_fail = sum(r.get("status") == "failed" for r in rows)
    n_skip = sum(r.get("status") == "skipped" for r in rows)
    n_pending = sum(r.get("status") == "pending" for r in rows)
    status_of = {str(r.get("run")): str(r.get("status", "")) for r in rows}
    body = []
    for i, r in enumerate(rows, 1):
        extra = _results_json(out_dir, r["run"])
        title = r.get("title") or extra.get("title") or ""
        if not title:
            name = extra.get("county_name") or r.get("county_code") or ""
            title = " ".join(x for x in (str(name), f"{r['year']} 年" if r.get("year") else "",
                                         NOTEBOOK_ZH.get(r.get("notebook", ""), "")) if x) or r["run"]
        has_html = own_file(r["run"], r.get("html") or "", ".html")
        name = f'<a href="{_href(r["html"])}">{e(title)}</a>' if has_html else e(title)
        log = (f'<a href="{_href(r["ipynb"])}">{e(r["ipynb"])}</a>'
               if own_file(r["run"], r.get("ipynb") or "", ".ipynb") else "")
        status = r.get("status", "")
        verdict = _verdict_cell(extra) + _missing_links(out_dir, extra, status_of) if status in ("ok", "skipped") else ""
        body.append(
            f'<tr class="row-{e(status)}"><td class="num">{i}</td><td>{name}<br><span class="muted">{e(r["run"])}</span></td>'
            f'<td class="verdict">{verdict}</td>'
            f'<td class="nowrap">{e(NOTEBOOK_ZH.get(r.get("notebook", ""), r.get("notebook", "")))}</td>'
            f'<td>{e(r.get("county_code", ""))}</td><td class="num">{e(str(r.get("year", "")))}</td>'
            f'<td class="nowrap status-{e(status)}">{e(STATUS_ZH.get(status, status))}</td>'
            f'<td>{log}</td><td class="error">{e(r.get("error", ""))}</td></tr>')
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    pending_dt = f"<dt>进行中/待生成</dt><dd>{n_pending}</dd>" if n_pending else ""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>简报目录 · 义务教育优质均衡发展评估</title>
<style>
{briefing_css()}
</style>
</head>
<body class="balance-index">
<main>
<div class="cover"><h1>简报目录</h1><p class="subtitle">义务教育优质均衡发展评估 · 资源配置</p>
<dl><dt>运行总数</dt><dd>{len(rows)}</dd><dt>成功</dt><dd>{n_ok}</dd><dt>失败</dt><dd>{n_fail}</dd>
<dt>未变化（沿用上次结果）</dt><dd>{n_skip}</dd>{pending_dt}<dt>生成时间</dt><dd>{generated}</dd></dl></div>
{'<div class="callout fail">有 %d 个运行失败，见下表“错误”列；执行记录（.ipynb）中保留了出错的单元格。</div>' % n_fail if n_fail else ''}
<table class="balance-table">
<thead><tr><th class="num">序号</th><th>简报</th><th>结论（与简报结论要点相同）</th><th>类型</th><th>县区代码</th><th class="num">年份</th><th>状态</th><th>执行记录</th><th>错误</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
<p class="footer">由 balance {e(__version__)} 生成。简报为独立的 HTML 文件，可离线打开、打印（A4）。执行记录为运行后的笔记本（审计日志）；清单见 <a href="manifest.csv">manifest.csv</a>。</p>
</main>
</body>
</html>
"""
    return atomic_write_text(out_dir / "index.html", page)
