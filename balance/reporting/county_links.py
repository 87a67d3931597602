"""The region overview's block of links to the county briefings of its batch, and the sentence that
names the counties whose briefing is not there (未生成).

The overview renders the block when it runs; the batch, once all its runs are over, renders it again
from the overview's ``results.json`` for the briefings that were written, naming those that were not
(a county briefing that failed): :mod:`balance.running.region_links`. Light on purpose (no pandas):
the batch process imports it.
"""
from __future__ import annotations

import re

from balance.reporting.markup import escape, links_html

__all__ = ["BLOCK_RE", "county_links_html", "not_written_html", "FAILED_REASON", "NOT_BRIEFED_REASON"]

#: The block as the overview writes it (its own markup: data in it is escaped, so no text matches).
BLOCK_RE = re.compile(r'<div class="county-briefings">.*?</div>', re.S)
#: Why a county has no briefing beside the overview: not chosen (``brief --county``), or its run failed.
NOT_BRIEFED_REASON = "本次只生成了所选县区的简报"
FAILED_REASON = "简报运行失败或未运行，不链接"


def not_written_html(year: int, names: list[str], why: str) -> str:
    """The sentence naming the counties without a ``year`` briefing beside the overview ("" for none)."""
    if not names:
        return ""
    return f'<p class="section-intro">未生成 {year} 年简报的县区（{escape(why)}）：{escape("、".join(names))}。</p>'


def county_links_html(links: list[tuple[str, str]], year: int, failed: list[str] = ()) -> str:
    """The block: the links ``(file, text)`` to the county briefings there are, then the counties
    ``failed`` (their briefing was not written) named as 未生成."""
    nav = links_html(links, "各县区简报：", label="各县区简报") if links else ""
    return f'<div class="county-briefings">{nav}{not_written_html(year, list(failed), FAILED_REASON)}</div>'
