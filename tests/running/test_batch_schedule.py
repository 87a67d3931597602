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


def test_workers_start_before_planning_only_when_a_run_is_likely(tmp_path):
    """A rerun whose runs all have a recorded input hash and outputs starts no worker before
    planning (most often every run is unchanged); a missing one, or force, does."""
    from balance.running.batch import _likely_work
    from balance.running.manifest import HASH_FILE

    out = tmp_path / "out"
    runs = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    assert _likely_work(runs, out, force=False)
    for r in ("a", "b"):
        (out / r).mkdir(parents=True)
        (out / r / HASH_FILE).write_text("h\n", encoding="utf-8")
        (out / f"{r}.html").write_text("x", encoding="utf-8")
        (out / f"{r}.ipynb").write_text("{}", encoding="utf-8")
    assert not _likely_work(runs, out, force=False)
    assert _likely_work(runs, out, force=True)
    (out / "b.html").unlink()
    assert _likely_work(runs, out, force=False)
    assert not _likely_work([], out, force=True)


def test_an_early_started_executor_with_nothing_to_run_closes():
    ex = LocalExecutor(workers=2)
    ex.start(2, warm=False)
    ex.close()  # used to wait forever: no submit, so no manager told the workers to exit
    assert ex.pool is None
