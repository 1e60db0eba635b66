"""Findings: what karsgit found wrong in a file, as plain frozen data.

Rules yield ``Hit`` values (what and where); the engine stamps the severity
from the rule catalog and the config, producing ``Finding`` values.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= threshold`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


def compact_pickle(cls: type[T]) -> type[T]:
    """Pickle a slots dataclass as its constructor arguments: the default protocol
    for slots dataclasses made shipping a large run's results between processes
    cost as much as checking them (benchmarks/)."""

    def reduce(self: object) -> tuple[type[T], tuple[object, ...]]:
        return cls, tuple(getattr(self, name) for name in cls.__slots__)  # type: ignore[attr-defined]

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls


class Position(NamedTuple):
    """1-based line and column; line 0 means the whole file.

    A named tuple, not a dataclass: a large run builds ~10^6 of them, and tuples
    are several times cheaper to build and to ship between processes."""

    line: int = 0
    column: int = 0


WHOLE_FILE = Position(0, 0)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule found, before the engine decides how severe it is."""

    rule_id: str
    position: Position
    message: str
    hint: str = ""
    json_path: str = ""
    fixable: bool = False
    # A rule's own default for this hit (learn-mode in a strict namespace); the
    # config's level for the rule id still wins.
    level: Severity | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding was silenced (``# karsgit: ignore[...]`` comment)."""

    reason: str
    until: str = ""


@compact_pickle
@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    json_path: str = ""
    fixable: bool = False
    suppressed: Suppression | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule_id, self.message)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


def active(findings: Iterable[Finding]) -> list[Finding]:
    """Findings that count: not suppressed."""
    return [f for f in findings if f.suppressed is None]


def worst(findings: Iterable[Finding]) -> Severity | None:
    levels = [f.severity for f in active(findings)]
    return max(levels) if levels else None


def json_path_of(parts: Iterable[str | int]) -> str:
    """``('spec', 'hosts', 0, 'host')`` -> ``$.spec.hosts[0].host``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
