"""``karsgit verify --registry``: what the controller fetches, checked as it
checks it, against the real registry; every tamper case is a finding at the
sandbox's ``allowlistRef.digest``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest

from karsgit.bundle import canonical as canon
from karsgit.registry.client import Registry, sha256
from tests.support.bundles import bundle_path
from tests.support.fakeregistry import Behaviour, fake_registry
from tests.support.registry_repo import ref_of
from tests.support.sigart import artifact

SIG_MEDIA = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture
def client(registry) -> Iterator[Registry]:
    """A client for setting up tampered registry content."""
    writer = Registry(registry.host, plain_http=True, write=True)
    yield writer
    writer.close()


def registry_findings(result) -> list[tuple[str, int, str, str]]:
    """(path, line, rule id, message) of what the registry side reported.

    Offline verify runs too; its findings sit at the bundle files (and its ref
    check at the ref), so they are left out here.
    """
    assert "Traceback" not in result.err
    doc = json.loads(result.out)
    return [
        (f["path"], f["line"], f["rule_id"], f["message"])
        for f in doc["findings"]
        if not f["path"].startswith(".kars/") and f["rule_id"] != "allowlistref-mismatch"
    ]


def digest_line(repo, name: str) -> int:
    lines = (repo.path / f"sandboxes/{name}.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith("digest:"))


def verify(karsgit, stand):
    return karsgit("verify", "--registry", "--plain-http", *stand.trust, "-f", "json")


def push_bundle(
    client: Registry, repository: str, layer: bytes, layer_type: str | None = None
) -> str:
    """Push a one-layer bundle manifest (optionally of another layer media type)."""
    client.push_blob(repository, canon.EMPTY_CONFIG)
    client.push_blob(repository, layer)
    manifest = canon.oci_manifest(layer)
    if layer_type:
        manifest = manifest.replace(canon.LAYER_MEDIA_TYPE.encode(), layer_type.encode())
    client.put_manifest(repository, sha256(manifest), canon.MANIFEST_MEDIA_TYPE, manifest)
    return sha256(manifest)


def push_sig(client: Registry, repository: str, digest: str, art_json: bytes) -> None:
    doc = json.loads(art_json)
    client.push_blob(repository, doc["config"].encode())
    client.push_blob(repository, doc["payload"].encode())
    tag = digest.replace(":", "-") + ".sig"
    client.put_manifest(repository, tag, SIG_MEDIA, doc["manifest"].encode())


def point_ref(repo, name: str, digest: str) -> None:
    path = repo.path / f"sandboxes/{name}.yaml"
    _, old = ref_of(repo, name)
    path.write_text(path.read_text().replace(old, digest))


def test_published_repository_verifies(registry, make_repo, karsgit, stand):
    make_repo(registry.host, 2)
    assert karsgit("publish", "--plain-http", *stand.trust).code == 0
    result = verify(karsgit, stand)
    assert (result.code, json.loads(result.out)["findings"]) == (0, [])


def test_nothing_published(registry, make_repo, karsgit, stand):
    repo = make_repo(registry.host, 2)
    found = registry_findings(verify(karsgit, stand))
    expected = []
    for name in ("agent-0000", "agent-0001"):
        repository, digest = ref_of(repo, name)
        expected.append(
            (f"sandboxes/{name}.yaml", digest_line(repo, name), "registry-manifest-missing",
             f"registry has no manifest {digest} in {registry.host}/{repository}")
        )  # fmt: skip
    assert found == expected


def test_signature_tag_missing(registry, make_repo, karsgit, stand, client):
    repo = make_repo(registry.host, 1)
    repository, digest = ref_of(repo, "agent-0000")
    assert (
        push_bundle(client, repository, (repo.path / bundle_path("agent-0000")).read_bytes())
        == digest
    )
    tag = digest.replace(":", "-") + ".sig"
    assert registry_findings(verify(karsgit, stand)) == [
        ("sandboxes/agent-0000.yaml", digest_line(repo, "agent-0000"), "registry-signature-missing",
         f"registry has no signature tag {tag} in {registry.host}/{repository}")
    ]  # fmt: skip


def test_foreign_signature_tag(registry, make_repo, karsgit, stand, client):
    repo = make_repo(registry.host, 2)
    assert karsgit("publish", "--plain-http", *stand.trust).code == 0
    repository, digest = ref_of(repo, "agent-0000")
    other_repository, other_digest = ref_of(repo, "agent-0001")
    other = (repo.path / bundle_path("agent-0001")).with_name("allowlist.cosign.json").read_bytes()
    push_sig(client, repository, digest, other)
    tag = digest.replace(":", "-") + ".sig"
    assert registry_findings(verify(karsgit, stand)) == [
        ("sandboxes/agent-0000.yaml", digest_line(repo, "agent-0000"), "registry-signature-foreign",
         f"signature tag {tag} signs {registry.host}/{other_repository}@{other_digest}, "
         f"not {registry.host}/{repository}@{digest}")
    ]  # fmt: skip


def test_signature_by_a_signer_the_policy_rejects(registry, make_repo, karsgit, stand, client):
    repo = make_repo(registry.host, 1)
    assert karsgit("publish", "--plain-http", *stand.trust).code == 0
    repository, digest = ref_of(repo, "agent-0000")
    eve = artifact(stand.fake, f"{registry.host}/{repository}", digest, identity="eve@example.test")
    push_sig(client, repository, digest, eve)
    (finding,) = registry_findings(verify(karsgit, stand))
    assert finding[:3] == (
        "sandboxes/agent-0000.yaml",
        digest_line(repo, "agent-0000"),
        "signer-mismatch",
    )
    assert finding[3].startswith("signature is made by 'eve@example.test' from issuer")


def test_layer_of_another_media_type(registry, make_repo, karsgit, stand, client):
    repo = make_repo(registry.host, 1)
    repository, _ = ref_of(repo, "agent-0000")
    layer = (repo.path / bundle_path("agent-0000")).read_bytes()
    point_ref(repo, "agent-0000", push_bundle(client, repository, layer, "text/yaml"))
    fact = "layer media type is 'text/yaml', not application/vnd.kars.egress-allowlist.v1+yaml"
    line = digest_line(repo, "agent-0000")
    assert registry_findings(verify(karsgit, stand)) == [
        ("sandboxes/agent-0000.yaml", line, "registry-media-type", fact)
    ]


def test_noncanonical_layer_is_the_offline_rule(registry, make_repo, karsgit, stand, client):
    repo = make_repo(registry.host, 1)
    repository, _ = ref_of(repo, "agent-0000")
    layer = (repo.path / bundle_path("agent-0000")).read_bytes().replace(b"\n", b"\r\n")
    digest = push_bundle(client, repository, layer)
    point_ref(repo, "agent-0000", digest)
    push_sig(
        client, repository, digest, artifact(stand.fake, f"{registry.host}/{repository}", digest)
    )
    found = registry_findings(verify(karsgit, stand))
    assert [f[2] for f in found] == ["bundle-noncanonical"]
    assert found[0][3].startswith("registry bundle line 1: ")


def test_registry_serving_other_bytes(make_repo, karsgit, stand):
    behaviour = Behaviour()
    with fake_registry(behaviour) as host:
        repo = make_repo(host, 1)
        repository, digest = ref_of(repo, "agent-0000")
        other = b'{"schemaVersion":2}'
        behaviour.serve[f"/v2/{repository}/manifests/{digest}"] = other
        served = "sha256:" + hashlib.sha256(other).hexdigest()
        fact = f"registry served a manifest of digest {served} for {digest}"
        line = digest_line(repo, "agent-0000")
        assert registry_findings(verify(karsgit, stand)) == [
            ("sandboxes/agent-0000.yaml", line, "registry-digest-mismatch", fact)
        ]
