"""Shallow clones: which files' history git cut off (issue 10, item 20).

In a shallow clone (CI's default ``fetch-depth: 1``) the oldest fetched commit
looks like the one that added every file it holds, so an approval committed
months ago appears committed today and ``approval-stale`` never fires.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from karsgit.errors import GitError
from karsgit.source.gitio import run_git


def boundary_commits(root: Path) -> list[str]:
    """The commits a shallow clone's history stops at; [] for a full clone."""
    try:
        where = run_git(root, "rev-parse", "--git-path", "shallow").decode().strip()
    except GitError:
        return []
    path = Path(where) if Path(where).is_absolute() else root / where
    try:
        return path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return []


def cut_off(root: Path, added: Mapping[str, int]) -> dict[str, str]:
    """Paths whose add time is only the shallow boundary's, with that commit.

    A path is cut off when a boundary commit holds it and its add time is that
    commit's time: git saw no add before the boundary because none was fetched.
    """
    paths = sorted(added)
    out: dict[str, str] = {}
    for commit in boundary_commits(root) if paths else []:
        try:
            stamp = int(run_git(root, "show", "-s", "--format=%ct", commit).decode().strip())
            listed = run_git(root, "ls-tree", "-r", "--name-only", "-z", commit, "--", *paths)
        except (GitError, ValueError):
            continue
        held = set(listed.decode("utf-8", "surrogateescape").split("\0"))
        out.update({p: commit for p in paths if p in held and added[p] == stamp})
    return out
