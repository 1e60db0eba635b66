"""``karsgit verify``: bundles, refs and signatures, as findings."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

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
from karsgit.findings import Finding
from karsgit.run.check import CheckResult, run_check
from karsgit.run.verify import CosignCheck, SignatureCheck, verify_repo
from karsgit.settings import Settings
from karsgit.signing.choice import Trust, trust_for

if TYPE_CHECKING:
    from karsgit.signing.offline import OfflineRoot

_PATH = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option("--key", "key", type=_PATH, help="cosign.pub: verify key-mode signatures.")
@click.option("--cert-identity", help="Exact certificate SAN of the keyless signer.")
@click.option("--cert-oidc-issuer", help="Exact OIDC issuer of the keyless signer.")
@click.option("--signer-policy", type=_PATH, help="The controller's signer-policy ConfigMap.")
@click.option("--trust-config", type=_PATH, help="Sigstore trusted root or client trust config.")
@click.option(
    "--offline",
    is_flag=True,
    help="Keyless without --trust-config: use the public-good root sigstore-python"
    " cached or embeds, without the network (the one used is named).",
)
@click.option(
    "--registry",
    "registry",
    is_flag=True,
    help="Also fetch each allowlistRef from its registry, as the controller does.",
)
@click.option("--plain-http", is_flag=True, help="With --registry: HTTP, not HTTPS (loopback).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="With --registry: seconds to wait for any one registry answer.",
)
@format_option
@color_option
@config_option
def verify(
    key: Path | None,
    cert_identity: str | None,
    cert_oidc_issuer: str | None,
    signer_policy: Path | None,
    trust_config: Path | None,
    offline: bool,
    registry: bool,
    plain_http: bool,
    timeout: float,
    formats: tuple[str, ...],
    color: str,
    config: Path | None,
) -> int:
    """Check committed bundles, allowlistRefs and signatures as the controller would.

    With --cert-identity/--cert-oidc-issuer or --signer-policy, each bundle's
    allowlist.cosign.json is verified as the controller verifies the .sig tag.
    --key checks key-mode signatures, which the controller never accepts.
    Without any trust, signatures are only checked for presence and target.
    """
    for spec in formats:
        parse_format(spec)  # a usage error before any work
    settings = settings_for(config)
    given = Trust(key, cert_identity, cert_oidc_issuer, signer_policy, trust_config)
    trust = trust_for(settings, given)
    check = _signature_check(trust, offline)
    if check is None and settings.signing.get("mode") != "none":
        click.echo("karsgit: note: signatures checked for presence only (no trust given)", err=True)
    if check is not None and not isinstance(check, CosignCheck):
        from karsgit.signing.trust import KEY_NEVER_ACCEPTED

        click.echo(f"karsgit: note: {KEY_NEVER_ACCEPTED}", err=True)
    result = run_check(settings, (), progress_meter(), render=True)
    findings = verify_repo(settings, result, check, rendered=True)
    findings += _policy_findings(settings, trust.policy_file)
    # the rendered check reported each rendered sandbox's drift at the line that caused it
    drift = [f for f in result.findings if f.rule_id == "inline-drift"]
    findings = sorted([*findings, *drift], key=lambda f: f.sort_key)
    if registry:
        findings = _with_registry(findings, settings, result, plain_http, timeout, given)
    emit_report(findings, result, formats, color, "verify", settings.fail_on, settings.root)
    return int(exit_code(findings, settings.fail_on))


def _signature_check(trust: Trust, offline: bool) -> SignatureCheck | CosignCheck | None:
    if not (trust.key or trust.keyless):
        return None  # presence only: no signing library needed
    from karsgit.signing import trust as trusts
    from karsgit.signing.choice import keyless_policy

    if trust.key is not None:
        return trusts.key_check(trust.key)
    root = _offline_root() if offline and not trust.trust_config else None
    return trusts.keyless_check(trust.trust_config, keyless_policy(trust), root)


def _offline_root() -> OfflineRoot:
    from karsgit.signing.offline import public_good_offline

    root = public_good_offline()
    click.echo(f"karsgit: note: offline: public-good trust root from {root.source}", err=True)
    return root


def _with_registry(
    findings: list[Finding],
    settings: Settings,
    result: CheckResult,
    plain_http: bool,
    timeout: float,
    given: Trust,
) -> list[Finding]:
    from karsgit.findings import sort_findings
    from karsgit.registry.fetch import verify_registry
    from karsgit.registry.trust import sig_check

    # the controller takes keyless signatures only: a configured key is no trust here
    trust = trust_for(settings, replace(given, key=None), key_mode=False)
    check = sig_check(trust) if trust.keyless else None
    fetched = verify_registry(settings, result, check, plain_http=plain_http, timeout=timeout)
    return sort_findings([*findings, *fetched])


def _policy_findings(settings: Settings, policy_file: Path | None) -> list[Finding]:
    """Lint the signer policy that is the trust of this run."""
    from karsgit.rules import engine
    from karsgit.rules.signerpolicy import policy_hits

    if policy_file is None:
        return []
    try:
        text = policy_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []  # when it is the trust, loading it already stopped the run (exit 3)
    shown = os.path.relpath(policy_file.resolve(), settings.root)
    if shown.startswith(".."):
        shown = str(policy_file)
    hits = [(shown, hit) for hit in policy_hits(shown, text)]
    return engine.finalize(hits, settings, {shown: text})
