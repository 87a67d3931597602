"""Shared test configuration.

Hypothesis' per-example deadline is a wall-clock assertion: on a loaded 2-core CI machine it
fails tests whose maths is right. The project measures speed in ``benchmarks/`` instead, so the
deadline is off for every property test.
"""
from hypothesis import settings

settings.register_profile("balance", deadline=None)
settings.load_profile("balance")
