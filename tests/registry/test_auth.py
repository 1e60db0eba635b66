"""Docker config lookup: which credentials docker would use for a host."""

from __future__ import annotations

import base64
import json

import pytest

from karsgit.errors import KarsgitError
from karsgit.registry.auth import TOKEN_USER, Credentials, credentials_for


def write(tmp_path, monkeypatch, doc: object) -> None:
    (tmp_path / "config.json").write_text(json.dumps(doc))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"auth": b64("user:pa:ss")}, Credentials("user", "pa:ss")),
        ({"username": "u", "password": "p"}, Credentials("u", "p")),
        ({"identitytoken": "refresh"}, Credentials(TOKEN_USER, "refresh")),
        ({}, None),
    ],
)
def test_auths_entry(tmp_path, monkeypatch, entry, expected):
    write(tmp_path, monkeypatch, {"auths": {"registry.example.test": entry}})
    assert credentials_for("registry.example.test") == expected
    assert credentials_for("other.example.test") is None


def test_auths_key_with_scheme_and_path(tmp_path, monkeypatch):
    write(
        tmp_path,
        monkeypatch,
        {"auths": {"https://registry.example.test/v1/": {"auth": b64("a:b")}}},
    )
    assert credentials_for("registry.example.test") == Credentials("a", "b")


def test_no_config_is_anonymous(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "absent"))
    assert credentials_for("registry.example.test") is None


def test_identity_token_is_a_refresh_token():
    assert Credentials(TOKEN_USER, "r").refresh_token == "r"
    assert Credentials("user", "p").refresh_token is None
    assert Credentials("user", "p").basic() == "Basic " + b64("user:p")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "is not a JSON object"),
        (json.dumps({"auths": {"r.test": {"auth": "!!!"}}}), "has an 'auth' that is not base64"),
    ],
)
def test_broken_config_is_one_error(tmp_path, monkeypatch, text, message):
    (tmp_path / "config.json").write_text(text)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    with pytest.raises(KarsgitError) as caught:
        credentials_for("r.test")
    assert message in caught.value.message
    assert caught.value.hint
