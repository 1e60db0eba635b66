"""The signer-policy check that publish and ``verify --registry`` apply to a
``.sig`` artifact: ``karsgit.signing.trust.keyless_check`` (the controller's
verification of a cosign signature) under the ``kars-signer-policy`` ConfigMap
or one exact ``--cert-identity``/``--cert-oidc-issuer`` pair.
"""

from __future__ import annotations

from karsgit.registry.publish import SigCheck
from karsgit.signing.choice import Trust


def sig_check(trust: Trust) -> SigCheck:
    from karsgit.signing.choice import keyless_policy
    from karsgit.signing.trust import keyless_check

    return keyless_check(trust.trust_config, keyless_policy(trust)).check
