"""Registry credentials as docker, oras and cosign find them.

``$DOCKER_CONFIG/config.json`` (default ``~/.docker/config.json``): a
``credHelpers`` entry for the host wins, then ``credsStore``, then ``auths``
(``auth`` = base64 ``user:password``, or ``username``/``password``, or an
``identitytoken``). Helpers are the ``docker-credential-<name>`` programs that
``docker login`` and cloud CLIs install; a helper that knows nothing about the
host means anonymous, as in docker.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from karsgit.errors import KarsgitError

# docker-credential helpers answer Username "<token>" for an OAuth2 refresh token
TOKEN_USER = "<token>"
_HELPER_TIMEOUT = 30.0
_LOGIN_HINT = "run 'docker login {host}' (or fix $DOCKER_CONFIG/config.json)"


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    secret: str

    @property
    def refresh_token(self) -> str | None:
        return self.secret if self.username == TOKEN_USER else None

    def basic(self) -> str:
        pair = f"{self.username}:{self.secret}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


def config_path() -> Path:
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def credentials_for(host: str) -> Credentials | None:
    """The credentials docker would use for ``host``; None for anonymous."""
    config = _load(config_path())
    helpers = config.get("credHelpers")
    helper = helpers.get(host) if isinstance(helpers, dict) else None
    if not helper and isinstance(config.get("credsStore"), str):
        helper = config["credsStore"]
    if isinstance(helper, str) and helper:
        found = _from_helper(helper, host)
        if found is not None:
            return found
    auths = config.get("auths")
    entry = _auth_entry(auths, host) if isinstance(auths, dict) else None
    return _from_entry(entry, host) if entry is not None else None


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise KarsgitError(
            f"cannot read {path}: {error.strerror or error}",
            "fix its permissions or point DOCKER_CONFIG elsewhere",
        ) from error
    try:
        data = json.loads(text)
    except ValueError as error:
        raise KarsgitError(
            f"{path} is not valid JSON: {error}", "fix the file or point DOCKER_CONFIG elsewhere"
        ) from error
    if not isinstance(data, dict):
        raise KarsgitError(f"{path} is not a JSON object", "fix the docker config file")
    return data


def _auth_entry(auths: dict[str, Any], host: str) -> Any:
    """``auths`` keys may carry a scheme and a path (``https://index.docker.io/v1/``)."""
    for key, entry in auths.items():
        bare = key.split("://", 1)[-1].split("/", 1)[0]
        if bare == host:
            return entry
    return None


def _from_entry(entry: Any, host: str) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("identitytoken"), str) and entry["identitytoken"]:
        return Credentials(TOKEN_USER, entry["identitytoken"])
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        user = sep = secret = ""
        try:
            user, sep, secret = (
                base64.b64decode(entry["auth"], validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            sep = ""
        if not sep:
            raise KarsgitError(
                f"the docker config entry for {host} has an 'auth' that is not "
                "base64 'user:password'",
                _LOGIN_HINT.format(host=host),
            )
        return Credentials(user, secret)
    name, password = entry.get("username"), entry.get("password")
    if isinstance(name, str) and isinstance(password, str) and name:
        return Credentials(name, password)
    return None


def _from_helper(helper: str, host: str) -> Credentials | None:
    program = f"docker-credential-{helper}"
    try:
        done = subprocess.run(
            [program, "get"],
            input=host.encode(),
            capture_output=True,
            timeout=_HELPER_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as error:
        raise KarsgitError(
            f"the docker config names credential helper '{helper}' but {program} is not on PATH",
            f"install {program} or remove '{helper}' from the docker config",
        ) from error
    except subprocess.TimeoutExpired as error:
        raise KarsgitError(
            f"{program} did not answer within {_HELPER_TIMEOUT:.0f} s",
            "check the credential helper (it may be waiting for a prompt)",
        ) from error
    if done.returncode != 0:
        # "credentials not found in native keychain": docker goes on anonymously too
        return None
    try:
        answer = json.loads(done.stdout)
        user, secret = answer["Username"], answer["Secret"]
    except (ValueError, KeyError, TypeError) as error:
        raise KarsgitError(
            f"{program} answered something that is not its JSON credentials",
            f"run 'echo {host} | {program} get' to see its answer",
        ) from error
    if not isinstance(user, str) or not isinstance(secret, str):
        raise KarsgitError(f"{program} answered non-string credentials", "fix the helper")
    return Credentials(user, secret)
