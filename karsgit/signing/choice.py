"""Which signing mode, key and trust a run uses: the one resolution behind ``sign``,
``egress``, ``verify`` and ``publish``. Options given on the command line win; the
``signing`` section of ``.karsgit.yaml`` fills the rest (docs/signing.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.errors import SigningError, UsageError
from karsgit.settings import Settings

if TYPE_CHECKING:
    from karsgit.signing.signers import SignerPolicy

NO_POLICY_HINT = (
    "pass --signer-policy (the kars-signer-policy ConfigMap) or --cert-identity with "
    "--cert-oidc-issuer, or set them under 'signing' in .karsgit.yaml"
)


@dataclass(frozen=True)
class Trust:
    """Whose signature counts, and the Sigstore root it is checked against."""

    key: Path | None = None  # a cosign public key: key mode (never the controller's)
    identity: str | None = None
    issuer: str | None = None
    policy_file: Path | None = None  # the controller's kars-signer-policy ConfigMap
    trust_config: Path | None = None

    @property
    def keyless(self) -> bool:
        return bool(self.identity and self.issuer) or self.policy_file is not None


def config_path(settings: Settings, value: str | None) -> Path | None:
    """A path from the config, relative to the repository root."""
    return settings.root / value if value else None


def signing_mode(
    settings: Settings, key: Path | None, keyless: bool, trust: Path | None
) -> tuple[str, Path | None, Path | None]:
    """(mode, private key, trust config) for signing: ``--key``/``--keyless``, else
    ``signing.mode``; a usage error when neither names one."""
    if key is not None and keyless:
        raise UsageError("--key and --keyless exclude each other", "pick one signing mode")
    configured = settings.signing
    trust = trust or config_path(settings, configured.get("trust_config"))
    if key is not None:
        return "key", key, trust
    if keyless:
        return "keyless", None, trust
    if configured.get("mode") == "key" and configured.get("key"):
        return "key", config_path(settings, configured["key"]), trust
    if configured.get("mode") == "keyless":
        return "keyless", None, trust
    raise UsageError("no signing mode", "pass --key cosign.key or --keyless (or set signing.mode)")


def trust_for(settings: Settings, given: Trust, *, key_mode: bool = True) -> Trust:
    """The trust of a verifying run: what was given, else the config's.

    ``key_mode`` False (publish, ``verify --registry``) never takes a configured
    public key: the controller accepts keyless signatures only.
    """
    if bool(given.identity) != bool(given.issuer):
        raise UsageError("--cert-identity and --cert-oidc-issuer go together", "pass both")
    if sum(map(bool, (given.key, given.identity, given.policy_file))) > 1:
        raise UsageError("pass one of --key, --cert-identity or --signer-policy", "pick one trust")
    configured = settings.signing
    trust_config = given.trust_config or config_path(settings, configured.get("trust_config"))
    if given.key or given.keyless:
        return replace(given, trust_config=trust_config)
    key = None
    if key_mode and configured.get("mode") == "key":
        from karsgit.signing.publickey import configured_public_key

        key = configured_public_key(settings)
    return Trust(
        key,
        configured.get("cert_identity"),
        configured.get("cert_oidc_issuer"),
        config_path(settings, configured.get("signer_policy")),
        trust_config,
    )


def keyless_policy(trust: Trust) -> SignerPolicy:
    """The signers a keyless signature must come from (the controller's rules)."""
    from karsgit.signing.signers import SignerPolicy
    from karsgit.signing.trust import configmap_policy

    if trust.identity and trust.issuer:
        return SignerPolicy.exact(trust.identity, trust.issuer)
    if trust.policy_file is not None:
        return configmap_policy(trust.policy_file)
    raise SigningError("no signer policy to verify signatures with", NO_POLICY_HINT)
