"""The researcher's public API (issue 12): ``__all__`` in every public module of the method and
analysis layers (and the kernel's errors), naming only what the module really has."""
import ast
import importlib
from pathlib import Path

import pytest

import balance

ROOT = Path(balance.__file__).resolve().parent
PUBLIC = sorted(
    ".".join(p.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
    for layer in ("method", "analysis") for p in (ROOT / layer).rglob("*.py")
    if not any(part.startswith("_") for part in p.relative_to(ROOT).with_suffix("").parts)
) + ["balance", "balance.errors"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_module_declares_all(name):
    if name.startswith("balance.analysis.planner.") or name in ("balance.method", "balance.analysis"):
        pytest.skip("the planner package's modules and the layer packages are re-exported by their package")
    mod = importlib.import_module(name)
    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
    if not defined and not hasattr(mod, "__all__") and Path(mod.__file__).name != "__init__.py":
        pytest.skip(f"{name} defines only private helpers (an internal module)")
    assert isinstance(getattr(mod, "__all__", None), list), f"{name} has no __all__"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert missing == [], f"{name}.__all__ names what it does not have: {missing}"
    assert len(set(mod.__all__)) == len(mod.__all__)
    # every public function and class defined here is declared (a new one must be added)
    assert [n for n in defined if n not in mod.__all__] == [], f"{name}: public but not in __all__"


def test_package_level_names():
    assert {"demo_data", "__version__"} <= set(balance.__all__)
    for n in balance.__all__:
        assert getattr(balance, n) is not None
