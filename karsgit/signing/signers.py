"""Who may sign: (OIDC issuer, SAN) pairs read from a Fulcio certificate.

Pure code over cryptography's X.509 objects, so it is testable without
sigstore; ``karsgit.signing.keyless`` adapts it to sigstore's
``VerificationPolicy``. The kars controller compares issuer and SAN exactly;
a ``re:`` SAN pattern (a full-match regex) is a karsgit convenience for
policies that admit, say, every workflow of one repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from karsgit.errors import SigningError

# Fulcio's OIDC issuer extensions: v1 holds raw bytes, v2 a DER UTF8String
_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
_ISSUER_V2 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
# Fulcio's otherName SAN for identities that are neither emails nor URIs
_OTHERNAME_SAN = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.7")
_REGEX_PREFIX = "re:"
_POLICY_HINT = "write the signer policy as {'signers': [{'issuer': ..., 'san': ...}, ...]}"


@dataclass(frozen=True, slots=True)
class SignerIdentity:
    """The signer a certificate names."""

    issuer: str | None
    sans: tuple[str, ...]

    def describe(self) -> str:
        sans = ", ".join(repr(s) for s in self.sans) or "no san"
        return f"{sans} from issuer {self.issuer!r}"


@dataclass(frozen=True, slots=True)
class AllowedSigner:
    """One issuer with one SAN: exact, or a full-match regex after ``re:``."""

    issuer: str
    san: str

    def __post_init__(self) -> None:
        if not self.issuer or not self.san:
            raise SigningError("signer policy entry has an empty issuer or san", _POLICY_HINT)
        if self.san.startswith(_REGEX_PREFIX):
            try:
                re.compile(self.san[len(_REGEX_PREFIX) :])
            except re.error as exc:
                raise SigningError(
                    f"signer policy san pattern {self.san!r} is not a valid regex: {exc}",
                    "fix the regular expression after 're:'",
                ) from exc

    def matches(self, identity: SignerIdentity) -> bool:
        return identity.issuer == self.issuer and any(self._san_matches(s) for s in identity.sans)

    def _san_matches(self, san: str) -> bool:
        if self.san.startswith(_REGEX_PREFIX):
            return re.fullmatch(self.san[len(_REGEX_PREFIX) :], san) is not None
        return san == self.san


@dataclass(frozen=True, slots=True)
class SignerPolicy:
    """Any allowed (issuer, SAN) pair admits the signer."""

    signers: tuple[AllowedSigner, ...]

    def __post_init__(self) -> None:
        if not self.signers:
            raise SigningError("signer policy allows no signer", _POLICY_HINT)

    @classmethod
    def exact(cls, identity: str, issuer: str) -> SignerPolicy:
        """--cert-identity / --cert-oidc-issuer: one exact pair, as the controller checks."""
        if identity.startswith(_REGEX_PREFIX):
            raise SigningError(
                f"certificate identity {identity!r} looks like a pattern",
                "use --signer-policy for 're:' patterns",
            )
        return cls((AllowedSigner(issuer=issuer, san=identity),))

    @classmethod
    def from_mapping(cls, doc: Any) -> SignerPolicy:
        """Build from parsed YAML/JSON: ``{"signers": [{"issuer": I, "san": S}, ...]}``."""
        entries = doc.get("signers") if isinstance(doc, Mapping) else None
        if not isinstance(entries, list):
            raise SigningError("signer policy has no 'signers' list", _POLICY_HINT)
        return cls(tuple(_entry(e) for e in entries))

    def allows(self, identity: SignerIdentity) -> bool:
        return any(signer.matches(identity) for signer in self.signers)


def _entry(entry: Any) -> AllowedSigner:
    if not isinstance(entry, Mapping):
        raise SigningError("signer policy entry is not a mapping", _POLICY_HINT)
    issuer, san = entry.get("issuer"), entry.get("san")
    if not isinstance(issuer, str) or not isinstance(san, str):
        raise SigningError("signer policy entry needs string 'issuer' and 'san'", _POLICY_HINT)
    return AllowedSigner(issuer=issuer, san=san)


def identity_from_certificate(cert: x509.Certificate) -> SignerIdentity:
    """The OIDC issuer and the SAN values a Fulcio certificate binds."""
    return SignerIdentity(issuer=_issuer(cert), sans=tuple(_sans(cert)))


def _issuer(cert: x509.Certificate) -> str | None:
    try:
        v2 = cert.extensions.get_extension_for_oid(_ISSUER_V2).value
        return _der_utf8(_unrecognized_bytes(v2))
    except (x509.ExtensionNotFound, ValueError):
        pass
    try:
        v1 = cert.extensions.get_extension_for_oid(_ISSUER_V1).value
        return _unrecognized_bytes(v1).decode()
    except (x509.ExtensionNotFound, UnicodeDecodeError):
        return None


def _sans(cert: x509.Certificate) -> Iterable[str]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    found = [*names.get_values_for_type(x509.UniformResourceIdentifier)]
    found += names.get_values_for_type(x509.RFC822Name)
    for other in names.get_values_for_type(x509.OtherName):
        if other.type_id == _OTHERNAME_SAN:
            try:
                found.append(_der_utf8(other.value))
            except ValueError:
                continue
    return found


def _unrecognized_bytes(ext: x509.ExtensionType) -> bytes:
    if not isinstance(ext, x509.UnrecognizedExtension):
        raise ValueError("unexpected extension type")
    return ext.value


def _der_utf8(der: bytes) -> str:
    """Decode a short DER UTF8String (tag 0x0c), as Fulcio's v2 extensions hold."""
    if len(der) < 2 or der[0] != 0x0C:
        raise ValueError("not a DER UTF8String")
    length, start = der[1], 2
    if length & 0x80:
        size = length & 0x7F
        length, start = int.from_bytes(der[2 : 2 + size], "big"), 2 + size
    if start + length != len(der):
        raise ValueError("DER UTF8String length mismatch")
    return der[start:].decode()
