"""The kustomization graph of a repository: which directories are roots, which
files each root reaches, and what cannot be rendered offline (remote bases,
helm charts, cycles). Reads kustomization files only; renders nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from karsgit.findings import Position

if TYPE_CHECKING:
    from karsgit.source.load import Document

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# kustomize fetches a reference it cannot find on disk when it looks like a URL
# (go-getter syntax): offline, karsgit names it instead of trying.
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|git::|[a-z0-9-]+(?:\.[a-z0-9-]+)+/)", re.I)
_FLUX = "kustomize.toolkit.fluxcd.io/"
_ARGO = "argoproj.io/"

# The cross-object rule families, judged per kustomization root: each root is a
# cluster or an environment (issue 12).
CROSS_FAMILIES = frozenset({"karsgit.rules.references", "karsgit.rules.approvals"})


@dataclass
class Ref:
    """One entry of a kustomization that names another file or directory."""

    field: str  # resources, components, patches, ...
    target: str  # repo-relative POSIX path (or the remote reference as written)
    position: Position
    patch: bool = False  # consumed as a patch, not as objects
    remote: bool = False
    directory: bool = False  # names a directory that holds a kustomization


@dataclass
class Kustomization:
    """What the graph needs of a kustomization file; its document and text are read
    on first use (a hook run with a cached graph reads only the roots it renders)."""

    directory: str  # repo-relative POSIX, "" for the repository root
    path: str  # the kustomization file itself
    refs: list[Ref] = field(default_factory=list)
    helm: Position | None = None
    component: bool = False  # a Component only exists inside the kustomizations that list it
    namespace: Position | None = None  # of its own ``namespace`` field
    tree: Path | None = None  # the work tree its text is read from, on first use
    parsed: tuple[Document | None, str] | None = field(default=None, repr=False, compare=False)

    def includes(self) -> Iterator[Ref]:
        """Entries naming another kustomization (bases, components, overlays)."""
        return (r for r in self.refs if r.directory)

    @property
    def doc(self) -> Document | None:
        return self._parsed()[0]

    @property
    def text(self) -> str:
        return self._parsed()[1]

    def _parsed(self) -> tuple[Document | None, str]:
        if self.parsed is None:
            self.parsed = _parse(self.tree, self.path) if self.tree is not None else (None, "")
        return self.parsed


@dataclass
class Graph:
    kustomizations: dict[str, Kustomization]  # by directory
    roots: list[str]
    cycles: list[tuple[str, Ref]] = field(default_factory=list)  # (kustomization path, ref)
    # metadata.name of each Flux Kustomization / Argo CD Application -> the roots it applies
    apps: dict[str, list[str]] = field(default_factory=dict)

    def reach(self, root: str) -> list[Kustomization]:
        """The kustomizations a root renders, root first, each once."""
        out: list[Kustomization] = []
        seen: set[str] = set()
        queue = [root]
        while queue:
            here = queue.pop(0)
            if here in seen or here not in self.kustomizations:
                continue
            seen.add(here)
            out.append(self.kustomizations[here])
            queue.extend(r.target for r in self.kustomizations[here].includes())
        return out

    def renderable(self, root: str) -> bool:
        """kustomize can render it offline: no remote base, helm chart or cycle on the way."""
        cyclic = {path for path, _ in self.cycles}
        return not any(
            k.helm is not None or k.path in cyclic or any(r.remote for r in k.refs)
            for k in self.reach(root)
        )

    def files(self, root: str) -> set[str]:
        """Every repository file a root consumes: kustomizations, resources, patches."""
        out: set[str] = set()
        for k in self.reach(root):
            out.add(k.path)
            out.update(r.target for r in k.refs if not r.remote and not r.directory)
        return out

    def fragments(self) -> set[str]:
        """Files some kustomization reads as a patch and none as a resource."""
        refs = [r for k in self.kustomizations.values() for r in k.refs if not r.remote]
        return {r.target for r in refs if r.patch} - {r.target for r in refs if not r.patch}

    def patch_only(self, root: str) -> set[str]:
        """Files this root reads only as patches: fragments, not objects."""
        reached = self.reach(root)
        patches = {r.target for k in reached for r in k.refs if r.patch and not r.remote}
        resources = {r.target for k in reached for r in k.refs if not r.patch}
        return patches - resources


def kustomization_files(listed: Iterable[str]) -> list[str]:
    return sorted(p for p in listed if posixpath.basename(p) in NAMES)


def build_graph(root: Path, listed: list[str], named_roots: Iterable[str] = ()) -> Graph:
    return assemble(root, read_kustomizations(root, listed), named_roots)


def read_kustomizations(
    root: Path, listed: list[str], probed: dict[str, bool] | None = None
) -> dict[str, Kustomization]:
    """Every kustomization of the listed files, by directory. ``probed`` hears each
    path whose being listed decided an entry (a listed file is never remote)."""
    files = kustomization_files(listed)
    homes = {posixpath.dirname(p) for p in files}
    known = _Known(set(listed), homes, {} if probed is None else probed)
    found: dict[str, Kustomization] = {}
    for path in files:
        directory = posixpath.dirname(path)
        if directory not in found:  # kustomize itself refuses a directory with two
            found[directory] = _read(root, directory, path, known)
    return found


def assemble(root: Path, found: dict[str, Kustomization], named_roots: Iterable[str] = ()) -> Graph:
    """The graph of these kustomizations: its roots are the named ones, else the paths
    Flux and Argo CD objects apply, else every kustomization nothing includes."""
    included = {r.target for k in found.values() for r in k.includes()}
    roots = [d for d in found if d not in included and not found[d].component]
    named = [_normal(r) for r in named_roots]
    apps = {} if named else _gitops_apps(root, found)
    chosen = named or sorted({path for paths in apps.values() for path in paths})
    graph = Graph(found, sorted(chosen) if chosen else sorted(roots), apps=apps)
    graph.cycles = list(_cycles(found))
    return graph


def _normal(path: str) -> str:
    cleaned = posixpath.normpath(path.strip("/")) if path.strip("/") else ""
    return "" if cleaned == "." else cleaned


@dataclass(frozen=True)
class _Known:
    files: set[str]
    homes: set[str]  # directories holding a kustomization
    probed: dict[str, bool]  # file -> listed, for each look-up in ``files``


def _parse(root: Path, path: str) -> tuple[Document | None, str]:
    try:
        text = (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, ""  # the file checks report it
    from karsgit.source.load import parse_documents  # PyYAML: not before the hook's render starts

    loaded = parse_documents(path, text)
    return (loaded.documents[0] if loaded.documents else None), text


def _read(root: Path, directory: str, path: str, listed: _Known) -> Kustomization:
    doc, text = _parse(root, path)
    k = Kustomization(directory, path, tree=root, parsed=(doc, text))
    if doc is None or not isinstance(doc.data, dict):
        return k
    data: dict[str, Any] = doc.data
    k.component = data.get("kind") == "Component"
    if "namespace" in data:
        k.namespace = doc.pos(("namespace",))
    for name in ("resources", "bases", "components", "crds"):
        for i, entry in enumerate(_list(data.get(name))):
            if isinstance(entry, str):
                k.refs.append(_ref(directory, name, entry, doc.pos((name, i)), False, listed))
    for i, entry in enumerate(_list(data.get("patchesStrategicMerge"))):
        if isinstance(entry, str) and "\n" not in entry:
            pos = doc.pos(("patchesStrategicMerge", i))
            k.refs.append(_ref(directory, "patchesStrategicMerge", entry, pos, True, listed))
    for name in ("patches", "patchesJson6902"):
        for i, entry in enumerate(_list(data.get(name))):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                pos = doc.pos((name, i, "path"))
                k.refs.append(_ref(directory, name, entry["path"], pos, True, listed))
    if data.get("helmCharts") or data.get("helmChartInflationGenerator"):
        key = "helmCharts" if data.get("helmCharts") else "helmChartInflationGenerator"
        k.helm = doc.key_pos((key,))
    return k


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ref(directory: str, name: str, entry: str, pos: Position, patch: bool, known: _Known) -> Ref:
    target = _normal(posixpath.join(directory, entry))
    home = target in known.homes
    remote = False
    if not home and _REMOTE.match(entry) is not None:
        listed = known.probed[target] = target in known.files
        remote = not listed
    return Ref(name, entry if remote else target, pos, patch, remote, home and not patch)


def _gitops_apps(root: Path, found: dict[str, Kustomization]) -> dict[str, list[str]]:
    """By name, the paths that Flux Kustomizations (spec.path) and Argo CD
    Applications (spec.source.path, spec.sources[].path) apply, where they hold a
    kustomization (one name may stand in several clusters' folders)."""
    from karsgit.source.gitio import files_containing

    apps: dict[str, set[str]] = {}
    for rel in files_containing(root, (_FLUX, _ARGO), ("*.yaml", "*.yml")):
        if posixpath.basename(rel) in NAMES:
            continue
        from karsgit.source.load import parse_documents  # only when there are such files

        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for doc in parse_documents(rel, text).documents:
            paths = {p for p in map(_normal, _applied_paths(doc)) if p in found}
            if paths:
                apps.setdefault(doc.name, set()).update(paths)
    return {name: sorted(paths) for name, paths in sorted(apps.items())}


def _applied_paths(doc: Document) -> Iterator[str]:
    spec = doc.data.get("spec") if isinstance(doc.data, dict) else None
    if not isinstance(spec, dict):
        return
    if doc.api_version.startswith(_FLUX) and doc.kind == "Kustomization":
        if isinstance(spec.get("path"), str):
            yield spec["path"]
    elif doc.api_version.startswith(_ARGO) and doc.kind == "Application":
        sources = [spec.get("source"), *_list(spec.get("sources"))]
        yield from (
            s["path"] for s in sources if isinstance(s, dict) and isinstance(s.get("path"), str)
        )


def _cycles(found: dict[str, Kustomization]) -> Iterator[tuple[str, Ref]]:
    """Each include that closes a cycle, once (kustomize would recurse into it)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(directory: str) -> Iterator[tuple[str, Ref]]:
        state[directory] = 1
        k = found[directory]
        for ref in k.includes():
            if state.get(ref.target) == 1:
                yield k.path, ref
            elif ref.target not in state:
                yield from visit(ref.target)
        state[directory] = 2

    for directory in sorted(found):
        if directory not in state:
            yield from visit(directory)
