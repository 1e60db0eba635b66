"""The host/port normal form of an egress endpoint, and the router's matching rule.

Pure functions over plain values (DESIGN.md §2): a verdict says what the normal
form is, which fixable deviations the input had, and which error stops it.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

CANONICAL_HOST = re.compile(r"[a-z0-9.-]+")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST_PORT = re.compile(r"([^:]+):([0-9]+)")
# A final label that is all digits (or 0x-hex) makes URL parsers read the whole
# name as an IPv4 address in shorthand (`127.1`), so the router would see an IP.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
# ZWJ/ZWNJ are legitimate in some scripts; IDNA's CONTEXTJ rule judges them.
_JOINERS = frozenset("\u200c\u200d")
MAX_NAME = 253
MAX_LABEL = 63
DEFAULT_PORT = 443


@dataclass(frozen=True, slots=True)
class Issue:
    """One rule that applies to a value: a lowercase fact and an imperative hint."""

    rule_id: str
    message: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class HostVerdict:
    """``normal`` is None exactly when ``error`` is set."""

    raw: str
    normal: str | None
    deviations: tuple[Issue, ...] = ()
    error: Issue | None = None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        issues = (*self.deviations, self.error) if self.error else self.deviations
        return tuple(issue.rule_id for issue in issues)


@dataclass(frozen=True, slots=True)
class PortVerdict:
    """``normal`` is None exactly when ``error`` is set."""

    raw: object
    normal: int | None
    deviation: Issue | None = None
    error: Issue | None = None


def show(value: str) -> str:
    """Quote a value for a message, escaping what a terminal would hide."""
    out = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in value
    )
    return f"'{out}'"


def _invalid(raw: str, fact: str, hint: str) -> HostVerdict:
    return _error(raw, "host-invalid", fact, hint)


def _error(raw: str, rule_id: str, fact: str, hint: str) -> HostVerdict:
    return HostVerdict(raw, None, error=Issue(rule_id, f"host {show(raw)} {fact}", hint))


def normalize_host(raw: str) -> HostVerdict:
    """Trim, lowercase and convert to punycode, or say why the host cannot be."""
    text = raw.strip()
    verdict = _check_shape(raw, text) or _check_labels(raw, text)
    if isinstance(verdict, HostVerdict):
        return verdict
    found = (
        ("host-whitespace", text != raw, "has leading or trailing whitespace"),
        ("host-case", any("A" <= c <= "Z" for c in text), "is not lowercase"),
        ("host-idna", not text.isascii(), "contains non-ascii characters"),
    )
    deviations = [
        Issue(rule_id, f"host {show(raw)} {fact}", f"write '{verdict}'")
        for rule_id, present, fact in found
        if present
    ]
    return HostVerdict(raw, verdict, tuple(deviations))


def _check_shape(raw: str, text: str) -> HostVerdict | None:
    """Errors visible before any mapping: emptiness, hidden bytes, URLs, ports, IPs."""
    if not text:
        return _invalid(raw, "is empty", "write a host name such as 'api.github.com'")
    for c in text:
        if c.isspace() or unicodedata.category(c) == "Cc":
            return _invalid(raw, "contains whitespace or a control character", "remove it")
        if unicodedata.category(c) == "Cf" and c not in _JOINERS:
            return _invalid(raw, f"contains the invisible character U+{ord(c):04X}", "remove it")
    return _check_syntax(raw, text) or _check_ip(raw, text) or _check_port_suffix(raw, text)


def _check_syntax(raw: str, text: str) -> HostVerdict | None:
    if _SCHEME.match(text):
        parts = urlsplit(text)
        try:
            port = parts.port
        except ValueError:
            port = None
        where = f"write '{parts.hostname}' in host" if parts.hostname else "write only the name"
        hint = f"{where} and {port} in port" if port else where
        return _invalid(raw, "is a url, not a host name", hint)
    if any(c in text for c in "/?#"):
        name = re.split(r"[/?#]", text, maxsplit=1)[0]
        return _invalid(raw, "contains a path", f"write '{name}' in host; the router matches names")
    if "*" in text:
        hint = "list the host names it should admit"
        if text.startswith("*.") and "*" not in text[2:]:
            hint = f"list '{text[2:]}', which admits all its subdomains"
        return _error(raw, "wildcard-host", "is a wildcard, which never matches in kars", hint)
    return None


def _check_ip(raw: str, text: str) -> HostVerdict | None:
    inner = text[1:].split("]", 1)[0] if text.startswith("[") else text
    if (match := _HOST_PORT.fullmatch(inner)) and _is_ipv4(match.group(1)):
        return _ip_literal(raw)  # '10.0.0.1:443': the address is the problem, not the port
    try:
        ipaddress.ip_address(inner.split("%", 1)[0])
    except ValueError:
        if not text.startswith("["):
            return None
    return _ip_literal(raw)


def _ip_literal(raw: str) -> HostVerdict:
    return _error(
        raw,
        "ip-literal",
        "is an ip address literal, which the router blocks",
        "list the host name the service is reached by",
    )


def _check_port_suffix(raw: str, text: str) -> HostVerdict | None:
    match = _HOST_PORT.fullmatch(text)
    if match:
        host, port = match.groups()
        return _invalid(raw, "includes a port", f"write '{host}' in host and put {port} in port")
    return None


def _check_labels(raw: str, text: str) -> HostVerdict | str:
    """Map per UTS-46, then check every label; returns the normal form on success."""
    mapped = _uts46_map(raw, text)
    if isinstance(mapped, HostVerdict):
        return mapped
    labels = mapped.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]) or _is_ipv4(mapped):
        return _ip_literal(raw)
    if mapped.startswith("."):
        return _invalid(raw, "starts with a dot", f"write '{mapped.lstrip('.')}'")
    if mapped.endswith("."):
        return _invalid(raw, "ends with a dot", f"write '{mapped.rstrip('.')}'")
    out = []
    for label in labels:
        encoded = _encode_label(raw, label)
        if isinstance(encoded, HostVerdict):
            return encoded
        out.append(encoded)
    normal = ".".join(out)
    if len(normal) > MAX_NAME:
        return _invalid(raw, f"is {len(normal)} characters long", f"use at most {MAX_NAME}")
    return normal


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _uts46_map(raw: str, text: str) -> HostVerdict | str:
    if text.isascii():
        return text.lower()
    import idna  # lazy: most hosts are ASCII and the hook path must stay fast

    try:
        # Non-transitional is the only mode idna >= 3.10 implements (ß stays ß).
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except idna.IDNAError as exc:
        return _invalid(raw, f"is not a valid internationalized name: {_reason(exc)}", _IDN_HINT)


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text[:1].lower() + text[1:]


def _encode_label(raw: str, label: str) -> HostVerdict | str:
    if not label:
        return _invalid(raw, "has an empty label ('..')", "remove the extra dot")
    if label.isascii():
        return _check_ascii_label(raw, label)
    import idna

    try:
        return idna.alabel(label).decode("ascii")
    except idna.IDNAError as exc:
        return _invalid(raw, f"is not a valid internationalized name: {_reason(exc)}", _IDN_HINT)


def _check_ascii_label(raw: str, label: str) -> HostVerdict | str:
    # Plain ASCII labels are held to DNS (LDH) rules, not IDNA2008's: IDNA
    # rejects '--' in positions 3-4, which real hosts such as
    # r4---sn-abc.googlevideo.com use.
    bad = next((c for c in label if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-")), None)
    if bad is not None:
        return _invalid(
            raw, f"contains {show(bad)}, which is not allowed in a host name", _ALPHABET_HINT
        )
    if len(label) > MAX_LABEL:
        return _invalid(raw, f"has a label of {len(label)} characters", "use at most 63 per label")
    if label.startswith("-") or label.endswith("-"):
        return _invalid(raw, "has a label that starts or ends with a hyphen", _ALPHABET_HINT)
    if label.startswith("xn--"):
        return _check_alabel(raw, label)
    return label


_ALPHABET_HINT = "use only letters, digits, hyphens and dots"
_IDN_HINT = "check the spelling of the name"


def _check_alabel(raw: str, label: str) -> HostVerdict | str:
    import idna

    try:
        idna.ulabel(label)
    except idna.IDNAError as exc:
        return _invalid(raw, f"has an invalid punycode label: {_reason(exc)}", _IDN_HINT)
    return label


def check_port(value: object) -> PortVerdict:
    """Judge a port as the cluster decoded it (a bool is not an int here)."""
    if value is None:
        fact = "port is missing; the kars cli reads a missing port as 443"
        return PortVerdict(
            value, DEFAULT_PORT, deviation=Issue("port-missing", fact, "add port: 443")
        )
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 65535:
            return PortVerdict(value, value)
        return _bad_port(value, f"port {value} is outside 1-65535", "write a port from 1 to 65535")
    if isinstance(value, str):
        return _bad_port(value, *_string_port(value))
    if isinstance(value, float):
        whole = value.is_integer() and 1 <= value <= 65535
        hint = f"write {int(value)}" if whole else "write a whole port number from 1 to 65535"
        return _bad_port(value, f"port {value!r} is not an integer", hint)
    what = "a boolean" if isinstance(value, bool) else f"a {type(value).__name__}"
    return _bad_port(value, f"port {_show_any(value)} is {what}, not a number", "write e.g. 443")


def _string_port(value: str) -> tuple[str, str]:
    digits = value.strip()
    if digits.isascii() and digits.isdigit() and 1 <= int(digits) <= 65535:
        return (
            f"port {show(value)} is a string, not a number",
            f"write {int(digits)} without quotes",
        )
    return f"port {show(value)} is not a number", "write a port from 1 to 65535, e.g. 443"


def _show_any(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _bad_port(value: object, fact: str, hint: str) -> PortVerdict:
    return PortVerdict(value, None, error=Issue("port-invalid", fact, hint))


@dataclass(frozen=True, order=True, slots=True)
class Endpoint:
    """A normalized ``host:port``.

    Field order is the canonical order: normal hosts are ASCII, so str order is
    byte order, then the port compares numerically (80 before 443).
    """

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Entry ``index`` repeats the (host, port) of the earlier entry ``first``."""

    index: int
    first: int
    endpoint: Endpoint

    @property
    def issue(self) -> Issue:
        fact = f"endpoint '{self.endpoint}' at index {self.index} repeats index {self.first}"
        return Issue("endpoint-duplicate", fact, "remove the duplicate entry")


@dataclass(frozen=True, slots=True)
class EndpointSet:
    """Deduplicated, sorted endpoints and what differed in the given list."""

    endpoints: tuple[Endpoint, ...]
    duplicates: tuple[Duplicate, ...] = ()
    reordered: bool = False

    @property
    def order_issue(self) -> Issue | None:
        if not self.reordered:
            return None
        fact = "endpoints are not in canonical order (host, then port)"
        return Issue("endpoint-order", fact, "sort the entries by host, then by port")


def normalize_endpoints(entries: Iterable[Endpoint]) -> EndpointSet:
    """Dedupe on (host, port) and sort; report duplicates and a changed order."""
    first_seen: dict[Endpoint, int] = {}
    duplicates = []
    for index, endpoint in enumerate(entries):
        if endpoint in first_seen:
            duplicates.append(Duplicate(index, first_seen[endpoint], endpoint))
        else:
            first_seen[endpoint] = index
    given = list(first_seen)
    ordered = sorted(given)
    return EndpointSet(tuple(ordered), tuple(duplicates), given != ordered)


def admits(entry_host: str, request_host: str) -> bool:
    """Whether the router lets ``request_host`` through for this entry: exact or any parent."""
    entry, request = entry_host.lower(), request_host.lower()
    return bool(entry) and (request == entry or request.endswith("." + entry))


def subsumed_by(host: str, others: Sequence[str]) -> str | None:
    """The nearest other entry that already admits ``host`` (rule ``entry-subsumed``)."""
    parents = [o for o in others if o.lower() != host.lower() and admits(o, host)]
    return max(parents, key=len) if parents else None


def subsumed_issue(host: str, parent: str) -> Issue:
    fact = f"host '{host}' is already admitted by '{parent}'"
    hint = f"remove '{host}'; the router admits every subdomain of '{parent}'"
    return Issue("entry-subsumed", fact, hint)
