"""A real OCI registry for tests: Debian's ``docker-registry`` (distribution 2.8)
on a free 127.0.0.1 port, with its own config and storage in a temporary
directory; plain, with htpasswd basic auth, or over TLS with a CA made here.

A missing binary fails the test (``.ci/run`` installs the package).
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

BINARY = "docker-registry"
USER = "publisher"
PASSWORD = "s3cret-publisher"
_START_SECONDS = 20.0


@dataclass
class LocalRegistry:
    host: str  # 127.0.0.1:<port>
    root: Path
    process: subprocess.Popen[bytes]
    ca_file: Path | None = None
    basic_auth: bool = False

    @property
    def scheme(self) -> str:
        return "https" if self.ca_file else "http"

    storage: Path | None = None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.storage is not None:
            shutil.rmtree(self.storage, ignore_errors=True)

    @property
    def blobs(self) -> Path:
        """The registry's own storage tree (what it has written)."""
        return (self.storage or self.root / "storage") / "docker/registry/v2"

    def log(self) -> str:
        return (self.root / "registry.log").read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_registry(
    root: Path,
    *,
    basic_auth: bool = False,
    tls: bool = False,
    memory_disk: bool = True,
    port: int | None = None,
) -> LocalRegistry:
    """Start one registry; its blob storage goes to tmpfs (/dev/shm) when there is
    one and ``memory_disk``: the registry's small writes cost 30-40 ms each on a
    busy disk, which would time the disk, not karsgit."""
    binary = shutil.which(BINARY) or (
        f"/usr/bin/{BINARY}" if Path(f"/usr/bin/{BINARY}").exists() else None
    )
    if binary is None:
        raise AssertionError(
            f"{BINARY} is not installed: apt-get install -y docker-registry (see .ci/run)"
        )
    root.mkdir(parents=True, exist_ok=True)
    shm = Path("/dev/shm")
    storage = (
        Path(tempfile.mkdtemp(prefix="karsgit-registry-", dir=shm))
        if memory_disk and shm.is_dir()
        else None
    )
    port = port or free_port()
    http: dict[str, object] = {"addr": f"127.0.0.1:{port}", "secret": "karsgit-test"}
    config: dict[str, object] = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(storage or root / "storage")}},
        "http": http,
    }
    ca_file = None
    if tls:
        ca_file, cert, key = _certificates(root)
        http["tls"] = {"certificate": str(cert), "key": str(key)}
    if basic_auth:
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
        (root / "htpasswd").write_text(f"{USER}:{hashed}\n")
        config["auth"] = {"htpasswd": {"realm": "karsgit-test", "path": str(root / "htpasswd")}}
    (root / "config.yml").write_text(yaml.safe_dump(config))
    with open(root / "registry.log", "wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [binary, "serve", str(root / "config.yml")], stdout=log, stderr=subprocess.STDOUT
        )
    registry = LocalRegistry(f"127.0.0.1:{port}", root, process, ca_file, basic_auth, storage)
    _wait_ready(registry)
    return registry


def _wait_ready(registry: LocalRegistry) -> None:
    context = ssl.create_default_context(cafile=str(registry.ca_file)) if registry.ca_file else None
    deadline = time.monotonic() + _START_SECONDS
    url = f"{registry.scheme}://{registry.host}/v2/"
    while time.monotonic() < deadline:
        if registry.process.poll() is not None:
            raise AssertionError(f"{BINARY} exited: {registry.log()}")
        try:
            with urllib.request.urlopen(url, timeout=1, context=context):
                return
        except urllib.error.HTTPError as answer:
            if answer.code == 401:
                return
        except OSError:
            pass
        time.sleep(0.05)
    registry.stop()
    raise AssertionError(f"{BINARY} did not start within {_START_SECONDS} s: {registry.log()}")


def _certificates(root: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 and localhost."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "karsgit test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = root / "ca.pem", root / "server.pem", root / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file
