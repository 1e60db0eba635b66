"""``karsgit fix``: plan the edits that bring endpoint lists to their normal form.

Pure planning over loaded documents; ``karsgit.edit.rewrite`` applies the plan with a
round trip, and the result is re-read and compared before anything is written,
so a rewrite that would change any other value is refused rather than risked.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from karsgit.edit import rewrite
from karsgit.edit.files import TextForm
from karsgit.normalize.endpoints import normalize_endpoints
from karsgit.normalize.entries import entries_of, host_verdict, list_path, normal_endpoint
from karsgit.rules.engine import file_hits
from karsgit.settings import Settings
from karsgit.source.extract import to_object
from karsgit.source.load import Document, LoadedFile, iter_kars_documents, load_bytes
from karsgit.source.objects import DEFAULT_PORT, KarsObject

# A file with one of these is not fully understood: fix leaves it alone.
BLOCKING = frozenset(
    ("syntax", "duplicate-key", "conflict-marker", "encoding", "file-too-large", "unreadable")
)


@dataclass
class FileFix:
    path: str
    original: str = ""
    fixed: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    skipped: str = ""

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original

    def summary(self) -> str:
        parts = [f"{rule} x{n}" if n > 1 else rule for rule, n in sorted(self.counts.items())]
        total = sum(self.counts.values())
        noun = "finding" if total == 1 else "findings"
        return f"{self.path}: fixed {total} {noun} ({', '.join(parts)})"


def plan_list(obj: KarsObject, document: int) -> rewrite.ListEdit | None:
    """The normal form of one object's endpoint list, or None when it already is."""
    entries = entries_of(obj)
    edits = []
    for entry in entries:
        host = None
        if isinstance(entry.host, str):
            normal = host_verdict(entry.host).normal
            host = normal if normal is not None and normal != entry.host else None
        edits.append(rewrite.EntryEdit(entry.index, host, None if entry.has_port else DEFAULT_PORT))
    normals = [normal_endpoint(entry) for entry in entries]
    # Order and duplicates are only judged when every entry has a normal form,
    # exactly as the rules judge them (karsgit.normalize.entries).
    if entries and all(n is not None for n in normals):
        order = normalize_endpoints(n for n in normals if n is not None).endpoints
        edits = [edits[normals.index(endpoint)] for endpoint in order]
    if all(e.host is None and e.add_port is None for e in edits) and [
        e.source for e in edits
    ] == list(range(len(entries))):
        return None
    return rewrite.ListEdit(document, tuple(str(p) for p in list_path(obj)), tuple(edits))


def plan_file(loaded: LoadedFile) -> list[rewrite.ListEdit]:
    plan = []
    for doc in iter_kars_documents(loaded):
        obj = to_object(doc)
        edit = plan_list(obj, doc.index) if obj is not None else None
        if edit is not None:
            plan.append(edit)
    return plan


def fix_path(abspath: str, relpath: str, settings: Settings) -> FileFix:
    """``fix_bytes`` for a file on disk, under the size limit every reader keeps."""
    try:
        size = os.stat(abspath).st_size
        if size > settings.max_file_bytes:
            limit = settings.max_file_bytes
            over = f"file is {size} bytes, over the {limit}-byte limit (max_file_bytes); not read"
            return FileFix(relpath, skipped=over)
        raw = Path(abspath).read_bytes()
    except OSError as error:
        return FileFix(relpath, skipped=f"cannot read it ({error.strerror})")
    return fix_bytes(relpath, raw, settings)


def fix_bytes(relpath: str, raw: bytes, settings: Settings) -> FileFix:
    """What ``fix`` would write for one file (nothing is written here)."""
    loaded = load_bytes(relpath, raw)
    if loaded.text is None:
        return FileFix(relpath, skipped="cannot be read as UTF-8 text")
    result = FileFix(relpath, original=raw.decode("utf-8"))
    hits, _ = file_hits(loaded, settings)
    blocking = sorted({h.rule_id for h in hits if h.rule_id in BLOCKING})
    if blocking:
        result.skipped = (
            f"has {', '.join(blocking)} findings; run 'karsgit check' and fix them first"
        )
        return result
    plan = plan_file(loaded)
    if not plan:
        return result
    result.counts = Counter(h.rule_id for h in hits if h.fixable)
    try:
        fixed = _rewrite(result.original, plan)
        _verify(relpath, loaded, fixed, plan)
    except _Refused as refused:
        result.skipped = str(refused)
        return result
    result.fixed = fixed
    return result


class _Refused(Exception):
    pass


def _rewrite(text: str, plan: list[rewrite.ListEdit]) -> str:
    body, form = TextForm.split(text)
    try:
        out = _moved_as_text(body, plan)
        if out is None:
            out = rewrite.edit_lists(body, plan)
    except Exception as error:  # any rewrite failure means: leave the file alone
        raise _Refused(f"cannot be rewritten safely ({type(error).__name__})") from error
    return form.join(out)


def _moved_as_text(body: str, plan: list[rewrite.ListEdit]) -> str | None:
    """Host and port edits in place, then entries moved as lines with their
    comments (``karsgit.edit.listtext``); None where the layout needs the round
    trip for everything."""
    from karsgit.edit import listtext

    values = [
        (e.document, e.path, [(x.source, x.host, x.add_port) for x in e.entries]) for e in plan
    ]
    out = listtext.edit_values(body, values)
    for edit in plan:
        if out is None:
            return None
        out = listtext.reorder(out, edit.document, edit.path, [e.source for e in edit.entries])
    return out


def _verify(relpath: str, before: LoadedFile, fixed: str, plan: list[rewrite.ListEdit]) -> None:
    """Re-read the result: every value must be the same except the planned lists."""
    after = load_bytes(relpath, fixed.encode("utf-8"))
    if after.hits or len(after.documents) != len(before.documents):
        raise _Refused("rewrite changed the file's structure; refused")
    for old, new in zip(before.documents, after.documents, strict=True):
        if _expected(old, plan) != new.data:
            raise _Refused("rewrite would change other values; refused")


def _expected(doc: Document, plan: list[rewrite.ListEdit]) -> Any:
    import copy

    data = copy.deepcopy(doc.data)
    for edit in (e for e in plan if e.document == doc.index):
        parent = data
        for key in edit.path[:-1]:
            parent = parent[key]
        old = parent[edit.path[-1]]
        parent[edit.path[-1]] = [_entry(old[e.source], e) for e in edit.entries]
    return data


def _entry(old: Any, edit: rewrite.EntryEdit) -> Any:
    new = dict(old)
    if edit.host is not None:
        new["host"] = edit.host
    if edit.add_port is not None:
        new["port"] = edit.add_port
    return new


def write(root: Path, fix: FileFix) -> bool:
    """Write a fixed file atomically; False when it already held the result.

    A symlinked manifest is written at its target (inside the repository only),
    so git keeps the link (karsgit.edit.paths).
    """
    from karsgit.edit.files import write_in_repo

    if not fix.changed or fix.fixed is None:
        return False
    return write_in_repo(root, fix.path, fix.fixed.encode("utf-8"))
