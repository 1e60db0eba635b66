"""Signing backends behind one Protocol: cosign-compatible keys and Sigstore keyless.

This package is imported on the hook path, so it stays light: the submodules
(and with them cryptography, PyNaCl and above all sigstore) load only when a
name is first used. ``karsgit.signing.keyless`` in turn imports sigstore only
inside its functions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from karsgit.signing.base import SignedArtifact, Signer

if TYPE_CHECKING:
    from karsgit.signing.bundle import BUNDLE_MEDIA_TYPE, SigstoreBundle, parse_bundle
    from karsgit.signing.cosignkey import (
        generate_keypair,
        key_hint,
        load_private_key,
        load_public_key,
    )
    from karsgit.signing.errors import (
        MalformedBundle,
        SignatureInvalid,
        SignerMismatch,
        VerificationFailed,
    )
    from karsgit.signing.keyless import KeylessSigner, KeylessVerifier, verify_keyless_bundle
    from karsgit.signing.keymode import KeySigner, verify_key_bundle, verify_key_signature
    from karsgit.signing.signers import AllowedSigner, SignerIdentity, SignerPolicy


# public name -> submodule that defines it (loaded on first access)
_LAZY = {
    "BUNDLE_MEDIA_TYPE": "bundle",
    "SigstoreBundle": "bundle",
    "parse_bundle": "bundle",
    "generate_keypair": "cosignkey",
    "key_hint": "cosignkey",
    "load_private_key": "cosignkey",
    "load_public_key": "cosignkey",
    "MalformedBundle": "errors",
    "SignatureInvalid": "errors",
    "SignerMismatch": "errors",
    "VerificationFailed": "errors",
    "KeylessSigner": "keyless",
    "KeylessVerifier": "keyless",
    "verify_keyless_bundle": "keyless",
    "KeySigner": "keymode",
    "verify_key_bundle": "keymode",
    "verify_key_signature": "keymode",
    "AllowedSigner": "signers",
    "SignerIdentity": "signers",
    "SignerPolicy": "signers",
}

__all__ = [
    "BUNDLE_MEDIA_TYPE",
    "AllowedSigner",
    "KeySigner",
    "KeylessSigner",
    "KeylessVerifier",
    "MalformedBundle",
    "SignatureInvalid",
    "SignedArtifact",
    "Signer",
    "SignerIdentity",
    "SignerMismatch",
    "SignerPolicy",
    "SigstoreBundle",
    "VerificationFailed",
    "generate_keypair",
    "key_hint",
    "load_private_key",
    "load_public_key",
    "parse_bundle",
    "verify_key_bundle",
    "verify_key_signature",
    "verify_keyless_bundle",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this hook
    return value
