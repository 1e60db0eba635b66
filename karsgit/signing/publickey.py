"""Which public key verifies key-mode signatures, from the ``signing`` config.

``signing.key`` names the private key that ``sign`` reads; ``verify`` must never
read it (issue 10, item 19: it did, as a public key, and failed), and in CI it
is not there at all. ``signing.public_key`` names the public key; without it,
the ``.pub`` beside a ``.key`` (the pair ``karsgit keygen`` and cosign write)
is used when it exists.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from karsgit.errors import ConfigError
from karsgit.settings import Settings


def configured_public_key(settings: Settings) -> Path:
    signing = settings.signing
    named = signing.get("public_key")
    if named:
        return settings.root / named
    private = signing.get("key")
    if private and PurePosixPath(private).suffix == ".key":
        beside = PurePosixPath(private).with_suffix(".pub")
        if (settings.root / beside).is_file():
            return settings.root / beside
        suggestion = str(beside)
    else:
        suggestion = "cosign.pub"
    raise ConfigError(
        "signing.mode is key but no public key to verify with: signing.public_key is "
        f"not set{f' and {suggestion} does not exist' if private else ''}",
        f"set signing.public_key: {suggestion} in .karsgit.yaml (verify never reads "
        "the private key), or pass --key cosign.pub",
    )
