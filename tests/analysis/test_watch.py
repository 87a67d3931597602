"""The small-school watch list on a hand-made panel: who is on it is known by construction."""
import pandas as pd

from balance.analysis.watch import small_school_watch


def _panel(series: dict[str, tuple[str, list[int]]]) -> pd.DataFrame:
    rows = []
    for code, (kind, pupils) in series.items():
        for k, p in enumerate(pupils):
            rows.append({"year": 2021 + k, "county_code": "990101", "county_name": "青山县", "school_code": code,
                         "school_name": f"学校{code}", "school_type": kind, "urban_rural": "乡村", "township": "松岗乡",
                         "primary_students": p, "junior_students": 0})
    return pd.DataFrame(rows)


def test_who_is_watched():
    t = _panel({
        "A": ("小学", [95, 90, 80, 70]),        # small and falling three years: watched
        "B": ("小学", [95, 90, 90, 70]),        # one flat year: not watched
        "C": ("教学点", [300, 250, 200, 150]),  # a teaching point is watched whatever its size
        "D": ("小学", [900, 800, 700, 600]),    # falling but large: not watched
        "E": ("小学", [90, 80, 70]),            # only three years of rows (closed in 2024? new?): not watched
        "F": ("小学", [60, 70, 50, 40]),        # rose once inside the window: not watched
    })
    t.loc[t["school_code"] == "E", "year"] += 1  # E has rows for 2022–2024 only
    w = small_school_watch(t, year=2024)
    assert sorted(w["school_code"]) == ["A", "C"]
    a = w.set_index("school_code").loc["A"]
    assert (a["pupils"], a["pupils_first"], a["change"]) == (70, 95, -25)
    assert abs(a["change_share"] - (-25 / 95)) < 1e-12
    assert a["series"] == "2021:95 → 2022:90 → 2023:80 → 2024:70"
    # two years: E (80 → 70 → ... over 2022–2024) and F (70 → 50 → 40) join
    assert sorted(small_school_watch(t, year=2024, years=2)["school_code"]) == ["A", "C", "E", "F"]
    assert sorted(small_school_watch(t, year=2024, max_pupils=1000)["school_code"]) == ["A", "C", "D"]
