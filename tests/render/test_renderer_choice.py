"""Which kustomize renders: the binary when on PATH, else kubectl kustomize, or
what render.renderer says. The `kustomize` on PATH here is a shim that runs the
real kustomize inside kubectl and logs its arguments."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.render import flux_repo, needs_kubectl, parsable
from tests.support.repos import Repo

pytestmark = needs_kubectl

SHIM = """#!/bin/sh
echo "$@" >> "{log}"
[ "$1" = build ] || exit 2
exec "{kubectl}" kustomize "$2"
"""


def shim_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_kubectl: bool) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "kustomize.log"
    kubectl = shutil.which("kubectl") or "kubectl"
    shim = bin_dir / "kustomize"
    shim.write_text(SHIM.format(log=log, kubectl=kubectl))
    shim.chmod(0o755)
    os.symlink(shutil.which("git") or "/usr/bin/git", bin_dir / "git")
    if with_kubectl:
        os.symlink(kubectl, bin_dir / "kubectl")
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def test_auto_prefers_the_kustomize_binary(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flux_repo(repo, added="Evil-Exfil.example.net")
    log = shim_path(tmp_path, monkeypatch, with_kubectl=True)
    result = karsgit("check", "-f", "parsable")
    assert any("Evil-Exfil" in line for line in parsable(result))
    assert sorted(line.split()[0] for line in log.read_text().splitlines()) == ["build"] * 3


def test_renderer_kubectl_skips_the_binary(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flux_repo(repo, added="Evil-Exfil.example.net")
    repo.write(".karsgit.yaml", "render:\n  renderer: kubectl\n")
    log = shim_path(tmp_path, monkeypatch, with_kubectl=True)
    assert any("Evil-Exfil" in line for line in parsable(karsgit("check", "-f", "parsable")))
    assert not log.exists()


def test_renderer_kustomize_without_the_binary(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flux_repo(repo)
    repo.write(".karsgit.yaml", "render:\n  renderer: kustomize\n")
    shim_path(tmp_path, monkeypatch, with_kubectl=True)
    (tmp_path / "bin" / "kustomize").unlink()
    result = karsgit("check")
    assert result.code == 3
    assert result.err.splitlines()[0] == (
        "karsgit: error: kustomize is not on PATH; the repository has kustomizations to render"
    )


@pytest.mark.parametrize("command", [("compile", "--check"), ("verify",)])
def test_compile_and_verify_render_each_root_once(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    """They plan from the renders of their own check, not from renders of their own."""
    flux_repo(repo)
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    log = shim_path(tmp_path, monkeypatch, with_kubectl=True)
    karsgit(*command)
    rendered = [line.split()[1] for line in log.read_text().splitlines()]
    assert len(rendered) == 3 and len(set(rendered)) == 3, rendered


def test_a_root_of_100000_objects_stops_at_the_render_timeout(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kustomize itself needs minutes for 100,000 objects (kubectl v1.32 was still
    rendering these after 12 minutes): the render is stopped, once, and named."""
    repo.write(".karsgit.yaml", "render:\n  timeout: 2\n")
    repo.write("app/kustomization.yaml", "resources:\n  - objects.yaml\n")
    repo.write("app/objects.yaml", "".join(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n---\n"
        for i in range(100_000)
    ))  # fmt: skip
    repo.commit("a large root")
    log = shim_path(tmp_path, monkeypatch, with_kubectl=True)
    result = karsgit("check")
    assert result.out.splitlines()[:3] == [
        "app/kustomization.yaml",
        "  1:1       error    kustomize cannot render 'app': kustomize did not finish within "
        "render.timeout (2 s)  (render-failed)",
        "    hint: raise render.timeout in .karsgit.yaml, or render it elsewhere and pipe the "
        "output into 'karsgit check -'",
    ]
    # stopped once: no second run to get a message (a failed render runs again)
    assert len(log.read_text().splitlines()) == 1


def test_the_hook_renders_the_root_its_file_reaches_once(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flux_repo(repo, added="Evil-Exfil.example.net")
    log = shim_path(tmp_path, monkeypatch, with_kubectl=True)
    result = karsgit("check", "-f", "parsable", "apps/overlays/prod/kustomization.yaml")
    assert [line.split(": [")[0] for line in parsable(result) if "Evil-Exfil" in line] == [
        "apps/overlays/prod/kustomization.yaml:15:17"
    ]
    assert len(log.read_text().splitlines()) == 1
