"""Items 3, 4 and 5 of 政府保障程度 computed from the school table, per school or section.

* item 3 — rooms needed = ceil(compulsory classes / 12) (at least 1); music rooms ≥ needed, art
  rooms ≥ needed, the smallest music room ≥ 96 ㎡ and the smallest art room ≥ 90 ㎡;
* item 4 — compulsory pupils (primary + junior) ≤ 2000, or ≤ 2500 for 九年一贯制 / 十二年一贯制;
* item 5 — per section, the largest class ≤ 45 (primary) / ≤ 50 (junior).

The numbers are the settings of ``evaluation_items.yaml`` (``computed_defaults``) changed by the
standard's ``evaluation_settings`` and, per school, its ``relaxations`` (:func:`school_settings`).
Each school check is three-valued (pass / fail / unknown); see :mod:`balance.method.evaluation`.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from balance.io.county_sheet import item_spec
from balance.method.official import at_least, at_most
from balance.method.standards import Standard

__all__ = ["ITEM_SETTINGS", "EVALUATION_COLUMNS", "base_settings", "school_settings", "optional_school_columns", "school_extras", "compute_school_items", "computed_rule"]

#: settings where a larger value is more lenient (the others: smaller is more lenient)
_LARGER_IS_LENIENT = {"classes_per_room", "school_size_cap", "school_size_cap_combined", "class_size_primary",
                      "class_size_junior"}


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
    in_scope = sections.loc[sections["in_scope"], ["year", "school_code", "stage"]]
    sch = _scoped_schools(schools, extras, in_scope)
    if sch.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    settings, _ = school_settings(sch, standard)
    ident = sch[["year", "county_code", "county_name", "school_code", "school_name", "school_type"]]
    frames = [_item3(sch, settings, ident), _item4(sch, settings, ident)]
    frames += _item5(sch, settings, ident, in_scope)

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


def _scoped_schools(schools: pd.DataFrame, extras: pd.DataFrame, in_scope: pd.DataFrame) -> pd.DataFrame:
    """The school rows with an in-scope section, the optional columns replaced by ``extras`` (float64,
    NaN missing; a column without any value is absent)."""
    sch = schools.drop(columns=[c for c in EVALUATION_COLUMNS if c in schools.columns])
    for c in extras.columns:
        sch[c] = extras[c]
    scoped_keys = set(zip(in_scope["year"], in_scope["school_code"]))
    return sch[[k in scoped_keys for k in zip(sch["year"], sch["school_code"])]]


def _item3(sch: pd.DataFrame, settings: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    """Item 3, music and art rooms, per school.

    needed = max(1, ⌈(primary + junior classes) ÷ classes_per_room⌉) (less 1e-9 before rounding up);
    passes when music rooms ≥ needed, art rooms ≥ needed, the smallest music room ≥
    ``music_room_min_area`` ㎡ and the smallest art room ≥ ``art_room_min_area`` ㎡ (an area counts
    only where there is a room). Three-valued: unknown where a needed value is missing.
    """
    nan = pd.Series(np.nan, index=sch.index)
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
        need = f"{_fmt(c)} 个班 ÷ {_fmt(settings.at[i, 'classes_per_room'])}，向上取整，需音乐、美术专用教室各 {_fmt(n)} 间"
        checks = [(music_ok[i], f"音乐专用教室 {_fmt(music[i], ' 间')}（需 {_fmt(n)} 间）"),
                  (art_ok[i], f"美术专用教室 {_fmt(art[i], ' 间')}（需 {_fmt(n)} 间）"),
                  (m_area_ok[i], f"最小音乐教室 {_fmt(m_area[i], ' ㎡')}（≥ {_fmt(settings.at[i, 'music_room_min_area'])} ㎡）"),
                  (a_area_ok[i], f"最小美术教室 {_fmt(a_area[i], ' ㎡')}（≥ {_fmt(settings.at[i, 'art_room_min_area'])} ㎡）")]
        failed = [t for ok, t in checks if ok is not pd.NA and not ok]  # a failing school: only what failed (issue 12)
        if failed:
            detail3.append(f"未达到：{'；'.join(failed)}（{need}）")
        else:
            detail3.append("；".join([need] + [t for _, t in checks]))
    f3 = ident.copy()
    f3["stage"] = ""
    f3["item_no"] = 3
    f3["value"] = [f"音乐 {_fmt(a)}/{_fmt(n)}，美术 {_fmt(b)}/{_fmt(n)}" for a, b, n in zip(music, art, needed)]
    f3["limit"] = [f"各 ≥ {_fmt(n)} 间；音乐 ≥ {_fmt(x)} ㎡，美术 ≥ {_fmt(y)} ㎡" for n, x, y in
                   zip(needed, settings["music_room_min_area"], settings["art_room_min_area"])]
    f3["passed"] = passed3
    f3["detail"] = detail3
    return f3


def _item4(sch: pd.DataFrame, settings: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    """Item 4, school size, per school: compulsory pupils (primary + junior) ≤ ``school_size_cap``,
    or ≤ ``school_size_cap_combined`` for the combined school types (九年一贯制 / 十二年一贯制)."""
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
    return f4


def _item5(sch: pd.DataFrame, settings: pd.DataFrame, ident: pd.DataFrame, in_scope: pd.DataFrame) -> list[pd.DataFrame]:
    """Item 5, class size, per in-scope section (one frame per stage that has any).

    Passes when the largest class ≤ ``class_size_primary`` / ``class_size_junior``; without the
    largest class, when no class is over the limit (oversized classes = 0); without either, an
    average class (pupils ÷ classes) above the limit fails and anything else is unknown.
    """
    nan = pd.Series(np.nan, index=sch.index)
    frames = []
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
        f5 = ident[mask].copy()
        f5["stage"] = stage
        f5["item_no"] = 5
        f5["value"] = mx.where(mx.notna(), np.nan).to_numpy()
        f5["limit"] = lim.to_numpy()
        f5["passed"] = passed5.to_numpy()
        f5["detail"] = [_class_detail(mx[i], over[i], avg[i], by_avg[i], lim[i]) for i in sub.index]
        frames.append(f5)
    return frames


def _class_detail(mx, over, avg, by_avg, lim) -> str:
    """Item 5's detail for one section: the largest class, else the oversized classes, else the average."""
    if not pd.isna(mx):
        d = f"最大班额 {_fmt(mx)} 人（≤ {_fmt(lim)}）"
        if not pd.isna(avg) and mx + 1e-9 < avg:
            d += f"；注意：最大班额小于平均班额 {avg:.1f}，数据可能有误"
    elif not pd.isna(over):
        d = f"超过 {_fmt(lim)} 人的班级 {_fmt(over)} 个"
    elif by_avg is False or (not pd.isna(by_avg) and not bool(by_avg)):
        d = f"平均班额 {avg:.1f} 人已超过 {_fmt(lim)} 人，必有班级超标"
    else:
        d = f"缺少最大班额（平均班额 {_fmt(avg)} 人）"
    return d


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
