r"""Endpoint rules: the hosts and ports of sandbox allowlists and approval hosts.

Fixable (``karsgit fix`` rewrites them to the normal form of DESIGN.md §2):

``host-case``
    A host with uppercase letters. The kars signer refuses it; the router
    lowercases anyway, so the lowercase name means the same.

``host-idna``
    A host with non-ASCII letters (``bücher.example``). The canonical bundle
    holds punycode (IDNA UTS-46, non-transitional): ``xn--bcher-kva.example``.

``host-whitespace``
    A host with leading or trailing spaces, which the signer rejects.

``port-missing``
    An entry without ``port``. The kars CLI reads it as 443 but the signer
    silently drops it, so the signed list differs from the reviewed one.

``endpoint-duplicate``
    The same (host, port) listed twice (after normalization); the bundle keeps one.

``endpoint-order``
    Entries not in canonical order (host byte order, then numeric port), so the
    manifest reads differently from the signed bundle.

Errors (no safe rewrite exists):

``host-invalid``
    A URL with a scheme or path, ``host:port`` typed into ``host``, an empty
    name, ``..``, a leading or trailing dot, characters outside the DNS
    alphabet, a label over 63 or a name over 253 characters.

``port-invalid``
    A port outside 1..65535, not an integer (``443.0``, ``true``), or a quoted
    string such as ``"443"``.

``wildcard-host``
    ``*.example.com`` never matches anything in kars: the router has no wildcard
    syntax. List ``example.com``, which admits all its subdomains.

``ip-literal``
    The router blocks IP-literal hosts outright, so the entry admits nothing.

``public-suffix``
    The entry is a public suffix (``com``, ``co.uk``, ``github.io``): since the
    router admits every subdomain of an entry, it would admit every site under
    it. Checked against the Public Suffix List bundled with ``publicsuffixlist``.

``entry-subsumed``
    The entry is already admitted by a parent-domain entry of the same list.

``host-not-string``
    A sandbox host that the controller's YAML parser (serde_yaml 0.9) reads as
    something other than a string once it is written, unquoted, into the
    canonical bundle: ``null``, ``true``, ``false``, integers (``1234``,
    ``0x1f``, ``0o17``, ``0b101``) and finite floats (``1e5``, ``1.5e3``,
    ``1.e5``, ``2.5e10``). The controller refuses the whole bundle (``host not a
    string``) and, with no last good list, the sandbox gets no egress at all.
    No such name is a real host.

``confusable-host``
    A mixed-script or look-alike internationalized name (a Cyrillic ``\u0430``
    in place of the Latin ``a`` of ``api.github.com``): it reads like one host
    and reaches another.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

from karsgit.bundle.serdeyaml import scalar_type
from karsgit.findings import Hit, Position, Severity, json_path_of
from karsgit.normalize.endpoints import (
    Endpoint,
    HostVerdict,
    Issue,
    check_port,
    normalize_endpoints,
    normalize_host,
    show,
    subsumed_by,
    subsumed_issue,
)
from karsgit.normalize.unsafe import confusable, public_suffix
from karsgit.rules import RuleInfo
from karsgit.settings import Settings
from karsgit.source.load import Document, PathKey
from karsgit.source.objects import Approval, KarsObject, RawEndpoint

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

SANDBOX_LIST: PathKey = ("spec", "networkPolicy", "allowedEndpoints")
APPROVAL_LIST: PathKey = ("spec", "hosts")


# Repositories repeat the same hosts across thousands of sandboxes; a verdict
# is a pure function of the text, so each distinct host is judged once.
@lru_cache(maxsize=16384)
def host_verdict(raw: str) -> HostVerdict:
    return normalize_host(raw)


@lru_cache(maxsize=16384)
def _is_suffix(host: str) -> bool:
    return public_suffix(host)


def list_path(obj: KarsObject) -> PathKey:
    return APPROVAL_LIST if isinstance(obj, Approval) else SANDBOX_LIST


def entries_of(obj: KarsObject) -> tuple[RawEndpoint, ...]:
    return obj.hosts if isinstance(obj, Approval) else obj.endpoints


def normal_endpoint(entry: RawEndpoint) -> Endpoint | None:
    """The normal form of one entry, or None when host or port cannot be normalized
    (or the host cannot be written into a bundle as a string)."""
    if not isinstance(entry.host, str):
        return None
    host = host_verdict(entry.host).normal
    if host is not None and scalar_type(host) is not None:
        return None
    port = check_port(entry.port if entry.has_port else None).normal
    if entry.has_port and entry.port is None:
        return None  # 'port:' with no value: the schema reports it
    return Endpoint(host, port) if host is not None and port is not None else None


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
