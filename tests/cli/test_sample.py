"""``balance sample`` from the clerk's side: the field-check list, reproducible, stratified, with
the schools that must be seen."""
import math
from pathlib import Path

import pandas as pd
import pytest

from balance.cli import main

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(DEMO / "schools.csv", dtype=str, encoding="utf-8-sig")


def _run(tmp_path, src, *extra, name="o") -> pd.DataFrame:
    out = tmp_path / name
    assert main(["sample", str(src), "--out", str(out), *extra]) == 0
    return pd.read_csv(out / "sample.csv", dtype=str, encoding="utf-8-sig")


def _population(t: pd.DataFrame, year: str, county: str) -> pd.DataFrame:
    """Compulsory schools of the county that year, counted from the raw table (not via balance)."""
    s = t[(t["年份"] == year) & (t["县区代码"] == county)]
    compulsory = (s["小学在校生数"].astype(float) > 0) | (s["初中在校生数"].astype(float) > 0)
    return s[compulsory & (s["学校类型"] != "特殊教育学校")]


def test_same_seed_same_list_whatever_the_row_order(table, tmp_path):
    args = ["--year", "2025", "--county", "990101", "--share", "0.4", "--seed", "11"]
    a = _run(tmp_path, DEMO / "schools.csv", *args, name="a")
    shuffled = tmp_path / "shuffled.csv"
    table.sample(frac=1.0, random_state=3).to_csv(shuffled, index=False, encoding="utf-8-sig")
    b = _run(tmp_path, shuffled, *args, name="b")
    pd.testing.assert_frame_equal(a, b)
    c = _run(tmp_path, DEMO / "schools.csv", *args[:-1], "12", name="c")
    assert set(c["school_code"]) != set(a["school_code"])
    pop = _population(table, "2025", "990101")
    assert len(a) >= math.ceil(0.4 * len(pop))
    assert set(a["school_code"]) <= set(pop["学校标识码"])


def test_strata_get_their_share(table, tmp_path):
    d = _run(tmp_path, DEMO / "schools.csv", "--year", "2025", "--county", "990101", "--share", "0.5", "--seed", "1")
    pop = _population(table, "2025", "990101")
    n = math.ceil(0.5 * len(pop))
    assert len(d) == n and set(d["reason_code"]) == {"random"}  # 青山县 2025 passes: nothing must be seen
    sizes = (pop["学校类型"] + "·" + pop["城乡类型"]).value_counts()
    drawn = d["stratum"].value_counts()
    for stratum, size in sizes.items():
        assert abs(drawn.get(stratum, 0) - n * size / len(pop)) < 1, stratum


def test_failing_schools_are_always_drawn(table, tmp_path):
    from balance.method.assessment import assess

    d = _run(tmp_path, DEMO / "schools.csv", "--year", "2022", "--county", "990102", "--share", "0.1")
    a = assess(DEMO / "schools.csv", year=2022, county="990102")
    failing = set(a.school_results.loc[~a.school_results["school_passed"].astype(bool), "school_code"])
    assert failing and failing <= set(d["school_code"])
    assert (d.loc[d["school_code"].isin(failing), "reason_code"] == "school_rule").all()
    assert d.loc[d["school_code"].isin(failing), "reason"].str.contains("项指标达标").all()


def test_the_school_that_drives_a_failing_cv_is_drawn(table, tmp_path):
    t = table.copy()
    at = (t["年份"] == "2025") & (t["县区代码"] == "990101") & (t["学校类型"] == "初级中学")
    target = t.loc[at, "学校标识码"].iloc[0]
    rich = at & (t["学校标识码"] == target)
    t.loc[rich, "教学仪器设备值(元)"] = str(float(t.loc[rich, "教学仪器设备值(元)"].iat[0]) * 40)
    p = tmp_path / "rich.csv"
    t.to_csv(p, index=False, encoding="utf-8-sig")
    from balance.method.assessment import assess

    ci = assess(p, year=2025, county="990101").county_indicators
    assert not ci.loc[(ci["stage"] == "初中") & (ci["indicator"] == "生均教学仪器设备值"), "cv_passed"].iat[0]
    d = _run(tmp_path, p, "--year", "2025", "--county", "990101", "--share", "0.1", "--seed", "5")
    row = d[d["school_code"] == target]
    assert len(row) == 1 and row["reason_code"].iat[0] == "cv_driver"
    assert "生均教学仪器设备值差异系数超限" in row["reason"].iat[0]


@pytest.mark.parametrize("args", [["--share", "1.5"], ["--share", "abc"], ["--share", "0"], ["--county", "123456"],
                                  ["--year", "1999"]])
def test_bad_options_are_refused(tmp_path, capsys, args):
    base = {"--year": "2025", "--county": "990101", "--share": "0.4"}
    base.update(dict(zip(args[::2], args[1::2])))
    argv = ["sample", str(DEMO / "schools.csv"), "--out", str(tmp_path / "o")]
    for k, v in base.items():
        argv += [k, v]
    if args[0] == "--share":  # refused by the option parser (exit 2, bilingual usage message)
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    else:
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert args[1] in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("text, share", [("40%", 0.4), ("４０％", 0.4), ("０.５", 0.5), (" 0.25 ", 0.25), ("25 %", 0.25)])
def test_share_as_an_input_method_types_it(text, share):
    # a clerk's Chinese input method types full-width digits and ％: the same share, not a refusal
    from balance.cli.year import _share

    assert _share(text) == pytest.approx(share)
