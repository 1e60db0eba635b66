"""`karsgit diff` on a kustomize repository: both revisions rendered per root, so
an overlay-only change is shown (judged raw, it was 'no egress changes')."""

from __future__ import annotations

import json

from tests.support.render import flux_repo, needs_kubectl
from tests.support.repos import Repo

pytestmark = needs_kubectl

PROD = "apps/overlays/prod/kustomization.yaml"


def overlay_adds_a_host(repo: Repo) -> None:
    flux_repo(repo, added="api.github.com")
    repo.git("checkout", "-q", "-b", "feature")
    text = (repo.path / PROD).read_text()
    repo.write(PROD, text.replace("host: api.github.com", "host: evil-exfil.example.net"))
    repo.commit("prod adds a host")


def test_overlay_only_json6902_host_shows_in_the_diff(repo: Repo, karsgit) -> None:
    overlay_adds_a_host(repo)
    result = karsgit("diff", "main", "HEAD", "--format", "json")
    assert result.code == 0
    entries = json.loads(result.out)["sandboxes"]
    assert [(e["namespace"], e["name"], e["path"], e["status"]) for e in entries] == [
        ("kars-system", "research-agent", PROD, "changed")
    ]
    assert [a["endpoint"] for a in entries[0]["added"]] == ["evil-exfil.example.net:443"]


def test_markdown_names_the_root(repo: Repo, karsgit) -> None:
    overlay_adds_a_host(repo)
    out = karsgit("diff", "main", "HEAD", "--format", "markdown").out
    assert "no egress changes" not in out
    assert f"<code>kars-system/research-agent</code> ({PROD})" in out


def test_work_tree_side_is_rendered_too(repo: Repo, karsgit) -> None:
    flux_repo(repo, added="api.github.com")
    staging = repo.path / "apps/overlays/staging/strict.yaml"
    staging.write_text(staging.read_text().replace("Strict", "Learn"))
    entries = json.loads(karsgit("diff", "main", "--format", "json").out)["sandboxes"]
    assert [(e["path"], e["mode_before"], e["mode_after"]) for e in entries] == [
        ("apps/overlays/staging/kustomization.yaml", "Strict", "Learn")
    ]


def test_rendering_off_keeps_the_file_by_file_diff(repo: Repo, karsgit) -> None:
    overlay_adds_a_host(repo)
    repo.write(".karsgit.yaml", "render:\n  enabled: false\n")
    out = karsgit("diff", "main", "HEAD", "--format", "markdown").out
    assert "no egress changes" in out
