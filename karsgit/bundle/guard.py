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

from pathlib import PurePosixPath

from karsgit.settings import Settings

GUARD_FILE = "kustomization.yaml"
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


def guard_rel(settings: Settings) -> str:
    return f"{settings.bundle_dir.strip('/')}/{GUARD_FILE}"


def guard_missing(settings: Settings) -> bool:
    """True when the bundle directory has no kustomization file of any name.

    A kustomization the user wrote there is theirs: karsgit never replaces it.
    Nor is one written at the repository root (``bundles.dir: .``): an empty
    kustomization there would make every tool apply nothing at all.
    """
    if not PurePosixPath(settings.bundle_dir.strip("/")).parts:
        return False
    base = settings.root / settings.bundle_dir.strip("/")
    return not any((base / name).is_file() for name in _KUSTOMIZATION_NAMES)
