"""One writer at a time per repository: every writing command holds this lock from
before it reads until after its last write (docs/design-choices.md).

The lock is a ``flock`` on the repository root folder itself: nothing is written
to take it, it works in every worktree and outside git, and the kernel drops it
when the holder dies, even by SIGKILL, so a killed run never leaves it behind.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from karsgit.errors import KarsgitError

TIMEOUT_ENV = "KARSGIT_LOCK_TIMEOUT"
# pre-commit runs the fix hook on batches of files in parallel; a batch waits for
# the one before it rather than failing the commit.
DEFAULT_TIMEOUT = 120.0
_POLL = 0.05


def _timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


@contextlib.contextmanager
def repository_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the write lock of ``root``; refuse (exit 3) after ``timeout`` seconds."""
    import fcntl

    limit = _timeout() if timeout is None else timeout
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise KarsgitError(
            f"cannot lock {root}: {error.strerror or error}", "run karsgit inside a repository"
        ) from error
    try:
        deadline = time.monotonic() + limit
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise KarsgitError(
                        f"another karsgit command is writing to {root} (waited {limit:g} s for it)",
                        f"wait for it to finish and re-run; {TIMEOUT_ENV} sets the wait",
                    ) from None
                time.sleep(_POLL)
        yield
    finally:
        os.close(fd)
