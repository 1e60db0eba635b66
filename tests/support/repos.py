"""Real git repositories for tests: paths, the git identity, and a small Repo helper."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout


@dataclass
class Repo:
    path: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


SANDBOX = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: {name}
  namespace: {namespace}
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api.github.com
        port: 443
"""


def sandbox(name: str = "agent", namespace: str = "kars-system") -> str:
    return SANDBOX.format(name=name, namespace=namespace)


def approval(ttl: str = "PT4H", reason: str = "debugging a build", target: str = "agent") -> str:
    return (
        "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata:\n  name: temp\n"
        f"  namespace: kars-system\nspec:\n  sandbox: {target}\n  reason: {reason}\n"
        f"  ttl: {ttl}\n  hosts:\n    - host: example.org\n      port: 443\n"
    )


def learn_sandbox(name: str = "agent", namespace: str = "kars-system") -> str:
    """A Learn sandbox with no endpoints and no ref: the one kind that gets no bundle."""
    return sandbox(name, namespace).replace("Strict", "Learn").split("    allowedEndpoints:")[0]


# An approval for the cluster-rule and message tests.
APPROVAL = """\
apiVersion: kars.azure.com/v1alpha1
kind: EgressApproval
metadata:
  name: extra
  namespace: kars-system
spec:
  sandbox: agent
  hosts:
    - host: status.example.com
      port: 443
  reason: incident 42
  ttl: {ttl}
"""
