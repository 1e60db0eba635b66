"""Kustomizations karsgit cannot render: each a finding at the kustomization's
line, or one error line with a hint; never a traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.render import STRICT_PATCH, flux_repo, needs_kubectl, parsable
from tests.support.repos import Repo

pytestmark = needs_kubectl


def rule_lines(result: object, rule: str) -> list[str]:
    return [line for line in parsable(result) if line.endswith(f"({rule})")]


def test_missing_resource_reports_kustomizes_message_at_the_entry(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("apps/overlays/broken/kustomization.yaml",
               "resources:\n  - ../../base\n  - missing.yaml\n")  # fmt: skip
    result = karsgit("check", "-f", "parsable")
    [line] = rule_lines(result, "render-failed")
    assert line.startswith(
        "apps/overlays/broken/kustomization.yaml:3:5: [error] kustomize cannot render "
        "'apps/overlays/broken': accumulating resources: accumulation err='accumulating "
        "resources from 'missing.yaml':"
    ), line
    assert "missing.yaml" in line and "/tmp" not in line and str(repo.path) not in line
    assert result.code == 1


def test_bad_patch_reports_kustomizes_message(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write(
        "apps/overlays/badpatch/kustomization.yaml",
        "resources:\n  - ../../base\npatches:\n  - target:\n      kind: KarsSandbox\n"
        "    patch: |-\n      - op: replace\n        path: /spec/nothing/here\n"
        "        value: 1\n",
    )
    [line] = rule_lines(karsgit("check", "-f", "parsable"), "render-failed")
    assert line.startswith("apps/overlays/badpatch/kustomization.yaml:1:1: [error] kustomize "
                           "cannot render 'apps/overlays/badpatch': ")  # fmt: skip
    assert "/spec/nothing/here" in line


@pytest.mark.parametrize(("field", "what"), [("resources", "base"), ("components", "component")])
def test_remote_base_or_component_is_named_not_fetched(
    repo: Repo, karsgit, field: str, what: str
) -> None:
    flux_repo(repo)
    remote = "github.com/example/gitops//apps/base?ref=v1.2.0"
    repo.write(
        "apps/overlays/remote/kustomization.yaml",
        f"resources:\n  - ../../base\n{field}:\n  - {remote}\n"
        if field != "resources"
        else f"resources:\n  - ../../base\n  - {remote}\n",
    )
    result = karsgit("check", "-f", "parsable")
    line_no = 4 if field != "resources" else 3
    assert rule_lines(result, "render-remote") == [
        f"apps/overlays/remote/kustomization.yaml:{line_no}:5: [error] remote {what} "
        f"'{remote}' is not fetched (karsgit renders offline); this root is judged file by "
        "file (render-remote)"
    ]


def test_helm_charts_need_enable_helm(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write(
        "apps/overlays/helm/kustomization.yaml",
        "resources:\n  - ../../base\nhelmCharts:\n  - name: podinfo\n    repo: "
        "https://charts.example.com\n    version: 6.0.0\n",
    )
    assert rule_lines(karsgit("check", "-f", "parsable"), "render-helm") == [
        "apps/overlays/helm/kustomization.yaml:3:1: [error] helm chart inflation needs "
        "'kustomize build --enable-helm' and helm; not rendered, this root is judged file by "
        "file (render-helm)"
    ]


def test_cycle_of_includes(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("loop/a/kustomization.yaml", "resources:\n  - ../b\n")
    repo.write("loop/b/kustomization.yaml", "resources:\n  - ../a\n")
    result = karsgit("check", "-f", "parsable")
    assert rule_lines(result, "render-cycle") == [
        "loop/b/kustomization.yaml:2:5: [error] 'loop/a' includes this kustomization again "
        "(a cycle of includes) (render-cycle)"
    ]
    assert result.code == 1


def test_cycle_reached_from_a_root_is_not_rendered(repo: Repo, karsgit) -> None:
    repo.write("loop/a/kustomization.yaml", "resources:\n  - ../b\n")
    repo.write("loop/b/kustomization.yaml", "resources:\n  - ../a\n")
    repo.write("top/kustomization.yaml", "resources:\n  - ../loop/a\n")
    result = karsgit("check", "-f", "parsable")
    assert len(rule_lines(result, "render-cycle")) == 1
    assert not rule_lines(result, "render-failed")


def test_kustomize_missing_is_exit_3_with_an_install_hint(
    repo: Repo, karsgit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flux_repo(repo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("git") or "/usr/bin/git", bin_dir / "git")
    monkeypatch.setenv("PATH", str(bin_dir))
    result = karsgit("check")
    assert result.code == 3
    assert result.err.splitlines() == [
        "karsgit: error: kustomize or kubectl is not on PATH; the repository has "
        "kustomizations to render",
        "hint: install kubectl (it ships kustomize v5) or the kustomize binary, or set "
        "'render: {enabled: false}' in .karsgit.yaml to judge the raw files",
    ]


@pytest.mark.parametrize(
    ("setting", "key"),
    [("renderer: helm", "render.renderer"), ("timeout: 0", "render.timeout"),
     ("timeout: soon", "render.timeout"), ("timeout: true", "render.timeout")],
)  # fmt: skip
def test_bad_render_config_is_a_config_error(repo: Repo, karsgit, setting: str, key: str) -> None:
    flux_repo(repo)
    repo.write(".karsgit.yaml", f"render:\n  {setting}\n")
    result = karsgit("check")
    assert result.code == 3
    assert result.err.startswith(f"karsgit: error: {repo.path / '.karsgit.yaml'}:2: key '{key}'")


def test_failed_root_leaves_patch_files_as_fragments(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("apps/overlays/broken/kustomization.yaml",
               "resources:\n  - missing.yaml\npatches:\n  - path: strict.yaml\n")  # fmt: skip
    repo.write("apps/overlays/broken/strict.yaml", STRICT_PATCH)
    lines = parsable(karsgit("check", "-f", "parsable"))
    assert not [line for line in lines if line.startswith("apps/overlays/broken/strict.yaml")]


def test_rendered_output_over_the_size_limit(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write(".karsgit.yaml", "max_file_bytes: 1200\n")
    lines = parsable(karsgit("check", "-f", "parsable"))
    [too_large] = [line for line in lines if line.endswith("(file-too-large)")]
    assert too_large.startswith(
        "apps/overlays/prod/kustomization.yaml:1:1: [error] rendered output of "
        "'apps/overlays/prod' is "
    )
    assert too_large.endswith("over the 1200-byte limit; judged file by file (file-too-large)")


def test_hook_reports_a_cycle_only_when_it_touches_one(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("loop/a/kustomization.yaml", "resources:\n  - ../b\n")
    repo.write("loop/b/kustomization.yaml", "resources:\n  - ../a\n")
    elsewhere = karsgit("check", "-f", "parsable", "apps/overlays/prod/strict.yaml")
    assert not rule_lines(elsewhere, "render-cycle")
    touched = karsgit("check", "-f", "parsable", "loop/b/kustomization.yaml")
    assert len(rule_lines(touched, "render-cycle")) == 1
