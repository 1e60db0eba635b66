"""`check --base` on a kustomize repository: both sides rendered, edits judged on
the rendered objects per root, at the line that made them."""

from __future__ import annotations

from tests.support.render import flux_repo, needs_kubectl, parsable
from tests.support.repos import Repo

pytestmark = needs_kubectl

PROD = "apps/overlays/prod/kustomization.yaml"


def test_overlay_only_added_host_is_caught_at_the_op_line(repo: Repo, karsgit) -> None:
    flux_repo(repo, added="api.github.com")
    text = (repo.path / PROD).read_text()
    repo.write(PROD, text.replace("host: api.github.com", "host: evil-exfil.example.net"))
    result = karsgit("check", "--base", "main", "-f", "parsable")
    assert [line for line in parsable(result) if "(egress-widened)" in line] == [
        f"{PROD}:15:17: [info] KarsSandbox kars-system/research-agent adds egress to "
        "evil-exfil.example.net:443 (egress-widened)"
    ]


def test_relaxing_an_overlay_patch_is_mode_relaxed_at_the_patch(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    patch = repo.path / "apps/overlays/staging/strict.yaml"
    patch.write_text(patch.read_text().replace("egressMode: Strict", "egressMode: Learn"))
    result = karsgit("check", "--base", "main", "-f", "parsable")
    assert result.code == 1
    assert [line for line in parsable(result) if "(mode-relaxed)" in line] == [
        "apps/overlays/staging/strict.yaml:7:17: [error] KarsSandbox kars-system/research-agent "
        "goes from Strict to Learn, which lets all egress through (mode-relaxed)"
    ]


def test_base_edit_reaches_every_overlay_once_per_root(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    base = repo.path / "apps/base/sandbox.yaml"
    base.write_text(base.read_text() + "      - host: new.example.com\n        port: 443\n")
    lines = [
        line
        for line in parsable(karsgit("check", "--base", "main", "-f", "parsable"))
        if "(egress-widened)" in line
    ]
    # prod and staging render the same object at the same line: reported once;
    # the learn overlay's sandbox lives in another namespace.
    assert lines == [
        "apps/base/sandbox.yaml:13:15: [info] KarsSandbox kars-learn/research-agent adds egress "
        "to new.example.com:443 (egress-widened)",
        "apps/base/sandbox.yaml:13:15: [info] KarsSandbox kars-system/research-agent adds "
        "egress to new.example.com:443 (egress-widened)",
    ]


def test_no_change_to_a_root_renders_nothing_at_base(repo: Repo, karsgit) -> None:
    flux_repo(repo)
    repo.write("README.md", "# docs only\n")
    result = karsgit("check", "--base", "main", "-f", "parsable")
    assert (result.code, result.out) == (0, "")
