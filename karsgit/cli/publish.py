"""``karsgit publish``: compiled bundles and their signatures to the OCI registry."""

from __future__ import annotations

from pathlib import Path

import click

from karsgit.cli.common import config_option, settings_for
from karsgit.errors import ExitCode, UsageError
from karsgit.registry.client import DEFAULT_TIMEOUT
from karsgit.registry.publish import DEFAULT_TAG, DEFAULT_WORKERS, Pushed, Refusal, SigCheck
from karsgit.run.check import run_check
from karsgit.settings import Settings

_PATH = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Ask the registry, send nothing; list what would go.")
@click.option(
    "--bytes-only",
    is_flag=True,
    help="Only the bundle bytes (blobs, manifest, tag): no signature (pull-request CI).",
)
@click.option("--plain-http", is_flag=True, help="Talk HTTP, not HTTPS (loopback registries).")
@click.option("--tag", default=DEFAULT_TAG, show_default=True, help="Tag each bundle also gets.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT,
              show_default=True, help="Seconds to wait for any one registry answer.")  # fmt: skip
@click.option("-j", "--jobs", type=click.IntRange(min=1, max=256), default=DEFAULT_WORKERS,
              show_default=True, help="Bundles in flight at once.")  # fmt: skip
@click.option("--cert-identity", help="Exact certificate SAN of the keyless signer.")
@click.option("--cert-oidc-issuer", help="Exact OIDC issuer of the keyless signer.")
@click.option("--signer-policy", type=_PATH, help="The controller's signer-policy ConfigMap.")
@click.option("--trust-config", type=_PATH, help="Sigstore trusted root or client trust config.")
@config_option
def publish(
    paths: tuple[Path, ...],
    dry_run: bool,
    bytes_only: bool,
    plain_http: bool,
    tag: str,
    timeout: float,
    jobs: int,
    cert_identity: str | None,
    cert_oidc_issuer: str | None,
    signer_policy: Path | None,
    trust_config: Path | None,
    config: Path | None,
) -> int:
    """Upload each compiled bundle and its keyless signature to the registry.

    For every Strict sandbox (under PATHS, default all): the config blob, the
    bundle layer, the manifest bytes whose digest is allowlistRef.digest, the
    tag, then the committed allowlist.cosign.json as the sha256-<hex>.sig tag.
    What the registry already has is not sent again. Refuses (sends nothing,
    exit 1) while any chosen bundle is stale, unsigned, or signed by a signer
    the policy does not allow. --bytes-only sends the bundles without their
    signatures (the controller accepts none of them until the signature follows).
    Credentials come from the docker config ($DOCKER_CONFIG/config.json,
    credential helpers) or a Bearer challenge.
    """
    from karsgit.registry import publish as flow

    settings = settings_for(config)
    check: SigCheck | None = None
    if not bytes_only:
        check = _signature_check(settings, cert_identity, cert_oidc_issuer, signer_policy,
                                 trust_config)  # fmt: skip
    result = run_check(settings, (), None, render=True)
    bundles, refusals = flow.prepare(settings, result, paths, signed=not bytes_only)
    if refusals:
        return _refused(refusals)
    verb = "would send" if dry_run else "sent"

    def report(pushed: Pushed) -> None:
        if pushed.sent:
            where = pushed.bundle.reference
            click.echo(f"{pushed.bundle.sandbox}: {verb} {', '.join(pushed.sent)} to {where}")

    try:
        done = flow.push(bundles, check=check, plain_http=plain_http, timeout=timeout,
                         workers=jobs, tag=tag, dry_run=dry_run, on_done=report)  # fmt: skip
    except flow.Refused as refused:
        return _refused(refused.refusals)
    changed = sum(1 for pushed in done if pushed.sent)
    state = "would change" if dry_run else "published"
    click.echo(f"{state} {changed} of {len(done)} bundle(s); {len(done) - changed} up to date")
    for where in flow.crowded(bundles):
        click.echo(f"karsgit: note: tag {tag} left as it was in {where}: bundles of different "
                   "content go there (roots that render one sandbox name); they are read by "
                   "digest", err=True)  # fmt: skip
    return int(ExitCode.OK)


def _refused(refusals: list[Refusal]) -> int:
    for refusal in refusals:
        click.echo(refusal.describe(), err=True)
        click.echo(f"  hint: {refusal.hint}", err=True)
    click.echo(f"karsgit: publish refused: {len(refusals)} problem(s) above", err=True)
    return int(ExitCode.FINDINGS)


def _signature_check(
    settings: Settings,
    identity: str | None,
    issuer: str | None,
    policy_file: Path | None,
    trust_config: Path | None,
) -> SigCheck:
    """The signer policy every signature must pass; publish has no unverified mode."""
    from karsgit.registry.trust import sig_check
    from karsgit.signing.choice import NO_POLICY_HINT, Trust, trust_for

    given = Trust(None, identity, issuer, policy_file, trust_config)
    trust = trust_for(settings, given, key_mode=False)
    if not trust.keyless:
        raise UsageError("publish needs the signer policy the controller applies", NO_POLICY_HINT)
    return sig_check(trust)
