"""Who may sign: (OIDC issuer, SAN pattern) pairs judged as the kars controller does.

Pure code over cryptography's X.509 objects, so it is testable without
sigstore. The rules follow kars ``controller/src/policy_fetcher.rs`` on
sigstore-rs: the issuer comes from OID 1.3.6.1.4.1.57264.1.1 only; the subject
is the certificate's first email or URI SAN; an ``http(s)://`` pattern must
equal a URI subject; any other pattern is an exact email, or after ``re:`` a
regex searched (unanchored, like Rust's ``Regex::is_match``) in an email
subject. Python's ``re`` stands in for Rust's ``regex``: constructs Rust
rejects are rejected here too (``karsgit.signing.rustregex``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from karsgit.errors import SigningError

# Fulcio's v1 OIDC issuer extension (raw bytes): the only one sigstore-rs reads
_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
# Fulcio's otherName SAN for identities that are neither emails nor URIs
_OTHERNAME_SAN = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.7")
_REGEX_PREFIX = "re:"
_POLICY_HINT = "write the signer policy as {'signers': [{'issuer': ..., 'san': ...}, ...]}"


@dataclass(frozen=True, slots=True)
class SignerIdentity:
    """The signer a certificate names."""

    issuer: str | None
    sans: tuple[str, ...]
    # the first email or URI SAN, as sigstore-rs takes it, and which of the two it is
    subject: str | None = None
    subject_is_email: bool = False

    def describe(self) -> str:
        sans = ", ".join(repr(s) for s in self.sans) or "no san"
        return f"{sans} from issuer {self.issuer!r}"


@dataclass(frozen=True, slots=True)
class AllowedSigner:
    """One issuer with one SAN pattern: a URL, an exact email, or ``re:`` regex."""

    issuer: str
    san: str

    def __post_init__(self) -> None:
        if not self.issuer or not self.san:
            raise SigningError("signer policy entry has an empty issuer or san", _POLICY_HINT)
        if self.san.startswith(_REGEX_PREFIX):
            problem = regex_problem(self.san[len(_REGEX_PREFIX) :])
            if problem:
                raise SigningError(
                    f"signer policy san pattern {self.san!r} is not a valid regex: {problem}",
                    "fix the regular expression after 're:'",
                )

    def matches(self, identity: SignerIdentity) -> bool:
        if identity.issuer != self.issuer or identity.subject is None:
            return False
        if is_url_pattern(self.san):
            return not identity.subject_is_email and identity.subject == self.san
        if not identity.subject_is_email:
            return False
        if self.san.startswith(_REGEX_PREFIX):
            return _compiled(self.san[len(_REGEX_PREFIX) :]).search(identity.subject) is not None
        return identity.subject == self.san


def is_url_pattern(pattern: str) -> bool:
    return pattern.startswith(("https://", "http://"))


def regex_problem(pattern: str) -> str | None:
    """Why Rust's ``regex`` (or, failing that, Python's ``re``) refuses ``pattern``."""
    from karsgit.signing.rustregex import rust_regex_problem

    problem = rust_regex_problem(pattern)
    if problem:
        return problem
    try:
        _compiled(pattern)
    except re.error as exc:
        return str(exc)
    return None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    from karsgit.signing.rustregex import python_pattern

    return re.compile(python_pattern(pattern))


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
    """The OIDC issuer, the SAN values and the subject a Fulcio certificate binds."""
    subject, is_email = _subject(cert)
    return SignerIdentity(
        issuer=_issuer(cert), sans=tuple(_sans(cert)), subject=subject, subject_is_email=is_email
    )


def _issuer(cert: x509.Certificate) -> str | None:
    # sigstore-rs never reads the v2 extension (.1.8), so neither may we: a
    # certificate whose .1.8 names a trusted issuer but .1.1 does not is refused.
    try:
        v1 = cert.extensions.get_extension_for_oid(_ISSUER_V1).value
        return _unrecognized_bytes(v1).decode()
    except (x509.ExtensionNotFound, UnicodeDecodeError, ValueError):
        return None


def _subject(cert: x509.Certificate) -> tuple[str | None, bool]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None, False
    for name in names:
        if isinstance(name, x509.RFC822Name):
            return name.value, True
        if isinstance(name, x509.UniformResourceIdentifier):
            return name.value, False
    return None, False


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
