"""What a rule family is given and gives back: ``RuleInfo`` for the catalog, and
``RepoContext``, every kars object a cross-file rule may relate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from karsgit.findings import Severity
from karsgit.settings import Settings
from karsgit.source.objects import KarsObject


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    severity: Severity
    summary: str
    fixable: bool = False
    family: str = ""


@dataclass(frozen=True)
class RepoContext:
    """What cross-file rules see: every kars object of the repository."""

    settings: Settings
    objects: Sequence[KarsObject]
    checked_paths: frozenset[str] = field(default_factory=frozenset)
    # True when the run was given paths (pre-commit): whole-index scans narrow to
    # what is staged, the rest of the repository was checked when it was committed.
    partial: bool = False
