"""verify --offline: the public-good root from sigstore-python's cache or its
embedded copy, never the network, and the note says which one was used."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from tests.support.bundles import manifest
from tests.support.fakesigstore import DEFAULT_IDENTITY

CACHE = f"sigstore-python/tuf/{quote('https://tuf-repo-cdn.sigstore.dev', safe='')}"


@pytest.fixture
def signed(repo, karsgit, fake):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0
    token = fake.sigstore.identity_token()
    done = karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(fake.trust_config)
    )
    assert done.code == 0, done.err
    return repo


def _verify(karsgit, fake, *extra: str):
    return karsgit(
        "verify",
        "-f",
        "parsable",
        "--cert-identity",
        DEFAULT_IDENTITY,
        "--cert-oidc-issuer",
        fake.sigstore.oidc_issuer,
        "--offline",
        *extra,
    )


def test_embedded_root_when_nothing_is_cached(signed, karsgit, fake, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    done = _verify(karsgit, fake)
    first = done.err.splitlines()[0]
    assert first.startswith(
        "karsgit: note: offline: public-good trust root from the copy embedded in sigstore-python "
    )
    # the public-good root does not trust the local test instance: a real check ran
    assert done.code == 1
    assert "(signature-invalid)" in done.out
    assert not (tmp_path / "empty-cache").exists()  # nothing written to the cache


def test_cached_root_is_preferred_and_named(signed, karsgit, fake, monkeypatch, tmp_path) -> None:
    cache = tmp_path / "cache"
    target = cache / CACHE / "trusted_root.json"
    target.parent.mkdir(parents=True)
    # stands in for a root an earlier online run stored: here, the test instance's
    shutil.copyfile(fake.trusted_root, target)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    done = _verify(karsgit, fake)
    assert done.code == 0, done.out + done.err
    note = done.err.splitlines()[0]
    source = f"sigstore-python's cache {target} (stored "
    assert note.startswith(f"karsgit: note: offline: public-good trust root from {source}")


def test_a_trust_config_needs_no_offline_root(signed, karsgit, fake, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    done = _verify(karsgit, fake, "--trust-config", str(fake.trusted_root))
    assert done.code == 0, done.out
    assert "offline" not in done.err


def test_a_damaged_cache_is_a_one_line_error(signed, karsgit, fake, monkeypatch, tmp_path) -> None:
    target = tmp_path / "cache" / CACHE / "trusted_root.json"
    target.parent.mkdir(parents=True)
    target.write_text("{not json")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    done = _verify(karsgit, fake)
    assert done.code == 3
    assert done.err.splitlines()[0].startswith(
        "karsgit: error: the public-good trust root from sigstore-python's cache "
    )
    assert done.err.splitlines()[1].startswith("hint: run once with network access")


def test_without_network_the_hint_names_offline(signed, karsgit, fake, monkeypatch) -> None:
    from sigstore.errors import Error
    from sigstore.models import ClientTrustConfig

    def unreachable(*args: object, **kwargs: object) -> ClientTrustConfig:
        raise Error("Failed to refresh TUF metadata")

    # stands in for the TUF fetch failing without network (no test touches the internet)
    monkeypatch.setattr(ClientTrustConfig, "production", unreachable)
    done = karsgit(
        "verify", "--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer",
        fake.sigstore.oidc_issuer,
    )  # fmt: skip
    assert done.code == 3
    lines = done.err.splitlines()
    assert lines[0] == (
        "karsgit: error: cannot fetch the public-good sigstore trust root: "
        "Failed to refresh TUF metadata"
    )
    assert lines[1].endswith("; verify also has --offline")
