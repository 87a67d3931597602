"""Shared set-up of the briefings: kernel set-up, HTML joining, file digests, presence checks."""
from __future__ import annotations

import hashlib
import warnings
from datetime import datetime
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from balance.errors import require_present
from balance.method.assessment import Assessment
from balance.reporting import display, plotting

STAGES = ("小学", "初中")


def setup() -> None:
    """Prepare a notebook kernel: CJK font and house style, numbering, quiet known warnings.

    Raises :class:`balance.reporting.fonts.CJKFontNotFoundError` (a clear bilingual message) when no
    Chinese font exists, instead of drawing tofu boxes.
    """
    plotting.use_house_style()
    display.reset_numbering()
    pd.set_option("display.max_columns", 50)
    # Benign warnings from third-party libraries must not reach a leader's briefing.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def _html(*parts: str) -> HTML:
    return HTML("".join(p for p in parts if p))


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def _sha256(path: str) -> str | None:
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_present(a: Assessment, county_code: str | None, year: int | None, source: str) -> None:
    v = a.verdicts
    require_present(source, year=year, years=v["year"].unique().tolist(), county=county_code,
                    counties=v["county_code"].astype(str).unique().tolist())
