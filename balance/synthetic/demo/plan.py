"""The plan of the fictional prefecture 示例市: standards the generator aims at, the eight county plans.

Part of :mod:`balance.synthetic.demo` (the data are synthetic: 模拟数据，非真实学校).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from balance.synthetic import DEFAULT_YEARS

PREFECTURE = "示例市"
#: The quality-2017 standards the generator aims at (fixed here so the demo data never change when a
#: standard file is edited). Keys: the generator's indicator keys.
STD = {
    "qual": {"小学": 4.2, "初中": 5.3},
    "backbone": {"小学": 1.0, "初中": 1.0},
    "peart": {"小学": 0.9, "初中": 0.9},
    "teach": {"小学": 4.5, "初中": 5.8},
    "sports": {"小学": 7.5, "初中": 10.2},
    "equip": {"小学": 2000.0, "初中": 2500.0},
    "mm": {"小学": 2.3, "初中": 2.4},
}
#: Facility split weights (quality-2017 practice), used to size shared facilities of combined schools.
SPLIT = {
    "九年一贯制学校": {"小学": 1.0, "初中": 1.1},
    "十二年一贯制学校": {"小学": 1.0, "初中": 1.1, "高中": 1.32},
    "完全中学": {"初中": 1.0, "高中": 1.2},
}
STAGES_OF = {
    "小学": ("小学",), "教学点": ("小学",), "初级中学": ("初中",), "九年一贯制学校": ("小学", "初中"),
    "十二年一贯制学校": ("小学", "初中", "高中"), "完全中学": ("初中", "高中"), "特殊教育学校": ("小学", "初中"),
}
FACILITY_KEYS = ("teach", "sports", "equip", "mm")
TEACHER_KEYS = ("backbone", "peart")
CN_NUM = "一二三四五六七八九十"

#: Raw level (ratio to the standard) by 城乡类型, before the county's floor is applied.
RAW_BASE = {
    "城区": {"teach": 0.95, "sports": 0.80, "equip": 1.05, "mm": 0.95, "backbone": 1.45, "peart": 1.05},
    "镇区": {"teach": 1.10, "sports": 1.15, "equip": 0.90, "mm": 1.05, "backbone": 1.00, "peart": 0.95},
    "乡村": {"teach": 1.35, "sports": 1.45, "equip": 0.80, "mm": 1.25, "backbone": 0.75, "peart": 0.85},
}
#: Upper cap of the raw level by 城乡类型 (rural schools have room, but not without limit).
RAW_CAP = {"城区": 1.6, "镇区": 1.9, "乡村": 2.1}
SPREAD = {"teach": 0.18, "sports": 0.22, "equip": 0.22, "mm": 0.15, "backbone": 0.25, "peart": 0.22}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_PLACE_SUFFIX = ["家村", "庄", "坪", "岭", "湾", "家沟", "店", "家寨", "坝", "河村", "塘", "家岗"]


@dataclass
class CountyPlan:
    """One fictional county: size, layout and its standardisation floors.

    ``floor`` maps a year to the general floor (ratio to the standard) for every indicator;
    ``floor_override`` maps (indicator, 城乡类型 or "*") to a year -> floor schedule that replaces
    it; ``raw_mult`` scales the raw level of (indicator, 城乡类型 or "*").
    """

    code: str
    name: str
    n_schools: int
    urban_seat: str
    towns: list[str]
    xiang: list[str]
    kind: str = "county"                 # "county" or "district" (more urban schools)
    urban_primary: int = 5
    urban_junior: int = 2
    private: int = 3                      # 民办 schools besides the 十二年一贯制学校
    twelve_year: bool = False
    teaching_point_share: float = 0.22
    floor: dict[int, float] = field(default_factory=dict)
    floor_override: dict[tuple[str, str], dict[int, float]] = field(default_factory=dict)
    raw_mult: dict[tuple[str, str], float] = field(default_factory=dict)
    #: year -> probability that a small rural school (< 150 pupils in a stage) has neither a backbone
    #: nor a PE/art teacher (drawn once per school, so the same schools stay short until staffed)
    small_school_gap: dict[int, float] = field(default_factory=dict)
    closures: int = 0                     # rural teaching points merged away in the later years
    openings: int = 0                     # new urban primary schools opening mid-period
    # -- the optional columns of the four-area evaluation (政府保障程度 items 3–5) ------------------
    #: compulsory pupils per school are held at or below this (school-size item 4; 九年/十二年一贯制:
    #: + 500); None: schools grow freely (most county towns have 2000+ pupil primaries)
    size_cap: int | None = None
    #: year -> largest average class the county allows (both stages; 消除大班额 programme): class
    #: counts rise so that the average stays below it, and no class exceeds 45 / 50
    class_cap: dict[int, float] = field(default_factory=dict)
    #: year -> probability that a school short of music/art rooms (or with undersized rooms) is
    #: brought up to standard that year (专用教室 programme)
    room_fix: dict[int, float] = field(default_factory=dict)
    #: probability that an old school (built before 2000) has undersized music / art rooms
    small_room_share: float = 0.35
    #: undersized rooms of schools built before this year are never rebuilt (the county only adds rooms)
    keep_small_rooms_before: int = 0
    #: years in which the county did not report the room columns (blank cells)
    rooms_unreported: tuple[int, ...] = ()
    #: teaching points' 建成年份 is not known (blank cells)
    built_unknown_points: bool = False


def _sched(*values: float) -> dict[int, float]:
    return dict(zip(DEFAULT_YEARS, values))


COUNTIES: list[CountyPlan] = [
    # model county: passes from 2023 on
    CountyPlan("990101", "青山县", 68, "城关镇", ["石门镇", "白沙镇", "龙潭镇"], ["柳林乡", "桃源乡", "松岗乡"],
               urban_primary=6, urban_junior=2, private=3, twelve_year=True,
               floor=_sched(0.84, 0.95, 1.03, 1.04, 1.05),
               raw_mult={("sports", "乡村"): 0.85, ("teach", "乡村"): 0.9},
               size_cap=1950, class_cap=_sched(99, 46.5, 43.0, 43.0, 43.0),
               room_fix=_sched(0.4, 0.7, 1.0, 1.0, 1.0)),
    # passes for the first time in 2025
    CountyPlan("990102", "清河县", 58, "城关镇", ["河口镇", "新桥镇"], ["杨柳乡", "荷塘乡", "古城乡"],
               urban_primary=5, urban_junior=2, private=2,
               floor=_sched(0.72, 0.80, 0.88, 0.95, 1.03),
               raw_mult={("sports", "乡村"): 0.85},
               size_cap=1950, class_cap=_sched(99, 99, 46.0, 43.0, 43.0),
               room_fix=_sched(0.3, 0.5, 0.8, 1.0, 1.0), small_room_share=0.4, keep_small_rooms_before=1982),
    # urban district: crowded central schools miss the area standards; new schools open from 2023
    CountyPlan("990103", "东湖区", 90, "湖滨街道", ["东城街道", "西城街道", "望湖镇"], ["莲塘乡", "北岸乡"],
               kind="district", urban_primary=30, urban_junior=12, private=7, twelve_year=True,
               teaching_point_share=0.08, openings=2,
               floor=_sched(0.75, 0.82, 0.90, 0.96, 1.02),
               floor_override={("teach", "城区"): _sched(0.75, 0.82, 0.88, 0.94, 1.00),
                               ("sports", "城区"): _sched(0.60, 0.66, 0.72, 0.78, 0.82)},
               raw_mult={("teach", "城区"): 1.0, ("sports", "城区"): 1.05},
               room_fix=_sched(0.1, 0.15, 0.2, 0.25, 0.3)),
    # mountainous county with many small rural schools: several rural sections miss the school rule
    CountyPlan("990104", "西岭县", 112, "城关镇", ["云雾镇", "高坪镇", "双河镇"],
               ["石岭乡", "青龙乡", "马鞍乡", "黄土乡", "雪峰乡"],
               urban_primary=6, urban_junior=2, private=2, teaching_point_share=0.30, closures=3,
               floor=_sched(0.74, 0.82, 0.90, 0.97, 1.03),
               small_school_gap=_sched(0.95, 0.85, 0.70, 0.55, 0.40),
               room_fix=_sched(0.1, 0.15, 0.2, 0.25, 0.3), small_room_share=0.5, built_unknown_points=True),
    # every school meets the rule, but junior sports area is very unequal (CV > 0.45)
    CountyPlan("990105", "南川县", 76, "城关镇", ["南江镇", "红岩镇", "长滩镇"], ["石桥乡", "凤凰乡", "梨树乡"],
               urban_primary=6, urban_junior=4, private=3, twelve_year=True,
               floor=_sched(0.76, 0.85, 0.93, 1.00, 1.03),
               floor_override={("sports", "城区", "初中"): _sched(0.70, 0.76, 0.82, 0.87, 0.88)},
               raw_mult={("sports", "城区", "初中"): 0.7, ("sports", "镇区", "初中"): 1.5,
                         ("sports", "乡村", "初中"): 1.8},
               room_fix=_sched(0.3, 0.4, 0.5, 0.6, 0.7)),
    # small county short of county-level backbone teachers
    CountyPlan("990106", "北塘县", 42, "城关镇", ["北塘镇", "草场镇"], ["沙河乡", "前进乡"],
               urban_primary=4, urban_junior=2, private=1,
               floor=_sched(0.76, 0.85, 0.93, 1.00, 1.03),
               floor_override={("backbone", "*"): _sched(0.40, 0.50, 0.58, 0.66, 0.76)},
               raw_mult={("backbone", "*"): 0.55},
               room_fix=_sched(0.3, 0.4, 0.5, 0.6, 0.7)),
    # passes from 2024 on
    CountyPlan("990107", "云台县", 64, "城关镇", ["云台镇", "清水镇", "金鸡镇"], ["茶山乡", "花园乡"],
               urban_primary=5, urban_junior=2, private=3,
               floor=_sched(0.80, 0.88, 0.96, 1.03, 1.04),
               raw_mult={("sports", "乡村"): 0.85},
               room_fix=_sched(0.4, 0.6, 0.9, 1.0, 1.0)),
    # short of PE and art teachers outside the county town
    CountyPlan("990108", "石桥县", 70, "城关镇", ["大石镇", "永安镇", "平安镇"], ["枫林乡", "竹园乡", "东岗乡"],
               urban_primary=6, urban_junior=2, private=2, twelve_year=True,
               floor=_sched(0.74, 0.83, 0.92, 0.99, 1.03),
               floor_override={("peart", "乡村"): _sched(0.35, 0.45, 0.55, 0.62, 0.70),
                               ("peart", "镇区"): _sched(0.50, 0.58, 0.66, 0.74, 0.80)},
               raw_mult={("peart", "乡村"): 0.6, ("peart", "镇区"): 0.75},
               room_fix=_sched(0.2, 0.25, 0.3, 0.4, 0.5), rooms_unreported=(2021, 2022)),
]


@dataclass
class _School:
    code: str
    name: str
    type: str
    ownership: str
    ur: str
    township: str
    pupils0: dict[str, float]           # enrolment per stage in the base year
    drift: dict[str, float]             # yearly growth factor per stage
    effect: dict[str, float]            # persistent school effect per indicator (log scale)
    indoor: float                       # indoor sports hall (m²), 0 = none
    indoor_year: int                    # year the hall is built
    open_year: int = 0
    close_year: int = 9999
    state: dict = field(default_factory=dict)
