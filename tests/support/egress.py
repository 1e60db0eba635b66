"""Constants and helpers for the egress tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PASSWORD = "egress pw"
REGISTRY = "registry.example.test"
BUNDLE = ".kars/bundles/kars-system/agent/allowlist.yaml"

AGENT = """\
# agent: reviewed by the platform team
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: agent
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Strict  # never Learn in prod
    allowedEndpoints:
      - host: api.github.com   # source code
        port: 443
      - host: api.github.com
        port: 80
      # package index
      - host: pyindex.org
        port: 443
"""

LEARNER = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: learner
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Learn  # still learning
"""


@dataclass(frozen=True)
class Keys:
    private: Path
    public: Path


def read(repo, rel: str) -> str:
    text: str = (repo.path / rel).read_text(encoding="utf-8")
    return text


def commits(repo) -> int:
    return int(repo.git("rev-list", "--count", "HEAD").strip())
