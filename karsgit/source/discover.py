"""Which files a run reads: the paths given (as pre-commit passes them), or the
repository's tracked and untracked-not-ignored files matching the config globs.
``-`` is standard input; pipes and devices named explicitly are read as streams.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from karsgit.errors import UsageError
from karsgit.findings import WHOLE_FILE, Hit
from karsgit.settings import Settings
from karsgit.source import gitio
from karsgit.source.globs import glob_set

STDIN = "-"
STDIN_NAME = "<stdin>"  # the path findings on standard input report


@dataclass
class Discovery:
    files: list[tuple[str, str]] = field(default_factory=list)  # (absolute, repo-relative)
    hits: list[tuple[str, Hit]] = field(default_factory=list)
    # Explicit paths that named nothing to read (an empty directory, say): a CI step
    # written that way must not pass by checking nothing.
    empty: list[str] = field(default_factory=list)
    streams: dict[str, str] = field(default_factory=dict)  # pipe or device given -> its name


def matches(path: str, patterns: Iterable[str]) -> bool:
    return glob_set(tuple(patterns)).match(path)


def selected(path: str, settings: Settings) -> bool:
    return matches(path, settings.include) and not matches(path, settings.exclude)


def discover(settings: Settings, paths: Sequence[str]) -> Discovery:
    if not paths:
        return _from_git(settings)
    found = Discovery()
    for given in paths:
        _add_path(found, settings, Path(given))
    if found.empty and not found.files and not found.hits:
        raise UsageError(
            f"nothing to check in {', '.join(repr(p) for p in found.empty)}",
            "name files, or directories holding files that match the include globs",
        )
    return found


def _from_git(settings: Settings) -> Discovery:
    found = Discovery()
    root = settings.root
    for rel in gitio.listed_files(root):
        if selected(rel, settings):
            _add_file(found, root, root / rel, rel)
    return found


def _relative(root: Path, path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def _add_path(found: Discovery, settings: Settings, path: Path) -> None:
    before = len(found.files) + len(found.hits)
    _add_given(found, settings, path)
    # Only a directory counts as empty input: a file named explicitly was looked at
    # (a dangling link from pre-commit is nothing to check, as before).
    if len(found.files) + len(found.hits) == before and path.is_dir():
        found.empty.append(str(path))


def _stream_name(path: Path) -> str | None:
    """The name to report for a pipe or device named explicitly; None for the rest.
    ``/dev/stdin`` is a symbolic link out of the repository, yet it is what the user
    asked to read (``kustomize build | karsgit check /dev/stdin``)."""
    if str(path) == STDIN:
        return STDIN_NAME
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode):
        return STDIN_NAME if os.path.abspath(path) == "/dev/stdin" else str(path)
    return None


def _add_given(found: Discovery, settings: Settings, path: Path) -> None:
    stream = _stream_name(path)
    if stream is not None:
        found.files.append((str(path), stream))
        found.streams[str(path)] = stream
        return
    if not path.exists() and not path.is_symlink():
        raise UsageError(f"path '{path}' does not exist", "pass existing files or directories")
    if path.is_dir() and not path.is_symlink():
        for sub in sorted(path.rglob("*")):
            rel = _relative(settings.root, sub)
            if sub.is_file() and selected(rel, settings) and ".git" not in sub.parts:
                _add_file(found, settings.root, sub, rel)
        return
    rel = _relative(settings.root, path)
    # A given file obeys include/exclude too, as in a run without paths: pre-commit
    # passes paths and CI does not, and the two must agree (issue 10, item 21).
    if selected(rel, settings):
        _add_file(found, settings.root, path, rel)


def _add_file(found: Discovery, root: Path, path: Path, rel: str) -> None:
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(Path(os.path.realpath(root))):
            found.hits.append((rel, _outside(target)))
            return
    if path.is_file():
        found.files.append((str(path), rel))


def _outside(target: Path) -> Hit:
    return Hit(
        "unsafe-path",
        WHOLE_FILE,
        f"symbolic link points outside the repository (to '{target}'); not followed",
        "commit the manifest itself instead of a link to it",
    )
