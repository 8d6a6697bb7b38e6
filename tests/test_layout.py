"""The package's import graph: no cycles, and nothing imported back from the package root.

Every ``import`` and ``from ... import`` of a newscat module in ``src/newscat/**/*.py``
is an edge, whether it runs when the module is imported or inside a function: a
cycle hidden in a function is still a cycle between the two modules' jobs. Importing
``newscat.a.b`` also runs ``newscat/a/__init__.py``, but that is not counted as an
edge: a package's ``__init__`` only says what the package holds.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "newscat"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The newscat modules that module ``name`` imports (``newscat`` for the root)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # from X import y: y may be a submodule of X
            targets = [f"{module}.{alias.name}" for alias in node.names]
            targets = [t if t in known else module for t in targets]
        else:
            continue
        found.update(t for t in targets if t == "newscat" or t.startswith("newscat."))
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    compiled = {_module_name(path) for path in PACKAGE.rglob("*.c")}  # C extensions
    known = set(modules) | compiled
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_sees_the_imports():
    graph = _graph()
    assert "newscat.classifier.estimator" in graph["newscat"]
    assert "newscat.segmenters.base" in graph["newscat.segmenters.dictionary"]
    assert "newscat.scoring.batch" in graph["newscat.scoring.engines.dask"]
    assert "newscat.segmenters._longest_match" in graph["newscat.segmenters.dictionary"]


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_nothing_is_imported_from_the_package_root():
    graph = _graph()
    offenders = sorted(name for name, targets in graph.items() if "newscat" in targets)
    assert not offenders, f"modules importing from the package root: {', '.join(offenders)}"
