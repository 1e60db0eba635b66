"""The kustomization graph (no rendering): roots, reach, fragments, cycles, remote refs."""

from __future__ import annotations

from karsgit.render.tree import build_graph
from karsgit.source import gitio
from tests.support.render import flux_repo
from tests.support.repos import Repo


def graph(repo: Repo, roots: tuple[str, ...] = ()):
    return build_graph(repo.path, gitio.listed_files(repo.path), roots)


def test_roots_are_the_kustomizations_nothing_includes(repo: Repo) -> None:
    flux_repo(repo)
    found = graph(repo)
    # The base is included by the overlays; the Component is never a root.
    assert found.roots == ["apps/overlays/learn", "apps/overlays/prod", "apps/overlays/staging"]


def test_reach_files_and_fragments(repo: Repo) -> None:
    flux_repo(repo)
    found = graph(repo)
    assert [k.path for k in found.reach("apps/overlays/prod")] == [
        "apps/overlays/prod/kustomization.yaml",
        "apps/base/kustomization.yaml",
        "components/audit/kustomization.yaml",
    ]
    assert found.files("apps/overlays/prod") == {
        "apps/overlays/prod/kustomization.yaml",
        "apps/overlays/prod/strict.yaml",
        "apps/base/kustomization.yaml",
        "apps/base/sandbox.yaml",
        "components/audit/kustomization.yaml",
    }
    assert found.patch_only("apps/overlays/prod") == {"apps/overlays/prod/strict.yaml"}
    assert found.patch_only("apps/overlays/learn") == set()


def test_a_file_used_as_resource_and_patch_is_not_a_fragment(repo: Repo) -> None:
    repo.write("a/sb.yaml", "kind: KarsSandbox\n")
    repo.write("a/kustomization.yaml", "resources: [sb.yaml]\npatches:\n  - path: sb.yaml\n")
    assert graph(repo).patch_only("a") == set()


def test_remote_refs_and_cycles(repo: Repo) -> None:
    repo.write(
        "r/kustomization.yaml",
        "resources:\n  - https://example.com/x.yaml\n  - github.com/o/r//base?ref=v1\n"
        "  - ../missing-local\n",
    )
    repo.write("c1/kustomization.yaml", "resources: [../c2]\n")
    repo.write("c2/kustomization.yaml", "resources: [../c1]\n")
    found = graph(repo)
    refs = found.kustomizations["r"].refs
    assert [(r.target, r.remote, r.position.line) for r in refs] == [
        ("https://example.com/x.yaml", True, 2),
        ("github.com/o/r//base?ref=v1", True, 3),
        ("missing-local", False, 4),
    ]
    assert [(path, ref.target) for path, ref in found.cycles] == [("c2/kustomization.yaml", "c1")]
    assert found.roots == ["r"]  # c1 and c2 include each other: neither is a root


def test_named_roots_win(repo: Repo) -> None:
    flux_repo(repo)
    assert graph(repo, ("./apps/overlays/prod/",)).roots == ["apps/overlays/prod"]


def test_fragments_are_patches_that_no_kustomization_uses_as_resources(repo: Repo) -> None:
    repo.write("a/p.yaml", "kind: KarsSandbox\n")
    repo.write("a/kustomization.yaml", "resources: [../base]\npatches:\n  - path: p.yaml\n")
    repo.write("base/kustomization.yaml", "resources: [../a/p.yaml]\n")
    repo.write("b/q.yaml", "kind: KarsSandbox\n")
    repo.write("b/kustomization.yaml", "patchesStrategicMerge:\n  - q.yaml\n")
    assert graph(repo).fragments() == {"b/q.yaml"}
