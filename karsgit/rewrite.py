"""Round-trip edits of manifests with ruamel.yaml, keeping comments, quotes and
indentation (the only ruamel importer). Used by ``compile`` and ``fix``.

Only the edited document is parsed and re-emitted; the other documents of a
multi-document file are spliced back byte for byte.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
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
    start, end = _documents(path_text)[doc_index]
    chunk = path_text[start:end]
    yaml = _yaml_for(chunk)
    data = yaml.load(chunk)
    _set(data, key_path, mapping)
    out = io.StringIO()
    yaml.dump(data, out)
    return path_text[:start] + out.getvalue() + path_text[end:]
