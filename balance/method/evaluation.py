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

The module is split by concept: the school-computed items (:mod:`balance.method.school_items`),
the county result of each item (:mod:`balance.method.area_items`), writing the results
(:mod:`balance.method.evaluation_export`) and, here, the entry point. Every name of the former
single module still imports from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from balance.errors import InputError, Problem, problems_frame
from balance.io.county_sheet import CountySheet, area_names, load_county_sheet  # noqa: F401 - evaluation.load_county_sheet, as before the move
from balance.io.county_sheet import items as sheet_items
from balance.method.area_items import (  # noqa: F401
    SOURCE_NONE,
    SOURCE_SCHOOLS,
    SOURCE_SHEET,
    STATUS,
    _computed_item,
    _field_ok,
    _missing_column_note,
    _resource_items,
    _sentence,
    _sheet_item,
    shown_text,
)
from balance.method.evaluation_export import _jsonable, write_evaluation  # noqa: F401
from balance.method.school_items import (  # noqa: F401
    EVALUATION_COLUMNS,
    ITEM_SETTINGS,
    base_settings,
    compute_school_items,
    computed_rule,
    optional_school_columns,
    school_extras,
    school_settings,
)
from balance.method.standards import Standard, load_standard

__all__ = [
    "SOURCE_SCHOOLS", "SOURCE_SHEET", "SOURCE_NONE", "STATUS", "AREAS", "ITEM_COLUMNS", "Evaluation",
    "base_settings", "school_settings", "ITEM_SETTINGS", "EVALUATION_COLUMNS", "optional_school_columns",
    "school_extras", "compute_school_items", "computed_rule", "evaluate", "write_evaluation",
]

AREAS = ("resource", "government", "quality", "recognition", "veto")
ITEM_COLUMNS = ["year", "county_code", "county_name", "area", "area_name", "item_no", "item", "value", "rule",
                "source", "passed", "status", "note", "shown"]  # shown: the value as pages show it (added)


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
                               "note": r.note or None, "shown": r.shown} for r in s.itertuples(index=False)],
                }
            out.append(rec)
        return out


def evaluate(source, county_sheet, standard: str | Path | Standard = "quality-2017", *, year: int | None = None,
             county: str | None = None, sheet: str | int | None = None, other_counties: str = "refuse",
             require_rows: bool = False) -> Evaluation:
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
    other_counties : "refuse" or "ignore"
        County-sheet rows of counties not in the school table: an error (default), or ignored with
        one warning naming them (``"ignore"``: the briefings, which may read a city-wide sheet
        beside a table of some of its counties).
    require_rows : bool
        ``True`` (the command line): a county evaluated in a year for which the sheet has rows of
        other counties but none of its own is refused (``county_sheet_lacks_county``: a mistyped
        code or the wrong sheet), not evaluated with every sheet item missing. A year the sheet does
        not cover at all still gives missing items.

    Raises
    ------
    InputError
        The school table, the optional columns or the county sheet have errors (all listed at once).
    """
    from balance.method.assessment import assess

    std = load_standard(standard)
    table, cs = _read_inputs(source, county_sheet, sheet, other_counties)
    extras = school_extras(table)
    data = table.data
    mask = pd.Series(True, index=data.index)
    if year is not None:
        mask &= data["year"] == int(year)
    if county is not None:
        mask &= data["county_code"] == str(county)
    if require_rows and cs is not None:
        _require_rows(cs, data.loc[mask, ["year", "county_code"]].drop_duplicates())
    a = assess(table, std, year=year, county=county)
    school_items = compute_school_items(data[mask], extras.loc[mask], a.sections, std)
    settings = base_settings(std)
    warnings = list(table.warnings) + ([] if cs is None else list(cs.warnings) + _unused_sheet_rows(cs, a, year, county))

    item_rows, verdict_rows = [], []
    for v in a.verdicts.itertuples(index=False):
        row = cs.row(v.year, v.county_code) if cs is not None else None
        si = school_items[(school_items.year == v.year) & (school_items.county_code == v.county_code)]
        rows = _county_items(a, v, row, si, extras, settings)
        item_rows += rows
        verdict_rows.append(_verdict_row(v, rows, std, has_sheet_row=row is not None))

    items_df = pd.DataFrame(item_rows, columns=ITEM_COLUMNS) if item_rows else \
        pd.DataFrame({c: pd.Series(dtype="object") for c in ITEM_COLUMNS})
    items_df["passed"] = pd.array([pd.NA if x is None else bool(x) for x in items_df["passed"]], dtype="boolean")
    items_df["note"] = items_df["note"].fillna("")
    verdicts = pd.DataFrame(verdict_rows)
    return Evaluation(items=items_df, verdicts=verdicts, school_items=school_items, assessment=a, sheet=cs,
                      standard=std, warnings=problems_frame(warnings))


def _read_inputs(source, county_sheet, sheet, other_counties: str = "refuse"):
    """(SchoolTable, CountySheet or None); the problems of both inputs are raised together."""
    from balance.io.reading import load_school_table
    from balance.io.table import SchoolTable
    from balance.method import cache

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
    names = table.data.groupby("county_code")["county_name"].first().to_dict() if table is not None else None
    cs = None
    if isinstance(county_sheet, CountySheet):
        cs = county_sheet
        unknown = sorted(set(cs.data["county_code"]) - set(names)) if names is not None else []
        if unknown and other_counties == "ignore":  # the rows dropped and named, as on reading
            cs = _without_counties(cs, unknown)
            unknown = []
        for c in unknown:
            r = int(cs.data.loc[cs.data.county_code == c, "source_row"].iloc[0])
            problems.append(Problem(file=cs.path, sheet=cs.sheet, row=r, column="县区代码", value=c, code="unknown_county",
                                    problem_zh=f"县区代码 {c} 不在学校数据中", problem_en=f"county code {c} is not in the school data"))
    elif county_sheet is not None:
        try:
            cs = cache.county_sheet(county_sheet, known_counties=names, other_counties=other_counties)  # once per content
        except InputError as exc:
            problems += exc.problems
    if table_error is not None and len(problems) == len(table_error.problems):
        raise table_error
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, "输入数据有误", "invalid input")
    return table, cs


def _require_rows(cs: CountySheet, pairs: pd.DataFrame) -> None:
    """Refuse when a county-year of ``pairs`` has no sheet row though the sheet has rows of that year."""
    covered = set(cs.data["year"].astype(int))
    have = set(zip(cs.data["year"].astype(int), cs.data["county_code"].astype(str)))
    lacking: dict[int, list[str]] = {}
    for y, c in sorted(zip(pairs["year"].astype(int), pairs["county_code"].astype(str))):
        if y in covered and (y, c) not in have:
            lacking.setdefault(y, []).append(c)
    if not lacking:
        return
    problems = [Problem(file=cs.path, sheet=cs.sheet, column="县区代码", value=", ".join(codes),
                        code="county_sheet_lacks_county",
                        problem_zh=f"县级填报表中有 {y} 年其他县区的行，却没有县区 {'、'.join(codes)} 的行：请检查县区代码"
                                   "或换用正确的填报表（或用 --county 只评估表中有的县区）",
                        problem_en=f"the county sheet has rows for {y} but none for county {', '.join(codes)}: check the "
                                   "county codes or the file (or evaluate only the counties it has, with --county)")
                for y, codes in lacking.items()]
    raise InputError(problems, "县级填报表缺少县区", "the county sheet lacks a county")


def _without_counties(cs: CountySheet, codes: list[str]) -> CountySheet:
    """``cs`` without the rows of ``codes`` (not in the school table), one warning naming them."""
    from dataclasses import replace

    from balance.io.county_sheet import other_counties_message

    drop = cs.data["county_code"].isin(codes)
    names = cs.data.loc[drop].drop_duplicates("county_code").set_index("county_code")["county_name"].to_dict()
    zh, en = other_counties_message(names, int(drop.sum()))
    w = Problem(file=cs.path, sheet=cs.sheet, column="县区代码", value=", ".join(codes), severity="warning",
                code="other_counties_ignored", problem_zh=zh, problem_en=en)
    return replace(cs, data=cs.data[~drop].reset_index(drop=True), warnings=[*cs.warnings, w])


def _unused_sheet_rows(cs: CountySheet, a, year, county) -> list[Problem]:
    """Warnings for the county-sheet rows (within the year / county filter) without school data."""
    have = set(zip(a.verdicts["year"], a.verdicts["county_code"]))
    out = []
    for r in cs.data.itertuples(index=False):
        if (year is None or r.year == int(year)) and (county is None or r.county_code == str(county)) \
                and (r.year, r.county_code) not in have:
            out.append(Problem(file=cs.path, sheet=cs.sheet, row=int(r.source_row), column="年份", value=str(r.year),
                               severity="warning", code="no_school_data",
                               problem_zh=f"学校数据中没有县区 {r.county_code} 的 {r.year} 年，此行未使用",
                               problem_en=f"no school data for county {r.county_code} in {r.year}; row not used"))
    return out


def _county_items(a, v, row: dict | None, si: pd.DataFrame, extras: pd.DataFrame, settings: dict) -> list[dict]:
    """Every item of one county × year (``v``: its assessment verdict row), in order."""
    anames = area_names()
    rows: list[dict] = []
    for k, r in enumerate(_resource_items(a, v.year, v.county_code), start=1):
        rows.append({"area": "resource", "item_no": k, **r})
    for it in sheet_items():
        if it.get("computed"):
            sub = si[si.item_no == it["item_no"]]
            relaxed = bool(len(sub)) and bool((sub["relaxation"] != "").any())
            r = _computed_item(it, it["fields"][0], sub, row, extras, computed_rule(it["item_no"], settings, relaxed))
        else:
            r = _sheet_item(it, row, settings)
        rows.append({"area": it["area"], "item_no": it["item_no"], "item": it["text"], **r})
    for r in rows:
        r.update(year=v.year, county_code=v.county_code, county_name=v.county_name, area_name=anames[r["area"]],
                 status=STATUS[r["passed"]], shown=shown_text(r["item"], r["value"], r.get("shown")))
    return rows


def _verdict_row(v, rows: list[dict], std: Standard, *, has_sheet_row: bool) -> dict:
    """The verdict of one county × year from its items: area statuses, overall verdict, the sentences."""
    anames = area_names()
    vr = {"year": v.year, "county_code": v.county_code, "county_name": v.county_name, "standard_id": std.id}
    for area in AREAS:
        sub = [r for r in rows if r["area"] == area]
        ok = bool(v.passed) if area == "resource" else bool(sub) and all(r["passed"] is True for r in sub)
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
    if not has_sheet_row:
        # no sheet row: one sentence for the sheet items instead of one per item
        from_sheet = [r for r in missing_rows if r["source"] == SOURCE_SHEET]
        missing = [_sentence(anames[r["area"]], r) for r in missing_rows if r["source"] != SOURCE_SHEET]
        if from_sheet:
            missing.append(f"县级填报表中没有该县区 {v.year} 年的数据：政府保障程度、教育质量、社会认可度、一票否决"
                           f"共 {len(from_sheet)} 项缺少数据")
    else:
        missing = [_sentence(anames[r["area"]], r) for r in missing_rows]
    vr["failing_items"] = vetoes + failing + missing
    vr["items_failed"] = len(vetoes) + len(failing)
    vr["items_missing"] = len(missing_rows)
    return vr
