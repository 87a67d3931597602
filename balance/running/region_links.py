"""After a batch's runs: a region overview links only the county briefings that are in ``DIR``.

The overview runs beside the county briefings it links (often first: it is the longest run), so it
cannot know which of them will fail. Once every run is over, :func:`relink_region_pages` renders the
overview's link block again (:mod:`balance.reporting.county_links`, the markup the overview wrote)
from its ``results.json``: a link for each briefing that is there, the others named as 未生成 — as
``brief --county`` names the counties it did not brief. ``results.json`` then says what the page
links: ``linked`` (there) and ``unlinked`` (named, not linked). The next batch does the same again,
so a link comes back when the briefing is there again (the overview itself may be unchanged, skipped).
"""
from __future__ import annotations

import json
from pathlib import Path

from balance.running.outdir import check_output_file, run_name_problem

__all__ = ["relink_region_pages"]


def _there(out_dir: Path, x) -> bool:
    f = x.get("file") if isinstance(x, dict) else None
    return (isinstance(f, str) and f.endswith(".html") and run_name_problem(f[:-5]) is None
            and (out_dir / f).is_file())


def _planned(payload: dict) -> list[dict] | None:
    """Every briefing the overview meant to link, in its order (by ``ranking``), or ``None``."""
    linked, unlinked = payload.get("linked"), payload.get("unlinked", [])
    if not isinstance(linked, list) or not isinstance(unlinked, list):
        return None
    every = [x for x in linked + unlinked if isinstance(x, dict) and isinstance(x.get("file"), str)]
    rank = {str(c): i for i, c in enumerate(payload.get("ranking") or [])}
    return sorted(every, key=lambda x: rank.get(str(x.get("county_code")), len(rank)))


def _relink(out_dir: Path, run: str) -> bool:
    """One overview: its page and ``results.json`` rewritten when what it links changed. ``True``
    when they were."""
    from balance.io.files import atomic_write_json, atomic_write_text
    from balance.reporting.county_links import BLOCK_RE, county_links_html

    html, res = out_dir / f"{run}.html", out_dir / run / "results.json"
    if html.is_symlink() or not html.is_file() or not res.is_file():
        return False
    payload = json.loads(res.read_text(encoding="utf-8"))
    planned = _planned(payload) if isinstance(payload, dict) else None
    if planned is None or not isinstance(payload.get("year"), int):
        return False
    there = [x for x in planned if _there(out_dir, x)]
    gone = [x for x in planned if not _there(out_dir, x)]
    if [x["file"] for x in there] == [x.get("file") for x in payload["linked"]]:
        return False  # the page links what there is
    page = html.read_text(encoding="utf-8")
    names = [f"{x['county_name']}（{x['county_code']}）" if x.get("county_name") and x.get("county_code")
             else str(x.get("text") or x["file"]) for x in gone]
    block = county_links_html([(x["file"], str(x.get("text") or x["file"])) for x in there], payload["year"], names)
    new, n = BLOCK_RE.subn(lambda _: block, page, count=1)
    if n != 1:
        return False  # a page without the block (an older overview): left as it is
    check_output_file(out_dir, html, kind="html")  # a page balance wrote, inside DIR, not through a link
    atomic_write_text(html, new)
    atomic_write_json(res, {**payload, "linked": there, "unlinked": gone})
    return True


def relink_region_pages(out_dir: Path, rows: list[dict]) -> list[str]:
    """Every region overview among ``rows`` (manifest rows, ok or unchanged) links only the county
    briefings in ``out_dir``. Best effort: returns one message per page that could not be rewritten."""
    problems = []
    for r in rows:
        run = str(r.get("run", ""))
        if r.get("notebook") != "region_overview" or r.get("status") not in ("ok", "skipped") or run_name_problem(run):
            continue
        try:
            _relink(out_dir, run)
        except Exception as exc:  # noqa: BLE001 - the batch's result stands; the page keeps its links
            problems.append(f"总览 {run} 的县区简报链接未能更新 / could not update the county links of {run}: "
                            f"{type(exc).__name__}: {exc}")
    return problems
