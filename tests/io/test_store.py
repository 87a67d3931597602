"""Parquet stores: ingest (append, duplicate year, --replace, atomic), reading, and the CLI at scale."""
import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from balance.cli import main
from balance.errors import InputError
from balance.io import store
from balance.io.export import assessment as export
from balance.io.ingest import ingest
from balance.io.reading import load_school_table
from balance.io.store import StoredTable, load_parquet_table, partition_info, store_years
from balance.method.assessment import assess
from balance.schema import COLUMNS
from balance.synthetic.national import national_table

HEADERS = {c["name"]: c["header"] for c in COLUMNS}
TABLES = ("county_indicators", "school_results", "excluded", "shortfalls", "county_shortfalls", "verdicts")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return national_table(seed=11, years=2, counties=30)


def _csv(df: pd.DataFrame, path: Path) -> Path:
    """A school table file as a bureau would send it: Chinese headers, UTF-8 with BOM."""
    df.drop(columns="source_row").rename(columns=HEADERS).to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture()
def year_files(panel, tmp_path) -> dict[int, Path]:
    return {y: _csv(panel[panel["year"] == y], tmp_path / f"schools_{y}.csv") for y in (2024, 2025)}


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_ingest_appends_years_and_reads_them_back(year_files, tmp_path):
    st = tmp_path / "store"
    r1 = ingest(year_files[2024], st)
    assert r1.years == [2024] and r1.replaced == []
    ingest(year_files[2025], st)
    assert store_years(st) == [2024, 2025]
    info = partition_info(st, 2025)
    assert info["validation"] == "ingest" and info["source"] == str(year_files[2025])
    assert info["source_sha256"] == hashlib.sha256(year_files[2025].read_bytes()).hexdigest()
    t = load_school_table(st)
    assert isinstance(t, StoredTable) and t.validation == "ingest" and t.years == [2024, 2025]
    # the rows are the validated rows of the two files, with their source rows
    a = load_school_table(year_files[2024]).data
    b = load_school_table(year_files[2025]).data
    pd.testing.assert_frame_equal(t.data, pd.concat([a, b], ignore_index=True))
    only = load_parquet_table(st, years=[2025])
    assert only.years == [2025] and (only.data["year"] == 2025).all()


def test_duplicate_year_refused_nothing_changes(year_files, tmp_path):
    st = tmp_path / "store"
    ingest(year_files[2024], st)
    before = _tree_digest(st)
    with pytest.raises(InputError) as e:
        ingest(year_files[2024], st)
    p = e.value.problems[0]
    assert p.code == "year_in_store" and "--replace" in p.problem_zh and "--replace" in p.problem_en
    assert _tree_digest(st) == before


def test_replace_swaps_the_year(panel, year_files, tmp_path):
    st = tmp_path / "store"
    ingest(year_files[2024], st)
    changed = panel[panel["year"] == 2024].copy()
    changed["books"] = changed["books"] + 10
    r = ingest(_csv(changed, tmp_path / "fixed_2024.csv"), st, replace=True)
    assert r.replaced == [2024]
    t = load_parquet_table(st)
    assert (t.data["books"].to_numpy() == changed["books"].to_numpy()).all()
    assert partition_info(st, 2024)["source"].endswith("fixed_2024.csv")
    assert not [p for p in st.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_failure_mid_write_leaves_no_partition(year_files, tmp_path, monkeypatch):
    st = tmp_path / "store"
    ingest(year_files[2024], st)
    before = _tree_digest(st)
    real = pq.write_table

    def half_written(table, where, **kw):  # write part of the file, then fail (disk full, killed…)
        real(table.slice(0, 10), where, **kw)
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", half_written)
    with pytest.raises(OSError):
        ingest(year_files[2025], st)
    assert store_years(st) == [2024]
    assert not (st / "year=2025").exists()
    assert not [p for p in st.iterdir() if p.name.startswith(".tmp")]
    assert _tree_digest(st) == before
    # a failed --replace keeps the old partition as it was
    with pytest.raises(OSError):
        ingest(year_files[2024], st, replace=True)
    assert _tree_digest(st) == before
    monkeypatch.setattr(pq, "write_table", real)
    # and a failure just before the partition is moved into place leaves nothing either
    def boom(tmp):
        assert (tmp / store.PART_FILE).is_file()
        raise RuntimeError("killed")
    data = load_school_table(year_files[2025]).data
    with pytest.raises(RuntimeError):
        store.write_partition(data, st, 2025, _before_rename=boom)
    assert store_years(st) == [2024] and _tree_digest(st) == before


def test_invalid_table_is_not_ingested(panel, tmp_path):
    bad = panel[panel["year"] == 2025].copy()
    bad.loc[bad.index[0], "primary_students"] = -5
    st = tmp_path / "store"
    with pytest.raises(InputError):
        ingest(_csv(bad, tmp_path / "bad.csv"), st)
    assert store_years(st) == []


def test_parquet_results_equal_csv_results(panel, tmp_path):
    """The same table assessed from a CSV file, a store and a single .parquet file."""
    csv = _csv(panel, tmp_path / "all.csv")
    st = tmp_path / "store"
    ingest(csv, st)
    single = tmp_path / "all.parquet"
    panel.drop(columns="source_row").rename(columns=HEADERS).to_parquet(single, index=False)
    for std in ("quality-2017", "basic-2012"):
        a = assess(csv, std)
        for src in (st, single):
            b = assess(src, std)
            for name in TABLES:
                pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=f"{std} {name} from {src.name}")
    assert load_school_table(single).validation == "full"


def test_edited_store_is_caught_by_the_structural_check(panel, tmp_path):
    st = tmp_path / "store"
    ingest(_csv(panel[panel["year"] == 2025], tmp_path / "y.csv"), st)
    part = st / "year=2025" / store.PART_FILE
    t = pq.read_table(part).to_pandas()
    t.loc[0, "junior_teachers"] = -1
    t.to_parquet(part, index=False)
    with pytest.raises(InputError) as e:
        load_school_table(st)
    assert {"store_invalid_value", "store_edited"} <= {p.code for p in e.value.problems}


def test_cli_ingest_and_messages(year_files, tmp_path, capsys):
    st = tmp_path / "store"
    assert main(["ingest", str(year_files[2024]), "--store", str(st)]) == 0
    out = capsys.readouterr().out
    assert "已导入 2024" in out and "ingested year 2024" in out
    assert main(["ingest", str(year_files[2024]), "--store", str(st)]) == 2
    err = capsys.readouterr().err
    assert "已有 2024" in err and "already in the store" in err
    assert main(["ingest", str(year_files[2024]), "--store", str(st), "--replace"]) == 0
    assert "replaced year 2024" in capsys.readouterr().out


def test_cli_assess_store_parquet_and_excel_skip(year_files, tmp_path, capsys, monkeypatch):
    st = tmp_path / "store"
    for f in year_files.values():
        ingest(f, st)
    out = tmp_path / "out"
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 50)  # county_indicators etc. exceed 50 rows
    assert main(["assess", str(st), "--out", str(out), "--format", "parquet"]) == 0
    text = capsys.readouterr().out
    assert "未写入 results.xlsx" in text and "results.xlsx skipped" in text and "county_indicators" in text
    assert not (out / "results.xlsx").exists()
    got = pd.read_parquet(out / "county_indicators.parquet")
    a = assess(st)
    pd.testing.assert_frame_equal(got, a.county_indicators, check_dtype=False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["counties"]) == 60 and summary["sha256"] == a.sha256
    # CSV on request; the workbook is written when it fits
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 1_048_576)
    out2 = tmp_path / "out2"
    assert main(["assess", str(st), "--out", str(out2), "--format", "csv", "--year", "2025"]) == 0
    assert (out2 / "results.xlsx").is_file() and (out2 / "county_indicators.csv").is_file()
    assert "skipped" not in capsys.readouterr().out


def test_cli_equity_reads_a_store(year_files, tmp_path):
    st = tmp_path / "store"
    ingest(year_files[2025], st)
    out = tmp_path / "eq"
    code = str(load_school_table(year_files[2025]).data["county_code"].iloc[0])
    assert main(["equity", str(st), "--out", str(out), "--county", code]) == 0
    eq = pd.read_csv(out / "equity.csv", encoding="utf-8-sig", dtype={"county_code": str})
    assert set(eq["county_code"]) == {code} and len(eq) > 0


def test_missing_store_and_empty_store(tmp_path):
    with pytest.raises(InputError) as e:
        load_school_table(tmp_path / "nope.parquet")
    assert e.value.problems[0].code == "file_not_found"
    st = tmp_path / "empty"
    store._init_store(st)
    with pytest.raises(InputError) as e:
        load_school_table(st)
    assert e.value.problems[0].code == "store_empty"
