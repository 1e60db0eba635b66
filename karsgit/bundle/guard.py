"""The kustomization that keeps GitOps tools from applying the bundle directory.

Flux's generated kustomization (a Flux Kustomization whose path has no
kustomization file) lists every ``.yaml``/``.yml`` file below the path, except
that a subdirectory holding a kustomization file is listed as that directory
and not entered. An ``EgressAllowlist`` bundle is no Kubernetes object (no
``metadata.name``, no CRD), so one listed file fails the whole build. An empty
kustomization at the top of the bundle directory makes the generator, and any
kustomize tree that lists the directory, stop there (docs/bundles.md).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from karsgit.bundle.layout import BUNDLE_FILE, GUARD_FILE, guard_rel
from karsgit.settings import Settings

__all__ = ["GUARD_BYTES", "GUARD_FILE", "guard_missing", "guard_rel"]
# kustomize's own names for a kustomization file: any of them stops the generator
_KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
GUARD_BYTES = b"""\
# Written by karsgit. The signed bundles below are artifacts for the kars
# controller, never objects to apply: this empty kustomization makes Flux's
# generated kustomization, and any kustomize tree that lists this directory,
# stop here. Keep it committed.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: []
"""


def guard_missing(settings: Settings) -> bool:
    """True when the bundle directory has no kustomization file of any name.

    A kustomization the user wrote there is theirs: karsgit never replaces it.
    Nor is one written where the directory holds anything but bundles (or is
    the repository root, ``bundles.dir: .``): an empty kustomization there would
    hide the manifests beside the bundles from every tool.
    """
    if not PurePosixPath(settings.bundle_dir.strip("/")).parts:
        return False
    base = settings.root / settings.bundle_dir.strip("/")
    if any((base / name).is_file() for name in _KUSTOMIZATION_NAMES):
        return False
    return _bundles_only(base)


def _bundles_only(base: Path) -> bool:
    """``<namespace>/<name>/allowlist.yaml*`` and nothing else below ``base``
    (a directory compile has not made yet will hold only bundles)."""
    if not base.exists():
        return True
    try:
        for namespace in base.iterdir():
            if not namespace.is_dir() or namespace.is_symlink():
                return False
            for name in namespace.iterdir():
                if not name.is_dir() or name.is_symlink():
                    return False
                # atomic writes leave '.allowlist.yaml.*.tmp' when killed
                if any(not f.name.lstrip(".").startswith(BUNDLE_FILE) for f in name.iterdir()):
                    return False
    except OSError:
        return False
    return True
