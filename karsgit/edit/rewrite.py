"""Round-trip edits of manifests with ruamel.yaml, keeping comments, quotes and
indentation (the only ruamel importer). Used by ``compile`` and ``fix``.

Only the edited document is parsed and re-emitted; the other documents of a
multi-document file are spliced back byte for byte.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A document marker at column 0 always starts a document (YAML 1.2 §9.1.2).
_MARKER = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
_KEY_INDENT = re.compile(r"^( +)[^ #\-\n][^:\n]*:(?:[ \t]|$)", re.MULTILINE)
_NOT_CONTENT = re.compile(r"\A(?:[ \t]*(?:#[^\n]*|%[^\n]*)?\n?)*\Z")


def _documents(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each document, as ``yaml.compose_all`` counts them."""
    starts = [m.start() for m in _MARKER.finditer(text)]
    if not starts or not _NOT_CONTENT.match(text[: starts[0]]):
        starts = [0, *starts]
    return [(s, e) for s, e in zip(starts, [*starts[1:], len(text)], strict=True)]


def _yaml_for(text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    _, sequence, offset = load_yaml_guess_indent(text)
    mapping = _mapping_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long scalars
    offset = offset or 0
    yaml.indent(mapping=mapping, sequence=sequence or mapping + offset, offset=offset)
    yaml.explicit_start = text.startswith("---")
    return yaml


def _mapping_indent(text: str) -> int:
    """The smallest indentation of a nested mapping key (2 when there is none)."""
    found = _KEY_INDENT.findall(text)
    return min((len(spaces) for spaces in found), default=2)


def _set(node: Any, key_path: Sequence[str], mapping: Mapping[str, str]) -> None:
    for key in key_path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    target = node.get(key_path[-1])
    if not isinstance(target, dict):
        node[key_path[-1]] = dict(mapping)
        return
    for key in [k for k in target if k not in mapping]:
        del target[key]
    for key, value in mapping.items():
        if target.get(key) != value:
            target[key] = value


def set_mapping(
    path_text: str, doc_index: int, key_path: Sequence[str], mapping: Mapping[str, str]
) -> str:
    """Set the mapping at ``key_path`` of document ``doc_index`` to ``mapping``.

    Missing parents are created; an existing mapping keeps its comments and key
    order, new keys follow in the order given. Returns the new file text.
    """
    from karsgit.edit.splice import set_block_mapping

    spliced = set_block_mapping(path_text, doc_index, key_path, mapping, _mapping_indent(path_text))
    if spliced is not None:
        return spliced
    start, end = _documents(path_text)[doc_index]
    chunk = path_text[start:end]
    yaml = _yaml_for(chunk)
    data = yaml.load(chunk)
    _set(data, key_path, mapping)
    out = io.StringIO()
    yaml.dump(data, out)
    return path_text[:start] + out.getvalue() + path_text[end:]


@dataclass(frozen=True, slots=True)
class EntryEdit:
    """One entry of a rewritten endpoint list: which original entry, and what changes."""

    source: int
    host: str | None = None
    add_port: int | None = None


@dataclass(frozen=True, slots=True)
class ListEdit:
    """The new content of one endpoint list, in its final order (``karsgit fix``)."""

    document: int
    path: tuple[str, ...]
    entries: tuple[EntryEdit, ...]


def edit_lists(text: str, edits: Sequence[ListEdit]) -> str:
    """Apply list edits; each edited document is re-emitted, the others spliced back."""
    spans = _documents(text)
    out = text
    for index in sorted({e.document for e in edits}, reverse=True):
        start, end = spans[index]
        chunk = out[start:end]
        yaml = _yaml_for(chunk)
        data = yaml.load(chunk)
        for edit in (e for e in edits if e.document == index):
            parent = _walk(data, edit.path[:-1])
            _edit_list(parent[edit.path[-1]], edit.entries)
            _drop_empty_slot(parent, edit.path[-1])
        emitted = io.StringIO()
        yaml.dump(data, emitted)
        out = out[:start] + emitted.getvalue() + out[end:]
    return out


def _walk(node: Any, path: Sequence[str]) -> Any:
    for key in path:
        node = node[key]
    return node


def _edit_list(seq: Any, entries: Sequence[EntryEdit]) -> None:
    items = list(seq)
    if not items:
        return
    tails = [_take_tail(seq, index) for index in range(len(items))]
    # A comment line above entry i+1 is stored after entry i, and the one above
    # the first entry before the list: each travels with the entry it precedes.
    lead_of = [_take_top(seq), *(tail.lead for tail in tails[:-1])]
    after_list = tails[-1].lead
    for entry in entries:
        _edit_entry(items[entry.source], entry)
    kept = [e.source for e in entries]
    for dropped in sorted(set(range(len(items))) - set(kept)):
        lead_of[kept[0]] += lead_of[dropped]
    list.clear(seq)
    seq.ca.items.clear()
    for source in kept:
        list.append(seq, items[source])
    _put_top(seq, lead_of[kept[0]])
    for position, source in enumerate(kept):
        following = lead_of[kept[position + 1]] if position + 1 < len(kept) else after_list
        _put_tail(seq, position, tails[source], following)


@dataclass(frozen=True, slots=True)
class _Tail:
    key: Any = None
    eol: str = ""
    lead: str = ""
    column: int = 0


def _is_block_map(item: Any) -> bool:
    if not isinstance(item, dict) or not item:
        return False
    commented: Any = item  # a ruamel CommentedMap, which knows its flow style
    return not commented.fa.flow_style()


def _slot(seq: Any, index: int, key: Any) -> tuple[list[Any], int]:
    """Where ruamel keeps the comment after an entry: its last key's, or the list's."""
    item = seq[index]
    if key is not None:
        return item.ca.items.setdefault(key, [None, None, None, None]), 2
    return seq.ca.items.setdefault(index, [None, None, None, None]), 0


def _take_tail(seq: Any, index: int) -> _Tail:
    """Detach the comment after an entry: its end-of-line part and the lines after it."""
    item = seq[index]
    key = list(item)[-1] if _is_block_map(item) else None
    slot, at = _slot(seq, index, key)
    token = slot[at]
    if token is None:
        return _Tail(key)
    slot[at] = None
    eol, newline, rest = token.value.partition("\n")
    return _Tail(key, eol + newline, rest, token.start_mark.column)


def _take_top(seq: Any) -> str:
    comment = seq.ca.comment
    tokens = comment[1] if comment and len(comment) > 1 and comment[1] else []
    text = "".join(" " * t.start_mark.column + t.value for t in tokens)
    if tokens:
        del tokens[:]  # shared with the parent key's slot: emptied for both
    return text


def _drop_empty_slot(parent: Any, key: Any) -> None:
    """The comment list above a first entry is shared with the parent key's slot;
    once emptied by ``_take_top`` ruamel would emit the key with no line break
    after it (``allowedEndpoints: -``): an empty list there must be no list."""
    slot = parent.ca.items.get(key)
    if slot is not None and len(slot) > 3 and slot[3] == []:
        slot[3] = None


def _put_top(seq: Any, lead: str) -> None:
    if not lead:
        return
    body = lead.lstrip(" ")
    token = _token(body, len(lead) - len(body))
    comment = seq.ca.comment
    if comment and len(comment) > 1 and comment[1] is not None:
        comment[1].append(token)
    else:
        seq.ca.comment = [None, [token]]


def _put_tail(seq: Any, position: int, tail: _Tail, lead: str) -> None:
    item = seq[position]
    last = list(item)[-1] if _is_block_map(item) else None
    eol = tail.eol if tail.eol.strip() else ""
    if eol and tail.key != last:
        slot, at = _slot(seq, position, tail.key)
        slot[at] = _token(eol, tail.column)
        eol = ""
    if eol or lead:
        slot, at = _slot(seq, position, last)
        slot[at] = _token((eol or "\n") + lead, tail.column)


def _token(value: str, column: int) -> Any:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken(value, CommentMark(column), None)


def _edit_entry(item: Any, entry: EntryEdit) -> None:
    if entry.host is not None:
        old = item["host"]
        # Keep the author's quoting: a quoted scalar type wraps the new text.
        item["host"] = type(old)(entry.host) if type(old) is not str else entry.host
    if entry.add_port is not None:
        position = list(item).index("host") + 1 if "host" in item else len(item)
        item.insert(position, "port", entry.add_port)


# --- egress edits (karsgit egress): one document, re-emitted once per call ---


def _edit_document(text: str, doc_index: int, edit: Callable[[Any], None]) -> str:
    start, end = _documents(text)[doc_index]
    chunk = text[start:end]
    yaml = _yaml_for(chunk)
    data = yaml.load(chunk)
    edit(data)
    out = io.StringIO()
    yaml.dump(data, out)
    return text[:start] + out.getvalue() + text[end:]


def _parent(node: Any, key_path: Sequence[str]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    for key in key_path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = CommentedMap()
        node = node[key]
    return node


def set_scalar(text: str, doc_index: int, key_path: Sequence[str], value: str) -> str:
    """Set the scalar at ``key_path`` (parents created), keeping its comment."""

    def edit(data: Any) -> None:
        parent = _parent(data, key_path)
        old = parent.get(key_path[-1])
        if old != value:
            parent[key_path[-1]] = type(old)(value) if isinstance(old, str) else value

    return _edit_document(text, doc_index, edit)


def insert_entries(
    text: str,
    doc_index: int,
    key_path: Sequence[str],
    entries: Sequence[tuple[int, Mapping[str, Any]]],
) -> str:
    """Insert block mappings into the list at ``key_path`` (created when missing).

    Each position counts in the original list. Comment lines written above an
    entry stay above it; comments after the list stay after it.
    """

    def edit(data: Any) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        parent = _parent(data, key_path)
        seq = parent.get(key_path[-1])
        if not isinstance(seq, list):
            seq = parent[key_path[-1]] = CommentedSeq()
        seq.fa.set_block_style()
        # back to front; equal positions keep the given order
        order = sorted(range(len(entries)), key=lambda i: (entries[i][0], i), reverse=True)
        for position, mapping in (entries[i] for i in order):
            item = CommentedMap(mapping)
            seq.insert(position, item)
            if position > 0:
                _move_lead(seq, position)

    return _edit_document(text, doc_index, edit)


def _move_lead(seq: Any, position: int) -> None:
    """Comment lines after the entry before ``position`` belong to what follows it."""
    tail = _take_tail(seq, position - 1)
    _put_tail(seq, position - 1, tail, "")
    if tail.lead:
        _put_tail(seq, position, _Tail(), tail.lead)


def keep_entries(text: str, doc_index: int, key_path: Sequence[str], kept: Sequence[int]) -> str:
    """Keep only the list entries at ``kept``; none kept leaves ``[]``."""
    if kept:
        entries = tuple(EntryEdit(index) for index in kept)
        return edit_lists(text, [ListEdit(doc_index, tuple(key_path), entries)])

    def edit(data: Any) -> None:
        from ruamel.yaml.comments import CommentedSeq

        empty = CommentedSeq()
        empty.fa.set_flow_style()
        _parent(data, key_path)[key_path[-1]] = empty

    return _edit_document(text, doc_index, edit)


def new_document(data: Mapping[str, Any]) -> str:
    """A new block-style YAML document (2-space indent, lists indented) from plain data."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(_plain(data), out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        return CommentedMap((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return CommentedSeq(_plain(v) for v in value)
    return value


def append_entry(text: str, key: str, mapping: Mapping[str, str] | str) -> str:
    """Append a block mapping (or a string) to the top-level list ``key`` of a one-document file
    (created when missing), keeping comments. The indentation is the list's own:
    a kustomization's sequences of mappings mislead ``_mapping_indent``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.util import load_yaml_guess_indent

    _, sequence, offset = load_yaml_guess_indent(text)
    sequence, offset = sequence or 2, offset or 0
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long scalars
    yaml.indent(mapping=max(sequence - offset, 2), sequence=sequence, offset=offset)
    data = yaml.load(text)
    if data is None:
        data = CommentedMap()
    seq = data.get(key)
    if not isinstance(seq, list):
        seq = data[key] = CommentedSeq()
        seq.fa.set_block_style()
    seq.append(mapping if isinstance(mapping, str) else CommentedMap(mapping))
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
