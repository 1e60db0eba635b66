"""`karsgit check` on a kustomize repository: rendered objects, judged per root,
findings at the source line that gave the value (real kubectl kustomize)."""

from __future__ import annotations

import pytest

from tests.support.render import (
    BASE_SANDBOX,
    STRICT_PATCH,
    flux_repo,
    needs_kubectl,
    parsable,
)
from tests.support.repos import Repo, sandbox

pytestmark = needs_kubectl


def test_inline_json6902_host_is_judged_at_the_op_line(repo: Repo, karsgit) -> None:
    flux_repo(repo, added="Evil-Exfil.example.net")
    result = karsgit("check", "-f", "parsable")
    assert result.code == 1
    assert (
        "apps/overlays/prod/kustomization.yaml:15:17: [error] host 'Evil-Exfil.example.net' "
        "is not lowercase (host-case)"
    ) in parsable(result)


def test_patches_are_fragments_and_overlays_are_separate_clusters(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    result = karsgit("check", "-f", "parsable")
    lines = parsable(result)
    # Judged raw, the two strict.yaml patches are duplicates without a namespace or
    # endpoints, the base lacks a namespace, and prod/staging share a name.
    for rule in ("duplicate-resource", "namespace-missing", "empty-allowlist", "ambiguous-sandbox"):
        assert not [line for line in lines if f"({rule})" in line], lines
    # Only the Learn overlay renders Learn: reported at the base line that sets it.
    assert [line for line in lines if "(learn-mode)" in line] == [
        "apps/base/sandbox.yaml:7:17: [warning] sandbox 'research-agent' is in Learn mode, "
        "which allows every non-blocklisted host (learn-mode)"
    ]


def test_patch_file_value_is_reported_in_the_patch(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("apps/overlays/staging/strict.yaml", STRICT_PATCH + "    allowedEndpoints:\n"
               "      - host: pypi.example.org\n        port: 70000\n")  # fmt: skip
    result = karsgit("check", "-f", "parsable")
    assert [line for line in parsable(result) if "(port-invalid)" in line] == [
        "apps/overlays/staging/strict.yaml:10:15: [error] spec.networkPolicy.allowedEndpoints[0]"
        ".port: 70000 is greater than the maximum of 65535 (port-invalid)"
    ]


def test_duplicates_within_one_root_are_still_reported(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("apps/overlays/prod/one.yaml", sandbox("research-agent", "kars-system"))
    repo.write("apps/overlays/prod/other.yaml", sandbox("research-agent", "other-ns"))
    repo.write(
        "apps/overlays/prod/kustomization.yaml", "resources:\n  - one.yaml\n  - other.yaml\n"
    )
    result = karsgit("check", "-f", "parsable")
    ambiguous = [line for line in parsable(result) if "(ambiguous-sandbox)" in line]
    assert ambiguous and all(line.startswith("apps/") for line in ambiguous), ambiguous
    assert any(line.startswith("apps/overlays/prod/other.yaml:") for line in ambiguous)


def test_namespace_from_the_overlay_is_located_at_its_kustomization(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("approvals/kustomization.yaml", "namespace: kars-system\nresources:\n  - a.yaml\n")
    repo.write(
        "approvals/a.yaml",
        "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata:\n  name: a\n"
        "spec:\n  sandbox: research-agent\n  hosts:\n    - host: x.example.com\n"
        "  reason: incident\n  ttl: PT1H\n",
    )
    result = karsgit("check", "-f", "parsable")
    # The approval's root has no sandbox: judged per root, the target is missing.
    missing = [line for line in parsable(result) if "(approval-target-missing)" in line]
    assert [line.split(": [")[0] for line in missing] == ["approvals/a.yaml:6:12"], missing


def test_kustomize_typed_values_and_the_ambiguous_source(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    first_port = "port: 443\n      - host: pypi"
    repo.write(
        "apps/base/sandbox.yaml", BASE_SANDBOX.replace(first_port, "port: on\n      - host: pypi")
    )
    result = karsgit("check", "-f", "parsable")
    lines = [line for line in parsable(result) if line.startswith("apps/base/sandbox.yaml:10:")]
    assert lines == [
        'apps/base/sandbox.yaml:10:15: [error] spec.networkPolicy.allowedEndpoints[0].port: "on" '
        'is not of type "integer" (port-invalid)',
        "apps/base/sandbox.yaml:10:15: [error] 'on' is rendered by kustomize as the string 'on' "
        "but read as true by kubectl apply -f (yaml-ambiguous-scalar)",
    ]


def test_inline_octal_port_renders_as_kustomize_reads_it(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    text = (repo.path / "apps/overlays/prod/kustomization.yaml").read_text()
    repo.write("apps/overlays/prod/kustomization.yaml", text.replace("port: 443", "port: 0443"))
    result = karsgit("check", "-f", "parsable")
    # kustomize renders 0443 as 291, as kubectl reads it: valid, not ambiguous between them.
    assert result.code == 0, result.out


def test_unmappable_value_falls_back_to_the_root(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    # A quoted (flow) patch: its lines are not the file's, so no source line is known.
    repo.write(
        "apps/overlays/quoted/kustomization.yaml",
        "namespace: kars-system\nresources:\n  - ../../base\npatches:\n  - path: strict.yaml\n"
        "  - target: {kind: KarsSandbox}\n"
        '    patch: \'[{"op": "add", "path": "/spec/networkPolicy/allowedEndpoints/-", '
        '"value": {"host": "UP.example.com", "port": 443}}]\'\n',
    )
    repo.write("apps/overlays/quoted/strict.yaml", STRICT_PATCH)
    result = karsgit("check", "-f", "parsable")
    assert [line for line in parsable(result) if "(host-case)" in line] == [
        "apps/overlays/quoted/kustomization.yaml:1:1: [error] host 'UP.example.com' is not "
        "lowercase (in the rendered KarsSandbox kars-system/research-agent of "
        "'apps/overlays/quoted/kustomization.yaml') (host-case)"
    ]


def test_rendering_off_judges_the_raw_files(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write(".karsgit.yaml", "render:\n  enabled: false\n")
    result = karsgit("check", "-f", "parsable")
    assert any("(duplicate-resource)" in line for line in parsable(result))


def test_named_roots_and_gitops_roots(repo: Repo, karsgit) -> None:
    flux_repo(repo, added="Evil-Exfil.example.net")
    repo.write(
        "clusters/staging/apps.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
        "  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps/overlays/staging\n"
        "  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
        "    name: flux-system\n",
    )
    # Flux applies only staging: prod is not rendered, its patch is still a fragment.
    flux = parsable(karsgit("check", "-f", "parsable"))
    assert not [line for line in flux if "Evil-Exfil" in line or "(learn-mode)" in line], flux
    repo.write(".karsgit.yaml", "render:\n  roots: [apps/overlays/prod]\n  renderer: kubectl\n")
    named = parsable(karsgit("check", "-f", "parsable"))
    assert any("Evil-Exfil" in line for line in named), named


def test_argo_application_roots(repo: Repo, karsgit) -> None:
    flux_repo(repo, added="Evil-Exfil.example.net")
    repo.write(
        "argo/learn.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: learn\n"
        "spec:\n  source:\n    repoURL: https://git.example.com/gitops.git\n"
        "    path: apps/overlays/learn\n  destination:\n    namespace: kars-learn\n",
    )
    lines = parsable(karsgit("check", "-f", "parsable"))
    assert any("(learn-mode)" in line for line in lines)
    assert not any("Evil-Exfil" in line for line in lines)


def test_plain_repository_is_unchanged(repo: Repo, karsgit) -> None:
    repo.write("a.yaml", sandbox("a"))
    repo.write("b.yaml", sandbox("a"))
    result = karsgit("check", "-f", "parsable")
    assert [line.split(": [")[0] for line in parsable(result)] == ["a.yaml:1:1", "b.yaml:1:1"]


def test_stale_approval_in_a_rendered_root_is_still_stale(
    repo: Repo, karsgit, monkeypatch: pytest.MonkeyPatch
) -> None:
    flux_repo(repo)
    repo.write("approvals/kustomization.yaml", "namespace: kars-system\nresources:\n  - a.yaml\n")
    repo.write(
        "approvals/a.yaml",
        "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata:\n  name: a\n"
        "spec:\n  sandbox: research-agent\n  hosts:\n    - host: x.example.com\n"
        "  reason: incident\n  ttl: PT1H\n",
    )
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
    repo.commit("an approval, long ago")
    stale = [line for line in parsable(karsgit("check", "-f", "parsable")) if "stale" in line]
    assert [line.split(": [")[0] for line in stale] == ["approvals/a.yaml:10:8"], stale
