r"""Endpoint rules: the hosts and ports of sandbox allowlists and approval hosts.

Fixable (``karsgit fix`` rewrites them to the normal form of DESIGN.md §2):

``host-case``
    A host with uppercase letters. The kars signer refuses it; the router
    lowercases anyway, so the lowercase name means the same.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: API.github.com
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Run ``karsgit fix``, or lowercase the host.

``host-idna``
    A host with non-ASCII letters (``bücher.example``). The canonical bundle
    holds punycode (IDNA UTS-46, non-transitional): ``xn--bcher-kva.example``.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: bücher.example
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: xn--bcher-kva.example
            port: 443
    ```

    Fix: Run ``karsgit fix``, or write the punycode form the hint gives.

``host-whitespace``
    A host with leading or trailing spaces, which the signer rejects.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: " api.github.com"
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: "api.github.com"
            port: 443
    ```

    Fix: Run ``karsgit fix``, or remove the spaces.

``port-missing``
    An entry without ``port``. The kars CLI reads it as 443 but the signer
    silently drops it, so the signed list differs from the reviewed one.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Run ``karsgit fix`` (adds ``port: 443``), or write the port the service uses.

``endpoint-duplicate``
    The same (host, port) listed twice (after normalization); the bundle keeps one.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: API.github.com
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Run ``karsgit fix``, or delete the repeated entry.

``endpoint-order``
    Entries not in canonical order (host byte order, then numeric port), so the
    manifest reads differently from the signed bundle.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: dev.azure.com
            port: 443
          - host: api.github.com
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: dev.azure.com
            port: 443
    ```

    Fix: Run ``karsgit fix`` (comments travel with the entry they precede), or sort by
    host, then port.

Errors (no safe rewrite exists):

``host-invalid``
    A URL with a scheme or path, ``host:port`` typed into ``host``, an empty
    name, ``..``, a leading or trailing dot, characters outside the DNS
    alphabet, a label over 63 or a name over 253 characters.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: https://api.github.com/repos
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Write the bare DNS name; put a port in ``port``, drop scheme and path.

``port-invalid``
    A port outside 1..65535, not an integer (``443.0``, ``true``), or a quoted
    string such as ``"443"``.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: "443"
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Write an unquoted whole number from 1 to 65535.

``wildcard-host``
    ``*.example.com`` never matches anything in kars: the router has no wildcard
    syntax. List ``example.com``, which admits all its subdomains.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: "*.github.com"
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: github.com
            port: 443
    ```

    Fix: List the parent domain, which admits all its subdomains, or the exact hosts.

``ip-literal``
    The router blocks IP-literal hosts outright, so the entry admits nothing.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: 140.82.112.3
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: List the host name the service is reached by.

``public-suffix``
    The entry is a public suffix (``com``, ``co.uk``, ``github.io``): since the
    router admits every subdomain of an entry, it would admit every site under
    it. Checked against the Public Suffix List bundled with ``publicsuffixlist``.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: github.io
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: my-org.github.io
            port: 443
    ```

    Fix: List the specific sites under the suffix that the agent needs.

``entry-subsumed``
    The entry is already admitted by a parent-domain entry of the same list.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: github.com
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: github.com
            port: 443
    ```

    Fix: Remove the entry, or replace the parent by the exact hosts if the parent is too
    wide.

``host-not-string``
    A sandbox host that the controller's YAML parser (serde_yaml 0.9) reads as
    something other than a string once it is written, unquoted, into the
    canonical bundle: ``null``, ``true``, ``false``, integers (``1234``,
    ``0x1f``, ``0o17``, ``0b101``) and finite floats (``1e5``, ``1.5e3``,
    ``1.e5``, ``2.5e10``). The controller refuses the whole bundle (``host not a
    string``) and, with no last good list, the sandbox gets no egress at all.
    No such name is a real host.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: "1e5"
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: "api.github.com"
            port: 443
    ```

    Fix: Write the real host name; no name that YAML reads as a number, bool or null
    is a real host.

``confusable-host``
    A mixed-script or look-alike internationalized name (a Cyrillic ``\u0430``
    in place of the Latin ``a`` of ``api.github.com``): it reads like one host
    and reaches another.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: аpi.github.com   # Cyrillic first letter
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Write the intended ASCII name; if the script is intended, suppress with a
    reason.
"""  # noqa: RUF002 - the confusable-host example shows a Cyrillic letter on purpose

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from karsgit.findings import Hit, Position, Severity, json_path_of
from karsgit.normalize.endpoints import (
    Endpoint,
    Issue,
    check_port,
    normalize_endpoints,
    show,
    subsumed_by,
    subsumed_issue,
)
from karsgit.normalize.entries import (
    SANDBOX_LIST,
    entries_of,
    host_verdict,
    list_path,
    normal_endpoint,
)
from karsgit.normalize.serdeyaml import scalar_type
from karsgit.normalize.unsafe import confusable, public_suffix
from karsgit.rules.base import RuleInfo
from karsgit.settings import Settings
from karsgit.source.load import Document, PathKey
from karsgit.source.objects import KarsObject, RawEndpoint

E, W = Severity.ERROR, Severity.WARNING

RULES = (
    RuleInfo("host-case", E, "a host is not lowercase", fixable=True),
    RuleInfo("host-idna", E, "a host is not in punycode", fixable=True),
    RuleInfo("host-whitespace", E, "a host has leading or trailing whitespace", fixable=True),
    RuleInfo("port-missing", E, "an endpoint has no port (the signer drops it)", fixable=True),
    RuleInfo("endpoint-duplicate", W, "an endpoint is listed twice", fixable=True),
    RuleInfo("endpoint-order", W, "endpoints are not in canonical order", fixable=True),
    RuleInfo("host-invalid", E, "a host cannot be normalized to a DNS name"),
    RuleInfo("port-invalid", E, "a port that is not an integer in 1..65535"),
    RuleInfo("wildcard-host", E, "a wildcard host, which never matches in kars"),
    RuleInfo("ip-literal", E, "an IP-literal host, which the router blocks"),
    RuleInfo("public-suffix", E, "a host that is a public suffix admits every site under it"),
    RuleInfo("entry-subsumed", W, "an entry already admitted by a parent-domain entry"),
    RuleInfo("confusable-host", E, "a mixed-script or look-alike host name"),
    RuleInfo("host-not-string", E, "a host the controller's yaml parser reads as a non-string"),
)


@lru_cache(maxsize=16384)
def _is_suffix(host: str) -> bool:
    return public_suffix(host)


def check_document(doc: Document, obj: KarsObject | None, settings: Settings) -> Iterator[Hit]:
    if obj is None:
        return
    at = list_path(obj)
    entries = entries_of(obj)
    for entry in entries:
        yield from _host_hits(entry, at)
        yield from _port_hits(entry, at)
        if at == SANDBOX_LIST:
            yield from _not_string_hits(entry, at)
    normals = [normal_endpoint(entry) for entry in entries]
    yield from _subsumed(entries, normals, at)
    if entries and all(n is not None for n in normals):
        yield from _list_hits(doc, entries, [n for n in normals if n is not None], at)


def _hit(issue: Issue, position: Position, path: PathKey, fixable: bool = False) -> Hit:
    return Hit(issue.rule_id, position, issue.message, issue.hint, json_path_of(path), fixable)


def _host_hits(entry: RawEndpoint, at: PathKey) -> Iterator[Hit]:
    if not isinstance(entry.host, str):
        return  # the schema reports a missing or non-string host
    here = (*at, entry.index, "host")
    verdict = host_verdict(entry.host)
    for issue in verdict.deviations:
        yield _hit(issue, entry.host_position, here, fixable=True)
    if verdict.error is not None:
        yield _hit(verdict.error, entry.host_position, here)
        return
    normal = verdict.normal or ""
    if _is_suffix(normal):
        yield _hit(_suffix_issue(normal), entry.host_position, here)
    look = confusable(entry.host)
    if look is not None:
        yield _hit(
            _confusable_issue(entry.host, look.punycode, look.skeleton, look.reason),
            entry.host_position,
            here,
        )


def _not_string_hits(entry: RawEndpoint, at: PathKey) -> Iterator[Hit]:
    if not isinstance(entry.host, str):
        return
    normal = host_verdict(entry.host).normal
    kind = scalar_type(normal) if normal is not None else None
    if kind is None:
        return
    yield Hit(
        "host-not-string",
        entry.host_position,
        f"host '{normal}' is read as a {kind}, not a string, by the controller's yaml "
        "parser (serde_yaml); the controller refuses the whole bundle",
        "remove the entry: no host has this name",
        json_path_of((*at, entry.index, "host")),
    )


def _suffix_issue(host: str) -> Issue:
    fact = f"host '{host}' is a public suffix; the router would admit every site under it"
    return Issue("public-suffix", fact, f"list the specific hosts under '{host}' that are needed")


def _confusable_issue(raw: str, punycode: str, skeleton: str, reason: str) -> Issue:
    code = f" (punycode '{punycode}')" if punycode else ""
    fact = f"host {show(raw)}{code} looks like '{skeleton}': {reason}"
    hint = f"write '{skeleton}' if that is the host you mean; otherwise suppress with a reason"
    return Issue("confusable-host", fact, hint)


def _port_hits(entry: RawEndpoint, at: PathKey) -> Iterator[Hit]:
    here = (*at, entry.index, "port")
    if not entry.has_port:
        verdict = check_port(None)
        if verdict.deviation is not None:
            yield _hit(verdict.deviation, entry.position, (*at, entry.index), fixable=True)
        return
    # The schema already reports every port it can see is wrong; an integral
    # float (443.0) passes JSON Schema's "integer", so only that is left here.
    if isinstance(entry.port, float):
        error = check_port(entry.port).error
        if error is not None:
            yield _hit(error, entry.port_position, here)


def _subsumed(
    entries: Sequence[RawEndpoint], normals: Sequence[Endpoint | None], at: PathKey
) -> Iterator[Hit]:
    # A public-suffix parent is already an error of its own; naming it again
    # on every entry below it would bury the one finding that matters.
    hosts = {n.host for n in normals if n is not None and not _is_suffix(n.host)}
    for entry, normal in zip(entries, normals, strict=True):
        if normal is None:
            continue
        # Only the host's own parent domains can admit it: a linear walk up the
        # labels instead of comparing every pair of a long list.
        labels = normal.host.split(".")
        parents = [p for p in (".".join(labels[i:]) for i in range(1, len(labels))) if p in hosts]
        parent = subsumed_by(normal.host, parents) if parents else None
        if parent is not None:
            issue = subsumed_issue(normal.host, parent)
            yield _hit(issue, entry.host_position, (*at, entry.index, "host"))


def _list_hits(
    doc: Document, entries: Sequence[RawEndpoint], normals: Sequence[Endpoint], at: PathKey
) -> Iterator[Hit]:
    result = normalize_endpoints(normals)
    for duplicate in result.duplicates:
        entry = entries[duplicate.index]
        yield _hit(duplicate.issue, entry.position, (*at, entry.index), fixable=True)
    order = result.order_issue
    if order is not None:
        yield _hit(order, _first_misplaced(entries, normals), at, fixable=True)


def _first_misplaced(entries: Sequence[RawEndpoint], normals: Sequence[Endpoint]) -> Position:
    """The first entry that is not where the canonical order puts it."""
    unique = list(dict.fromkeys(normals))
    firsts = [entries[normals.index(n)] for n in unique]
    for entry, want in zip(firsts, sorted(unique), strict=True):
        if normals[entry.index] != want:
            return entry.position
    return firsts[0].position
