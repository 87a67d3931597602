"""Synthetic school statistics workbooks in the documented layout (both form generations).

``build_workbook(row, generation, path, **quirks)`` writes one school's workbook from one canonical
row of the school table (``tests.tables.school_row``): a cover sheet 封面 and one sheet per table,
each a picture of the paper form — column letters in row 1, the title and the 单位 line, a header
block with merged cells, the 甲 | 乙 | 1 | 2 … row, then data rows with row numbers (column A), item
labels (甲) and row codes (乙). The values are split the way the forms report them (degrees,
subjects, titles, grades), so that the importer must add the right cells to get the row back:

* 高于规定学历: primary = 研究生 + 本科 + 专科 (new: 博士 + 硕士 + 本科 + 专科); junior = 研究生 + 本科;
* 体育艺术: 体育 + 音乐 + 美术, with an 艺术 column that is their subtotal (``art=``);
* 中级及以上职称: 正高级 + 副高级 + 中级;
* facilities once per school (a combined school's whole campus), equipment in 万元.

Quirks (keyword arguments) reproduce what real exports do; see :func:`build_workbook`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from balance.io.workbook import col_letters
from balance.schema import SCHOOL_TYPE_STAGES

TYPE_CODES = {"小学": "211", "教学点": "218", "初级中学": "311", "九年一贯制学校": "312", "完全中学": "341",
              "十二年一贯制学校": "345", "特殊教育学校": "514"}
URBAN_CODES = {"城区": "111", "镇区": "121", "乡村": "220"}
OWNER = {"公办": "教育部门", "民办": "民办"}


@dataclass
class Form:
    """One sheet: ``columns`` = header path per data column; ``rows`` = (label, code, values)."""

    name: str
    title: str
    unit: str
    columns: list[list[str]]
    rows: list[tuple[str, str, list]]
    merges: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)


def render(form: Form, *, numeric_codes=False, lead_columns=0, extra_header_row=False) -> Form:
    """Lay ``form`` out on a grid: fills ``form.cells`` {(r, c): value} and ``form.merges``
    [(r0, c0, r1, c1)] (0-based). ``lead_columns`` blank columns are inserted before the table and
    ``extra_header_row`` adds a note row above the header (positions move between years)."""
    cells, merges = {}, []
    depth = max(len(p) for p in form.columns)
    c_label = 1 + lead_columns
    c_code = c_label + 1
    c0 = c_code + 1
    ncols = c0 + len(form.columns)
    for c in range(ncols):
        cells[(0, c)] = col_letters(c + 1)
    cells[(1, c_label)] = f"{form.name}  {form.title}"
    merges.append((1, c_label, 1, ncols - 1))
    cells[(2, ncols - 1)] = f"单位：{form.unit}"
    top = 3
    if extra_header_row:
        cells[(3, c_label)] = "（本表按学校填报）"
        top = 4
    # header block
    cells[(top, c_label)] = "指标名称"
    cells[(top, c_code)] = "代码"
    if depth > 1:
        merges.append((top, c_label, top + depth - 1, c_label))
        merges.append((top, c_code, top + depth - 1, c_code))
    for level in range(depth):
        j = 0
        while j < len(form.columns):
            path = form.columns[j]
            if level >= len(path):
                j += 1
                continue
            k = j
            while (k + 1 < len(form.columns) and len(form.columns[k + 1]) > level
                   and form.columns[k + 1][:level + 1] == path[:level + 1]):
                k += 1
            r = top + level
            cells[(r, c0 + j)] = path[level]
            bottom = top + depth - 1 if (level == len(path) - 1) else r
            if k > j or bottom > r:
                merges.append((r, c0 + j, bottom, c0 + k))
            j = k + 1
    nr = top + depth
    cells[(nr, c_label)] = "甲"
    cells[(nr, c_code)] = "乙"
    for j in range(len(form.columns)):
        cells[(nr, c0 + j)] = j + 1
    for i, (label, code, values) in enumerate(form.rows, start=1):
        r = nr + i
        cells[(r, 0)] = i
        cells[(r, c_label)] = label
        cells[(r, c_code)] = int(code) if numeric_codes and str(code).isdigit() else code
        for j, v in enumerate(values):
            if v is not None:
                cells[(r, c0 + j)] = v
    form.cells, form.merges = cells, merges
    return form


def save(forms: list[Form], path: Path, fmt: str = "xlsx") -> Path:
    """Write the rendered forms as .xlsx (openpyxl) or .xls (xlwt), merges included."""
    if fmt == "xls":
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        for f in forms:
            ws = wb.add_sheet(f.name)
            inside = set()
            for r0, c0, r1, c1 in f.merges:
                ws.write_merge(r0, r1, c0, c1, f.cells.get((r0, c0), ""))
                inside.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
            for (r, c), v in f.cells.items():
                if (r, c) not in inside:
                    ws.write(r, c, v)
        wb.save(str(path))
        return path
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for f in forms:
        ws = wb.create_sheet(f.name)
        for (r, c), v in f.cells.items():
            cell = ws.cell(row=r + 1, column=c + 1, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # text as the statistics system writes it, never a formula
        for r0, c0, r1, c1 in f.merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    wb.save(path)
    return path


def cover(row: dict, generation: str, *, year=None, type_code=None, with_type=True, name="封面") -> Form:
    """The cover sheet: a title with the year and label | value pairs (codes as text)."""
    y = row["year"] if year is None else year
    pairs = [("学校（机构）标识码", row["school_code"]), ("学校（机构）名称", row["school_name"]),
             ("行政区划代码", row["county_code"] + "101000"), ("县（市、区）", row["county_name"])]
    if with_type:
        t = type_code or TYPE_CODES[row["school_type"]]
        pairs.append(("办学类型", f"{t}"))
    pairs += [("举办者", OWNER[row["ownership"]]), ("城乡分类代码", URBAN_CODES[row["urban_rural"]]),
              ("所在乡镇", row.get("township") or "")]
    f = Form(name, "", "", [["值"]], [])
    cells = {(0, 1): f"{y}年教育事业统计基层报表", (1, 1): "（学校（机构）基层表）"}
    for i, (k, v) in enumerate(pairs, start=3):
        cells[(i, 1)] = k
        cells[(i, 2)] = v
    f.cells, f.merges = cells, [(0, 1, 0, 4)]
    return f


def _spread(total: int, parts: int) -> list[int]:
    base, rest = divmod(int(total), parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _stage_teachers(row: dict, stage: str) -> dict:
    p = "primary" if stage == "小学" else "junior"
    return dict(total=int(row[f"{p}_teachers"]), qualified=int(row[f"{p}_qualified_teachers"]),
                pe_art=int(row[f"{p}_pe_art_teachers"]), titled=int(row[f"{p}_titled_teachers"]),
                backbone=int(row[f"{p}_backbone_teachers"]))


def _degrees(t: dict, stage: str, new: bool) -> list[tuple[str, int]]:
    """Degree rows (label, teachers) of a stage: the qualified ones split over the degrees that count."""
    q, rest = t["qualified"], t["total"] - t["qualified"]
    if stage == "小学":
        grad, bach, coll = q // 4, q // 2, q - q // 4 - q // 2
        below = [("高中阶段", rest - rest // 3), ("高中阶段以下", rest // 3)]
    else:
        grad, bach = q // 5, q - q // 5
        coll = rest - rest // 4
        below = [("高中阶段", rest // 4), ("高中阶段以下", 0)]
        coll_row = [("专科", coll)]
    rows = [("博士研究生", 0), ("硕士研究生", grad)] if new else [("研究生", grad)]
    rows.append(("本科", bach))
    rows += [("专科", coll)] if stage == "小学" else coll_row
    return rows + below


def _subjects(t: dict, new: bool, art: str) -> tuple[list[list[str]], list]:
    """Subject columns and the stage-total row's values: 体育 + 音乐 + 美术 = pe_art."""
    pe, mu, fa = _spread(t["pe_art"], 3)
    others = t["total"] - t["pe_art"]
    ch, ma, en, sc = _spread(others, 4)
    pe_name = "体育与健康" if new else "体育"
    moral = "道德与法治" if new else "品德与生活（社会）"
    cols = [["合计"], [moral], ["语文"], ["数学"], ["外语"], ["科学"], [pe_name]]
    vals = [t["total"], 0, ch, ma, en, sc, pe]
    if art == "flat":  # 艺术 as a column of its own that is the subtotal 音乐 + 美术
        cols += [["艺术"], ["音乐"], ["美术"]]
        vals += [mu + fa, mu, fa]
    elif art == "merged":  # 艺术 over 计 | #音乐 | #美术 (merged header cells)
        cols += [["艺术", "计"], ["艺术", "#音乐"], ["艺术", "#美术"]]
        vals += [mu + fa, mu, fa]
    elif art == "wrong_subtotal":  # an 艺术 column that is not 音乐 + 美术 (reported, not counted)
        cols += [["艺术"], ["音乐"], ["美术"]]
        vals += [mu + fa + 2, mu, fa]
    else:
        cols += [["音乐"], ["美术"]]
        vals += [mu, fa]
    cols += [["劳动" if new else "综合实践活动"], ["其他"]]
    vals += [0, 0]
    return cols, vals


def _teacher_block(t: dict, stage: str, new: bool, art: str, star: bool, code0: int) -> tuple[list, list]:
    cols, vals = _subjects(t, new, art)
    rows = [(stage, f"{code0:02d}", vals)]
    for k, (label, n) in enumerate(_degrees(t, stage, new), start=1):
        v = [n, 0, n] + [0] * (len(cols) - 3)
        if star and n == 0:
            v = ["*"] + ["*"] * (len(cols) - 1)
        rows.append((("其中：" if k == 1 else "") + label, f"{code0 + k:02d}", v))
    return cols, rows


def build_forms(row: dict, generation: str, *, art="flat", star=True, yuan=False, unit_in_sheet=False, no_unit=False,
                suffix=False, cover_type=True, cover_year=None, type_code=None, indoor_label=None,
                drop_tables=(), blank=None, numeric_codes=False, shifted=False, identity_sheet=False) -> list[Form]:
    """The sheets of one school's workbook (see :func:`build_workbook` for the quirks)."""
    new = generation == "2021"
    stages = SCHOOL_TYPE_STAGES[row["school_type"]]
    suffix_text = f"_{row['school_type']}" if suffix else ""
    forms: list[Form] = []

    def add(code: str, title: str, unit: str, columns, rows):
        if code in drop_tables:
            return
        forms.append(Form(code + suffix_text, title, unit, columns, rows))

    forms.append(cover(row, generation, year=cover_year, type_code=type_code, with_type=cover_type,
                       name="封面" if not identity_sheet else ("教基1001" if new else "基础基111") + suffix_text))
    if not identity_sheet:
        add("教基1001" if new else "基础基111", "学校（机构）基本情况", "—", [["内容"]], [("学校（机构）名称", "01", [row["school_name"]])])
    # backbone teachers (112 / 1102续) with yes/no rows around them
    bb = [("体育运动场（馆）是否达标", "21", ["是"]), ("音乐器材是否达标", "22", ["否"])]
    for k, st in enumerate(("小学", "初中", "高中"), start=31):
        n = _stage_teachers(row, st)["backbone"] if st in stages and st != "高中" else ("*" if star else 0)
        bb.append((f"县级及以上骨干教师（{st}）", str(k), [n]))
    add("教基1102续" if new else "基础基112", "学校（机构）基本情况续表", "人", [["人数"]], bb)
    # pupils
    grades = {"小学": ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"], "初中": ["一年级", "二年级", "三年级"],
              "高中": ["一年级", "二年级", "三年级"]}
    codes = {"小学": ("教基3112", "基础基312"), "初中": ("教基3115", "基础基313"), "高中": ("教基3118", "基础基314")}
    key = {"小学": "primary_students", "初中": "junior_students", "高中": "senior_students"}
    for st in stages:
        n = int(row[key[st]])
        g = grades[st]
        split = _spread(n, len(g))
        code = codes[st][0 if new else 1]
        if new:  # rows 总计, #女 …; columns 毕业生数, 招生数, 在校生数 (合计 + one per grade)
            cols = [["毕业生数"], ["招生数"], ["在校生数", "合计"]] + [["在校生数", x] for x in g]
            rows = [("总计", "01", [split[-1], split[0], n] + split),
                    ("#女", "02", [split[-1] // 2, split[0] // 2, n // 2] + [x // 2 for x in split]),
                    ("#少数民族", "03", [0, 0, 0] + [0] * len(g)), ("#寄宿生", "04", [0, 0, 0] + [0] * len(g))]
        else:  # rows 合计 + grades; columns 毕业生数, 招生数, 在校生数, #女
            cols = [["毕业生数"], ["招生数"], ["在校生数"], ["#女"]]
            rows = [("合计", "01", [split[-1], split[0], n, n // 2])] + [
                (x, f"{i:02d}", [split[-1] if i == len(g) + 1 else 0, split[0] if i == 2 else 0, split[i - 2], split[i - 2] // 2])
                for i, x in enumerate(g, start=2)]
        add(code, "学生数", "人", cols, rows)
    # classes
    size_cols = [["班额", x] for x in ("25人及以下", "26-35人", "36-45人", "46-55人", "56人及以上")]
    if "小学" in stages:
        n = int(row["primary_classes"])
        add("教基2106" if new else "基础基212", "小学教学班数、班额情况", "个", [["班数"]] + size_cols,
            [("合计", "01", [n, 0, 0, n, 0, 0])] + [(x, f"{i:02d}", [0] * 6) for i, x in enumerate(grades["小学"], start=2)])
    if "初中" in stages or "高中" in stages:
        nj = int(row["junior_classes"]) if "初中" in stages else "*"
        add("教基2107" if new else "基础基213", "中学教学班数、班额情况", "个", [["班数"]] + size_cols,
            [("初中", "01", [nj, 0, 0, nj, 0, 0]), ("一年级", "02", [0] * 6), ("高中", "05", [0, 0, 0, 0, 0, 0])])
    # teachers by subject and degree
    if "小学" in stages:
        t = _stage_teachers(row, "小学")
        cols, rows = _teacher_block(t, "小学", new, art, star, 1)
        if new:
            if "初中" in stages:  # a nine-year school's 4155 reports both stages
                _, jrows = _teacher_block(_stage_teachers(row, "初中"), "初中", new, art, star, 21)
                rows = rows + jrows
            add("教基4155", "义务教育阶段专任教师分课程、分学历", "人", cols, rows)
        else:
            rows = [("合计", "01", rows[0][2])] + rows[1:]
            add("基础基423", "小学专任教师分课程、分学历", "人", cols, rows)
    if "初中" in stages:
        t = _stage_teachers(row, "初中")
        cols, rows = _teacher_block(t, "初中", new, art, star, 1)
        senior = [("高中", "21", [0] * len(cols))]
        add("教基4156" if new else "基础基424", "中学专任教师分课程、分学历", "人", cols, rows + senior)
    # titles
    title_names = ["正高级", "副高级", "中级", "助理级", "员级", "未定职级"]
    tstages = [s for s in stages if s != "高中"]
    if new:  # 4153: blocks of rows per stage (stage total, then one row per title); columns by age
        age_cols = [["合计"], ["24岁及以下"], ["25-29岁"], ["30-34岁"], ["35岁及以上"]]
        rows, code = [], 1
        for st in tstages:
            t = _stage_teachers(row, st)
            hi = t["titled"]
            split = [hi // 6, hi // 3, hi - hi // 6 - hi // 3, t["total"] - hi, 0, 0]
            rows.append((st, f"{code:02d}", [t["total"], 0, 0, 0, t["total"]]))
            for k, (nm, n) in enumerate(zip(title_names, split), start=1):
                rows.append((nm, f"{code + k:02d}", [n, 0, 0, 0, n]))
            code += 10
        add("教基4153", "专任教师分年龄", "人", age_cols, rows)
    else:  # 422: rows per stage, columns per title
        cols = [["合计"]] + [[x] for x in title_names]
        rows = []
        for k, st in enumerate(("小学", "初中", "高中"), start=1):
            if st in tstages:
                t = _stage_teachers(row, st)
                hi = t["titled"]
                rows.append((st, f"{k:02d}", [t["total"], hi // 6, hi // 3, hi - hi // 6 - hi // 3, t["total"] - hi, 0, 0]))
            else:
                rows.append((st, f"{k:02d}", ["*"] * 7 if star else [0] * 7))
        add("基础基422", "专任教师分专业技术职务", "人", cols, rows)
    # buildings: school-owned (计 …) and not school-owned floor area; the teaching area includes indoor sports
    ta, ind = float(row["teaching_area"]), float(row["indoor_sports_area"])
    cols = [["学校产权校舍建筑面积", "计"], ["学校产权校舍建筑面积", "其中：危房面积"], ["学校产权校舍建筑面积", "当年新增校舍"],
            ["非学校产权校舍建筑面积", "计"], ["非学校产权校舍建筑面积", "独立使用"]]
    indoor = indoor_label or ("室内体育用房" if new else "体育馆")
    other = ta - ind
    rows = [("总计", "01", [ta + 1500.0, 0, 0, 300.0, 300.0]),
            ("一、教学及辅助用房", "02", [ta, 0, 0, 120.0, 120.0]),
            ("其中：教室", "03", [other / 2, 0, 0, 120.0, 120.0]),
            ("实验室", "04", [other / 4, 0, 0, 0, 0]),
            ("图书室", "05", [other / 4, 0, 0, 0, 0]),
            (indoor, "08", [ind if ind or not star else "*", 0, 0, 0, 0]),
            ("二、行政办公用房", "10", [500.0, 0, 0, 0, 0]),
            ("三、生活用房", "11", [1000.0, 0, 0, 180.0, 180.0])]
    add("教基5170" if new else "基础基512", "校舍情况", "平方米", cols, rows)
    # land and other conditions
    money_unit = "元" if yuan else "万元"
    eq = float(row["equipment_value"]) if yuan else float(row["equipment_value"]) / 10000
    ground, computers, books, mm = float(row["sports_ground_area"]), int(row["computers"]), int(row["books"]), int(row["multimedia_rooms"])
    if new:  # rows with their unit in the label; column 1 = this year, 2 = the year before
        eq_label = "其中：教学仪器设备资产值" + ("" if unit_in_sheet or no_unit else f"（{money_unit}）")
        rows = [("占地面积（平方米）", "01", [ground * 3, ground * 3]), ("其中：绿化用地面积", "02", [ground / 2, 0]),
                ("运动场地面积", "03", [ground, ground + 1]), ("图书（册）", "04", [books, books + 7]),
                ("计算机（台）", "05", [computers + 20, computers]), ("其中：教学用计算机", "06", [computers, computers + 3]),
                ("教室（间）", "07", [mm + 5, mm]), ("其中：网络多媒体教室", "08", [mm, mm + 1]),
                ("固定资产总值（万元）", "09", [eq * 3 if not yuan else eq * 3 / 10000, 0]), (eq_label, "10", [eq, eq + 1])]
        unit = f"见各行；{money_unit}" if unit_in_sheet else "见各行"
        add("教基5176", "占地面积及其他办学条件", unit, [["本学年"], ["上学年"]], rows)
    else:  # one data row, grouped columns with the unit in the group header
        eq_group = "固定资产总值" + ("" if unit_in_sheet or no_unit else f"（{money_unit}）")
        cols = [["占地面积（平方米）", "计"], ["占地面积（平方米）", "其中：绿化用地面积"], ["占地面积（平方米）", "运动场地面积"],
                ["图书（册）"], ["计算机数（台）", "计"], ["计算机数（台）", "其中：教学用计算机"], ["教室（间）", "计"],
                ["教室（间）", "其中：网络多媒体教室"], [eq_group, "计"], [eq_group, "其中：教学仪器设备资产值"]]
        rows = [("合计", "01", [ground * 3, ground / 2, ground, books, computers + 20, computers, mm + 5, mm, eq * 3, eq])]
        unit = f"平方米、册、台、间、{money_unit}" if unit_in_sheet else "见各栏"
        add("基础基522", "中小学占地面积及其他办学条件", unit, cols, rows)
    for f in forms:
        if f.name.startswith(("封面",)) or (identity_sheet and f.name.startswith(("教基1001", "基础基111"))):
            continue
        render(f, numeric_codes=numeric_codes, lead_columns=1 if shifted else 0, extra_header_row=shifted)
    if blank is not None:  # leave one value cell empty: (table code, row label, column number)
        code, label, number = blank
        for f in forms:
            if f.name.startswith(code):
                nr = _number_row(f)
                col = next(c for (r, c), v in f.cells.items() if r == nr and v == number)
                row_ = next(r for (r, c), v in f.cells.items() if r > nr and v == label)
                f.cells.pop((row_, col), None)
    return forms


def _number_row(f: Form) -> int:
    return next(r for (r, c), v in f.cells.items() if v == "甲")


def build_workbook(row: dict, generation: str, path: Path, *, fmt: str = "xlsx", **quirks) -> Path:
    """Write one school's workbook for ``row`` (a canonical row dict) in ``generation``'s layout.

    Quirks: ``art`` = ``"flat"`` (艺术 column = 音乐 + 美术, default) | ``"merged"`` (艺术 over 计/音乐/美术)
    | ``"none"`` | ``"wrong_subtotal"``; ``star`` (``*`` for not applicable, default True); ``yuan``
    (equipment in 元, not 万元); ``unit_in_sheet`` (the unit only in the sheet's 单位 line); ``no_unit``
    (no unit stated for the equipment value);
    ``suffix`` (sheet names 教基5170_小学); ``cover_type`` (False: no 办学类型 on the cover);
    ``cover_year``, ``type_code`` (another year / type on the cover); ``indoor_label``; ``drop_tables``;
    ``blank`` = (table, row label, column index) left empty; ``numeric_codes`` (row codes stored as
    numbers); ``shifted`` (an extra column and header row: every cell moves); ``identity_sheet``
    (identity on 教基1001 / 基础基111 instead of a cover); ``fmt`` = ``"xls"`` writes with xlwt.
    """
    return save(build_forms(row, generation, **quirks), path, fmt=fmt)
