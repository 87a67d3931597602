"""The columns of ``county_indicators.csv`` that the mutation run (issue 10, docs/mutation-report.md)
found no test reading: ``unit``, ``standard`` / ``threshold``, ``cv_limit``, ``cv_passed``,
``decisive`` and the composite row of basic-2012. Expected values come from the standard files
(method.md §3–§5), not from the code under test; each assertion was checked to fail on its mutant."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance.method.assessment import assess
from balance.method.official import at_most
from balance.method.standards import load_standard

DEMO = Path(__file__).parents[2] / "data" / "demo" / "schools.csv"


@pytest.fixture(scope="module", params=["quality-2017", "basic-2012"])
def case(request):
    return load_standard(request.param), assess(DEMO, request.param, year=2025).county_indicators


def test_unit_and_threshold_of_every_indicator_row_come_from_the_standard(case):
    """Kills ``df["unit"] = None`` (and its text-code variants) and ``df["standard"] = None``."""
    std, ci = case
    rows = ci[ci.indicator.isin(std.indicator_names)]
    assert len(rows) > 0
    for ind in std.indicators:
        r = rows[rows.indicator == ind.name]
        assert (r.unit == ind.unit).all(), ind.name
        for stage, value in (ind.standard or {}).items():
            assert (r[r.stage == stage].standard == value).all() and (r[r.stage == stage].threshold == value).all()
        if not ind.standard:  # basic-2012 sets no per-stage value: the columns are empty
            assert r.standard.isna().all()


def test_cv_limit_verdict_and_decisive_follow_the_county_rule(case):
    """quality-2017: each CV is decisive against its stage limit (0.50 / 0.45 from the file);
    basic-2012: single CVs decide nothing (NA), the composite row (unit "", no standard) does.
    Kills ``decisive`` True → False on both branches, ``cv_limit = None``, the composite
    ``unit = "XXXX"`` and ``cv_limit`` mutants."""
    std, ci = case
    single = ci[ci.indicator.isin(std.indicator_names)]
    if std.county_rule.each_cv_within_limit:
        assert single.decisive.all()
        assert (single.cv_limit == single.stage.map(std.cv_limit)).all()
        assert (single.cv_passed.astype(bool) == at_most(single.cv, single.cv_limit)).all()
    else:
        assert not single.decisive.any() and single.cv_passed.isna().all() and single.cv_limit.isna().all()
    comp = ci[~ci.indicator.isin(std.indicator_names)]
    if std.composite_cv is None:
        assert comp.empty
    else:
        assert len(comp) > 0 and (comp.indicator == std.composite_cv.name).all()
        assert comp.decisive.all() and (comp.unit == "").all() and comp.standard.isna().all()
        assert (comp.cv_limit == comp.stage.map(std.composite_cv.limit)).all()
        assert np.allclose(comp.cv, [single[(single.county_code == r.county_code) & (single.stage == r.stage)].cv.mean()
                                     for r in comp.itertuples()])
