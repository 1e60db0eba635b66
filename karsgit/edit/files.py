"""The only writer of files: atomic (temp file + rename), and only when changed;
and the one reader of manifest text that keeps a BOM and CRLF line ends."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Write ``data`` to ``path`` atomically; False when it already holds ``data``."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
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
