"""The complete county evaluation: the four areas, the one-vote vetoes and the overall verdict.

A county is recognised (达到) only when all four areas hold and no veto applies (method.md §§5–6):

* **资源配置** — :func:`balance.method.assessment.assess` with the chosen standard (its verdict, with one
  item per stage for the school rule and one per decisive CV);
* **政府保障程度** — 15 items; items 3, 4 and 5 are computed from the school table (below), the
  others come from the county sheet (:mod:`balance.io.county_sheet`);
* **教育质量** — 9 items from the county sheet;
* **社会认可度** — the survey rate ≥ 85 % (setting ``recognition_min``);
* **一票否决** — six yes/no questions that must all be answered 否.

Items computed from school data (schools with at least one section in the assessment's scope):

* item 3 — rooms needed = ceil(compulsory classes / 12) (at least 1); music rooms ≥ needed, art
  rooms ≥ needed, the smallest music room ≥ 96 ㎡ and the smallest art room ≥ 90 ㎡ (optional
  columns 音乐专用教室数, 美术专用教室数, 最小音乐专用教室面积(㎡), 最小美术专用教室面积(㎡));
* item 4 — compulsory pupils (primary + junior) ≤ 2000, or ≤ 2500 for 九年一贯制 / 十二年一贯制;
* item 5 — per section, the largest class ≤ 45 (primary) / ≤ 50 (junior): from 小学最大班额 /
  初中最大班额, else from 小学超标班额班数 / 初中超标班额班数 (= 0), else — a sure failure only —
  when the average class (pupils ÷ classes) is already above the limit.

Each school check is three-valued (pass / fail / unknown). A county item is decided by school
data when any school fails or every school is known to pass (source "学校数据"); otherwise the
county sheet's yes/no answer is used (source "县级填报表"); with neither the item is *missing*.
A missing item never passes. Settings come from ``evaluation_items.yaml`` (``computed_defaults``),
changed by the standard's ``evaluation_settings`` and, for the schools a relaxation selects
(e.g. 建成年份 before 2016), by its ``relaxations`` (method.md §7; the most lenient value wins
when several apply).

Comparisons use :func:`balance.method.official.at_least` / :func:`~balance.method.official.at_most`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from balance import __version__
from balance.io.county_sheet import (CountySheet, area_names, item_spec, items as sheet_items,
                                  load_county_sheet, note_column, rule_text)
from balance.errors import InputError, Problem, problems_frame
from balance.method.official import at_least, at_most
from balance.method.standards import Standard, load_standard

SOURCE_SCHOOLS = "学校数据"
SOURCE_SHEET = "县级填报表"
SOURCE_NONE = "缺失"
STATUS = {True: "达标", False: "未达标", None: "缺失"}
AREAS = ("resource", "government", "quality", "recognition", "veto")
ITEM_COLUMNS = ["year", "county_code", "county_name", "area", "area_name", "item_no", "item", "value", "rule",
                "source", "passed", "status", "note"]
#: settings where a larger value is more lenient (the others: smaller is more lenient)
_LARGER_IS_LENIENT = {"classes_per_room", "school_size_cap", "school_size_cap_combined", "class_size_primary",
                      "class_size_junior"}


@dataclass
class Evaluation:
    """Results of :func:`evaluate`.

    Attributes
    ----------
    items : DataFrame
        One row per county × year × item: year, county_code, county_name, area (key), area_name,
        item_no, item, value, rule, source (学校数据 / 县级填报表 / 缺失), passed (boolean, NA when
        missing), status (达标 / 未达标 / 缺失), note.
    verdicts : DataFrame
        One row per county × year: ``<area>_passed`` and ``<area>_status`` for resource, government,
        quality, recognition and veto; passed (bool), verdict (达到 / 未达到), failing_items (list of
        plain Chinese sentences: vetoes, failing items, then missing items).
    school_items : DataFrame
        Computed items per school (items 3, 4) and per section (item 5): the values used, the
        settings applied (and relaxations), passed (boolean, NA when unknown), detail.
    assessment : Assessment
        The resource-allocation assessment.
    sheet : CountySheet or None
    warnings : DataFrame
        Warnings of the school table and the county sheet.
    """

    items: pd.DataFrame
    verdicts: pd.DataFrame
    school_items: pd.DataFrame
    assessment: object
    sheet: CountySheet | None
    standard: Standard
    warnings: pd.DataFrame = field(default_factory=lambda: problems_frame([]))

    def scorecard(self) -> pd.DataFrame:
        """The four-area scorecard, one row per county × year, Chinese headers (for notebooks)."""
        names = area_names()
        rows = []
        for v in self.verdicts.itertuples(index=False):
            sub = self.items[(self.items.year == v.year) & (self.items.county_code == v.county_code)]
            row = {"年份": v.year, "县区代码": v.county_code, "县区名称": v.county_name}
            for a in AREAS:
                s = sub[sub.area == a]
                ok = int(s["passed"].fillna(False).astype(bool).sum())
                status = getattr(v, f"{a}_status")
                row[names[a]] = f"{status}（{ok}/{len(s)}）"
            row["结论"] = v.verdict
            row["未达标事项数"] = len(v.failing_items)
            rows.append(row)
        return pd.DataFrame(rows)

    def records(self) -> list[dict]:
        """The body of ``evaluation.json``: per county × year the verdict, failing items first, then areas."""
        names = area_names()
        out = []
        for v in self.verdicts.itertuples(index=False):
            sub = self.items[(self.items.year == v.year) & (self.items.county_code == v.county_code)]
            rec = {"year": int(v.year), "county_code": v.county_code, "county_name": v.county_name,
                   "verdict": v.verdict, "passed": bool(v.passed), "failing_items": list(v.failing_items),
                   "standard": self.standard.id, "areas": {}}
            for a in AREAS:
                s = sub[sub.area == a]
                rec["areas"][a] = {
                    "name": names[a], "passed": bool(getattr(v, f"{a}_passed")), "status": getattr(v, f"{a}_status"),
                    "items": [{"item_no": int(r.item_no), "item": r.item, "value": _jsonable(r.value), "rule": r.rule,
                               "source": r.source, "passed": _jsonable(r.passed), "status": r.status,
                               "note": r.note or None} for r in s.itertuples(index=False)],
                }
            out.append(rec)
        return out


# ---------------------------------------------------------------------------------------------
# settings and relaxations


def base_settings(standard: Standard) -> dict[str, float]:
    """National settings (``computed_defaults``) with the standard's ``evaluation_settings`` applied."""
    s = {k: float(v) for k, v in item_spec()["computed_defaults"].items()}
    s.update({k: float(v) for k, v in standard.evaluation_settings.items()})
    return s


def school_settings(schools: pd.DataFrame, standard: Standard) -> tuple[pd.DataFrame, pd.Series]:
    """Per school row, every computed-item setting after the standard's relaxations.

    Returns
    -------
    settings : DataFrame
        Same index as ``schools``, one float column per setting.
    applied : Series of str
        The names of the relaxations applied to each school ("" when none), joined by "；".
    """
    return _settings(schools, standard, None)


#: the settings each computed item uses (a relaxation is listed on an item only when it touches these)
ITEM_SETTINGS = {3: ("classes_per_room", "music_room_min_area", "art_room_min_area"),
                 4: ("school_size_cap", "school_size_cap_combined"),
                 5: ("class_size_primary", "class_size_junior")}


def _relaxation_mask(schools: pd.DataFrame, r) -> pd.Series:
    built = pd.to_numeric(schools["built_year"], errors="coerce") if "built_year" in schools else \
        pd.Series(np.nan, index=schools.index)
    m = pd.Series(True, index=schools.index)
    if r.when.built_before is not None:
        m &= (built < r.when.built_before).fillna(False).astype(bool)
    if r.when.school_type is not None:
        m &= schools["school_type"].isin(r.when.school_type)
    if r.when.urban_rural is not None:
        m &= schools["urban_rural"].isin(r.when.urban_rural)
    return m


def _settings(schools: pd.DataFrame, standard: Standard, keys) -> tuple[pd.DataFrame, pd.Series]:
    base = base_settings(standard)
    out = pd.DataFrame({k: np.full(len(schools), v, dtype="float64") for k, v in base.items()}, index=schools.index)
    applied = pd.Series([""] * len(schools), index=schools.index, dtype=object)
    for r in standard.relaxations:
        if not r.enabled:
            continue
        m = _relaxation_mask(schools, r)
        if not m.any():
            continue
        for k, v in r.settings.items():
            cur = out.loc[m, k]
            out.loc[m, k] = np.maximum(cur, v) if k in _LARGER_IS_LENIENT else np.minimum(cur, v)
        if keys is None or set(r.settings) & set(keys):
            applied[m] = [f"{a}；{r.name}" if a else r.name for a in applied[m]]
    return out, applied


# ---------------------------------------------------------------------------------------------
# optional school-table columns


#: The optional columns of ``columns.yaml`` the computed items use (item 3: rooms; item 5: class
#: sizes; 建成年份: which schools a relaxation selects).
EVALUATION_COLUMNS = ("music_rooms", "art_rooms", "music_room_min_area", "art_room_min_area", "primary_max_class_size",
                      "junior_max_class_size", "primary_oversized_classes", "junior_oversized_classes", "built_year")


def optional_school_columns() -> list[dict]:
    """The column definitions (``columns.yaml``, ``required: false``) of :data:`EVALUATION_COLUMNS`."""
    from balance.schema import COLUMNS

    return [c for c in COLUMNS if c["name"] in EVALUATION_COLUMNS]


def school_extras(table) -> pd.DataFrame:
    """The optional school columns of ``table.data`` (same index), as float64 with NaN for missing.

    The school-table reader reads and checks these columns like every other (a blank cell or an
    absent column is missing). A column without a single value is left out of the result, so that
    the items it feeds report "学校数据缺少列" and fall back to the county sheet.
    """
    data = table.data if hasattr(table, "data") else table
    out = pd.DataFrame(index=data.index)
    for c in optional_school_columns():
        name = c["name"]
        if name not in data.columns:
            continue
        s = pd.to_numeric(data[name], errors="coerce").astype("float64")
        if s.notna().any():
            out[name] = s
    return out


# ---------------------------------------------------------------------------------------------
# computed items per school


def _tri_and(*parts: pd.Series) -> pd.Series:
    """Three-valued AND over boolean Series with NA: False if any False, True if all True, else NA."""
    df = pd.concat([p.astype("boolean") for p in parts], axis=1)
    any_false = (df == False).fillna(False).any(axis=1)  # noqa: E712 - NA-aware comparison
    all_true = (df == True).fillna(False).all(axis=1)  # noqa: E712
    out = pd.array([pd.NA] * len(df), dtype="boolean")
    out[any_false.fillna(False).to_numpy(dtype=bool)] = False
    out[all_true.fillna(False).to_numpy(dtype=bool)] = True
    return pd.Series(out, index=df.index)


def _ge(a: pd.Series, b) -> pd.Series:
    """a ≥ b with tolerance; NA where a is NA."""
    r = pd.Series(at_least(a, b), index=a.index).astype("boolean")
    r[a.isna()] = pd.NA
    return r


def _le(a: pd.Series, b) -> pd.Series:
    r = pd.Series(at_most(a, b), index=a.index).astype("boolean")
    r[a.isna()] = pd.NA
    return r


def _fmt(x, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    x = float(x)
    s = str(int(x)) if x == int(x) else f"{x:.1f}"
    return f"{s}{unit}"


def compute_school_items(schools: pd.DataFrame, extras: pd.DataFrame, sections: pd.DataFrame,
                         standard: Standard) -> pd.DataFrame:
    """Items 3, 4 (per school) and 5 (per section) of 政府保障程度, for the schools in scope.

    Parameters
    ----------
    schools : DataFrame
        Canonical school rows (after the year / county filter).
    extras : DataFrame
        Optional columns (same index as ``schools``), see :func:`school_extras`.
    sections : DataFrame
        ``Assessment.sections`` (``in_scope`` per school × stage).
    standard : Standard

    Returns
    -------
    DataFrame
        year, county_code, county_name, school_code, school_name, school_type, stage ("" for
        school-level items), item_no (3, 4, 5), value, limit, passed (boolean, NA unknown),
        source_column, relaxation, detail.
    """
    cols = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "stage", "item_no",
            "value", "limit", "passed", "relaxation", "detail"]
    if schools.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    # the optional columns as float64 (NaN missing); a column without any value is absent
    sch = schools.drop(columns=[c for c in EVALUATION_COLUMNS if c in schools.columns])
    for c in extras.columns:
        sch[c] = extras[c]
    in_scope = sections.loc[sections["in_scope"], ["year", "school_code", "stage"]]
    scoped_keys = set(zip(in_scope["year"], in_scope["school_code"]))
    sch = sch[[k in scoped_keys for k in zip(sch["year"], sch["school_code"])]]
    if sch.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    settings, applied = school_settings(sch, standard)
    ident = sch[["year", "county_code", "county_name", "school_code", "school_name", "school_type"]]
    nan = pd.Series(np.nan, index=sch.index)
    frames = []

    # item 3: music and art rooms
    classes = sch["primary_classes"].astype("float64") + sch["junior_classes"].astype("float64")
    needed = np.maximum(1.0, np.ceil(classes / settings["classes_per_room"] - 1e-9))
    music = sch.get("music_rooms", nan)
    art = sch.get("art_rooms", nan)
    m_area = sch.get("music_room_min_area", nan)
    a_area = sch.get("art_room_min_area", nan)
    music_ok, art_ok = _ge(music, needed), _ge(art, needed)
    # a room area matters only where there is a room
    m_area_ok = _ge(m_area, settings["music_room_min_area"])
    m_area_ok[(music == 0).fillna(False)] = True
    a_area_ok = _ge(a_area, settings["art_room_min_area"])
    a_area_ok[(art == 0).fillna(False)] = True
    passed3 = _tri_and(music_ok, art_ok, m_area_ok, a_area_ok)
    detail3 = []
    for i in sch.index:
        c, n = classes[i], needed[i]
        parts = [f"{_fmt(c)} 个班 ÷ {_fmt(settings.at[i, 'classes_per_room'])}，向上取整，需音乐、美术专用教室各 {_fmt(n)} 间",
                 f"现有音乐 {_fmt(music[i], ' 间')}、美术 {_fmt(art[i], ' 间')}",
                 f"最小音乐教室 {_fmt(m_area[i], ' ㎡')}（≥ {_fmt(settings.at[i, 'music_room_min_area'])} ㎡）",
                 f"最小美术教室 {_fmt(a_area[i], ' ㎡')}（≥ {_fmt(settings.at[i, 'art_room_min_area'])} ㎡）"]
        detail3.append("；".join(parts))
    f3 = ident.copy()
    f3["stage"] = ""
    f3["item_no"] = 3
    f3["value"] = [f"音乐 {_fmt(a)}/{_fmt(n)}，美术 {_fmt(b)}/{_fmt(n)}" for a, b, n in zip(music, art, needed)]
    f3["limit"] = [f"各 ≥ {_fmt(n)} 间；音乐 ≥ {_fmt(x)} ㎡，美术 ≥ {_fmt(y)} ㎡" for n, x, y in
                   zip(needed, settings["music_room_min_area"], settings["art_room_min_area"])]
    f3["passed"] = passed3
    f3["detail"] = detail3
    frames.append(f3)

    # item 4: school size (compulsory pupils)
    pupils = sch["primary_students"].astype("float64") + sch["junior_students"].astype("float64")
    combined = sch["school_type"].isin(item_spec()["combined_school_types"])
    cap = np.where(combined, settings["school_size_cap_combined"], settings["school_size_cap"])
    f4 = ident.copy()
    f4["stage"] = ""
    f4["item_no"] = 4
    f4["value"] = pupils.to_numpy()
    f4["limit"] = cap
    f4["passed"] = _le(pupils, cap)
    f4["detail"] = [f"义务教育阶段在校生 {_fmt(p)} 人（{'九年/十二年一贯制' if cb else '上限'} ≤ {_fmt(c)} 人）"
                    for p, cb, c in zip(pupils, combined, cap)]
    frames.append(f4)

    # item 5: class size per in-scope section
    scoped_sections = set(zip(in_scope["year"], in_scope["school_code"], in_scope["stage"]))
    for stage, prefix, key in (("小学", "primary", "class_size_primary"), ("初中", "junior", "class_size_junior")):
        mask = pd.Series([(y, c, stage) in scoped_sections for y, c in zip(sch["year"], sch["school_code"])],
                         index=sch.index)
        if not mask.any():
            continue
        sub = sch[mask]
        lim = settings.loc[mask, key]
        mx = sub.get(f"{prefix}_max_class_size", nan[mask])
        over = sub.get(f"{prefix}_oversized_classes", nan[mask])
        st = sub[f"{prefix}_students"].astype("float64")
        cl = sub[f"{prefix}_classes"].astype("float64")
        avg = st / cl.where(cl > 0)
        by_max = _le(mx, lim)
        by_over = pd.Series(np.where(over.isna(), pd.NA, over == 0), index=sub.index).astype("boolean")
        by_avg = pd.Series(np.where(avg.isna() | at_most(avg, lim), pd.NA, False), index=sub.index).astype("boolean")
        passed5 = by_max.where(by_max.notna(), by_over)
        passed5 = passed5.where(passed5.notna(), by_avg)
        detail = []
        for i in sub.index:
            if not pd.isna(mx[i]):
                d = f"最大班额 {_fmt(mx[i])} 人（≤ {_fmt(lim[i])}）"
                if not pd.isna(avg[i]) and mx[i] + 1e-9 < avg[i]:
                    d += f"；注意：最大班额小于平均班额 {avg[i]:.1f}，数据可能有误"
            elif not pd.isna(over[i]):
                d = f"超过 {_fmt(lim[i])} 人的班级 {_fmt(over[i])} 个"
            elif by_avg[i] is False or (not pd.isna(by_avg[i]) and not bool(by_avg[i])):
                d = f"平均班额 {avg[i]:.1f} 人已超过 {_fmt(lim[i])} 人，必有班级超标"
            else:
                d = f"缺少最大班额（平均班额 {_fmt(avg[i])} 人）"
            detail.append(d)
        f5 = ident[mask].copy()
        f5["stage"] = stage
        f5["item_no"] = 5
        f5["value"] = mx.where(mx.notna(), np.nan).to_numpy()
        f5["limit"] = lim.to_numpy()
        f5["passed"] = passed5.to_numpy()
        f5["detail"] = detail
        frames.append(f5)

    out = pd.concat(frames, ignore_index=False)
    out["relaxation"] = ""
    for no, keys in ITEM_SETTINGS.items():
        sel = (out["item_no"] == no).to_numpy()
        out.loc[sel, "relaxation"] = _settings(sch, standard, keys)[1].reindex(out.index[sel]).to_numpy()
    out["passed"] = out["passed"].astype("boolean")
    out = out.reset_index(drop=True)
    out["_s"] = out["stage"].map({"": 0, "小学": 1, "初中": 2})
    out = out.sort_values(["year", "county_code", "item_no", "_s", "school_code"], kind="stable").drop(columns="_s")
    return out[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# the items of one county × year


def _missing_column_note(item_no: int, extras: pd.DataFrame) -> str:
    need = {3: ["music_rooms", "art_rooms", "music_room_min_area", "art_room_min_area"],
            5: ["primary_max_class_size", "junior_max_class_size", "primary_oversized_classes",
                "junior_oversized_classes"]}.get(item_no, [])
    headers = {c["name"]: c["header"] for c in optional_school_columns()}
    absent = [headers[n] for n in need if n not in extras.columns]
    return f"学校数据缺少列：{'、'.join(absent)}" if absent else ""


def computed_rule(no: int, settings: dict, relaxed: bool = False) -> str:
    """The rule of computed item 3, 4 or 5 with the settings in force, in plain Chinese."""
    g = {k: _fmt(v) for k, v in settings.items()}
    text = {
        3: f"每校音乐、美术专用教室各不少于 ⌈班数÷{g['classes_per_room']}⌉ 间；音乐教室 ≥ {g['music_room_min_area']} ㎡，"
           f"美术教室 ≥ {g['art_room_min_area']} ㎡",
        4: f"义务教育阶段在校生 ≤ {g['school_size_cap']} 人（九年一贯制、十二年一贯制 ≤ {g['school_size_cap_combined']} 人）",
        5: f"每个班级小学 ≤ {g['class_size_primary']} 人、初中 ≤ {g['class_size_junior']} 人",
    }[no]
    return text + ("（部分学校适用省级放宽规定）" if relaxed else "")


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
        out.append(dict(item=f"{r.stage}{r.indicator}差异系数", value=None if pd.isna(r.cv) else float(r.cv),
                        rule=f"≤ {r.cv_limit:.2f}", source=SOURCE_SCHOOLS, passed=ok,
                        note=(r.cv_note or "").split(" / ")[0]))
    return out


def _sentence(area_name: str, r: dict) -> str:
    item = r["item"]
    val = r.get("shown") or r["value"]
    if isinstance(val, float):
        val = f"{val:.3f}" if "差异系数" in item else _fmt(val)
    if r["passed"] is None:
        return f"{area_name}第{r['item_no']}项“{item}”缺少数据（{r['note']}）"
    where = f"（{r['source']}）"
    extra = f"：{r['note']}" if r.get("note") and r["source"] == SOURCE_SCHOOLS and r["area"] != "resource" else ""
    return f"{area_name}第{r['item_no']}项“{item}”未达到：{val}，要求 {r['rule']}{where}{extra}"


# ---------------------------------------------------------------------------------------------
# the entry point


def evaluate(source, county_sheet, standard: str | Path | Standard = "quality-2017", *, year: int | None = None,
             county: str | None = None, sheet: str | int | None = None) -> Evaluation:
    """The four-area evaluation of every county × year of a school table.

    Parameters
    ----------
    source : str, Path, DataFrame or SchoolTable
        The school table (optional columns for items 3 and 5 and 建成年份 are used when present).
    county_sheet : str, Path, DataFrame, CountySheet or None
        The filled county sheet (:func:`balance.io.county_sheet.load_county_sheet`). ``None``: every
        sheet item is missing (the evaluation still shows what the school data decides).
    standard : str, Path or Standard
        The resource-allocation standard; its ``evaluation_settings`` and ``relaxations`` apply.
    year, county : optional
        Restrict to one year and/or one county code.
    sheet : optional
        Worksheet of the school table.

    Raises
    ------
    InputError
        The school table, the optional columns or the county sheet have errors (all listed at once).
    """
    from balance.method.assessment import assess
    from balance.io.reading import load_school_table
    from balance.io.table import SchoolTable

    std = load_standard(standard)
    problems: list[Problem] = []
    table, table_error = None, None
    if isinstance(source, SchoolTable):
        table = source
    else:
        try:
            table = load_school_table(source) if isinstance(source, pd.DataFrame) else \
                load_school_table(source, sheet=sheet)
        except InputError as exc:  # the county sheet's problems are reported in the same go
            table_error = exc
            problems += exc.problems
    extras = school_extras(table) if table is not None else None
    table_warnings = list(table.warnings) if table is not None else []
    names = table.data.groupby("county_code")["county_name"].first().to_dict() if table is not None else None
    cs = None
    if isinstance(county_sheet, CountySheet):
        cs = county_sheet
        unknown = sorted(set(cs.data["county_code"]) - set(names)) if names is not None else []
        for c in unknown:
            r = int(cs.data.loc[cs.data.county_code == c, "source_row"].iloc[0])
            problems.append(Problem(file=cs.path, sheet=cs.sheet, row=r, column="县区代码", value=c, code="unknown_county",
                                    problem_zh=f"县区代码 {c} 不在学校数据中", problem_en=f"county code {c} is not in the school data"))
    elif county_sheet is not None:
        try:
            cs = load_county_sheet(county_sheet, known_counties=names)
        except InputError as exc:
            problems += exc.problems
    if table_error is not None and len(problems) == len(table_error.problems):
        raise table_error
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, "输入数据有误", "invalid input")
    a = assess(table, std, year=year, county=county)
    data = table.data
    mask = pd.Series(True, index=data.index)
    if year is not None:
        mask &= data["year"] == int(year)
    if county is not None:
        mask &= data["county_code"] == str(county)
    schools = data[mask]
    school_items = compute_school_items(schools, extras.loc[mask], a.sections, std)
    settings = base_settings(std)

    warnings = table_warnings + ([] if cs is None else list(cs.warnings))
    if cs is not None:
        have = set(zip(a.verdicts["year"], a.verdicts["county_code"]))
        for r in cs.data.itertuples(index=False):
            if (year is None or r.year == int(year)) and (county is None or r.county_code == str(county)) \
                    and (r.year, r.county_code) not in have:
                warnings.append(Problem(file=cs.path, sheet=cs.sheet, row=int(r.source_row), column="年份", value=str(r.year),
                                        severity="warning", code="no_school_data",
                                        problem_zh=f"学校数据中没有县区 {r.county_code} 的 {r.year} 年，此行未使用",
                                        problem_en=f"no school data for county {r.county_code} in {r.year}; row not used"))

    anames = area_names()
    item_rows, verdict_rows = [], []
    for v in a.verdicts.itertuples(index=False):
        y, code = v.year, v.county_code
        row = cs.row(y, code) if cs is not None else None
        rows: list[dict] = []
        for k, r in enumerate(_resource_items(a, y, code), start=1):
            rows.append({"area": "resource", "item_no": k, **r})
        si = school_items[(school_items.year == y) & (school_items.county_code == code)]
        for it in sheet_items():
            if it.get("computed"):
                sub = si[si.item_no == it["item_no"]]
                relaxed = bool(len(sub)) and bool((sub["relaxation"] != "").any())
                r = _computed_item(it, it["fields"][0], sub, row, extras, computed_rule(it["item_no"], settings, relaxed))
            else:
                r = _sheet_item(it, row, settings)
            rows.append({"area": it["area"], "item_no": it["item_no"], "item": it["text"], **r})
        for r in rows:
            r.update(year=y, county_code=code, county_name=v.county_name, area_name=anames[r["area"]],
                     status=STATUS[r["passed"]])
        item_rows += rows
        vr = {"year": y, "county_code": code, "county_name": v.county_name, "standard_id": std.id}
        for area in AREAS:
            sub = [r for r in rows if r["area"] == area]
            if area == "resource":
                ok = bool(v.passed)
            else:
                ok = bool(sub) and all(r["passed"] is True for r in sub)
            vr[f"{area}_passed"] = ok
            if ok:
                vr[f"{area}_status"] = "达标" if area != "veto" else "无否决事项"
            elif any(r["passed"] is False for r in sub) or area == "resource":
                vr[f"{area}_status"] = "未达标" if area != "veto" else "存在否决事项"
            else:
                vr[f"{area}_status"] = "数据缺失"
        vr["passed"] = all(vr[f"{a_}_passed"] for a_ in AREAS)
        vr["verdict"] = "达到" if vr["passed"] else "未达到"
        vetoes = [f"一票否决：{r['item']}（县级填报表填“是”）" for r in rows if r["area"] == "veto" and r["passed"] is False]
        failing = [_sentence(anames[r["area"]], r) for r in rows if r["area"] != "veto" and r["passed"] is False]
        if not bool(v.passed) and not any(r["area"] == "resource" and r["passed"] is False for r in rows):
            failing.insert(0, "资源配置未达到：" + "；".join(v.failing_items))
        missing_rows = [r for r in rows if r["passed"] is None]
        if row is None:
            # no sheet row: one sentence for the sheet items instead of one per item
            from_sheet = [r for r in missing_rows if r["source"] == SOURCE_SHEET]
            missing = [_sentence(anames[r["area"]], r) for r in missing_rows if r["source"] != SOURCE_SHEET]
            if from_sheet:
                missing.append(f"县级填报表中没有该县区 {y} 年的数据：政府保障程度、教育质量、社会认可度、一票否决"
                               f"共 {len(from_sheet)} 项缺少数据")
        else:
            missing = [_sentence(anames[r["area"]], r) for r in missing_rows]
        vr["failing_items"] = vetoes + failing + missing
        vr["items_failed"] = len(vetoes) + len(failing)
        vr["items_missing"] = len(missing_rows)
        verdict_rows.append(vr)

    items_df = pd.DataFrame(item_rows, columns=ITEM_COLUMNS) if item_rows else \
        pd.DataFrame({c: pd.Series(dtype="object") for c in ITEM_COLUMNS})
    items_df["passed"] = pd.array([pd.NA if x is None else bool(x) for x in items_df["passed"]], dtype="boolean")
    items_df["note"] = items_df["note"].fillna("")
    verdicts = pd.DataFrame(verdict_rows)
    return Evaluation(items=items_df, verdicts=verdicts, school_items=school_items, assessment=a, sheet=cs,
                      standard=std, warnings=problems_frame(warnings))


# ---------------------------------------------------------------------------------------------
# writing


def _jsonable(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    return v


def write_evaluation(ev: Evaluation, out_dir: str | Path) -> list[Path]:
    """Write ``evaluation.json`` and ``evaluation.xlsx`` into ``out_dir``, atomically (both or neither)."""
    from balance.io.export.evaluation import write_evaluation_workbook
    from balance.io.files import json_text, staged_files

    with staged_files(out_dir) as s:
        payload = {
            "generator": f"balance {__version__}", "standard": ev.standard.id, "standard_title": ev.standard.title,
            "source": ev.assessment.source, "sha256": ev.assessment.sha256,
            "county_sheet": None if ev.sheet is None else ev.sheet.path,
            "county_sheet_sha256": None if ev.sheet is None else ev.sheet.sha256,
            "counties": ev.records(),
        }
        s.stage("evaluation.json").write_text(json_text(payload), encoding="utf-8")
        write_evaluation_workbook(ev, s.stage("evaluation.xlsx"))
    return s.final
