"""Signing after an egress edit (key mode), --no-sign, failed signing, --commit."""

from __future__ import annotations

from karsgit.signing import load_public_key, verify_key_bundle, verify_key_signature
from tests.support.egress import AGENT, BUNDLE, commits, read

AGENT_YAML = "clusters/prod/agent.yaml"
SIGSTORE = BUNDLE + ".sigstore.json"
SIG = BUNDLE + ".sig"


def _verify(repo, keys) -> None:
    data = (repo.path / BUNDLE).read_bytes()
    public = load_public_key(keys.public.read_bytes())
    verify_key_bundle((repo.path / SIGSTORE).read_bytes(), data, public)
    verify_key_signature((repo.path / SIG).read_bytes(), data, public)


def test_edit_is_signed_with_the_configured_key(gitops, karsgit, keys) -> None:
    result = karsgit("egress", "agent", "--approve", "example.com")
    assert result.code == 0, result.err
    assert f"signed {BUNDLE}" in result.out
    _verify(gitops, keys)
    assert karsgit("verify", "--key", str(keys.public)).code == 0


def test_no_sign_leaves_the_bundle_unsigned_and_says_so(gitops, karsgit) -> None:
    result = karsgit("egress", "agent", "--approve", "example.com", "--no-sign")
    assert result.code == 0, result.err
    assert "NOT SIGNED" in result.out
    assert "example.com" in read(gitops, BUNDLE)
    assert not (gitops.path / SIGSTORE).exists()


def test_no_sign_is_reported_by_verify(gitops, karsgit, keys) -> None:
    assert karsgit("egress", "agent", "--approve", "example.com", "--no-sign").code == 0
    result = karsgit("verify", "--key", str(keys.public))
    assert result.code == 1
    assert "signature-missing" in result.out


def test_failed_signing_keeps_the_edit_and_the_old_signature(gitops, karsgit, keys, monkeypatch):
    assert karsgit("egress", "agent", "--approve", "example.com", "--commit").code == 0
    old_signature = (gitops.path / SIGSTORE).read_bytes()
    monkeypatch.setenv("COSIGN_PASSWORD", "wrong password")
    result = karsgit("egress", "agent", "--approve", "example.org", "--commit")
    assert result.code == 3
    assert "NOT YET SIGNED" in result.err
    assert "COSIGN_PASSWORD" in result.err
    assert "example.org" in read(gitops, AGENT_YAML)
    assert "example.org" in read(gitops, BUNDLE)
    assert (gitops.path / SIGSTORE).read_bytes() == old_signature
    assert commits(gitops) == 2  # the unsigned change was not committed
    monkeypatch.setenv("COSIGN_PASSWORD", "egress pw")
    assert karsgit("sign").code == 0
    _verify(gitops, keys)


def test_missing_signing_mode_is_a_usage_error_before_any_write(gitops, karsgit) -> None:
    gitops.write(".karsgit.yaml", "bundles:\n  registry: registry.example.test\n")
    result = karsgit("egress", "agent", "--approve", "example.com")
    assert result.code == 2
    assert "no signing mode configured" in result.err
    assert read(gitops, AGENT_YAML) == AGENT


def test_missing_registry_stops_before_any_write(gitops, karsgit, monkeypatch) -> None:
    monkeypatch.delenv("KARS_REGISTRY", raising=False)
    gitops.write(".karsgit.yaml", "signing:\n  mode: none\n")
    result = karsgit("egress", "agent", "--approve", "example.com")
    assert result.code == 3
    assert "no registry" in result.err
    assert read(gitops, AGENT_YAML) == AGENT


def test_commit_makes_exactly_one_commit_naming_the_sandbox(gitops, karsgit) -> None:
    gitops.write("notes.txt", "unrelated, staged\n")
    gitops.git("add", "notes.txt")
    before = commits(gitops)
    result = karsgit(
        "egress", "agent", "--approve", "example.com", "--deny", "pyindex.org", "--commit"
    )
    assert result.code == 0, result.err
    assert commits(gitops) == before + 1
    message = gitops.git("log", "-1", "--format=%B")
    assert message.startswith("egress kars-system/agent: ")
    assert "denied pyindex.org: removed pyindex.org:443" in message
    assert "approved example.com:443" in message
    assert "signed" in message
    files = set(gitops.git("show", "--name-only", "--format=", "HEAD").split())
    # the first bundle brings the kustomization guard of the bundle directory
    assert files == {AGENT_YAML, BUNDLE, SIGSTORE, SIG, ".kars/bundles/kustomization.yaml"}
    assert gitops.git("diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert gitops.git("status", "--porcelain", "--", "clusters", ".kars") == ""


def test_commit_of_a_mode_change(gitops, karsgit) -> None:
    result = karsgit("egress", "learner", "--approve", "example.com", "--enforce", "--commit")
    assert result.code == 0, result.err
    subject = gitops.git("log", "-1", "--format=%s").strip()
    assert subject == "egress kars-system/learner: approve example.com:443, set Strict"
