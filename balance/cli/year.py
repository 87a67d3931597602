"""Commands of the bureau's year: ``ledger`` (the rectification ledger that carries over) and
``sample`` (the field-check sample).

Each ``add_*`` function adds one sub-command (listed in :data:`balance.cli.COMMANDS`); the handlers
import the library when they run.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from balance.cli._args import EXIT_OK, add_out, add_sheet, add_standard, county_code
from balance.errors import plural


def iso_date(text: str) -> dt.date:
    """argparse type: a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, not {text!r}") from None


def _counties(a, codes, source: str) -> None:
    from balance.errors import InputError, Problem

    have = set(a.verdicts["county_code"].astype(str))
    bad = [c for c in codes if c not in have]
    if bad:
        raise InputError([Problem(file=source, column="县区代码", value=c, code="county_not_in_data",
                                  problem_zh=f"该年数据中没有县区代码 {c}", problem_en=f"county code {c} is not in that year's data")
                          for c in bad], "筛选条件与数据不符", "filter does not match the data")


def _cmd_ledger(args: argparse.Namespace) -> int:
    from balance.analysis.ledger import build_ledger, read_previous_ledger, write_ledger
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    previous = read_previous_ledger(args.previous, year=args.year) if args.previous else None  # refuse early
    table = load_school_table(args.input, sheet=args.sheet)
    ev = None
    if args.county_sheet:
        from balance.cli._args import say_ignored_rows
        from balance.method.evaluation import evaluate

        # a city-wide sheet, as brief reads it; with --county only those counties are listed, so the
        # others' rows are not required
        ev = evaluate(table, args.county_sheet, args.standard, year=args.year, other_counties="ignore",
                      require_rows=not args.county)
        say_ignored_rows(ev.warnings)
        a = ev.assessment
    else:
        a = assess(table, args.standard, year=args.year)
    codes = list(dict.fromkeys(args.county or []))
    if codes:
        _counties(a, codes, table.path)
        a = _select(a, codes)
        if ev is not None:
            ev.items = ev.items[ev.items["county_code"].isin(codes)]
    led = build_ledger(a, ev, previous, year=args.year, as_of=args.as_of, previous_path=args.previous)
    paths = write_ledger(led, args.out)
    print(f"评估标准 / standard: {led.standard}；年度 / year {led.year}；逾期判断日期 / as of {led.as_of}")
    for r in led.counts().itertuples(index=False):
        parts = "，".join(f"{s} {getattr(r, s)}" for s in ("新增", "未完成", "已逾期", "已整改", "本年无数据"))
        print(f"  {r.county_code} {r.county_name}：{r.合计} 项（{parts}）")
    over = led.overdue()
    if len(over):
        print(f"已逾期 {len(over)} 项 / {plural(len(over), 'overdue item')}:")
        for r in over.head(20).itertuples(index=False):
            who = " ".join(x for x in (r.lead_unit, r.owner) if isinstance(x, str)) or "未填责任人"
            print(f"      - {r.county_name} {r.school_name or ''} {r.item}（{who}，完成时限 {r.deadline}）")
    print(f"台账已写入 / ledger written to {Path(args.out).resolve()} ({plural(len(paths), 'file')}, {len(led.rows)} 行 rows)")
    return EXIT_OK


def _select(a, codes):
    from balance.method.assessment import Assessment

    def sel(df):
        if df is None or df.empty or "county_code" not in df:
            return df
        return df[df["county_code"].isin(codes)].reset_index(drop=True)

    names = ("sections", "school_results", "excluded", "county_indicators", "shortfalls", "county_shortfalls", "verdicts")
    out = Assessment(a.standard, a.source, a.sha256, *(sel(getattr(a, n)) for n in names[:3]), None,
                     *(sel(getattr(a, n)) for n in names[3:]), a.warnings, a.header_map)
    return out


def add_ledger(sub) -> None:
    """``ledger INPUT --year Y --out DIR [--county CODE ...] [--county-sheet FILE] [--previous LEDGER.xlsx]
    [--as-of DATE] [--standard S] [--sheet S]``."""
    p = sub.add_parser("ledger", help="整改台账（逐年延续）/ the rectification ledger, carried over year to year")
    p.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    p.add_argument("--year", type=int, required=True, help="台账年度 / the year of the ledger")
    add_out(p)
    p.add_argument("--county", nargs="+", action="extend", metavar="CODE", type=county_code,
                   help="只列这些县区代码（可多个）/ only these county codes (one or more)")
    p.add_argument("--county-sheet", help="县级填报表：列入其他三个领域与一票否决的未达标事项 / county sheet: "
                                          "adds the unmet items of the other areas and the vetoes")
    p.add_argument("--previous", metavar="LEDGER.xlsx",
                   help="上年填好的台账：保留已填内容并标注状态 / last year's filled ledger: keeps entries, sets statuses")
    p.add_argument("--as-of", type=iso_date, default=None, metavar="YYYY-MM-DD",
                   help="判断逾期的日期（默认今天）/ date deadlines are compared with (default today)")
    add_standard(p)
    add_sheet(p)
    p.set_defaults(func=_cmd_ledger)


def _share(text: str) -> float:
    """argparse type: a share in (0, 1] as ``0.4`` or ``40%``; full-width ``４０％`` and spaces as an
    input method types them are read the same (NFKC)."""
    import unicodedata

    t = unicodedata.normalize("NFKC", text).strip()
    try:
        x = float(t.rstrip("%").strip()) / (100 if t.endswith("%") else 1)
    except ValueError:
        x = float("nan")
    if not (0 < x <= 1):
        raise argparse.ArgumentTypeError(f"must be a share in (0, 1] such as 0.4 or 40%, not {text!r}")
    return x


def _cmd_sample(args: argparse.Namespace) -> int:
    from balance.analysis.sample import draw_sample, write_sample
    from balance.method.assessment import assess

    a = assess(args.input, args.standard, year=args.year, county=args.county)
    s = draw_sample(a, year=args.year, county=args.county, share=args.share, seed=args.seed)
    paths = write_sample(s, args.out)
    need = s.required
    print(f"{s.year} {s.county_code} {s.county_name}：义务教育学校 {s.population} 所，按 {s.share:.0%} 应抽 {need} 所，"
          f"实际抽取 {s.size} 所（随机种子 {s.seed}）")
    print(f"  schools {s.population}, share {s.share:.0%} → at least {need}; drawn {s.size} (seed {s.seed})")
    for code, zh in (("school_rule", "未达到学校标准（必查）"), ("cv_driver", "推高差异系数（必查）"), ("random", "分层随机")):
        print(f"  {zh}：{int((s.schools['reason_code'] == code).sum())} 所")
    print(f"抽样名单已写入 / sample written to {Path(args.out).resolve()} ({plural(len(paths), 'file')})")
    return EXIT_OK


def add_sample(sub) -> None:
    """``sample INPUT --year Y --county CODE --out DIR [--share 0.4] [--seed N] [--standard S] [--sheet S]``."""
    p = sub.add_parser("sample", help="实地核查抽样名单 / the field-check sample of a county")
    p.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    p.add_argument("--year", type=int, required=True, help="年度 / year")
    p.add_argument("--county", required=True, type=county_code, help="县区代码 / county code")
    add_out(p)
    p.add_argument("--share", type=_share, default=0.4, help="抽样比例（默认 0.4）/ share of schools (default 0.4)")
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0；同一种子得到同一名单）/ random seed (default 0)")
    add_standard(p)
    add_sheet(p)
    p.set_defaults(func=_cmd_sample)


def _cmd_oversize(args: argparse.Namespace) -> int:
    from balance.analysis.oversize import oversize_counts, write_oversize
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    table = load_school_table(args.input, sheet=args.sheet)
    a = assess(table, args.standard, year=args.year, county=args.county)
    counts = oversize_counts(table, a)
    paths = write_oversize(counts, args.out)
    for r in counts.itertuples(index=False):
        print(f"  {r.year} {r.county_code} {r.county_name}：超规模学校 {r.oversized_schools} 所（超出 {r.seats_needed} 人），"
              f"小学超标班额 {r.primary_oversized_classes} 个、初中 {r.junior_oversized_classes} 个；"
              f"需增加班数 小学 {r.primary_classes_needed}、初中 {r.junior_classes_needed}")
    print(f"大校额、大班额统计已写入 / oversize counts written to {Path(args.out).resolve()} ({plural(len(paths), 'file')})")
    return EXIT_OK


def add_oversize(sub) -> None:
    """``oversize INPUT --out DIR [--year Y] [--county C] [--standard S] [--sheet S]``."""
    from balance.cli._args import add_county, add_year

    p = sub.add_parser("oversize", help="大校额、大班额统计 / oversized schools and classes per county-year")
    p.add_argument("input", help="学校数据表 (CSV / Excel) / school table")
    add_out(p)
    add_year(p)
    add_county(p)
    add_standard(p)
    add_sheet(p)
    p.set_defaults(func=_cmd_oversize)
