"""Helpers for the git-side gate tests: real subprocesses, hook configs, a sample approval."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.repos import GIT_ENV, ROOT, Repo

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


def push(repo: Repo, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``git push -q origin ARGS`` with the venv's karsgit on PATH (the hook runs it)."""
    return run(repo.path, "git", "push", "-q", "origin", *args, **env)  # type: ignore[arg-type]


def install_hook(bare: Path) -> None:
    """This checkout's pre-receive hook, installed in a bare repository."""
    hook = bare / "hooks" / "pre-receive"
    shutil.copy(ROOT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
