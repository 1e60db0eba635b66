"""The only writer of files: atomic (temp file + rename), and only when changed.

Repository files go through ``write_in_repo``: the path is checked by
``karsgit.edit.paths`` (inside the repository, not in ``.git``, a symlinked file
edited at its target) and a temp file a killed run left beside it is removed.
Every OSError becomes one ``karsgit: error:`` line (exit 3), never a traceback.
It is also the one reader of manifest text that keeps a BOM and CRLF line ends.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from karsgit.errors import KarsgitError

BOM = "\ufeff"


def _failed(path: Path, error: OSError) -> KarsgitError:
    return KarsgitError(
        f"cannot write {path}: {error.strerror or error}",
        "fix the cause (space, permissions, path) and re-run; "
        "every file is either old or new, never torn",
    )


def atomic_write(
    path: Path, data: bytes, mode: int | None = None, *, exclusive: bool = False
) -> bool:
    """Write ``data`` to ``path`` atomically; False when it already holds ``data``.

    ``exclusive`` never replaces anything at ``path``, not even a dangling symlink.
    A path that exists and is not a regular file (``/dev/stdout``, a FIFO) is
    written in place: there is nothing to rename over.
    """
    try:
        return _write(path, data, mode, exclusive)
    except OSError as error:
        raise _failed(path, error) from error


def _write(path: Path, data: bytes, mode: int | None, exclusive: bool) -> bool:
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    if info is not None and not exclusive and not stat.S_ISREG(info.st_mode):
        with open(path, "wb") as handle:
            handle.write(data)
        return True
    if info is not None and not exclusive and _holds(path, data, info.st_size):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    from karsgit.edit.paths import temp_stem

    prefix = f".{temp_stem(path.name)}."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            mode = stat.S_IMODE(info.st_mode) if info is not None else 0o644
        os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, path)  # fails on anything at path, a dangling link included
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@dataclass(frozen=True, slots=True)
class TextForm:
    """How a manifest is written on disk, so that an edit keeps it: a UTF-8 BOM and
    CRLF line ends survive every rewrite (fix, compile, egress)."""

    bom: bool = False
    crlf: bool = False

    @classmethod
    def split(cls, text: str) -> tuple[str, TextForm]:
        """The LF body without a BOM, and the form to write it back in."""
        bom = text.startswith(BOM)
        body = text.removeprefix(BOM)
        crlf = "\r\n" in body
        return body.replace("\r\n", "\n") if crlf else body, cls(bom, crlf)

    def join(self, body: str) -> str:
        return (BOM if self.bom else "") + (body.replace("\n", "\r\n") if self.crlf else body)

    def encode(self, body: str) -> bytes:
        return self.join(body).encode("utf-8")


def read_text(path: Path) -> tuple[str, TextForm]:
    """A manifest's LF body and its on-disk form (newline="": CRLF is seen, not undone)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return TextForm.split(handle.read())


def _holds(path: Path, data: bytes, size: int) -> bool:
    if size != len(data):
        return False
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def write_in_repo(root: Path, rel: str, data: bytes, mode: int | None = None) -> bool:
    """Write repository-relative ``rel`` atomically (see the module docstring).

    Callers hold the repository lock (``karsgit.edit.lock``), which is what makes
    removing the leftover temp files of ``rel`` safe.
    """
    from karsgit.edit.paths import remove_leftovers, repo_target

    target = repo_target(root, rel)
    remove_leftovers(target.parent, target.name)
    return atomic_write(target, data, mode)
