"""Endpoint-list edits for ``karsgit fix`` as text, so every comment stays with its
entry: host and port edits in place, then entries moved as blocks of lines.

ruamel.yaml keeps a comment above a list entry in whichever node came before it
(the parent key, the previous entry's last value, the list itself), and loses or
misplaces some of them when entries move (issue 10, item 6). Here an entry is
its lines: the comment and blank lines right above its dash, its own lines
(comments between its keys and at line ends included) up to its last value.
Moving those line blocks moves everything with them. Lines after the last entry
stay after the list. Layouts this cannot cut cleanly (flow lists, an entry
that does not start on its dash line, dashes at different columns) return None,
and the caller falls back to the round trip. The caller re-reads the result and
compares it with the intended data, as for every rewrite.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from karsgit.source.load import Document, PathKey, parse_documents
from karsgit.source.scalars import cluster_value

# (document, list path, [(entry index, new host or None, port to add or None)])
ValueEdit = tuple[int, PathKey, Sequence[tuple[int, str | None, int | None]]]


@dataclass(frozen=True, slots=True)
class Entry:
    lead: int  # offset of the first comment/blank line above the dash line
    start: int  # offset of the dash line
    end: int  # offset just past the entry's last line (its newline included)


def reorder(text: str, doc_index: int, path: PathKey, order: Sequence[int]) -> str | None:
    """``text`` with the list at ``path`` holding the entries ``order`` names (by
    original index; indexes left out are dropped), or None when the layout is
    not one this can cut."""
    loaded = parse_documents("reorder", text)
    if loaded.hits or doc_index >= len(loaded.documents):
        return None
    entries = _entries(text, loaded.documents[doc_index], path)
    if not entries or not order or any(not 0 <= i < len(entries) for i in order):
        return None
    # Blank lines above an entry's comments separate positions: they stay put.
    gaps, leads = zip(*(_split_lead(text[e.lead : e.start]) for e in entries), strict=True)
    bodies = [text[e.start : e.end] for e in entries]
    if not bodies[-1].endswith("\n"):
        bodies[-1] += "\n"
    # The comments of a dropped duplicate are kept, above the first entry's dash.
    dropped = "".join(leads[i] for i in range(len(entries)) if i not in order)
    blocks = [gaps[at] + leads[i] + bodies[i] for at, i in enumerate(order)]
    blocks[0] = gaps[0] + leads[order[0]] + dropped + bodies[order[0]]
    out = "".join(blocks)
    tail_end = entries[-1].end
    if not text[entries[-1].start : tail_end].endswith("\n"):
        out = out.removesuffix("\n")
    return text[: entries[0].lead] + out + text[tail_end:]


def edit_values(text: str, edits: Sequence[ValueEdit]) -> str | None:
    """Set hosts and add ports in place, touching only those characters; None
    when an entry is not laid out plainly enough to edit as text."""
    loaded = parse_documents("edit", text)
    if loaded.hits:
        return None
    splices: list[tuple[int, int, str]] = []
    for doc_index, path, entries in edits:
        if doc_index >= len(loaded.documents):
            return None
        doc = loaded.documents[doc_index]
        items = doc.block_item_spans(path)
        for index, host, port in entries:
            if index >= len(items):
                return None
            found = _entry_splices(text, doc, (*path, index), items[index], host, port)
            if found is None:
                return None
            splices += found
    out = text
    for start, end, new in sorted(splices, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _entry_splices(
    text: str,
    doc: Document,
    at: PathKey,
    item: tuple[int, int],
    host: str | None,
    port: int | None,
) -> list[tuple[int, int, str]] | None:
    spans = doc.spans((*at, "host"))
    # The host must be written in this entry (not merged in from an anchor elsewhere).
    if spans is None or not item[0] <= spans[0] <= spans[2] <= item[1]:
        return None
    key, start, end = spans
    out = []
    if host is not None:
        out.append((start, end, _scalar(host, text[start])))
    if port is not None:
        if text[item[0]] == "{":
            out.append((end, end, f", port: {port}"))
        else:
            line_end = text.find("\n", end)
            if line_end < 0:
                return None
            column = key - (text.rfind("\n", 0, key) + 1)
            out.append((line_end + 1, line_end + 1, f"{' ' * column}port: {port}\n"))
    return out


def _scalar(value: str, quote: str) -> str:
    """The new host in the author's quoting; plain only where YAML reads it back as is."""
    if quote == "'":
        return f"'{value}'"
    if quote == '"' or cluster_value(value) != value:
        return json.dumps(value)
    return value


def _entries(text: str, doc: Document, path: PathKey) -> list[Entry]:
    out: list[Entry] = []
    columns = set()
    for begin, last in doc.block_item_spans(path):
        start = _dash_line(text, begin)
        if start is None:
            return []
        columns.add(text.index("-", start) - start)
        out.append(Entry(_lead(text, start, out[-1].end if out else None), start, _end(text, last)))
    if len(columns) != 1:
        return []
    # Whatever stands between an entry's last value and the next entry's comments
    # is the entry's own text: entries cover the list without a gap.
    return [
        Entry(e.lead, e.start, out[i + 1].lead) if i + 1 < len(out) else e
        for i, e in enumerate(out)
    ]


def _dash_line(text: str, item_start: int) -> int | None:
    """Offset of the line holding the item's dash, when the item starts on it."""
    begin = text.rfind("\n", 0, item_start) + 1
    return begin if text[begin:item_start].strip(" ") == "-" else None


def _end(text: str, last: int) -> int:
    """Just past the line of the entry's last value (a block scalar already is)."""
    if last > 0 and text[last - 1] == "\n":
        return last
    newline = text.find("\n", last)
    return len(text) if newline < 0 else newline + 1


def _split_lead(lead: str) -> tuple[str, str]:
    lines = lead.splitlines(keepends=True)
    blank = 0
    while blank < len(lines) and not lines[blank].strip():
        blank += 1
    return "".join(lines[:blank]), "".join(lines[blank:])


def _lead(text: str, start: int, floor: int | None) -> int:
    """Start of the run of comment and blank lines right above ``start``."""
    lead = start
    while lead > 0 and (floor is None or lead > floor):
        begin = text.rfind("\n", 0, lead - 1) + 1
        line = text[begin : lead - 1].strip(" \t")
        if line and not line.startswith("#"):
            break
        lead = begin
    return lead
