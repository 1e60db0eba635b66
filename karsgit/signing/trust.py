"""Who ``verify`` trusts: a cosign public key, or a trusted root with a signer
policy (exact ``--cert-identity``/``--cert-oidc-issuer``, or the controller's
signer-policy ConfigMap read from the repo).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.errors import SigningError
from karsgit.rules.bundles import CosignCheck, SignatureCheck
from karsgit.signing import SignerPolicy

if TYPE_CHECKING:
    from karsgit.signing.cosignsig import SigArtifact
    from karsgit.signing.offline import OfflineRoot

ISSUERS_KEY = "fulcioIssuers"
SANS_KEY = "sanPatterns"
KEY_NEVER_ACCEPTED = (
    "key-mode signatures are for offline checks only: the kars controller never accepts them"
)
_POLICY_HINT = (
    f"write a ConfigMap whose data has '{ISSUERS_KEY}' and '{SANS_KEY}', "
    "one value a line ('#' starts a comment)"
)


def key_check(public_key_path: Path) -> SignatureCheck:
    """Key mode: the bundle (and the ``.sig`` file, when present) under this key."""
    from karsgit.signing import load_public_key, verify_key_bundle, verify_key_signature

    public_key = load_public_key(_read(public_key_path, "public key"))

    def check(bundle_json: bytes, sig: bytes | None, data: bytes) -> None:
        verify_key_bundle(bundle_json, data, public_key)
        if sig is not None:
            verify_key_signature(sig, data, public_key)

    return check


def keyless_check(
    trust: Path | None, policy: SignerPolicy, offline: OfflineRoot | None = None
) -> CosignCheck:
    """Keyless: the controller's check of ``allowlist.cosign.json`` for the sandbox's ref,
    against ``trust`` or, with ``offline``, the public-good root without the network."""
    from karsgit.signing.cosignsig import verify_sig_artifact
    from karsgit.signing.keyless import load_trust_material, trust_material

    material = trust_material(offline.root) if offline is not None else load_trust_material(trust)

    def check(art: SigArtifact, registry: str, repository: str, digest: str) -> None:
        verify_sig_artifact(art, registry, repository, digest, policy, material)

    return CosignCheck(check)


def configmap_policy(path: Path) -> SignerPolicy:
    """The controller's ConfigMap (any listed issuer with any listed SAN pattern),
    or karsgit's ``signers:`` list of (issuer, san) pairs. A policy the controller
    would call malformed (``SignerPolicyMalformed``) or unconfigured stops the run."""
    from karsgit.signing.policyfile import read_policy

    text = _read(path, "signer policy").decode("utf-8", "replace")
    policy = read_policy(str(path), text)
    if policy.signers_list is not None:
        return SignerPolicy.from_mapping(policy.signers_list)
    if policy.shape_error:
        raise SigningError(f"signer policy {path} {policy.shape_error}", _POLICY_HINT)
    if policy.problems:
        first = policy.problems[0]
        raise SigningError(
            f"signer policy {path}:{first.position.line} is malformed "
            f"(SignerPolicyMalformed): {first.message}",
            first.hint,
        )
    issuers, sans = [e.value for e in policy.issuers], [e.value for e in policy.sans]
    if not issuers or not sans:
        raise SigningError(
            f"signer policy {path} lists no {ISSUERS_KEY if not issuers else SANS_KEY}; "
            "the controller accepts no allowlist under it (SignerPolicyMissing)",
            _POLICY_HINT,
        )
    signers = [{"issuer": i, "san": s} for i in issuers for s in sans]
    return SignerPolicy.from_mapping({"signers": signers})


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SigningError(
            f"cannot read {what} {path}: {error.strerror}", "check the path"
        ) from error
