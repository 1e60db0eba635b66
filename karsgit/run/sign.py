"""``sign``: sign the committed bundles whose signature is missing or no longer
verifies, one at a time, failing closed (docs/bundles.md).

A signature file is written only after its signing succeeded; a failure stops
the run with the earlier bundles signed and the later ones untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.bundle.canonical import parse_canonical
from karsgit.bundle.plan import SIG_SUFFIX, SIGSTORE_SUFFIX, committed_bundles, read_bytes
from karsgit.errors import FileTooLarge, SigningError
from karsgit.settings import Settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

    from karsgit.signing import Signer

# (bundle json, .sig bytes or None, artifact bytes) -> the signature is current
IsCurrent = Callable[[bytes, bytes | None, bytes], bool]
Progress = Callable[[str], None]


@dataclass
class SignOutcome:
    signed: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)


def refuse_private_keys(root: Path) -> None:
    from karsgit.rules.keys import private_key_paths

    found = private_key_paths(root)
    if found:
        raise SigningError(
            f"refusing to sign: private key file '{found[0]}' is tracked or staged in git "
            "(private-key-in-repo)",
            f"run 'git rm --cached {found[0]}' and keep the key outside the repository",
        )


def bundles_to_sign(settings: Settings) -> list[str]:
    """Every committed ``allowlist.yaml``; all must be canonical before any is signed."""
    paths = [p for p in committed_bundles(settings) if (settings.root / p).is_file()]
    for rel in paths:
        parsed = parse_canonical(read_bytes(settings.root / rel, settings.max_file_bytes) or b"")
        if isinstance(parsed, list):
            raise SigningError(
                f"refusing to sign: {rel}:{parsed[0].line}: {parsed[0].message}",
                "run 'karsgit compile' to rewrite the bundle, then sign",
            )
    return paths


def key_is_current(public_key: ec.EllipticCurvePublicKey) -> IsCurrent:
    from karsgit.signing import VerificationFailed, verify_key_bundle, verify_key_signature

    def check(bundle_json: bytes, sig: bytes | None, data: bytes) -> bool:
        try:
            verify_key_bundle(bundle_json, data, public_key)
            if sig is None:
                return False
            verify_key_signature(sig, data, public_key)
        except VerificationFailed:
            return False
        return True

    return check


def keyless_is_current(trust: Path | None) -> IsCurrent:
    """Sound for the current bytes under the trusted root, whoever signed: keyless
    signatures are not reproducible, so re-signing a sound one is churn."""
    from karsgit.signing import (
        KeylessVerifier,
        SignerMismatch,
        SignerPolicy,
        VerificationFailed,
    )

    verifier: list[KeylessVerifier] = []
    probe = SignerPolicy.exact("karsgit-sign-probe", "karsgit-sign-probe")

    def check(bundle_json: bytes, sig: bytes | None, data: bytes) -> bool:
        if not verifier:
            verifier.append(KeylessVerifier(trust))
        try:
            verifier[0].verify(bundle_json, data, probe)
        except SignerMismatch:
            return True  # a sound signature; only the probe identity did not match
        except VerificationFailed:
            return False
        return True

    return check


def sign_bundles(
    root: Path,
    paths: Sequence[str],
    signer: Signer,
    is_current: IsCurrent,
    progress: Progress | None = None,
) -> SignOutcome:
    from karsgit.edit.files import atomic_write

    outcome = SignOutcome()
    for index, rel in enumerate(paths):
        data = read_bytes(root / rel) or b""
        if _current(root / rel, data, is_current):
            outcome.current.append(rel)
            continue
        try:
            signed = signer.sign(data)
        except SigningError as error:
            raise _stopped(rel, error, len(outcome.signed), len(paths) - index - 1) from error
        atomic_write(root / (rel + SIGSTORE_SUFFIX), signed.bundle_json)
        if signed.signature is not None:
            atomic_write(root / (rel + SIG_SUFFIX), signed.signature)
        outcome.signed.append(rel)
        if progress is not None:
            progress(rel)
    return outcome


def _current(path: Path, data: bytes, is_current: IsCurrent) -> bool:
    try:
        bundle_json = read_bytes(Path(str(path) + SIGSTORE_SUFFIX))
        sig = read_bytes(Path(str(path) + SIG_SUFFIX))
    except FileTooLarge:
        return False  # not a signature anyone made: sign again, replacing it
    if bundle_json is None:
        return False
    return is_current(bundle_json, sig, data)


def _stopped(rel: str, error: SigningError, done: int, left: int) -> SigningError:
    return SigningError(
        f"signing {rel} failed: {error.message}; {done} bundle(s) signed in this run "
        f"were kept, {left} later bundle(s) left untouched",
        error.hint or "fix the cause and re-run 'karsgit sign'; signed bundles are skipped",
    )
