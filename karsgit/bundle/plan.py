"""Where each bundled sandbox's bundle lives and what it should hold.

Plans only: reads the committed bundle bytes, never writes. ``compile`` turns a
plan into writes, ``verify`` into findings (docs/bundles.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from karsgit.bundle import canonical as canon
from karsgit.bundle.layout import BUNDLE_FILE, bundle_rel, namespace_of
from karsgit.errors import ConfigError, FileTooLarge
from karsgit.normalize.endpoints import Endpoint
from karsgit.normalize.entries import normal_entries
from karsgit.settings import REGISTRY_ENV, Settings
from karsgit.source.objects import STRICT, KarsObject, ObjectRef, Sandbox

REF_PATH = ("spec", "networkPolicy", "allowlistRef")
REF_KEYS = ("registry", "repository", "digest", "artifactType")
# schemas/karssandbox.schema.json and the config schema: allowlistRef.registry
_BARE_HOST = re.compile(r"[^/\s]+")


@dataclass(frozen=True, slots=True)
class Target:
    """One Strict sandbox's bundle: committed bytes, expected bytes, expected ref.

    ``expected`` is None when it cannot be computed here: the sandbox has no
    inline list (the committed bundle is its source) or an entry that does not
    normalize (``check`` reports that).
    """

    sandbox: Sandbox
    rel: str
    endpoints: tuple[Endpoint, ...] | None
    current: bytes | None
    expected: bytes | None
    ref: Mapping[str, str] | None

    @property
    def source_bytes(self) -> bytes | None:
        """What the ref should point at: the expected bytes, else the committed ones."""
        return self.expected if self.expected is not None else self.current


def registry_for(settings: Settings, sandbox: Sandbox | None = None) -> str:
    """Config ``bundles.registry``, else ``KARS_REGISTRY``, else the ref's own registry."""
    if settings.registry:
        # the config schema holds bundles.registry to a bare host; KARS_REGISTRY is held here
        return _bare_registry(settings.registry)
    existing = (sandbox.allowlist_ref or {}) if sandbox is not None else {}
    registry = existing.get("registry")
    return registry if isinstance(registry, str) else ""


def _bare_registry(value: str) -> str:
    """The environment's registry, held to what the CRD admits before it reaches a ref."""
    if _BARE_HOST.fullmatch(value):
        return value
    host = value.split("/", 1)[0].strip()
    raise ConfigError(
        f"{REGISTRY_ENV} '{value}' is not a bare registry host: allowlistRef.registry "
        "takes no path or whitespace",
        f"set {REGISTRY_ENV}={host} and put the path in bundles.repository "
        "(e.g. 'team/policy/egress-allowlist/{name}')",
    )


def require_registry(settings: Settings, sandbox: Sandbox) -> str:
    registry = registry_for(settings, sandbox)
    if not registry:
        raise ConfigError(
            f"no registry for the allowlistRef of sandbox {sandbox.ref.namespace}/"
            f"{sandbox.ref.name}",
            f"set bundles.registry in .karsgit.yaml or the {REGISTRY_ENV} environment variable",
        )
    return registry


def repository_for(settings: Settings, ref: ObjectRef) -> str:
    # str.replace, not str.format: a template is config, not code
    template = settings.repository.replace("{namespace}", namespace_of(ref))
    return template.replace("{name}", ref.name)


def expected_ref(
    settings: Settings, sandbox: Sandbox, data: bytes, registry: str
) -> dict[str, str]:
    return {
        "registry": registry,
        "repository": repository_for(settings, sandbox.ref),
        "digest": canon.oci_manifest_digest(data),
        "artifactType": canon.ARTIFACT_TYPE,
    }


def deny_all(sandbox: Sandbox, settings: Settings) -> bool:
    return sandbox.marked_deny_all(settings.deny_all_annotation)


def source_endpoints(sandbox: Sandbox, settings: Settings) -> tuple[Endpoint, ...] | None:
    """The normal form of the inline list; None when there is none to compile."""
    marked = deny_all(sandbox, settings)
    if not sandbox.endpoints_set and not marked:
        return None
    normals = normal_entries(sandbox)
    if any(n is None for n in normals):
        return None
    endpoints = tuple(sorted({n for n in normals if n is not None}))
    # an empty list compiles to deny-all only when marked so (empty-allowlist otherwise)
    return endpoints if endpoints or marked else None


def render(endpoints: tuple[Endpoint, ...], current: bytes | None) -> bytes:
    """Canonical bytes; the generation moves only when the endpoint set changes."""
    previous = canon.parse_canonical(current) if current is not None else None
    parsed = previous if isinstance(previous, canon.ParsedBundle) else None
    if current is not None and parsed is None:
        parsed = _generation_only(current)
    generation = canon.next_generation(parsed, endpoints)
    if not endpoints:
        return canon.deny_all_bytes(generation)
    return canon.canonical_bytes(generation, endpoints)


def compiled_bytes(settings: Settings, sandbox: Sandbox, current: bytes | None) -> bytes | None:
    """What compile writes for a sandbox next to ``current``; None when it writes nothing."""
    if sandbox.mode != STRICT:
        return None
    endpoints = source_endpoints(sandbox, settings)
    return render(endpoints, current) if endpoints is not None else None


def _generation_only(current: bytes) -> canon.ParsedBundle | None:
    """A non-canonical committed bundle still fixes the generation: never go back."""
    for line in current.decode("ascii", "replace").splitlines():
        value = line.strip().removeprefix("generation:").strip()
        if line.strip().startswith("generation:") and value.isdigit() and int(value) >= 1:
            return canon.ParsedBundle(int(value), ())
    return None


def read_bundle(settings: Settings, rel: str, checked: set[str] | None = None) -> bytes | None:
    """The committed bytes at a bundle path; a symlink anywhere on it is refused, so
    no reader vouches for a file outside the repository (karsgit.edit.paths)."""
    from karsgit.edit.paths import require_no_links

    require_no_links(settings.root, rel, checked)
    return read_bytes(settings.root / rel, settings.max_file_bytes)


def read_bytes(path: Path, limit: int = Settings.max_file_bytes) -> bytes | None:
    """A bundle or signature file, None when absent; FileTooLarge over ``limit``
    (a 200 MB signature file was read whole, several times its size in memory)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise FileTooLarge(str(path.name), size, limit)
            return handle.read()
    except FileNotFoundError:
        return None


def strict_sandboxes(objects: Iterable[KarsObject]) -> list[Sandbox]:
    found = [o for o in objects if isinstance(o, Sandbox) and o.mode == STRICT]
    return sorted(found, key=lambda s: (s.ref, s.location.path))


def bundled_sandboxes(objects: Iterable[KarsObject], settings: Settings) -> list[Sandbox]:
    """Every sandbox whose bundle the controller reads: Strict ones, and Learn ones
    with inline endpoints or an ``allowlistRef``. The controller resolves the ref and
    programs L4 ports whatever the mode, and with REQUIRE_SIGNED_ALLOWLIST fails a
    Learn sandbox with inline endpoints and no ref closed (issue 11 item 6)."""
    found = [o for o in objects if isinstance(o, Sandbox) and is_bundled(o, settings)]
    return sorted(found, key=lambda s: (s.ref, s.location.path))


def is_bundled(sandbox: Sandbox, settings: Settings) -> bool:
    return bool(
        sandbox.mode == STRICT
        or sandbox.endpoints
        or sandbox.allowlist_ref
        or deny_all(sandbox, settings)
    )


def plan(settings: Settings, objects: Iterable[KarsObject]) -> list[Target]:
    """A Target for every bundled sandbox, in (namespace, name) order."""
    targets = []
    checked: set[str] = set()
    for sandbox in bundled_sandboxes(objects, settings):
        rel = bundle_rel(settings, sandbox.ref)
        current = read_bundle(settings, rel, checked)
        endpoints = source_endpoints(sandbox, settings)
        expected = render(endpoints, current) if endpoints is not None else None
        data = expected if expected is not None else current
        registry = registry_for(settings, sandbox)
        ref = expected_ref(settings, sandbox, data, registry) if data is not None else None
        targets.append(Target(sandbox, rel, endpoints, current, expected, ref))
    return targets


def ref_matches(sandbox: Sandbox, ref: Mapping[str, str]) -> bool:
    existing = sandbox.allowlist_ref or {}
    return all(existing.get(key) == ref[key] for key in REF_KEYS if ref[key])


def committed_bundles(settings: Settings) -> list[str]:
    """Repo-relative paths of every ``allowlist.yaml`` (or lone signature) on disk,
    plain (``<ns>/<name>/``) or under a rendered root's folders (karsgit.bundle.layout)."""
    from karsgit.edit.paths import require_no_links

    require_no_links(settings.root, settings.bundle_dir)
    base = settings.root / settings.bundle_dir
    found: set[str] = set()
    folders = [(d, 1) for d in _subdirs(settings, base)]
    while folders:
        folder, depth = folders.pop()
        folders.extend((d, depth + 1) for d in _subdirs(settings, folder))
        if depth < 2:
            continue
        with os.scandir(folder) as entries:
            files = [e for e in entries if e.name.startswith(BUNDLE_FILE)]
        for entry in files:
            if entry.is_symlink():
                require_no_links(settings.root, _rel(settings, entry))
        if files:
            found.add(Path(folder.path, BUNDLE_FILE).relative_to(settings.root).as_posix())
    return sorted(found)


def _rel(settings: Settings, entry: os.DirEntry[str]) -> str:
    return Path(entry.path).relative_to(settings.root).as_posix()


def _subdirs(settings: Settings, path: Path | os.DirEntry[str]) -> list[os.DirEntry[str]]:
    """Sub-folders; a symlink among them is refused rather than silently skipped."""
    from karsgit.edit.paths import require_no_links

    try:
        with os.scandir(path) as entries:
            found = list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in found:
        if entry.is_symlink():
            require_no_links(settings.root, _rel(settings, entry))
    return [e for e in found if e.is_dir(follow_symlinks=False)]
