"""申报表.xlsx: a county's tables in the layout of the 《义务教育优质均衡发展申报表》.

Sheets, in order (names are part of the contract, see README):

* ``说明`` — first, as in every workbook balance writes: what each sheet holds, the standard, the
  data file, the version and time, and that where the official layout is not known exactly it
  follows the structure of the method (four areas, items in order);
* ``基本情况`` — the county, year, standard, the overall verdict and the five area statuses, then
  the basic facts (:func:`balance.reporting.review.facts.basic_facts`);
* ``小学校际资源配置`` / ``初中校际资源配置`` — one row per in-scope section: the seven indicators
  (first row: the standard value), indicators met, lowest ratio to the standard (labels.yaml ``min_ratio``, 最低达成率), whether
  it meets the school rule;
* ``差异系数`` — per stage × indicator the pupil-weighted county mean, the CV, its limit, the verdict;
* ``缺口汇总`` — 补齐缺口 and 整改量 per stage × indicator (names from ``labels.yaml`` ``terms``);
* ``四个方面逐项`` — resource allocation, government support, quality, recognition and the vetoes,
  item by item in the method's order: requirement, actual value, source, status, note.

Every sheet wears the house style of :mod:`balance.io.export.xlsx` (Chinese headers, bold and frozen
with an autofilter, widths, wrapping, number formats by unit from ``formats.yaml``) and every cell is
written by its safe writer: names stay text, a missing number is an empty cell. Numbers are the
evaluation's, unrounded (formats only).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from balance.reporting import narrative
from balance.schema import labels

FILE_NAME = "申报表.xlsx"
SHEETS = ("说明", "基本情况", "小学校际资源配置", "初中校际资源配置", "差异系数", "缺口汇总", "四个方面逐项")
LAYOUT_NOTE = ("本表按《义务教育优质均衡发展申报表》的内容组织：县域基本情况、校际资源配置 {n} 项指标、差异系数、"
               "四个方面逐项。官方表式的具体格式（行列位置、合并单元格）未能逐一核对，凡不能确定之处，均按评估办法的"
               "结构排列（资源配置、政府保障程度、教育质量、社会认可度四个方面，逐项按办法中的顺序），填报时请按省、"
               "市下发的表式调整。")
STATUS_SHORT = {True: "是", False: "否"}
#: The header of a section's lowest value ÷ standard: the one name of ``labels.yaml`` (as in results.xlsx).
MIN_RATIO = labels()["columns"]["min_ratio"]


def _yes(x) -> str:
    return "" if x is None or x is pd.NA or (isinstance(x, float) and x != x) else STATUS_SHORT[bool(x)]


def area_statuses(f) -> list[tuple[str, str]]:
    """(area name, status) for the five areas, from the evaluation's verdict row."""
    from balance.io.county_sheet import area_names

    names = area_names()
    return [(names[a], str(f.verdict[f"{a}_status"])) for a in ("resource", "government", "quality", "recognition", "veto")]


def school_table(f, stage: str) -> pd.DataFrame:
    """The school-level resource table of one stage (Chinese headers), its first row the standard."""
    std = f.standard
    names = list(std.indicator_names)
    units = {i.name: i.unit for i in std.indicators}
    s = f.schools[f.schools["stage"] == stage]
    head = {"school_code": "学校标识码", "school_name": "学校名称", "school_type": "学校类型", "urban_rural": "城乡类型",
            "students": "在校生数"}
    cols = {**head, **{n: f"{n}（{units[n]}）" for n in names},
            "indicators_met": "达到标准的指标数", "min_ratio": MIN_RATIO, "school_passed": "是否达到学校标准"}
    body = s[list(cols)].copy()
    body["school_passed"] = body["school_passed"].map(_yes)
    standard_row = {c: None for c in cols}
    standard_row["school_name"] = "标准值"
    for i in std.indicators:
        standard_row[i.name] = (i.standard or {}).get(stage)
    out = pd.concat([pd.DataFrame([standard_row]), body], ignore_index=True) if len(body) else pd.DataFrame([standard_row])
    return out.rename(columns=cols)


def cv_table(f) -> pd.DataFrame:
    cv = f.cv
    out = pd.DataFrame({"学段": cv["stage"], "指标": cv["indicator"], "单位": cv["unit"], "县域均值": cv["value"],
                        "标准值": cv["standard"], "差异系数": cv["cv"], "差异系数限值": cv["cv_limit"],
                        "是否达标": cv["cv_passed"].map(_yes), "参与判定": cv["decisive"].map(_yes),
                        "学段单位数": cv["sections"], "在校生数": cv["students"], "说明": cv["cv_note"].fillna("")})
    return _stage_first(out)


def _stage_first(df: pd.DataFrame) -> pd.DataFrame:
    from balance.io.export.xlsx import stage_first

    return stage_first(df, "学段").reset_index(drop=True)


def gap_table(f) -> pd.DataFrame:
    t = narrative.terms()
    g = f.shortfalls
    return pd.DataFrame({"学段": g["stage"], "指标": g["indicator"], "单位": g["add_unit"],
                         "低于标准值的学段单位数": g["sections_below"], t["gap"]["name"]: g["shortfall"],
                         "未达到学校标准的学段单位数": g["sections_failing"],
                         t["rectification"]["name"]: g["shortfall_failing_sections"]}).pipe(_stage_first)


def items_table(f) -> pd.DataFrame:
    it = f.items
    return pd.DataFrame({"方面": it["area_name"], "序号": it["item_no"], "事项": it["item"], "要求": it["rule"],
                         "实际值": it["value"],
                         "数据来源": it["source"], "状态": it["status"], "说明": it["note"]}).reset_index(drop=True)


def sheet_status(f) -> str:
    """Whether the county sheet was given and has this county's row, in one sentence."""
    if f.has_sheet and f.sheet_row:
        return "已提供"
    why = "已提供，但没有该县区该年度的行" if f.has_sheet else "未提供"
    return f"{why}：政府保障程度、教育质量、社会认可度和一票否决中需县级填报的事项均为“缺失”"


def basic_table(f) -> pd.DataFrame:
    """The 基本情况 sheet as one table (项目, 数值, 单位): county, year, standard, the overall verdict
    and the five area statuses, the basic facts, and the urban–rural bachelor-degree ratio."""
    rows = [("县区名称", f.county_name, ""), ("县区代码", f.county_code, ""), ("年度", int(f.year), "年"),
            ("评估标准", f.standard.title, ""),
            ("综合结论", f"{f.verdict['verdict']}（四个方面均达标且无一票否决事项方为达到）", "")]
    rows += [(n, s, "") for n, s in area_statuses(f)]
    rows += [(rec.项目, rec.数值, rec.单位) for rec in f.facts.itertuples(index=False)]
    if f.bachelor is not None:
        b = f.bachelor
        rows.append((f"城乡教师本科及以上学历比例之比（{b['groups']}）", None, ""))
        rows += [("城市组比例", float(b["urban_share"]), "比例"), ("农村组比例", float(b["rural_share"]), "比例"),
                 ("城市 ÷ 农村", float(b["ratio"]), "比值"), ("目标（不高于）", float(b["target"]), "比值")]
    return pd.DataFrame(rows, columns=["项目", "数值", "单位"])


#: number format of a 基本情况 row by its unit (formats.yaml kinds; other units: counts)
BASIC_KINDS = {"年": "year", "比例": "percent", "比值": "cv"}


def about_lines(f) -> list[tuple[str, str]]:
    """The workbook's own lines of the 说明 sheet (after the list of sheets and the sources)."""
    return [("内容", "县域义务教育优质均衡发展申报表（草稿），由 balance 根据学校数据"
             + ("和县级填报表" if f.has_sheet else "") + "生成。"),
            ("表式说明", LAYOUT_NOTE.format(n=len(f.standard.indicators))), ("县级填报表", sheet_status(f)),
            ("口径", narrative.terms()["differs"]), ("缺失", "缺失的事项不视为达标。")]


def write_application(f, out_dir: str | Path) -> list[Path]:
    """Write :data:`FILE_NAME` (申报表.xlsx) of one county × year into ``out_dir``, atomically.

    Parameters
    ----------
    f : ReviewFacts
        :func:`balance.reporting.review.facts.review_facts`.
    out_dir : str or Path
    """
    from balance.io.export.xlsx import About, Sheet, build_workbook, house_style
    from balance.io.files import staged_files

    units = {i.name: i.unit for i in f.standard.indicators}
    n = len(f.standard.indicators)  # 7 under quality-2017, 8 under basic-2012: the standard's own count
    per_pupil = {f"{n}（{units[n]}）": "per_pupil" for n in f.standard.indicator_names}
    t = narrative.terms()
    by_unit = {"unit_from": "单位"}
    sheets = [
        Sheet(SHEETS[1], basic_table(f), "县区、年度、评估标准、综合结论与五个方面的状态，县域基本情况（学校、学生、班级、教师）",
              kinds={"数值": "count"}, order_stages=False),
        Sheet(SHEETS[2], school_table(f, "小学"), f"小学各学段单位的 {n} 项指标（第一行为标准值）、达到标准的指标数、{MIN_RATIO}、是否达到学校标准",
              kinds={**per_pupil, MIN_RATIO: "percent"}, freeze="C3", order_stages=False),
        Sheet(SHEETS[3], school_table(f, "初中"), f"初中各学段单位的 {n} 项指标（第一行为标准值）、达到标准的指标数、{MIN_RATIO}、是否达到学校标准",
              kinds={**per_pupil, MIN_RATIO: "percent"}, freeze="C3", order_stages=False),
        Sheet(SHEETS[4], cv_table(f), "各学段各项指标的县域均值（按学生数加权）、标准值、差异系数及其限值、是否达标",
              kinds={"县域均值": "per_pupil", "标准值": "per_pupil", "差异系数": "cv", "差异系数限值": "cv"},
              freeze="C2", order_stages=False),
        Sheet(SHEETS[5], gap_table(f), f"各学段各项指标的{t['gap']['name']}与{t['rectification']['name']}（按增加量单位）",
              kinds={t["gap"]["name"]: by_unit, t["rectification"]["name"]: by_unit}, freeze="C2", order_stages=False),
        Sheet(SHEETS[6], items_table(f), "资源配置、政府保障程度、教育质量、社会认可度与一票否决，逐项的要求、实际值、数据来源、状态",
              kinds={"实际值": "mixed"}, freeze="C2", order_stages=False),
    ]
    about = About(standard=f.standard.title, source=f.source, lines=about_lines(f))
    with staged_files(out_dir) as st:
        wb = build_workbook(sheets, about)  # 说明 first, then the sheets in the official order
        fmts = house_style()["formats"]
        basic = wb[SHEETS[1]]
        for _, value, unit in basic.iter_rows(min_row=2, max_col=3):  # a year is 2025, a share a percentage
            if unit.value in BASIC_KINDS and isinstance(value.value, (int, float)):
                value.number_format = fmts[BASIC_KINDS[unit.value]]
        items = wb[SHEETS[6]]
        for row in items.iter_rows(min_row=2):  # a CV with three decimals, every other value as it is
            if str(row[2].value or "").endswith("差异系数") and isinstance(row[4].value, float):
                row[4].number_format = fmts["cv"]
        wb.save(st.stage(FILE_NAME))
    return st.final
