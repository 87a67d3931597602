"""The result files are a contract: names, columns, encoding, booleans, atomicity."""
import json

import openpyxl
import pandas as pd
import pytest

from balance.io.export import assessment as export
from balance.method.assessment import assess_schools
from balance.method.standards import load_standard
from tests.factories import primary, school, table

Q = load_standard("quality-2017")


@pytest.fixture()
def assessment():
    t = table(primary("1", 300), primary("2", 200, rooms=1, teaching_area=700.0), primary("3", 30, school_type="教学点"),
              school("4", school_type="初级中学", junior_students=400, junior_teachers=40, junior_qualified_teachers=30,
                     junior_backbone_teachers=5, junior_pe_art_teachers=4, teaching_area=2600.0,
                     sports_ground_area=4200.0, equipment_value=1_100_000.0, multimedia_rooms=10))
    return assess_schools(t, Q, source="demo.csv", sha256="ab" * 32)


def test_contract_files_and_columns(tmp_path, assessment):
    export.write_results(assessment, tmp_path)
    for name in ["county_indicators.csv", "school_results.csv", "excluded_sections.csv", "shortfalls.csv",
                 "county_shortfalls.csv", "warnings.csv", "summary.json", "results.xlsx"]:
        assert (tmp_path / name).is_file(), name
    raw = (tmp_path / "county_indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    ci = pd.read_csv(tmp_path / "county_indicators.csv", encoding="utf-8-sig", dtype={"county_code": str})
    for col in ["year", "county_code", "county_name", "stage", "indicator", "value", "cv", "cv_limit", "cv_passed"]:
        assert col in ci.columns
    assert set(ci["stage"]) == {"小学", "初中"} and len(ci) == 14
    assert set(ci["cv_passed"].astype(str).str.lower()) <= {"true", "false"}
    assert ci["county_code"].iloc[0] == "990101"
    sr = pd.read_csv(tmp_path / "school_results.csv", encoding="utf-8-sig", dtype={"school_code": str})
    for col in ["year", "county_code", "school_code", "school_name", "stage", "students", "indicators_met",
                "school_passed", *Q.indicator_names]:
        assert col in sr.columns
    assert sr["school_code"].str.len().eq(10).all()
    assert set(sr["school_passed"].astype(str).str.lower()) == {"true", "false"}
    ex = pd.read_csv(tmp_path / "excluded_sections.csv", encoding="utf-8-sig")
    assert len(ex) == 1 and "50人" in ex["exclusion_reason"].iloc[0]


def test_summary_json(tmp_path, assessment):
    export.write_results(assessment, tmp_path)
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    (rec,) = data["counties"]
    assert rec["county_code"] == "990101" and rec["passed"] is False and rec["verdict"] == "未达到"
    assert rec["sections"] == 3 and rec["sections_passed"] == 2
    assert any("未达到学校资源配置标准" in s for s in rec["failing_items"])
    assert len(rec["stages"]["小学"]["indicators"]) == 7
    assert data["sha256"] == "ab" * 32


def test_workbook_sheets_are_chinese(tmp_path, assessment):
    export.write_results(assessment, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    assert wb.sheetnames[:5] == ["说明", "县域结论", "县域指标与差异系数", "学校指标", "整改清单"]
    ws = wb["县域指标与差异系数"]
    headers = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert "差异系数" in headers and "县区代码" in headers


def test_interrupted_write_leaves_nothing(tmp_path, assessment, monkeypatch):
    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_workbook", boom)
    with pytest.raises(OSError):
        export.write_results(assessment, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # no partial set, no temp folder, not even the folder it created


def test_parquet_tables_written_beside_the_summary_fail_as_one(tmp_path, assessment, monkeypatch):
    """The Parquet tables are written on a second thread while summary.json is built: every table
    and the summary arrive, and a table that cannot be written fails the whole set (nothing left)."""
    out = export.write_results(assessment, tmp_path / "ok", format="parquet", excel=False)
    assert sorted(p.name for p in out) == sorted([*export.PARQUET_FILES.values(), "summary.json"])
    back = pd.read_parquet(tmp_path / "ok" / "school_results.parquet")
    assert len(back) == len(assessment.school_results)
    real = pd.DataFrame.to_parquet

    def full_on_shortfalls(self, path, *a, **k):
        if str(path).endswith("shortfalls.parquet"):
            raise OSError(28, "No space left on device")
        return real(self, path, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full_on_shortfalls)
    with pytest.raises(OSError):
        export.write_results(assessment, tmp_path / "out", format="parquet", excel=False)
    assert not (tmp_path / "out").exists()


def test_csv_files_have_the_bytes_of_to_csv(tmp_path, assessment):
    """The CSV tables are written by Arrow (io/export/csvfile.py); the bytes are pandas' own."""
    export.write_results(assessment, tmp_path, excel=False)
    for attr, name in export.CSV_FILES.items():
        ref = tmp_path / f"ref-{name}"
        export._csv_ready(getattr(assessment, attr)).to_csv(ref, index=False, encoding="utf-8-sig")
        assert (tmp_path / name).read_bytes() == ref.read_bytes(), name


def test_csv_tables_written_beside_the_summary_fail_as_one(tmp_path, assessment, monkeypatch):
    from balance.io.export import csvfile

    real = csvfile.write_csv

    def full_on_shortfalls(df, path):
        if str(path).endswith("shortfalls.csv"):
            raise OSError(28, "No space left on device")
        return real(df, path)

    monkeypatch.setattr(csvfile, "write_csv", full_on_shortfalls)
    with pytest.raises(OSError):
        export.write_results(assessment, tmp_path / "out", excel=False)
    assert not (tmp_path / "out").exists()


def test_summary_json_says_what_the_indicator_table_says_missing_and_infinite_as_null(tmp_path, assessment):
    """Every indicator object of summary.json is its county_indicators row; NaN, ±inf and NA are
    ``null`` (strict JSON: the parser refuses NaN / Infinity)."""
    ci = assessment.county_indicators
    ci["cv"] = ci["cv"].astype(float)
    ci.loc[0, "cv"] = float("nan")
    ci.loc[1, "value"] = float("inf")
    ci["cv_passed"] = ci["cv_passed"].astype("boolean")
    ci.loc[2, "cv_passed"] = pd.NA
    export.write_results(assessment, tmp_path, excel=False)

    def refuse(c):
        raise ValueError(c)

    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"), parse_constant=refuse)
    got = [(st, i["indicator"], i["value"], i["cv"], i["cv_limit"], i["cv_passed"], i["decisive"])
           for rec in data["counties"] for st, stage in rec["stages"].items() for i in stage["indicators"]]

    def plain(v):
        return None if v is None or v is pd.NA or (isinstance(v, float) and (v != v or abs(v) == float("inf"))) else v

    want = [(r.stage, r.indicator, plain(r.value), plain(r.cv), plain(r.cv_limit),
             None if r.cv_passed is pd.NA else bool(r.cv_passed), bool(r.decisive)) for r in ci.itertuples()]
    assert sorted(got, key=str) == sorted(want, key=str)
    assert sum(g[3] is None for g in got) >= 1 and sum(g[2] is None for g in got) >= 1
    assert sum(g[5] is None for g in got) >= 1


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_writing_leaves_the_assessment_as_it_was(tmp_path, assessment, fmt):
    before = {attr: getattr(assessment, attr).copy(deep=True) for attr in export.CSV_FILES}
    export.write_results(assessment, tmp_path, format=fmt, excel=False)
    for attr, df in before.items():
        pd.testing.assert_frame_equal(getattr(assessment, attr), df)
