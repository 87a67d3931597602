"""Checks of ``balance demo-data``'s options and of its output folder (raise InputError, exit 2).

Part of :mod:`balance.synthetic.demo` (the data are synthetic: 模拟数据，非真实学校).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from balance.synthetic.demo.files import README_TEXT

#: ``--counties`` of ``--scale national`` at most (the default is 2,850, about China's count).
MAX_COUNTIES = 100_000
#: ``--years N`` of ``--scale national`` as a count of years at most.
MAX_YEAR_COUNT = 50


def check_demo_args(args: Any) -> None:
    """Refuse (InputError, exit 2) a seed, year or county count the generators cannot use.

    ``args``: the parsed ``demo-data`` options (attributes ``seed``, ``years``, ``counties`` and
    optionally ``scale``), e.g. the command line's ``argparse.Namespace``.
    """
    from balance.errors import InputError, Problem
    from balance.io.validation import messages

    th = messages()["thresholds"]
    low, high = int(th["year_min"]), int(th["year_max"])
    national = getattr(args, "scale", "demo") == "national"
    probs = []

    def bad(option, value, zh, en):
        probs.append(Problem(file="命令行 / command line", column=option, value=str(value), code="bad_option",
                             problem_zh=zh, problem_en=en))

    if not 0 <= args.seed < 2 ** 32:
        bad("--seed", args.seed, f"随机种子应为 0–{2 ** 32 - 1} 的整数", f"the seed must be a whole number from 0 to {2 ** 32 - 1}")
    years = list(args.years or [])
    if national and len(years) == 1 and 0 < years[0] < 1000:
        if years[0] > MAX_YEAR_COUNT:
            bad("--years", years[0], f"年数最多 {MAX_YEAR_COUNT}", f"at most {MAX_YEAR_COUNT} years")
    else:
        for y in years:
            if not low <= y <= high:
                bad("--years", y, f"年份应为 {low}–{high} 之间的四位数年份" + ("（或 1–50 表示年数）" if national else ""),
                    f"a year must be a 4-digit year from {low} to {high}" + (" (or 1-50: a number of years)" if national else ""))
    if args.counties is not None and not 1 <= args.counties <= MAX_COUNTIES:
        bad("--counties", args.counties, f"县区数应为 1–{MAX_COUNTIES}", f"the number of counties must be 1 to {MAX_COUNTIES}")
    if probs:
        raise InputError(probs, "命令行参数有误", "invalid option")



#: The files ``write_demo`` writes (and replaces).
DEMO_FILES = ("schools.csv", "schools.xlsx", "county_sheet.xlsx", "README.md")


def refuse_foreign_files(out_dir) -> None:
    """Refuse (InputError, exit 2) to replace files that ``demo-data`` did not write: a folder that
    holds one of :data:`DEMO_FILES` counts as a demo folder only when its ``README.md`` is the demo
    README (first line); otherwise a clerk's own ``schools.csv`` would be overwritten. ``--force``
    replaces them anyway."""
    from balance.errors import InputError, Problem

    out = Path(out_dir)
    present = [n for n in DEMO_FILES if (out / n).exists() or (out / n).is_symlink()]
    if not present:
        return
    readme = out / "README.md"
    first = README_TEXT.splitlines()[0].encode("utf-8")
    try:
        ours = readme.is_file() and not readme.is_symlink() and readme.open("rb").read(len(first)) == first
    except OSError:
        ours = False
    if ours:
        return
    raise InputError([Problem(file=str(out / n), column="--out", code="demo_would_overwrite",
                              problem_zh="该文件不是 balance demo-data 生成的，不会被覆盖；请换一个 --out 文件夹，或加 --force 覆盖",
                              problem_en="this file was not written by balance demo-data and is not replaced; choose another "
                                         "--out folder, or add --force to replace it") for n in present],
                     "不会覆盖已有文件", "existing files not replaced")
