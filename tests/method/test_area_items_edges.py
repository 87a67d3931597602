"""Edges of the area items' missing-column note (``balance.method.area_items._missing_column_note``)
that a mutation run (mutmut, issue 10, round 3) showed no test was watching."""
import pandas as pd

from balance.method import area_items


def _headers():
    return {c["name"]: c["header"] for c in area_items.optional_school_columns()}


def test_an_item_without_optional_columns_has_no_missing_column_note():
    """Item 4 is computed from school rows but needs no optional column: the note is empty
    (kills ``.get(item_no, [])`` → ``None`` / no default, which fail on item 4)."""
    assert area_items._missing_column_note(4, pd.DataFrame()) == ""


def test_the_note_lists_every_absent_column_by_its_header_joined_by_the_chinese_comma():
    """Item 3 without music/art room columns: all four headers, in order, joined by "、"
    (kills the separator ``'、'`` → ``'XX、XX'``); a present column is not listed."""
    h = _headers()
    need = ["music_rooms", "art_rooms", "music_room_min_area", "art_room_min_area"]
    assert area_items._missing_column_note(3, pd.DataFrame()) == "学校数据缺少列：" + "、".join(h[n] for n in need)
    extras = pd.DataFrame(columns=["music_rooms", "art_rooms"])
    assert area_items._missing_column_note(3, extras) == "学校数据缺少列：" + "、".join(h[n] for n in need[2:])
