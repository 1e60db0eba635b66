"""Reference rules: what one manifest means depends on the others in the repository.

``duplicate-resource``
    The same kind, namespace and name defined twice (in two files, or in two
    documents of one file). The applying tool keeps whichever it applies last,
    so which policy the cluster runs depends on file order. Both locations are
    named.

``ambiguous-sandbox``
    A sandbox name that resolves to sandboxes in more than one namespace: an
    ``EgressApproval`` without a namespace whose ``spec.sandbox`` exists in
    several, or a ``KarsSandbox`` name defined in several namespaces. The kars
    CLI refuses to guess ("exists in multiple namespaces"), and so does karsgit.

``approval-target-missing``
    ``spec.sandbox`` of an ``EgressApproval`` names no ``KarsSandbox`` in the
    approval's namespace anywhere in the repository (the message says when one
    exists in another namespace: approvals only reach their own namespace).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from karsgit.findings import Hit, Position, Severity
from karsgit.rules import RuleInfo
from karsgit.source.objects import Approval, KarsObject, ObjectRef, Sandbox

if TYPE_CHECKING:
    from karsgit.rules.engine import RepoContext

E = Severity.ERROR

RULES = (
    RuleInfo("duplicate-resource", E, "the same kind/namespace/name is defined twice"),
    RuleInfo("ambiguous-sandbox", E, "a sandbox name resolves to several namespaces"),
    RuleInfo("approval-target-missing", E, "an approval names no sandbox of its namespace"),
)


def check_repo(context: RepoContext) -> Iterator[tuple[str, Hit]]:
    objects = context.objects
    hits = [*_duplicates(objects), *_ambiguous_names(objects), *_approval_targets(objects)]
    for path, hit in hits:
        if path in context.checked_paths:
            yield path, hit


def _start(obj: KarsObject) -> Position:
    return Position(obj.location.line, obj.location.column)


def _duplicates(objects: Sequence[KarsObject]) -> Iterator[tuple[str, Hit]]:
    groups: dict[ObjectRef, list[KarsObject]] = defaultdict(list)
    for obj in objects:
        if obj.ref.name:
            groups[obj.ref].append(obj)
    for ref, same in groups.items():
        for index, obj in enumerate(same if len(same) > 1 else ()):
            other = same[1] if index == 0 else same[0]
            yield obj.location.path, _duplicate_hit(ref, obj, other)


def _duplicate_hit(ref: ObjectRef, obj: KarsObject, other: KarsObject) -> Hit:
    return Hit(
        "duplicate-resource",
        _start(obj),
        f"{ref} is defined here and at {other.location}",
        "keep one definition; delete or rename the other",
    )


def _namespaces_by_name(objects: Sequence[KarsObject]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for obj in objects:
        if isinstance(obj, Sandbox) and obj.ref.name:
            found[obj.ref.name].add(obj.ref.namespace)
    return found


def _listed(namespaces: set[str]) -> str:
    return ", ".join(f"'{n}'" for n in sorted(namespaces))


def _ambiguous_names(objects: Sequence[KarsObject]) -> Iterator[tuple[str, Hit]]:
    by_name = _namespaces_by_name(objects)
    for obj in objects:
        named = {n for n in by_name.get(obj.ref.name, set()) if n}
        if isinstance(obj, Sandbox) and obj.ref.namespace and len(named) > 1:
            yield (
                obj.location.path,
                Hit(
                    "ambiguous-sandbox",
                    _start(obj),
                    f"sandbox name '{obj.ref.name}' exists in namespaces {_listed(named)}; "
                    "kars commands by name refuse to guess",
                    "give each sandbox a unique name",
                ),
            )


def _approval_targets(objects: Sequence[KarsObject]) -> Iterator[tuple[str, Hit]]:
    by_name = _namespaces_by_name(objects)
    for obj in objects:
        if isinstance(obj, Approval) and obj.sandbox:
            hit = _target_hit(obj, by_name.get(obj.sandbox, set()))
            if hit is not None:
                yield obj.location.path, hit


def _target_hit(approval: Approval, namespaces: set[str]) -> Hit | None:
    where = approval.sandbox_position or _start(approval)
    name, own = approval.sandbox, approval.ref.namespace
    # A sandbox without a namespace may land in any namespace: not a miss.
    if "" in namespaces or (own and own in namespaces):
        return None
    if not own and len(namespaces) == 1:
        return None
    if not own and len(namespaces) > 1:
        return Hit(
            "ambiguous-sandbox",
            where,
            f"approval without a namespace targets sandbox '{name}', which exists in "
            f"namespaces {_listed(namespaces)}",
            "set metadata.namespace to the sandbox's namespace",
            "$.spec.sandbox",
        )
    elsewhere = f"; it exists in namespace {_listed(namespaces)}" if namespaces else ""
    return Hit(
        "approval-target-missing",
        where,
        f"approval targets sandbox '{name}', which is not defined in namespace "
        f"'{own or '<none>'}' in the repository{elsewhere}",
        "fix spec.sandbox or metadata.namespace; an approval only reaches its own namespace",
        "$.spec.sandbox",
    )
