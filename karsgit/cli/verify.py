"""``karsgit verify``: bundles, refs and signatures, as findings."""

from __future__ import annotations

from pathlib import Path

import click

from karsgit.cli.common import (
    color_option,
    config_option,
    emit_report,
    exit_code,
    format_option,
    parse_format,
    progress_meter,
    settings_for,
)
from karsgit.errors import UsageError
from karsgit.pipeline import run_check
from karsgit.settings import Settings
from karsgit.verify import SignatureCheck, verify_repo

_PATH = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option("--key", "key", type=_PATH, help="cosign.pub: verify key-mode signatures.")
@click.option("--cert-identity", help="Exact certificate SAN of the keyless signer.")
@click.option("--cert-oidc-issuer", help="Exact OIDC issuer of the keyless signer.")
@click.option("--signer-policy", type=_PATH, help="The controller's signer-policy ConfigMap.")
@click.option("--trust-config", type=_PATH, help="Sigstore trusted root or client trust config.")
@format_option
@color_option
@config_option
def verify(
    key: Path | None,
    cert_identity: str | None,
    cert_oidc_issuer: str | None,
    signer_policy: Path | None,
    trust_config: Path | None,
    formats: tuple[str, ...],
    color: str,
    config: Path | None,
) -> int:
    """Check committed bundles, allowlistRefs and signatures as the controller would.

    Without --key, --cert-identity/--cert-oidc-issuer or --signer-policy (and no
    'signing' section in the config), signatures are only checked for presence.
    """
    for spec in formats:
        parse_format(spec)  # a usage error before any work
    settings = settings_for(config)
    check = _signature_check(
        settings, key, cert_identity, cert_oidc_issuer, signer_policy, trust_config
    )
    if check is None and settings.signing.get("mode") != "none":
        click.echo("karsgit: note: signatures checked for presence only (no trust given)", err=True)
    result = run_check(settings, (), progress_meter())
    findings = verify_repo(settings, result, check)
    from karsgit.findings import sort_findings
    from karsgit.render.drift import rendered_drift  # kustomization roots, as rendered

    findings = sort_findings([*findings, *rendered_drift(settings)])
    emit_report(findings, result, formats, color, "verify")
    return int(exit_code(findings, settings.fail_on))


def _signature_check(
    settings: Settings,
    key: Path | None,
    identity: str | None,
    issuer: str | None,
    policy_file: Path | None,
    trust: Path | None,
) -> SignatureCheck | None:
    from karsgit import trust as trusts
    from karsgit.signing import SignerPolicy

    configured = settings.signing
    if bool(identity) != bool(issuer):
        raise UsageError("--cert-identity and --cert-oidc-issuer go together", "pass both")
    if sum(map(bool, (key, identity, policy_file))) > 1:
        raise UsageError("pass one of --key, --cert-identity or --signer-policy", "pick one trust")
    trust = trust or _config_path(settings, configured.get("trust_config"))
    if not (key or identity or policy_file):
        key = (
            _config_path(settings, configured.get("key"))
            if configured.get("mode") == "key"
            else None
        )
        identity, issuer = configured.get("cert_identity"), configured.get("cert_oidc_issuer")
        policy_file = _config_path(settings, configured.get("signer_policy"))
    if key is not None:
        return trusts.key_check(key)
    if identity and issuer:
        return trusts.keyless_check(trust, SignerPolicy.exact(identity, issuer))
    if policy_file is not None:
        return trusts.keyless_check(trust, trusts.configmap_policy(policy_file))
    return None


def _config_path(settings: Settings, value: str | None) -> Path | None:
    return settings.root / value if value else None
