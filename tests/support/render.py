"""A Flux-style kustomize repository built in tmp_path: a base, prod and staging
overlays (strategic-merge patch files, inline JSON6902 ops), a component and a
Learn overlay. Rendered by the real kubectl kustomize."""

from __future__ import annotations

import hashlib
import json
import subprocess
from typing import Any

import yaml

from tests.support.kube import needs_kubectl
from tests.support.repos import Repo

__all__ = ["needs_kubectl"]

ARTIFACT = "application/vnd.kars.egress-allowlist.v1+yaml"

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


def canonical(endpoints: set[tuple[str, int]], generation: int = 1) -> bytes:
    """DESIGN.md §2: sorted by host bytes, then numeric port, two-space indent."""
    lines = [
        "apiVersion: kars.dev/v1alpha1",
        "kind: EgressAllowlist",
        "metadata:",
        f"  generation: {generation}",
        "spec:",
        "  endpoints:",
    ]
    for host, port in sorted(endpoints, key=lambda e: (e[0].encode(), e[1])):
        lines += [f"    - host: {host}", f"      port: {port}"]
    return ("\n".join(lines) + "\n").encode("ascii")


def manifest_digest(data: bytes) -> str:
    empty = b"{}"
    manifest = (
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        f'"artifactType":"{ARTIFACT}","config":{{"mediaType":'
        '"application/vnd.oci.empty.v1+json","digest":"sha256:'
        f'{hashlib.sha256(empty).hexdigest()}","size":2,"data":"e30="}},'
        f'"layers":[{{"mediaType":"{ARTIFACT}","digest":"sha256:'
        f'{hashlib.sha256(data).hexdigest()}","size":{len(data)}}}]}}'
    )
    json.loads(manifest)  # well-formed
    return "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()


def rendered_sandbox(repo: Repo, overlay: str) -> dict[str, Any]:
    out = subprocess.run(
        ["kubectl", "kustomize", f"apps/overlays/{overlay}"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    docs = [d for d in yaml.safe_load_all(out) if d and d.get("kind") == "KarsSandbox"]
    assert len(docs) == 1
    return docs[0]["spec"]["networkPolicy"]


def expected_digest(policy: dict[str, Any], generation: int = 1) -> str:
    endpoints = {(e["host"], e["port"]) for e in policy["allowedEndpoints"]}
    return manifest_digest(canonical(endpoints, generation))
