"""No GitOps tool applies the bundle directory: proven with real ``kubectl kustomize``.

Flux's kustomize-controller, for a path without a kustomization file, generates
one that lists every ``.yaml``/``.yml`` file below the path, except that a
directory holding a kustomization file is listed as that directory and not
entered (fluxcd/pkg kustomize/kustomize_generator.go). ``_flux_resources``
mirrors that selection; ``kubectl kustomize`` then builds what Flux would build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.repos import learn_sandbox, sandbox

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
GUARD = ".kars/bundles/kustomization.yaml"


def _flux_resources(base: Path) -> list[str]:
    found: list[str] = []
    for top, dirs, files in os.walk(base):
        here = Path(top)
        if here != base and any((here / n).is_file() for n in KUSTOMIZATION_NAMES):
            found.append("./" + here.relative_to(base).as_posix())
            dirs.clear()
            continue
        dirs.sort()
        # the root has no kustomization file: Flux generates one only then
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                found.append("./" + (here / name).relative_to(base).as_posix())
    return found


def _flux_build(repo_path: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    """What Flux builds for a Kustomization at the repository root (the artifact has no .git)."""
    tree = tmp / "artifact"
    shutil.copytree(repo_path, tree, ignore=shutil.ignore_patterns(".git"))
    resources = _flux_resources(tree)
    lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:"]
    (tree / "kustomization.yaml").write_text("\n".join([*lines, *(f"- {r}" for r in resources)]))
    return subprocess.run(
        ["kubectl", "kustomize", str(tree)], capture_output=True, text=True, check=False
    )


def _compiled(repo, karsgit, monkeypatch) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write("apps/agent.yaml", sandbox())
    repo.write("apps/coder.yaml", sandbox("coder"))
    assert karsgit("compile").code == 0
    repo.commit("compiled")


def test_flux_at_the_repository_root_builds_without_the_bundles(
    repo, karsgit, monkeypatch, tmp_path
) -> None:
    _compiled(repo, karsgit, monkeypatch)
    assert (repo.path / GUARD).is_file()
    built = _flux_build(repo.path, tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stdout.count("kind: KarsSandbox") == 2
    assert "EgressAllowlist" not in built.stdout


def test_without_the_guard_flux_tries_to_apply_the_bundles(
    repo, karsgit, monkeypatch, tmp_path
) -> None:
    _compiled(repo, karsgit, monkeypatch)
    (repo.path / GUARD).unlink()
    built = _flux_build(repo.path, tmp_path)
    assert built.returncode != 0
    assert "EgressAllowlist" in built.stderr


def test_a_kustomize_tree_that_lists_the_bundle_directory_builds(
    repo, karsgit, monkeypatch
) -> None:
    _compiled(repo, karsgit, monkeypatch)
    repo.write(
        "kustomization.yaml",
        "resources:\n- apps/agent.yaml\n- apps/coder.yaml\n- .kars/bundles\n",
    )
    built = subprocess.run(
        ["kubectl", "kustomize", str(repo.path)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.count("kind: KarsSandbox") == 2


def test_compile_check_flags_a_missing_guard(repo, karsgit, monkeypatch) -> None:
    _compiled(repo, karsgit, monkeypatch)
    (repo.path / GUARD).unlink()
    done = karsgit("compile", "--check")
    assert done.code == 1
    assert done.out == (
        ".kars/bundles/kustomization.yaml: kustomization guard is missing "
        "(Flux would apply the bundles) (bundles.dir)\n"
    )
    assert karsgit("compile").code == 0
    assert karsgit("compile", "--check").code == 0


def test_a_kustomization_of_the_users_own_is_left_alone(repo, karsgit, monkeypatch) -> None:
    mine = "# mine\nresources: []\n"
    repo.write(".kars/bundles/kustomization.yml", mine)
    _compiled(repo, karsgit, monkeypatch)
    assert not (repo.path / GUARD).exists()
    assert (repo.path / ".kars/bundles/kustomization.yml").read_text() == mine
    assert karsgit("compile", "--check").code == 0


def test_no_bundled_sandbox_no_guard(repo, karsgit) -> None:
    # Learn with no endpoints and no ref: the one kind of sandbox with no bundle
    repo.write("apps/agent.yaml", learn_sandbox())
    repo.commit()
    assert karsgit("compile").code == 0
    assert not (repo.path / ".kars").exists()


def test_no_guard_at_the_repository_root(repo, karsgit, monkeypatch) -> None:
    """An empty kustomization at the root would make every tool apply nothing."""
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write(".karsgit.yaml", "bundles:\n  dir: .\n")
    repo.write("apps/agent.yaml", sandbox())
    repo.commit()
    # the root is refused as the bundle directory, so no guard can land there
    done = karsgit("compile")
    assert done.code == 3 and "the path is the repository root" in done.err
    assert not (repo.path / "kustomization.yaml").exists()


def test_no_guard_where_manifests_share_the_bundle_directory(repo, karsgit, monkeypatch) -> None:
    """An empty kustomization would hide the manifests beside the bundles from Flux."""
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write(".karsgit.yaml", "bundles:\n  dir: clusters\n")
    repo.write("clusters/apps/agent.yaml", sandbox())
    repo.commit()
    assert karsgit("compile").code == 0
    assert (repo.path / "clusters/kars-system/agent/allowlist.yaml").is_file()
    assert not (repo.path / "clusters/kustomization.yaml").exists()
