"""Fixtures for the egress flows: a committed GitOps repo with key-mode signing."""

from __future__ import annotations

import pytest

from tests.support.egress import AGENT, LEARNER, PASSWORD, REGISTRY, Keys


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    from karsgit.signing import generate_keypair

    folder = tmp_path_factory.mktemp("keys")
    private, public = generate_keypair(PASSWORD.encode())
    (folder / "cosign.key").write_bytes(private)
    (folder / "cosign.pub").write_bytes(public)
    return Keys(folder / "cosign.key", folder / "cosign.pub")


@pytest.fixture
def gitops(repo, keys: Keys, monkeypatch: pytest.MonkeyPatch):
    """The conftest ``repo`` with a config, two sandboxes and one commit."""
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD)
    repo.write(
        ".karsgit.yaml",
        f"bundles:\n  registry: {REGISTRY}\nsigning:\n  mode: key\n  key: {keys.private}\n",
    )
    repo.write("clusters/prod/agent.yaml", AGENT)
    repo.write("clusters/prod/learner.yaml", LEARNER)
    repo.commit("initial")
    return repo
