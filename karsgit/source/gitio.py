"""git access: the one module that runs git, through subprocess (not GitPython,
whose import alone costs more than a hook run; docs/design-choices.md).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from karsgit.errors import GitError


def run_git(
    root: Path, *args: str, input_bytes: bytes | None = None, found_nothing_ok: bool = False
) -> bytes:
    """``found_nothing_ok``: exit 1 is an answer (grep: no match), not a failure."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, input=input_bytes, capture_output=True, check=False
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed", "install git and retry") from error
    if done.returncode != 0 and not (found_nothing_ok and done.returncode == 1):
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


def files_containing(root: Path, needles: Sequence[str], globs: Sequence[str]) -> list[str]:
    """Tracked and untracked-not-ignored files matching ``globs`` whose text holds
    any of ``needles`` (fixed strings): git reads them, not Python."""
    patterns = [arg for needle in needles for arg in ("-e", needle)]
    out = b""
    # Outside a repository (an exported revision) only --no-index works.
    for scope in ("--untracked", "--no-index"):
        try:
            args = ("grep", "-l", "-I", "-F", scope, *patterns, "--", *globs)
            out = run_git(root, *args, found_nothing_ok=True)
            break
        except GitError:
            continue
    return sorted(name for name in out.decode("utf-8", "surrogateescape").splitlines() if name)


def export_tree(root: Path, rev: str, dest: Path) -> None:
    """The tree of ``rev`` written under ``dest`` (a directory outside the repository),
    for tools that read files, such as kustomize rendering a base revision.

    git writes it itself (a throwaway index, then ``checkout-index``): no archive is
    unpacked by Python, so no member can land outside ``dest`` whatever its name,
    and nothing depends on tarfile's extraction filters (Python 3.11.4+).
    """
    import os
    import tempfile

    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="karsgit-index-") as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch, "index"))}
        for args in (
            ["read-tree", rev],
            ["checkout-index", "--all", "--force", f"--prefix={dest.resolve()}/"],
        ):
            done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True)
            if done.returncode != 0:
                detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
                reason = detail[-1] if detail else f"exit {done.returncode}"
                raise GitError(f"git {args[0]} failed: {reason}", "check the revision")


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


# Above this many paths one walk of the history beats one `git log --follow` each.
_BATCH_PATHS = 8


def added_times(root: Path, paths: list[str]) -> dict[str, int]:
    """``added_time`` for many paths at once; paths never committed are left out."""
    if len(paths) <= _BATCH_PATHS:
        found = {path: added_time(root, path) for path in paths}
        return {path: stamp for path, stamp in found.items() if stamp is not None}
    try:
        out = run_git(
            root,
            "log",
            "--reverse",
            "-M",
            "--diff-filter=AR",
            "--name-status",
            "-z",
            "--format=%x01%ct",
        )
    except GitError:
        return {}
    history = _additions(out.decode("utf-8", "surrogateescape").split("\0"))
    return {path: history[path] for path in paths if path in history}


def _additions(tokens: list[str]) -> dict[str, int]:
    """Oldest first: an add stamps a path (a re-add restamps it), a rename carries it."""
    added: dict[str, int] = {}
    stamp = 0
    items = iter(tokens)
    for token in items:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            stamp = int(token[1:])
        elif token == "A":
            added[next(items)] = stamp
        elif token.startswith("R"):
            old, new = next(items), next(items)
            added[new] = added.pop(old, stamp)
    return added


def staged_changes(root: Path) -> list[str]:
    """Index entries added or modified against HEAD (all of them before a first commit)."""
    try:
        out = run_git(root, "diff", "--cached", "--name-only", "--diff-filter=AM", "-z", "HEAD")
    except GitError:
        out = run_git(root, "ls-files", "-z", "--cached")
    return _names(out)


def _names(out: bytes) -> list[str]:
    return [name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]


def resolve(root: Path, rev: str) -> str:
    """The commit id of ``rev``; a GitError names the revision when it does not exist."""
    try:
        out = run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError as error:
        raise GitError(f"unknown revision '{rev}'", "fetch it or pass an existing ref") from error
    return out.decode().strip()


def changed_files(root: Path, base: str, head: str | None = None) -> list[str]:
    """Paths that differ between ``base`` and ``head`` (the work tree plus untracked when None)."""
    ends = [base] if head is None else [base, head]
    names = set(_names(run_git(root, "diff", "--name-only", "--no-renames", "-z", *ends, "--")))
    if head is None:
        names.update(_names(run_git(root, "ls-files", "-z", "--others", "--exclude-standard")))
    return sorted(names)


def blob_sizes(root: Path, rev: str, paths: list[str]) -> dict[str, int]:
    """The size of each of ``paths`` at ``rev`` that is a blob (one ``git cat-file
    --batch-check``), so that nothing over the size limit is ever read."""
    wanted = [p for p in paths if "\n" not in p]
    if not wanted:
        return {}
    request = "".join(f"{rev}:{p}\n" for p in wanted).encode("utf-8", "surrogateescape")
    out = run_git(root, "cat-file", "--batch-check", input_bytes=request).splitlines()
    sizes = {}
    for path, line in zip(wanted, out, strict=True):
        header = line.split()
        if len(header) == 3 and header[1] == b"blob":
            sizes[path] = int(header[2])
    return sizes


def read_blobs(root: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The contents of ``paths`` at ``rev`` (one ``git cat-file --batch``); absent ones left out."""
    wanted = [p for p in paths if "\n" not in p]
    if not wanted:
        return {}
    request = "".join(f"{rev}:{p}\n" for p in wanted).encode("utf-8", "surrogateescape")
    out = run_git(root, "cat-file", "--batch", input_bytes=request)
    blobs: dict[str, bytes] = {}
    at = 0
    for path in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs[path] = out[at : at + size]
            at += size + 1
        elif len(header) == 3:
            at += int(header[2]) + 1
    return blobs


def default_base(root: Path) -> str:
    """The merge base of HEAD with the default branch (origin/HEAD, else main, else master)."""
    for candidate in ("origin/HEAD", "main", "master", "origin/main", "origin/master"):
        try:
            resolve(root, candidate)
        except GitError:
            continue
        return run_git(root, "merge-base", candidate, "HEAD").decode().strip()
    raise GitError("no default branch found", "pass the base revision, e.g. 'karsgit diff main'")


def karsgit_dir(root: Path) -> Path:
    """The folder of karsgit's own files in the repository's git directory
    (``.git/karsgit``; a worktree's own git directory)."""
    import os

    # The common case without a git process (~4 ms of a hook run): a ``.git`` folder
    # in the work tree, which git finds first unless the environment names another.
    dot_git = root / ".git"
    named = {"GIT_DIR", "GIT_COMMON_DIR"} & os.environ.keys()
    if not named and dot_git.is_dir() and not dot_git.is_symlink():
        return dot_git.resolve() / "karsgit"
    # git_path resolves symlinks; only the git directory itself may be one
    # (worktrees, submodules), never the karsgit folder inside it.
    return git_path(root, "karsgit-cache-probe").parent / "karsgit"


def git_path(root: Path, name: str) -> Path:
    """``name`` inside the repository's git directory (``.git/<name>``, worktrees too)."""
    out = run_git(root, "rev-parse", "--git-path", name).decode().strip()
    return (root / out).resolve()


def commit_paths(root: Path, paths: list[str], message: str) -> str:
    """One commit of exactly ``paths`` (other staged changes stay staged); its id."""
    run_git(root, "add", "--", *paths)
    run_git(root, "commit", "--quiet", "--only", "-m", message, "--", *paths)
    return run_git(root, "rev-parse", "HEAD").decode().strip()
