"""How a batch hands its runs out: longest first, workers started before planning.

* runs are submitted in the order of their last time in the manifest, longest first; runs never
  timed go first; ties keep the order given;
* the local executor starts all its worker processes at ``start()``, before any run is submitted
  (so they, and their kept kernels, start while the batch plans).
"""
from __future__ import annotations

from balance.running.batch import _longest_first
from balance.running.executors import LocalExecutor


def _spec(run: str) -> dict:
    return {"run": run}


def test_longest_first_by_last_manifest_time_unknown_first_ties_in_order():
    previous = {"short": {"seconds": "3.10"}, "long": {"seconds": "40.5"}, "mid": {"seconds": "12"},
                "mid2": {"seconds": "12"}, "blank": {"seconds": ""}}
    todo = [_spec(r) for r in ("short", "mid", "new", "long", "mid2", "blank")]
    got = [s["run"] for s in _longest_first(todo, previous)]
    assert got == ["new", "blank", "long", "mid", "mid2", "short"]


def test_longest_first_keeps_the_given_order_without_a_manifest():
    todo = [_spec(r) for r in ("b", "a", "c")]
    assert [s["run"] for s in _longest_first(todo, {})] == ["b", "a", "c"]


def test_local_executor_starts_its_workers_before_the_first_submit():
    ex = LocalExecutor(workers=2)
    try:
        ex.start(5, warm=False)
        assert ex.n == 2
        assert len(ex.pool._processes) == 2  # launched now, not one per submit
        assert sorted(fut.result(timeout=120) for fut in [ex.pool.submit(abs, -3), ex.pool.submit(abs, -4)]) == [3, 4]
    finally:
        ex.close()
