"""The rectification ledger (整改台账) in the county briefing: counts by status and the overdue items.

Issue 14: "The county briefing shows the ledger's counts by status and lists overdue items with
their owners" when last year's ledger (as the bureau filled it) is given — params key
``previous_ledger``. Everything comes from :mod:`balance.analysis.ledger` (not re-implemented
here): :func:`~balance.analysis.ledger.read_previous_ledger`, :func:`~balance.analysis.ledger.build_ledger`
on this county and year (with the four areas when a county sheet is given),
:meth:`~balance.analysis.ledger.Ledger.counts` and :meth:`~balance.analysis.ledger.Ledger.overdue`.
"""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from balance.reporting import display
from balance.reporting.briefing._common import _html


def county_ledger(b):
    """The :class:`~balance.analysis.ledger.Ledger` of ``b``'s county and year (None without a
    previous ledger). Deadlines are compared with today's date, as ``balance ledger`` does."""
    if not getattr(b, "previous_ledger", None):
        return None
    if getattr(b, "_ledger", None) is None:
        from balance.analysis.ledger import build_ledger, read_previous_ledger

        prev = read_previous_ledger(b.previous_ledger, year=b.year)
        prev = prev[prev["county_code"].astype(str) == b.county_code] if "county_code" in prev else prev
        ev = b.evaluation if b.county_sheet else None
        b._ledger = build_ledger(b.year_view(), ev, prev, year=b.year, previous_path=str(b.previous_ledger))
    return b._ledger


def ledger_status(b) -> HTML:
    """Counts of the ledger's items by status and the overdue items with 牵头单位, 责任人, 完成时限."""
    from pathlib import Path

    from balance.analysis.ledger import STATUSES

    led = county_ledger(b)
    if led is None:
        return display.callout("未提供上年整改台账（生成简报时用 --previous-ledger 指定），不列整改台账进展。"
                               "用 balance ledger 生成本年台账后，明年可据此跟踪各项整改。", "info")
    counts = led.counts()
    row = counts[counts["county_code"] == b.county_code]
    n = {s: int(row[s].iat[0]) if len(row) else 0 for s in (*STATUSES, "合计")}
    table = pd.DataFrame({"status": [*STATUSES, "合计"], "n": [n[s] for s in (*STATUSES, "合计")]})
    name = Path(str(b.previous_ledger)).name
    parts = [display.table_html(table, columns={"status": "状态", "n": "事项数"}, formats={"n": "plain"},
                                caption=f"整改台账进展：{b.year} 年各状态事项数（对照上年台账 {name}）")]
    od = led.overdue()
    od = od[od["county_code"] == b.county_code]
    if od.empty:
        parts.append(display.callout_html("没有已逾期的整改事项。", "pass"))
    else:
        od = od.assign(deadline=[d.isoformat() if hasattr(d, "isoformat") else ("" if pd.isna(d) else str(d))
                                 for d in od["deadline"]],
                       school_name=od["school_name"].fillna(""), lead_unit=od["lead_unit"].fillna(""),
                       owner=od["owner"].fillna(""))
        parts.append(display.table_html(
            od, columns={"item": "事项", "school_name": "学校", "lead_unit": "牵头单位", "owner": "责任人",
                         "deadline": "完成时限"},
            formats={c: "text" for c in ("item", "school_name", "lead_unit", "owner", "deadline")},
            caption=f"已逾期的整改事项（{len(od)} 项，完成时限早于 {led.as_of.isoformat()}）"))
    return _html(*parts)
