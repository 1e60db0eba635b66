"""Errors that stop a run (not findings), and the exit codes they map to.

A finding is data about the user's files; a KarsgitError means karsgit could not
do its job (bad config, git failure, signing failure). The CLI maps both to exit
codes in one place (DESIGN.md §3).
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    CANNOT_RUN = 3
    INTERNAL = 4
    INTERRUPTED = 130


class Diagnosed(Exception):
    """An exception that carries a diagnosis (``message``) and a remedy (``hint``)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class KarsgitError(Diagnosed):
    """Something karsgit cannot work around."""

    exit_code = ExitCode.CANNOT_RUN


class UsageError(KarsgitError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = ExitCode.USAGE


class ConfigError(KarsgitError):
    """The karsgit configuration file is unreadable or invalid."""


class GitError(KarsgitError):
    """A git command failed or the repository is not usable."""


class FileTooLarge(KarsgitError):
    """A file (or a git object) over ``max_file_bytes``: not read, so memory stays bounded."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(
            f"{what} is {size} bytes, over the {limit}-byte limit (max_file_bytes); not read",
            "split it into smaller files, or raise max_file_bytes in .karsgit.yaml",
        )


class SigningError(KarsgitError):
    """Signing or loading signing material failed; nothing was written."""
