"""Where karsgit may write: inside the repository root, never into ``.git``, never
through a symlink that leaves the repository (docs/design-choices.md, "Writes
stay in the repository").

Manifests are the user's files: a symlinked manifest whose target is inside the
repository is edited at its target, so git keeps the link. The bundle tree is
karsgit's own output and holds no links at all: a link there is refused for
reads too, so ``verify`` never vouches for bytes outside the repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from karsgit.errors import KarsgitError

GIT_DIR = ".git"
# mkstemp's names: prefix, 8 characters of [a-z0-9_], suffix (karsgit.edit.files).
_TEMP = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
NAME_MAX = 255


class UnsafePath(KarsgitError):
    """A path karsgit refuses to write (or, in the bundle tree, to read)."""


def _refuse(rel: str, why: str) -> UnsafePath:
    return UnsafePath(
        f"refusing {rel!r}: {why}",
        "karsgit writes only inside the repository and never into .git; "
        "remove the symlink or pick a repository-relative path",
    )


def lexical_error(rel: str) -> str | None:
    """Why a repository-relative path is unsafe before looking at the disk, or None."""
    if "\0" in rel:
        return "the path contains a NUL byte"
    posix = rel.replace("\\", "/")
    if posix.startswith("/") or os.path.isabs(rel):
        return "the path is absolute"
    parts = posix.split("/")
    if ".." in parts:
        return "the path leaves the repository ('..')"
    if any(part.casefold() == GIT_DIR for part in parts):
        return "the path is inside .git"
    if any(len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in parts):
        return f"a path component is longer than {NAME_MAX} bytes"
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def repo_target(root: Path, rel: str) -> Path:
    """The real file a write of repository-relative ``rel`` lands on.

    Symlinks are followed, so a linked manifest is edited at its target; the
    result must still be inside the repository and outside ``.git``.
    """
    why = lexical_error(rel)
    if why is not None:
        raise _refuse(rel, why)
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, rel))
    if not _inside(real, real_root):
        raise _refuse(rel, f"it resolves through a symlink to {real}, outside the repository")
    parts = PurePosixPath(os.path.relpath(real, real_root).replace(os.sep, "/")).parts
    if any(part.casefold() == GIT_DIR for part in parts):
        raise _refuse(rel, "it resolves through a symlink into .git")
    return Path(real)


def require_no_links(root: Path, rel: str, checked: set[str] | None = None) -> None:
    """Refuse ``rel`` when it or any folder between it and ``root`` is a symlink.

    ``checked`` remembers the folders already found plain, so a run over 9,000
    bundles tests each shared folder once (string joins: Path objects cost ~0.1 ms
    a bundle here)."""
    why = lexical_error(rel)
    if why is not None:
        raise _refuse(rel, why)
    base = os.fspath(root) + os.sep
    parts = [part for part in rel.split("/") if part not in ("", ".")]
    prefix = ""
    for index, part in enumerate(parts):
        prefix = f"{prefix}/{part}" if prefix else part
        folder = index < len(parts) - 1
        if folder and checked is not None and prefix in checked:
            continue
        if os.path.islink(base + prefix):
            raise _refuse(
                rel,
                f"{prefix} is a symlink (to {os.readlink(base + prefix)}); "
                "the bundle tree is karsgit's own output and holds no links",
            )
        if folder and checked is not None:
            checked.add(prefix)


def component_error(value: str) -> str | None:
    """Why a namespace or name cannot be one folder of the bundle tree, or None."""
    if value in ("", ".", ".."):
        return f"{value!r} is not a folder name"
    if "/" in value or "\\" in value:
        return "it contains a path separator"
    if "\0" in value:
        return "it contains a NUL byte"
    if len(value.encode("utf-8", "surrogateescape")) > NAME_MAX:
        return f"it is longer than {NAME_MAX} bytes"
    return None


def require_component(kind: str, value: str) -> None:
    why = component_error(value)
    if why is not None:
        raise UnsafePath(
            f"refusing the {kind} {value!r} as a bundle folder: {why}",
            "turn the schema rule back on and fix the name; kubectl would refuse it too",
        )


def temp_stem(name: str) -> str:
    """The part of a temp file's name taken from its target's: ``.STEM.XXXXXXXX.tmp``
    must fit one path component even when the target's name nearly fills it."""
    room = NAME_MAX - len(".") - len(".XXXXXXXX.tmp")
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= room:
        return name
    return encoded[: room - 1].decode("utf-8", "ignore") + "~"


def is_leftover(name: str, target: str | None = None) -> bool:
    """Whether ``name`` is a temp file karsgit's atomic write leaves when killed."""
    match = _TEMP.match(name)
    return match is not None and (target is None or match.group("name") == temp_stem(target))


def remove_leftovers(folder: Path, target: str | None = None) -> list[Path]:
    """Delete karsgit temp files in ``folder`` (only of ``target`` when given).

    Call this only under the repository lock (karsgit.edit.lock): there, no other
    karsgit writer can be between its temp write and its rename.
    """
    removed = []
    try:
        with os.scandir(folder) as entries:
            found = [e for e in entries if is_leftover(e.name, target)]
    except OSError:
        return []
    for entry in found:
        if entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def remove_leftovers_of(root: Path, rels: Iterable[str]) -> list[Path]:
    """Delete the temp files a killed run left beside the repository files ``rels``:
    one folder listing per folder, not one per file."""
    by_folder: dict[str, set[str]] = {}
    for rel in rels:
        if lexical_error(rel) is None:
            folder, _, name = rel.rpartition("/")
            by_folder.setdefault(folder, set()).add(temp_stem(name))
    removed = []
    for folder, stems in by_folder.items():
        try:
            with os.scandir(root / folder) as entries:
                found = [e for e in entries if _leftover_stem(e.name) in stems]
        except OSError:
            continue
        for entry in found:
            if entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed


def _leftover_stem(name: str) -> str | None:
    match = _TEMP.match(name)
    return match.group("name") if match else None


def sweep_tree(root: Path, rel: str) -> list[Path]:
    """Delete karsgit temp files anywhere under ``root/rel`` (links are not followed)."""
    try:
        require_no_links(root, rel)
    except UnsafePath:
        return []  # the bundle readers refuse it; never walk through a link
    removed = []
    for folder, _, _ in os.walk(root / rel, followlinks=False):
        removed += remove_leftovers(Path(folder))
    return removed
