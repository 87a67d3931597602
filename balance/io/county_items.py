"""The items of the county sheet (县级填报表) as data: ``balance/data/evaluation_items.yaml``.

The areas, items, fields (one sheet column each), their types, units and rules; the columns of the
sheet in template order; a field's rule as printed. Read by the template writer
(:mod:`balance.io.county_template`), the reader (:mod:`balance.io.county_sheet`) and the evaluation.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from balance._resources import DATA_DIR

ITEMS_FILE = DATA_DIR / "evaluation_items.yaml"
SHEET_NAME = "县级填报表"
GUIDE_SHEET = "填报说明"
#: rows above the header row in the template: area, requirement (zh), requirement (en), rule / allowed values
DESCRIPTION_ROWS = 4
HEADER_SCAN_ROWS = 12
YES, NO = "是", "否"
TYPE_LABELS = {
    "yes_no": ("是/否", "yes/no"),
    "rate": ("百分比 0–100", "percent 0-100"),
    "amount": ("数值 ≥ 0", "number >= 0"),
    "ratio": ("小数 0–1", "decimal 0-1"),
}
_SUMMARY = ("县级填报表有误", "the county sheet has errors")


@lru_cache(maxsize=1)
def item_spec() -> dict:
    """The parsed ``evaluation_items.yaml``."""
    return yaml.safe_load(ITEMS_FILE.read_text(encoding="utf-8"))


def area_names() -> dict[str, str]:
    """Area key -> Chinese name (资源配置, 政府保障程度, 教育质量, 社会认可度, 一票否决)."""
    return {a["key"]: a["name"] for a in item_spec()["areas"]}


def item_id(item: dict) -> str:
    """A stable id of an item: ``government_3``, ``quality_9``, ``recognition_1``, ``veto_2``."""
    return f"{item['area']}_{item['item_no']}"


def items() -> list[dict]:
    """Every sheet item in order (government, quality, recognition, veto)."""
    return list(item_spec()["items"])


def fields() -> list[dict]:
    """Every sheet field (one column each), with its item's ``area``, ``no``, ``code`` and ``item_id``."""
    out = []
    for it in items():
        for f in it["fields"]:
            out.append({**f, "area": it["area"], "item_no": it["item_no"], "code": it["code"], "item_id": item_id(it),
                        "item_text": it["text"], "item_en": it["en"], "computed": it.get("computed")})
    return out


def note_column(item: dict) -> str:
    """Canonical name of an item's evidence-note column."""
    return f"{item_id(item)}_note"


def note_header(item: dict) -> str:
    return f"{item['code']} 说明及佐证材料"


def sheet_columns() -> list[dict]:
    """The sheet's columns in template order: identity, then per item its fields and note column.

    Each entry: ``name`` (canonical), ``header``, ``kind`` (identity | field | note) and, for fields,
    the field spec.
    """
    spec = item_spec()
    cols = [{"name": c["name"], "header": c["header"], "kind": "identity", "aliases": c.get("aliases", [])}
            for c in spec["identity"]]
    by_item: dict[str, list[dict]] = {}
    for f in fields():
        by_item.setdefault(f["item_id"], []).append(f)
    for it in items():
        for f in by_item[item_id(it)]:
            cols.append({"name": f["name"], "header": f["header"], "kind": "field", "field": f})
        if it.get("note"):
            cols.append({"name": note_column(it), "header": note_header(it), "kind": "note", "item": it})
    return cols




def rule_text(f: dict, settings: dict | None = None) -> str:
    """The rule of a field as printed, e.g. ``≥ 95 %`` or ``是``; settings-based rules show the value."""
    rule = f.get("rule") or {}
    if "setting" in rule:
        default = item_spec()["computed_defaults"][rule["setting"]]
        value = (settings or {}).get(rule["setting"], default)
        text = f.get("rule_text")
        if text and _num(default) in text:  # the printed rule with the number of the standard in use
            return text.replace(_num(default), _num(value), 1)
        unit = " %" if f["type"] == "rate" else (f" {f['unit']}" if f.get("unit") else "")
        return f"{rule['op'].replace('>=', '≥').replace('<=', '≤')} {_num(value)}{unit}"
    return f.get("rule_text", "")


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:g}"


# ---------------------------------------------------------------------------------------------
# reading and validation

