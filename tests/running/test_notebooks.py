"""Every notebook executes on demo data through the batch runner; the exported HTML is checked.

Also: the committed notebooks carry no outputs, and every params file in params/demo validates.
"""
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from balance.running import run_batch
from balance.running.params import validate_run
from tests import hostile
from tests.browser import Browser, chromium
from tests.hostile import make_hostile

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_committed_without_outputs():
    assert {p.stem for p in NOTEBOOKS} >= {"county_briefing", "county_trend", "region_overview", "explore"}
    for p in NOTEBOOKS:
        nb = json.loads(p.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        for c in nb["cells"]:
            if c["cell_type"] == "code":
                assert not c.get("outputs") and not c.get("execution_count"), p.name
        tags = [t for c in nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
        assert "parameters" in tags, p.name


@pytest.mark.parametrize("params", sorted((ROOT / "params" / "demo").glob("*.yaml")), ids=lambda p: p.stem)
def test_demo_params_validate(params):
    validate_run(params)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb")
    df = pd.read_csv(ROOT / "data/demo/schools.csv", dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990103", "990105"]) & df["年份"].isin(["2024", "2025"])]
    # hostile input is normal input: names that would be markup, Markdown or TeX if not escaped
    # (the original names stay at the end; see tests/hostile.py and test_briefings_run_no_script)
    first = df.groupby("县区代码")["学校标识码"].first()
    df = make_hostile(df, {"990103": hostile.IMG, "990105": hostile.SCRIPT + hostile.TEX},
                      schools={first["990103"]: hostile.SVG, first["990105"]: hostile.IMG + hostile.MARKDOWN},
                      townships={t: hostile.QUOTE for t in df["乡镇"].dropna().unique()[:2]})
    data = tmp / "demo_subset.csv"
    df.to_csv(data, index=False, encoding="utf-8-sig")
    pdir = tmp / "params"
    pdir.mkdir()
    runs = {
        "990103_2025": {"notebook": "county_briefing", "county_code": "990103", "year": 2025,
                        "title": hostile.TITLE + "东湖区简报"},
        "990105_trend": {"notebook": "county_trend", "county_code": "990105"},
        "region_2025": {"notebook": "region_overview", "year": 2025},
        "explore": {"notebook": "explore"},
    }
    for name, p in runs.items():
        lines = [f"notebook: {p['notebook']}", f"data: {data}"]
        lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in p.items() if k != "notebook"]  # JSON is YAML
        (pdir / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "out"
    result = run_batch([pdir], out, workers=2, progress=False, timeout=300)
    return result, out


def test_every_notebook_runs(batch):
    result, out = batch
    failed = {r.run: r.error for r in result.runs if r.status != "ok"}
    assert failed == {}
    manifest = pd.read_csv(out / "manifest.csv", encoding="utf-8-sig")
    assert set(manifest["status"]) == {"ok"} and len(manifest) == 4


def test_no_glyph_warnings_in_kernel_output(batch):
    _, out = batch
    for ipynb in out.glob("*.ipynb"):
        nb = json.loads(ipynb.read_text(encoding="utf-8"))
        for c in nb["cells"]:
            for o in c.get("outputs", []):
                text = o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                assert "Glyph" not in text and "missing from font" not in text, ipynb.name
                assert o.get("output_type") != "error", ipynb.name


@pytest.mark.parametrize("run,name", [("990103_2025", "东湖区"), ("990105_trend", "南川县"), ("region_2025", "东湖区")])
def test_exported_briefing(batch, run, name):
    _, out = batch
    html = (out / f"{run}.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in html
    assert name in html
    assert "data:image/png;base64," in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?:", html)
    assert "Traceback" not in html and "Error" not in re.sub(r"<[^>]+>", "", html)
    assert "def " not in html and "briefing." not in html  # no code
    assert len(html.encode()) < 5 * 1024 * 1024
    assert html.count('alt="') >= html.count("<img")


@pytest.mark.skipif(chromium() is None, reason="no Chromium on this machine (CI installs it)")
def test_briefings_run_no_script_from_data(batch, tmp_path):
    """Every briefing (and the batch index) in headless Chromium: no script, handler or dialog from
    the data ran. A control page with the same payloads unescaped must trip both detectors, so a
    browser that runs nothing cannot pass the test by accident."""
    _, out = batch
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{hostile.SCRIPT}{hostile.IMG}"
                       f"{hostile.SVG}</body></html>", encoding="utf-8")
    pages = sorted(out.glob("*.html"))
    assert {p.stem for p in pages} >= {"990103_2025", "990105_trend", "region_2025", "explore", "index"}
    with Browser() as browser:
        dom, dialogs = browser.visit(control)
        assert dom.count(hostile.MARKER) == 2 and dialogs == 1
        for page in pages:
            dom, dialogs = browser.visit(page)
            assert (hostile.MARKER in dom, dialogs) == (False, 0), page.name
            assert hostile.active_markup(dom) == [], page.name
            if page.stem != "index":
                assert "南川县" in dom or "东湖区" in dom, page.name  # the page was really rendered
                assert "<strong>粗体</strong>" not in dom and "<em>" not in dom, page.name  # no Markdown
                assert "MathJax" not in dom and "<mjx" not in dom, page.name  # nothing typesets "$x^2$"


def test_briefings_have_no_markup_from_data(batch):
    """The exported HTML (not only the browser's view): data texts appear escaped, never as tags."""
    _, out = batch
    for run in ("990103_2025", "990105_trend", "region_2025", "explore"):
        text = (out / f"{run}.html").read_text(encoding="utf-8")
        assert hostile.active_markup(text) == [], run
        shown = "".join(hostile.Parsed(text).text)
        assert "<script>document" in shown or "<img src=x" in shown, run  # the names are there, as text
    shown = "".join(hostile.Parsed((out / "990103_2025.html").read_text(encoding="utf-8")).text)
    assert hostile.TITLE + "东湖区简报" in shown  # the title parameter, as text


def test_briefing_reads_a_parquet_store(tmp_path):
    """A notebook's ``data`` may be a Parquet store made by ``balance ingest``; reruns skip when unchanged."""
    from balance.io.ingest import ingest

    df = pd.read_csv(ROOT / "data/demo/schools.csv", dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990105"]) & df["年份"].isin(["2024", "2025"])]
    store = tmp_path / "store"
    for year in ("2024", "2025"):
        f = tmp_path / f"{year}.csv"
        df[df["年份"] == year].to_csv(f, index=False, encoding="utf-8-sig")
        ingest(f, store)
    p = tmp_path / "990105_2025.yaml"
    p.write_text(f"notebook: county_briefing\ndata: {store}\ncounty_code: '990105'\nyear: 2025\n", encoding="utf-8")
    r1 = run_batch([p], tmp_path / "out", workers=1, progress=False, timeout=300)
    assert [r.status for r in r1.runs] == ["ok"], [r.error for r in r1.runs]
    assert "南川县" in (tmp_path / "out" / "990105_2025.html").read_text(encoding="utf-8")
    r2 = run_batch([p], tmp_path / "out", workers=1, progress=False, timeout=300)
    assert [r.status for r in r2.runs] == ["skipped"]


# issue 11 items 5 and 7: every notebook renders under every shipped standard and the provincial
# example, and its rendered text quotes the limits of the standard in use, not quality-2017's
OTHER_STANDARDS = ("basic-2012", "province-example")


@pytest.fixture(scope="module")
def standards_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nbstd")
    df = pd.read_csv(ROOT / "data/demo/schools.csv", dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990101", "990105"]) & df["年份"].isin(["2024", "2025"])]
    data = tmp / "demo_subset.csv"
    df.to_csv(data, index=False, encoding="utf-8-sig")
    pdir = tmp / "params"
    pdir.mkdir()
    for std in OTHER_STANDARDS:
        runs = {f"990105_2025_{std}": "notebook: county_briefing\ncounty_code: \"990105\"\nyear: 2025\n",
                f"990105_trend_{std}": "notebook: county_trend\ncounty_code: \"990105\"\n",
                f"region_2025_{std}": "notebook: region_overview\nyear: 2025\n"}
        for name, text in runs.items():
            (pdir / f"{name}.yaml").write_text(f"{text}data: {json.dumps(str(data))}\nstandard: {std}\n", encoding="utf-8")
    out = tmp / "out"
    result = run_batch([pdir], out, workers=2, progress=False, timeout=300)
    return result, out


@pytest.mark.parametrize("std", OTHER_STANDARDS)
def test_every_notebook_renders_under_every_standard(standards_batch, std):
    from balance.method.standards import load_standard

    result, out = standards_batch
    failed = {r.run: r.error for r in result.runs if r.status != "ok" and r.run.endswith(std)}
    assert failed == {}
    s = load_standard(std)
    for kind in ("990105_2025", "990105_trend", "region_2025"):
        html = (out / f"{kind}_{std}.html").read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", "", html)
        assert "Traceback" not in text
        assert "小学不超过 0.50" not in text and "初中不超过 0.45" not in text and "国家标准" not in text
        assert "至少 6 项指标达到标准、其余 1 项不低于 85%" not in text
        if kind == "990105_2025":
            for st, v in s.composite_cv.limit.items():
                assert f"{st}不超过 {v:.2f}" in text
            if s.school_rule is not None:
                assert f"{len(s.indicators)} 项指标中至少 {s.school_rule.min_met} 项达到标准" in text


def test_explore_walks_a_researcher_through_in_order(batch):
    """issue 12: trends across all counties, township equity, a what-if, the four areas, the planner —
    in that order, each step really executed (its table is in the exported notebook)."""
    _, out = batch
    nb = json.loads((out / "explore.ipynb").read_text(encoding="utf-8"))
    heads = ["".join(c["source"]).splitlines()[0] for c in nb["cells"] if c["cell_type"] == "markdown"
             and "".join(c["source"]).startswith("## ")]
    steps = ["Multi-year trends across all counties", "Township equity", "what-if scenario",
             "four-area evaluation", "least-cost planner"]
    where = [next(i for i, h in enumerate(heads) if s in h) for s in steps]
    assert where == sorted(where), heads

    def shown(c):
        return "".join("".join(o.get("data", {}).get("text/plain", "")) + "".join(o.get("text", ""))
                       for o in c.get("outputs", []))
    text = {("".join(c["source"])).splitlines()[0]: shown(c) for c in nb["cells"] if c["cell_type"] == "code"}
    assert any("single_school" in t for t in text.values())  # township equity, tidy
    assert any("after" in t and "school_passed" in t for t in text.values())  # the what-if, before/after
    assert any("government_status" in t for t in text.values())  # the four areas
    assert any("feasible:" in t for t in text.values())  # the planner
