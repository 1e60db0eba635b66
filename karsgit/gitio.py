"""git access. The hook path calls git through subprocess (GitPython re-parses
the index on every access and costs ~0.1 s to import); GitPython is imported
lazily where its object API pays: history and commits.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from karsgit.errors import GitError


def run_git(root: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, input=input_bytes, capture_output=True, check=False
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed", "install git and retry") from error
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit {done.returncode}"
        raise GitError(f"git {args[0]} failed: {reason}", "check that this is a git repository")
    return done.stdout


def toplevel(start: Path) -> Path | None:
    """The work tree root containing ``start``, or None outside a repository."""
    try:
        out = run_git(start, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode().strip())


def listed_files(root: Path) -> list[str]:
    """Tracked files plus untracked files that are not ignored (repo-relative)."""
    out = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    names = {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}
    return sorted(names)


def staged_and_tracked(root: Path) -> list[str]:
    out = run_git(root, "ls-files", "-z", "--cached")
    return [name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]
