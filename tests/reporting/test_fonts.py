"""A Chinese font is found, registered and really covers Chinese; a bad BALANCE_CJK_FONT with no
fallback gives a clear bilingual error; figures with Chinese text raise no 'Glyph missing'."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from balance.reporting import fonts


@pytest.fixture(autouse=True)
def _fresh_cache():
    fonts.clear_cache()
    yield
    fonts.clear_cache()


def _dejavu() -> str:
    return str(Path(mpl.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"))


def test_found_font_covers_chinese():
    font = fonts.find_cjk_font()
    assert Path(font.path).is_file()
    assert font.family in {e.name for e in font_manager.fontManager.ttflist}  # registered
    assert fonts.font_covers(font.path, "优质均衡差异系数" + fonts.CJK_SAMPLE) or any(
        fonts.font_covers(e.fname, fonts.CJK_SAMPLE, e.index)
        for e in font_manager.fontManager.ttflist if e.name == font.family)
    assert fonts.missing_glyphs("义务教育优质均衡发展 县域 差异系数 ≤ 0.45 ✓ ✗ 2,500 元/生", font) == []


def test_font_covers_rejects_latin_font():
    assert not fonts.font_covers(_dejavu(), "优质均衡")
    assert fonts.font_covers(_dejavu(), "abc")


def test_configure_sets_family_list_and_is_idempotent():
    a = fonts.configure_matplotlib()
    b = fonts.configure_matplotlib()
    assert a == b
    assert list(mpl.rcParams["font.family"]) == ["DejaVu Sans", a.family]
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["svg.fonttype"] == "path"
    assert fonts.find_cjk_font() is fonts.find_cjk_font()  # cached


def test_chinese_figure_renders_without_glyph_warning():
    fonts.configure_matplotlib()
    fig = Figure(figsize=(4, 2))
    ax = fig.subplots()
    ax.set_title("生均教学仪器设备值（元/生）差异系数 ≤ 0.45")
    ax.set_xlabel("城区 镇区 乡村 −1")
    ax.plot([-1, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")


def test_without_cjk_font_glyph_missing_is_an_error():
    """The guard the other tests rely on: DejaVu alone does warn (and so would fail)."""
    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "优质均衡", family=["DejaVu Sans"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(io.BytesIO(), format="png")


def test_env_var_font_is_used(monkeypatch):
    real = fonts.find_cjk_font()
    fonts.clear_cache()
    monkeypatch.setenv(fonts.ENV_VAR, real.path)
    font = fonts.find_cjk_font(sources=("env",))
    assert font.source == "env" and font.path == real.path


@pytest.mark.parametrize("bad", ["/nonexistent/font.ttf", "latin"])
def test_bad_env_var_without_fallback_raises_bilingual_error(monkeypatch, bad):
    monkeypatch.setenv(fonts.ENV_VAR, _dejavu() if bad == "latin" else bad)
    with pytest.raises(fonts.CJKFontNotFoundError) as err:
        fonts.find_cjk_font(sources=("env",))
    msg = str(err.value)
    assert "未找到可用的中文字体" in msg and "No Chinese (CJK) font found" in msg
    assert "BALANCE_CJK_FONT" in msg and "make setup" in msg and "fonts-noto-cjk" in msg
    assert any(("不存在" in t) or ("不是含中文字形" in t) for t in err.value.tried)


def test_bad_env_var_with_fallback_finds_another_font(monkeypatch):
    monkeypatch.setenv(fonts.ENV_VAR, "/nonexistent/font.ttf")
    font = fonts.find_cjk_font()
    assert font.source in ("matplotlib", "paths")


def test_nothing_found_raises(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "KNOWN_FAMILIES", ())
    monkeypatch.setattr(fonts, "_CJK_NAME_HINTS", ())
    monkeypatch.setattr(fonts, "_candidate_files", lambda: [])
    with pytest.raises(fonts.CJKFontNotFoundError):
        fonts.find_cjk_font()


def test_unknown_source_is_refused():
    with pytest.raises(ValueError):
        fonts.find_cjk_font(sources=("internet",))
