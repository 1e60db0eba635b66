"""A distribution-spec (OCI) registry client on the standard library's http.client.

Only what publishing and reading bundles needs: blobs and manifests by digest
(HEAD, GET, PUT), tag PUT, cross-repository blob mounts. Manifests go up as the
caller's exact bytes (the digest is the sha256 of those bytes), and every
manifest PUT must be answered with the same ``Docker-Content-Digest``.

Each thread keeps one keep-alive connection per host, so a thread pool reuses
connections. Credentials come from the docker configuration (``auth``); a 401
answer's ``WWW-Authenticate`` challenge decides between Basic and a Bearer
token (cached per repository and action set). TLS trusts the system store,
which OpenSSL extends through ``SSL_CERT_FILE``/``SSL_CERT_DIR``;
``plain_http`` is for loopback registries, as ``oras --plain-http``.

Every failure is a :class:`RegistryError` (one line and a hint); 404 on a
lookup is an answer (None), not an error.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urljoin, urlsplit

from karsgit.errors import KarsgitError
from karsgit.registry import auth

DEFAULT_TIMEOUT = 30.0
PULL = "pull"
PUSH = "pull,push"
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
_ACCEPT = ", ".join(MANIFEST_TYPES)
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
_AGENT = "karsgit"
_REACH_HINT = "check that the registry runs and that bundles.registry (or KARS_REGISTRY) names it"


class RegistryError(KarsgitError):
    """The registry could not be reached or refused a request (exit 3)."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    reason: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @property
    def digest(self) -> str | None:
        return self.headers.get("docker-content-digest")


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Registry:
    """One registry host (``host[:port]``); safe to share between threads."""

    def __init__(
        self,
        host: str,
        *,
        plain_http: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        write: bool = False,
    ) -> None:
        self.host = host
        # one token scope for every request: a publisher asks for push once per repository
        self.actions = PUSH if write else PULL
        self.scheme = "http" if plain_http else "https"
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._credentials: auth.Credentials | None = None
        self._credentials_read = False
        self._basic: str | None = None  # once the registry asked for Basic
        self._tokens: dict[tuple[str, str], str] = {}
        self._ssl: ssl.SSLContext | None = None
        self._opened: list[http.client.HTTPConnection] = []  # every thread's, for close()

    # -- the operations -------------------------------------------------------

    def blob_exists(self, repo: str, digest: str) -> bool:
        answer = self._call("HEAD", repo, f"blobs/{digest}", ok=(200, 404))
        return answer.status == 200

    def get_blob(self, repo: str, digest: str) -> bytes | None:
        answer = self._call("GET", repo, f"blobs/{digest}", ok=(200, 404))
        return answer.body if answer.status == 200 else None

    def push_blob(self, repo: str, data: bytes, mount_from: str | None = None) -> bool:
        """Mount ``data`` from ``mount_from`` (which may be ``repo`` itself: a blob
        the repository holds mounts in place), else upload it (POST then PUT).
        True when the bytes were sent."""
        digest = sha256(data)
        query = {"mount": digest, "from": mount_from} if mount_from else {}
        start = self._call("POST", repo, "blobs/uploads/", ok=(201, 202), query=query)
        if start.status == 201:
            return False
        location = start.headers.get("location")
        if not location:
            raise RegistryError(
                f"registry {self.host} started an upload to {repo} without a Location",
                "this registry does not follow the distribution spec",
            )
        url = urljoin(self._url(repo, "blobs/uploads/"), location)
        url += ("&" if "?" in url else "?") + urlencode({"digest": digest})
        headers = {"Content-Type": "application/octet-stream"}
        self._call("PUT", repo, url, ok=(201,), body=data, headers=headers)
        return True

    def manifest_digest(self, repo: str, reference: str) -> str | None:
        """The digest a tag or digest resolves to (HEAD); None when there is none."""
        answer = self._call(
            "HEAD", repo, f"manifests/{reference}", ok=(200, 404), headers=_accept()
        )
        if answer.status == 404:
            return None
        return answer.digest or (reference if reference.startswith("sha256:") else None)

    def get_manifest(self, repo: str, reference: str) -> Response | None:
        answer = self._call("GET", repo, f"manifests/{reference}", ok=(200, 404), headers=_accept())
        return answer if answer.status == 200 else None

    def put_manifest(self, repo: str, reference: str, media_type: str, data: bytes) -> None:
        """PUT the exact bytes; the registry must answer with their digest."""
        headers = {"Content-Type": media_type}
        answer = self._call(
            "PUT", repo, f"manifests/{reference}", ok=(201,), body=data, headers=headers
        )
        want = sha256(data)
        if answer.digest is not None and answer.digest != want:
            raise RegistryError(
                f"registry {self.host} stored the manifest {repo}:{reference} as "
                f"{answer.digest}, not {want}",
                "the registry rewrites manifests; the controller fetches by digest, "
                "so publish to a registry that stores manifest bytes verbatim",
            )

    def close(self) -> None:
        """Close every thread's connections (call once the threads are done)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    # -- one request, with auth -----------------------------------------------

    def _url(self, repo: str, tail: str) -> str:
        return f"{self.scheme}://{self.host}/v2/{quote(repo)}/{tail}"

    def _call(
        self,
        method: str,
        repo: str,
        tail: str,
        *,
        ok: tuple[int, ...],
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Response:
        url = tail if "://" in tail else self._url(repo, tail)
        if query:
            url += "?" + urlencode(query)
        sent = dict(headers or {})
        actions = self.actions
        answer = self._attempt(method, url, body, sent, repo, actions)
        if answer.status == 401:
            # one challenge answered (Basic or a Bearer token), then the verdict stands
            self._answer_challenge(answer, repo, actions)
            answer = self._attempt(method, url, body, sent, repo, actions)
        if answer.status not in ok:
            raise self._failure(method, repo, answer)
        return answer

    def _attempt(
        self,
        method: str,
        url: str,
        body: bytes | None,
        sent: dict[str, str],
        repo: str,
        actions: str,
    ) -> Response:
        authorization = self._authorization(repo, actions)
        if authorization:
            sent["Authorization"] = authorization
        return self._request(method, url, body, sent)

    def _authorization(self, repo: str, actions: str) -> str | None:
        token = self._tokens.get((repo, actions))
        if token is not None:
            return f"Bearer {token}"
        return self._basic

    def _answer_challenge(self, answer: Response, repo: str, actions: str) -> None:
        header = answer.headers.get("www-authenticate", "")
        scheme, _, rest = header.partition(" ")
        params = dict(_CHALLENGE.findall(rest))
        credentials = self._read_credentials()
        if scheme.lower() == "basic":
            if credentials is None:
                raise self._failure("", repo, answer)
            self._basic = credentials.basic()
        elif scheme.lower() == "bearer" and params.get("realm"):
            scope = f"repository:{repo}:{actions}"
            token = self._fetch_token(params, scope, credentials)
            with self._lock:
                self._tokens[(repo, actions)] = token
        else:
            raise self._failure("", repo, answer)

    def _read_credentials(self) -> auth.Credentials | None:
        with self._lock:
            if not self._credentials_read:
                self._credentials = auth.credentials_for(self.host)
                self._credentials_read = True
            return self._credentials

    def _fetch_token(
        self, params: Mapping[str, str], scope: str, credentials: auth.Credentials | None
    ) -> str:
        realm = params["realm"]
        form = {"scope": scope, **({"service": params["service"]} if "service" in params else {})}
        refresh = credentials.refresh_token if credentials else None
        if refresh:
            # an identity token (ACR, docker login --identity-token) is an OAuth2 refresh token
            form |= {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": _AGENT}
            body = urlencode(form).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            answer = self._request("POST", realm, body, headers)
        else:
            headers = {"Authorization": credentials.basic()} if credentials else {}
            sep = "&" if "?" in realm else "?"
            answer = self._request("GET", realm + sep + urlencode(form), None, headers)
        if answer.status != 200:
            raise RegistryError(
                f"the token service of {self.host} refused {scope} "
                f"({answer.status} {answer.reason})",
                _login_hint(self.host),
            )
        try:
            document = json.loads(answer.body)
            token = document.get("token") or document.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError(
                f"the token service of {self.host} answered without a token",
                "the registry's token endpoint does not follow the distribution spec",
            )
        return token

    def _failure(self, method: str, repo: str, answer: Response) -> RegistryError:
        detail = _error_detail(answer.body)
        status = f"{answer.status} {answer.reason}".strip() + (f": {detail}" if detail else "")
        where = f"{self.host}/{repo}"
        if answer.status == 401:
            return RegistryError(f"registry {where} wants credentials ({status})",
                                 _login_hint(self.host))  # fmt: skip
        if answer.status == 403:
            return RegistryError(
                f"registry {where} denied access ({status})",
                "give this identity pull (verify) or push (publish) rights on the repository",
            )
        if answer.status == 404:
            return RegistryError(
                f"registry {where} answered {status} to {method}",
                "check the registry host and the repository (bundles.repository in .karsgit.yaml)",
            )
        if answer.status == 400 and self.scheme == "http":
            return RegistryError(
                f"registry {where} answered {status} to {method}",
                "the registry speaks HTTPS: drop --plain-http",
            )
        if answer.status >= 500:
            return RegistryError(
                f"registry {where} failed ({status}) on {method}",
                "retry later; the registry's own logs say why",
            )
        return RegistryError(
            f"registry {where} answered {status} to {method}",
            "this registry does not follow the distribution spec for this request",
        )

    # -- the wire ---------------------------------------------------------------

    def _request(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]
    ) -> Response:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"User-Agent": _AGENT, **headers}
        if body is not None:
            sent["Content-Length"] = str(len(body))
        for attempt in range(2):
            try:
                connection, reused = self._connection(parts.scheme, parts.netloc)
            except http.client.InvalidURL:
                raise RegistryError(
                    f"registry {parts.netloc!r} is not a host[:port]",
                    "fix the registry in allowlistRef (bundles.registry or KARS_REGISTRY)",
                ) from None
            try:
                connection.request(method, target, body=body, headers=sent)
                raw = connection.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._drop(parts.scheme, parts.netloc)
                if reused and not attempt:
                    continue  # the server closed an idle keep-alive connection
                raise self._unreachable(parts.netloc, "the connection was closed") from None
            except TimeoutError:
                self._drop(parts.scheme, parts.netloc)
                raise RegistryError(
                    f"registry {parts.netloc} did not answer within {self.timeout:g} s",
                    "check the registry's health, or raise --timeout",
                ) from None
            except ssl.SSLError as error:
                self._drop(parts.scheme, parts.netloc)
                raise RegistryError(
                    f"TLS with {parts.netloc} failed: {error.reason or error}",
                    "for a private CA set SSL_CERT_FILE to its PEM file; "
                    "for a plain-HTTP loopback registry pass --plain-http",
                ) from None
            except http.client.HTTPException as error:
                self._drop(parts.scheme, parts.netloc)
                raise RegistryError(
                    f"registry {parts.netloc} did not answer HTTP ({type(error).__name__})",
                    "pass --plain-http only for a registry without TLS, and not otherwise",
                ) from None
            except OSError as error:
                self._drop(parts.scheme, parts.netloc)
                raise self._unreachable(parts.netloc, error.strerror or str(error)) from None
            if raw.getheader("connection", "").lower() == "close":
                self._drop(parts.scheme, parts.netloc)
            headers_out = {name.lower(): value for name, value in raw.getheaders()}
            return Response(raw.status, raw.reason, headers_out, data)
        raise AssertionError("unreachable")  # pragma: no cover

    def _unreachable(self, netloc: str, why: str) -> RegistryError:
        return RegistryError(f"cannot reach registry {netloc}: {why.lower()}", _REACH_HINT)

    def _connection(self, scheme: str, netloc: str) -> tuple[http.client.HTTPConnection, bool]:
        pool: dict[str, http.client.HTTPConnection] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        key = f"{scheme}://{netloc}"
        if key in pool:
            return pool[key], True
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                netloc, timeout=self.timeout, context=self._context()
            )
        else:
            connection = http.client.HTTPConnection(netloc, timeout=self.timeout)
        pool[key] = connection
        with self._lock:
            self._opened.append(connection)
        return connection, False

    def _drop(self, scheme: str, netloc: str) -> None:
        pool: dict[str, http.client.HTTPConnection] = getattr(self._local, "pool", {})
        connection = pool.pop(f"{scheme}://{netloc}", None)
        if connection is not None:
            connection.close()

    def _context(self) -> ssl.SSLContext:
        with self._lock:
            if self._ssl is None:
                # the system store; OpenSSL adds SSL_CERT_FILE / SSL_CERT_DIR
                self._ssl = ssl.create_default_context()
            return self._ssl


def _accept() -> dict[str, str]:
    return {"Accept": _ACCEPT}


def _login_hint(host: str) -> str:
    return (
        f"log in with 'docker login {host}' (or a credential helper in $DOCKER_CONFIG/"
        "config.json); in CI give the job's token access to the registry"
    )


def _error_detail(body: bytes) -> str:
    """The first ``{"errors": [{"code", "message"}]}`` entry, as registries send it."""
    try:
        first = json.loads(body)["errors"][0]
        return f"{first.get('code', '')} {first.get('message', '')}".strip()[:200]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
