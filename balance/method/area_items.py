"""The county result of each item of the four areas for one county × year (method.md §§5–6).

A computed item (3, 4, 5) is decided by its school rows when any school fails or every school is
known to pass, else by the county sheet's yes/no answer, else it is missing; a sheet item by its
fields' rules; the resource items by the assessment (school rule per stage, each decisive CV).
A missing item never passes.
"""
from __future__ import annotations

import math

import pandas as pd

from balance.io.county_sheet import note_column, rule_text
from balance.method.official import at_least, at_most
from balance.method.school_items import _fmt, optional_school_columns

__all__ = ["SOURCE_SCHOOLS", "SOURCE_SHEET", "SOURCE_NONE", "STATUS", "shown_text"]

SOURCE_SCHOOLS = "学校数据"
SOURCE_SHEET = "县级填报表"
SOURCE_NONE = "缺失"
STATUS = {True: "达标", False: "未达标", None: "缺失"}


def _missing_column_note(item_no: int, extras: pd.DataFrame) -> str:
    need = {3: ["music_rooms", "art_rooms", "music_room_min_area", "art_room_min_area"],
            5: ["primary_max_class_size", "junior_max_class_size", "primary_oversized_classes",
                "junior_oversized_classes"]}.get(item_no, [])
    headers = {c["name"]: c["header"] for c in optional_school_columns()}
    absent = [headers[n] for n in need if n not in extras.columns]
    return f"学校数据缺少列：{'、'.join(absent)}" if absent else ""



def _computed_item(item: dict, f: dict, rows: pd.DataFrame, sheet_row: dict | None, extras: pd.DataFrame,
                   rule: str = "") -> dict:
    """County result of a computed item (3, 4, 5) from its school rows, else the sheet."""
    no = item["item_no"]
    n = int(rows["school_code"].nunique()) if len(rows) else 0
    fail = rows[rows["passed"].fillna(True) == False]  # noqa: E712
    unknown = rows[rows["passed"].isna()]
    sheet_value = sheet_row.get(f["name"]) if sheet_row else None
    rule = rule or item["text"]
    if len(fail):
        names = list(dict.fromkeys(fail["school_name"]))
        shown = "；".join(f"{r.school_name}{('（' + r.stage + '）') if r.stage else ''}：{r.detail}"
                         for r in fail.head(5).itertuples(index=False))
        more = f"；另有 {len(fail) - 5} 处" if len(fail) > 5 else ""
        note = shown + more
        if sheet_value == "是":
            note += "。县级填报表填“是”，与学校数据不一致，以学校数据为准"
        return dict(value=f"{len(names)} 所学校未达到（共 {n} 所）", rule=rule, source=SOURCE_SCHOOLS, passed=False,
                    note=note)
    if n and unknown.empty:
        note = "县级填报表填“否”，与学校数据不一致，以学校数据为准" if sheet_value == "否" else ""
        return dict(value=f"{n} 所学校全部达到", rule=rule, source=SOURCE_SCHOOLS, passed=True, note=note)
    why = _missing_column_note(no, extras)
    if not why and len(unknown):
        why = f"{unknown['school_code'].nunique()} 所学校数据不全"
    if not n:
        why = "没有纳入评估的学校"
    if sheet_value in ("是", "否"):
        return dict(value=sheet_value, rule=f["header"].split(" ", 1)[-1] + "：是", source=SOURCE_SHEET,
                    passed=sheet_value == "是", note=f"{why}，采用县级填报表".lstrip("，"))
    return dict(value=None, rule=rule, source=SOURCE_NONE, passed=None,
                note=f"{why}；县级填报表也未填写".lstrip("；"))


def _field_ok(f: dict, row: dict | None, settings: dict) -> bool | None:
    """One field's rule on one sheet row: True / False / None (missing)."""
    rule = f.get("rule")
    if not rule:
        return True  # a comparison basis only (e.g. civil servants' pay)
    v = None if row is None else row.get(f["name"])
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    op = rule["op"]
    if "field" in rule:
        target = row.get(rule["field"])
        if target is None or (isinstance(target, float) and math.isnan(target)):
            return None
    elif "setting" in rule:
        target = settings[rule["setting"]]
    else:
        target = rule["value"]
    if op == "==":
        return v == target
    if op == ">=":
        return bool(at_least(v, target))
    if op == "<=":
        return bool(at_most(v, target))
    if op == "<":
        return not bool(at_least(v, target))
    raise ValueError(f"unknown rule op {op!r}")


def _sheet_item(item: dict, row: dict | None, settings: dict) -> dict:
    fs = item["fields"]
    results = [_field_ok(f, row, settings) for f in fs]
    values = [None if row is None else row.get(f["name"]) for f in fs]
    missing = [f for f, r in zip(fs, results) if r is None or (not f.get("rule") and _isna(row, f))]
    shown = []
    for f, v in zip(fs, values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        unit = " %" if f["type"] == "rate" else (f" {f['unit']}" if f.get("unit") else "")
        text = v if isinstance(v, str) else _fmt(v, unit) if f["type"] != "ratio" else f"{v:g}"
        shown.append(text if len(fs) == 1 else f"{f['header'].split(' ', 1)[-1]} {text}")
    value = (values[0] if fs[0]["type"] == "yes_no" else values[0]) if len(fs) == 1 else "；".join(shown) or None
    if isinstance(value, float) and math.isnan(value):
        value = None
    rule = "；".join(f"{f['header'].split(' ', 1)[-1]} {rule_text(f, settings)}" if len(fs) > 1 else rule_text(f, settings)
                    for f in fs if f.get("rule"))
    note = ""
    if row is not None:
        n = row.get(note_column(item)) if item.get("note") else ""
        note = n or ""
    if any(r is False for r in results):
        passed = False
    elif missing:
        passed = None
        what = "、".join(f["header"].split(" ", 1)[-1] for f in missing)
        note = ("县级填报表没有该县区该年度的行" if row is None else f"县级填报表未填写：{what}") + (f"；{note}" if note else "")
    else:
        passed = True
    return dict(value=value, rule=rule, source=SOURCE_SHEET, passed=passed, note=note, shown="；".join(shown))


def _isna(row, f) -> bool:
    v = None if row is None else row.get(f["name"])
    return v is None or (isinstance(v, float) and math.isnan(v))


def _resource_items(a, year, code) -> list[dict]:
    std = a.standard
    out = []
    v = a.verdicts[(a.verdicts.year == year) & (a.verdicts.county_code == code)]
    if v.empty:
        return out
    v = v.iloc[0]
    if int(v["sections"]) == 0:
        out.append(dict(item="纳入评估的学段单位", value=0, rule="至少 1 个", source=SOURCE_SCHOOLS, passed=False,
                        note="没有纳入评估的学段单位，无法判定"))
        return out
    if std.school_rule is not None and std.county_rule.all_sections_pass:
        r = std.school_rule
        rule = (f"全部达到学校标准（{len(std.indicators)} 项指标中至少 {r.min_met} 项达到标准，"
                f"其余不低于标准的 {r.floor_ratio * 100:g}%）")
        for st in std.stages:
            n = int(v.get(f"sections_{st}", 0) or 0)
            if n == 0:
                continue
            p = int(v.get(f"sections_passed_{st}", 0) or 0)
            out.append(dict(item=f"{st}学段单位达到学校标准", value=f"{p}/{n}", rule=rule, source=SOURCE_SCHOOLS,
                            passed=p == n, note="" if p == n else f"{n - p} 个学段单位未达到",
                            shown=f"{n} 个学段单位中 {p} 个达标"))
    ci = a.county_indicators
    ci = ci[(ci.year == year) & (ci.county_code == code) & (ci.decisive.astype(bool))]
    for r in ci.itertuples(index=False):
        ok = False if pd.isna(r.cv_passed) else bool(r.cv_passed)
        name = r.indicator if str(r.indicator).endswith("差异系数") else f"{r.indicator}差异系数"
        note = r.cv_note if isinstance(r.cv_note, str) else ""
        out.append(dict(item=f"{r.stage}{name}", value=None if pd.isna(r.cv) else float(r.cv),
                        rule=f"≤ {r.cv_limit:.2f}", source=SOURCE_SCHOOLS, passed=ok,
                        note=note.split(" / ")[0]))
    return out


def shown_text(item: str, value, shown: str | None = None) -> str:
    """An item's value as every page shows it (the one home of this format): the item's own text
    (``shown``: a sheet field with its unit, "73 个学段单位中 59 个达标") if it has one, a CV with three
    decimals, another number whole or with one decimal, a missing one "—"."""
    if shown:
        return shown
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if "差异系数" in item else _fmt(value)
    return str(value)


def _sentence(area_name: str, r: dict) -> str:
    item = r["item"]
    val = shown_text(item, r["value"], r.get("shown"))
    if r["passed"] is None:
        return f"{area_name}第{r['item_no']}项“{item}”缺少数据（{r['note']}）"
    where = f"（{r['source']}）"
    # a resource item says why only when it has no value (a CV that cannot be computed)
    extra = (f"：{r['note']}" if r.get("note") and r["source"] == SOURCE_SCHOOLS
             and (r["area"] != "resource" or val == "—") else "")
    return f"{area_name}第{r['item_no']}项“{item}”未达到：{val}，要求 {r['rule']}{where}{extra}"

