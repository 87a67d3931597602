"""The whole resource-allocation assessment in one call: ``assess(table) -> Assessment``.

Pipeline (each step in its own module): read and validate (:mod:`balance.io.reading`), filter year
and county, split schools into sections (:mod:`balance.method.sections`), mark scope
(:mod:`balance.method.scope`), compute indicators (:mod:`balance.method.indicators`), then the official CV,
school rule, verdicts and shortfalls (:mod:`balance.method.official`). Everything is computed over all
counties and years at once with group-bys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from balance._fast import group_codes, take_columns
from balance.errors import InputError, Problem, not_in_data, problems_frame, require_present
from balance.method import official
from balance.method.indicators import indicator_values, standard_values
from balance.method.scope import apply_scope
from balance.method.sections import build_sections
from balance.method.standards import Standard, load_standard

__all__ = ["Assessment", "assess", "assess_schools", "normalize_code", "section_values_of", "LARGE_TABLE",
           "SECTION_VALUE_COLUMNS"]

#: Tables with more school rows than this are "large": the command line tunes the process's memory
#: allocator for them (:func:`balance.tune_memory`); the library itself never changes process state.
LARGE_TABLE = 100_000


class _LazySectionValues:
    """``Assessment.section_values``: built from ``school_results`` on first access, then kept.

    The long table has one row per section × indicator (7× the sections); most runs (the CLI's
    result files, verdicts, shortfalls) never need it, so it is only built when asked for. Passing
    a DataFrame to the constructor stores it as is; passing ``None`` means "build when needed".
    """

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            raise AttributeError("section_values")  # no class-level default (a required field)
        value = obj.__dict__.get(self.slot)
        if value is None:
            value = section_values_of(obj.school_results, obj.standard)
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


@dataclass
class Assessment:
    """Results of :func:`assess`. All tables use canonical English column names.

    Attributes
    ----------
    standard : Standard
    source : str            input file path (or "<DataFrame>")
    sha256 : str | None     checksum of the input file
    sections : DataFrame    every section (in and out of scope) with indicator values
    school_results : DataFrame  in-scope sections: identity, students, one column per indicator,
                            indicators_met, min_ratio, school_passed (the contract file)
    excluded : DataFrame    out-of-scope sections with ``exclusion_reason``
    section_values : DataFrame  long form (one row per section × indicator, with ``threshold``) for plots and equity;
                            built from ``school_results`` when first used (see :func:`section_values_of`)
    county_indicators : DataFrame  the contract file (one row per year × county × stage × indicator)
    shortfalls : DataFrame  per section × indicator below the standard
    county_shortfalls : DataFrame  shortfalls summed per year × county × stage × indicator
    verdicts : DataFrame    one row per year × county (the contract; long form: :meth:`verdicts_long`,
                            :meth:`failing_items`)
    warnings : DataFrame    data-quality warnings (problem table)
    """

    standard: Standard
    source: str
    sha256: str | None
    sections: pd.DataFrame
    school_results: pd.DataFrame
    excluded: pd.DataFrame
    section_values: pd.DataFrame = _LazySectionValues()
    county_indicators: pd.DataFrame
    shortfalls: pd.DataFrame
    county_shortfalls: pd.DataFrame
    verdicts: pd.DataFrame
    warnings: pd.DataFrame
    header_map: dict = field(default_factory=dict)

    def summary(self) -> list[dict]:
        """Per county × year: verdicts, counts, CVs and failing items (the ``summary.json`` body)."""
        from balance.io.export.assessment import summary_records

        return summary_records(self)

    def _summary(self) -> tuple[str, list[tuple[str, str]]]:
        v = self.verdicts
        years = sorted(int(y) for y in v["year"].unique()) if len(v) and "year" in v else []
        counties = int(v["county_code"].nunique()) if len(v) and "county_code" in v else 0
        passed = int(v["passed"].sum()) if len(v) and "passed" in v else 0
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "—")
        rows = [("standard", f"{self.standard.id} ({self.standard.title})"), ("source", str(self.source)),
                ("counties", str(counties)), ("years", span),
                ("county-years passing", f"{passed}/{len(v)}"), ("sections in scope", str(len(self.school_results))),
                ("warnings", str(len(self.warnings)))]
        return f"Assessment({self.standard.id}, {counties} counties, years {span}, {passed}/{len(v)} passing)", rows

    def __repr__(self) -> str:
        """One line (the dataclass repr printed every table: 12 KB)."""
        return self._summary()[0]

    def _repr_html_(self) -> str:
        """A small table for JupyterLab (data text HTML-escaped)."""
        import html

        _, rows = self._summary()
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                       f"{html.escape(val)}</td></tr>" for k, val in rows)
        return f"<table><caption>Assessment</caption>{body}</table>"

    def county(self, county_code: str | int, year: int | None = None) -> "Assessment":
        """The same assessment restricted to one county (and optionally one year).

        ``county_code`` is normalised like everywhere else (``130102`` → ``"130102"``, spaces
        stripped); a code or year not in the assessment raises :class:`InputError` listing the
        known ones (it used to return empty tables)."""
        county_code = normalize_code(county_code)
        known = sorted(self.verdicts["county_code"].astype(str).unique()) if "county_code" in self.verdicts else []
        if county_code not in known:
            raise InputError([_unknown_county(self.source, county_code, known)],
                             "筛选条件与数据不符", "filter does not match the data")
        if year is not None:
            years = sorted(int(y) for y in self.verdicts.loc[self.verdicts["county_code"] == county_code, "year"].unique())
            if int(year) not in years:
                raise InputError([Problem(file=self.source, column="年份", value=str(year), code="year_not_in_data",
                                          problem_zh=f"县区 {county_code} 没有 {year} 年的数据（已有：{', '.join(map(str, years))}）",
                                          problem_en=f"county {county_code} has no data for {year} "
                                                     f"(present: {', '.join(map(str, years))})")],
                                 "筛选条件与数据不符", "filter does not match the data")
            year = int(year)

        def sel(df: pd.DataFrame) -> pd.DataFrame:
            if df.empty or "county_code" not in df:
                return df
            m = df["county_code"] == county_code
            if year is not None and "year" in df:
                m &= df["year"] == year
            return df.loc[m].reset_index(drop=True)
        built = self.__dict__.get("_section_values")  # a lazy table stays lazy (built from the selection)
        out = Assessment(self.standard, self.source, self.sha256, *(
            None if (n == "section_values" and built is None) else sel(getattr(self, n)) for n in (
                "sections", "school_results", "excluded", "section_values", "county_indicators", "shortfalls",
                "county_shortfalls", "verdicts")), self.warnings, self.header_map)
        schools = self.__dict__.get("_schools")
        if schools is not None:
            out._schools = sel(schools)
        return out

    def verdicts_long(self) -> pd.DataFrame:
        """The verdicts in long form: one row per year × county × stage (``sections``,
        ``sections_passed``, ``cvs_decisive``, ``cvs_passed``, ``passed``) instead of the wide
        ``sections_小学…`` columns of :attr:`verdicts` (:func:`balance.method.tidy.verdicts_long`)."""
        from balance.method.tidy import verdicts_long

        return verdicts_long(self.verdicts, self.county_indicators, self.standard.stages)

    def failing_items(self) -> pd.DataFrame:
        """Why a county-year fails, one row per item (``item_no``, ``item``) instead of the list
        column ``verdicts.failing_items`` (:func:`balance.method.tidy.failing_items_long`)."""
        from balance.method.tidy import failing_items_long

        return failing_items_long(self.verdicts)

    @property
    def schools(self) -> pd.DataFrame | None:
        """The canonical school table this assessment was computed from (``None`` when unknown,
        e.g. an Assessment built by hand): what :func:`balance.analysis.planner.plan` plans on,
        without reading the input file again."""
        return self.__dict__.get("_schools")


def normalize_code(code) -> str:
    """One rule for county codes everywhere: an int (or a whole float) becomes 6-digit text
    (``130102`` → ``"130102"``), text is stripped."""
    if isinstance(code, bool):
        return str(code)
    if isinstance(code, int):
        return f"{code:06d}"
    if isinstance(code, float) and code.is_integer():
        return f"{int(code):06d}"
    return str(code).strip()


def _unknown_county(source: str, code: str, known: list[str]) -> Problem:
    return not_in_data(source, "county", code, known)


def _filter(df: pd.DataFrame, year, county, source: str) -> pd.DataFrame:
    """The rows of ``year`` and ``county`` (each ``None`` for all); one :class:`InputError` naming
    whichever is not in the data (a county is looked for in the chosen year)."""
    years = df["year"].unique().tolist()
    if year is not None and int(year) in {int(y) for y in years}:
        df = df[df["year"] == int(year)]
    if county is None:
        require_present(source, year=year, years=years, summary=("筛选条件与数据不符", "filter does not match the data"))
        return df
    codes = [normalize_code(c) for c in ([county] if isinstance(county, (str, int, float)) else county)]
    counties = set(df["county_code"].astype(str))
    problems = [not_in_data(source, "year", year, years)] if year is not None and int(year) not in {
        int(y) for y in years} else []
    problems += [not_in_data(source, "county", c, counties) for c in dict.fromkeys(codes) if c not in counties]
    if problems:
        raise InputError(problems, "筛选条件与数据不符", "filter does not match the data")
    return df[df["county_code"].isin(codes)]


def assess(source, standard: str | Path | Standard = "quality-2017", *, year: int | None = None,
           county: str | list[str] | None = None, scenario=None) -> Assessment:
    """Assess resource allocation for every county and year in a school table.

    Parameters
    ----------
    source : str, Path, DataFrame or SchoolTable
        A school table file (CSV / Excel), a DataFrame with Chinese or canonical headers, or an
        already loaded :class:`balance.io.reading.SchoolTable`.
    standard : str, Path or Standard
        ``"quality-2017"`` (default), ``"basic-2012"`` or a path to a provincial YAML file.
    year, county : optional
        Restrict to one year and/or one county code or a list of codes (an error naming every one
        that is not in the data).
    scenario : optional
        A what-if applied to a copy of the table before assessing (the input is never changed):
        a scenario file path, a DataFrame (one change per row: 学校标识码, 列, 增加量[, 年份]),
        a list of changes or a mapping ``{school code: {column: amount}}``
        (:func:`balance.method.scenario.as_scenario`). ``source`` of the result names it.

    Raises
    ------
    InputError
        The table (or the standard, or the scenario) has errors; every problem is listed.

    Examples
    --------
    Two more qualified primary teachers (and teachers) at one school, in every year::

        base = assess("schools.csv")
        what_if = assess("schools.csv", scenario={
            "9901010003": {"小学专任教师数": 2, "小学专科及以上学历专任教师数": 2}})
        what_if.verdicts[["county_code", "year", "passed"]]
    """
    from balance.io.reading import load_school_table
    from balance.io.table import SchoolTable
    from balance.method.scenario import apply_to_table

    std = load_standard(standard)
    table = source if isinstance(source, SchoolTable) else load_school_table(source)
    if scenario is not None:
        table = apply_to_table(table, scenario)
    schools = _filter(table.data, year, county, table.path)
    return assess_schools(schools, std, source=table.path, sha256=table.sha256,
                          warnings=problems_frame(table.warnings), header_map=table.header_map)


def assess_schools(schools: pd.DataFrame, std: Standard, *, source: str = "<DataFrame>", sha256=None,
                   warnings: pd.DataFrame | None = None, header_map: dict | None = None) -> Assessment:
    """:func:`assess` on an already validated canonical school table (no reading, no checks but one).

    The one check: a section exists where a stage has pupils > 0, so a pupil count that is missing,
    negative or not finite (a table that skipped validation, e.g. a Parquet file read with
    ``check="none"``) would make a section vanish without a reason on record; it is refused.
    """
    _check_pupils(schools, std, source)
    sections = apply_scope(build_sections(schools, std), std)
    values = indicator_values(sections, std)
    stds = standard_values(sections, std)
    rule = official.school_rule(values, stds, std)
    sections = pd.concat([sections, values, rule], axis=1)

    names = schools.groupby(["year", "county_code"], sort=True)["county_name"].first().reset_index()
    in_scope = sections["in_scope"].to_numpy(dtype=bool)
    keep = np.flatnonzero(in_scope)
    ident = ["year", "county_code", "county_name", "school_code", "school_name", "school_type", "ownership",
             "urban_rural", "township", "stage", "students"]
    # the in-scope sections are taken once (text columns included) as school_results; the other
    # steps add the numeric fields they need instead of copying every column of ``sections``
    result_cols = ident + std.indicator_names + ["indicators_met", "min_ratio", "school_passed"]
    if len(keep) < len(sections):
        school_results = pd.DataFrame(take_columns(sections, keep, result_cols), copy=False)
    else:
        school_results = sections[result_cols]
    excluded = sections.loc[~in_scope, ident + ["exclusion_reason"]].reset_index(drop=True)
    cv_long = official.group_cv(school_results, school_results[std.indicator_names])
    county_ind = official.county_indicators(cv_long, std, names)

    fields = sorted({f for ind in std.indicators for f in ind.numerator})
    scoped = school_results.assign(**{f: sections[f].to_numpy()[keep] for f in [*fields, "facility_share"]})
    scoped_std = standard_values(scoped, std)
    short = official.shortfalls(scoped, scoped[std.indicator_names], scoped_std, std, presorted=True)
    county_short = _county_shortfalls(short)
    verdicts = official.county_verdicts(county_ind, school_results, std, names, sections=sections)
    a = Assessment(std, source, sha256, sections, school_results, excluded, None, county_ind,
                   short, county_short, verdicts,
                   warnings if warnings is not None else problems_frame([]), header_map or {})
    a._schools = schools  # kept (not copied) so that plan(assessment) needs no second read of the file
    return a


def _check_pupils(schools: pd.DataFrame, std: Standard, source: str) -> None:
    from balance.io.validation import message
    from balance.schema import HEADERS, STAGE_COLUMNS

    problems = []
    for stage in std.stages:
        name = STAGE_COLUMNS[stage]["students"]
        if name not in schools:
            continue
        v = schools[name].to_numpy(dtype="float64", na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
        if len(bad):
            k = int(bad[0])
            row = int(schools["source_row"].iat[k]) if "source_row" in schools else None
            zh, en = message("pupils_invalid", n=len(bad))
            problems.append(Problem(file=source, row=row, column=HEADERS[name], value=str(schools[name].iat[k]),
                                    problem_zh=zh, problem_en=en, code="pupils_invalid"))
    if problems:
        raise InputError(problems, "学校数据表有误", "the school table has errors")


SECTION_VALUE_COLUMNS = ["year", "county_code", "county_name", "school_code", "school_name", "stage", "urban_rural",
                         "township", "students", "school_passed", "school_type", "ownership"]


def section_values_of(school_results: pd.DataFrame, std: Standard) -> pd.DataFrame:
    """The long table of :attr:`Assessment.section_values`: one row per in-scope section × indicator.

    Indicator-major (all sections for the first indicator, then the second, …); columns
    ``SECTION_VALUE_COLUMNS`` + ``indicator``, ``value``, ``threshold`` (the indicator's standard
    value for the stage; ``standard`` holds the same number under its old name), ``ratio`` and
    ``met`` (nullable boolean, NA where the stage has no standard value).
    """
    names = std.indicator_names
    if not names:
        return pd.DataFrame()
    n, k = len(school_results), len(names)
    rep = np.tile(np.arange(n), k)
    out = {c: school_results[c].take(rep).reset_index(drop=True) for c in SECTION_VALUE_COLUMNS}
    out["indicator"] = pd.Series(np.repeat(np.asarray(names, dtype=object), n), dtype="str")
    stds = standard_values(school_results, std)
    value = np.concatenate([school_results[c].to_numpy(dtype="float64") for c in names]) if n else np.zeros(0)
    standard = np.concatenate([stds[c].to_numpy(dtype="float64") for c in names]) if n else np.zeros(0)
    out["value"] = value
    out["standard"] = standard  # alias of ``threshold`` (the name plots and old notebooks use)
    out["threshold"] = standard
    with np.errstate(invalid="ignore", divide="ignore"):
        out["ratio"] = value / standard
    met = pd.array(official.at_least(value, standard), dtype="boolean")
    met[np.isnan(standard)] = pd.NA
    out["met"] = met
    return pd.DataFrame(out, index=pd.RangeIndex(n * k), copy=False)


def _county_shortfalls(short: pd.DataFrame) -> pd.DataFrame:
    cols = ["year", "county_code", "county_name", "stage", "indicator", "add_unit", "add_column_field",
            "sections_below", "shortfall", "sections_failing", "shortfall_failing_sections"]
    if short.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols if c != "add_column_field"})
    keys = ["year", "county_code", "county_name", "stage", "indicator", "add_unit"]
    failing = s_passed = short["school_passed"]
    failing = s_passed.fillna(False).astype(bool).to_numpy() == False  # noqa: E712 - NA counts as failing
    # group on one integer code per key combination (numbered in order of first appearance, as
    # groupby(sort=False) orders groups); rows with a missing key are dropped as groupby does
    has_na = np.zeros(len(short), dtype=bool)
    for k in keys:
        has_na |= short[k].isna().to_numpy()
    rows = np.flatnonzero(~has_na)
    sub = short.take(rows) if has_na.any() else short
    codes, first = group_codes(sub, keys)
    frame = pd.DataFrame({"_g": codes, "shortfall": sub["shortfall"].to_numpy(),
                          "_fail": failing[rows].astype(int),
                          "_fail_short": np.where(failing[rows], sub["shortfall"].to_numpy(), 0.0)}, copy=False)
    g = frame.groupby("_g", sort=False)
    agg = g.agg(sections_below=("shortfall", "size"), shortfall=("shortfall", "sum"),
                sections_failing=("_fail", "sum"), shortfall_failing_sections=("_fail_short", "sum"))
    out = sub[keys].take(first[agg.index.to_numpy()]).reset_index(drop=True)
    for c in agg.columns:
        out[c] = agg[c].to_numpy()
    return out
