"""compile: golden bytes, generation, no-op re-runs, --check, refusal, ref edits, atomicity."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from karsgit.bundle.canonical import oci_manifest_digest
from tests.bundles.conftest import REGISTRY, bundle_path, manifest

GOLDEN_SHA = "68cfc3c618aa23c95c5d4500d3f0fd7e3bc68b80bb917fbf159b952b9666a73a"
GOLDEN = ("dev.azure.com:443", "api.github.com:443", "api.github.com:443", "api.github.com:80")


def test_golden_vector_through_the_cli(repo, karsgit) -> None:
    repo.write("sandboxes/agent.yaml", manifest("agent", *GOLDEN))
    result = karsgit("compile")
    assert result.code == 0, result.out + result.err
    data = (repo.path / bundle_path()).read_bytes()
    assert len(data) == 224
    assert hashlib.sha256(data).hexdigest() == GOLDEN_SHA
    text = (repo.path / "sandboxes/agent.yaml").read_text()
    assert f"digest: {oci_manifest_digest(data)}" in text
    assert f"registry: {REGISTRY}" in text
    assert "repository: policy/egress-allowlist/agent" in text


def _generation(repo) -> int:
    line = (repo.path / bundle_path()).read_text().splitlines()[3]
    return int(line.split(":")[1])


def test_generation_moves_only_when_the_endpoint_set_changes(repo, karsgit) -> None:
    path = "sandboxes/agent.yaml"
    repo.write(path, manifest("agent", "a.example.com:443", "b.example.com:443"))
    assert karsgit("compile").code == 0
    assert _generation(repo) == 1
    # same set, other order: same bytes, same generation
    repo.write(path, manifest("agent", "b.example.com:443", "a.example.com:443"))
    assert karsgit("compile").code == 0
    assert _generation(repo) == 1
    repo.write(path, manifest("agent", "a.example.com:443"))
    assert karsgit("compile").code == 0
    assert _generation(repo) == 2
    repo.write(path, manifest("agent", "a.example.com:443", "c.example.com:8443"))
    assert karsgit("compile").code == 0
    assert _generation(repo) == 3


def test_compiling_twice_writes_nothing(repo, karsgit) -> None:
    repo.write("sandboxes/a.yaml", manifest("a"))
    repo.write("sandboxes/b.yaml", manifest("b", "example.com:80"))
    assert karsgit("compile").code == 0
    files = [repo.path / p for p in (bundle_path("a"), bundle_path("b"), "sandboxes/a.yaml")]
    before = [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files]
    again = karsgit("compile")
    assert again.code == 0 and again.out == ""
    assert [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files] == before
    assert karsgit("compile", "--check").code == 0


def test_compile_check_changes_nothing_and_lists_what_is_stale(repo, karsgit) -> None:
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    result = karsgit("compile", "--check")
    assert result.code == 1
    assert f"{bundle_path()}: bundle is missing (kars-system/agent)" in result.out
    assert "sandboxes/agent.yaml:2: allowlistRef is missing or out of date" in result.out
    assert not (repo.path / ".kars").exists()
    assert karsgit("compile").code == 0
    assert karsgit("compile", "--check").code == 0
    # a fresh manifest without the ref, with other endpoints: both are reported
    repo.write("sandboxes/agent.yaml", manifest("agent", "example.com:443"))
    result = karsgit("compile", "--check")
    assert result.code == 1
    assert "bundle is stale" in result.out and "allowlistRef" in result.out


def test_compile_refuses_while_check_reports_an_error(repo, karsgit) -> None:
    repo.write("sandboxes/ok.yaml", manifest("ok"))
    repo.write("sandboxes/bad.yaml", manifest("bad", "https://example.com/path:443"))
    result = karsgit("compile")
    assert result.code == 1
    assert "host-invalid" in result.out
    assert "compile refused" in result.err
    assert not (repo.path / ".kars").exists()
    assert "allowlistRef" not in (repo.path / "sandboxes/ok.yaml").read_text()


def test_missing_registry_is_a_config_error(repo, karsgit, monkeypatch) -> None:
    monkeypatch.delenv("KARS_REGISTRY")
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    result = karsgit("compile")
    assert result.code == 3
    assert "no registry" in result.err and "KARS_REGISTRY" in result.err
    assert not (repo.path / ".kars").exists()


def test_registry_and_repository_from_config(repo, karsgit, monkeypatch) -> None:
    monkeypatch.delenv("KARS_REGISTRY")
    repo.write(
        ".karsgit.yaml",
        "bundles:\n  registry: cr.example.org\n  repository: teams/{namespace}/{name}\n",
    )
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    text = (repo.path / "sandboxes/agent.yaml").read_text()
    assert "registry: cr.example.org" in text
    assert "repository: teams/kars-system/agent" in text


def test_allowlistref_edit_keeps_comments_and_other_documents(repo, karsgit) -> None:
    other = "---\n# unrelated\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x   # keep\n"
    original = manifest("agent") + other
    repo.write("sandboxes/agent.yaml", original)
    assert karsgit("compile").code == 0
    text = (repo.path / "sandboxes/agent.yaml").read_text()
    assert text.startswith("# agent: reviewed by the platform team\n")
    assert "egressMode: Strict  # never Learn in prod\n" in text
    assert text.endswith(other)
    assert "    allowlistRef:\n      registry: " in text
    # a digest change edits the ref in place
    repo.write("sandboxes/agent.yaml", text.replace("api.github.com", "example.com"))
    assert karsgit("compile").code == 0
    edited = (repo.path / "sandboxes/agent.yaml").read_text()
    assert edited.count("allowlistRef:") == 1
    assert edited.endswith(other)


def test_deny_all_marked_sandbox_gets_an_empty_bundle(repo, karsgit) -> None:
    text = (
        manifest("locked")
        .replace(
            "  namespace: kars-system\n",
            '  namespace: kars-system\n  annotations:\n    karsgit.io/deny-all: "true"\n',
        )
        .split("    allowedEndpoints:")[0]
        + "    allowedEndpoints: []\n"
    )
    repo.write("sandboxes/locked.yaml", text)
    result = karsgit("compile")
    assert result.code == 0, result.out + result.err
    data = (repo.path / bundle_path("locked")).read_bytes()
    assert data.endswith(b"spec:\n  endpoints: []\n")


def test_learn_sandboxes_without_endpoints_or_ref_get_no_bundle(repo, karsgit) -> None:
    # issue 11 item 6: a Learn sandbox *with* endpoints is bundled (test_learn_mode.py)
    text = manifest("agent").replace("Strict", "Learn")
    text = text.split("    allowedEndpoints:")[0]
    repo.write("sandboxes/agent.yaml", text)
    assert karsgit("compile").code == 0
    assert not (repo.path / ".kars").exists()


def test_interrupted_write_leaves_the_old_file_and_no_temp(repo, karsgit, monkeypatch) -> None:
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    target = repo.path / bundle_path()
    old = target.read_bytes()
    repo.write("sandboxes/agent.yaml", manifest("agent", "example.com:443"))

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    result = karsgit("compile")
    assert result.code == 3 and "No space left" in result.err
    assert target.read_bytes() == old
    leftovers = [p for p in repo.path.rglob("*.tmp")]
    assert leftovers == []


@pytest.mark.parametrize("namespace", ["team-a", "team-b"])
def test_bundles_are_filed_by_namespace(repo, karsgit, namespace: str) -> None:
    repo.write("sandboxes/agent.yaml", manifest("agent", namespace=namespace))
    assert karsgit("compile").code == 0
    assert Path(repo.path / bundle_path("agent", namespace)).is_file()
