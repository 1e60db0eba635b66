"""The rule engine: runs every rule family over a file or the whole repository
and stamps each hit with its severity from the catalog and the config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

from karsgit.findings import Finding, Hit
from karsgit.load import Document
from karsgit.model import KarsObject
from karsgit.rules import catalog, family_modules
from karsgit.settings import Settings


@dataclass(frozen=True)
class RepoContext:
    """What cross-file rules see: every kars object of the repository."""

    settings: Settings
    objects: Sequence[KarsObject]
    checked_paths: frozenset[str] = field(default_factory=frozenset)
    # True when the run was given paths (pre-commit): whole-index scans narrow to
    # what is staged, the rest of the repository was checked when it was committed.
    partial: bool = False


@cache
def _families_with(hook: str) -> tuple[ModuleType, ...]:
    return tuple(m for m in family_modules() if hasattr(m, hook))


def document_hits(doc: Document, obj: KarsObject | None, settings: Settings) -> Iterator[Hit]:
    for family in _families_with("check_document"):
        yield from family.check_document(doc, obj, settings)


def text_hits(text: str) -> Iterator[Hit]:
    for family in _families_with("check_text"):
        yield from family.check_text(text)


def repo_hits(
    context: RepoContext, families: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, Hit]]:
    """``families`` picks rule families by module name (the render stage judges the
    cross-object ones per kustomization root)."""
    for family in _families_with("check_repo"):
        if families is None or families(family.__name__):
            yield from family.check_repo(context)


def stamp(path: str, hits: Iterable[Hit], settings: Settings) -> list[Finding]:
    """Hits -> findings, with the configured severity; rules set 'off' are dropped."""
    rules = catalog()
    out = []
    for hit in hits:
        info = rules.get(hit.rule_id)
        if info is None:
            raise RuntimeError(f"rule {hit.rule_id!r} is not in the catalog")
        level = settings.level(hit.rule_id, hit.level or info.severity)
        if level is None:
            continue
        pos = hit.position
        out.append(
            Finding(
                hit.rule_id,
                level,
                path,
                pos.line,
                pos.column,
                hit.message,
                hit.hint,
                hit.json_path,
                hit.fixable or info.fixable,
            )
        )
    return out
