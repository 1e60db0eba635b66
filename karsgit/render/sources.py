"""Where a rendered value is written: the strategic-merge patch, the inline
JSON6902 op in a kustomization, or the base resource.

kustomize names each object's resource file (origin annotation); which patch set
a value it does not say, so the patches a root applies are searched, root first,
for the same key path holding the same value. A value that no source writes (a
transformer made it) has no line: the caller falls back to the root.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from karsgit.findings import Position
from karsgit.render.tree import Kustomization
from karsgit.source.load import Document, parse_documents

KeyPath = tuple[str, ...]  # a node path without list indices


@dataclass(frozen=True, slots=True)
class Written:
    """One scalar as a source writes it."""

    path: str  # repo-relative file
    text: str
    value: Any  # as kubectl (go-yaml v2) reads it
    position: Position
    key_position: Position | None


@dataclass
class Source:
    """A document that can set values of rendered objects."""

    kind: str  # the target filter; "" admits every kind
    name: str
    scalars: dict[KeyPath, list[Written]] = field(default_factory=dict)
    start: Position | None = None
    path: str = ""
    # What the patch is, for the egress flows (karsgit.render.placement): a
    # strategic-merge document's data, or one JSON6902 op; the document's index
    # in its file (-1 inline in a kustomization).
    data: Any = None
    document_index: int = -1

    @property
    def op(self) -> bool:
        return isinstance(self.data, dict) and isinstance(self.data.get("op"), str)

    def admits(self, kind: str, name: str) -> bool:
        return (not self.kind or self.kind == kind) and (not self.name or self.name == name)


def keys_only(path: tuple[str | int, ...]) -> KeyPath:
    return tuple(p for p in path if isinstance(p, str))


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _scalars(
    doc: Document, path: str, prefix: KeyPath, under: tuple[str | int, ...], shift: _Shift
) -> dict[KeyPath, list[Written]]:
    out: dict[KeyPath, list[Written]] = {}
    for node in doc.nodes():
        if not node.scalar or node.path[: len(under)] != under:
            continue
        rest = node.path[len(under) :]
        key = prefix + keys_only(rest)
        value = value_at(doc.data, node.path)
        kp = shift(node.key_position) if node.key_position else None
        out.setdefault(key, []).append(Written(path, node.text, value, shift(node.position), kp))
    return out


class _Shift:
    """Positions of a YAML text embedded as a literal block in a kustomization."""

    def __init__(self, line: int = 0, indent: int = 0) -> None:
        self.line, self.indent = line, indent

    def __call__(self, pos: Position) -> Position:
        return Position(pos.line + self.line, pos.column + self.indent)


_SAME = _Shift()


def resource_sources(doc: Document) -> Source:
    source = Source(doc.kind, doc.name, path=doc.path, start=doc.start)
    source.scalars = _scalars(doc, doc.path, (), (), _SAME)
    return source


Read = Callable[[str], list[Document]]  # a repository file's documents


def patch_sources(k: Kustomization, read: Read) -> Iterator[Source]:
    """Every patch a kustomization applies, in the order it lists them."""
    data = k.doc.data if k.doc is not None and isinstance(k.doc.data, dict) else {}
    for field_name in ("patches", "patchesJson6902", "patchesStrategicMerge"):
        entries = data.get(field_name)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            yield from _entry_sources(k, field_name, i, entry, read)


def _entry_sources(
    k: Kustomization, field_name: str, i: int, entry: Any, read: Read
) -> Iterator[Source]:
    assert k.doc is not None
    target = entry.get("target") if isinstance(entry, dict) else None
    kind, name = _target(target)
    if isinstance(entry, dict) and isinstance(entry.get("patch"), str):
        yield from _inline(k, (field_name, i, "patch"), entry["patch"], kind, name)
        return
    if isinstance(entry, str) and "\n" in entry:
        yield from _inline(k, (field_name, i), entry, kind, name)
        return
    ref = entry.get("path") if isinstance(entry, dict) else entry
    if not isinstance(ref, str):
        return
    path = _join(k.directory, ref)
    for doc in read(path):
        yield from _patch_doc(doc, path, kind, name, _SAME)


def _inline(
    k: Kustomization, at: tuple[str | int, ...], text: str, kind: str, name: str
) -> Iterator[Source]:
    assert k.doc is not None
    shift = _SAME
    if k.doc.literal_block(at):
        start = k.doc.pos(at)
        shift = _Shift(start.line, _indent_after(k.text, start.line))
    for doc in parse_documents(k.path, text).documents:
        if shift is _SAME:  # a quoted patch: its inner lines are not the file's
            ops = doc.data if isinstance(doc.data, list) else [doc.data]
            for op in ops:  # no scalars: no line inside the quotes is known
                yield Source(kind, name, path=k.path, start=k.doc.pos(at), data=op)
            continue
        yield from _patch_doc(doc, k.path, kind, name, shift)


def _indent_after(text: str, line: int) -> int:
    """The indentation of a literal block's first line (inner column 1 sits there)."""
    lines = text.splitlines()
    if line < len(lines):
        body = lines[line]
        return len(body) - len(body.lstrip(" "))
    return 0


def _patch_doc(doc: Document, path: str, kind: str, name: str, shift: _Shift) -> Iterator[Source]:
    index = doc.index if shift is _SAME else -1
    if isinstance(doc.data, list):  # JSON6902: a list of operations
        for i, op in enumerate(doc.data):
            if isinstance(op, dict) and isinstance(op.get("path"), str):
                source = Source(kind, name, path=path, start=shift(doc.pos((i,))), data=op)
                source.document_index = index
                if "value" in op:  # a remove sets nothing
                    prefix = _pointer_keys(op["path"])
                    source.scalars = _scalars(doc, path, prefix, (i, "value"), shift)
                yield source
        return
    if isinstance(doc.data, dict):
        source = Source(kind or doc.kind, name or doc.name, path=path, start=shift(doc.start))
        source.scalars = _scalars(doc, path, (), (), shift)
        source.data, source.document_index = doc.data, index
        yield source


def _pointer_keys(pointer: str) -> KeyPath:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return tuple(p for p in parts if p != "-" and not p.isdigit())


def _target(target: Any) -> tuple[str, str]:
    if not isinstance(target, dict):
        return "", ""
    kind, name = target.get("kind"), target.get("name")
    return (kind if isinstance(kind, str) else ""), (name if isinstance(name, str) else "")


def _join(directory: str, ref: str) -> str:
    joined = posixpath.normpath(posixpath.join(directory, ref))
    return "" if joined == "." else joined


def same(written: Written, rendered: Any) -> bool:
    """Whether a source scalar is the one that gave ``rendered``: equal as kubectl
    reads it, or as written (kustomize keeps ``on`` a string)."""
    if type(written.value) is type(rendered) and written.value == rendered:
        return True
    return isinstance(rendered, str) and written.text == rendered
