"""In the kept kernel (:mod:`balance.running.kernel`), once after its imports: the first-use costs
of a briefing paid (:func:`warm_up`) and the batch's data file read and assessed into the
kernel's cache (:func:`warm_inputs`). The kernel calls them through ``balance.running.kernel``."""
from __future__ import annotations

__all__ = ["warm_inputs", "warm_up"]


def warm_inputs(hint) -> None:
    """In the kept kernel, once: read and assess the batch's data file into the kernel's cache
    (:func:`balance.method.cache.warm`), and, for a county with a county sheet, read the sheet and
    evaluate it once (first-use costs: the workbook reader, the item specifications). ``hint`` =
    (data, sheet, standard, county_code, year, county_sheet), from the batch's first params
    file. Best effort: a briefing reports its own problems."""
    from balance.method import cache

    data, sheet, standard, county, year, county_sheet = (list(hint) + [None] * 6)[:6]
    if not cache.warm(data, sheet, standard) or not (county and county_sheet):
        return
    try:
        from balance.method.evaluation import evaluate

        evaluate(cache.school_table(data, sheet), county_sheet, standard, year=year, county=county,
                 other_counties="ignore")  # as the briefings do
    except Exception:  # noqa: BLE001
        pass


def warm_up() -> None:
    """In the kept kernel, once after the imports: pay the first-use costs of a briefing there
    instead of in its first run, then freeze the heap.

    * ``briefing.setup()`` imports seaborn (and with it scipy.stats) and registers the CJK font;
      a small figure with Chinese text is drawn to PNG (font file parsed, glyph cache, Agg);
    * pandera's lazily imported modules (its hypothesis strategies, its geopandas check), which the
      first validation of a school table would otherwise import;
    * ``gc.freeze()``: what is alive now (modules, fonts, caches) is left out of later garbage
      collections, so the reset between runs (``%reset -f`` collects) and the collections during a
      run no longer walk the whole of pandas / matplotlib / scipy (1 s → 0.1 s on a loaded machine).

    Whatever it changes is set back by :data:`RESET_CODE` before every run (rcParams, warning
    filters) or here (the pandas display option, the house-style flag), so a notebook still sees
    what a fresh kernel that imported ``balance`` shows it. Best effort: a failure here is left to
    the run itself to report.
    """
    import gc
    import importlib
    import io
    import warnings

    import pandas as pd

    columns = pd.get_option("display.max_columns")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from matplotlib.figure import Figure

            from balance.reporting import briefing
            from balance.reporting.plotting import style

            briefing.setup()
            fig = Figure(figsize=(2, 1))
            fig.subplots().set_title("均衡 warm-up")
            fig.savefig(io.BytesIO(), format="png", dpi=72)
            style._style_applied = False
            for name in ("pandera.strategies.pandas_strategies", "geopandas"):
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - optional: pandera imports it when present
                    pass
    except Exception:  # noqa: BLE001 - the first run reports a real problem itself
        pass
    finally:
        pd.set_option("display.max_columns", columns)
    gc.collect()
    gc.freeze()
