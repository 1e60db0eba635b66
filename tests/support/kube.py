"""What the cluster reads, asked of the real kubectl and kustomize, offline.

``kubectl label --local -f FILE ... -o json`` decodes a manifest exactly as
kubectl does before it sends it (sigs.k8s.io/yaml, go-yaml v2), without a
cluster; ``kubectl kustomize`` reads files with kustomize's reader (go-yaml v3).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.environment import needs

KUBECTL = shutil.which("kubectl")
needs_kubectl = needs(KUBECTL is not None, "kubectl is not installed")


class Refused(Exception):
    """kubectl could not decode the manifest."""


def _run(*args: str) -> str:
    assert KUBECTL is not None
    done = subprocess.run([KUBECTL, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Refused(done.stderr.strip())
    return done.stdout


def decode(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    """The objects kubectl reads from ``text`` (one per non-empty document)."""
    path = tmp_path / "kubectl-input.yaml"
    path.write_text(text, encoding="utf-8")
    out = _run("label", "--local", "-f", str(path), "karsgit-test=1", "-o", "json")
    objects: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    at = 0
    while at < len(out.rstrip()):
        value, at = decoder.raw_decode(out, at)
        objects.append(value)
        while at < len(out) and out[at].isspace():
            at += 1
    for obj in objects:
        obj.get("metadata", {}).get("labels", {}).pop("karsgit-test", None)
        if obj.get("metadata", {}).get("labels") == {}:
            del obj["metadata"]["labels"]
    return objects


def kustomize(tmp_path: Path, text: str) -> str:
    """``kubectl kustomize`` of a directory holding ``text`` as its one resource."""
    root = tmp_path / "kustomize-root"
    root.mkdir()
    (root / "m.yaml").write_text(text, encoding="utf-8")
    (root / "kustomization.yaml").write_text("resources: [m.yaml]\n", encoding="utf-8")
    return _run("kustomize", str(root))
