"""``results.json`` of a briefing run: the verdict and key numbers, for the batch index and scripts."""
from __future__ import annotations

from pathlib import Path

from balance import __version__
from balance.reporting.briefing.county import CountyBriefing
from balance.reporting.briefing.region import RegionBriefing
from balance.reporting.briefing.trend import TrendBriefing


def save_results(b, output_dir: str | None) -> None:
    """Write ``results.json`` (verdict and key numbers) into the run's output folder, if any."""
    if not output_dir:
        return
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"generator": f"balance {__version__}", "generated": b.generated, "standard": b.standard_id}
    if isinstance(b, CountyBriefing):
        from balance.io.export.assessment import summary_records

        rec = [r for r in summary_records(b.year_view())]
        from balance.reporting.briefing.county import verdict_lines

        payload.update(county_code=b.county_code, county_name=b.county_name, year=b.year, summary=rec[0] if rec else None,
                       title=b.title, verdict_lines=[{"text": t, "kind": k} for t, k in verdict_lines(b)])
    elif isinstance(b, TrendBriefing):
        from balance.reporting.briefing.trend import trend_verdict_lines

        payload.update(county_code=b.county_code, county_name=b.county_name, years=b.years, target_year=b.target_year,
                       title=b.title, verdict_lines=[{"text": t, "kind": k} for t, k in trend_verdict_lines(b)])
    elif isinstance(b, RegionBriefing):
        v = b.verdicts
        from balance.analysis.region import city_total

        rows = b.rows
        from balance.reporting.briefing.region import linked_briefings, region_verdict_lines

        payload.update(verdict_lines=[{"text": t, "kind": k} for t, k in region_verdict_lines(b)])
        payload.update(year=b.year, counties=len(v), passed=int(v["passed"].sum()),
                       four_areas_passed=None if b.evaluation is None else int(rows["four_passed"].fillna(False).sum()),
                       plan_cost_total=None if b.plan is None else city_total(rows), target_year=b.target_year,
                       ranking=[str(c) for c in rows["county_code"]],
                       linked=[{"file": f, "text": t, "county_code": str(c), "county_name": str(n)}
                               for (f, t), (c, n) in zip(linked_briefings(b), _linked_counties(b))])
    from balance.io.files import atomic_write_json

    atomic_write_json(out / "results.json", payload)


def _linked_counties(b: RegionBriefing) -> list[tuple[str, str]]:
    """(code, name) of each county :func:`~balance.reporting.briefing.region.linked_briefings` links, in its order."""
    written = None if b.county_briefings is None else set(b.county_briefings)
    rows = b.rows
    return [(str(c), str(n)) for c, n in zip(rows["county_code"], rows["county_name"]) if written is None or str(c) in written]
