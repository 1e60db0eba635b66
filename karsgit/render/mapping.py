"""One rendered root: its objects judged by the ordinary rules, and every hit
moved from the rendered stream to the source line that gave the value; failing
that, to the root's kustomization, naming the rendered object.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from karsgit.findings import WHOLE_FILE, Hit, Position
from karsgit.render.kustomize import Output
from karsgit.render.sources import (
    Source,
    Written,
    keys_only,
    patch_sources,
    resource_sources,
    same,
    value_at,
)
from karsgit.render.tree import CROSS_FAMILIES, Graph, Kustomization
from karsgit.settings import Settings
from karsgit.source.load import Document, LoadedFile, RepoDocuments, parse_documents
from karsgit.source.objects import KARS_GROUP, KarsObject
from karsgit.source.scalars import cluster_value, shown

_ORIGIN = "config.kubernetes.io/origin"
_START = Position(1, 1)
_QUOTED = re.compile(r"""^[ -]*(?:[^\s:#][^:\n]*: +)?["']""", re.M)
NodeAt = tuple[int, tuple[str | int, ...], bool]  # (document, path, at the key)


class RootMap:
    def __init__(
        self, settings: Settings, graph: Graph, top: Kustomization, output: Output, virtual: str
    ) -> None:
        self.settings, self.top, self.virtual = settings, top, virtual
        self.reach = graph.reach(top.directory)
        self.loaded: LoadedFile = parse_documents(virtual, _kars_only(output.text))
        self.docs = self.loaded.documents
        self._files = RepoDocuments(settings.root)
        self._wrapper = output.wrapper
        self._origins: dict[int, Source | None] = {}  # read when a hit needs one
        self._patches = [s for k in self.reach for s in patch_sources(k, self._files.read)]
        # Node indexes per document, built when a hit falls in it: most of a
        # rendered stream (ConfigMaps, Deployments) never needs one.
        self._starts = [doc.start.line for doc in self.docs]
        self._indexes: dict[int, dict[Position, NodeAt]] = {}
        self._scalars: dict[int, list[tuple[tuple[str | int, ...], str]]] = {}
        self.objects: list[KarsObject] = []

    # -- judging ---------------------------------------------------------------

    def hits(self) -> Iterator[tuple[str, Hit]]:
        from karsgit.rules import engine
        from karsgit.rules.base import RepoContext

        hits, self.objects = engine.file_hits(self.loaded, self.settings)
        context = RepoContext(self.settings, self.objects, frozenset({self.virtual}))
        cross = engine.repo_hits(context, lambda name: name in CROSS_FAMILIES)
        yield from (self.locate_hit(h) for h in hits)
        yield from (self.locate_hit(h) for path, h in cross if path == self.virtual)
        yield from self._ambiguous()

    def _ambiguous(self) -> Iterator[tuple[str, Hit]]:
        """Source scalars kustomize renders as something kubectl would not read."""
        # kustomize quotes every string that would read as something else plain,
        # so only documents with a quoted scalar can hold one (most have none).
        for i in self._quoted_docs():
            doc = self.docs[i]
            if not doc.api_version.startswith(KARS_GROUP):
                continue
            for path, text in self._scalar_nodes(i):
                # Only a string kubectl would read as something else can differ
                # (kustomize keeps 'on' a string; numbers it reads as kubectl does).
                if isinstance(cluster_value(text), str):
                    continue
                rendered = value_at(doc.data, path)
                if not isinstance(rendered, str):
                    continue
                written = self._written(i, path, rendered)
                if written is None or _agree(written.value, rendered):
                    continue
                yield (
                    written.path,
                    Hit(
                        "yaml-ambiguous-scalar",
                        written.position,
                        f"'{written.text}' is rendered by kustomize as {shown(rendered)} "
                        f"but read as {shown(written.value)} by kubectl apply -f",
                        f"quote it or write {shown(rendered)} as kustomize renders it",
                    ),
                )

    # -- mapping ---------------------------------------------------------------

    def locate_hit(self, hit: Hit) -> tuple[str, Hit]:
        """The hit at the source line that gave its value, or at the root."""
        message = self._rewrite(hit.message)
        at = self._at(hit.position) if hit.position != WHOLE_FILE else None
        located = self._locate(*at) if at is not None else None
        if located is not None:
            return located[0], replace(hit, position=located[1], message=message)
        named = self._describe(at[0]) if at is not None else f"'{self.top.directory or '.'}'"
        return self.top.path, replace(
            hit, position=_START, message=f"{message} (in the rendered {named})"
        )

    def _rewrite(self, message: str) -> str:
        """Locations of rendered objects inside messages become source locations."""

        def source(match: re.Match[str]) -> str:
            if match.group(1) != self.virtual:
                return match.group(0)
            pos = Position(int(match.group(2)), int(match.group(3)))
            at = self._at(pos)
            located = self._locate(*at) if at else None
            path, where = located if located else (self.top.path, _START)
            return f"{path}:{where.line}:{where.column}"

        return re.sub(r"(<rendered:\d+>):(\d+):(\d+)", source, message)

    def _quoted_docs(self) -> list[int]:
        text = self.loaded.text or ""
        found: set[int] = set()
        line, last = 1, 0
        for match in _QUOTED.finditer(text):
            line += text.count("\n", last, match.start())
            last = match.start()
            found.add(bisect.bisect_right(self._starts, line) - 1)
        return sorted(found - {-1})

    def _at(self, position: Position) -> NodeAt | None:
        index = bisect.bisect_right(self._starts, position.line) - 1
        if index < 0:
            return None
        if index not in self._indexes:
            self._build_index(index)
        return self._indexes[index].get(position)

    def _build_index(self, index: int) -> None:
        found: dict[Position, NodeAt] = {}
        scalars = []
        for node in self.docs[index].nodes():
            found.setdefault(node.position, (index, node.path, False))
            if node.key_position is not None:
                found.setdefault(node.key_position, (index, node.path, True))
            if node.scalar:
                scalars.append((node.path, node.text))
        self._indexes[index], self._scalars[index] = found, scalars

    def _scalar_nodes(self, index: int) -> list[tuple[tuple[str | int, ...], str]]:
        if index not in self._scalars:
            self._build_index(index)
        return self._scalars[index]

    def _describe(self, index: int) -> str:
        doc = self.docs[index]
        return f"{doc.kind} {doc.namespace or '<no namespace>'}/{doc.name} of '{self.top.path}'"

    def _locate(
        self, index: int, path: tuple[str | int, ...], at_key: bool
    ) -> tuple[str, Position] | None:
        if not path:
            origin = self._origin_of(index)
            return (origin.path, origin.start) if origin and origin.start else None
        value = value_at(self.docs[index].data, path)
        if isinstance(value, dict | list):
            scalars = self._scalar_nodes(index)
            inner = next((p for p, _ in scalars if p[: len(path)] == path), None)
            return self._locate(index, inner, False) if inner else None
        written = self._written(index, path, value)
        if written is not None:
            where = written.key_position if at_key and written.key_position else written.position
            return written.path, where
        if keys_only(path) == ("metadata", "namespace"):
            return self._namespace_transformer()
        return None

    def _written(self, index: int, path: tuple[str | int, ...], value: Any) -> Written | None:
        doc = self.docs[index]
        origin = self._origin_of(index)
        name = origin.name if origin else doc.name
        key = keys_only(path)
        sources = [*self._patches, *([origin] if origin else [])]
        for source in sources:
            if source.admits(doc.kind, name):
                for written in source.scalars.get(key, ()):
                    if same(written, value):
                        return written
        return None

    def _namespace_transformer(self) -> tuple[str, Position] | None:
        for k in self.reach:  # the root's namespace wins over its bases'
            if k.namespace is not None:
                return k.path, k.namespace
        return None

    # -- sources -----------------------------------------------------------------

    def _origin_of(self, index: int) -> Source | None:
        if index not in self._origins:
            self._origins[index] = self._origin(self.docs[index], self._wrapper)
        return self._origins[index]

    def _origin(self, doc: Document, wrapper: str) -> Source | None:
        annotations = doc.metadata.get("annotations")
        text = annotations.get(_ORIGIN) if isinstance(annotations, dict) else None
        found = re.search(r"^path: (.+)$", text, re.M) if isinstance(text, str) else None
        if found is None:
            return None
        absolute = os.path.normpath(os.path.join(wrapper, found.group(1).strip().strip("'\"")))
        path = os.path.relpath(absolute, self.settings.root).replace(os.sep, "/")
        same_kind = [d for d in self._files.read(path) if d.kind == doc.kind]
        best = next((d for d in same_kind if d.name and d.name in doc.name), None)
        chosen = best or (same_kind[0] if same_kind else None)
        return resource_sources(chosen) if chosen is not None else None


def _kars_only(text: str) -> str:
    """The rendered stream with other kinds' documents blanked, line for line:
    only kars objects are judged, and parsing the rest cost most of a run."""
    out: list[str] = []
    for i, part in enumerate(text.split("\n---\n")):
        kept = KARS_GROUP in part
        if i:  # a blank line for the separator of a blanked document: no empty document
            out.append("\n---\n" if kept else "\n\n")
        out.append(part if kept else "\n" * part.count("\n"))
    return "".join(out)


def _agree(written: Any, rendered: Any) -> bool:
    return type(written) is type(rendered) and written == rendered
