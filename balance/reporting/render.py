"""Figures to image bytes: PNG (palette) or SVG, at a resolution that prints sharply on A4.

:func:`render_figure` draws one matplotlib figure; :func:`print_dpi` is the resolution a briefing
figure is drawn at. :mod:`balance.reporting.display` wraps the bytes into ``<figure>`` markup (and
re-exports these names).
"""
from __future__ import annotations

import io

#: The widest a figure is ever shown: an A4 page less its print margins (about 7 in); the screen
#: column of the briefing (60rem) is about as wide. A figure drawn wider is scaled down to it.
PRINT_WIDTH_IN = 7.0
#: Pixels per inch of that printed width (sharp on paper and on an ordinary screen).
PRINT_DPI = 150


def print_dpi(fig, dpi: float = PRINT_DPI) -> float:
    """The resolution a briefing figure is rendered at: ``dpi``, but never more pixels across than
    :data:`PRINT_DPI` × :data:`PRINT_WIDTH_IN` (≈ 1,050 px).

    ``min(dpi, PRINT_DPI · PRINT_WIDTH_IN / width_in)`` with the figure's width in inches: an
    11-inch small-multiples figure is drawn at 95 dpi (it is printed 7 in wide, at 150 dpi), a
    5-inch chart at ``dpi``. Pixels (and so drawing, palette and PNG time and bytes) fall with the
    square of the factor; what is printed is unchanged.
    """
    width = float(fig.get_figwidth())
    return min(float(dpi), PRINT_DPI * PRINT_WIDTH_IN / width) if width > 0 else float(dpi)


def render_figure(fig, fmt: str = "png", dpi: float = 150, optimize: bool = True) -> bytes:
    """The figure as PNG or SVG bytes (tight bounding box, Chinese fonts, no timestamps).

    ``optimize`` reduces a PNG to a 256-colour palette (charts have few colours): 3–4× smaller,
    no visible change apart from slight banding in colour bars. The figure is then drawn to raw
    RGBA pixels and encoded once (a PNG written by matplotlib would be decoded again: 0.5–1 s
    more for a 120-row heatmap); the bytes are the same as quantizing matplotlib's PNG.
    """
    import matplotlib as mpl

    from balance.reporting import fonts

    fmt = fmt.lower()
    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be 'png' or 'svg'")
    buf = io.BytesIO()
    # figures laid out by constrained layout (all of balance.reporting.plotting) already fit their canvas:
    # skipping bbox_inches="tight" saves a second full draw (seconds for a 120-row heatmap)
    # (and so do figures with a fixed layout, plotting.style._fixed_figure)
    engine = fig.get_layout_engine() if hasattr(fig, "get_layout_engine") else None
    fitted = type(engine).__name__ == "ConstrainedLayoutEngine" or getattr(fig, "balance_fixed_layout", False)
    bbox = None if fitted else "tight"
    raw = fmt == "png" and optimize and bbox is None
    rc = dict(fonts.rc_params())
    if bbox is None:  # bbox_inches=None falls back to rcParams["savefig.bbox"] ("tight" in the house style)
        rc["savefig.bbox"] = "standard"
    with mpl.rc_context(rc):
        if raw:
            fig.savefig(buf, format="raw", dpi=dpi)
            size = (int(fig.get_figwidth() * dpi), int(fig.get_figheight() * dpi))
            quantized = _quantize_rgba(buf.getvalue(), size)
            if quantized is not None:
                return quantized
            buf = io.BytesIO()  # pragma: no cover - a canvas of another size: take the PNG path
        if fmt == "png":
            fig.savefig(buf, format="png", dpi=dpi, bbox_inches=bbox, metadata={"Software": None})
        else:
            fig.savefig(buf, format="svg", bbox_inches=bbox, metadata={"Date": None, "Creator": None})
    data = buf.getvalue()
    if fmt == "png" and optimize:
        data = _quantize_png(data)
    return data


def _palette_png(rgb) -> bytes:
    from PIL import Image

    # fast octree + plain zlib: ~3× faster than median cut + optimize=True (0.3 s vs 1.0 s for a
    # 120-row heatmap) for ~20 % more bytes; a briefing has ~10 figures, so this is seconds per run
    q = rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    q.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _quantize_rgba(raw: bytes, size: tuple[int, int]) -> bytes | None:
    """Palette PNG of raw RGBA pixels (``size`` = width, height); None when the sizes disagree."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return None
    if len(raw) != size[0] * size[1] * 4:
        return None
    return _palette_png(Image.frombuffer("RGBA", size, raw, "raw", "RGBA", 0, 1).convert("RGB"))


def _quantize_png(data: bytes) -> bytes:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return data
    with Image.open(io.BytesIO(data)) as im:
        small = _palette_png(im.convert("RGB"))
    return small if len(small) < len(data) else data


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0
