"""Figures in the house style (split in progress: see the submodules).

The old flat module ``balance.plotting`` is an alias of this package, which re-exports its names.
"""
from balance.reporting.plotting import _all as _impl

globals().update({k: v for k, v in vars(_impl).items() if not k.startswith("__")})
__all__ = list(getattr(_impl, "__all__", [k for k in vars(_impl) if not k.startswith("_")]))
del _impl
