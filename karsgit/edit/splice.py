"""Fast, exact text edits of one block mapping in a manifest (``allowlistRef``).

ruamel.yaml's round trip costs ~80 ms per manifest, minutes for a repository of
10,000 sandboxes (benchmarks/). Setting a small mapping of plain strings needs no
re-emitting: the new lines are spliced in at the offsets libyaml reports, and the
result is re-read and compared with the intended data before it is accepted.
Anything unusual (flow style, comments inside the replaced lines, a value that
needs quoting care) returns None, and the caller falls back to the round trip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from karsgit.source.load import parse_documents
from karsgit.source.scalars import cluster_value

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+@-]*(?::[A-Za-z0-9._/+@-]+)*")


def _scalar(value: str) -> str:
    if _PLAIN.fullmatch(value) and cluster_value(value) == value:
        return value
    return json.dumps(value)  # a JSON string is a valid double-quoted YAML scalar


def _render(key: str, mapping: Mapping[str, str], indent: int, step: int) -> str:
    lines = [f"{' ' * indent}{key}:"]
    lines += [f"{' ' * (indent + step)}{k}: {_scalar(v)}" for k, v in mapping.items()]
    return "\n".join(lines) + "\n"


def _get(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _keeping_order(old: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, str]:
    """Keys already written keep their place; new keys follow in the order given."""
    keys = [k for k in old if k in mapping] + [k for k in mapping if k not in old]
    return {k: mapping[k] for k in keys}


def _line_end(text: str, offset: int) -> int:
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


def _with(data: Any, path: Sequence[str], mapping: Mapping[str, str]) -> Any:
    out = dict(data)
    if len(path) == 1:
        out[path[0]] = dict(mapping)
    else:
        out[path[0]] = _with(out.get(path[0], {}), path[1:], mapping)
    return out


def set_block_mapping(
    text: str, doc_index: int, key_path: Sequence[str], mapping: Mapping[str, str], step: int = 2
) -> str | None:
    """``text`` with the mapping at ``key_path`` of document ``doc_index`` replaced."""
    before = parse_documents("", text)
    docs = {doc.index: doc for doc in before.documents}
    doc = docs.get(doc_index)
    if before.hits or doc is None or not isinstance(doc.data, dict):
        return None
    slot = doc.block_slot(tuple(key_path))
    if slot is None:
        return None
    end = _line_end(text, slot.end)
    start = end if slot.start is None else slot.start
    if "#" in text[start:end]:
        return None
    old = _get(doc.data, key_path) if slot.start is not None else None
    ordered = _keeping_order(old if isinstance(old, dict) else {}, mapping)
    new = text[:start] + _render(key_path[-1], ordered, slot.indent, step) + text[end:]
    return new if _as_intended(new, before.documents, doc_index, key_path, mapping) else None


def _as_intended(
    new: str,
    old_docs: list[Any],
    doc_index: int,
    key_path: Sequence[str],
    mapping: Mapping[str, str],
) -> bool:
    after = parse_documents("", new)
    if after.hits or len(after.documents) != len(old_docs):
        return False
    for old, now in zip(old_docs, after.documents, strict=True):
        wanted = _with(old.data, key_path, mapping) if old.index == doc_index else old.data
        if now.index != old.index or now.data != wanted:
            return False
    return True
