"""Colour grids: the split colour maps of the attainment and CV-ratio grids, cells as vector quads,
and a readable text colour on a cell."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.colors import ListedColormap, to_rgb


def _split_cmap(low: Sequence[str], high: Sequence[str], n: int = 128) -> ListedColormap:
    """A colormap with a visible step in the middle: ``low`` colours below, ``high`` above."""
    def ramp(cols):
        cols = np.array([to_rgb(c) for c in cols])
        t = np.linspace(0, 1, n)
        pos = np.linspace(0, 1, len(cols))
        return np.column_stack([np.interp(t, pos, cols[:, i]) for i in range(3)])
    return ListedColormap(np.vstack([ramp(low), ramp(high)])).with_extremes(bad="#eeeeee")


#: Below the standard: reds (dark = far below); at or above: blues. The step at 1.0 is visible.
ATTAINMENT_CMAP = _split_cmap(["#8b1a1a", "#d6604d", "#f4a582", "#fbe0d0"], ["#deebf7", "#9ecae1", "#4292c6", "#08519c"])


#: CV ÷ limit: at or under the limit blues-to-white-ish greens; over the limit reds.
CV_RATIO_CMAP = _split_cmap(["#e8f1e4", "#c7e0bd", "#8cc084", "#3f8f4f"][::-1], ["#fbd5c5", "#f4a582", "#d6604d", "#8b1a1a"])


def _grid_mesh(ax, data: np.ndarray, cmap, norm):
    """Cells as vector quads (row 0 at the top, white gaps): faster than imshow for tall grids."""
    nrows, ncols = data.shape
    mesh = ax.pcolormesh(np.arange(ncols + 1) - 0.5, np.arange(nrows + 1) - 0.5, np.ma.masked_invalid(data),
                         cmap=cmap, norm=norm, edgecolors="white", linewidth=1.0)
    ax.set_xlim(-0.5, ncols - 0.5)
    ax.set_ylim(nrows - 0.5, -0.5)
    return mesh


def _text_color(rgba) -> str:
    """Black or white text, whichever reads better on the cell colour."""
    r, g, b = rgba[:3]
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "#1a1a1a"
