"""`karsgit compile` on a kustomize repository (issue 12 item 5): every rendered
sandbox gets a bundle of its own root, and `kubectl kustomize` renders the ref of
its own endpoints. Expected digests are computed here from the rendered
endpoints (DESIGN.md canonical bytes, the OCI manifest of bundle/canonical.py's
docstring), not by karsgit."""

from __future__ import annotations

import hashlib
import subprocess

import yaml

from tests.support.render import (
    ARTIFACT,
    canonical,
    expected_digest,
    flux_repo,
    needs_kubectl,
    parsable,
    rendered_sandbox,
)
from tests.support.repos import Repo

pytestmark = needs_kubectl

CONFIG = "bundles:\n  registry: registry.example.com\n"
OVERLAYS = ("prod", "staging", "learn")
STAGING_ADDS = """\
  - target:
      kind: KarsSandbox
    patch: |-
      - op: add
        path: /spec/networkPolicy/allowedEndpoints/-
        value:
          host: added.example.net
          port: 443
"""


def test_the_canonical_helper_matches_the_design_golden_vector() -> None:
    data = canonical({("dev.azure.com", 443), ("api.github.com", 443), ("api.github.com", 80)})
    assert len(data) == 224
    assert hashlib.sha256(data).hexdigest() == (
        "68cfc3c618aa23c95c5d4500d3f0fd7e3bc68b80bb917fbf159b952b9666a73a"
    )


def compiled(repo: Repo, karsgit) -> Repo:
    repo.write(".karsgit.yaml", CONFIG)
    flux_repo(repo)
    done = karsgit("compile")
    assert done.code == 0, done.out + done.err
    repo.commit("compiled")
    return repo


def test_each_overlay_renders_the_ref_of_its_own_endpoints(repo: Repo, karsgit) -> None:
    compiled(repo, karsgit)
    digests = {}
    for overlay in OVERLAYS:
        policy = rendered_sandbox(repo, overlay)
        ref = policy["allowlistRef"]
        assert ref == {
            "registry": "registry.example.com",
            "repository": "policy/egress-allowlist/research-agent",
            "digest": expected_digest(policy),
            "artifactType": ARTIFACT,
        }, overlay
        digests[overlay] = ref["digest"]
    # prod adds a host: its ref differs from the one staging and learn share
    assert digests["prod"] != digests["staging"] == digests["learn"]


def test_each_root_has_its_own_bundle_of_its_rendered_endpoints(repo: Repo, karsgit) -> None:
    compiled(repo, karsgit)
    namespaces = {"prod": "kars-system", "staging": "kars-system", "learn": "kars-learn"}
    for overlay, namespace in namespaces.items():
        rel = f".kars/bundles/apps/overlays/{overlay}/{namespace}/research-agent/allowlist.yaml"
        policy = rendered_sandbox(repo, overlay)
        endpoints = {(e["host"], e["port"]) for e in policy["allowedEndpoints"]}
        assert (repo.path / rel).read_bytes() == canonical(endpoints), overlay
    assert not (repo.path / ".kars/bundles/kars-system").exists()


def test_the_overlay_that_changes_endpoints_gets_the_patch(repo: Repo, karsgit) -> None:
    compiled(repo, karsgit)
    prod = (repo.path / "apps/overlays/prod/kustomization.yaml").read_text()
    assert prod.endswith("          port: 443\n  - path: karsgit-allowlistref.yaml\n")
    assert (repo.path / "apps/overlays/prod/karsgit-allowlistref.yaml").is_file()
    # staging and learn keep the base's endpoints: the base carries their ref
    assert not (repo.path / "apps/overlays/staging/karsgit-allowlistref.yaml").exists()
    assert "karsgit" not in (repo.path / "apps/overlays/staging/kustomization.yaml").read_text()
    assert "    allowlistRef:\n" in (repo.path / "apps/base/sandbox.yaml").read_text()


def test_compiling_twice_writes_nothing(repo: Repo, karsgit) -> None:
    compiled(repo, karsgit)
    again = karsgit("compile", "-v")
    assert (again.code, again.out, again.err) == (0, "", "")
    assert repo.git("status", "--porcelain") == ""
    assert karsgit("compile", "--check").code == 0


def test_an_overlay_only_json6902_host_fails_compile_check_until_compile(
    repo: Repo, karsgit
) -> None:
    compiled(repo, karsgit)
    path = repo.path / "apps/overlays/staging/kustomization.yaml"
    path.write_text(path.read_text() + STAGING_ADDS)
    repo.commit("staging adds a host in its kustomization only")
    stale = karsgit("compile", "--check")
    assert stale.code == 1
    assert stale.out.splitlines()[:2] == [
        ".kars/bundles/apps/overlays/staging/kars-system/research-agent/allowlist.yaml: "
        "bundle is stale (kars-system/research-agent of apps/overlays/staging)",
        "apps/overlays/staging/kustomization.yaml: allowlistRef is missing or out of date "
        "(kars-system/research-agent of apps/overlays/staging)",
    ]
    verify = [
        line for line in parsable(karsgit("verify", "-f", "parsable")) if "signature" not in line
    ]
    assert "(inline-drift)" in verify[-1] and verify[-1].startswith(
        "apps/overlays/staging/kustomization.yaml:12:17: [error] rendered KarsSandbox"
    ), verify
    assert karsgit("compile").code == 0
    assert karsgit("compile", "--check").code == 0
    policy = rendered_sandbox(repo, "staging")
    # staging's own bundle moved to generation 2: its endpoint set changed
    assert policy["allowlistRef"]["digest"] == expected_digest(policy, generation=2)
    assert len(policy["allowedEndpoints"]) == 3
    # the base keeps the ref learn renders; prod's patch is untouched
    learn = rendered_sandbox(repo, "learn")
    assert learn["allowlistRef"]["digest"] == expected_digest(learn)
    after = [
        line for line in parsable(karsgit("verify", "-f", "parsable")) if "signature" not in line
    ]
    assert after == []


def test_comments_in_the_overlay_kustomization_are_kept(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    flux_repo(repo)
    path = repo.path / "apps/overlays/prod/kustomization.yaml"
    commented = "# prod cluster\n" + path.read_text().replace(
        "patches:\n", "patches:  # order matters\n"
    )
    path.write_text(commented)
    assert karsgit("compile").code == 0
    assert path.read_text() == commented + "  - path: karsgit-allowlistref.yaml\n"


def test_a_root_at_the_top_of_the_repository_files_under_root(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("kustomization.yaml", "namespace: kars-system\nresources:\n  - sb.yaml\n")
    repo.write(
        "sb.yaml",
        "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\nmetadata:\n  name: agent\n"
        "spec:\n  networkPolicy:\n    egressMode: Strict\n    allowedEndpoints:\n"
        "      - host: api.github.com\n        port: 443\n",
    )
    repo.commit("a single root")
    assert karsgit("compile").code == 0
    bundle = repo.path / ".kars/bundles/_root/kars-system/agent/allowlist.yaml"
    assert bundle.read_bytes() == canonical({("api.github.com", 443)})
    out = subprocess.run(
        ["kubectl", "kustomize", "."], cwd=repo.path, capture_output=True, text=True, check=True
    ).stdout
    (doc,) = [d for d in yaml.safe_load_all(out) if d and d.get("kind") == "KarsSandbox"]
    policy = doc["spec"]["networkPolicy"]
    assert policy["allowlistRef"]["digest"] == expected_digest(policy)
    assert not (repo.path / "karsgit-allowlistref.yaml").exists()  # the resource carries it


def test_no_registry_refuses_and_writes_nothing(repo: Repo, karsgit, monkeypatch) -> None:
    monkeypatch.delenv("KARS_REGISTRY", raising=False)
    flux_repo(repo)
    done = karsgit("compile")
    assert done.code == 3
    assert done.err.startswith("karsgit: error: no registry for the allowlistRef of sandbox ")
    assert "hint: set bundles.registry in .karsgit.yaml" in done.err
    assert repo.git("status", "--porcelain") == ""


def test_crlf_line_ends_of_the_kustomization_survive(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    flux_repo(repo)
    path = repo.path / "apps/overlays/prod/kustomization.yaml"
    before = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(before)
    assert karsgit("compile").code == 0
    assert path.read_bytes() == before + b"  - path: karsgit-allowlistref.yaml\r\n"
    assert karsgit("compile", "--check").code == 0


def test_renamed_sandboxes_get_refs_of_their_rendered_names(repo: Repo, karsgit) -> None:
    """namePrefix/nameSuffix: the bundle, the repository and the patch follow the
    rendered name; the patch still names the sandbox as the base writes it, which
    is the name kustomize matches patches against."""
    repo.write(".karsgit.yaml", CONFIG)
    flux_repo(repo)
    for overlay, line in (("prod", "namePrefix: prod-\n"), ("staging", "nameSuffix: -stg\n")):
        path = repo.path / f"apps/overlays/{overlay}/kustomization.yaml"
        path.write_text(line + path.read_text())
    repo.commit("renamed")
    done = karsgit("compile")
    assert done.code == 0, done.out + done.err
    names = {"prod": "prod-research-agent", "staging": "research-agent-stg", "learn": None}
    for overlay, name in names.items():
        policy = rendered_sandbox(repo, overlay)
        shown = name or "research-agent"
        assert policy["allowlistRef"]["repository"] == f"policy/egress-allowlist/{shown}"
        assert policy["allowlistRef"]["digest"] == expected_digest(policy), overlay
        space = "kars-learn" if overlay == "learn" else "kars-system"
        rel = f".kars/bundles/apps/overlays/{overlay}/{space}/{shown}/allowlist.yaml"
        assert (repo.path / rel).is_file(), rel
        # staging and learn render the base's endpoints, but under repositories of
        # their own: the base cannot carry one ref for both, so each has a patch
        patch = repo.path / f"apps/overlays/{overlay}/karsgit-allowlistref.yaml"
        assert "\n  name: research-agent\n" in patch.read_text(), overlay
    assert "allowlistRef" not in (repo.path / "apps/base/sandbox.yaml").read_text()
    assert karsgit("compile", "--check").code == 0
    assert karsgit("compile", "-v").out == ""
