"""Labels and numbers of the figures: indicator short names and units, number formats, frame checks."""
from __future__ import annotations

import functools
import math
import textwrap
from typing import Iterable, Sequence

import pandas as pd

from balance.reporting.plotting.style import FLOOR_SHARE


@functools.lru_cache(maxsize=1)
def _indicator_meta() -> dict[str, tuple[str, str]]:
    """indicator name → (short label, unit), read from the bundled standard files."""
    meta: dict[str, tuple[str, str]] = {}
    try:
        from importlib.resources import files

        import yaml

        folder = files("balance").joinpath("data", "standards")
        for f in sorted(folder.iterdir(), key=lambda p: p.name):
            if f.name.endswith((".yaml", ".yml")):
                doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
                for ind in doc.get("indicators", []) or []:
                    name = ind.get("name")
                    if name and name not in meta:
                        meta[name] = (ind.get("short") or name, ind.get("unit") or "")
    except Exception:  # noqa: BLE001 - labels are cosmetic: fall back to full names
        pass
    return meta


def indicator_short(name: str) -> str:
    """Short label of an indicator (e.g. 仪器设备), or the name itself."""
    return _indicator_meta().get(name, (name, ""))[0]


def indicator_unit(name: str) -> str:
    """Unit of an indicator (e.g. 元/生), or ''."""
    return _indicator_meta().get(name, (name, ""))[1]


def _wrap(text: str, width: int = 10) -> str:
    """Wrap Chinese text (no spaces) every ``width`` characters."""
    if len(text) <= width:
        return text
    lines = math.ceil(len(text) / width)
    per = math.ceil(len(text) / lines)
    parts = textwrap.wrap(text, width=per, break_long_words=True, break_on_hyphens=False)
    for i in range(1, len(parts)):  # no line starts with closing punctuation (、，。）)
        while parts[i] and parts[i][0] in _NO_LINE_START:
            parts[i - 1] += parts[i][0]
            parts[i] = parts[i][1:]
    return "\n".join(p for p in parts if p)

_NO_LINE_START = "、，。；：？！）」』】%％"


def fmt_num(x, decimals: int | None = None) -> str:
    """Readable number: thousands separators, no needless trailing zeros (2000 → '2,000')."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "—"
    x = float(x)
    if decimals is None:
        if abs(x - round(x)) < 1e-9:
            decimals = 0
        elif abs(x) >= 100:
            decimals = 1
        elif abs(x) >= 0.1:
            decimals = 2
        else:
            decimals = 4
        s = f"{x:,.{decimals}f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    return f"{x:,.{decimals}f}"


def _pct(x: float, decimals: int = 0) -> str:
    return "—" if pd.isna(x) else f"{x * 100:.{decimals}f}%"


def _pct_int(v: float) -> str:
    """Whole percent, never rounded up onto a threshold: 0.996 → "99" (not a pass-looking "100"),
    0.849 → "84"."""
    r = round(v * 100)
    for limit in (1.0, FLOOR_SHARE):  # 0.849 → "84", not "85"
        if v < limit and r >= round(limit * 100):
            r = round(limit * 100) - 1
    return f"{r:.0f}"


def _isna(x) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _status(v) -> str:
    """'pass', 'fail' or 'na' from a nullable boolean."""
    if _isna(v):
        return "na"
    return "pass" if bool(v) else "fail"


def _ordered(values: Iterable, order: Sequence[str]) -> list:
    vals = list(dict.fromkeys(v for v in values if not _isna(v)))
    return [o for o in order if o in vals] + [v for v in vals if v not in order]


def _require(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: 缺少列 / missing columns {missing}")


def _pick_year(df: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if "year" not in df.columns or df.empty:
        return df, year
    if year is None:
        year = int(pd.to_numeric(df["year"]).max())
    out = df[pd.to_numeric(df["year"]) == year]
    if out.empty:
        raise ValueError(f"没有 {year} 年的数据 / no rows for year {year}")
    return out, year


def _county_label(df: pd.DataFrame) -> str:
    if "county_name" not in df.columns:
        return ""
    names = list(dict.fromkeys(df["county_name"].dropna().astype(str)))
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return "、".join(names)
    return f"{len(names)} 个县区"


def _one_county(df: pd.DataFrame, what: str) -> None:
    key = "county_code" if "county_code" in df.columns else "county_name" if "county_name" in df.columns else None
    if key and df[key].nunique(dropna=True) > 1:
        raise ValueError(f"{what} 只画一个县区；多个县区请用 region_cv_heatmap / {what} draws one county; "
                         f"for several counties use region_cv_heatmap")


def _ref_label(ax, y: float, text: str, color: str, below: bool = False, side: str = "left") -> None:
    """A label at one end of a horizontal reference line (axes x, data y), above or below it."""
    x, dx, ha = (0.0, 3, "left") if side == "left" else (1.0, -2, "right")
    ax.annotate(text, xy=(x, y), xycoords=("axes fraction", "data"), xytext=(dx, -2 if below else 2),
                textcoords="offset points", ha=ha, va="top" if below else "bottom", fontsize=8,
                color=color, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def _section_frame(section_values: pd.DataFrame, what: str) -> pd.DataFrame:
    _require(section_values, ["school_code", "stage", "indicator", "value", "standard"], what)
    df = section_values.copy()
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    df["standard"] = pd.to_numeric(df["standard"], errors="coerce").astype("float64")
    if "ratio" not in df.columns:
        df["ratio"] = df["value"] / df["standard"]
    else:
        df["ratio"] = pd.to_numeric(df["ratio"], errors="coerce").astype("float64")
        fill = df["ratio"].isna() & df["standard"].gt(0)
        df.loc[fill, "ratio"] = df.loc[fill, "value"] / df.loc[fill, "standard"]
    if "school_name" not in df.columns:
        df["school_name"] = df["school_code"].astype(str)
    if "urban_rural" not in df.columns:
        df["urban_rural"] = "未分类"
    return df
