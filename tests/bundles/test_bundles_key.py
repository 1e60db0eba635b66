"""keygen, sign --key and verify --key, checked by openssl and sigstore-js; every
verify finding; fail-closed signing; private-key-in-repo."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from karsgit.errors import SigningError
from tests.support.bundles import PASSWORD, bundle_path, manifest


def _rules(out: str) -> list[str]:
    return sorted(line.rsplit("(", 1)[1].rstrip(")") for line in out.splitlines() if line)


@pytest.fixture
def signed(repo, karsgit, keypair):
    """One compiled and key-signed sandbox."""
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    result = karsgit("sign", "--key", str(keypair.private))
    assert result.code == 0, result.err
    return repo


def test_keygen_writes_a_private_key_0600_and_refuses_to_overwrite(tmp_path, karsgit, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = karsgit("keygen")
    assert result.code == 0, result.err
    key = tmp_path / "cosign.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
    assert (tmp_path / "cosign.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    before = key.read_bytes()
    again = karsgit("keygen")
    assert again.code == 3 and "refusing to overwrite" in again.err
    assert key.read_bytes() == before
    assert karsgit("keygen", "--output-prefix", "other").code == 0
    assert (tmp_path / "other.key").is_file()


def test_keygen_without_password_source_fails(tmp_path, karsgit, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COSIGN_PASSWORD")
    result = karsgit("keygen")
    assert result.code == 3 and "COSIGN_PASSWORD" in result.err
    assert not (tmp_path / "cosign.key").exists()


def test_key_signatures_verify_with_openssl_and_sigstore_js(signed, keypair, fake, node_verify):
    bundle = signed.path / bundle_path()
    sig = base64.b64decode(Path(f"{bundle}.sig").read_bytes())
    der = signed.path.parent / "sig.der"
    der.write_bytes(sig)
    done = subprocess.run(
        [
            "openssl",
            "dgst",
            "-sha256",
            "-verify",
            str(keypair.public),
            "-signature",
            str(der),
            str(bundle),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "Verified OK" in done.stdout
    js = node_verify(
        Path(f"{bundle}.sigstore.json"),
        bundle,
        fake.trusted_root,
        "--key",
        str(keypair.public),
        "--no-tlog",
    )
    assert js.returncode == 0, js.stdout + js.stderr


def test_verify_is_clean_and_sign_is_a_no_op_on_rerun(signed, karsgit, keypair):
    result = karsgit("verify", "--key", str(keypair.public))
    assert result.code == 0, result.out
    files = [signed.path / (bundle_path() + s) for s in (".sigstore.json", ".sig")]
    before = [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files]
    again = karsgit("sign", "--key", str(keypair.private))
    assert again.code == 0 and "0 signed, 1 already current" in again.out
    assert [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files] == before


def test_sign_replaces_a_signature_that_no_longer_verifies(signed, karsgit, keypair):
    signed.write("sandboxes/agent.yaml", manifest("agent", "example.com:443"))
    assert karsgit("compile").code == 0
    assert _verify(karsgit, "--key", str(keypair.public)) == (1, ["signature-invalid"])
    result = karsgit("sign", "--key", str(keypair.private))
    assert "1 signed" in result.out
    assert karsgit("verify", "--key", str(keypair.public)).code == 0


def _verify(karsgit, *args: str) -> tuple[int, list[str]]:
    result = karsgit("verify", "-f", "parsable", *args)
    return result.code, _rules(result.out)


def test_one_changed_byte_is_signature_invalid(signed, karsgit, keypair):
    bundle = signed.path / bundle_path()
    bundle.write_bytes(bundle.read_bytes().replace(b"port: 443", b"port: 444"))
    code, rules = _verify(karsgit, "--key", str(keypair.public))
    assert code == 1
    assert "signature-invalid" in rules and "bundle-stale" in rules


def test_foreign_key_is_signer_mismatch(signed, karsgit, foreign_keypair):
    assert _verify(karsgit, "--key", str(foreign_keypair.public)) == (1, ["signer-mismatch"])


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"not json"])
def test_truncated_or_junk_bundle_is_signature_invalid(signed, karsgit, keypair, damage):
    path = signed.path / (bundle_path() + ".sigstore.json")
    path.write_bytes(damage(path.read_bytes()))
    assert _verify(karsgit, "--key", str(keypair.public)) == (1, ["signature-invalid"])


def test_bundle_for_other_bytes_is_signature_invalid(signed, karsgit, keypair):
    signed.write("sandboxes/b.yaml", manifest("b", "example.com:443"))
    assert karsgit("compile").code == 0
    assert karsgit("sign", "--key", str(keypair.private)).code == 0
    mine = signed.path / (bundle_path() + ".sigstore.json")
    mine.write_bytes((signed.path / (bundle_path("b") + ".sigstore.json")).read_bytes())
    assert _verify(karsgit, "--key", str(keypair.public)) == (1, ["signature-invalid"])


def test_missing_signature(signed, karsgit, keypair):
    (signed.path / (bundle_path() + ".sigstore.json")).unlink()
    assert _verify(karsgit, "--key", str(keypair.public)) == (1, ["signature-missing"])
    # without trust, presence is still checked
    assert _verify(karsgit) == (1, ["signature-missing"])


def test_missing_bundle(repo, karsgit):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    code, rules = _verify(karsgit)
    assert (code, rules) == (1, ["bundle-missing"])


def test_orphan_bundle(signed, karsgit, keypair):
    (signed.path / "sandboxes/agent.yaml").unlink()
    result = karsgit("verify", "-f", "parsable", "--key", str(keypair.public))
    assert result.code == 1
    assert result.out.startswith(f"{bundle_path()}:0:0: [error]")
    assert _rules(result.out) == ["bundle-orphan"]


def test_stale_bundle_and_drift_and_ref(signed, karsgit, keypair):
    text = (signed.path / "sandboxes/agent.yaml").read_text()
    signed.write("sandboxes/agent.yaml", text.replace("api.github.com", "example.com"))
    result = karsgit("verify", "-f", "parsable", "--key", str(keypair.public))
    assert _rules(result.out) == ["allowlistref-mismatch", "bundle-stale", "inline-drift"]
    lines = result.out.splitlines()
    drift = next(line for line in lines if "inline-drift" in line)
    assert drift.startswith("sandboxes/agent.yaml:10:5:")
    assert "only inline: example.com:443; only in the bundle: api.github.com:443" in drift
    ref = next(line for line in lines if "allowlistref-mismatch" in line)
    assert ref.startswith("sandboxes/agent.yaml:16:15:") and "allowlistRef.digest" in ref


def test_mismatched_ref(signed, karsgit, keypair):
    path = signed.path / "sandboxes/agent.yaml"
    path.write_text(path.read_text().replace("policy/egress-allowlist/agent", "policy/other"))
    result = karsgit("verify", "-f", "parsable", "--key", str(keypair.public))
    assert _rules(result.out) == ["allowlistref-mismatch"]
    assert "allowlistRef.repository is 'policy/other'" in result.out


def test_noncanonical_bundle(signed, karsgit, keypair):
    bundle = signed.path / bundle_path()
    bundle.write_bytes(bundle.read_bytes().replace(b"\n", b"\r\n"))
    result = karsgit("verify", "-f", "parsable", "--key", str(keypair.public))
    assert "bundle-noncanonical" in _rules(result.out)
    assert f"{bundle_path()}:1:1: [error] line contains a carriage return" in result.out


def test_signing_failure_midway_keeps_earlier_and_leaves_later_untouched(
    repo, karsgit, keypair, monkeypatch
):
    from karsgit.signing import keymode

    names = [f"s{i}" for i in range(1, 6)]
    for name in names:
        repo.write(f"sandboxes/{name}.yaml", manifest(name, f"{name}.example.com:443"))
    assert karsgit("compile").code == 0
    real = keymode.KeySigner.sign
    calls = []

    def flaky(self, data: bytes):
        calls.append(data)
        if len(calls) == 3:
            raise SigningError("hardware token unplugged", "plug it back in")
        return real(self, data)

    monkeypatch.setattr(keymode.KeySigner, "sign", flaky)
    result = karsgit("sign", "--key", str(keypair.private))
    assert result.code == 3
    assert "hardware token unplugged" in result.err and "s3" in result.err
    signed = [(repo.path / (bundle_path(n) + ".sigstore.json")).exists() for n in names]
    assert signed == [True, True, False, False, False]
    assert not any((repo.path / (bundle_path(n) + ".sig")).exists() for n in names[2:])
    assert not list(repo.path.rglob("*.tmp"))
    monkeypatch.setattr(keymode.KeySigner, "sign", real)
    rerun = karsgit("sign", "--key", str(keypair.private))
    assert rerun.code == 0 and "3 signed, 2 already current" in rerun.out


def test_wrong_password_is_exit_3(signed, karsgit, keypair, monkeypatch):
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD + "!")
    (signed.path / (bundle_path() + ".sigstore.json")).unlink()
    result = karsgit("sign", "--key", str(keypair.private))
    assert result.code == 3
    assert not (signed.path / (bundle_path() + ".sigstore.json")).exists()


def test_private_key_in_repo_blocks_sign_and_fails_check(signed, karsgit, keypair):
    signed.write("keys/cosign.key", keypair.private.read_bytes())
    signed.git("add", "keys/cosign.key")  # staged is enough
    result = karsgit("sign", "--key", str(keypair.private))
    assert result.code == 3 and "private-key-in-repo" in result.err
    check = karsgit("check", "-f", "parsable")
    assert check.code == 1
    assert "keys/cosign.key:0:0: [error]" in check.out and "private-key-in-repo" in check.out
    signed.git("rm", "-q", "--cached", "keys/cosign.key")
    assert "private-key-in-repo" not in karsgit("check", "-f", "parsable").out


def test_plain_pkcs8_key_is_also_caught(repo, karsgit):
    repo.write("tls/server.pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    repo.commit("oops")
    assert "private-key-in-repo" in karsgit("check", "-f", "parsable").out


def test_bundle_json_shape(signed):
    doc = json.loads((signed.path / (bundle_path() + ".sigstore.json")).read_bytes())
    assert doc["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
    assert "publicKey" in doc["verificationMaterial"]
    assert os.path.getsize(signed.path / (bundle_path() + ".sig")) > 0
