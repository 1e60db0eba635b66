"""Policy rules: sandboxes whose egress policy is empty, open, or lands by accident.

``empty-allowlist``
    A ``Strict`` sandbox whose allowlist is empty after normalization (no entry,
    or only entries that cannot be normalized). The kars signer refuses an empty
    list, and an empty inline list already denies all egress, so an edit that
    removes the last endpoint is almost always a mistake. Mark a deliberate
    deny-all with the annotation named by ``deny_all_annotation`` in
    ``.karsgit.yaml`` (default ``karsgit.io/deny-all: "true"``).

``learn-mode``
    A sandbox in ``Learn`` mode (written, or the cluster default when
    ``egressMode`` is absent) lets every non-blocklisted host through. A
    warning; an error in the namespaces listed in ``strict_namespaces``.

``namespace-missing``
    A kars object without ``metadata.namespace`` lands in whatever namespace
    the applying tool (kubectl context, Argo CD application, Flux
    kustomization) points at, which may not be the one reviewers assume.
"""

from __future__ import annotations

from collections.abc import Iterator

from karsgit.findings import Hit, Position, Severity
from karsgit.rules import RuleInfo
from karsgit.rules.hosts import SANDBOX_LIST, normal_endpoint
from karsgit.settings import Settings
from karsgit.source.load import Document
from karsgit.source.objects import LEARN, STRICT, KarsObject, Sandbox

E, W = Severity.ERROR, Severity.WARNING

RULES = (
    RuleInfo("empty-allowlist", E, "a Strict sandbox with an empty allowlist, not marked deny-all"),
    RuleInfo("learn-mode", W, "a sandbox in Learn mode lets every host through"),
    RuleInfo("namespace-missing", W, "a kars object without metadata.namespace"),
)

_MODE = ("spec", "networkPolicy", "egressMode")


def check_document(doc: Document, obj: KarsObject | None, settings: Settings) -> Iterator[Hit]:
    if obj is None:
        return
    if not obj.ref.namespace:
        yield _namespace_missing(doc, obj)
    if isinstance(obj, Sandbox):
        yield from _learn_mode(doc, obj, settings)
        yield from _empty(doc, obj, settings)


def _namespace_missing(doc: Document, obj: KarsObject) -> Hit:
    name = obj.ref.name or "<unnamed>"
    return Hit(
        "namespace-missing",
        doc.key_pos(("metadata",)),
        f"{obj.ref.kind} '{name}' has no metadata.namespace; it lands in whatever "
        "namespace the applying tool points at",
        "set metadata.namespace (kars sandboxes normally live in kars-system)",
        "$.metadata",
    )


def _mode_position(doc: Document, sandbox: Sandbox) -> Position:
    if sandbox.mode_set:
        return doc.pos(_MODE)
    return doc.key_pos(("spec", "networkPolicy")) if "spec" in doc.data else doc.start


def _learn_mode(doc: Document, sandbox: Sandbox, settings: Settings) -> Iterator[Hit]:
    if sandbox.mode != LEARN:
        return
    namespace = sandbox.ref.namespace
    strict = namespace in settings.strict_namespaces
    how = "is in Learn mode" if sandbox.mode_set else "has no egressMode, so the cluster uses Learn"
    fact = f"sandbox '{sandbox.ref.name}' {how}, which allows every non-blocklisted host"
    if strict:
        fact += f"; namespace '{namespace}' is listed in strict_namespaces"
    yield Hit(
        "learn-mode",
        _mode_position(doc, sandbox),
        fact,
        "set egressMode: Strict and list the endpoints the agent needs",
        "$.spec.networkPolicy.egressMode",
        level=Severity.ERROR if strict else None,
    )


def _empty(doc: Document, sandbox: Sandbox, settings: Settings) -> Iterator[Hit]:
    if sandbox.mode != STRICT or _marked_deny_all(sandbox, settings):
        return
    if any(normal_endpoint(entry) is not None for entry in sandbox.endpoints):
        return
    if not sandbox.endpoints_set and sandbox.allowlist_ref is not None:
        return  # the list comes from the signed bundle, which cannot be empty
    where = doc.key_pos(SANDBOX_LIST) if sandbox.endpoints_set else doc.pos(_MODE)
    what = "is empty" if not sandbox.endpoints else "has no valid entry"
    yield Hit(
        "empty-allowlist",
        where,
        f"allowlist of Strict sandbox '{sandbox.ref.name}' {what}: the kars signer refuses "
        "an empty list and an empty inline list already denies all egress",
        f"restore an endpoint, or mark deny-all on purpose with the annotation "
        f'{settings.deny_all_annotation}: "true"',
        "$.spec.networkPolicy.allowedEndpoints",
    )


def _marked_deny_all(sandbox: Sandbox, settings: Settings) -> bool:
    return sandbox.annotations.get(settings.deny_all_annotation, "").strip().lower() == "true"
