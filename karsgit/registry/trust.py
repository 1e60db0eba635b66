"""The signer-policy check that publish and ``verify --registry`` apply to a
``.sig`` artifact: ``karsgit.signing.trust.keyless_check`` (the controller's
verification of a cosign signature) under the ``kars-signer-policy`` ConfigMap
or one exact ``--cert-identity``/``--cert-oidc-issuer`` pair.
"""

from __future__ import annotations

from pathlib import Path

from karsgit.errors import SigningError
from karsgit.registry.publish import SigCheck

_TRUST_HINT = "pass --signer-policy, or --cert-identity with --cert-oidc-issuer"


def sig_check(
    trust: Path | None, identity: str | None, issuer: str | None, policy_file: Path | None
) -> SigCheck:
    from karsgit.signing import SignerPolicy
    from karsgit.signing.trust import configmap_policy, keyless_check

    if identity and issuer:
        policy = SignerPolicy.exact(identity, issuer)
    elif policy_file is not None:
        policy = configmap_policy(policy_file)
    else:
        raise SigningError("no signer policy to verify signatures with", _TRUST_HINT)
    return keyless_check(trust, policy).check
