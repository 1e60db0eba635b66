"""Shared pieces of the file-system bad-input tests: a compiled GitOps repository,
the real CLI as a subprocess, and a snapshot of everything outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.repos import GIT_ENV, Repo, sandbox

REGISTRY = "registry.example.test"
PASSWORD = "badinput"
CONFIG = f"bundles:\n  registry: {REGISTRY}\n"
BUNDLE = ".kars/bundles/kars-system/agent/allowlist.yaml"
MANIFEST = "sandboxes/agent.yaml"


def gitops(repo: Repo, config: str = CONFIG, name: str = "agent") -> Repo:
    repo.write(".karsgit.yaml", config)
    repo.write(MANIFEST, sandbox(name))
    repo.commit("initial")
    return repo


def run(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    """The real ``karsgit`` as its own process (signals, rlimits, locks need one)."""
    full = {**os.environ, **GIT_ENV, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(  # type: ignore[call-overload]
        [sys.executable, "-m", "karsgit", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        **kwargs,
    )


def one_line_error(stderr: str) -> bool:
    """``karsgit: error: ...`` (and a hint), never a traceback or exit-4 text."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return (
        any(line.startswith("karsgit: error: ") for line in lines)
        and "Traceback" not in stderr
        and "karsgit bug" not in stderr
    )


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, or the target of a symlink."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found
