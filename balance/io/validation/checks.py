"""Checks across columns and rows (subsets, ranges, stages, duplicates, county names, 万元 values)
and the plausibility warnings (see :mod:`balance.io.validation`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from balance.errors import Problem
from balance.io.validation.texts import COLS, MAX_PER_KIND, RawTable, _Collector, message, messages
from balance.schema import STAGE_COLUMNS, column_spec

#: A duplicate-school line lists at most this many row numbers (then "… and N more").
MAX_ROWS_LISTED = 5
_UNITS = {"area": " ㎡", "money": " 元"}


def _row_list(rows: list[int]) -> tuple[str, str]:
    """``"第 2、3、7 行"`` / ``"2, 3, 7"``; beyond :data:`MAX_ROWS_LISTED` rows the rest is counted."""
    shown = rows[:MAX_ROWS_LISTED]
    zh, en = f"第 {'、'.join(map(str, shown))} 行", ", ".join(map(str, shown))
    if len(rows) > len(shown):
        zh += f"等，另有 {len(rows) - len(shown)} 行"
        en += f" and {len(rows) - len(shown)} more"
    return zh, en


def _report_duplicates(col: _Collector, frame: pd.DataFrame, raw: RawTable, positions: np.ndarray) -> None:
    """One problem per (year, school code) that occurs more than once, naming a few of its rows.

    At most :data:`MAX_PER_KIND` codes are listed, in order of their first row; a last line counts
    the rest. (Listing every row on every line made 37 MB of output for 50,000 duplicate rows.)
    """
    rows = np.asarray(raw.source_row, dtype="int64")[positions]
    g = pd.DataFrame({"year": frame["year"].to_numpy()[positions], "code": frame["school_code"].to_numpy()[positions],
                      "row": rows}).sort_values("row", kind="stable")
    groups = list(g.groupby(["year", "code"], sort=False)["row"])
    header = col.header("school_code")
    for (year, code), r in groups[:MAX_PER_KIND]:
        listed = r.tolist()
        rows_zh, rows_en = _row_list(listed)
        zh, en = message("duplicate_school", year=_fmt_num(year), count=len(listed), rows=rows_zh, rows_en=rows_en)
        col.problems.append(Problem(file=raw.file, sheet=raw.sheet, row=int(listed[0]), column=header, value=str(code),
                                    problem_zh=zh, problem_en=en, code="duplicate_school"))
    rest = groups[MAX_PER_KIND:]
    if rest:
        zh, en = message("duplicate_school_more", n=len(rest), rows=sum(len(r) for _, r in rest))
        col.problems.append(Problem(file=raw.file, sheet=raw.sheet, column=header, problem_zh=zh, problem_en=en,
                                    code="duplicate_school"))


def _fmt_num(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    x = float(x)
    return str(int(x)) if x == int(x) else repr(x)


def _check_subsets(col: _Collector, frame: pd.DataFrame) -> None:
    for part, whole in column_spec().get("subsets", []):
        if part not in frame or whole not in frame:
            continue
        bad = (frame[part] > frame[whole]).to_numpy()
        col.rows("subset_exceeds", part, np.flatnonzero(bad),
                 per_row=lambda pos, part=part, whole=whole: {
                     "part_value": _fmt_num(frame[part].iat[pos]), "whole_value": _fmt_num(frame[whole].iat[pos])},
                 part=col.header(part), whole=col.header(whole))


def _check_ranges(col: _Collector, frame: pd.DataFrame) -> None:
    """Columns with a ``range`` (建成年份): present values between ``min`` and ``max`` (``max: year``:
    the row's 年份). Negative or fractional values are reported by the per-column checks only."""
    th = messages()["thresholds"]
    for name, spec in COLS.items():
        rng = spec.get("range")
        if not rng or name not in frame:
            continue
        v = frame[name]
        low = float(rng.get("min", -np.inf))
        high = rng.get("max")
        if high == "year":
            top = frame["year"] if "year" in frame else pd.Series(float(th["year_max"]), index=frame.index)
            top = top.fillna(float(th["year_max"]))
        else:
            top = pd.Series(np.inf if high is None else float(high), index=frame.index)
        checked = v.notna() & (v >= 0) & (v == np.floor(v))
        bad = (checked & ((v < low) | (v > top))).to_numpy(dtype=bool)
        col.rows("out_of_range", name, np.flatnonzero(bad),
                 per_row=lambda pos, top=top: {"high": _fmt_num(top.iat[pos])}, low=_fmt_num(low))


#: optional per-stage columns (blank = missing); a value above 0 in a stage the school lacks is an error
_OPTIONAL_STAGE_COLUMNS = {"小学": ["primary_max_class_size", "primary_oversized_classes"],
                           "初中": ["junior_max_class_size", "junior_oversized_classes"]}


def _check_stages(col: _Collector, frame: pd.DataFrame, lacking: dict[str, np.ndarray]) -> None:
    if "school_type" not in frame:
        return
    for stage, cols in STAGE_COLUMNS.items():
        names = [cols.get(f) for f in ("students", "classes", "teachers")] + _OPTIONAL_STAGE_COLUMNS.get(stage, [])
        for name in names:
            if name is None or name not in frame:
                continue
            bad = lacking[stage] & (frame[name] > 0).fillna(False).to_numpy(dtype=bool)
            col.rows("stage_not_offered", name, np.flatnonzero(bad), stage=stage, column=col.header(name),
                     per_row=lambda pos, name=name: {"school_type": frame["school_type"].iat[pos],
                                                     "value": _fmt_num(frame[name].iat[pos])})


def _check_county_names(col: _Collector, frame: pd.DataFrame) -> None:
    if not {"year", "county_code", "county_name"} <= set(frame.columns):
        return
    f = frame[["year", "county_code", "county_name"]].dropna()
    if f.empty:
        return
    counts = f.groupby(["year", "county_code"])["county_name"].nunique()
    conflicts = counts[counts > 1]
    if conflicts.empty:
        return
    keys = pd.MultiIndex.from_frame(f[["year", "county_code"]])
    in_conflict = keys.isin(conflicts.index)
    g = f[in_conflict]
    # the most frequent name of each (year, code) is taken as the intended one; report the others
    mode = g.groupby(["year", "county_code"])["county_name"].agg(lambda s: s.value_counts().index[0])
    names = g.groupby(["year", "county_code"])["county_name"].agg(lambda s: "、".join(pd.unique(s)))
    key = pd.MultiIndex.from_frame(g[["year", "county_code"]])
    odd = g["county_name"].to_numpy() != mode.reindex(key).to_numpy()
    positions = g.index.to_numpy()[odd]

    def per_row(pos):
        k = (frame["year"].iat[pos], frame["county_code"].iat[pos])
        return {"county_code": k[1], "year": _fmt_num(k[0]), "names": names.get(k, "")}
    col.rows("county_name_conflict", "county_name", positions, per_row=per_row)


def _check_wan_yuan(col: _Collector, frame: pd.DataFrame, raw: RawTable) -> None:
    """Refuse a county whose equipment values were entered in 万元 under the 元 header.

    One school below ``thresholds.min_per_pupil.equipment_value`` (元 per pupil) is a warning; when
    more than ``wan_yuan_share`` of a county's schools with pupils and a value are below it (at least
    ``wan_yuan_min_schools`` of them), the unit is wrong and every verdict would be too: one error
    per county, naming the header to use. Not checked under a 万元 header (already ×10000)."""
    name = "equipment_value"
    if name not in frame or "county_code" not in frame or float(raw.factors.get(name, 1)) != 1:
        return
    th = messages()["thresholds"]
    student_cols = [c["students"] for c in STAGE_COLUMNS.values() if c["students"] in frame]
    if not student_cols:
        return
    pupils = frame[student_cols].sum(axis=1, min_count=len(student_cols))
    limit = th["min_per_pupil"][name]["limit"]
    value = frame[name]
    usable = (pupils > 0) & (value > 0)
    low = usable & (value / pupils.where(pupils > 0) < limit)
    counts = pd.DataFrame({"county": frame["county_code"].astype(str), "usable": usable, "low": low}) \
        .groupby("county", sort=True)[["usable", "low"]].sum()
    for county, r in counts.iterrows():
        if r["usable"] >= th["wan_yuan_min_schools"] and r["low"] > th["wan_yuan_share"] * r["usable"]:
            col.whole("equipment_in_wan_yuan", column=col.header(name), county=county, flagged=int(r["low"]),
                      schools=int(r["usable"]), limit=limit, header=col.header(name))


def _warnings(col: _Collector, frame: pd.DataFrame, lacking: dict[str, np.ndarray]) -> None:
    th = messages()["thresholds"]
    student_cols = [c["students"] for c in STAGE_COLUMNS.values() if c["students"] in frame]
    if not student_cols:
        return
    # a missing stage column (an error, reported by the reader) must not make every school of that
    # stage "without pupils": the checks on the school's total wait until the table is complete
    complete = len(student_cols) == len(STAGE_COLUMNS)
    pupils = frame[student_cols].sum(axis=1, min_count=len(student_cols))  # NaN if any cell is unknown
    if not complete:
        pupils = pd.Series(np.nan, index=frame.index)
    if "school_name" in frame:
        col.rows("no_pupils", "school_name", np.flatnonzero((pupils == 0).to_numpy()), severity="warning")

    for stage, cols in STAGE_COLUMNS.items():
        s_name, c_name, t_name = cols.get("students"), cols.get("classes"), cols.get("teachers")
        if s_name not in frame:
            continue
        s = frame[s_name]
        offered = ~lacking[stage]
        if t_name in frame and "school_type" in frame:
            # a stage the school type has, with no pupils (and no teachers: that is warned below),
            # in a school that has pupils: no section of that stage exists — say so
            quiet = offered & (s == 0).to_numpy() & (pupils > 0).to_numpy() & ~(frame[t_name] > 0).to_numpy()
            col.rows("stage_no_pupils", s_name, np.flatnonzero(quiet), severity="warning", stage=stage,
                     per_row=lambda pos: {"school_type": frame["school_type"].iat[pos]})
        if t_name in frame:
            t = frame[t_name]
            col.rows("no_teachers", t_name, np.flatnonzero(offered & ((s > 0) & (t == 0)).to_numpy()),
                     severity="warning", stage=stage, per_row=lambda pos, s=s: {"value": _fmt_num(s.iat[pos])})
            col.rows("teachers_no_pupils", s_name, np.flatnonzero(offered & ((t > 0) & (s == 0)).to_numpy()),
                     severity="warning", stage=stage, per_row=lambda pos, t=t: {"value": _fmt_num(t.iat[pos])})
            ratio = s / t.where(t > 0)
            lim = th["max_pupils_per_teacher"]
            col.rows("implausible", t_name, np.flatnonzero((ratio > lim).to_numpy()), severity="warning",
                     what=f"{stage}生师比", what_en=f"pupils per teacher ({stage})", limit=f"≤ {lim}",
                     limit_en=f"<= {lim}", per_row=lambda pos, r=ratio: {"value": f"{r.iat[pos]:.1f}"})
        if c_name in frame:
            c = frame[c_name]
            col.rows("no_classes", c_name, np.flatnonzero(offered & ((s > 0) & (c == 0)).to_numpy()),
                     severity="warning", stage=stage, per_row=lambda pos, s=s: {"value": _fmt_num(s.iat[pos])})
            size = s / c.where(c > 0)
            lim = th["max_pupils_per_class"]
            col.rows("implausible", c_name, np.flatnonzero((size > lim).to_numpy()), severity="warning",
                     what=f"{stage}平均班额", what_en=f"pupils per class ({stage})", limit=f"≤ {lim}",
                     limit_en=f"<= {lim}", per_row=lambda pos, r=size: {"value": f"{r.iat[pos]:.1f}"})

    per_pupil_pupils = pupils.where(pupils > 0)
    for bound, op in (("max_per_pupil", np.greater), ("min_per_pupil", np.less)):
        for name, spec in (th.get(bound) or {}).items():
            if name not in frame:
                continue
            v = frame[name] / per_pupil_pupils
            bad = op(v, spec["limit"]).fillna(False).to_numpy(dtype=bool) & (frame[name] > 0).to_numpy()
            zh_sign, en_sign = ("≤", "<=") if bound == "max_per_pupil" else ("≥", ">=")
            col.rows("implausible", name, np.flatnonzero(bad), severity="warning", what=spec["zh"],
                     what_en=spec["en"], limit=f"{zh_sign} {spec['limit']}", limit_en=f"{en_sign} {spec['limit']}",
                     per_row=lambda pos, v=v: {"value": f"{v.iat[pos]:.2f}"})


def _class_size_warnings(col: _Collector, frame: pd.DataFrame) -> None:
    """The optional 最大班额 columns: above the plausible class size, or below the stage's average."""
    lim = messages()["thresholds"]["max_pupils_per_class"]
    for stage, prefix in (("小学", "primary"), ("初中", "junior")):
        name = f"{prefix}_max_class_size"
        s_name, c_name = STAGE_COLUMNS[stage]["students"], STAGE_COLUMNS[stage]["classes"]
        if name not in frame:
            continue
        mx = frame[name]
        header = col.header(name)
        col.rows("implausible", name, np.flatnonzero((mx > lim).fillna(False).to_numpy(dtype=bool)), severity="warning",
                 what=header, what_en=f"largest class ({stage})", limit=f"≤ {lim}", limit_en=f"<= {lim}",
                 per_row=lambda pos, mx=mx: {"value": _fmt_num(mx.iat[pos])})
        if s_name not in frame or c_name not in frame:
            continue
        avg = frame[s_name] / frame[c_name].where(frame[c_name] > 0)
        below = (mx.notna() & avg.notna() & (mx > 0) & (mx < np.floor(avg + 1e-9))).to_numpy(dtype=bool)
        col.rows("implausible", name, np.flatnonzero(below), severity="warning", what=header,
                 what_en=f"largest class ({stage})",
                 per_row=lambda pos, mx=mx, avg=avg: {"value": _fmt_num(mx.iat[pos]),
                                                      "limit": f"≥ 平均班额 {avg.iat[pos]:.1f}",
                                                      "limit_en": f">= the average class {avg.iat[pos]:.1f}"})


