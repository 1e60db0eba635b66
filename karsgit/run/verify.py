"""``verify``: the kars controller's checks, offline, as findings (rules/bundles.py).

Bundle problems are reported at the bundle file, ref and drift problems at the
manifest. Signatures are checked with the trust the caller built (a public key,
or a trusted root with a signer policy); without one only their presence is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.bundle import plan as bundles
from karsgit.bundle.canonical import ParsedBundle, parse_canonical
from karsgit.bundle.layout import SIG_SUFFIX, SIGSTORE_SUFFIX
from karsgit.bundle.plan import Target
from karsgit.errors import FileTooLarge
from karsgit.findings import WHOLE_FILE, Finding, Hit, Position
from karsgit.rules import engine
from karsgit.run.check import CheckResult
from karsgit.settings import Settings
from karsgit.source.load import Document, PathKey, parse_documents

if TYPE_CHECKING:
    from karsgit.signing.cosignsig import SigArtifact

# (bundle json, .sig bytes or None, artifact bytes); raises VerificationFailed
SignatureCheck = Callable[[bytes, bytes | None, bytes], None]


@dataclass(frozen=True, slots=True)
class CosignCheck:
    """Keyless trust: ``check(artifact, registry, repository, digest)`` raises
    VerificationFailed unless the controller would accept the ``.sig`` for that ref."""

    check: Callable[[SigArtifact, str, str, str], None]


_ENDPOINTS: PathKey = ("spec", "networkPolicy", "allowedEndpoints")
_RECOMPILE = "run 'karsgit compile' and commit the result"
_RESIGN = "run 'karsgit sign' and commit the signature"
_RESIGN_KEYLESS = "run 'karsgit sign --keyless' and commit allowlist.cosign.json"


@dataclass
class _Manifests:
    """Documents re-parsed on demand, only for positions of a finding."""

    texts: dict[str, str]
    root: Path
    cache: dict[str, list[Document]] = field(default_factory=dict)
    limit: int = Settings.max_file_bytes  # for bundle and signature files

    def position(self, target: Target, path: PathKey, key: bool = True) -> Position:
        rel = target.sandbox.location.path
        if rel not in self.cache:
            text = self.texts.get(rel)
            if text is None:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            self.cache[rel] = parse_documents(rel, text).documents
        docs = self.cache[rel]
        index = target.sandbox.document_index
        if index >= len(docs):
            return Position(target.sandbox.location.line, target.sandbox.location.column)
        return docs[index].key_pos(path) if key else docs[index].pos(path)


def verify_repo(
    settings: Settings, result: CheckResult, check: SignatureCheck | CosignCheck | None
) -> list[Finding]:
    """Findings for every bundle. ``check`` is the trust: a key check of the key-mode
    signature over the YAML, a CosignCheck of ``allowlist.cosign.json``, or None to
    check presence (and the artifact's target) only."""
    manifests = _Manifests(result.texts, settings.root, limit=settings.max_file_bytes)
    targets = bundles.plan(settings, result.objects)
    if check is None and settings.signing.get("mode") != "key":
        check = CosignCheck(_target_only)
    hits = [hit for target in targets for hit in _target_hits(target, manifests, check)]
    known = {t.rel for t in targets}
    hits += [(rel, _orphan(rel)) for rel in bundles.committed_bundles(settings) if rel not in known]
    return engine.finalize(hits, settings, result.texts)


def _target_hits(
    target: Target, manifests: _Manifests, check: SignatureCheck | CosignCheck | None
) -> Iterator[tuple[str, Hit]]:
    manifest = target.sandbox.location.path
    if target.current is None:
        yield manifest, _missing(target)
        return
    parsed = parse_canonical(target.current)
    if isinstance(parsed, list):
        for problem in parsed:
            yield (
                target.rel,
                Hit("bundle-noncanonical", Position(problem.line, 1), problem.message, _RECOMPILE),
            )
    elif target.expected is not None and target.expected != target.current:
        yield target.rel, _stale(target, parsed)
    yield from ((manifest, hit) for hit in _ref_hits(target, manifests))
    if isinstance(parsed, ParsedBundle):
        yield from ((manifest, hit) for hit in _drift(target, parsed, manifests))
    if isinstance(check, CosignCheck):
        yield from _cosign_hits(target, manifests, check)
    else:
        yield from ((target.rel, hit) for hit in _signature_hits(target, manifests, check))


def _missing(target: Target) -> Hit:
    return Hit(
        "bundle-missing",
        Position(target.sandbox.location.line, target.sandbox.location.column),
        f"{target.sandbox.mode} sandbox '{target.sandbox.ref.name}' has no bundle at {target.rel}",
        _RECOMPILE,
    )


def _stale(target: Target, parsed: ParsedBundle) -> Hit:
    assert target.endpoints is not None
    fact = "endpoints differ from the manifest"
    if set(parsed.endpoints) == set(target.endpoints):
        fact = "generation differs from what compile writes"
    return Hit("bundle-stale", WHOLE_FILE, f"bundle is stale: {fact}", _RECOMPILE)


def _ref_hits(target: Target, manifests: _Manifests) -> Iterator[Hit]:
    if target.ref is None:
        return
    existing = target.sandbox.allowlist_ref
    ref_path = bundles.REF_PATH
    if not existing:
        position = manifests.position(target, ref_path[:-1])
        yield Hit(
            "allowlistref-mismatch",
            position,
            f"sandbox '{target.sandbox.ref.name}' has no allowlistRef for {target.rel}",
            _RECOMPILE,
            "$.spec.networkPolicy",
        )
        return
    for key in bundles.REF_KEYS:
        want, got = target.ref[key], existing.get(key)
        if want and got != want:
            yield Hit(
                "allowlistref-mismatch",
                manifests.position(target, (*ref_path, key), key=False),
                f"allowlistRef.{key} is {got!r} but the bundle needs {want!r}",
                _RECOMPILE,
                f"$.spec.networkPolicy.allowlistRef.{key}",
            )


def _drift(target: Target, parsed: ParsedBundle, manifests: _Manifests) -> Iterator[Hit]:
    if target.endpoints is None or not target.sandbox.endpoints_set:
        return
    inline, signed = set(target.endpoints), set(parsed.endpoints)
    if inline == signed:
        return
    extra = ", ".join(str(e) for e in sorted(inline - signed)) or "none"
    absent = ", ".join(str(e) for e in sorted(signed - inline)) or "none"
    yield Hit(
        "inline-drift",
        manifests.position(target, _ENDPOINTS),
        f"inline allowedEndpoints differ from the bundle (only inline: {extra}; "
        f"only in the bundle: {absent}); the controller enforces the bundle",
        _RECOMPILE + ", then sign",
        "$.spec.networkPolicy.allowedEndpoints",
    )


def _signature_hits(
    target: Target, manifests: _Manifests, check: SignatureCheck | None
) -> Iterator[Hit]:
    from karsgit.signing.errors import VerificationFailed

    assert target.current is not None
    try:
        root, limit = manifests.root, manifests.limit
        bundle_json = bundles.read_bytes(root / (target.rel + SIGSTORE_SUFFIX), limit)
        sig = bundles.read_bytes(root / (target.rel + SIG_SUFFIX), limit)
    except FileTooLarge as large:
        yield Hit("signature-invalid", WHOLE_FILE, large.message, _RESIGN)
        return
    if bundle_json is None:
        fact = f"bundle has no signature ({target.rel}{SIGSTORE_SUFFIX} is missing)"
        yield Hit("signature-missing", WHOLE_FILE, fact, _RESIGN)
        return
    if check is None:
        return
    try:
        check(bundle_json, sig, target.current)
    except VerificationFailed as failure:
        yield Hit(failure.rule_id, WHOLE_FILE, failure.message, failure.hint or _RESIGN)


def _cosign_hits(
    target: Target, manifests: _Manifests, check: CosignCheck
) -> Iterator[tuple[str, Hit]]:
    """The controller's view: the cosign ``.sig`` artifact for the bundle's ref."""
    from karsgit.bundle.canonical import oci_manifest_digest
    from karsgit.signing.cosignsig import SIG_ARTIFACT_NAME, parse_sig_artifact
    from karsgit.signing.errors import VerificationFailed

    assert target.current is not None
    root = manifests.root
    rel = target.rel.rsplit("/", 1)[0] + "/" + SIG_ARTIFACT_NAME
    try:
        data = bundles.read_bytes(root / rel, manifests.limit)
    except FileTooLarge as large:
        yield rel, Hit("signature-invalid", WHOLE_FILE, large.message, _RESIGN_KEYLESS)
        return
    if data is None:
        key_signed = (root / (target.rel + SIGSTORE_SUFFIX)).is_file()
        fact = f"bundle has no cosign signature ({rel} is missing)"
        if key_signed:
            fact += "; its key-mode signature is never accepted by the kars controller"
        yield target.rel, Hit("signature-missing", WHOLE_FILE, fact, _RESIGN_KEYLESS)
        return
    registry, repository = _registry(target), (target.ref or {}).get("repository", "")
    try:
        check.check(
            parse_sig_artifact(data), registry, repository, oci_manifest_digest(target.current)
        )
    except VerificationFailed as failure:
        yield rel, Hit(failure.rule_id, WHOLE_FILE, failure.message, failure.hint or _RESIGN)


def _registry(target: Target) -> str:
    registry = (target.ref or {}).get("registry", "")
    existing = (target.sandbox.allowlist_ref or {}).get("registry")
    return registry or (existing if isinstance(existing, str) else "")


def _target_only(art: SigArtifact, registry: str, repository: str, digest: str) -> None:
    from karsgit.signing.cosignsig import check_target

    check_target(art, registry, repository, digest)


def _orphan(rel: str) -> Hit:
    return Hit(
        "bundle-orphan",
        WHOLE_FILE,
        f"bundle {rel} belongs to no sandbox in the repository that is Strict or has "
        "endpoints or an allowlistRef",
        f"delete {rel.rsplit('/', 1)[0]}/ or restore the sandbox",
    )
