"""The hook path on a kustomize repository: only the roots the changed files
reach are rendered, and nothing heavy is imported."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.render import flux_repo, needs_kubectl, parsable
from tests.support.repos import Repo, sandbox
from tests.support.startup import HEAVY, PROBE

pytestmark = needs_kubectl

STAGING_HOST = """\
  - target:
      kind: KarsSandbox
    patch: |-
      - op: add
        path: /spec/networkPolicy/allowedEndpoints/-
        value:
          host: STAGING.example.com
          port: 443
"""


def staged_repo(repo: Repo) -> Repo:
    flux_repo(repo, added="Prod.example.com")
    path = repo.path / "apps/overlays/staging/kustomization.yaml"
    path.write_text(path.read_text() + STAGING_HOST)
    repo.commit("staging adds a host")
    return repo


def test_a_file_of_one_overlay_renders_that_overlay_only(repo: Repo, karsgit) -> None:
    staged_repo(repo)
    lines = parsable(karsgit("check", "-f", "parsable", "apps/overlays/prod/kustomization.yaml"))
    assert [line.split(": [")[0] for line in lines if "(host-case)" in line] == [
        "apps/overlays/prod/kustomization.yaml:15:17"
    ]
    assert not [line for line in lines if "STAGING" in line or "(learn-mode)" in line]


def test_a_base_file_reaches_every_overlay(repo: Repo, karsgit) -> None:
    staged_repo(repo)
    lines = parsable(karsgit("check", "-f", "parsable", "apps/base/sandbox.yaml"))
    hosts = sorted(line.split(": [")[0] for line in lines if "(host-case)" in line)
    assert hosts == [
        "apps/overlays/prod/kustomization.yaml:15:17",
        "apps/overlays/staging/kustomization.yaml:12:17",
    ]
    assert any("(learn-mode)" in line for line in lines)


def test_a_plain_file_in_a_kustomize_repository_renders_nothing(repo: Repo, karsgit) -> None:
    staged_repo(repo)
    repo.write("plain/sb.yaml", sandbox("plain"))
    result = karsgit("check", "-f", "parsable", "plain/sb.yaml")
    assert (result.code, result.out) == (0, "")


def loaded_modules(repo: Repo, *argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=repo.path, capture_output=True, text=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_hook_path_on_a_kustomize_repository_stays_lean(repo: Repo) -> None:
    staged_repo(repo)
    loaded = loaded_modules(repo, "check", "apps/overlays/prod/strict.yaml")
    assert "karsgit.render.mapping" in loaded  # it did render
    assert not {name.split(".")[0] for name in loaded} & set(HEAVY)


def test_plain_file_hook_run_does_not_load_the_renderer(repo: Repo) -> None:
    staged_repo(repo)
    repo.write("plain/sb.yaml", sandbox("plain"))
    loaded = loaded_modules(repo, "check", "plain/sb.yaml")
    assert "karsgit.render.kustomize" not in loaded and "karsgit.render.mapping" not in loaded
