"""The house plan of ``balance/``, checked on the source (an AST pass over every module).

* **Layers**, bottom to top: kernel (``balance``, ``errors``, ``schema``, ``_resources``,
  ``_fast``, ``_aliases``) → ``io`` → ``method`` → ``analysis`` → ``reporting`` → ``running`` →
  ``cli``; ``synthetic`` (fictional data) may use the kernel, ``io`` and ``method`` and is used only
  by ``cli`` (and tests, benchmarks). A module imports only from its own layer or below.
* **No import cycle** between modules, imports inside functions counted (a deferred import that
  only dodges a cycle is still a cycle).
* **No argparse and no print(** outside ``balance/cli/``: the library returns values and raises;
  the command line talks to the terminal.
* **No module over 600 lines** (the target is about 400).
* **No function over 80 lines** (``def`` line to last line, docstring included) outside
  ``KNOWN_LONG``, which may only shrink: an entry that is no longer long fails until removed.
* **No alias path inside balance/**: the old flat names (``balance.assessment`` …) exist for users
  and old notebooks only (``balance/_aliases.py``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import balance
from balance._aliases import ALIASES

ROOT = Path(balance.__file__).resolve().parent
MAX_LINES = 600
KERNEL = {"balance", "balance.errors", "balance.schema", "balance._resources", "balance._fast",
          "balance._aliases"}
ORDER = ["kernel", "io", "method", "analysis", "reporting", "running", "cli"]
#: what each layer may import (its own layer included)
ALLOWED = {layer: set(ORDER[: i + 1]) for i, layer in enumerate(ORDER)}
ALLOWED["synthetic"] = {"kernel", "io", "method", "synthetic"}
ALLOWED["cli"] = ALLOWED["cli"] | {"synthetic"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}

#: Known debts being paid off by the ongoing split (issue 10 phase B); each entry must still fail,
#: so a fixed one has to be removed from here.
OVERSIZE: set[str] = set()
KNOWN_LAYER: set[tuple[str, str]] = set()
KNOWN_CYCLES: list[list[str]] = []
KNOWN_PRINT: set[str] = set()
MAX_FUNCTION_LINES = 80
#: functions over MAX_FUNCTION_LINES, as ``module:qualified.name``, being split (issue 10); each must
#: still be long, so a split one has to be removed from here (the set only shrinks; add nothing).
KNOWN_LONG: set[str] = {
}


def layer_of(name: str) -> str:
    if name == "balance.__main__":  # ``python -m balance``: the command line
        return "cli"
    if name in KERNEL:
        return "kernel"
    return name.split(".")[1]


def _resolve(name: str) -> str:
    """The module an imported dotted name denotes (``balance.io.reading.load`` → ``balance.io.reading``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(name: str) -> list[tuple[str, int, str]]:
    """(imported module, line, as written) for every ``balance`` import of a module, at any depth."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "balance" or a.name.startswith("balance."):
                    out.append((a.name, node.lineno, a.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not (mod == "balance" or mod.startswith("balance.")):
                continue
            for a in node.names:
                full = f"{mod}.{a.name}"
                out.append((full if full in MODULES or full in ALIASES else mod, node.lineno, full))
    return out


def graph() -> dict[str, set[str]]:
    g = {}
    for name in MODULES:
        g[name] = {_resolve(t) for t, _, _ in imports_of(name) if _resolve(t) != name and _resolve(t) in MODULES}
    return g


def test_no_module_imports_an_alias_path():
    bad = [f"{name}:{line}: {written}" for name in MODULES for target, line, written in imports_of(name)
           if target in ALIASES or written in ALIASES]
    assert bad == []


def test_layers_import_only_downwards():
    bad = []
    for name in MODULES:
        me = layer_of(name)
        for target, line, _ in imports_of(name):
            target = _resolve(target)
            if target in MODULES and layer_of(target) not in ALLOWED[me] and (name, target) not in KNOWN_LAYER:
                bad.append(f"{name}:{line} ({me}) imports {target} ({layer_of(target)})")
    assert bad == []


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def _facade(name: str) -> bool:
    """A package ``__init__`` that only re-exports its submodules (an edge into it is an edge to them)."""
    return MODULES[name].name == "__init__.py"


def test_no_import_cycles():
    g = graph()
    # importing a package facade means importing the submodules it re-exports; a submodule that
    # imports its own package's facade would be a real cycle and is counted as one.
    assert _cycles(g) == KNOWN_CYCLES


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_argparse_or_print_outside_the_cli():
    bad = []
    for name, path in MODULES.items():
        if layer_of(name) == "cli" or name in KNOWN_PRINT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                bad.append(f"{name}:{node.lineno}: print(")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n == "argparse" or n.startswith("argparse.") for n in names):
                    bad.append(f"{name}:{node.lineno}: import argparse")
    assert bad == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name):
    n = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    if name in OVERSIZE:
        assert n > MAX_LINES, f"{name} is split: remove it from OVERSIZE"
        pytest.xfail(f"{name}: {n} lines, split pending")
    assert n <= MAX_LINES, f"{name}: {n} lines (at most {MAX_LINES}; aim for about 400 — split it by concept)"


def function_lengths(tree: ast.AST, prefix: str = "") -> dict[str, int]:
    """{qualified name: lines from ``def`` to the last line} for every function, nested ones included."""
    out = {}
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + node.name
            out[name] = node.end_lineno - node.lineno + 1
            out.update(function_lengths(node, name + "."))
        elif isinstance(node, ast.ClassDef):
            out.update(function_lengths(node, prefix + node.name + "."))
        else:
            out.update(function_lengths(node, prefix))
    return out


def long_functions() -> dict[str, int]:
    """{``module:qualified.name``: lines} of every function of the package over MAX_FUNCTION_LINES."""
    out = {}
    for name, path in MODULES.items():
        for fn, n in function_lengths(ast.parse(path.read_text(encoding="utf-8"))).items():
            if n > MAX_FUNCTION_LINES:
                out[f"{name}:{fn}"] = n
    return out


def test_no_function_over_80_lines():
    long = long_functions()
    new = sorted(f"{k}: {n} lines" for k, n in long.items() if k not in KNOWN_LONG)
    assert new == [], (f"functions over {MAX_FUNCTION_LINES} lines (aim for about 80): split them into "
                       "named helpers, one concern each")


def test_known_long_only_shrinks():
    fixed = sorted(k for k in KNOWN_LONG if k not in long_functions())
    assert fixed == [], "no longer over the limit (or gone): remove from KNOWN_LONG"


def test_the_function_length_check_can_fail():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    src = f"class C:\n    def m(self):\n        def inner():\n            pass\n\ndef f():\n{body}\n"
    lengths = function_lengths(ast.parse(src))
    assert lengths["f"] == MAX_FUNCTION_LINES + 1 and lengths["C.m"] == 3 and lengths["C.m.inner"] == 2


def test_every_alias_names_a_module_and_is_the_same_object():
    import importlib

    for old, new in ALIASES.items():
        assert new in MODULES, new
        assert old not in MODULES, f"{old} has a file again: remove it (or the alias)"
        assert importlib.import_module(old) is importlib.import_module(new)
