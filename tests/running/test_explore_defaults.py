"""issue 12 trap 6: ``explore.ipynb`` failed when started outside ``notebooks/`` because its default
data path was relative. Its parameters and its reading cell run here from another working folder."""
from __future__ import annotations

import json
import os
from pathlib import Path

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "explore.ipynb"


def test_explore_reads_the_demo_data_from_any_working_folder(tmp_path, monkeypatch):
    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    params = "".join(cells[0]["source"])
    reading = next("".join(c["source"]) for c in cells if "load_school_table(" in "".join(c["source"]))
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(params, ns)
    exec(reading.rsplit("\n", 1)[0], ns)  # without the last line (a display expression)
    table = ns["table"]
    assert Path(table.path).is_absolute() and Path(table.path).is_file()
    assert len(table.data) > 0 and os.getcwd() == str(tmp_path)


def test_demo_data_names_a_missing_file():
    import pytest

    from balance import demo_data

    assert demo_data().name == "schools.csv" and demo_data().is_file()
    with pytest.raises(FileNotFoundError, match="balance demo-data"):
        demo_data("no-such-file.csv")
