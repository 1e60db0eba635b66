"""``karsgit publish`` against the real distribution registry: what goes up is
byte-for-byte what the controller fetches, a second run sends nothing, and it
refuses stale, unsigned or foreign-signed bundles before sending anything."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.bundles import bundle_path, manifest
from tests.support.registry_repo import ref_of, sandbox_names
from tests.support.sigart import artifact

ACCEPT = "application/vnd.oci.image.manifest.v1+json"


def get(host: str, path: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(f"http://{host}/v2/{path}", headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", {}


def sig_tag(digest: str) -> str:
    return digest.replace(":", "-") + ".sig"


def test_publish_uploads_exact_bytes_then_nothing(registry, make_repo, karsgit, stand):
    repo = make_repo(registry.host, 2)
    first = karsgit("publish", "--plain-http", *stand.trust)
    assert first.code == 0, first.err
    assert first.out.splitlines()[-1] == "published 2 of 2 bundle(s); 0 up to date"
    for name in sandbox_names(2):
        repository, digest = ref_of(repo, name)
        status, body, headers = get(registry.host, f"{repository}/manifests/{digest}")
        assert status == 200
        assert "sha256:" + hashlib.sha256(body).hexdigest() == digest
        assert headers["Docker-Content-Digest"] == digest
        layer = json.loads(body)["layers"][0]
        assert layer["mediaType"] == "application/vnd.kars.egress-allowlist.v1+yaml"
        committed = (repo.path / bundle_path(name)).read_bytes()
        assert get(registry.host, f"{repository}/blobs/{layer['digest']}")[1] == committed
        assert get(registry.host, f"{repository}/manifests/latest")[1] == body
        # the .sig tag holds the committed artifact's manifest and payload verbatim
        art = json.loads(
            (repo.path / bundle_path(name)).with_name("allowlist.cosign.json").read_text()
        )
        status, sig_body, _ = get(registry.host, f"{repository}/manifests/{sig_tag(digest)}")
        assert (status, sig_body) == (200, art["manifest"].encode())
        payload_digest = json.loads(sig_body)["layers"][0]["digest"]
        assert (
            get(registry.host, f"{repository}/blobs/{payload_digest}")[1] == art["payload"].encode()
        )
    second = karsgit("publish", "--plain-http", *stand.trust)
    assert second.code == 0, second.err
    assert second.out == "published 0 of 2 bundle(s); 2 up to date\n"


def test_dry_run_lists_and_sends_nothing(registry, make_repo, karsgit, stand):
    repo = make_repo(registry.host, 1)
    result = karsgit("publish", "--plain-http", "--dry-run", *stand.trust)
    assert result.code == 0, result.err
    repository, digest = ref_of(repo, "agent-0000")
    line = result.out.splitlines()[0]
    assert line.startswith("kars-system/agent-0000: would send blob sha256:")
    assert f"manifest {digest}, tag latest, " in line
    assert f"signature {sig_tag(digest)} to {registry.host}/{repository}@{digest}" in line
    assert get(registry.host, f"{repository}/manifests/{digest}")[0] == 404
    assert get(registry.host, f"{repository}/tags/list")[0] == 404


def test_paths_limit_what_goes_up(registry, make_repo, karsgit, stand):
    repo = make_repo(registry.host, 2)
    result = karsgit("publish", "--plain-http", *stand.trust, "sandboxes/agent-0001.yaml")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "published 1 of 1 bundle(s); 0 up to date"
    assert get(registry.host, "{}/manifests/{}".format(*ref_of(repo, "agent-0000")))[0] == 404
    assert get(registry.host, "{}/manifests/{}".format(*ref_of(repo, "agent-0001")))[0] == 200


def _refused(result) -> list[str]:
    assert result.code == 1, (result.out, result.err)
    assert result.err.splitlines()[-1].startswith("karsgit: publish refused:")
    return [
        line for line in result.err.splitlines() if not line.startswith(("  hint:", "karsgit:"))
    ]


def test_refuses_a_stale_bundle_and_sends_nothing(registry, make_repo, karsgit, stand):
    repo = make_repo(registry.host, 2)
    repo.write("sandboxes/agent-0001.yaml", manifest("agent-0001", "other.example.com:443"))
    result = karsgit("publish", "--plain-http", *stand.trust)
    who = "(kars-system/agent-0001)"
    assert _refused(result) == [
        f".kars/bundles/kars-system/agent-0001/allowlist.yaml: bundle is stale {who}",
        f"sandboxes/agent-0001.yaml:2: allowlistRef is missing or out of date {who}",
    ]
    assert get(registry.host, "{}/manifests/{}".format(*ref_of(repo, "agent-0000")))[0] == 404


def test_refuses_an_unsigned_bundle(registry, make_repo, karsgit, stand):
    make_repo(registry.host, 1, signed=False)
    result = karsgit("publish", "--plain-http", *stand.trust)
    rel = ".kars/bundles/kars-system/agent-0000"
    assert _refused(result) == [
        f"{rel}/allowlist.yaml: bundle is unsigned ({rel}/allowlist.cosign.json is missing)"
    ]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("truncated", "signature-invalid: signature artifact is not valid json (JSONDecodeError)"),
        (
            "digest",
            "signature-invalid: signature is for sha256:" + "0" * 64 + ", not this bundle's",
        ),
        ("repository", "signature-invalid: signature is for {host}/policy/other, not {host}/"),
    ],
)
def test_refuses_a_foreign_or_damaged_signature(
    registry, make_repo, karsgit, stand, tamper, expected
):
    repo = make_repo(registry.host, 1)
    repository, digest = ref_of(repo, "agent-0000")
    target = repo.path / Path(bundle_path("agent-0000")).with_name("allowlist.cosign.json")
    if tamper == "truncated":
        target.write_bytes(target.read_bytes()[:100])
    elif tamper == "digest":
        target.write_bytes(
            artifact(stand.fake, f"{registry.host}/{repository}", "sha256:" + "0" * 64)
        )
    else:
        target.write_bytes(artifact(stand.fake, f"{registry.host}/policy/other", digest))
    lines = _refused(karsgit("publish", "--plain-http", *stand.trust))
    assert len(lines) == 1
    assert lines[0].startswith(".kars/bundles/kars-system/agent-0000/allowlist.cosign.json: ")
    assert expected.format(host=registry.host) in lines[0]
    assert get(registry.host, f"{repository}/manifests/{digest}")[0] == 404


def test_refuses_a_signer_the_policy_rejects(registry, make_repo, karsgit, stand):
    repo = make_repo(registry.host, 1)
    repository, digest = ref_of(repo, "agent-0000")
    target = repo.path / Path(bundle_path("agent-0000")).with_name("allowlist.cosign.json")
    reference = f"{registry.host}/{repository}"
    target.write_bytes(artifact(stand.fake, reference, digest, identity="eve@example.test"))
    lines = _refused(karsgit("publish", "--plain-http", *stand.trust))
    assert lines == [
        ".kars/bundles/kars-system/agent-0000/allowlist.cosign.json: signer-mismatch: signature "
        f"is made by 'eve@example.test' from issuer '{stand.fake.oidc_issuer}', which the signer "
        "policy does not allow"
    ]
    assert get(registry.host, f"{repository}/manifests/{digest}")[0] == 404


def test_refuses_a_signature_from_an_untrusted_instance(registry, make_repo, karsgit, stand):
    from tests.support.fakesigstore import FakeSigstore

    repo = make_repo(registry.host, 1)
    repository, digest = ref_of(repo, "agent-0000")
    target = repo.path / Path(bundle_path("agent-0000")).with_name("allowlist.cosign.json")
    with FakeSigstore() as other:
        target.write_bytes(artifact(other, f"{registry.host}/{repository}", digest))
    lines = _refused(karsgit("publish", "--plain-http", *stand.trust))
    assert len(lines) == 1
    assert "signature-invalid: rekor entry is from log " in lines[0]
    assert get(registry.host, f"{repository}/manifests/{digest}")[0] == 404


def test_signer_policy_configmap_admits_the_signer(registry, make_repo, karsgit, stand, tmp_path):
    make_repo(registry.host, 1)
    policy = tmp_path / "kars-signer-policy.yaml"
    policy.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kars-signer-policy\n"
        f"data:\n  fulcioIssuers: |\n    {stand.fake.oidc_issuer}\n"
        "  sanPatterns: |\n    # CI\n    ci@example.test\n"
    )
    trust = ("--trust-config", str(stand.trusted_root), "--signer-policy", str(policy))
    result = karsgit("publish", "--plain-http", *trust)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "published 1 of 1 bundle(s); 0 up to date"


def test_publish_without_a_signer_policy_is_a_usage_error(registry, make_repo, karsgit):
    make_repo(registry.host, 1)
    result = karsgit("publish", "--plain-http")
    assert result.code == 2
    assert result.err.splitlines() == [
        "karsgit: error: publish needs the signer policy the controller applies",
        "hint: pass --signer-policy (the kars-signer-policy ConfigMap) or --cert-identity with "
        "--cert-oidc-issuer, or set them under 'signing' in .karsgit.yaml",
    ]


def test_bytes_in_pull_request_ci_then_the_signature_from_the_trusted_branch(
    registry, make_repo, karsgit, stand
):
    repo = make_repo(registry.host, 2, signed=False)
    early = karsgit("publish", "--plain-http", "--bytes-only")
    assert early.code == 0, early.err
    assert early.out.splitlines()[-1] == "published 2 of 2 bundle(s); 0 up to date"
    assert "signature" not in early.out
    for name in sandbox_names(2):
        repository, digest = ref_of(repo, name)
        assert get(registry.host, f"{repository}/manifests/{digest}")[0] == 200
        assert get(registry.host, f"{repository}/manifests/{sig_tag(digest)}")[0] == 404
    token = stand.fake.identity_token()
    signing = ("--identity-token", token, "--trust-config", str(stand.trust_config))
    assert karsgit("sign", "--keyless", *signing).code == 0
    late = karsgit("publish", "--plain-http", *stand.trust)
    assert late.code == 0, late.err
    for line in late.out.splitlines()[:-1]:
        assert ", ".join(line.split(": sent ", 1)[1].split(", ")[2:]).startswith(
            "signature sha256-"
        )
        assert "manifest" not in line and "tag latest" not in line
    assert late.out.splitlines()[-1] == "published 2 of 2 bundle(s); 0 up to date"
    for name in sandbox_names(2):
        repository, digest = ref_of(repo, name)
        assert get(registry.host, f"{repository}/manifests/{sig_tag(digest)}")[0] == 200


def test_a_path_that_does_not_exist_is_a_usage_error(registry, make_repo, karsgit, stand):
    make_repo(registry.host, 1)
    result = karsgit("publish", "--plain-http", *stand.trust, "sandboxes/nope.yaml")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        "karsgit: error: Invalid value for '[PATHS]...': Path 'sandboxes/nope.yaml' does not exist."
    )
