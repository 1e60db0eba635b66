"""Fail when karsgit's modules import each other in a cycle, lazy imports included.

Every ``import``/``from ... import`` anywhere in a module (inside functions too)
is an edge; a strongly connected component of more than one module is a cycle.
Package ``__init__`` modules count as the package. Exit 1 and list each cycle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "karsgit"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def edges(path: Path, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    # ``if TYPE_CHECKING:`` blocks name types for the checker and never run: not edges
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from pkg import sub`` imports the submodule sub; ``from pkg import
            # name`` imports pkg (its __init__) for the name
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [n if n in modules else node.module for n in subs]
        for name in names:
            # the deepest karsgit module the name refers to
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name.startswith(PACKAGE):
                found.add(name)
    if any(isinstance(n, ast.Call) and _is_import_module(n) for n in ast.walk(tree)):
        # a lazy registry (importlib.import_module over module names written as
        # strings) imports every module it names
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value.split(":")[0]
                if name in modules:
                    found.add(name)
    return found


def _is_import_module(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of size > 1 (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def main() -> int:
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    modules = {module_name(f) for f in files}
    graph = {module_name(f): edges(f, modules) - {module_name(f)} for f in files}
    found = cycles(graph)
    for component in found:
        print(f"import cycle of {len(component)} modules: {' -> '.join(component)}")
    print(f"{len(modules)} modules, {sum(map(len, graph.values()))} imports, {len(found)} cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
