"""``karsgit keygen`` and ``karsgit sign``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from karsgit.cli.common import config_option, settings_for
from karsgit.errors import KarsgitError, SigningError, UsageError
from karsgit.settings import Settings
from karsgit.signing.choice import signing_mode

if TYPE_CHECKING:
    from karsgit.bundle.plan import Target
    from karsgit.run.sign import IsCurrent, Progress, SignOutcome
    from karsgit.signing import Signer

PASSWORD_ENV = "COSIGN_PASSWORD"


def _password(confirm: bool) -> bytes:
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV].encode()
    if not sys.stdin.isatty():
        raise SigningError(
            f"no key password: {PASSWORD_ENV} is not set and there is no terminal to ask",
            f"set {PASSWORD_ENV} (an empty value means no password)",
        )
    text: str = click.prompt(
        "Key password",
        hide_input=True,
        confirmation_prompt=confirm,
        default="",
        show_default=False,
    )
    return text.encode()


@click.command()
@click.option(
    "--output-prefix",
    default="cosign",
    show_default=True,
    help="Write PREFIX.key (mode 0600) and PREFIX.pub.",
)
def keygen(output_prefix: str) -> int:
    """Write a cosign-compatible ECDSA P-256 key pair.

    The private key is encrypted with the password from COSIGN_PASSWORD, or one
    asked for twice on the terminal. Existing files are never overwritten.
    """
    from karsgit.edit.files import atomic_write
    from karsgit.edit.lock import repository_lock
    from karsgit.signing import generate_keypair

    private, public = Path(f"{output_prefix}.key"), Path(f"{output_prefix}.pub")
    _refuse_existing(private, public)
    private_pem, public_pem = generate_keypair(_password(confirm=True))
    try:
        private.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KarsgitError(f"cannot create {private.parent}: {error.strerror}", "") from error
    with repository_lock(private.parent):
        _refuse_existing(private, public)
        # exclusive: never replaces what appeared meanwhile, nor a dangling symlink
        atomic_write(private, private_pem, mode=0o600, exclusive=True)
        atomic_write(public, public_pem, mode=0o644, exclusive=True)
    click.echo(f"wrote {private} (keep it out of git) and {public}")
    return 0


def _refuse_existing(*paths: Path) -> None:
    for path in paths:
        if os.path.lexists(path):  # exists() says False for a dangling symlink
            raise KarsgitError(
                f"{path} already exists; refusing to overwrite it", "pick another --output-prefix"
            )


@click.command()
@click.option(
    "--key", "key", type=click.Path(dir_okay=False, path_type=Path), help="cosign.key to sign with."
)
@click.option("--keyless", is_flag=True, help="Sign with a Sigstore (Fulcio) certificate.")
@click.option(
    "--identity-token", help="OIDC token for --keyless (default: SIGSTORE_ID_TOKEN, then CI)."
)
@click.option(
    "--trust-config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sigstore client trust config (private instances, tests).",
)
@config_option
def sign(
    key: Path | None,
    keyless: bool,
    identity_token: str | None,
    trust_config: Path | None,
    config: Path | None,
) -> int:
    """Sign every committed bundle whose signature is missing or stale.

    --keyless writes allowlist.cosign.json beside each bundle: the cosign
    signature over the bundle's OCI manifest digest that the controller reads
    from the sha256-<hex>.sig tag. --key writes allowlist.yaml.sigstore.json and
    allowlist.yaml.sig over the YAML bytes, for offline checks only: the
    controller never accepts key signatures. Stops at the first failure (exit 3):
    bundles signed before it keep their new signatures, the rest are untouched.
    Exit 1, naming each, when a bundle that compile would write is left unsigned.
    """
    from karsgit.edit.lock import repository_lock
    from karsgit.edit.paths import sweep_tree
    from karsgit.run.sign import bundles_to_sign, refuse_private_keys
    from karsgit.run.sign_coverage import planned_targets

    settings = settings_for(config)
    with repository_lock(settings.root):
        refuse_private_keys(settings.root)
        mode, key, trust_config = signing_mode(settings, key, keyless, trust_config)
        planned = planned_targets(settings)
        paths = bundles_to_sign(settings)
        sweep_tree(settings.root, settings.bundle_dir)
        return _sign(settings, paths, planned, mode, key, identity_token, trust_config)


def _sign(
    settings: Settings,
    paths: list[str],
    planned: list[Target],
    mode: str,
    key: Path | None,
    identity_token: str | None,
    trust_config: Path | None,
) -> int:
    from karsgit.run.sign import sign_bundles

    expected = [target.rel for target in planned]
    if not paths:
        click.echo("no bundles to sign; run 'karsgit compile' first")
        return _unsigned(settings, expected, [])
    echo = (lambda rel: click.echo(f"signed {rel}")) if sys.stdout.isatty() else None
    if mode == "keyless":
        outcome = _sign_keyless(settings, paths, planned, identity_token, trust_config, echo)
    else:
        with open_signer(mode, key, identity_token, trust_config) as (signer, is_current):
            outcome = sign_bundles(settings.root, paths, signer, is_current, echo)
    if echo is None:
        for rel in outcome.signed:
            click.echo(f"signed {rel}")
    for rel in outcome.skipped:
        click.echo(f"not signed: {rel} (no sandbox names this bundle; see 'karsgit verify')")
    click.echo(f"{len(outcome.signed)} signed, {len(outcome.current)} already current")
    if mode == "key":
        from karsgit.signing.trust import KEY_NEVER_ACCEPTED

        click.echo(f"note: {KEY_NEVER_ACCEPTED}")
    return _unsigned(settings, expected, [*outcome.signed, *outcome.current])


def _unsigned(settings: Settings, expected: list[str], covered: list[str]) -> int:
    """Exit 1, naming each, when a bundle compile writes was left unsigned."""
    from karsgit.run.sign_coverage import left_unsigned

    missing = left_unsigned(settings, expected, covered)
    for rel, why in missing:
        click.echo(f"karsgit: {rel} left unsigned: {why}", err=True)
    if missing:
        click.echo(f"karsgit: {len(missing)} bundle(s) left unsigned", err=True)
    return 1 if missing else 0


def _sign_keyless(
    settings: Settings,
    paths: list[str],
    planned: list[Target],
    token: str | None,
    trust: Path | None,
    echo: Progress | None,
) -> SignOutcome:
    from karsgit.run.sign import image_targets, sign_images
    from karsgit.signing import KeylessSigner

    targets, orphans = image_targets(settings, planned, paths)
    with KeylessSigner(identity_token=token, trust_config=trust) as signer:
        outcome = sign_images(settings.root, targets, signer, echo)
    outcome.skipped = orphans
    return outcome


@contextlib.contextmanager
def open_signer(
    mode: str, key: Path | None, token: str | None, trust: Path | None
) -> Iterator[tuple[Signer, IsCurrent]]:
    from karsgit.run.sign import key_is_current

    if mode == "key":
        from karsgit.signing import KeySigner, load_private_key

        assert key is not None
        try:
            pem = key.read_bytes()
        except OSError as error:
            raise SigningError(
                f"cannot read key {key}: {error.strerror}", "check the --key path"
            ) from error
        private_key = load_private_key(pem, _password(confirm=False))
        yield KeySigner(private_key), key_is_current(private_key.public_key())
        return
    raise UsageError(f"signing mode {mode!r} has no yaml signer", "use --key")
