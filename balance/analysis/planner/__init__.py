"""Least-cost plans to pass the standard (costs, solver, plan, CV contributions).

The old flat module ``balance.planner`` is an alias of this package, which re-exports its names.
"""
from balance.analysis.planner import planning as _impl

globals().update({k: v for k, v in vars(_impl).items() if not k.startswith("__")})
__all__ = list(getattr(_impl, "__all__", [k for k in vars(_impl) if not k.startswith("_")]))
del _impl
