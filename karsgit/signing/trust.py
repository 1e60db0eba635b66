"""Who ``verify`` trusts: a cosign public key, or a trusted root with a signer
policy (exact ``--cert-identity``/``--cert-oidc-issuer``, or the controller's
signer-policy ConfigMap read from the repo).
"""

from __future__ import annotations

from pathlib import Path

from karsgit.errors import SigningError
from karsgit.run.verify import SignatureCheck
from karsgit.signing import SignerPolicy

ISSUERS_KEY = "fulcioIssuers"
SANS_KEY = "sanPatterns"
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


def keyless_check(trust: Path | None, policy: SignerPolicy) -> SignatureCheck:
    from karsgit.signing import KeylessVerifier

    verifier = KeylessVerifier(trust)

    def check(bundle_json: bytes, sig: bytes | None, data: bytes) -> None:
        verifier.verify(bundle_json, data, policy)

    return check


def configmap_policy(path: Path) -> SignerPolicy:
    """The controller's ConfigMap (any listed issuer with any listed SAN pattern),
    or karsgit's ``signers:`` list of (issuer, san) pairs."""
    from karsgit.source.load import parse_documents

    loaded = parse_documents(str(path), _read(path, "signer policy").decode("utf-8", "replace"))
    docs = [d.data for d in loaded.documents if isinstance(d.data, dict)]
    if len(docs) == 1 and "signers" in docs[0]:  # docs/signing.md's list form
        return SignerPolicy.from_mapping(docs[0])
    data = docs[0].get("data") if len(docs) == 1 and not loaded.hits else None
    if not isinstance(data, dict):
        raise SigningError(f"signer policy {path} is not one ConfigMap with 'data'", _POLICY_HINT)
    issuers, sans = _lines(data.get(ISSUERS_KEY)), _lines(data.get(SANS_KEY))
    if not issuers or not sans:
        raise SigningError(
            f"signer policy {path} lists no {ISSUERS_KEY if not issuers else SANS_KEY}",
            _POLICY_HINT,
        )
    signers = [{"issuer": i, "san": s} for i in issuers for s in sans]
    return SignerPolicy.from_mapping({"signers": signers})


def _lines(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    out = []
    for line in value.splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            out.append(text)
    return out


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SigningError(
            f"cannot read {what} {path}: {error.strerror}", "check the path"
        ) from error
