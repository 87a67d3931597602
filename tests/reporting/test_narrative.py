"""Headline sentences carry exactly the numbers of the result tables."""
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from balance.reporting.narrative import fmt_amount, headline
from tests.factories import primary, table

Q = load_standard("quality-2017")


def test_fmt_amount():
    assert fmt_amount(3450.75, "㎡") == "3,450.8 ㎡"
    assert fmt_amount(12, "人") == "12 人"
    assert fmt_amount(1_250_000, "元") == "125.0 万元"


def test_headline_numbers_and_change():
    y24 = [primary("1", 300, year=2024, rooms=1), primary("2", 200, year=2024, rooms=1), primary("3", 250, year=2024)]
    y25 = [primary("1", 300, year=2025), primary("2", 200, year=2025, rooms=1, teaching_area=800.0),
           primary("3", 250, year=2025)]
    a = assess_schools(table(*y24, *y25), Q)
    lines = headline(a, "990101", 2025)
    assert lines[0] == "测试县 2025 年义务教育学校资源配置未达到优质均衡（2017）标准。"
    assert "3 个学段单位中，2 个达到" in lines[1] and "小学 2/3" in lines[1]
    # school 2: 200 pupils, 1 room → needs ceil(2.3·200/100 − 1) = ceil(3.6) = 4 rooms; area 4.5·200 − 800 = 100 ㎡
    text = "".join(lines)
    assert "合计需增加 4 间" in text and "合计需增加 100 ㎡" in text
    # 2024: 2 of 3 sections failed (rooms 1/300 and 1/200 are below 85 %) → 33 %; 2025: 67 %
    assert lines[-1].startswith("与 2024 年相比：学段单位达标率由 33% 提高至 67%")
