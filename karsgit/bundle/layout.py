"""Where a sandbox's bundle files live, and the way back from a path to its sandbox.

The one definition of the artifact layout (DESIGN.md §4): compile, sign, verify,
diff and the edit rules all ask here, so they can never disagree on a path.
A plain sandbox's files live at ``<dir>/<namespace>/<name>/``; a sandbox that a
kustomization root renders at ``<dir>/<root>/<namespace>/<name>/``, the root's
directory as folders (``_root`` for the repository's own), so two roots never
share a path and neither collides with a plain one (three parts, not four).
"""

from __future__ import annotations

from collections.abc import Iterable

from karsgit.settings import Settings
from karsgit.source.objects import SANDBOX, ObjectRef

BUNDLE_FILE = "allowlist.yaml"
SIGSTORE_SUFFIX = ".sigstore.json"
SIG_SUFFIX = ".sig"
SIGSTORE_FILE = BUNDLE_FILE + SIGSTORE_SUFFIX
# The keyless signature the controller reads (the content of the sha256-<hex>.sig tag).
COSIGN_FILE = "allowlist.cosign.json"
# The empty kustomization at the top of the bundle directory (karsgit.bundle.guard).
GUARD_FILE = "kustomization.yaml"
# kubectl applies a namespace-less object to the context namespace; karsgit
# files it under "default" (namespace-missing already warns about it).
DEFAULT_NAMESPACE = "default"
# The root key of a kustomization at the top of the repository.
TOP_ROOT = "_root"


def namespace_of(ref: ObjectRef) -> str:
    return ref.namespace or DEFAULT_NAMESPACE


def bundle_root(settings: Settings) -> str:
    return settings.bundle_dir.strip("/")


def bundle_rel(
    settings: Settings, ref: ObjectRef, leaf: str = BUNDLE_FILE, root: str | None = None
) -> str:
    """Repo-relative path of one of ``ref``'s bundle files (``leaf``); ``root`` is the
    directory of the kustomization root that renders it (None: a plain manifest). A
    namespace, name or root folder that is not one plain folder name (``..``, ``a/b``,
    a NUL) is refused, never joined."""
    from karsgit.edit.paths import require_component

    namespace = namespace_of(ref)
    require_component("namespace", namespace)
    require_component("sandbox name", ref.name)
    return f"{bundle_root(settings)}/{root_key(root)}{namespace}/{ref.name}/{leaf}"


def root_key(root: str | None) -> str:
    """The folders a rendered root's bundles sit under, with a trailing slash."""
    from karsgit.edit.paths import require_component

    if root is None:
        return ""
    parts = root.strip("/").split("/") if root.strip("/") else [TOP_ROOT]
    for part in parts:
        require_component("kustomization root", part)
    return "/".join(parts) + "/"


def in_bundle_dir(settings: Settings, directory: str) -> bool:
    """A directory at or under the bundle directory: its guard kustomization holds
    no objects and is never a root to render or compile."""
    top = bundle_root(settings)
    return directory == top or directory.startswith(top + "/")


def guard_rel(settings: Settings) -> str:
    return f"{bundle_root(settings)}/{GUARD_FILE}"


def is_bundle_file(settings: Settings, path: str) -> bool:
    """True for a bundle or a signature of it, where compile and sign put them."""
    parts = _parts(settings, path)
    return parts is not None and parts[-1] in (BUNDLE_FILE, SIGSTORE_FILE, COSIGN_FILE)


def sandbox_of(settings: Settings, path: str, known: Iterable[ObjectRef] = ()) -> ObjectRef | None:
    """The sandbox whose ``allowlist.yaml`` is ``path``; None for any other path.
    A rendered root's bundle maps to the sandbox as rendered (its root is the path).

    A sandbox written without a namespace files its bundle under ``default/``;
    when such a sandbox is among ``known`` it is the answer, so that the path
    maps back to the object as the repository writes it.
    """
    parts = _parts(settings, path)
    if parts is None or parts[-1] != BUNDLE_FILE:
        return None
    for ref in known:
        if ref.kind == SANDBOX and len(parts) == 3 and bundle_rel(settings, ref) == path:
            return ref
    return ObjectRef(SANDBOX, parts[-3], parts[-2])


def root_of(settings: Settings, path: str) -> str | None:
    """The kustomization root a rendered bundle file belongs to (``.`` for the
    repository's own); None for a plain manifest's bundle or any other path."""
    parts = _parts(settings, path)
    if parts is None or len(parts) <= 3:
        return None
    folders = parts[:-3]
    return "." if folders == [TOP_ROOT] else "/".join(folders)


def _parts(settings: Settings, path: str) -> list[str] | None:
    prefix = bundle_root(settings) + "/"
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix) :].split("/")
    return parts if len(parts) >= 3 and "" not in parts else None
