"""Which source file sets a field of a rendered object, for one kustomization
root: the base resource, the last strategic-merge patch that sets it (kustomize
replaces a custom resource's list whole: it has no merge keys for it), and the
JSON6902 ops applied after that. The egress flows edit that file
(docs/egress.md, "kustomize repositories"). Reads sources only; renders nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from karsgit.findings import Position
from karsgit.render.sources import KeyPath, Source, patch_sources
from karsgit.render.tree import Graph, Kustomization
from karsgit.source.load import Document


@dataclass(frozen=True)
class Setter:
    """A document that sets the field: a resource or a strategic-merge patch."""

    path: str
    document_index: int  # -1: an inline patch inside a kustomization
    position: Position | None

    @property
    def inline(self) -> bool:
        return self.document_index < 0

    def where(self) -> str:
        line = f":{self.position.line}" if self.position is not None else ""
        return f"{self.path}{line}"


@dataclass(frozen=True)
class Op:
    """A JSON6902 op applied after the setter that touches the field."""

    path: str
    position: Position | None
    op: str
    pointer: str
    value: object

    def where(self) -> str:
        line = f":{self.position.line}" if self.position is not None else ""
        return f"{self.path}{line}"


@dataclass
class Placement:
    setter: Setter
    ops: list[Op] = field(default_factory=list)

    def appends(self) -> list[Op]:
        """Ops that add one entry at the end of the list (``.../-``)."""
        return [o for o in self.ops if o.op == "add" and o.pointer.endswith("/-")]

    def others(self) -> list[Op]:
        """Ops that set the list whole or index into it: an edit's place is ambiguous."""
        appended = self.appends()
        return [o for o in self.ops if o not in appended]


Read = Callable[[str], list[Document]]


def applied(graph: Graph, root: str) -> list[Kustomization]:
    """The kustomizations of a root in the order kustomize applies their patches:
    each base (resources) first, then components, then the kustomization itself."""
    out: list[Kustomization] = []
    seen: set[str] = set()

    def visit(directory: str) -> None:
        k = graph.kustomizations.get(directory)
        if k is None or directory in seen:
            return
        seen.add(directory)
        includes = list(k.includes())
        for ref in [r for r in includes if r.field != "components"] + [
            r for r in includes if r.field == "components"
        ]:
            visit(ref.target)
        out.append(k)

    visit(root)
    return out


def place(
    graph: Graph, root: str, base: Setter, kind: str, name: str, key: KeyPath, read: Read
) -> Placement:
    """Where ``key`` of the object ``kind``/``name`` (its name as the resource
    writes it) is set for ``root``; ``base`` is the resource document."""
    placement = Placement(base)
    for source in _sources(graph, root, read):
        if not source.admits(kind, name):
            continue
        if source.op:
            op = _op(source, key)
            if op is not None:
                placement.ops.append(op)
        elif isinstance(source.data, dict) and _has(source.data, key):
            placement = Placement(Setter(source.path, source.document_index, source.start))
    return placement


def _sources(graph: Graph, root: str, read: Read) -> Iterator[Source]:
    for k in applied(graph, root):
        yield from patch_sources(k, read)


def _has(data: object, key: KeyPath) -> bool:
    for part in key:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def _op(source: Source, key: KeyPath) -> Op | None:
    assert isinstance(source.data, dict)
    data = source.data
    pointers = [p for p in (data.get("path"), data.get("from")) if isinstance(p, str)]
    for pointer in pointers:
        parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])
        # an op on the field, inside it, or on a parent that holds it
        if parts[: len(key)] == key or key[: len(parts)] == parts:
            return Op(source.path, source.start, str(data["op"]), pointer, data.get("value"))
    return None
