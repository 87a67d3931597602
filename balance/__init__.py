"""balance — 义务教育优质均衡发展评估.

Read the annual school tables a county education bureau exports, compute the Ministry of
Education's resource-allocation indicators per school section, the pupil-weighted coefficient of
variation per county, the verdicts and the shortfalls (method: ``shared/spec/method.md``), and turn
them into notebooks and HTML briefings.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("balance")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

from balance import _aliases

_aliases.install()  # old flat import paths (balance.assessment, …) stay valid: see balance/_aliases.py

__all__ = ["__version__", "tune_memory"]


def __getattr__(name):  # PEP 562: ``balance.tune_memory`` without importing numpy on ``import balance``
    if name == "tune_memory":
        from balance._fast import tune_memory

        return tune_memory
    raise AttributeError(f"module 'balance' has no attribute {name!r}")
