"""After a batch, the region overview links only the county briefings that were written: the link
to a county briefing whose run failed becomes the county's name marked 未生成 (as ``brief --county``
names the counties not briefed), ``results.json`` ``linked`` says what is linked, the index notes
it; when the briefing is there again, the next batch links it again (the overview itself skipped).
The overview is a small notebook writing the real block (balance.reporting.county_links)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from balance.running import run_batch

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"
CSV = "年份,县区代码,县区名称\n2025,990101,青山县\n2025,990102,清河县\n"
REGION = '''
import json, pathlib
from IPython.display import HTML, display
from balance.reporting.county_links import county_links_html
counties = [("990101", "青山县"), ("990102", "清河县")]
links = [(f"{c}_{year}.html", f"{n}（{c}）{year} 年简报") for c, n in counties]
display(HTML('<div class="cover"><h1>总览</h1></div>' + county_links_html(links, year)))
pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)
(pathlib.Path(output_dir) / "results.json").write_text(json.dumps({"year": year, "ranking": [c for c, _ in counties],
    "linked": [{"file": f, "text": t, "county_code": c, "county_name": n} for (f, t), (c, n) in zip(links, counties)]},
    ensure_ascii=False), encoding="utf-8")
'''


def _project(tmp_path: Path) -> tuple[Path, Path]:
    nbs = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, nbs)
    nb = new_notebook(cells=[new_code_cell('year = 2000\ndata = ""\noutput_dir = ""', metadata={"tags": ["parameters"]}),
                             new_code_cell(REGION)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nbs / "region_overview.ipynb")
    data = tmp_path / "schools.csv"
    data.write_text(CSV, encoding="utf-8")
    params = tmp_path / "params"
    params.mkdir()
    (params / "region_2025.yaml").write_text(f"notebook: region_overview\ndata: {data}\nyear: 2025\n", encoding="utf-8")
    for c in ("990101", "990102"):
        (params / f"{c}_2025.yaml").write_text(f'notebook: county_briefing\ndata: {data}\ncounty_code: "{c}"\n'
                                               "year: 2025\n", encoding="utf-8")
    # 990102's run fails: a key its notebook does not declare
    (params / "990102_2025.yaml").write_text((params / "990102_2025.yaml").read_text() + "county_sheet: x.csv\n")
    (tmp_path / "x.csv").write_text("年份,县区代码\n", encoding="utf-8")
    return nbs, params


def test_a_failed_county_briefing_is_named_not_linked_and_comes_back(tmp_path):
    nbs, params = _project(tmp_path)
    out = tmp_path / "out"
    b = run_batch([params], out, workers=2, progress=False, notebooks_dir=nbs, timeout=120)
    assert {r.run: r.status for r in b.runs} == {"region_2025": "ok", "990101_2025": "ok", "990102_2025": "failed"}
    page = (out / "region_2025.html").read_text(encoding="utf-8")
    assert 'href="990101_2025.html"' in page and 'href="990102_2025.html"' not in page
    assert "未生成 2025 年简报的县区（简报运行失败或未运行，不链接）：清河县（990102）。" in page
    res = json.loads((out / "region_2025" / "results.json").read_text(encoding="utf-8"))
    assert [x["file"] for x in res["linked"]] == ["990101_2025.html"]
    assert [x["file"] for x in res["unlinked"]] == ["990102_2025.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "总览已标为“未生成”、不链接：清河县（990102）2025 年简报" in index

    # the briefing is fixed: the overview is unchanged (skipped) and links it again
    (params / "990102_2025.yaml").write_text((params / "990102_2025.yaml").read_text().replace("county_sheet: x.csv\n", ""))
    b = run_batch([params], out, workers=2, progress=False, notebooks_dir=nbs, timeout=120)
    assert {r.run: r.status for r in b.runs} == {"region_2025": "skipped", "990101_2025": "skipped", "990102_2025": "ok"}
    page = (out / "region_2025.html").read_text(encoding="utf-8")
    assert 'href="990101_2025.html"' in page and 'href="990102_2025.html"' in page and "未生成" not in page
    res = json.loads((out / "region_2025" / "results.json").read_text(encoding="utf-8"))
    assert [x["file"] for x in res["linked"]] == ["990101_2025.html", "990102_2025.html"] and res["unlinked"] == []
    assert "未生成" not in (out / "index.html").read_text(encoding="utf-8")
