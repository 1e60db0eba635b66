"""A local stand-in for Fulcio, a CT log and Rekor v1, for offline keyless tests.

Real Sigstore needs the internet; everything else in the keyless path is real:
sigstore-python's signer talks HTTP to this server through a client trust
config, and sigstore-python's and sigstore-js's verifiers check the result
against the trusted root written here. Keys are fresh per instance and the
server only listens on 127.0.0.1.

Two traps this encodes (found the hard way):
- the embedded SCT signs the certificate's TBS *without* the SCT extension, so
  the certificate is built twice with the same serial and validity;
- sigstore-js accepts a checkpoint only if its signer name appears in the tlog
  ``baseUrl`` of the trusted root, so the log is named after that host even
  though the signing config points at 127.0.0.1.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

OID_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
OID_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OID_SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
UTC = dt.UTC
DEFAULT_ISSUER = "https://oidc.fake.test"
DEFAULT_IDENTITY = "ci@example.test"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _b64url(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _spki_der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _keyid(key: ec.EllipticCurvePublicKey) -> bytes:
    """RFC 6962 log id: sha256 of the DER SubjectPublicKeyInfo."""
    return hashlib.sha256(_spki_der(key)).digest()


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der_octets(raw: bytes) -> bytes:
    return b"\x04" + _der_len(len(raw)) + raw


def _der_utf8(text: str) -> bytes:
    raw = text.encode()
    return b"\x0c" + _der_len(len(raw)) + raw


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeSigstore:
    """Fulcio CA + CT log + Rekor v1 on 127.0.0.1; use as a context manager."""

    log_name = "rekor.fake.test"

    def __init__(self, oidc_issuer: str = DEFAULT_ISSUER) -> None:
        self.oidc_issuer = oidc_issuer
        now = dt.datetime.now(UTC)
        self.not_before = now - dt.timedelta(days=1)
        self.root_key = ec.generate_private_key(ec.SECP384R1())
        self.root_cert = self._make_root(now)
        self.ct_key = ec.generate_private_key(ec.SECP256R1())
        self.rekor_key = ec.generate_private_key(ec.SECP256R1())
        self.rekor_log_id = _keyid(self.rekor_key.public_key())
        self.tree_id = int.from_bytes(os.urandom(6), "big")
        self.log_index = 0
        self.entries: dict[int, dict[str, Any]] = {}
        self.certificates_issued = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def _make_root(self, now: dt.datetime) -> x509.Certificate:
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fake-sigstore.test"),
                x509.NameAttribute(NameOID.COMMON_NAME, "fake-fulcio-root"),
            ]
        )
        public = self.root_key.public_key()
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.not_before)
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.root_key, hashes.SHA384())
        )

    # ------------------------------------------------------------ Fulcio + CT
    def _sct_list(self, tbs_precert: bytes, ts_ms: int) -> bytes:
        issuer_key_hash = _keyid(self.root_key.public_key())
        signed = struct.pack("!BBQH", 0, 0, ts_ms, 1) + issuer_key_hash
        signed += len(tbs_precert).to_bytes(3, "big") + tbs_precert + struct.pack("!H", 0)
        sig = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            struct.pack("!B", 0)
            + _keyid(self.ct_key.public_key())
            + struct.pack("!Q", ts_ms)
            + struct.pack("!H", 0)
            + struct.pack("!BBH", 4, 3, len(sig))
            + sig
        )
        item = struct.pack("!H", len(sct)) + sct
        return struct.pack("!H", len(item)) + item

    def issue_cert(
        self,
        public_key: ec.EllipticCurvePublicKey,
        identity: str,
        issuer: str,
        issuer_v2: str | None = None,
    ) -> x509.Certificate:
        """A Fulcio-shaped leaf for ``identity`` with an embedded SCT.

        ``issuer_v2`` puts another value in the v2 issuer extension (.1.8) than in
        the v1 one (.1.1), as a forged or buggy issuer could."""
        now = dt.datetime.now(UTC).replace(microsecond=0)
        serial = x509.random_serial_number()
        san: x509.GeneralName = (
            x509.UniformResourceIdentifier(identity)
            if "://" in identity
            else x509.RFC822Name(identity)
        )
        root_public = self.root_key.public_key()
        usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)

        def build(sct_value: bytes) -> x509.Certificate:
            return (
                x509.CertificateBuilder()
                .subject_name(x509.Name([]))
                .issuer_name(self.root_cert.subject)
                .public_key(public_key)
                .serial_number(serial)
                .not_valid_before(now - dt.timedelta(seconds=5))
                .not_valid_after(now + dt.timedelta(minutes=10))
                .add_extension(usage, critical=True)
                .add_extension(
                    x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
                )
                .add_extension(
                    x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
                )
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(root_public), critical=False
                )
                .add_extension(x509.SubjectAlternativeName([san]), critical=True)
                .add_extension(x509.UnrecognizedExtension(OID_ISSUER_V1, issuer.encode()), False)
                .add_extension(
                    x509.UnrecognizedExtension(OID_ISSUER_V2, _der_utf8(issuer_v2 or issuer)),
                    False,
                )
                .add_extension(
                    x509.UnrecognizedExtension(OID_SCT_LIST, _der_octets(sct_value)), False
                )
                .sign(self.root_key, hashes.SHA384())
            )

        # the precert TBS excludes the SCT extension: learn it with a placeholder
        tbs = build(self._sct_list(b"\x00", 0)).tbs_precertificate_bytes
        cert = build(self._sct_list(tbs, int(time.time() * 1000)))
        assert cert.tbs_precertificate_bytes == tbs
        with self._lock:
            self.certificates_issued += 1
        return cert

    # ------------------------------------------------------------------ Rekor
    def rekor_entry(self, proposed: dict[str, Any]) -> dict[str, Any]:
        """Log a hashedrekord proposal in a fresh single-leaf tree."""
        body = rfc8785.dumps(proposed)
        with self._lock:
            idx = self.log_index
            self.log_index += 1
        integrated = int(time.time())
        leaf = hashlib.sha256(b"\x00" + body).digest()  # single-leaf tree: root == leaf
        note = f"{self.log_name} - {self.tree_id}\n1\n{_b64(leaf)}\n"
        note_sig = self.rekor_key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        signer_line = f"\u2014 {self.log_name} {_b64(self.rekor_log_id[:4] + note_sig)}\n"
        entry = {
            "body": _b64(body),
            "integratedTime": integrated,
            "logID": self.rekor_log_id.hex(),
            "logIndex": idx,
        }
        set_sig = self.rekor_key.sign(rfc8785.dumps(entry), ec.ECDSA(hashes.SHA256()))
        proof = {
            "logIndex": 0,
            "treeSize": 1,
            "rootHash": leaf.hex(),
            "hashes": [],
            "checkpoint": note + "\n" + signer_line,
        }
        entry["verification"] = {"signedEntryTimestamp": _b64(set_sig), "inclusionProof": proof}
        response = {hashlib.sha256(body).hexdigest(): entry}
        with self._lock:
            self.entries[idx] = response
        return response

    # ----------------------------------------------------------- trust files
    def trusted_root(self) -> dict[str, Any]:
        start = _iso(self.not_before)

        def public_key(key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
            return {
                "rawBytes": _b64(_spki_der(key.public_key())),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": start},
            }

        root_der = self.root_cert.public_bytes(serialization.Encoding.DER)
        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                {
                    "baseUrl": f"https://{self.log_name}",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": public_key(self.rekor_key),
                    "logId": {"keyId": _b64(self.rekor_log_id)},
                }
            ],
            "certificateAuthorities": [
                {
                    "subject": {
                        "organization": "fake-sigstore.test",
                        "commonName": "fake-fulcio-root",
                    },
                    "uri": self.url,
                    "certChain": {"certificates": [{"rawBytes": _b64(root_der)}]},
                    "validFor": {"start": start},
                }
            ],
            "ctlogs": [
                {
                    "baseUrl": self.url + "/ct",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": public_key(self.ct_key),
                    "logId": {"keyId": _b64(_keyid(self.ct_key.public_key()))},
                }
            ],
            "timestampAuthorities": [],
        }

    def signing_config(self) -> dict[str, Any]:
        start = _iso(self.not_before)

        def service(url: str) -> list[dict[str, Any]]:
            return [
                {"url": url, "majorApiVersion": 1, "validFor": {"start": start}, "operator": "fake"}
            ]

        return {
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": service(self.url),
            "oidcUrls": service(self.oidc_issuer),
            "rekorTlogUrls": service(self.url),
            "tsaUrls": [],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaConfig": {"selector": "ANY"},
        }

    def client_trust_config(self) -> dict[str, Any]:
        return {
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root(),
            "signingConfig": self.signing_config(),
        }

    def write_trust_files(self, directory: Path) -> tuple[Path, Path]:
        """Write (client trust config, trusted root) JSON files into ``directory``."""
        config = directory / "trust-config.json"
        root = directory / "trusted-root.json"
        config.write_text(json.dumps(self.client_trust_config(), indent=2))
        root.write_text(json.dumps(self.trusted_root(), indent=2))
        return config, root

    def identity_token(
        self, sub: str = DEFAULT_IDENTITY, issuer: str | None = None, lifetime: int = 300
    ) -> str:
        """An unsigned but well-formed JWT: clients never check it, Fulcio would."""
        now = int(time.time())
        claims = {
            "iss": issuer or self.oidc_issuer,
            "sub": sub,
            "aud": "sigstore",
            "iat": now,
            "exp": now + lifetime,
        }
        return f"{_b64url({'alg': 'none', 'typ': 'JWT'})}.{_b64url(claims)}.sig"

    # ------------------------------------------------------------------ HTTP
    def __enter__(self) -> FakeSigstore:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()


def _handler(fake: FakeSigstore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

        def _json(self, code: int, obj: object) -> None:
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            # Rekor v1's lookup by index, as an online verifier fetches the proof
            prefix = "/api/v1/log/entries?logIndex="
            if self.path.startswith(prefix) and self.path[len(prefix) :].isdigit():
                entry = fake.entries.get(int(self.path[len(prefix) :]))
                if entry is not None:
                    self._json(200, entry)
                    return
            self._json(404, {"message": "not found"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/api/v2/signingCert":
                self._json(*self._signing_cert(body))
            elif self.path == "/api/v1/log/entries":
                self._json(201, fake.rekor_entry(body))
            else:
                self._json(404, {"message": "not found"})

        def _signing_cert(self, body: dict[str, Any]) -> tuple[int, object]:
            token = self.headers["Authorization"].split()[1]
            claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
            csr = x509.load_pem_x509_csr(base64.b64decode(body["certificateSigningRequest"]))
            public = csr.public_key()
            if not csr.is_signature_valid or not isinstance(public, ec.EllipticCurvePublicKey):
                return 400, {"message": "bad CSR"}
            cert = fake.issue_cert(public, claims.get("email") or claims["sub"], claims["iss"])
            pems = [
                c.public_bytes(serialization.Encoding.PEM).decode() for c in (cert, fake.root_cert)
            ]
            return 201, {"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}}

    return Handler
