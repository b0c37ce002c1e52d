"""The rules the tree keeps (docs/architecture.md): file and function size, no import cycles, no private names across packages.

The checks read the source with :mod:`ast`; nothing is imported. ``KNOWN`` lists
what was over a limit when the rule was introduced: a listed place must still
be over it (so the list shrinks as the debt is paid), and no new place may be.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "flighttrace"
MAX_FILE_LINES = 800
MAX_FUNCTION_LINES = 100

KNOWN_LONG_FILES: set[str] = set()
KNOWN_LONG_FUNCTIONS: set[str] = set()
KNOWN_CYCLES: list[set[str]] = [
]
KNOWN_PRIVATE_IMPORTS: set[str] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _package_of(module: str, modules: dict[str, Path]) -> str:
    """The package a module belongs to: itself for a package, else its parent."""
    return module if modules[module].name == "__init__.py" else module.rsplit(".", 1)[0]


def _imports(tree: ast.Module) -> Iterator[ast.ImportFrom | ast.Import]:
    """Every import statement, except those under ``if TYPE_CHECKING:``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for b in node.body for n in ast.walk(b)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
            yield node


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _graph(modules: dict[str, Path]) -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = {m: set() for m in modules}
    private: list[str] = []
    for mod, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [_resolve(a.name, modules) for a in node.names if a.name.startswith("flighttrace")]
            elif node.module and node.module.startswith("flighttrace") and node.level == 0:
                targets = []
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    targets.append(sub if sub in modules else _resolve(node.module, modules))
                    if a.name.startswith("_") and not a.name.startswith("__") and sub not in modules:
                        src = _resolve(node.module, modules)
                        if src is not None and _package_of(src, modules) != _package_of(mod, modules):
                            private.append(f"{mod} imports {node.module}.{a.name}")
            else:
                targets = []
            edges[mod] |= {t for t in targets if t is not None and t != mod}
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_file_is_over_800_lines() -> None:
    long = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > MAX_FILE_LINES}
    assert long - KNOWN_LONG_FILES == set()
    assert KNOWN_LONG_FILES <= long, "a listed file is now short enough: take it off KNOWN_LONG_FILES"


def test_no_function_is_over_100_lines() -> None:
    long = set()
    for p in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                    long.add(f"{p.relative_to(ROOT)}:{node.name}")
    assert long - KNOWN_LONG_FUNCTIONS == set()
    assert KNOWN_LONG_FUNCTIONS <= long, "a listed function is now short enough: take it off KNOWN_LONG_FUNCTIONS"


def test_no_import_cycles() -> None:
    edges, _ = _graph(_modules())
    cycles = _cycles(edges)
    assert [c for c in cycles if c not in KNOWN_CYCLES] == []
    assert all(c in cycles for c in KNOWN_CYCLES), "a listed cycle is gone: take it off KNOWN_CYCLES"


def test_no_private_name_is_imported_from_another_package() -> None:
    _, private = _graph(_modules())
    assert set(private) - KNOWN_PRIVATE_IMPORTS == set()
    assert KNOWN_PRIVATE_IMPORTS <= set(private), "a listed import is gone: take it off KNOWN_PRIVATE_IMPORTS"


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    # a tiny package with a cycle and a private import across packages: the graph sees both
    edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert _cycles(edges) == [{"a", "b"}]
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flighttrace.x import y\nfrom flighttrace.z import w\n")
    assert [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)] == ["typing", "flighttrace.z"]
