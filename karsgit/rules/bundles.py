"""Bundle rules: what ``karsgit verify`` reports about the committed bundles, their
refs and their signatures (the kars controller's checks, made in CI first). The
checks live here (``check_target``); ``karsgit/run/verify.py`` only plans and
finalizes.

``bundle-missing``
    A bundled sandbox (``Strict``, or any mode with inline endpoints or an
    ``allowlistRef``: the controller reads its bundle whatever the mode) has no
    ``allowlist.yaml`` under the bundle directory. Run ``karsgit compile``.

    Fails:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``.

``bundle-stale``
    The committed bundle differs from what ``karsgit compile`` makes from the
    manifest now (endpoints or generation).

    Fails:

    (an endpoint added to the manifest after ``compile``)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: dev.azure.com
            port: 443
        allowlistRef:
          registry: registry.example
          repository: policy/egress-allowlist/web
          digest: sha256:4b83066a9119fe27884f494d4c5c6b7733e2306d8e6f19fff7147f9c2c64abf1
          artifactType: application/vnd.kars.egress-allowlist.v1+yaml
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``, then ``karsgit sign``.

``bundle-noncanonical``
    The committed bytes fail the controller's strict parse: key order,
    duplicates or order of endpoints, unknown keys, ``\\r``, tabs, comments,
    quotes, a missing or extra trailing newline.

    Fails:

    (a comment added to the bundle)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml .kars/bundles/kars-system/web/allowlist.yaml
    # reviewed by ops
    apiVersion: kars.dev/v1alpha1
    kind: EgressAllowlist
    metadata:
      generation: 1
    spec:
      endpoints:
        - host: api.github.com
          port: 443
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``; never edit a bundle by hand.

``bundle-orphan``
    A bundle (or signature) with no bundled sandbox of that namespace and
    name in the repository. Delete the directory, or restore the sandbox.

    Fails:

    (the sandbox is deleted, its bundle stays)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ rm web.yaml
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Delete the bundle directory, or restore the sandbox.

``allowlistref-mismatch``
    ``spec.networkPolicy.allowlistRef`` is missing, or its digest, repository,
    registry or artifact type disagree with the committed bundle; the
    controller would fetch something else.

    Fails:

    (the manifest loses the ``allowlistRef`` that ``compile`` wrote)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``, which writes the ``allowlistRef``.

``inline-drift``
    The inline ``allowedEndpoints`` are not set-equal to the committed bundle's
    endpoints: the controller reports drift and enforces the signed list, so
    what reviewers read is not what runs.

    Fails:

    (an endpoint added to the manifest after ``compile``)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: dev.azure.com
            port: 443
        allowlistRef:
          registry: registry.example
          repository: policy/egress-allowlist/web
          digest: sha256:4b83066a9119fe27884f494d4c5c6b7733e2306d8e6f19fff7147f9c2c64abf1
          artifactType: application/vnd.kars.egress-allowlist.v1+yaml
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``, then ``karsgit sign``.

``signature-missing``
    No ``allowlist.cosign.json`` (the cosign signature the controller reads)
    next to the bundle; in key mode, no ``allowlist.yaml.sigstore.json``. A
    bundle signed only with a key, checked against a controller policy, is
    reported here: the controller never accepts key signatures. Run
    ``karsgit sign --keyless``.

    Fails:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ karsgit verify --key ../cosign.pub
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../cosign.pub
    ```

    Fix: Run ``karsgit sign``.

``signature-invalid``
    The signature artifact is unreadable or truncated, was made for another
    repository or digest (or other bytes), or does not verify (signature,
    certificate chain, the Rekor entry and its SET).

    Fails:

    (the Sigstore bundle truncated)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    ```

    ```json .kars/bundles/kars-system/web/allowlist.yaml.sigstore.json
    {}
    ```

    ```console
    $ karsgit verify --key ../cosign.pub
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../cosign.pub
    ```

    Fix: Run ``karsgit sign`` again; if it still fails, check the trust given to
    ``verify``.

``signer-mismatch``
    A sound signature by a key or identity that the trust policy (``--key``,
    ``--cert-identity``/``--cert-oidc-issuer`` or the signer-policy ConfigMap)
    does not allow.

    Fails:

    (signed with one key, verified with another)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../other
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../other.pub
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../cosign.pub
    ```

    Fix: Sign with an allowed key or identity, or fix the trust given to ``verify``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.bundle.layout import SIG_SUFFIX, SIGSTORE_SUFFIX
from karsgit.errors import FileTooLarge
from karsgit.findings import WHOLE_FILE, Hit, Position, Severity
from karsgit.rules.base import RuleInfo
from karsgit.settings import Settings
from karsgit.source.load import Document, PathKey, parse_documents

if TYPE_CHECKING:
    from karsgit.bundle.canonical import ParsedBundle
    from karsgit.bundle.plan import Target
    from karsgit.signing.cosignsig import SigArtifact

# The family module is imported for the catalog on every run (the hook path too):
# the bundle modules load only when a bundle is checked (inside the functions).

E = Severity.ERROR

RULES = (
    RuleInfo("bundle-missing", E, "a bundled sandbox has no committed bundle"),
    RuleInfo("bundle-stale", E, "the committed bundle differs from a fresh compile"),
    RuleInfo("bundle-noncanonical", E, "the committed bundle fails the controller's strict parse"),
    RuleInfo("bundle-orphan", E, "a committed bundle belongs to no bundled sandbox"),
    RuleInfo("allowlistref-mismatch", E, "allowlistRef is missing or disagrees with the bundle"),
    RuleInfo("inline-drift", E, "inline allowedEndpoints differ from the committed bundle"),
    RuleInfo("signature-missing", E, "a bundle has no signature the check can use"),
    RuleInfo("signature-invalid", E, "a bundle's signature does not verify"),
    RuleInfo("signer-mismatch", E, "a bundle is signed by a signer the policy does not allow"),
)


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
class Manifests:
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


def check_target(
    target: Target, manifests: Manifests, check: SignatureCheck | CosignCheck | None
) -> Iterator[tuple[str, Hit]]:
    from karsgit.bundle.canonical import ParsedBundle, parse_canonical

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


def _ref_hits(target: Target, manifests: Manifests) -> Iterator[Hit]:
    from karsgit.bundle import plan as bundles

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


def _drift(target: Target, parsed: ParsedBundle, manifests: Manifests) -> Iterator[Hit]:
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
    target: Target, manifests: Manifests, check: SignatureCheck | None
) -> Iterator[Hit]:
    from karsgit.bundle import plan as bundles
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
    target: Target, manifests: Manifests, check: CosignCheck
) -> Iterator[tuple[str, Hit]]:
    """The controller's view: the cosign ``.sig`` artifact for the bundle's ref."""
    from karsgit.bundle import plan as bundles
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


def target_only(art: SigArtifact, registry: str, repository: str, digest: str) -> None:
    from karsgit.signing.cosignsig import check_target

    check_target(art, registry, repository, digest)


def orphan_hit(rel: str) -> Hit:
    return Hit(
        "bundle-orphan",
        WHOLE_FILE,
        f"bundle {rel} belongs to no sandbox in the repository that is Strict or has "
        "endpoints or an allowlistRef",
        f"delete {rel.rsplit('/', 1)[0]}/ or restore the sandbox",
    )
