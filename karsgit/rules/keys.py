"""Secret rules: signing material that must never be committed.

``private-key-in-repo``
    A file tracked or staged in the repository holds a private key: a
    cosign/Sigstore encrypted key (``ENCRYPTED SIGSTORE PRIVATE KEY``,
    ``ENCRYPTED COSIGN PRIVATE KEY``) or an unencrypted PKCS#8 key
    (``PRIVATE KEY``). An encrypted key is only as strong as its password once
    it is public, and every clone keeps it forever. ``karsgit sign`` refuses to
    run while one is there. Move the key out of the work tree (or into a secret
    store), ``git rm --cached`` it, and rotate it if it was ever pushed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.findings import WHOLE_FILE, Hit, Severity
from karsgit.rules import RuleInfo

if TYPE_CHECKING:
    from karsgit.rules.engine import RepoContext

RULES = (
    RuleInfo("private-key-in-repo", Severity.ERROR, "a private key file is tracked or staged"),
)

PEM_LABELS = (
    "ENCRYPTED SIGSTORE PRIVATE KEY",
    "ENCRYPTED COSIGN PRIVATE KEY",
    "PRIVATE KEY",
)


def private_key_paths(root: Path, staged_only: bool = False) -> list[str]:
    """Repo-relative paths of index entries (tracked or staged) holding a private key.

    One ``git grep`` over the index: no file is read in Python. With ``staged_only``
    (the pre-commit path) only entries that differ from HEAD are searched: a whole
    index of 10,000 files costs ~0.1 s, more than the rest of a hook run.
    """
    from karsgit.errors import GitError
    from karsgit.source.gitio import run_git, staged_changes

    patterns = [arg for label in PEM_LABELS for arg in ("-e", f"-----BEGIN {label}-----")]
    try:
        scope = staged_changes(root) if staged_only else []
        if staged_only and not scope:
            return []
        out = run_git(root, "grep", "--cached", "-I", "-l", "-z", "-F", *patterns, "--", *scope)
    except GitError:
        return []  # exit 1 (no match) or not a repository: nothing to report
    return sorted(p for p in out.decode("utf-8", "surrogateescape").split("\0") if p)


def check_repo(context: RepoContext) -> Iterator[tuple[str, Hit]]:
    for path in private_key_paths(context.settings.root, staged_only=context.partial):
        yield (
            path,
            Hit(
                "private-key-in-repo",
                WHOLE_FILE,
                f"'{path}' holds a private key and is tracked or staged in git",
                f"run 'git rm --cached {path}', keep the key outside the repository, "
                "and rotate it if it was pushed",
            ),
        )
