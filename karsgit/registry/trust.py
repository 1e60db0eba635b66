"""The signer-policy check that publish and ``verify --registry`` apply to a
``.sig`` artifact: ``karsgit.signing.cosignsig.verify_sig_artifact`` under the
policy the controller reads (``kars-signer-policy``) or one exact
``--cert-identity``/``--cert-oidc-issuer`` pair, with the Fulcio chains and
Rekor keys of a Sigstore trusted root (``--trust-config``; default the
public-good instance).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from karsgit.errors import SigningError
from karsgit.registry.publish import SigCheck
from karsgit.signing.cosignsig import SigArtifact, TrustMaterial, verify_sig_artifact
from karsgit.signing.signers import SignerPolicy

_TRUST_HINT = "pass --trust-config with a sigstore trusted root or client trust config"


def sig_check(
    trust: Path | None, identity: str | None, issuer: str | None, policy_file: Path | None
) -> SigCheck:
    if identity and issuer:
        policy = SignerPolicy.exact(identity, issuer)
    elif policy_file is not None:
        from karsgit.signing.trust import configmap_policy

        policy = configmap_policy(policy_file)
    else:
        raise SigningError("no signer policy to verify signatures with", _TRUST_HINT)
    material = trust_material(trust)

    def check(art: SigArtifact, registry: str, repository: str, digest: str) -> None:
        verify_sig_artifact(art, registry, repository, digest, policy, material)

    return check


def trust_material(path: Path | None) -> TrustMaterial:
    """Fulcio chains and Rekor keys (by log id) of a trusted root."""
    doc = _trusted_root(path)
    try:
        chains = tuple(
            tuple(
                x509.load_der_x509_certificate(base64.b64decode(cert["rawBytes"]))
                for cert in authority["certChain"]["certificates"]
            )
            for authority in doc.get("certificateAuthorities", [])
        )
        keys: dict[bytes, ec.EllipticCurvePublicKey] = {}
        for log in doc.get("tlogs", []):
            key = load_der_public_key(base64.b64decode(log["publicKey"]["rawBytes"]))
            if isinstance(key, ec.EllipticCurvePublicKey):
                keys[base64.b64decode(log["logId"]["keyId"])] = key
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise SigningError(f"trusted root is malformed ({error})", _TRUST_HINT) from error
    return TrustMaterial(chains, keys)


def _trusted_root(path: Path | None) -> dict[str, Any]:
    if path is None:
        from karsgit.signing.keyless import load_trusted_root

        inner = load_trusted_root(None)._inner  # the public-good root, as sigstore ships it
        loaded: dict[str, Any] = json.loads(inner.to_json())
        return loaded
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise SigningError(f"cannot read trust file {path}: {error}", _TRUST_HINT) from error
    if isinstance(doc, dict) and isinstance(doc.get("trustedRoot"), dict):
        doc = doc["trustedRoot"]  # a client trust config embeds the trusted root
    if not isinstance(doc, dict):
        raise SigningError(f"trust file {path} is not a JSON object", _TRUST_HINT)
    return doc
