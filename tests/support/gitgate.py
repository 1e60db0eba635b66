"""Helpers for the git-side gate tests: real subprocesses, hook configs, a sample approval."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.repos import GIT_ENV, Repo

VENV_BIN = str(Path(sys.executable).parent)


def run(cwd: Path, *argv: str, check: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    """A real subprocess with the venv's karsgit and pre-commit first on PATH."""
    full = {**os.environ, **GIT_ENV, "PATH": f"{VENV_BIN}:{os.environ['PATH']}", **env}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=check, env=full)


def hook_config(source: tuple[Path, str], hooks: list[str]) -> str:
    path, sha = source
    lines = ["repos:", f"  - repo: {path}", f"    rev: {sha}", "    hooks:"]
    lines += [f"      - id: {hook}" for hook in hooks]
    return "\n".join(lines) + "\n"


APPROVAL = """\
apiVersion: kars.azure.com/v1alpha1
kind: EgressApproval
metadata:
  name: temp
  namespace: kars-system
spec:
  sandbox: agent
  hosts:
    - host: pyindex.org
      port: 443
  ttl: PT2H
  reason: install deps
"""


# A repository config the pre-receive tests push and trust.
CONFIG = 'bundles:\n  registry: registry.local:5000\nrules:\n  signature-missing: "off"\n'


def compiled(repo: Repo, message: str) -> str:
    """Compile with the real karsgit and commit everything."""
    run(repo.path, "karsgit", "compile", check=True)
    return repo.commit(message)
