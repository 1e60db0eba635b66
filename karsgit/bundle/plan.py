"""Where each Strict sandbox's bundle lives and what it should hold.

Plans only: reads the committed bundle bytes, never writes. ``compile`` turns a
plan into writes, ``verify`` into findings (docs/bundles.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from karsgit.bundle import canonical as canon
from karsgit.errors import ConfigError, FileTooLarge
from karsgit.normalize.endpoints import Endpoint
from karsgit.rules.hosts import normal_endpoint
from karsgit.settings import Settings
from karsgit.source.objects import STRICT, KarsObject, ObjectRef, Sandbox

REGISTRY_ENV = "KARS_REGISTRY"
BUNDLE_FILE = "allowlist.yaml"
SIGSTORE_SUFFIX = ".sigstore.json"
SIG_SUFFIX = ".sig"
# kubectl applies a namespace-less object to the context namespace; karsgit
# files it under "default" (namespace-missing already warns about it).
DEFAULT_NAMESPACE = "default"
REF_PATH = ("spec", "networkPolicy", "allowlistRef")
REF_KEYS = ("registry", "repository", "digest", "artifactType")


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
    if settings.registry or os.environ.get(REGISTRY_ENV):
        return settings.registry or os.environ[REGISTRY_ENV].strip()
    existing = (sandbox.allowlist_ref or {}) if sandbox is not None else {}
    registry = existing.get("registry")
    return registry if isinstance(registry, str) else ""


def require_registry(settings: Settings, sandbox: Sandbox) -> str:
    registry = registry_for(settings, sandbox)
    if not registry:
        raise ConfigError(
            f"no registry for the allowlistRef of sandbox {sandbox.ref.namespace}/"
            f"{sandbox.ref.name}",
            f"set bundles.registry in .karsgit.yaml or the {REGISTRY_ENV} environment variable",
        )
    return registry


def bundle_rel(settings: Settings, ref: ObjectRef) -> str:
    namespace = ref.namespace or DEFAULT_NAMESPACE
    return f"{settings.bundle_dir.strip('/')}/{namespace}/{ref.name}/{BUNDLE_FILE}"


def repository_for(settings: Settings, ref: ObjectRef) -> str:
    # str.replace, not str.format: a template is config, not code
    template = settings.repository.replace("{namespace}", ref.namespace or DEFAULT_NAMESPACE)
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
    value = sandbox.annotations.get(settings.deny_all_annotation, "")
    return value.strip().lower() == "true"


def source_endpoints(sandbox: Sandbox, settings: Settings) -> tuple[Endpoint, ...] | None:
    """The normal form of the inline list; None when there is none to compile."""
    marked = deny_all(sandbox, settings)
    if not sandbox.endpoints_set and not marked:
        return None
    normals = [normal_endpoint(entry) for entry in sandbox.endpoints]
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


def _generation_only(current: bytes) -> canon.ParsedBundle | None:
    """A non-canonical committed bundle still fixes the generation: never go back."""
    for line in current.decode("ascii", "replace").splitlines():
        value = line.strip().removeprefix("generation:").strip()
        if line.strip().startswith("generation:") and value.isdigit() and int(value) >= 1:
            return canon.ParsedBundle(int(value), ())
    return None


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


def plan(settings: Settings, objects: Iterable[KarsObject]) -> list[Target]:
    """A Target for every Strict sandbox, in (namespace, name) order."""
    targets = []
    for sandbox in strict_sandboxes(objects):
        rel = bundle_rel(settings, sandbox.ref)
        current = read_bytes(settings.root / rel, settings.max_file_bytes)
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
    """Repo-relative paths of every ``allowlist.yaml`` (or lone signature) on disk."""
    base = settings.root / settings.bundle_dir
    found: set[str] = set()
    for namespace in _subdirs(base):
        for name in _subdirs(namespace):
            with os.scandir(name) as entries:
                has_bundle = any(entry.name.startswith(BUNDLE_FILE) for entry in entries)
            if has_bundle:
                found.add(Path(name.path, BUNDLE_FILE).relative_to(settings.root).as_posix())
    return sorted(found)


def _subdirs(path: Path | os.DirEntry[str]) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return [e for e in entries if e.is_dir(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return []
