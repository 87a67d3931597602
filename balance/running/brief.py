"""``balance brief``: from one school table to every briefing, without writing a params file by hand.

:func:`plan_brief` reads and validates the school table **once** (a table with problems is refused
before anything is written), checks the chosen year and counties against it, and returns the run
parameters; :func:`write_brief_params` writes them as YAML into ``DIR/params/`` (the audit log of
what was run, with absolute paths so they can be rerun with ``balance batch DIR/params``);
:func:`run_brief` does both and hands the files to the same batch runner as ``balance batch``
(:func:`balance.running.batch.run_batch`: skip-if-unchanged, failure isolation, run-name and
output-folder safety, ``manifest.csv`` and ``index.html``).

The runs, for the chosen year (default: the latest year in the table)::

    <county>_<year>   county_briefing  every county in the table, or those named
    <county>_trend    county_trend     each of those counties with more than one year of data
    region_<year>     region_overview  when the table holds more than one county (and not
                                       exactly one county was named)

Run names are the same as the demo's params files (``params/demo``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from balance.errors import InputError, Problem

__all__ = ["BriefPlan", "normalize_county_code", "plan_brief", "write_brief_params", "run_brief", "PARAMS_FOLDER"]

#: Folder inside ``DIR`` that holds the generated params files.
PARAMS_FOLDER = "params"
_SUMMARY = ("简报参数有误", "cannot plan the briefings")


def normalize_county_code(code) -> str:
    """A county code as the 6-digit text the tables use (``130102`` → ``"130102"``; ``" 130102 "``
    stripped). Anything else is returned stripped, for the caller to refuse as unknown."""
    if isinstance(code, bool):
        return str(code)
    if isinstance(code, int):
        return f"{code:06d}"
    if isinstance(code, float) and code.is_integer():
        return f"{int(code):06d}"
    return str(code).strip()


@dataclass
class BriefPlan:
    """What ``balance brief`` will run: one dict of params per run, keyed by run name."""

    data: Path
    year: int
    counties: list[str]
    runs: dict[str, dict] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"BriefPlan(year={self.year}, counties={len(self.counties)}, runs={len(self.runs)})"


def _refuse(file: str, column: str, code: str, zh: str, en: str, value=None) -> InputError:
    return InputError([Problem(file=str(file), column=column, code=code, problem_zh=zh, problem_en=en,
                               value=None if value is None else str(value))], *_SUMMARY)


def _as_path_or_name(value: str | None) -> str | None:
    if value is None:
        return None
    from balance.running.params import _looks_like_path

    return str(Path(value).resolve()) if _looks_like_path(str(value)) else str(value)


def plan_brief(data, *, year: int | None = None, counties=None, county_sheet=None,
               standard: str = "quality-2017", sheet: str | None = None, target_year: int | None = None,
               previous_ledger=None) -> BriefPlan:
    """Validate the table once and list the runs (see the module docstring).

    Raises :class:`balance.errors.InputError` (nothing written) for a table with problems, a year
    not in the table (the message lists the years there are), or an unknown county code (the
    message lists the known ones). County codes may be given as numbers (zero-padded to 6 digits).
    ``sheet``: the workbook's sheet holding the table; the sheet read (named, or found because the
    first sheet is an instructions sheet) is written into every run's params (``sheet:``), so the
    notebooks read the same sheet. ``county_sheet`` goes to every run (four areas); ``target_year``
    to every run (county briefing: the plan's schedule; trend and region: on course by then?);
    ``previous_ledger`` (last year's filled 整改台账) to every county briefing, read once here so a
    bad file is refused before anything runs.
    """
    from balance.io.reading import load_school_table

    data = Path(data)
    table = load_school_table(data, sheet=sheet)
    df = table.data
    years = sorted(int(y) for y in df["year"].unique())
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        shown = ", ".join(map(str, years))
        raise _refuse(data, "--year", "brief_unknown_year",
                      f"表中没有 {year} 年的数据；表中的年份：{shown}",
                      f"the table has no data for {year}; years in the table: {shown}", value=year)
    year = int(year)
    in_year = df[df["year"] == year]
    known = sorted(in_year["county_code"].astype(str).unique())
    names = (in_year.drop_duplicates("county_code").set_index("county_code")["county_name"].astype(str).to_dict()
             if "county_name" in in_year.columns else {})
    if counties:
        wanted = list(dict.fromkeys(normalize_county_code(c) for c in counties))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            listed = "、".join(f"{c} {names.get(c, '')}".strip() for c in known[:40])
            more = f" …（共 {len(known)} 个）" if len(known) > 40 else ""
            raise _refuse(data, "--county", "brief_unknown_county",
                          f"{year} 年的表中没有县区代码 {', '.join(unknown)}；已有：{listed}{more}",
                          f"no county {', '.join(unknown)} in the table for {year}; known codes: "
                          f"{', '.join(known[:40])}{' …' if len(known) > 40 else ''}", value=", ".join(unknown))
    else:
        wanted = known
    std = _as_path_or_name(standard) or "quality-2017"
    from balance.method.standards import load_standard

    load_standard(std)  # an unknown name or a bad file: refused here, once, not in every run
    county_path, sheet_warnings, ledger_path = _side_files(county_sheet, previous_ledger, df, wanted, year)
    plan = BriefPlan(data=data.resolve(), year=year, counties=wanted, warnings=list(table.warnings) + sheet_warnings)
    base = {"data": str(plan.data)}
    if table.sheet is not None and (sheet is not None or any(p.code == "sheet_chosen" for p in table.warnings)):
        base["sheet"] = table.sheet
    if std != "quality-2017":
        base["standard"] = std
    for c in wanted:
        run = {"notebook": "county_briefing", **base, "county_code": c, "year": year}
        if county_path:
            run["county_sheet"] = county_path
        if ledger_path:
            run["previous_ledger"] = ledger_path
        if target_year is not None:  # the plan's year-by-year schedule in the county briefing
            run["target_year"] = int(target_year)
        plan.runs[f"{c}_{year}"] = run
    extra = {**({"county_sheet": county_path} if county_path else {}),
             **({"target_year": int(target_year)} if target_year is not None else {})}
    for c in wanted:
        if df.loc[df["county_code"].astype(str) == c, "year"].nunique() > 1:
            plan.runs[f"{c}_trend"] = {"notebook": "county_trend", **base, "county_code": c, **extra}
    if len(known) > 1 and len(wanted) != 1:
        region = {"notebook": "region_overview", **base, "year": year, **extra}
        if len(wanted) < len(known):  # the overview links only to the briefings written here
            region["county_briefings"] = list(wanted)
        plan.runs[f"region_{year}"] = region
    plan._names = names  # type: ignore[attr-defined] - for the comments of the params files
    return plan


def _side_files(county_sheet, previous_ledger, df, wanted: list[str], year: int) -> tuple[str | None, list, str | None]:
    """The county sheet and last year's ledger of every run, each read once here (a missing or
    bad one is refused before anything is written): ``(county sheet path, its warnings, ledger
    path)``, paths resolved, ``None`` when not given.

    The county sheet is read as the briefings read it: rows of counties not in the school table
    ``df`` (a city-wide sheet beside a table of some of its counties) are ignored with a
    warning naming them (``other_counties_ignored``); a sheet without a row for a county being
    briefed (``wanted``) in ``year`` is refused."""
    county_path, sheet_warnings, ledger_path = None, [], None
    if county_sheet:
        from balance.io.county_sheet import load_county_sheet

        counties = df.drop_duplicates("county_code").set_index("county_code")["county_name"].astype(str).to_dict() \
            if "county_name" in df.columns else sorted(df["county_code"].astype(str).unique())
        cs = load_county_sheet(county_sheet, known_counties=counties, other_counties="ignore")
        have = set(cs.data.loc[cs.data["year"] == year, "county_code"])
        lacking = [c for c in wanted if c not in have]
        if lacking:
            shown = "、".join(lacking[:20]) + (f" …（共 {len(lacking)} 个）" if len(lacking) > 20 else "")
            years = sorted({int(y) for y in cs.data["year"]})
            other_year_zh = other_year_en = ""
            if not have and years:  # no row of that year at all: most likely another year's sheet
                other_year_zh = f"。表中只有 {'、'.join(map(str, years))} 年的行：是否用了别的年份的填报表？"
                other_year_en = f". The sheet has rows for {', '.join(map(str, years))} only: is it another year's sheet?"
            raise _refuse(county_sheet, "县区代码", "county_sheet_lacks_county",
                          f"县级填报表中没有 {year} 年县区 {shown} 的行：要生成简报的每个县区都须有一行"
                          f"（或用 --county 只为表中有的县区生成）{other_year_zh}",
                          f"the county sheet has no row for {year} of county {', '.join(lacking[:20])}"
                          f"{' …' if len(lacking) > 20 else ''}: every county briefed needs one (or brief only "
                          f"the counties it has, with --county){other_year_en}", value=", ".join(lacking))
        sheet_warnings = list(cs.warnings)
        county_path = str(Path(county_sheet).resolve())
    if previous_ledger:
        from balance.analysis.ledger import read_previous_ledger

        read_previous_ledger(previous_ledger, year=year)
        ledger_path = str(Path(previous_ledger).resolve())
    return county_path, sheet_warnings, ledger_path


def _comment(run: str, p: dict, names: dict) -> str:
    c = p.get("county_code")
    label = f"{c} {names.get(c, '')}".strip() if c else "全部县区 / all counties"
    what = {"county_briefing": f"{p.get('year')} 年简报 / briefing", "county_trend": "逐年趋势 / trend",
            "region_overview": f"{p.get('year')} 年总览 / region overview"}[p["notebook"]]
    return f"# {label} {what}（由 balance brief 生成 / written by balance brief）\n"


def write_brief_params(plan: BriefPlan, out_dir) -> list[Path]:
    """Write each run's params as ``DIR/params/<run>.yaml`` (atomic; a file whose content is already
    the same is left untouched, so skip-if-unchanged sees the same input). Returns the paths."""
    from balance.io.files import atomic_write_text

    folder = Path(out_dir) / PARAMS_FOLDER
    names = getattr(plan, "_names", {})
    paths = []
    for run, p in plan.runs.items():
        text = _comment(run, p, names) + yaml.safe_dump(p, allow_unicode=True, sort_keys=False)
        path = folder / f"{run}.yaml"
        if not (path.is_file() and path.read_text(encoding="utf-8") == text):
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, text)
        paths.append(path)
    return paths


def run_brief(data, out_dir, *, year: int | None = None, counties=None, county_sheet=None,
              standard: str = "quality-2017", target_year: int | None = None, workers: int | None = None,
              force: bool = False, timeout: float | None = 600, progress: bool = True, notebooks_dir=None,
              sheet: str | None = None, previous_ledger=None, on_plan=None):
    """Plan, write the params into ``out_dir/params`` and run them with
    :func:`balance.running.batch.run_batch`. Returns ``(plan, batch_result)``; raises as
    :func:`plan_brief` (before anything is written) and as ``run_batch``. ``on_plan(plan)``, when
    given, is called once the plan stands, before anything runs (the command line says its warnings)."""
    from balance.running.batch import run_batch

    plan = plan_brief(data, year=year, counties=counties, county_sheet=county_sheet, standard=standard, sheet=sheet,
                      target_year=target_year, previous_ledger=previous_ledger)
    if on_plan is not None:
        on_plan(plan)
    paths = write_brief_params(plan, out_dir)
    batch = run_batch(paths, out_dir, workers=workers, force=force, timeout=timeout, progress=progress,
                      notebooks_dir=notebooks_dir)
    return plan, batch
