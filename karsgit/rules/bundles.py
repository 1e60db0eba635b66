"""Bundle rules: what ``karsgit verify`` reports about the committed bundles, their
refs and their signatures (the kars controller's checks, made in CI first).

``bundle-missing``
    A bundled sandbox (``Strict``, or any mode with inline endpoints or an
    ``allowlistRef``: the controller reads its bundle whatever the mode) has no
    ``allowlist.yaml`` under the bundle directory. Run ``karsgit compile``.

``bundle-stale``
    The committed bundle differs from what ``karsgit compile`` makes from the
    manifest now (endpoints or generation).

``bundle-noncanonical``
    The committed bytes fail the controller's strict parse: key order,
    duplicates or order of endpoints, unknown keys, ``\\r``, tabs, comments,
    quotes, a missing or extra trailing newline.

``bundle-orphan``
    A bundle (or signature) with no bundled sandbox of that namespace and
    name in the repository. Delete the directory, or restore the sandbox.

``allowlistref-mismatch``
    ``spec.networkPolicy.allowlistRef`` is missing, or its digest, repository,
    registry or artifact type disagree with the committed bundle; the
    controller would fetch something else.

``inline-drift``
    The inline ``allowedEndpoints`` are not set-equal to the committed bundle's
    endpoints: the controller reports drift and enforces the signed list, so
    what reviewers read is not what runs.

``signature-missing``
    No ``allowlist.cosign.json`` (the cosign signature the controller reads)
    next to the bundle; in key mode, no ``allowlist.yaml.sigstore.json``. A
    bundle signed only with a key, checked against a controller policy, is
    reported here: the controller never accepts key signatures. Run
    ``karsgit sign --keyless``.

``signature-invalid``
    The signature artifact is unreadable or truncated, was made for another
    repository or digest (or other bytes), or does not verify (signature,
    certificate chain, the Rekor entry and its SET).

``signer-mismatch``
    A sound signature by a key or identity that the trust policy (``--key``,
    ``--cert-identity``/``--cert-oidc-issuer`` or the signer-policy ConfigMap)
    does not allow.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules import RuleInfo

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
