"""Synthetic demo data: a fictional prefecture 示例市 with 8 counties, one row per school per year.

**The data are synthetic (模拟数据，非真实学校).** Codes use the fictional province prefix ``99``
(county codes 990101–990108, school codes ``99xxxxxxxx``); every name is invented.

:func:`generate_demo_table` returns the school table with exactly the Chinese headers of
``balance/data/columns.yaml`` (in that order, including the optional 乡镇 column);
:func:`write_demo` writes ``schools.csv`` (UTF-8 with BOM), ``schools.xlsx`` (codes as text cells),
``county_sheet.xlsx`` (the filled county sheet of the four-area evaluation) and a ``README.md``. The
same seed gives identical bytes.

How the numbers are made (so that the briefings have something to say):

* Each school has a type, 办学性质, 城乡类型 and 乡镇, a starting enrolment per stage and a drift
  (urban schools grow and are crowded, rural schools shrink; junior enrolment rises).
* Teachers follow pupil–teacher ratios typical of each area (rural schools are staffed by classes, so
  they have more teachers per pupil); shares of qualified / titled teachers rise year by year.
* Per-pupil resources start from a *raw* level (ratio to the quality-2017 standard) that depends on
  城乡类型 (urban schools: little area per pupil but more backbone teachers and equipment; rural
  schools: more area per pupil, fewer backbone and PE/art teachers) and on a persistent school effect.
* Every county runs a "standardisation" programme: a yearly *floor* (a ratio to the standard) up to
  which weak schools are brought. Buildings, grounds, equipment and rooms never shrink, so per-pupil
  values also move with enrolment. Each county has its own floors, which gives the designed story in
  2025 under quality-2017: 青山县, 云台县 and 清河县 pass resource allocation; 南川县's junior
  生均体育运动场馆面积 CV exceeds 0.45; several rural sections of 西岭县 miss the school rule;
  北塘县 falls short on 骨干教师 and 石桥县 on 体育、艺术专任教师; 东湖区's crowded urban schools miss
  the area standards. Failing items fall over the years in most counties.
* The optional columns of the four-area evaluation come from a random stream of their own (so adding
  them changed no other value; only the size and class caps below change pupils and classes of
  青山县 and 清河县): the largest class per stage is at least the average class
  (pupils ÷ classes) plus a spread, the classes above 45 / 50 follow from it; music and art rooms are
  sized to ⌈classes ÷ 12⌉ when a school is built or brought up to standard, old schools (built before
  2000) often have converted classrooms under 96 / 90 ㎡, and each county's room programme
  (``room_fix``) fixes a share of the short schools every year. 青山县 and 清河县 hold enrolment below
  2000 (``size_cap``) and bring every class under 45 / 50 (``class_cap``); elsewhere county-town
  schools are large and crowded. :data:`SHEET_STORY` sets the county sheet's failing answers. Under
  ``balance evaluate`` with quality-2017, 青山县 is recognised in 2024 and 2025; 清河县 misses only
  item 3 in 2025 (its oldest schools' small rooms); 云台县 misses items 4 and 5.

The package is split by concept (old import paths ``balance.synthetic.demo.X`` and ``balance.demo.X``
keep working through the names re-exported here): :mod:`~balance.synthetic.demo.plan` (standards and
county plans), :mod:`~balance.synthetic.demo.layout` (the schools of a county),
:mod:`~balance.synthetic.demo.table` (yearly values, :func:`generate_demo_table`),
:mod:`~balance.synthetic.demo.sheet` (the county sheet), :mod:`~balance.synthetic.demo.files`
(writing the files) and :mod:`~balance.synthetic.demo.checks` (``demo-data`` option checks).
"""
from __future__ import annotations

from balance.io.files import deterministic_xlsx
from balance.synthetic import DEFAULT_SEED, DEFAULT_YEARS
from balance.synthetic.demo.checks import (
                                           DEMO_FILES,
                                           MAX_COUNTIES,
                                           MAX_YEAR_COUNT,
                                           check_demo_args,
                                           refuse_foreign_files,
)
from balance.synthetic.demo.files import README_TEXT, write_demo, write_table_xlsx
from balance.synthetic.demo.plan import (
                                           CN_NUM,
                                           COUNTIES,
                                           FACILITY_KEYS,
                                           PREFECTURE,
                                           RAW_BASE,
                                           RAW_CAP,
                                           SPLIT,
                                           SPREAD,
                                           STAGES_OF,
                                           STD,
                                           TEACHER_KEYS,
                                           CountyPlan,
)
from balance.synthetic.demo.sheet import (
                                           SHEET_FAIL_NOTES,
                                           SHEET_NOTES,
                                           SHEET_STORY,
                                           county_sheet_rows,
                                           write_county_sheet,
)
from balance.synthetic.demo.table import CLASS_LIMIT, OPTIONAL_NAMES, ROOM_AREA, generate_demo_table

__all__ = [
    "CLASS_LIMIT", "CN_NUM", "COUNTIES", "DEFAULT_SEED", "DEFAULT_YEARS", "DEMO_FILES", "FACILITY_KEYS",
    "MAX_COUNTIES", "MAX_YEAR_COUNT", "OPTIONAL_NAMES", "PREFECTURE", "RAW_BASE", "RAW_CAP", "README_TEXT",
    "ROOM_AREA", "SHEET_FAIL_NOTES", "SHEET_NOTES", "SHEET_STORY", "SPLIT", "SPREAD", "STAGES_OF", "STD",
    "TEACHER_KEYS", "CountyPlan", "check_demo_args", "county_sheet_rows", "deterministic_xlsx",
    "generate_demo_table", "refuse_foreign_files", "write_county_sheet", "write_demo", "write_table_xlsx",
]
