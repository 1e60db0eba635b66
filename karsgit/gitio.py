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


def added_time(root: Path, path: str) -> int | None:
    """Unix time of the commit that added ``path`` (following renames).

    None when the file is not committed, or ``root`` is not a git repository.
    """
    try:
        out = run_git(root, "log", "--diff-filter=A", "--follow", "--format=%ct", "--", path)
    except GitError:
        return None
    stamps = out.decode("ascii", "replace").split()
    # Newest first: a file deleted (pruned) and added again is a new object in
    # the cluster, whose TTL starts at the latest add.
    return int(stamps[0]) if stamps and stamps[0].isdigit() else None

