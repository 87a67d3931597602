"""Hostile texts for tests of what the program writes for people (briefings, workbooks).

Each payload, if it ever became markup, leaves the marker ``PWNED`` in the page (built from two
halves, so the marker itself is never part of the text) or opens a JavaScript dialog: a browser
test looks for the marker in the DOM after the scripts ran and counts the dialogs. None of them begins with = + - @ (validation refuses those for the
sake of spreadsheets), so they are valid names and escaping is the only defence.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

MARKER = "PWNED"
SCRIPT = "<script>document.documentElement.setAttribute('data-x','PW'+'NED')</script>"
IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-y','PW'+'NED')\">"
SVG = "<svg/onload=\"alert('PW'+'NED')\">"   # a JavaScript dialog if it ever runs
QUOTE = "\" onmouseover=\"alert(1)"
MARKDOWN = "**粗体**[链接](javascript:alert(1))"
TEX = "$x^2$与$\\frac$"
TITLE = "<script>document.title='PW'+'NED'</script>**标题**$t$"


def make_hostile(df: pd.DataFrame, counties: dict[str, str], schools: dict[str, str] | None = None,
                 townships: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of a school table (Chinese headers) whose county names (by code), school names (by
    school code) and townships (by name) get hostile prefixes: ``{key: prefix}``. The original
    names stay at the end, so tests can still find them."""
    out = df.copy()
    for code, prefix in counties.items():
        m = out["县区代码"] == code
        out.loc[m, "县区名称"] = prefix + out.loc[m, "县区名称"]
    for code, prefix in (schools or {}).items():
        m = out["学校标识码"] == code
        out.loc[m, "学校名称"] = prefix + out.loc[m, "学校名称"]
    for name, prefix in (townships or {}).items():
        m = out["乡镇"] == name
        out.loc[m, "乡镇"] = prefix + out.loc[m, "乡镇"]
    return out


class Parsed(HTMLParser):
    """Elements, attributes and text of a page (the standard library's HTML parser)."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


#: Elements that run or embed something; no briefing has any of its own.
ACTIVE_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "frame", "frameset", "base", "form",
               "input", "button", "textarea", "select", "meta", "link", "audio", "video", "source"}


def active_markup(markup: str, allowed_tags: set[str] = frozenset({"meta"})) -> list[str]:
    """What in ``markup`` could run or navigate: active elements (except ``allowed_tags``), event
    handler attributes, links with a scheme (javascript:, data:, http:), images not embedded as
    ``data:image/…``. Empty for a safe page."""
    p = Parsed(markup)
    found = [f"<{t}>" for t in p.tags if t in ACTIVE_TAGS - set(allowed_tags)]
    for tag, k, v in p.attrs:
        if k.startswith("on"):
            found.append(f"<{tag} {k}=…>")
        elif tag == "a" and k == "href" and re.match(r"\s*[a-z][a-z0-9+.-]*:", v, re.I):
            found.append(f"<a href={v[:40]}>")
        elif tag == "img" and k == "src" and not v.startswith("data:image/"):
            found.append(f"<img src={v[:40]}>")
    return found
