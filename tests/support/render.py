"""A Flux-style kustomize repository built in tmp_path: a base, prod and staging
overlays (strategic-merge patch files, inline JSON6902 ops), a component and a
Learn overlay. Rendered by the real kubectl kustomize."""

from __future__ import annotations

from tests.support.kube import needs_kubectl
from tests.support.repos import Repo

__all__ = ["needs_kubectl"]

BASE_SANDBOX = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: research-agent
spec:
  networkPolicy:
    egressMode: Learn
    allowedEndpoints:
      - host: api.github.com
        port: 443
      - host: pypi.example.org
        port: 443
"""

BASE_KUSTOMIZATION = """\
resources:
  - sandbox.yaml
"""

STRICT_PATCH = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: research-agent
spec:
  networkPolicy:
    egressMode: Strict
"""

PROD_KUSTOMIZATION = """\
namespace: kars-system
resources:
  - ../../base
components:
  - ../../../components/audit
patches:
  - path: strict.yaml
  - target:
      kind: KarsSandbox
      name: research-agent
    patch: |-
      - op: add
        path: /spec/networkPolicy/allowedEndpoints/-
        value:
          host: {added}
          port: 443
"""

STAGING_KUSTOMIZATION = """\
namespace: kars-system
resources:
  - ../../base
patches:
  - path: strict.yaml
"""

LEARN_KUSTOMIZATION = """\
namespace: kars-learn
resources:
  - ../../base
"""

COMPONENT = """\
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target:
      kind: KarsSandbox
    patch: |-
      - op: add
        path: /metadata/labels
        value:
          audit: "true"
"""


def flux_repo(repo: Repo, added: str = "evil-exfil.example.net") -> Repo:
    repo.write("apps/base/sandbox.yaml", BASE_SANDBOX)
    repo.write("apps/base/kustomization.yaml", BASE_KUSTOMIZATION)
    repo.write("apps/overlays/prod/kustomization.yaml", PROD_KUSTOMIZATION.format(added=added))
    repo.write("apps/overlays/prod/strict.yaml", STRICT_PATCH)
    repo.write("apps/overlays/staging/kustomization.yaml", STAGING_KUSTOMIZATION)
    repo.write("apps/overlays/staging/strict.yaml", STRICT_PATCH)
    repo.write("apps/overlays/learn/kustomization.yaml", LEARN_KUSTOMIZATION)
    repo.write("components/audit/kustomization.yaml", COMPONENT)
    repo.commit("flux repository")
    return repo


def parsable(result: object) -> list[str]:
    return [line for line in result.out.splitlines() if line]  # type: ignore[attr-defined]
