"""private-key-in-repo: the whole index without paths, staged changes on the hook path."""

from __future__ import annotations

from tests.support.repos import Repo, sandbox

LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY"
KEY = f"-----BEGIN {LABEL}-----\nabc\n-----END {LABEL}-----\n"


def keys_reported(out: str) -> list[str]:
    return sorted(
        line.split(":")[0] for line in out.splitlines() if "(private-key-in-repo)" in line
    )


def test_scope_of_the_private_key_scan(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", sandbox())
    repo.write("old/cosign.key", KEY)
    repo.commit("a key slipped in long ago")
    repo.write("new/signing.pem", KEY)
    repo.git("add", "new/signing.pem")
    repo.write("loose/untracked.key", KEY)  # neither tracked nor staged
    full = karsgit("check", "-f", "parsable")
    assert full.code == 1
    assert keys_reported(full.out) == ["new/signing.pem", "old/cosign.key"]
    hook = karsgit("check", "-f", "parsable", "sb.yaml")
    assert hook.code == 1
    assert keys_reported(hook.out) == ["new/signing.pem"]


def _der_cases() -> list[tuple[str, bytes, bool]]:
    """Keys and non-keys in every DER shape, made by cryptography (an independent writer)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    der, pkcs8, trad, none = (
        s.Encoding.DER,
        s.PrivateFormat.PKCS8,
        s.PrivateFormat.TraditionalOpenSSL,
        s.NoEncryption(),
    )
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "x")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ec_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ec_key, hashes.SHA256())
    )
    encrypted = s.BestAvailableEncryption(b"pw")
    return [
        ("ec pkcs8", ec_key.private_bytes(der, pkcs8, none), True),
        ("ec sec1", ec_key.private_bytes(der, trad, none), True),
        ("ec pkcs8 encrypted", ec_key.private_bytes(der, pkcs8, encrypted), True),
        ("rsa pkcs1", rsa_key.private_bytes(der, trad, none), True),
        (
            "ed25519 pkcs8",
            ed25519.Ed25519PrivateKey.generate().private_bytes(der, pkcs8, none),
            True,
        ),
        (
            "ec public key",
            ec_key.public_key().public_bytes(der, s.PublicFormat.SubjectPublicKeyInfo),
            False,
        ),
        ("rsa public key", rsa_key.public_key().public_bytes(der, s.PublicFormat.PKCS1), False),
        ("certificate", cert.public_bytes(der), False),
        ("truncated", ec_key.private_bytes(der, pkcs8, none)[:-5], False),
        ("not asn.1", b"\x30\x03abc", False),
    ]


def test_der_private_keys_are_told_from_public_keys_and_certificates() -> None:
    from karsgit.rules.keys import is_der_private_key

    wrong = [label for label, data, key in _der_cases() if is_der_private_key(data) is not key]
    assert wrong == []
