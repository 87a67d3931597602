"""Keys of balance.method.cache: two calls that differ in one argument only (worksheet, path as
given, known counties, other_counties, standard, county) never share a kept entry and each gets
what an uncached call with its own arguments gives; a call with equal arguments is a hit.

The readers and ``assess`` are replaced by recorders that return what they were called with, so
"the result of an uncached call" is the recorder's answer to the same arguments (no golden
numbers)."""
from __future__ import annotations

import copy
from types import SimpleNamespace

import pandas as pd
import pytest

from balance.errors import InputError, Problem
from balance.method import cache
from balance.method.standards import load_standard


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def csv(tmp_path):
    p = tmp_path / "schools.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    return p


# ---- school_table ---------------------------------------------------------------------------

@pytest.fixture
def table_reads(monkeypatch):
    calls = []

    def fake(data, sheet=None):
        calls.append((str(data), sheet))
        return SimpleNamespace(path=str(data), sheet=sheet, sha256="h", data=pd.DataFrame({"x": [1]}))

    monkeypatch.setattr("balance.io.reading.load_school_table", fake)
    return calls


def _got(t):
    return (t.path, t.sheet)


def test_school_table_equal_arguments_hit(csv, table_reads):
    assert _got(cache.school_table(str(csv), "S")) == _got(cache.school_table(str(csv), "S")) == (str(csv), "S")
    assert table_reads == [(str(csv), "S")]


def test_school_table_sheet_is_passed_on_and_keyed(csv, table_reads):
    assert _got(cache.school_table(str(csv), "A")) == (str(csv), "A")
    assert _got(cache.school_table(str(csv), "B")) == (str(csv), "B")
    assert _got(cache.school_table(str(csv))) == (str(csv), None)
    assert table_reads == [(str(csv), "A"), (str(csv), "B"), (str(csv), None)]


def test_school_table_path_as_given_is_keyed(csv, table_reads):
    other = f"{csv.parent}/./{csv.name}"  # the same file, spelt another way
    assert _got(cache.school_table(str(csv))) == (str(csv), None)
    assert _got(cache.school_table(other)) == (other, None)
    assert len(table_reads) == 2


# ---- county_sheet ---------------------------------------------------------------------------

@pytest.fixture
def sheet_reads(monkeypatch):
    calls = []

    def fake(source, known_counties=None, sheet=None, *, limits=None, other_counties="refuse"):
        args = (str(source), copy.deepcopy(known_counties), sheet, other_counties)
        calls.append(args)
        return SimpleNamespace(args=args, data=pd.DataFrame({"x": [1]}))

    monkeypatch.setattr("balance.io.county_sheet.load_county_sheet", fake)
    return calls


def test_county_sheet_equal_arguments_hit(csv, sheet_reads):
    a = cache.county_sheet(str(csv), {"990101": "甲"}, "S", "ignore").args
    b = cache.county_sheet(str(csv), {"990101": "甲"}, "S", "ignore").args
    assert a == b == (str(csv), {"990101": "甲"}, "S", "ignore")
    assert len(sheet_reads) == 1


@pytest.mark.parametrize("first, second", [
    ((None, None, "refuse"), ({"990101": "甲"}, None, "refuse")),            # known counties
    (({"990101": "甲"}, None, "refuse"), ({"990101": "乙"}, None, "refuse")),  # their names
    (({"990101"}, None, "refuse"), ({"990102"}, None, "refuse")),             # a set of codes
    (({("990101", "甲")}, None, "refuse"), ({"990101": "甲"}, None, "refuse")),  # set vs dict
    ((None, "A", "refuse"), (None, "B", "refuse")),                           # worksheet
    ((None, None, "refuse"), (None, None, "ignore")),                         # other_counties
])
def test_county_sheet_one_argument_changed_is_another_entry(csv, sheet_reads, first, second):
    for args in (first, second, first, second):
        assert cache.county_sheet(str(csv), *args).args == (str(csv), *args)
    assert sheet_reads == [(str(csv), *first), (str(csv), *second)]


def test_county_sheet_path_as_given_is_keyed(csv, sheet_reads):
    other = f"{csv.parent}/./{csv.name}"
    assert cache.county_sheet(str(csv)).args[0] == str(csv)
    assert cache.county_sheet(other).args[0] == other
    assert len(sheet_reads) == 2


# ---- county_assessment / warm ---------------------------------------------------------------

class _Whole:
    def __init__(self, table, std):
        self.table, self.std = table, std

    def county(self, code):
        return SimpleNamespace(table=self.table, std=self.std, county=code, data=pd.DataFrame({"x": [1]}))


@pytest.fixture
def assessments(monkeypatch):
    calls = []

    def fake(table, standard, county=None):
        calls.append((table, standard, county))
        if county is None and getattr(table, "fail_whole", False):
            raise InputError([Problem(file="x", problem_zh="x", problem_en="x")], "x", "x")
        if county is None:
            return _Whole(table, standard)
        return SimpleNamespace(table=table, std=standard, county=county)

    monkeypatch.setattr("balance.method.assessment.assess", fake)
    return calls


def _table(sha="h", path="p.csv", codes=("990101", "990102"), data=True, column="county_code"):
    return SimpleNamespace(sha256=sha, path=path,
                           data=pd.DataFrame({column: list(codes)}) if data else None)


def _a(x):
    return (x.table, x.std, x.county)


def test_county_assessment_equal_arguments_hit(assessments):
    std, t = load_standard("quality-2017"), _table()
    assert _a(cache.county_assessment(t, std, "990101")) == (t, std, "990101")
    assert _a(cache.county_assessment(t, std, "990102")) == (t, std, "990102")
    assert _a(cache.county_assessment(t, std, "990101")) == (t, std, "990101")
    assert assessments == [(t, std, None)]


def test_county_assessment_path_and_standard_are_keyed(assessments):
    std = load_standard("quality-2017")
    twin = copy.copy(std)  # the same id, another object (a standard file loaded again)
    t1, t2 = _table(path="a.csv"), _table(path="b.csv")  # same bytes, other paths
    for _ in range(2):
        for t, s in ((t1, std), (t2, std)):
            assert _a(cache.county_assessment(t, s, "990101")) == (t, s, "990101")
    assert [c[0] for c in assessments] == [t1, t2]
    cache.clear()
    assessments.clear()
    for _ in range(2):
        for s in (std, twin):
            assert cache.county_assessment(t1, s, "990101").std is s
    assert [c[1] for c in assessments] == [std, twin]
    other = load_standard("basic-2012")
    assert cache.county_assessment(t1, other, "990101").std is other


@pytest.mark.parametrize("table, county", [
    (_table(sha=None), "990101"),            # no checksum
    (_table(data=False), "990101"),          # no data
    (_table(column="county"), "990101"),     # no county_code column
    (_table(), "990109"),                    # a county not in the data
])
def test_county_assessment_falls_back_to_assess_with_standard_and_county(assessments, table, county):
    std = load_standard("quality-2017")
    assert _a(cache.county_assessment(table, std, county)) == (table, std, county)
    assert assessments == [(table, std, county)]


def test_county_assessment_falls_back_when_the_whole_table_fails(assessments):
    std, t = load_standard("quality-2017"), _table()
    t.fail_whole = True
    assert _a(cache.county_assessment(t, std, "990101")) == (t, std, "990101")
    assert assessments == [(t, std, None), (t, std, "990101")]


def test_warm_is_false_for_a_table_without_checksum(csv, monkeypatch, assessments):
    monkeypatch.setattr("balance.io.reading.load_school_table",
                        lambda data, sheet=None: SimpleNamespace(sha256=None, data=pd.DataFrame({"county_code": ["1"]})))
    assert cache.warm(str(csv), None, "quality-2017") is False
    assert assessments == []


def test_warm_fills_the_cache_with_the_sheet_asked(csv, table_reads, assessments, monkeypatch):
    monkeypatch.setattr("balance.io.reading.load_school_table",
                        lambda data, sheet=None: table_reads.append(sheet) or _table(path=str(data)))
    std = load_standard("quality-2017")
    assert cache.warm(str(csv), "S", std) is True
    assert table_reads == ["S"] and len(assessments) == 1
    cache.county_assessment(cache.school_table(str(csv), "S"), std, "990101")
    assert table_reads == ["S"] and len(assessments) == 1


def test_what_is_not_a_file_path_is_read_every_time_with_its_arguments(table_reads, sheet_reads):
    missing = "no/such/file.csv"  # no checksum: never kept, every argument still passed on
    for _ in range(2):
        assert _got(cache.school_table(missing, "S")) == (missing, "S")
        assert cache.county_sheet(missing, {"990101": "甲"}, "S", "ignore").args == \
            (missing, {"990101": "甲"}, "S", "ignore")
    assert table_reads == [(missing, "S")] * 2
    assert sheet_reads == [(missing, {"990101": "甲"}, "S", "ignore")] * 2


def test_county_sheet_default_is_to_refuse_other_counties(csv, sheet_reads):
    assert cache.county_sheet(str(csv)).args == (str(csv), None, None, "refuse")
    assert cache.county_sheet("no/such/file.csv").args == ("no/such/file.csv", None, None, "refuse")


def test_warm_is_false_without_county_column_or_on_failure(csv, monkeypatch, assessments):
    monkeypatch.setattr("balance.io.reading.load_school_table",
                        lambda data, sheet=None: _table(path=str(data), column="county"))
    assert cache.warm(str(csv), None, "quality-2017") is False
    monkeypatch.setattr("balance.io.reading.load_school_table",
                        lambda data, sheet=None: (_ for _ in ()).throw(OSError("unreadable")))
    assert cache.warm(str(csv.parent / "other.csv"), None, "quality-2017") is False
    assert assessments == []


def test_a_table_without_checksum_or_data_attributes_is_assessed_uncached(assessments):
    std, bare = load_standard("quality-2017"), SimpleNamespace(path="p.csv")
    assert _a(cache.county_assessment(bare, std, "990101")) == (bare, std, "990101")
    assert assessments == [(bare, std, "990101")]
