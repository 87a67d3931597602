"""Find a Chinese (CJK) font and set matplotlib up so that figures never show tofu boxes.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs. Per-glyph fallback only walks the
entries of ``rcParams["font.family"]``, so :func:`configure_matplotlib` sets::

    font.family = ["DejaVu Sans", "<CJK family>"]

Latin letters, digits and symbols (≤ × ✓ ✗) come from DejaVu Sans, Chinese from the CJK font.
No generic ``"sans-serif"`` third entry: it resolves to DejaVu Sans again, and every text
object pays one more font lookup and a longer fallback chain for it (issue 16). DejaVu Sans
ships with matplotlib, so the first entry is always found.

Glyphs are drawn without hinting (``text.hinting = "no_hinting"``, :data:`TEXT_RC`): hinting a
CJK glyph costs about as much again as loading it, and at the ≈ 150 dpi of a printed figure
the hinted and unhinted shapes are alike.

Where the font comes from, in order (:data:`DEFAULT_SOURCES`):

``"env"``
    The file named by the environment variable ``BALANCE_CJK_FONT`` (a path to .ttf/.otf/.ttc).
``"matplotlib"``
    A font matplotlib already knows (system fonts scanned into its cache, or fonts registered
    earlier) whose family is a known Chinese family (:data:`KNOWN_FAMILIES`), or, failing that,
    whose name hints at CJK.
``"paths"``
    Known file locations on Linux (Noto Sans CJK, Source Han Sans, WenQuanYi), Windows
    (Microsoft YaHei, SimHei, DengXian) and macOS (PingFang, Hiragino Sans GB, STHeiti).

Every candidate is checked for real coverage of Chinese text (:data:`CJK_SAMPLE`) by asking the
font for its glyph indices, so a misnamed or Latin-only file is never used. If nothing is found,
:class:`CJKFontNotFoundError` says (in Chinese and English) how to fix it.
"""
from __future__ import annotations

import functools
import logging
import os
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Iterable, Sequence

log = logging.getLogger(__name__)

#: Environment variable naming a font file to use (takes precedence over everything else).
ENV_VAR = "BALANCE_CJK_FONT"

#: Characters a usable font must have glyphs for (words used in every briefing).
CJK_SAMPLE = "优质均衡差异系数小学初中城区镇区乡村达标未标准县"

#: Where to look, in order. Pass a subset to :func:`find_cjk_font` to restrict the search.
DEFAULT_SOURCES: tuple[str, ...] = ("env", "matplotlib", "paths")

#: Chinese font families matplotlib may already know, best first (simplified-Chinese faces first).
KNOWN_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "DengXian",
    "SimHei",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Arial Unicode MS",
)

# Name fragments that suggest a CJK font (last-resort scan of matplotlib's font list).
_CJK_NAME_HINTS = ("cjk", "hei", "han sans", "wenquanyi", "yahei", "pingfang", "song", "kai", "fang",
                   "ming", "gothic", "hiragino", "unicode ms")

# File name patterns searched under the font directories, best first.
_FILE_PATTERNS: tuple[str, ...] = (
    "notosanscjk*-regular.ttc",
    "notosanscjksc-regular.otf",
    "notosanssc-regular.*",
    "notosanssc*.ttf",
    "sourcehansans*-regular.ttc",
    "sourcehansanssc-regular.otf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "notosanscjk*.ttc",
    "sourcehansans*.ttc",
    "wqy*.tt?",
)

_LINUX_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

_WINDOWS_FILES = ("msyh.ttc", "msyh.ttf", "Deng.ttf", "simhei.ttf", "msyhl.ttc")

_MACOS_FILES = (
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
)


@dataclass(frozen=True)
class CJKFont:
    """A font file with Chinese glyphs, registered with matplotlib under ``family``."""

    path: str
    family: str
    source: str = ""  # "env", "matplotlib" or "paths"

    def font_family(self) -> list[str]:
        """The value for ``rcParams["font.family"]`` (and seaborn's ``font=``)."""
        return ["DejaVu Sans", self.family]


class CJKFontNotFoundError(RuntimeError):
    """No usable Chinese font. The message says, in Chinese and English, how to install one."""

    def __init__(self, tried: Sequence[str] = ()):
        self.tried = list(tried)
        lines = [
            "未找到可用的中文字体，图中的中文会显示为方框。/ No Chinese (CJK) font found: Chinese text in figures would show as boxes.",
            "解决办法 / How to fix (any one):",
            "  1. 在项目目录运行 make setup（会安装 fonts-wqy-microhei）/ run `make setup` in the project folder (installs fonts-wqy-microhei);",
            "  2. Debian/Ubuntu: sudo apt-get install fonts-noto-cjk   （或 / or fonts-wqy-microhei）;",
            "  3. 设置环境变量 BALANCE_CJK_FONT 为字体文件路径 / set BALANCE_CJK_FONT to a font file, e.g.",
            "     BALANCE_CJK_FONT=C:/Windows/Fonts/msyh.ttc  或 / or  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        ]
        if self.tried:
            lines.append("已检查 / checked:")
            lines.extend(f"  - {t}" for t in self.tried)
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------------------------
# coverage

def font_covers(path: str | os.PathLike, text: str = CJK_SAMPLE, face_index: int = 0) -> bool:
    """True when the font file (face ``face_index`` of a .ttc) has a glyph for every character."""
    chars = {c for c in text if not c.isspace()}
    try:
        from matplotlib import ft2font

        font = ft2font.FT2Font(str(path), face_index=face_index)
        return all(font.get_char_index(ord(c)) != 0 for c in chars)
    except Exception:  # noqa: BLE001 - unreadable by FreeType: try fontTools, else not usable
        pass
    try:
        from fontTools.ttLib import TTFont

        with TTFont(str(path), fontNumber=face_index, lazy=True) as tt:
            cmap = tt.getBestCmap() or {}
        return all(ord(c) in cmap for c in chars)
    except Exception:  # noqa: BLE001
        return False


def missing_glyphs(text: str, font: CJKFont | None = None) -> list[str]:
    """Characters of ``text`` that neither DejaVu Sans nor the CJK font can draw (for checks)."""
    from matplotlib import font_manager, ft2font

    font = font or find_cjk_font()
    faces = [ft2font.FT2Font(font_manager.findfont("DejaVu Sans", fallback_to_default=True))]
    for e in _entries_for_path(font.path):
        if e.name == font.family:
            faces.append(ft2font.FT2Font(e.fname, face_index=e.index))
            break
    else:
        faces.append(ft2font.FT2Font(font.path))
    out = []
    for c in dict.fromkeys(text):
        if c.isspace() or c in "\n":
            continue
        if all(f.get_char_index(ord(c)) == 0 for f in faces):
            out.append(c)
    return out


# --------------------------------------------------------------------------------------------
# search

_cache: dict[tuple, CJKFont] = {}


def clear_cache() -> None:
    """Forget the font found earlier (tests; or after installing a font in a running kernel)."""
    _cache.clear()


def find_cjk_font(*, sources: Iterable[str] = DEFAULT_SOURCES, sample: str = CJK_SAMPLE) -> CJKFont:
    """Find, register with matplotlib and return a font that covers Chinese.

    ``sources`` restricts where to look (see the module docs). With ``sources=("env",)`` only
    ``BALANCE_CJK_FONT`` is tried, and a missing or non-Chinese file raises
    :class:`CJKFontNotFoundError` instead of falling back. With the default sources a bad
    ``BALANCE_CJK_FONT`` is logged and the search goes on.
    The result is cached per (sources, value of ``BALANCE_CJK_FONT``).
    """
    sources = tuple(sources)
    unknown = set(sources) - set(DEFAULT_SOURCES)
    if unknown:
        raise ValueError(f"unknown font sources {sorted(unknown)}; use some of {DEFAULT_SOURCES}")
    key = (sources, os.environ.get(ENV_VAR, ""), sample)
    if key in _cache:
        return _cache[key]
    tried: list[str] = []
    found: CJKFont | None = None
    for src in sources:
        if src == "env":
            found = _from_env(sample, tried)
        elif src == "matplotlib":
            found = _from_matplotlib(sample, tried)
        elif src == "paths":
            found = _from_paths(sample, tried)
        if found is not None:
            break
    if found is None:
        raise CJKFontNotFoundError(tried)
    _cache[key] = found
    log.debug("CJK font: %s (%s) from %s", found.family, found.path, found.source)
    return found


def _from_env(sample: str, tried: list[str]) -> CJKFont | None:
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        tried.append(f"{ENV_VAR}: 未设置 / not set")
        return None
    path = Path(os.path.expandvars(os.path.expanduser(raw)))
    if not path.is_file():
        msg = f"{ENV_VAR}={raw}: 文件不存在 / file does not exist"
        tried.append(msg)
        log.warning(msg)
        return None
    font = _register_file(path, sample, source="env")
    if font is None:
        msg = f"{ENV_VAR}={raw}: 不是含中文字形的字体 / not a font with Chinese glyphs"
        tried.append(msg)
        log.warning(msg)
    return font


def _from_matplotlib(sample: str, tried: list[str]) -> CJKFont | None:
    from matplotlib import font_manager

    entries = list(font_manager.fontManager.ttflist)
    by_name: dict[str, list] = {}
    for e in entries:
        by_name.setdefault(e.name.lower(), []).append(e)
    for fam in KNOWN_FAMILIES:
        for e in sorted(by_name.get(fam.lower(), []), key=_weight_rank):
            if font_covers(e.fname, sample, e.index):
                return CJKFont(path=str(e.fname), family=e.name, source="matplotlib")
    # last resort: any known font whose name hints at CJK and that really covers the sample
    for e in sorted(entries, key=_weight_rank):
        low = e.name.lower()
        if any(h in low for h in _CJK_NAME_HINTS) and "mono" not in low and font_covers(e.fname, sample, e.index):
            return CJKFont(path=str(e.fname), family=e.name, source="matplotlib")
    tried.append("matplotlib: 已知字体中没有中文字体 / no Chinese font among the fonts matplotlib knows")
    return None


def _from_paths(sample: str, tried: list[str]) -> CJKFont | None:
    for path in _candidate_files():
        font = _register_file(path, sample, source="paths")
        if font is not None:
            return font
        tried.append(f"{path}: 不含中文字形 / no Chinese glyphs")
    tried.append("paths: Linux /usr/share/fonts (noto cjk, wqy), Windows Fonts (msyh, simhei, Deng), "
                 "macOS (PingFang, Hiragino Sans GB) — 未找到 / none found")
    return None


def _candidate_files() -> list[Path]:
    out: list[Path] = []
    if sys.platform.startswith("win") or os.environ.get("WINDIR"):
        windir = Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"
        local = Path(os.environ.get("LOCALAPPDATA", "~")).expanduser() / "Microsoft/Windows/Fonts"
        for d in (windir, Path("C:/Windows/Fonts"), local):
            out.extend(d / f for f in _WINDOWS_FILES)
    out.extend(Path(p) for p in _MACOS_FILES)
    files: list[Path] = []
    for d in _LINUX_DIRS:
        root = Path(d).expanduser()
        if root.is_dir():
            for dirpath, _dirs, names in os.walk(root):
                files.extend(Path(dirpath) / n for n in names)
    for pat in _FILE_PATTERNS:
        out.extend(sorted(f for f in files if fnmatch(f.name.lower(), pat)))
    seen: set[str] = set()
    result = []
    for p in out:
        if str(p) not in seen and p.is_file():
            seen.add(str(p))
            result.append(p)
    return result


def _entries_for_path(path: str | os.PathLike) -> list:
    from matplotlib import font_manager

    try:
        real = os.path.realpath(path)
    except OSError:
        real = str(path)
    return [e for e in font_manager.fontManager.ttflist
            if e.fname == str(path) or os.path.realpath(e.fname) == real]


def _register_file(path: Path, sample: str, source: str) -> CJKFont | None:
    """Register a font file with matplotlib and return its best Chinese face, or None."""
    from matplotlib import font_manager

    if not _entries_for_path(path):
        try:
            font_manager.fontManager.addfont(str(path))
        except Exception as exc:  # noqa: BLE001 - not a font FreeType can read
            log.debug("cannot register %s: %s", path, exc)
            return None
    entries = sorted(_entries_for_path(path), key=_face_rank)
    for e in entries:
        if font_covers(path, sample, e.index):
            return CJKFont(path=str(path), family=e.name, source=source)
    if not entries:  # registration produced no entry (should not happen): read the name directly
        try:
            family = font_manager.FontProperties(fname=str(path)).get_name()
        except Exception:  # noqa: BLE001
            return None
        if font_covers(path, sample):
            return CJKFont(path=str(path), family=family, source=source)
    return None


def _face_rank(e) -> tuple:
    """Order faces of one file: simplified Chinese first, proportional before mono, regular weight."""
    name = e.name.lower()
    sc = 0 if any(t in name for t in (" sc", " cn", "gb", "hans", "yahei", "hei", "wenquanyi")) else 1
    mono = 1 if "mono" in name else 0
    return (mono, sc, _weight_rank(e), e.index)


def _weight_rank(e) -> int:
    w = e.weight if isinstance(e.weight, int) else {"normal": 400, "regular": 400, "book": 400,
                                                     "medium": 500, "bold": 700, "light": 300}.get(str(e.weight), 400)
    return abs(int(w) - 400)


# --------------------------------------------------------------------------------------------
# matplotlib set-up

def font_family() -> list[str]:
    """``["DejaVu Sans", <CJK family>]`` — the font list for rcParams / seaborn."""
    return find_cjk_font().font_family()


#: How glyphs are rasterised: unhinted (half the cost of a hinted CJK glyph, alike at print resolution).
TEXT_RC = {"text.hinting": "no_hinting"}


def configure_matplotlib(font: CJKFont | None = None) -> CJKFont:
    """Make matplotlib draw Chinese: set the font list, ASCII minus, SVG text as paths.

    Safe to call many times (the search is cached; rcParams are simply set again). Returns the font.
    """
    import matplotlib as mpl

    font = font or find_cjk_font()
    mpl.rcParams["font.family"] = font.font_family()
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["svg.fonttype"] = "path"
    mpl.rcParams.update(TEXT_RC)
    return font


def has_bold(font: CJKFont | None = None) -> bool:
    """True when the CJK family has a bold face (WenQuanYi Micro Hei has none: asking for bold
    would make matplotlib log "findfont: Failed to find font weight bold" into the notebook)."""
    return _has_bold(font or find_cjk_font())


@functools.lru_cache(maxsize=8)
def _has_bold(font: CJKFont) -> bool:
    from matplotlib import font_manager

    for e in font_manager.fontManager.ttflist:
        if e.name == font.family:
            w = e.weight if isinstance(e.weight, int) else font_manager.weight_dict.get(str(e.weight), 400)
            if int(w) >= 600:
                return True
    return False


def bold_weight(font: CJKFont | None = None) -> str:
    """``"bold"`` when the CJK font has a bold face, else ``"normal"`` (no findfont warnings)."""
    return "bold" if has_bold(font) else "normal"


def rc_params(font: CJKFont | None = None) -> dict:
    """The rcParams :func:`configure_matplotlib` sets, for ``matplotlib.rc_context``."""
    font = font or find_cjk_font()
    return {"font.family": font.font_family(), "axes.unicode_minus": False, "svg.fonttype": "path", **TEXT_RC}


__all__ = [
    "CJKFont",
    "CJKFontNotFoundError",
    "CJK_SAMPLE",
    "DEFAULT_SOURCES",
    "ENV_VAR",
    "KNOWN_FAMILIES",
    "clear_cache",
    "configure_matplotlib",
    "find_cjk_font",
    "bold_weight",
    "font_covers",
    "has_bold",
    "font_family",
    "missing_glyphs",
    "rc_params",
]
