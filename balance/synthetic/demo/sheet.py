"""The filled county sheet (县级填报表) of the four-area evaluation for the demo counties.

Part of :mod:`balance.synthetic.demo` (the data are synthetic: 模拟数据，非真实学校).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from balance.io.files import deterministic_xlsx
from balance.synthetic import DEFAULT_SEED, DEFAULT_YEARS
from balance.synthetic.demo.plan import COUNTIES

#: What each county's bureau answers besides the passing defaults, by field and year (the story of
#: the other three areas and the vetoes; 政府保障程度 items 3–5 come from the school table).
SHEET_STORY: dict[str, dict[str, dict[int, object]]] = {
    # model county: training short in 2021, survey below 85 % in 2022, backbone rotation in 2023;
    # everything holds from 2024 on (资源配置 from 2023, items 3–5 from 2023) -> 达到 2024 and 2025
    "990101": {"g9_training_rate": {2021: 97.6}, "recognition_rate": {2022: 84.3}, "g11_backbone_share": {2023: 18.5}},
    # teachers paid less than civil servants until 2022; retention below 95 % in 2021; in 2025 only
    # the undersized rooms of its oldest schools (item 3, school data) stand between it and 达到
    "990102": {"g8_teacher_pay": {2021: 96500, 2022: 99800}, "g8_civil_servant_pay": {2021: 98200, 2022: 101500},
               "q1_retention_rate": {2021: 94.6}},
    # crowded urban district: illegal school choice (veto) in 2021–2022, nearby enrolment of primary
    # pupils never 100 %, migrant children in public places below 85 % until 2023
    "990103": {"v2_school_choice": {2021: "是", 2022: "是"},
               "g13_nearby_primary": dict(zip(DEFAULT_YEARS, (98.4, 98.9, 99.3, 99.6, 99.8))),
               "g15_migrant_public_share": dict(zip(DEFAULT_YEARS, (81.5, 83.0, 84.6, 86.2, 88.0)))},
    # mountain county: small schools not funded as 100 pupils until 2022, retention below 95 % until
    # 2023, uncertified teachers until 2023
    "990104": {"g6_small_school_funding": {2021: "否", 2022: "否"},
               "q1_retention_rate": dict(zip(DEFAULT_YEARS, (93.2, 93.9, 94.5, 95.1, 95.6))),
               "g12_certificate_rate": dict(zip(DEFAULT_YEARS, (98.7, 99.2, 99.6, 100.0, 100.0)))},
    # monitoring: inter-school difference rate ≥ 0.15 until 2023; the 2025 training-budget cell left blank
    "990105": {"q9_difference_rate": dict(zip(DEFAULT_YEARS, (0.18, 0.17, 0.16, 0.14, 0.13))),
               "q4_training_budget_min": {2025: None}},
    # short of backbone teachers (resource allocation) and so of backbone teachers to rotate;
    # special-school funds below 6000 元 until 2022
    "990106": {"g11_backbone_share": dict(zip(DEFAULT_YEARS, (12.5, 14.0, 15.8, 17.2, 18.6))),
               "g7_special_school_funds": {2021: 5600, 2022: 5800}},
    # passes the sheet from 2022; fails items 4 and 5 (large schools, large classes) from school data
    "990107": {"q4_training_budget_min": {2021: 4.3}},
    # survey never reaches 85 %; the school table lacks the room columns in 2021–2022, so the
    # county answers item 3 itself (否, then 是)
    "990108": {"recognition_rate": dict(zip(DEFAULT_YEARS, (81.9, 82.7, 83.5, 84.1, 84.8))),
               "g3_music_art_rooms": {2021: "否", 2022: "是"}, "q2_disabled_enrolment": {2021: 94.2}},
}
#: Evidence notes (说明及佐证材料): item id -> text template.
SHEET_NOTES = {
    "government_1": "《{county}义务教育学校布局专项规划（2021—2035年）》",
    "government_2": "{county}人民政府办公室关于统一城乡义务教育学校建设标准的通知（{county}政办〔{year}〕{n}号）",
    "government_10": "{county}机构编制委员会办公室 教职工编制核定文件（{year}年）",
}
#: Notes explaining a failing yes/no answer: (county code, year) -> (item id, text).
SHEET_FAIL_NOTES = {
    ("990103", 2021): ("veto_2", "城区两所公办初中超计划接收择校生，已通报并责令整改"),
    ("990103", 2022): ("veto_2", "一所公办小学跨片区招收学生，已责令整改"),
    ("990104", 2021): ("government_6", "村小学和教学点按实际学生数核定公用经费，2023 年起按 100 人核定"),
    ("990104", 2022): ("government_6", "村小学和教学点按实际学生数核定公用经费，2023 年起按 100 人核定"),
}


def county_sheet_rows(seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> list[dict]:
    """The demo county sheet: one dict per county × year (canonical field names, notes by column name).

    Every item holds unless :data:`SHEET_STORY` says otherwise; the numbers vary a little by county
    and year (seeded). Items 3–5 of 政府保障程度 are left blank (computed from the school table)
    except where the school table lacks the columns.
    """
    from balance.io.county_sheet import fields, item_id, items, note_column

    years = tuple(sorted({int(y) for y in years}))
    out = []
    for k, plan in enumerate(COUNTIES):
        rng = np.random.default_rng([int(seed), k, 2])
        story = SHEET_STORY.get(plan.code, {})
        for year in range(min(years[0], DEFAULT_YEARS[0]), max(years[-1], DEFAULT_YEARS[0]) + 1):
            u = rng.uniform(size=16)
            if year not in years:
                continue
            dt = year - DEFAULT_YEARS[0]
            civil = int(round(92000 + 2600 * dt + 1500 * k, -2))
            v = {
                "g7_special_school_funds": int(round(6200 + 150 * dt + 400 * u[0], -1)),
                "g8_civil_servant_pay": civil, "g8_teacher_pay": int(round(civil * (1.005 + 0.03 * u[1]), -2)),
                "g9_training_rate": 100.0, "g11_rotation_rate": round(10.5 + 4.5 * u[2], 1),
                "g11_backbone_share": round(21 + 10 * u[3], 1), "g12_certificate_rate": 100.0,
                "g13_nearby_primary": 100.0, "g13_nearby_junior": round(95.5 + 4 * u[4], 1),
                "g14_quota_share": round(50.5 + 11 * u[5], 1), "g15_migrant_public_share": round(86 + 11 * u[6], 1),
                "q1_retention_rate": round(95.5 + 3.8 * u[7], 1), "q2_disabled_enrolment": round(95.2 + 4.3 * u[8], 1),
                "q4_training_budget_min": round(5.1 + 2.9 * u[9], 1), "q9_difference_rate": round(0.07 + 0.07 * u[10], 3),
                "recognition_rate": round(86 + 9 * u[11], 1),
            }
            row = {"year": year, "county_code": plan.code, "county_name": plan.name}
            for f in fields():
                if f["name"] in v:
                    row[f["name"]] = v[f["name"]]
                elif f.get("computed"):
                    row[f["name"]] = None  # computed from the school table
                elif f["type"] == "yes_no":
                    row[f["name"]] = "否" if f["area"] == "veto" else "是"
                else:
                    row[f["name"]] = None
                sched = story.get(f["name"])
                if sched is not None and year in sched:
                    row[f["name"]] = sched[year]
            for it in items():
                text = SHEET_NOTES.get(item_id(it))
                if text:
                    row[note_column(it)] = text.format(county=plan.name, year=year, n=int(10 + 40 * u[12]))
            fail_note = SHEET_FAIL_NOTES.get((plan.code, year))
            if fail_note:
                it = next(i for i in items() if item_id(i) == fail_note[0])
                row[note_column(it)] = fail_note[1]
            out.append(row)
    return out


def write_county_sheet(path, seed: int = DEFAULT_SEED, years=DEFAULT_YEARS) -> Path:
    """Write the filled demo county sheet (the county-sheet template with :func:`county_sheet_rows`).

    The file's bytes depend only on ``seed`` and ``years``.
    """
    import datetime as dt

    from openpyxl import load_workbook

    from balance.io.county_sheet import DESCRIPTION_ROWS, SHEET_NAME, sheet_columns, write_county_sheet_template
    from balance.io.export.xlsx import set_cell

    path = Path(path)
    rows = county_sheet_rows(seed, years)
    write_county_sheet_template(path, rows=[(r["year"], r["county_code"], r["county_name"]) for r in rows])
    wb = load_workbook(path)
    ws = wb[SHEET_NAME]
    col_of = {c["name"]: j for j, c in enumerate(sheet_columns(), start=1)}
    first = DESCRIPTION_ROWS + 2
    for i, r in enumerate(rows, start=first):
        for name, value in r.items():
            if name in ("year", "county_code", "county_name") or value is None or name not in col_of:
                continue
            set_cell(ws, i, col_of[name], value)
    fixed = dt.datetime(2026, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "balance demo"
    wb.properties.title = "县级填报表（示例，模拟数据）/ county sheet (demo, SYNTHETIC)"
    path.unlink()  # the template is written privately (0600); the demo file is an ordinary one
    wb.save(path)
    deterministic_xlsx(path)
    return path
