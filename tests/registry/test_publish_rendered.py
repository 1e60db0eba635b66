"""sign, publish and ``verify --registry`` on a kustomize repository (issue 12
item 5): each rendered sandbox's bundle, filed under its own root, is signed for
the ref ``kubectl kustomize`` renders, published there, and what the registry
serves for that ref is the root's own committed bundle."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.registry.test_publish import get, sig_tag
from tests.support.render import flux_repo, needs_kubectl
from tests.support.repos import Repo

pytestmark = needs_kubectl

OVERLAYS = {"prod": "kars-system", "staging": "kars-system", "learn": "kars-learn"}


def bundle_of(overlay: str) -> str:
    return f".kars/bundles/apps/overlays/{overlay}/{OVERLAYS[overlay]}/research-agent"


def rendered_ref(repo: Repo, overlay: str) -> tuple[str, str, str]:
    out = subprocess.run(
        ["kubectl", "kustomize", f"apps/overlays/{overlay}"],
        cwd=repo.path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = [re.search(rf"^ +{key}: (\S+)$", out, re.M) for key in ("registry", "repository")]
    digest = re.search(r"^ +digest: (sha256:[0-9a-f]{64})$", out, re.M)
    assert found[0] and found[1] and digest, out
    return found[0].group(1), found[1].group(1), digest.group(1)


@pytest.fixture
def compiled(repo: Repo, karsgit, registry, stand, monkeypatch) -> Repo:
    monkeypatch.setenv("KARS_REGISTRY", registry.host)
    flux_repo(repo)
    assert karsgit("compile").code == 0
    token = stand.fake.identity_token()
    signed = karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(stand.trust_config)
    )
    assert signed.code == 0, signed.err
    assert sorted(signed.out.splitlines()[:-1]) == [
        f"signed {bundle_of(o)}/allowlist.yaml" for o in ("learn", "prod", "staging")
    ]
    assert signed.out.splitlines()[-1] == "3 signed, 0 already current"
    # one image (same registry, repository and digest), one signature beside each root
    learn, staging = (
        repo.path / bundle_of(o) / "allowlist.cosign.json" for o in ("learn", "staging")
    )
    assert learn.read_bytes() == staging.read_bytes()
    repo.commit("compiled and signed")
    return repo


def test_each_root_is_signed_and_published_for_the_ref_it_renders(compiled, karsgit, registry,
                                                                 stand):  # fmt: skip
    published = karsgit("publish", "--plain-http", *stand.trust)
    assert published.code == 0, published.err
    lines = published.out.splitlines()
    # staging and learn render the same bytes under one repository: one artifact
    assert lines[-1] == "published 2 of 2 bundle(s); 0 up to date"
    assert sorted(line.split(": sent")[0] for line in lines[:-1]) == [
        "kars-learn/research-agent of apps/overlays/learn, "
        "kars-system/research-agent of apps/overlays/staging",
        "kars-system/research-agent of apps/overlays/prod",
    ]
    where = f"{registry.host}/policy/egress-allowlist/research-agent"
    assert published.err == (
        f"karsgit: note: tag latest left as it was in {where}: bundles of different content "
        "go there (roots that render one sandbox name); they are read by digest\n"
    )
    assert get(registry.host, "policy/egress-allowlist/research-agent/manifests/latest")[0] == 404
    again = karsgit("publish", "--plain-http", *stand.trust)
    assert again.out.splitlines()[-1] == "published 0 of 2 bundle(s); 2 up to date"
    digests = set()
    for overlay in OVERLAYS:
        host, repository, digest = rendered_ref(compiled, overlay)
        assert host == registry.host
        digests.add(digest)
        status, body, _ = get(registry.host, f"{repository}/manifests/{digest}")
        assert status == 200, overlay
        layer = json.loads(body)["layers"][0]["digest"]
        committed = (compiled.path / bundle_of(overlay) / "allowlist.yaml").read_bytes()
        assert get(registry.host, f"{repository}/blobs/{layer}")[1] == committed
        art = json.loads((compiled.path / bundle_of(overlay) / "allowlist.cosign.json").read_text())
        status, sig_body, _ = get(registry.host, f"{repository}/manifests/{sig_tag(digest)}")
        assert (status, sig_body) == (200, art["manifest"].encode())
    # prod adds a host; staging and learn render the base's two endpoints
    assert len(digests) == 2
    assert (
        b"evil-exfil.example.net"
        in (compiled.path / bundle_of("prod") / "allowlist.yaml").read_bytes()
    )
    fetched = karsgit("verify", "--registry", "--plain-http", *stand.trust, "-f", "json")
    assert fetched.code == 0, fetched.out + fetched.err
    assert json.loads(fetched.out)["findings"] == []


def test_a_root_that_outgrew_its_bundle_is_refused_and_unfetched(compiled, karsgit, registry,
                                                                stand):  # fmt: skip
    path = compiled.path / "apps/overlays/staging/kustomization.yaml"
    path.write_text(
        path.read_text()
        + "  - target:\n      kind: KarsSandbox\n    patch: |-\n"
        + "      - op: add\n        path: /spec/networkPolicy/allowedEndpoints/-\n"
        + "        value:\n          host: added.example.net\n          port: 443\n"
    )
    refused = karsgit("publish", "--plain-http", *stand.trust)
    assert refused.code == 1
    who = "(kars-system/research-agent of apps/overlays/staging)"
    assert [
        line for line in refused.err.splitlines() if not line.startswith(("  ", "karsgit"))
    ] == [
        f"{bundle_of('staging')}/allowlist.yaml: bundle is stale {who}",
        f"apps/overlays/staging/kustomization.yaml: allowlistRef is missing or out of date {who}",
        "apps/overlays/staging/karsgit-allowlistref.yaml: allowlistRef is missing or out of date "
        "(allowlistRef patch)",
    ]
    _, repository, digest = rendered_ref(compiled, "prod")
    assert get(registry.host, f"{repository}/manifests/{digest}")[0] == 404


def test_verify_registry_names_the_rendered_ref_that_was_never_published(compiled, karsgit,
                                                                        stand):  # fmt: skip
    fetched = karsgit("verify", "--registry", "--plain-http", *stand.trust, "-f", "json")
    assert fetched.code == 1
    found = json.loads(fetched.out)["findings"]
    assert sorted((f["rule_id"], f["path"], f["line"]) for f in found) == [
        ("registry-manifest-missing", "apps/base/sandbox.yaml", 16),
        ("registry-manifest-missing", "apps/base/sandbox.yaml", 16),
        ("registry-manifest-missing", "apps/overlays/prod/karsgit-allowlistref.yaml", 12),
    ]
