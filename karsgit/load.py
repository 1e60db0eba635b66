"""Read manifest files into documents: plain values as the cluster reads them,
with a 1-based position for every node.

libyaml (through PyYAML's C composer) builds the node graph with marks; karsgit
resolves plain scalars itself (``karsgit.scalars``) because PyYAML's YAML 1.1
resolver and the cluster's go-yaml v2 disagree. YAML library types stay here.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from karsgit import scalars
from karsgit.findings import WHOLE_FILE, Hit, Position, json_path_of
from karsgit.model import KARS_GROUP

_PLAIN = "!karsgit/plain"  # an untagged plain scalar, resolved by karsgit.scalars
_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(yaml.CSafeLoader):
    """libyaml's composer without PyYAML's YAML 1.1 resolver: plain scalars keep a
    marker tag and are resolved once, the cluster's way; explicit tags stay."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None  # no path resolvers: skip PyYAML's per-node bookkeeping

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return _DEFAULT_TAGS[kind]


_MERGE = "tag:yaml.org,2002:merge"
# go-yaml v2 refuses documents whose aliases expand far beyond their size; a
# fixed node budget keeps "billion laughs" bounded in time and memory.
MAX_EXPANDED_NODES = 100_000
PathKey = tuple[str | int, ...]


class AliasBomb(Exception):
    def __init__(self, node: yaml.Node) -> None:
        super().__init__()
        self.node = node


@dataclass(frozen=True, slots=True)
class AmbiguousScalar:
    path: PathKey
    position: Position
    text: str
    cluster_value: Any
    other_value: Any


@dataclass(slots=True)
class Document:
    """One YAML document of a file: its plain value and its node graph."""

    path: str
    index: int
    data: Any
    root: yaml.Node
    ambiguous: list[AmbiguousScalar] = field(default_factory=list)
    # id(mapping node) -> key -> (key node, value node), merges resolved: O(1) lookups
    # for positions (a linear scan per lookup cost more than parsing).
    children: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict)

    @property
    def api_version(self) -> str:
        return _str_field(self.data, "apiVersion")

    @property
    def kind(self) -> str:
        return _str_field(self.data, "kind")

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return _str_field(self.metadata, "name")

    @property
    def namespace(self) -> str:
        return _str_field(self.metadata, "namespace")

    @property
    def start(self) -> Position:
        return _pos(self.root)

    def pos(self, path: PathKey) -> Position:
        """Position of the value at ``path``, or of its nearest existing parent."""
        node = self.root
        for part in path:
            child = self._child(node, part)
            if child is None:
                break
            node = child[1]
        return _pos(node)

    def key_pos(self, path: PathKey) -> Position:
        """Position of the mapping key at the end of ``path`` (the value's if none)."""
        parent = self.root
        for part in path[:-1]:
            child = self._child(parent, part)
            if child is None:
                return _pos(parent)
            parent = child[1]
        child = self._child(parent, path[-1]) if path else None
        return _pos(child[0]) if child else _pos(parent)

    def item_positions(self, path: PathKey, keys: tuple[str, ...]) -> list[tuple[Position, ...]]:
        """For the sequence at ``path``: each item's position, then the positions of
        ``keys`` in it (the item's own where a key is absent). One walk, not one per item."""
        node = self.root
        for part in path:
            child = self._child(node, part)
            if child is None:
                return []
            node = child[1]
        if not isinstance(node, yaml.SequenceNode):
            return []
        out = []
        for item in node.value:
            here = _pos(item)
            kids = self.children.get(id(item), {})
            out.append((here, *(_pos(kids[k][1]) if k in kids else here for k in keys)))
        return out

    def block_slot(self, path: PathKey) -> BlockSlot | None:
        """Where the block-mapping entry at ``path`` stands or would be inserted, as
        text offsets (``karsgit.splice``); None where only a YAML emitter can edit."""
        parent = self.root
        for part in path[:-1]:
            child = self._child(parent, part)
            if child is None:
                return None
            parent = child[1]
        if not isinstance(parent, yaml.MappingNode) or parent.flow_style or not parent.value:
            return None
        indent = parent.value[0][0].start_mark.column
        found = self._child(parent, path[-1])
        if found is None:
            return BlockSlot(None, _last_leaf(parent).end_mark.index, indent)
        key, value = found
        if not isinstance(value, yaml.MappingNode) or value.flow_style:
            return None
        start = key.start_mark.index - key.start_mark.column
        return BlockSlot(start, _last_leaf(value).end_mark.index, indent)

    def nodes(self) -> Iterator[NodeInfo]:
        """Every node with its path, pre-order (a parent before its children)."""
        stack: list[tuple[PathKey, yaml.Node, Position | None]] = [((), self.root, None)]
        while stack:
            path, node, key_pos = stack.pop()
            scalar = isinstance(node, yaml.ScalarNode)
            yield NodeInfo(path, scalar, node.value if scalar else "", _pos(node), key_pos)
            if isinstance(node, yaml.SequenceNode):
                items = [((*path, i), item, None) for i, item in enumerate(node.value)]
                stack.extend(reversed(items))
            elif isinstance(node, yaml.MappingNode):
                kids = self.children.get(id(node), {})
                pairs = [((*path, k), v, _pos(kn)) for k, (kn, v) in kids.items()]
                stack.extend(reversed(pairs))

    def literal_block(self, path: PathKey) -> bool:
        """Whether the value at ``path`` is a literal block scalar (``|``), whose
        lines stand in the file as they are in the value."""
        node: yaml.Node | None = self.root
        for part in path:
            child = self._child(node, part) if node is not None else None
            node = child[1] if child else None
        return isinstance(node, yaml.ScalarNode) and node.style == "|"

    def _child(self, node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            return (node, node.value[part]) if 0 <= part < len(node.value) else None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            return self.children.get(id(node), {}).get(part)
        return None


@dataclass(frozen=True, slots=True)
class NodeInfo:
    path: PathKey
    scalar: bool
    text: str  # a scalar as written; "" for collections
    position: Position
    key_position: Position | None  # of the mapping key holding it


@dataclass(frozen=True, slots=True)
class BlockSlot:
    """``start`` of an existing entry's first line (None: a new entry), ``end`` of
    the last value in it (or in its parent mapping), the parent's key indentation."""

    start: int | None
    end: int
    indent: int


def _last_leaf(node: yaml.Node) -> yaml.Node:
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


@dataclass(slots=True)
class LoadedFile:
    path: str
    documents: list[Document] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    text: str | None = None


def _str_field(mapping: Any, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else ""


def _pos(node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


def _merge_sources(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return [n for n in node.value if isinstance(n, yaml.MappingNode)]
    return [node] if isinstance(node, yaml.MappingNode) else []


def _key_text(node: yaml.ScalarNode) -> str:
    value = _scalar(node)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _scalar(node: yaml.ScalarNode) -> Any:
    return _read(node)[0]


def _read(node: yaml.ScalarNode) -> tuple[Any, bool]:
    """The value the cluster reads, and whether go-yaml v2 resolved it (plain, untagged)."""
    if node.tag == _PLAIN:
        return scalars.cluster_value(node.value), True
    return node.value, False


def _is_merge(node: yaml.Node) -> bool:
    return node.tag == _MERGE or (node.tag == _PLAIN and node.value == "<<")


class _Builder:
    """Turns a node graph into plain values, collecting hits on the way."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.hits: list[Hit] = []
        self.ambiguous: list[AmbiguousScalar] = []
        self.children: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}
        self.budget = MAX_EXPANDED_NODES

    def build(self, node: yaml.Node, at: PathKey) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise AliasBomb(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar_value(node, at)

    def _scalar_value(self, node: yaml.ScalarNode, at: PathKey) -> Any:
        value, resolved = _read(node)
        if resolved:
            seen = scalars.disagreement(node.value)
            if seen is not None:
                self.ambiguous.append(AmbiguousScalar(at, _pos(node), node.value, *seen))
        return value

    def _mapping(self, node: yaml.MappingNode, at: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        own: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        inherited: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if _is_merge(key_node):
                # go-yaml v2: earlier merge sources win, explicit keys win over all.
                for source in reversed(_merge_sources(value_node)):
                    assert isinstance(source, yaml.MappingNode)
                    merged.update(self._mapping(source, at))
                    inherited.update(self.children[id(source)])
                continue
            key = self._key(key_node)
            if key in own:
                self._duplicate(key, key_node, own[key][0], at)
            own[key] = (key_node, value_node)
            out[key] = self.build(value_node, (*at, key))
        self.children[id(node)] = {**inherited, **own}
        return {**merged, **out}

    def _key(self, node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode):
            return _key_text(node)
        self.budget -= 1
        return f"<{type(node).__name__} key at line {node.start_mark.line + 1}>"

    def _duplicate(self, key: str, node: yaml.Node, first: yaml.Node, at: PathKey) -> None:
        line = first.start_mark.line + 1
        self.hits.append(
            Hit(
                "duplicate-key",
                _pos(node),
                f"key '{key}' is given twice (first at line {line}); tools disagree on which wins",
                "remove one of the two entries",
                json_path_of((*at, key)),
            )
        )


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _syntax_hit(error: yaml.YAMLError, text: str) -> Hit:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    position = Position(mark.line + 1, mark.column + 1) if mark else WHOLE_FILE
    problem = str(getattr(error, "problem", None) or error).strip()
    if mark and _char_at(text, mark.line, mark.column) == "\t":
        return Hit("syntax", position, "tab character in indentation", "indent with spaces")
    context = getattr(error, "context", None)
    message = f"{context}, {problem}" if context else problem
    return Hit("syntax", position, f"yaml syntax error: {message}", "fix the YAML syntax")


def parse_documents(path: str, text: str) -> LoadedFile:
    """Parse every document of ``text``; parse problems become hits."""
    loaded = LoadedFile(path, text=text)
    try:
        for index, root in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if root is not None:
                loaded.documents.append(_document(path, index, root, loaded))
    except yaml.YAMLError as error:
        loaded.hits.append(_syntax_hit(error, text))
    return loaded


def _document(path: str, index: int, root: yaml.Node, loaded: LoadedFile) -> Document:
    builder = _Builder(path)
    try:
        data = builder.build(root, ())
    except AliasBomb as bomb:
        loaded.hits.append(
            Hit(
                "syntax",
                _pos(bomb.node),
                f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (a YAML alias bomb)",
                "write the values out instead of nesting aliases",
            )
        )
        data = None
    loaded.hits.extend(builder.hits)
    return Document(path, index, data, root, builder.ambiguous, builder.children)


def iter_kars_documents(loaded: LoadedFile) -> Iterator[Document]:
    for doc in loaded.documents:
        if isinstance(doc.data, dict) and doc.api_version.startswith(KARS_GROUP + "/"):
            yield doc


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_bytes: int = 10 * 1024 * 1024


def load_file(abspath: str, relpath: str, limits: ReadLimits) -> LoadedFile:
    """Read one file; anything that stops reading it becomes a hit, not an error."""
    try:
        if abspath == "-" or not stat.S_ISREG(os.stat(abspath).st_mode):
            raw = _read_stream(abspath, limits)
            if len(raw) > limits.max_bytes:
                return _too_large(relpath, None, limits)
            return load_bytes(relpath, raw)
        size = os.stat(abspath).st_size
        if size > limits.max_bytes:
            return _too_large(relpath, size, limits)
        with open(abspath, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        hint = "check the path and its permissions"
        return LoadedFile(
            relpath, hits=[Hit("unreadable", WHOLE_FILE, f"cannot read file: {reason}", hint)]
        )
    return load_bytes(relpath, raw)


def _read_stream(abspath: str, limits: ReadLimits) -> bytes:
    """A pipe has no size to check first: read one byte past the limit at most."""
    if abspath == "-":
        return sys.stdin.buffer.read(limits.max_bytes + 1)
    with open(abspath, "rb") as handle:
        return handle.read(limits.max_bytes + 1)


def _too_large(relpath: str, size: int | None, limits: ReadLimits) -> LoadedFile:
    shown = "stream is" if size is None else f"file is {size} bytes,"
    hit = Hit(
        "file-too-large",
        WHOLE_FILE,
        f"{shown} over the {limits.max_bytes}-byte limit; not read",
        "split it into smaller manifests, or raise max_file_bytes in .karsgit.yaml",
    )
    return LoadedFile(relpath, hits=[hit])


def load_bytes(relpath: str, raw: bytes) -> LoadedFile:
    if b"\x00" in raw[:8192]:
        offset = raw.index(b"\x00")
        hit = Hit(
            "encoding",
            WHOLE_FILE,
            f"file is binary (NUL byte at offset {offset})",
            "keep only YAML manifests under the include globs, or exclude this file",
        )
        return LoadedFile(relpath, hits=[hit])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return LoadedFile(relpath, hits=[_encoding_hit(raw, error)])
    if KARS_GROUP not in text:
        return LoadedFile(relpath, text=text)
    return parse_documents(relpath, text.removeprefix("\ufeff"))


def _encoding_hit(raw: bytes, error: UnicodeDecodeError) -> Hit:
    before = raw[: error.start]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    byte = raw[error.start]
    return Hit(
        "encoding",
        Position(line, column),
        f"file is not valid UTF-8 (byte 0x{byte:02x} at offset {error.start})",
        "save the file as UTF-8",
    )
