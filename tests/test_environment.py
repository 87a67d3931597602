"""environment.yml (conda users) and pyproject.toml (the source of truth) must not drift."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(data["dependencies"])
    for extra in data["optional-dependencies"].values():
        reqs.extend(extra)
    return {_name(r): r.replace(" ", "") for r in reqs}


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) not in ("python", "pip"):
            out[_name(d)] = d.replace(" ", "")
        elif isinstance(d, dict) and "pip" in d:  # packages installed through pip (e.g. pyscipopt)
            out.update({_name(r): r.replace(" ", "") for r in d["pip"] if not r.startswith("-")})
    return out


def test_same_packages():
    py, conda = _pyproject(), _conda()
    assert sorted(set(py) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(py)) == [], "in environment.yml but not pyproject.toml"


def test_same_version_bounds():
    py, conda = _pyproject(), _conda()
    diff = {k: (py[k], conda[k]) for k in py if k in conda and py[k] != conda[k]}
    assert diff == {}


def test_environment_installs_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = [d for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip and "-e ." in pip[0]["pip"]
