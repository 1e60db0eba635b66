"""Every registry failure is one line and a hint (exit 3), never a traceback:
down, 401, 403, 404, 500, slow past the timeout, a manifest PUT answered with
another digest, TLS without the CA; and the ways in that should work (docker
config auths, a credential helper, a Bearer challenge, a custom CA)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.support.fakeregistry import Behaviour, fake_registry
from tests.support.registry import PASSWORD, USER, free_port
from tests.support.registry_repo import docker_config

REPO = "policy/egress-allowlist/agent-0000"


def publish(karsgit, stand, *extra: str):
    return karsgit("publish", *stand.trust, *extra)


def one_error(result) -> list[str]:
    assert result.code == 3, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if not line.startswith("karsgit: note:")]
    assert len(lines) == 2 and lines[1].startswith("hint: "), lines
    return lines


def test_registry_down(make_repo, karsgit, stand):
    host = f"127.0.0.1:{free_port()}"
    make_repo(host, 1)
    assert one_error(publish(karsgit, stand, "--plain-http")) == [
        f"karsgit: error: cannot reach registry {host}: connection refused",
        "hint: check that the registry runs and that bundles.registry (or KARS_REGISTRY) names it",
    ]


def test_verify_registry_down_is_exit_3(make_repo, karsgit):
    host = f"127.0.0.1:{free_port()}"
    make_repo(host, 1)
    result = karsgit("verify", "--registry", "--plain-http")
    assert (
        one_error(result)[0] == f"karsgit: error: cannot reach registry {host}: connection refused"
    )


def test_401_without_credentials(auth_registry, make_repo, karsgit, stand):
    make_repo(auth_registry.host, 1)
    lines = one_error(publish(karsgit, stand, "--plain-http"))
    assert lines[0] == (
        f"karsgit: error: registry {auth_registry.host}/{REPO} wants credentials (401 Unauthorized)"
    )
    assert lines[1].startswith(f"hint: log in with 'docker login {auth_registry.host}'")


def test_401_with_a_wrong_password(auth_registry, make_repo, karsgit, stand, tmp_path, monkeypatch):
    make_repo(auth_registry.host, 1)
    config = docker_config(tmp_path / "wrong", auth_registry.host, USER, "not-the-password")
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    lines = one_error(publish(karsgit, stand, "--plain-http"))
    assert lines[0].startswith(
        f"karsgit: error: registry {auth_registry.host}/{REPO} wants credentials (401"
    )


def test_basic_auth_from_docker_config(
    auth_registry, make_repo, karsgit, stand, tmp_path, monkeypatch
):
    make_repo(auth_registry.host, 2)
    config = docker_config(tmp_path / "good", auth_registry.host, USER, PASSWORD)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    result = publish(karsgit, stand, "--plain-http")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "published 2 of 2 bundle(s); 0 up to date"
    verified = karsgit("verify", "--registry", "--plain-http", *stand.trust)
    assert (verified.code, verified.out) == (0, "no findings in 2 files\n")


def test_basic_auth_from_a_credential_helper(
    auth_registry, make_repo, karsgit, stand, tmp_path, monkeypatch
):
    make_repo(auth_registry.host, 1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-karsgittest"
    answer = json.dumps({"ServerURL": auth_registry.host, "Username": USER, "Secret": PASSWORD})
    helper.write_text(
        "#!/bin/sh\n"
        '[ "$1" = get ] || exit 1\n'
        "read host\n"
        f'[ "$host" = "{auth_registry.host}" ] || {{ echo "credentials not found" >&2; exit 1; }}\n'
        f"echo '{answer}'\n"
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    config = tmp_path / "helper-config"
    config.mkdir()
    (config / "config.json").write_text(
        json.dumps({"credHelpers": {auth_registry.host: "karsgittest"}})
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = publish(karsgit, stand, "--plain-http")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "published 1 of 1 bundle(s); 0 up to date"


def test_a_missing_credential_helper(
    auth_registry, make_repo, karsgit, stand, tmp_path, monkeypatch
):
    make_repo(auth_registry.host, 1)
    config = tmp_path / "helper-config"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"credsStore": "nosuchhelper"}))
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    assert one_error(publish(karsgit, stand, "--plain-http")) == [
        "karsgit: error: the docker config names credential helper 'nosuchhelper' but "
        "docker-credential-nosuchhelper is not on PATH",
        "hint: install docker-credential-nosuchhelper "
        "or remove 'nosuchhelper' from the docker config",
    ]


def test_tls_with_the_ca_from_ssl_cert_file(tls_registry, make_repo, karsgit, stand, monkeypatch):
    make_repo(tls_registry.host, 1)
    lines = one_error(publish(karsgit, stand))
    assert lines[0].startswith(
        f"karsgit: error: TLS with {tls_registry.host} failed: CERTIFICATE_VERIFY_FAILED"
    )
    assert lines[1] == (
        "hint: for a private CA set SSL_CERT_FILE to its PEM file; "
        "for a plain-HTTP loopback registry pass --plain-http"
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_registry.ca_file))
    result = publish(karsgit, stand)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "published 1 of 1 bundle(s); 0 up to date"


def test_plain_http_against_a_tls_registry(tls_registry, make_repo, karsgit, stand):
    make_repo(tls_registry.host, 1)
    lines = one_error(publish(karsgit, stand, "--plain-http"))
    assert lines == [
        f"karsgit: error: registry {tls_registry.host}/{REPO} answered 400 Bad Request to HEAD",
        "hint: the registry speaks HTTPS: drop --plain-http",
    ]


@pytest.mark.parametrize(
    ("status", "message", "hint"),
    [
        (403, "denied access (403 Forbidden)",
         "give this identity pull (verify) or push (publish) rights on the repository"),
        (404, "answered 404 Not Found: DENIED computer says no to POST",
         "check the registry host and the repository (bundles.repository in .karsgit.yaml)"),
        (500, "failed (500 Internal Server Error) on HEAD",
         "retry later; the registry's own logs say why"),
    ],
)  # fmt: skip
def test_registry_answers_an_error(make_repo, karsgit, stand, status, message, hint):
    with fake_registry(Behaviour(status=status)) as host:
        make_repo(host, 1)
        assert one_error(publish(karsgit, stand, "--plain-http")) == [
            f"karsgit: error: registry {host}/{REPO} {message}",
            f"hint: {hint}",
        ]


def test_registry_slow_past_the_timeout(make_repo, karsgit, stand):
    with fake_registry(Behaviour(delay=2.0)) as host:
        make_repo(host, 1)
        assert one_error(publish(karsgit, stand, "--plain-http", "--timeout", "0.3")) == [
            f"karsgit: error: registry {host} did not answer within 0.3 s",
            "hint: check the registry's health, or raise --timeout",
        ]


def test_manifest_put_answered_with_another_digest(make_repo, karsgit, stand):
    other = "sha256:" + "e" * 64
    with fake_registry(Behaviour(manifest_digest=other)) as host:
        repo = make_repo(host, 1)
        from tests.support.registry_repo import ref_of

        _, digest = ref_of(repo, "agent-0000")
        assert one_error(publish(karsgit, stand, "--plain-http")) == [
            f"karsgit: error: registry {host} stored the manifest {REPO}:{digest} as {other}, "
            f"not {digest}",
            "hint: the registry rewrites manifests; the controller fetches by digest, so publish "
            "to a registry that stores manifest bytes verbatim",
        ]


def test_bearer_challenge_gets_a_token_with_docker_config_credentials(
    make_repo, karsgit, stand, tmp_path, monkeypatch
):
    behaviour = Behaviour(bearer_user=(USER, PASSWORD))
    with fake_registry(behaviour) as host:
        make_repo(host, 1)
        config = docker_config(tmp_path / "cfg", host, USER, PASSWORD)
        monkeypatch.setenv("DOCKER_CONFIG", str(config))
        result = publish(karsgit, stand, "--plain-http")
        assert result.code == 0, result.err
        assert result.out.splitlines()[-1] == "published 1 of 1 bundle(s); 0 up to date"
    scope = REPO.replace("/", "%2F")
    assert behaviour.token_requests == [
        f"/token?scope=repository%3A{scope}%3Apull%2Cpush&service=fake"
    ]
    # one unauthenticated probe, then the token on every request
    assert behaviour.requests[0] == f"HEAD /v2/{REPO}/manifests/latest -"
    assert behaviour.requests[1].startswith("GET /token?")
    assert all(r.endswith(" Bearer") for r in behaviour.requests[2:])
    assert any(r.startswith(f"PUT /v2/{REPO}/manifests/sha256-") for r in behaviour.requests)


def test_bearer_token_refused(make_repo, karsgit, stand, tmp_path, monkeypatch):
    with fake_registry(Behaviour(bearer_user=(USER, PASSWORD))) as host:
        make_repo(host, 1)
        lines = one_error(publish(karsgit, stand, "--plain-http"))
        assert lines[0] == (
            f"karsgit: error: the token service of {host} refused "
            f"repository:{REPO}:pull,push (401 Unauthorized)"
        )


def test_one_connection_carries_every_request(make_repo, karsgit, stand):
    behaviour = Behaviour()
    with fake_registry(behaviour) as host:
        make_repo(host, 3)
        result = publish(karsgit, stand, "--plain-http", "-j", "1")
        assert result.code == 0, result.err
    assert len(behaviour.requests) > 30
    assert behaviour.connections == 1
