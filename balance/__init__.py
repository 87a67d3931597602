"""balance — 义务教育优质均衡发展评估.

Read the annual school tables a county education bureau exports, compute the Ministry of
Education's resource-allocation indicators per school section, the pupil-weighted coefficient of
variation per county, the verdicts and the shortfalls (method: ``shared/spec/method.md``), and turn
them into notebooks and HTML briefings.

Where a researcher starts (``notebooks/explore.ipynb`` walks through these)::

    import balance
    from balance.assessment import assess          # the official assessment (``scenario=`` for what-ifs)
    from balance.equity import equity_table        # every inequality measure, per county or per group
    from balance import inequality                 # the pure, pupil-weighted measures
    from balance.evaluation import evaluate        # the four areas, with a county sheet
    from balance.planner import plan               # the least-cost plan

    a = assess(balance.demo_data())                # the bundled demo data, from any working folder

This package itself stays import-light (``import balance`` loads no pandas); the names above
live in their layers (``io → method → analysis → reporting → running → cli``).
"""
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("balance")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

from balance import _aliases

_aliases.install()  # old flat import paths (balance.assessment, …) stay valid: see balance/_aliases.py

__all__ = ["__version__", "tune_memory", "demo_data"]


def __getattr__(name):  # PEP 562: ``balance.tune_memory`` without importing numpy on ``import balance``
    if name == "tune_memory":
        from balance._fast import tune_memory

        return tune_memory
    if name == "demo_data":
        from balance._resources import demo_data

        return demo_data
    raise AttributeError(f"module 'balance' has no attribute {name!r}")
