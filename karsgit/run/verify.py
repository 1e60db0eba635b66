"""``verify``: the kars controller's checks, offline, as findings.

The checks themselves are the bundle rules (karsgit/rules/bundles.py): this flow
plans which bundle each sandbox has and hands every one to them. Signatures are
checked with the trust the caller built (a public key, or a trusted root with a
signer policy); without one only their presence and target are.
"""

from __future__ import annotations

from karsgit.bundle import plan as bundles
from karsgit.findings import Finding
from karsgit.rules import engine
from karsgit.rules.bundles import (
    CosignCheck,
    Manifests,
    SignatureCheck,
    check_target,
    orphan_hit,
    target_only,
)
from karsgit.run.check import CheckResult
from karsgit.settings import Settings

__all__ = ["CosignCheck", "SignatureCheck", "verify_repo"]


def verify_repo(
    settings: Settings,
    result: CheckResult,
    check: SignatureCheck | CosignCheck | None,
    rendered: bool = False,
) -> list[Finding]:
    """Findings for every bundle. ``check`` is the trust: a key check of the key-mode
    signature over the YAML, a CosignCheck of ``allowlist.cosign.json``, or None to
    check presence (and the artifact's target) only. ``rendered``: ``result`` is a
    rendered check, and the sandboxes kustomization roots render are verified as
    rendered, each against its root's bundle (karsgit.render.bundles)."""
    manifests = Manifests(result.texts, settings.root, limit=settings.max_file_bytes)
    if rendered:
        from karsgit.render.bundles import all_targets

        planned = all_targets(settings, result.objects, result.renders)
        targets, extra = planned.files, planned.rendered
    else:
        targets, extra = bundles.plan(settings, result.objects), []
    if check is None and settings.signing.get("mode") != "key":
        check = CosignCheck(target_only)
    hits = [hit for target in targets for hit in check_target(target, manifests, check)]
    if extra:
        # the render stage reports a rendered sandbox's drift at the line that caused it
        hits += [
            hit
            for target in extra
            for hit in check_target(target, manifests, check)
            if hit[1].rule_id != "inline-drift"
        ]
    known = {t.rel for t in [*targets, *extra]}
    hits += [
        (rel, orphan_hit(rel)) for rel in bundles.committed_bundles(settings) if rel not in known
    ]
    return engine.finalize(hits, settings, result.texts)
