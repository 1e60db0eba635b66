"""What a signing backend returns, and the Protocol every backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SignedArtifact:
    """What a signer produced for one artifact; the artifact writer stores it.

    ``bundle_json`` goes to ``<artifact>.sigstore.json``; ``signature`` (key mode
    only) is the base64 DER signature for ``<artifact>.sig``, as cosign writes it.
    """

    bundle_json: bytes
    signature: bytes | None = None


class Signer(Protocol):
    """Anything that turns artifact bytes into a Sigstore bundle."""

    def sign(self, data: bytes) -> SignedArtifact: ...
