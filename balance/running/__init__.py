"""Running notebooks in batches (papermill → HTML briefings), in parallel.

* :mod:`~balance.running.notebooks` — the notebooks a batch can run and where they are;
* :mod:`~balance.running.params` — one YAML params file per run (``RunParams``);
* :mod:`~balance.running.manifest` — ``manifest.csv`` and the skip-if-unchanged input hash;
* :mod:`~balance.running.worker` — one run in a worker process (execute, export, capture);
* :mod:`~balance.running.executors` — local processes or Dask;
* :mod:`~balance.running.batch` — :func:`run_batch` / :func:`run_report` (planning, publishing);
* :mod:`~balance.running.index_page` — the batch's ``index.html``;
* :mod:`~balance.running.results` — ``RunResult``, ``BatchResult`` and the batch errors;
* :mod:`~balance.running.outdir` — the safety rules of the output folder.

The old module ``balance.runner`` is an alias of this package, which re-exports its names.
"""
import os  # noqa: F401 - ``runner.os`` as before

from balance.running.batch import expand_params, run_batch, run_report
from balance.running.index_page import write_index
from balance.running.manifest import HASH_FILE, MANIFEST_COLUMNS, input_hash, read_manifest, write_manifest
from balance.running.notebooks import NOTEBOOK_ZH, default_notebooks_dir
from balance.running.results import STATUS_ZH, BatchError, BatchInterrupted, BatchResult, RunResult
from balance.running.worker import (  # noqa: F401 - the private names are the old runner's, for tests
    CONSOLE_PROBLEMS,
    MANIFEST_PROBLEMS,
    NOISE_PATTERNS,
    _execute,
    _filter_noise,
    execute_run,
    problem_text,
    problems_line,
    problems_table,
    remove_stale_outputs,
)

__all__ = [
    "BatchError", "BatchInterrupted", "BatchResult", "CONSOLE_PROBLEMS", "HASH_FILE", "MANIFEST_COLUMNS",
    "MANIFEST_PROBLEMS", "NOISE_PATTERNS", "NOTEBOOK_ZH", "RunResult", "STATUS_ZH", "default_notebooks_dir",
    "execute_run", "expand_params", "input_hash", "problem_text", "problems_line", "problems_table",
    "read_manifest", "remove_stale_outputs", "run_batch", "run_report", "write_index", "write_manifest",
]
