"""Running notebooks in batches (papermill): parameters, manifest, workers, executors.

The old flat module ``balance.runner`` is an alias of this package, which re-exports its names.
"""
from balance.running import batch as _impl

globals().update({k: v for k, v in vars(_impl).items() if not k.startswith("__")})
__all__ = list(getattr(_impl, "__all__", [k for k in vars(_impl) if not k.startswith("_")]))
del _impl
