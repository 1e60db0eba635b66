"""The independent check of allowlist.cosign.json: rebuild a Sigstore bundle from the
.sig image's bytes alone (message signature over the payload, the certificate, the
Rekor v1 entry with its SET), verify it with sigstore-js and sigstore-python, and
compare the payload's docker-manifest-digest with the bundle's OCI manifest.

Nothing here goes through karsgit's own parser or verifier. sigstore-python 4.x
refuses any log entry without an inclusion proof, which a cosign .sig never
carries, so for that verifier the proof is fetched from the log by index, as an
online verifier would; sigstore-js checks the .sig's content alone (the SET).
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.bundles.conftest import REGISTRY, bundle_path, manifest
from tests.support.fakesigstore import DEFAULT_IDENTITY

ARTIFACT = ".kars/bundles/kars-system/agent/allowlist.cosign.json"


@pytest.fixture
def signed(repo, karsgit, fake):
    repo.write("sandboxes/agent.yaml", manifest("agent", "dev.azure.com:443", "api.github.com:80"))
    assert karsgit("compile").code == 0
    token = fake.sigstore.identity_token()
    result = karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(fake.trust_config)
    )
    assert result.code == 0, result.err
    return repo


def _sig_image(repo) -> tuple[bytes, dict[str, Any], bytes]:
    doc = json.loads((repo.path / ARTIFACT).read_text())
    return doc["payload"].encode(), json.loads(doc["manifest"]), doc["config"].encode()


def _sigstore_bundle(payload: bytes, layer: dict[str, Any], proof: dict[str, Any] | None) -> dict:
    notes = layer["annotations"]
    rekor = json.loads(notes["dev.sigstore.cosign/bundle"])
    leaf = x509.load_pem_x509_certificate(notes["dev.sigstore.cosign/certificate"].encode())
    entry: dict[str, Any] = {
        "logIndex": str(rekor["Payload"]["logIndex"]),
        "logId": {"keyId": base64.b64encode(bytes.fromhex(rekor["Payload"]["logID"])).decode()},
        "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
        "integratedTime": str(rekor["Payload"]["integratedTime"]),
        "inclusionPromise": {"signedEntryTimestamp": rekor["SignedEntryTimestamp"]},
        "canonicalizedBody": rekor["Payload"]["body"],
    }
    if proof is not None:
        entry["inclusionProof"] = {
            "logIndex": str(proof["logIndex"]),
            "rootHash": base64.b64encode(bytes.fromhex(proof["rootHash"])).decode(),
            "treeSize": str(proof["treeSize"]),
            "hashes": [base64.b64encode(bytes.fromhex(h)).decode() for h in proof["hashes"]],
            "checkpoint": {"envelope": proof["checkpoint"]},
        }
    der = leaf.public_bytes(serialization.Encoding.DER)
    return {
        "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "verificationMaterial": {
            "x509CertificateChain": {
                "certificates": [{"rawBytes": base64.b64encode(der).decode()}]
            },
            "tlogEntries": [entry],
        },
        "messageSignature": {
            "messageDigest": {
                "algorithm": "SHA2_256",
                "digest": base64.b64encode(hashlib.sha256(payload).digest()).decode(),
            },
            "signature": notes["dev.cosignproject.cosign/signature"],
        },
    }


def _proof(fake, layer: dict[str, Any]) -> dict[str, Any]:
    index = json.loads(layer["annotations"]["dev.sigstore.cosign/bundle"])["Payload"]["logIndex"]
    url = f"{fake.sigstore.url}/api/v1/log/entries?logIndex={index}"
    with urllib.request.urlopen(url, timeout=10) as response:  # the fake on 127.0.0.1
        (entry,) = json.loads(response.read()).values()
    return entry["verification"]["inclusionProof"]


def _oci_manifest_digest(data: bytes) -> str:
    """The bundle's OCI manifest, written out here from the image spec, not from karsgit."""
    layer = hashlib.sha256(data).hexdigest()
    text = (
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        '"artifactType":"application/vnd.kars.egress-allowlist.v1+yaml",'
        '"config":{"mediaType":"application/vnd.oci.empty.v1+json",'
        '"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",'
        '"size":2,"data":"e30="},'
        '"layers":[{"mediaType":"application/vnd.kars.egress-allowlist.v1+yaml",'
        f'"digest":"sha256:{layer}","size":{len(data)}}}]}}'
    )
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_sig_image_is_shaped_as_cosign_writes_it(signed):
    payload, sig_manifest, config = _sig_image(signed)
    assert sig_manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert sig_manifest["config"] == {
        "mediaType": "application/vnd.oci.image.config.v1+json",
        "size": len(config),
        "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
    }
    (layer,) = sig_manifest["layers"]
    assert layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json"
    assert layer["digest"] == "sha256:" + hashlib.sha256(payload).hexdigest()
    assert sorted(layer["annotations"]) == [
        "dev.cosignproject.cosign/signature",
        "dev.sigstore.cosign/bundle",
        "dev.sigstore.cosign/certificate",
        "dev.sigstore.cosign/chain",
    ]
    rekor = json.loads(layer["annotations"]["dev.sigstore.cosign/bundle"])
    assert sorted(rekor) == ["Payload", "SignedEntryTimestamp"]
    assert sorted(rekor["Payload"]) == ["body", "integratedTime", "logID", "logIndex"]
    assert json.loads(config)["rootfs"]["diff_ids"] == [layer["digest"]]


def test_sigstore_js_verifies_the_sig_as_it_is(signed, fake, node_verify, tmp_path):
    payload, sig_manifest, _ = _sig_image(signed)
    bundle = tmp_path / "sig.sigstore.json"
    bundle.write_text(json.dumps(_sigstore_bundle(payload, sig_manifest["layers"][0], None)))
    artifact = tmp_path / "payload.json"
    artifact.write_bytes(payload)
    ok = node_verify(
        bundle,
        artifact,
        fake.trusted_root,
        "--san",
        DEFAULT_IDENTITY,
        "--issuer",
        fake.sigstore.oidc_issuer,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    artifact.write_bytes(payload.replace(b"sha256:", b"sha256:0", 1))
    forged = node_verify(bundle, artifact, fake.trusted_root)
    assert forged.returncode == 1 and "REJECTED" in forged.stdout


def test_sigstore_python_verifies_the_sig_with_the_logged_proof(signed, fake):
    from sigstore.errors import VerificationError
    from sigstore.models import Bundle, TrustedRoot
    from sigstore.verify import Verifier, policy

    payload, sig_manifest, _ = _sig_image(signed)
    layer = sig_manifest["layers"][0]
    bundle = Bundle.from_json(json.dumps(_sigstore_bundle(payload, layer, _proof(fake, layer))))
    verifier = Verifier(trusted_root=TrustedRoot.from_file(str(fake.trusted_root)))
    identity = policy.Identity(identity=DEFAULT_IDENTITY, issuer=fake.sigstore.oidc_issuer)
    verifier.verify_artifact(payload, bundle, identity)
    with pytest.raises(VerificationError):
        verifier.verify_artifact(payload + b" ", bundle, identity)


def test_payload_names_the_bundle_manifest_and_the_ref(signed):
    payload, _, _ = _sig_image(signed)
    critical = json.loads(payload)["critical"]
    data = (signed.path / bundle_path()).read_bytes()
    ref = yaml.safe_load((signed.path / "sandboxes/agent.yaml").read_text())["spec"][
        "networkPolicy"
    ]["allowlistRef"]
    assert critical["image"]["docker-manifest-digest"] == _oci_manifest_digest(data)
    assert critical["image"]["docker-manifest-digest"] == ref["digest"]
    assert critical["identity"]["docker-reference"] == f"{REGISTRY}/{ref['repository']}"
    assert critical["type"] == "cosign container image signature"
    assert payload == json.dumps(json.loads(payload), separators=(",", ":")).encode()


def test_the_artifact_file_is_sorted_indented_json(signed):
    raw = (signed.path / ARTIFACT).read_bytes()
    assert raw == json.dumps(json.loads(raw), sort_keys=True, indent=2).encode() + b"\n"
    assert Path(signed.path / ARTIFACT).stat().st_size < 16_000
