"""Verification outcomes that are facts about a bundle, not failures to run.

Loading keys, reaching Fulcio or reading a trust config can fail; those are
``karsgit.errors.SigningError`` (exit 3). A bundle that does not verify is a
finding about the user's repo, so it gets its own small hierarchy that the
caller turns into a finding with the rule id carried here.
"""

from __future__ import annotations

from typing import ClassVar

from karsgit.errors import Diagnosed


class VerificationFailed(Diagnosed):
    """A bundle did not verify; ``rule_id`` names the finding to report."""

    rule_id: ClassVar[str] = "signature-invalid"


class SignatureInvalid(VerificationFailed):
    """The bytes, the signature, the certificate chain or the log entry are wrong."""

    rule_id: ClassVar[str] = "signature-invalid"


class MalformedBundle(SignatureInvalid):
    """The bundle file cannot be read as a Sigstore bundle v0.3 at all."""


class SignerMismatch(VerificationFailed):
    """The signature is sound, but whoever made it is not an allowed signer."""

    rule_id: ClassVar[str] = "signer-mismatch"
