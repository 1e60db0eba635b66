"""The signer-policy check that publish and ``verify --registry`` apply to a
``.sig`` artifact: the keyless verification of ``karsgit.signing.cosignsig``
under the policy the controller reads (``kars-signer-policy``) or one exact
``--cert-identity``/``--cert-oidc-issuer`` pair.
"""

from __future__ import annotations

from pathlib import Path

from karsgit.errors import SigningError
from karsgit.registry.publish import SigCheck


def sig_check(
    trust: Path | None, identity: str | None, issuer: str | None, policy_file: Path | None
) -> SigCheck:
    raise SigningError(
        "keyless verification of the .sig artifact is not available in this build",
        "merge the cosign-sig work (karsgit.signing.cosignsig)",
    )
