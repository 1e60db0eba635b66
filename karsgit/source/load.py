"""Read manifest files into documents: plain values as the cluster reads them,
with a 1-based position for every node.

libyaml (through PyYAML's C composer) builds the node graph with marks; karsgit
resolves plain scalars itself (``karsgit.source.scalars``) because PyYAML's YAML 1.1
resolver and the cluster's go-yaml v2 disagree. YAML library types stay here.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from karsgit.findings import WHOLE_FILE, Hit, Position, json_path_of
from karsgit.source import nesting, scalars, tags
from karsgit.source.objects import KARS_GROUP

_PLAIN = "!karsgit/plain"  # an untagged plain scalar, resolved by karsgit.source.scalars
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


_MERGE = tags.MERGE
# go-yaml v2 refuses documents whose aliases expand far beyond their size; a
# budget of nodes reached through aliases keeps "billion laughs" bounded in time
# and memory. Nodes written out in the text are bounded by the file-size limit.
MAX_EXPANDED_NODES = 100_000
# Deeper than any manifest nests (a kars object: 7 levels, a CRD schema: ~30),
# shallow enough for every recursive reader downstream (this builder, copy,
# ruamel.yaml in fix and compile) to stay far inside Python's recursion limit.
MAX_DEPTH = 100
PathKey = tuple[str | int, ...]


class AliasBomb(Exception):
    def __init__(self, node: yaml.Node) -> None:
        super().__init__()
        self.node = node


class TooDeep(Exception):
    def __init__(self, node: yaml.Node) -> None:
        super().__init__()
        self.node = node


class Refused(Exception):
    """The cluster's decoder refuses the document at ``node`` (``message`` says why)."""

    def __init__(self, node: yaml.Node, message: str, hint: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class AmbiguousScalar:
    path: PathKey
    position: Position
    text: str
    cluster_value: Any
    other_value: Any


@dataclass(frozen=True, slots=True)
class HiddenValue:
    """A node whose explicit tag hides its value from reviewers or other readers:
    a custom tag the cluster ignores, or ``!!binary``."""

    path: PathKey
    position: Position
    tag: str
    text: str
    cluster_value: Any


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
    hidden: list[HiddenValue] = field(default_factory=list)

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
        node = self._sequence_at(path)
        if node is None:
            return []
        out = []
        for item in node.value:
            here = _pos(item)
            kids = self.children.get(id(item), {})
            out.append((here, *(_pos(kids[k][1]) if k in kids else here for k in keys)))
        return out

    def _sequence_at(self, path: PathKey) -> yaml.SequenceNode | None:
        node = self.root
        for part in path:
            child = self._child(node, part)
            if child is None:
                return None
            node = child[1]
        return node if isinstance(node, yaml.SequenceNode) else None

    def block_item_spans(self, path: PathKey) -> list[tuple[int, int]]:
        """For the block sequence at ``path``: each item's start offset and the end
        offset of its last value (``karsgit.edit.reorder``); [] for anything else."""
        node = self._sequence_at(path)
        if node is None or node.flow_style:
            return []
        # A flow item ends at its closing bracket, a block item at its last value
        # (its own end mark lies past the comments that follow it).
        ends = [
            (item if getattr(item, "flow_style", False) else _last_leaf(item)).end_mark.index
            for item in node.value
        ]
        return [(item.start_mark.index, end) for item, end in zip(node.value, ends, strict=True)]

    def spans(self, path: PathKey) -> tuple[int, int, int] | None:
        """Text offsets of the mapping entry at ``path``: its key's start, its value's
        start and end (``karsgit.edit.listtext``); None when there is no such key."""
        parent = self.root
        for part in path[:-1]:
            child = self._child(parent, part)
            if child is None:
                return None
            parent = child[1]
        found = self._child(parent, path[-1]) if path else None
        if found is None or not isinstance(parent, yaml.MappingNode):
            return None
        key, value = found
        return key.start_mark.index, value.start_mark.index, value.end_mark.index

    def block_slot(self, path: PathKey) -> BlockSlot | None:
        """Where the block-mapping entry at ``path`` stands or would be inserted, as
        text offsets (``karsgit.edit.splice``); None where only a YAML emitter can edit."""
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
    # A kars manifest: its text names the kars group, or a document is a kars
    # object once parsed (escapes and !!binary can hide the group from the text).
    kars: bool = False


def _str_field(mapping: Any, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else ""


def _pos(node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


def _merge_sources(node: yaml.Node) -> list[yaml.MappingNode]:
    """go-yaml v2's merge: a mapping, or a list of mappings applied last to first
    (so earlier ones win); anything else makes the cluster refuse the document."""
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode) and all(
        isinstance(item, yaml.MappingNode) for item in node.value
    ):
        return list(reversed(node.value))
    raise Refused(
        node,
        "a merge key ('<<') takes a mapping or a list of mappings; "
        "the cluster refuses the document",
        "merge a mapping (or an alias of one), or write the keys out",
    )


def _key_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _is_merge(node: yaml.Node) -> bool:
    # go-yaml v2's isMerge: the text '<<', plain or tagged !!merge; a quoted '<<' is a key.
    return node.value == "<<" and node.tag in (_PLAIN, _MERGE)


class _Builder:
    """Turns a node graph into plain values, collecting hits on the way."""

    def __init__(self, path: str, root: yaml.Node, text: str) -> None:
        self.path = path
        self.root = root
        # libyaml reports '!' (the non-specific tag) as no tag; go-yaml v2 reads
        # such a scalar as a string. Only a text with a '!' needs looking at.
        self.text = text if "!" in text else ""
        self.aliases = "*" in text  # without one, nothing is reached twice
        self.hits: list[Hit] = []
        self.ambiguous: list[AmbiguousScalar] = []
        self.hidden: list[HiddenValue] = []
        self.children: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}
        self.budget = MAX_EXPANDED_NODES
        self.merging = 0  # merge sources being read inside one another

    def build(self, node: yaml.Node, at: PathKey) -> Any:
        self.budget -= 1
        if self.budget < 0:
            self._recount(node)
        if len(at) + self.merging >= MAX_DEPTH:
            raise TooDeep(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != tags.SEQ:
                self._hide(node, at, "")
            return [self.build(item, (*at, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar_value(node, at)

    def _count(self, node: yaml.Node) -> None:
        self.budget -= 1
        if self.budget < 0:
            self._recount(node)

    def _recount(self, node: yaml.Node) -> None:
        """Rare (large documents): count exactly what aliases add, once."""
        if not self.aliases:
            self.budget = 1 << 62
            return
        expanded, distinct = _expansion(self.root)
        if expanded - distinct > MAX_EXPANDED_NODES:
            raise AliasBomb(node)
        self.budget = expanded + 1

    def _scalar_value(self, node: yaml.ScalarNode, at: PathKey) -> Any:
        if node.tag == _PLAIN:
            if self.text and _nonspecific(self.text, node.start_mark.index):
                self._hide(node, at, node.value, node.value)
                return node.value
            seen = scalars.disagreement(node.value)
            if seen is not None:
                self.ambiguous.append(AmbiguousScalar(at, _pos(node), node.value, *seen))
            return scalars.cluster_value(node.value)
        if node.tag == tags.STR:
            return node.value
        try:
            read = tags.read(node.tag, node.value)
        except tags.TagRefused as refused:
            message = f"{refused}; the cluster refuses the document"
            raise Refused(node, message, "remove the tag, or write a value of its type") from None
        if read.hidden:
            self._hide(node, at, node.value, read.value)
        elif node.tag != tags.TIMESTAMP:
            self._note_disagreement(node, at)
        return read.value

    def _note_disagreement(self, node: yaml.ScalarNode, at: PathKey) -> None:
        seen = scalars.disagreement(node.value)
        if seen is not None:
            self.ambiguous.append(AmbiguousScalar(at, _pos(node), node.value, *seen))

    def _hide(self, node: yaml.Node, at: PathKey, text: str, value: Any = None) -> None:
        self.hidden.append(HiddenValue(at, _pos(node), node.tag, text, value))

    def _mapping(self, node: yaml.MappingNode, at: PathKey) -> dict[str, Any]:
        if node.tag != tags.MAP:
            self._hide(node, at, "")
        out: dict[str, Any] = {}
        kids: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        explicit: dict[str, yaml.Node] = {}
        merge_key: yaml.Node | None = None
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and _is_merge(key_node):
                if merge_key is not None:
                    self._duplicate("<<", key_node, merge_key, at)
                merge_key = key_node
                self._merge(key_node, value_node, at, (out, kids, explicit))
                continue
            key = self._key(key_node, at)
            if key in explicit:
                self._duplicate(key, key_node, explicit[key], at)
            explicit[key] = key_node
            out[key] = self.build(value_node, (*at, key))
            kids[key] = (key_node, value_node)
        self.children[id(node)] = kids
        return out

    def _merge(self, merge_key: yaml.Node, value: yaml.Node, at: PathKey, into: _Into) -> None:
        """go-yaml v2 (kubectl) merges in document order: merged keys replace the
        explicit keys written before ``<<``; go-yaml v3 (kustomize) keeps those."""
        out, kids, explicit = into
        self.merging += 1
        replaced: set[str] = set()
        for source in _merge_sources(value):
            self._count(source)
            values = self._mapping(source, at)
            for key, item in values.items():
                if key in explicit and key not in replaced:
                    replaced.add(key)
                    self._replaced(key, explicit[key], merge_key, at)
                out[key] = item
                kids[key] = self.children[id(source)][key]
        self.merging -= 1

    def _key(self, node: yaml.Node, at: PathKey) -> str:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _PLAIN:
                return _key_text(scalars.cluster_value(node.value))
            return _key_text(self._scalar_value(node, at))
        self._count(node)
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

    def _replaced(self, key: str, node: yaml.Node, merge_key: yaml.Node, at: PathKey) -> None:
        line = merge_key.start_mark.line + 1
        self.hits.append(
            Hit(
                "duplicate-key",
                _pos(node),
                f"key '{key}' is given here and again by the merge key ('<<') at line {line}; "
                "kubectl takes the merged value, kustomize this one",
                "write '<<' before the explicit keys, or remove one of the two",
                json_path_of((*at, key)),
            )
        )


_ANCHOR = re.compile(r"&[^\s,\[\]{}]+\s+")
_AFTER_TAG = frozenset(" \t\r\n,]}")


def _nonspecific(text: str, start: int) -> bool:
    """Whether the node starting at ``start`` is tagged '!' (before or after an anchor)."""
    if text.startswith("&", start):
        anchor = _ANCHOR.match(text, start)
        start = anchor.end() if anchor else start
    return text.startswith("!", start) and (start + 1 == len(text) or text[start + 1] in _AFTER_TAG)


_Into = tuple[dict[str, Any], dict[str, tuple[yaml.Node, yaml.Node]], dict[str, yaml.Node]]


def _expansion(root: yaml.Node) -> tuple[int, int]:
    """(nodes reached with every alias expanded, distinct nodes) of a node graph,
    without recursion: one pass, each node's expanded size counted once."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        kids = _kids(node)
        if done:
            size[id(node)] = 1 + sum(size[id(kid)] for kid in kids)
            continue
        stack.append((node, True))
        stack.extend((kid, False) for kid in kids if id(kid) not in size)
    return size[id(root)], len(size)


def _kids(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _syntax_hit(error: yaml.YAMLError, text: str) -> Hit:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    position = Position(mark.line + 1, mark.column + 1) if mark else WHOLE_FILE
    problem = str(getattr(error, "problem", None) or error).strip()
    if mark and _char_at(text, mark.line, mark.column) == "\t":
        return Hit("syntax", position, "tab character in indentation", "indent with spaces")
    if problem == "exceeded maximum nesting depth":
        # libyaml's own limit (1000 levels), far beyond MAX_DEPTH.
        return _too_deep(position)
    context = getattr(error, "context", None)
    message = f"{context}, {problem}" if context else problem
    return Hit("syntax", position, f"yaml syntax error: {message}", "fix the YAML syntax")


def _too_deep(position: Position) -> Hit:
    return Hit(
        "syntax",
        position,
        f"the document nests deeper than {MAX_DEPTH} levels",
        "flatten it: a kars object nests 7 levels",
    )


def parse_documents(path: str, text: str) -> LoadedFile:
    """Parse every document of ``text``; parse problems become hits."""
    loaded = LoadedFile(path, text=text)
    deep = nesting.too_deep(text, MAX_DEPTH)
    if deep is not None:
        loaded.hits.append(_too_deep(Position(*deep)))
        return loaded
    try:
        for index, root in enumerate(yaml.compose_all(text, Loader=_Loader)):
            # compose_all is typed as yielding nodes, but libyaml yields None for an
            # empty document ('---' at the end of a file)
            if root is not None and not _is_empty(root):  # type: ignore[redundant-expr]
                loaded.documents.append(_document(path, index, root, loaded))
    except yaml.YAMLError as error:
        loaded.hits.append(_syntax_hit(error, text))
    loaded.kars = KARS_GROUP in text or any(True for _ in iter_kars_documents(loaded))
    return loaded


def _is_empty(root: yaml.Node) -> bool:
    """An empty document (a trailing '---', only comments, or null): kubectl skips it."""
    return root.tag == _PLAIN and scalars.cluster_value(root.value) is None


def _document(path: str, index: int, root: yaml.Node, loaded: LoadedFile) -> Document:
    builder = _Builder(path, root, loaded.text or "")
    data = None
    try:
        data = builder.build(root, ())
    except AliasBomb as bomb:
        loaded.hits.append(
            Hit(
                "syntax",
                _pos(bomb.node),
                f"aliases expand the document by more than {MAX_EXPANDED_NODES} nodes "
                "(a YAML alias bomb)",
                "write the values out instead of nesting aliases",
            )
        )
    except TooDeep as deep:
        loaded.hits.append(_too_deep(_pos(deep.node)))
    except Refused as refused:
        loaded.hits.append(Hit("syntax", _pos(refused.node), refused.message, refused.hint))
    loaded.hits.extend(builder.hits)
    return Document(path, index, data, root, builder.ambiguous, builder.children, builder.hidden)


def iter_kars_documents(loaded: LoadedFile) -> Iterator[Document]:
    for doc in loaded.documents:
        if isinstance(doc.data, dict) and doc.api_version.startswith(KARS_GROUP + "/"):
            yield doc


class RepoDocuments:
    """Repository files parsed once each, as documents; a file that cannot be read
    (missing, not UTF-8) has none."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[str, list[Document]] = {}

    def read(self, rel: str) -> list[Document]:
        if rel not in self._docs:
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._docs[rel] = parse_documents(rel, text).documents
        return self._docs[rel]


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
    if not may_hold_kars(text):
        return LoadedFile(relpath, text=text)
    loaded = parse_documents(relpath, text.removeprefix("\ufeff"))
    if not loaded.kars:
        # Parsed only because an escape or a tag might have hidden the group:
        # karsgit does not judge YAML that is not a kars manifest.
        loaded.hits = []
    return loaded


def holds_nothing(loaded: LoadedFile) -> bool:
    """No YAML document at all: blank, comments, ``---`` markers, directives. A
    stream of other kinds' objects is not empty, though karsgit judges none."""
    if loaded.hits or loaded.documents:
        return False
    for line in (loaded.text or "").splitlines():
        bare = line.strip().removeprefix("\ufeff")
        if bare and not bare.startswith(("#", "%")) and bare not in ("---", "..."):
            return False
    return True


# The kars group can hide from the raw text only behind an escape in a
# double-quoted scalar (``\x2e``, ``\u002e``, a backslash-newline) or a
# !!binary value (written ``!!binary``, ``!<tag:...>`` or through a %TAG
# handle); plain and single-quoted scalars fold lines into spaces.
_ESCAPE = re.compile(r'"[^"]*\\')


def may_hold_kars(text: str) -> bool:
    """False only when no document of ``text`` can be a kars object."""
    if KARS_GROUP in text:
        return True
    if "!!" in text or "!<" in text or "%TAG" in text:
        return True
    return "\\" in text and _ESCAPE.search(text) is not None


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
