"""Canonical allowlist bundle v1: its exact bytes, its strict parse, its generation,
and the OCI manifest (and digest) that publishing those bytes produces.

Pure and deterministic (DESIGN.md §2, docs/bundle-format.md); no YAML library.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from karsgit.bundle.serdeyaml import scalar_type
from karsgit.normalize.endpoints import MAX_LABEL, MAX_NAME, Endpoint

API_VERSION = "kars.dev/v1alpha1"
KIND = "EgressAllowlist"
ARTIFACT_TYPE = "application/vnd.kars.egress-allowlist.v1+yaml"
LAYER_MEDIA_TYPE = ARTIFACT_TYPE
MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
EMPTY_CONFIG_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_CONFIG = b"{}"
EMPTY_CONFIG_DIGEST = "sha256:" + hashlib.sha256(EMPTY_CONFIG).hexdigest()
# The controller parses generation as a signed 64-bit integer.
MAX_GENERATION = 2**63 - 1

_GENERATION = re.compile(r"[1-9][0-9]{0,18}")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_HEADER = (
    f"apiVersion: {API_VERSION}",
    f"kind: {KIND}",
    "metadata:",
    "  generation: ",
    "spec:",
)
_EMPTY = "  endpoints: []"
_ENTRY = ("    - host: ", "      port: ")


@dataclass(frozen=True, slots=True)
class ParsedBundle:
    """What the controller reads out of canonical bytes."""

    generation: int
    endpoints: tuple[Endpoint, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why bytes are not canonical: 1-based line number and a lowercase fact."""

    line: int
    message: str


# The DNS alphabet, labels of 1..MAX_LABEL characters: one match, no per-label loop.
_HOST_LABELS = re.compile(rf"[a-z0-9-]{{1,{MAX_LABEL}}}(?:\.[a-z0-9-]{{1,{MAX_LABEL}}})*")


def canonical_host(host: str) -> bool:
    """Whether a host may appear in a bundle: DNS alphabet, no empty label, DNS lengths."""
    return len(host) <= MAX_NAME and _HOST_LABELS.fullmatch(host) is not None


def canonical_bytes(generation: int, endpoints: Iterable[Endpoint]) -> bytes:
    """The v1 bundle bytes; endpoints are deduplicated and sorted here.

    Raises ValueError for an empty list (the kars producer refuses one, so
    callers report it first), a bad generation, or a non-normal host or port.
    """
    unique = sorted(set(endpoints))
    if not unique:
        raise ValueError("the allowlist is empty; the kars producer refuses to sign it")
    lines = [*_head(generation), "  endpoints:"]
    for endpoint in unique:
        _require_normal(endpoint)
        lines += [f"{_ENTRY[0]}{endpoint.host}", f"{_ENTRY[1]}{endpoint.port}"]
    return ("\n".join(lines) + "\n").encode("ascii")


def deny_all_bytes(generation: int) -> bytes:
    """The consumer's deny-all form (``endpoints: []``): written only for sandboxes
    marked deny-all on purpose, since the kars producer never writes it."""
    return ("\n".join([*_head(generation), _EMPTY]) + "\n").encode("ascii")


def _head(generation: int) -> list[str]:
    if isinstance(generation, bool) or not 1 <= generation <= MAX_GENERATION:
        raise ValueError(f"generation must be an integer from 1 to {MAX_GENERATION}")
    return [*_HEADER[:3], f"{_HEADER[3]}{generation}", _HEADER[4]]


def _require_normal(endpoint: Endpoint) -> None:
    if not canonical_host(endpoint.host) or scalar_type(endpoint.host) is not None:
        raise ValueError(f"host {endpoint.host!r} is not in normal form")
    port = endpoint.port
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port {port!r} of {endpoint.host} is not 1-65535")


def next_generation(previous: ParsedBundle | None, endpoints: Iterable[Endpoint]) -> int:
    """1 for a first bundle; unchanged for the same endpoint set; else one more."""
    if previous is None:
        return 1
    if set(previous.endpoints) == set(endpoints):
        return previous.generation
    return previous.generation + 1


def oci_manifest(data: bytes) -> bytes:
    """The OCI image manifest that publishes ``data`` as a single-layer artifact.

    Compact JSON, keys in this fixed order, no annotations (an
    ``org.opencontainers.image.created`` time would make the digest differ on
    every compile), so the digest is known before any push.
    """
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": EMPTY_CONFIG_MEDIA_TYPE,
            "digest": EMPTY_CONFIG_DIGEST,
            "size": len(EMPTY_CONFIG),
            "data": "e30=",  # base64 of b"{}": the empty descriptor carries its content
        },
        "layers": [
            {
                "mediaType": LAYER_MEDIA_TYPE,
                "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
        ],
    }
    return json.dumps(manifest, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def oci_manifest_digest(data: bytes) -> str:
    """``sha256:<hex>`` of :func:`oci_manifest`: the value of ``allowlistRef.digest``."""
    return "sha256:" + hashlib.sha256(oci_manifest(data)).hexdigest()


def parse_canonical(data: bytes) -> ParsedBundle | list[Problem]:
    """The controller's strict, line-exact parse of canonical bytes; never raises."""
    fast = _parse_if_canonical(data)
    if fast is not None:
        return fast
    problems = _lexical_problems(data)
    if problems:
        return problems
    lines = data.decode("ascii").split("\n")[:-1]
    header = _parse_header(lines)
    if isinstance(header, list):
        return header
    generation, empty = header
    if empty and len(lines) > len(_HEADER) + 1:
        return [Problem(len(_HEADER) + 2, "unexpected line after 'endpoints: []'")]
    if empty:
        return ParsedBundle(generation, ())
    endpoints = _parse_entries(lines)
    return endpoints if isinstance(endpoints, list) else ParsedBundle(generation, endpoints)


# Anything _line_fact could object to: a byte outside printable ASCII (or a tab or
# CR), a comment or quote character, a document marker, trailing whitespace.
_SUSPECT = re.compile(rb"[^\x20-\x7e\n]|[#'\"]|^(?:---|\.\.\.)| $", re.MULTILINE)
_NOT_PRINTABLE = re.compile(rb"[^\x20-\x7e]")


_FAST_GENERATION = re.compile(rb"\n  generation: ([1-9][0-9]{0,18})\n")
_ENTRY_PAIR = re.compile(rb"    - host: ([a-z0-9.-]+)\n      port: ([1-9][0-9]{0,4})\n")


def _parse_if_canonical(data: bytes) -> ParsedBundle | None:
    """The common case in one pass: read the entries loosely, re-render them, and
    accept only byte-identical input. Anything else gets the line-exact parse, which
    names the problem (and costs ~5x more: verify reads 10,000 bundles)."""
    generation = _FAST_GENERATION.search(data)
    entries = _ENTRY_PAIR.findall(data)
    if generation is None or not entries:
        return None
    if any(scalar_type(host.decode()) for host, _ in entries):
        return None  # the line-exact parse names the host (serde_yaml reads a non-string)
    try:
        endpoints = tuple(Endpoint(host.decode(), int(port)) for host, port in entries)
        parsed = ParsedBundle(int(generation.group(1)), endpoints)
        same = canonical_bytes(parsed.generation, endpoints) == data
    except ValueError:
        return None
    return parsed if same else None


def _lexical_problems(data: bytes) -> list[Problem]:
    """Bytes that may not appear anywhere, and the one-trailing-newline rule."""
    if not data:
        return [Problem(1, "bundle is empty")]
    raw_lines = data.split(b"\n")
    first: dict[str, int] = {}  # one problem per kind: a CRLF file is one mistake
    # One scan of the whole file clears the usual case; verify reads 10,000 bundles.
    if _SUSPECT.search(data):
        for number, line in enumerate(raw_lines, 1):
            if (fact := _line_fact(line)) is not None:
                first.setdefault(fact, number)
    problems = [Problem(number, fact) for fact, number in first.items()]
    if raw_lines[-1]:
        problems.append(Problem(len(raw_lines), "bundle does not end with a newline"))
    elif len(raw_lines) > 1 and not raw_lines[-2]:
        problems.append(Problem(len(raw_lines) - 1, "bundle ends with a blank line"))
    return problems


def _line_fact(line: bytes) -> str | None:
    if b"\r" in line:
        return "line contains a carriage return"
    if b"\t" in line:
        return "line contains a tab"
    if _NOT_PRINTABLE.search(line):
        return "line contains a non-ascii or control byte"
    if b"#" in line:
        return "line contains a comment"
    if b"'" in line or b'"' in line:
        return "line contains a quote"
    if line.startswith((b"---", b"...")):
        return "line is a document marker"
    if line != line.rstrip(b" "):
        return "line has trailing whitespace"
    return None


def _parse_header(lines: list[str]) -> tuple[int, bool] | list[Problem]:
    """(generation, whether the list is ``[]``) from the first six lines."""
    for index, want in enumerate(_HEADER):
        if (problem := _expect(lines, index, want, exact=index != 3)) is not None:
            return [problem]
    value = lines[3][len(_HEADER[3]) :]
    if not _GENERATION.fullmatch(value) or int(value) > MAX_GENERATION:
        return [Problem(4, f"generation '{value}' is not an integer >= 1 without leading zeros")]
    if len(lines) > 5 and lines[5] == _EMPTY:
        return int(value), True
    if (problem := _expect(lines, 5, "  endpoints:", exact=True)) is not None:
        return [problem]
    if len(lines) == 6:
        return [Problem(6, "endpoints list has no entries; a deny-all list is 'endpoints: []'")]
    return int(value), False


def _parse_entries(lines: list[str]) -> tuple[Endpoint, ...] | list[Problem]:
    endpoints: list[Endpoint] = []
    problems: list[Problem] = []
    for index in range(len(_HEADER) + 1, len(lines), 2):
        for offset, prefix in enumerate(_ENTRY):
            if (problem := _expect(lines, index + offset, prefix, exact=False)) is not None:
                return [*problems, problem]
        host = lines[index][len(_ENTRY[0]) :]
        port = lines[index + 1][len(_ENTRY[1]) :]
        problems += _entry_problems(index + 1, host, port)
        if not problems:
            endpoints.append(Endpoint(host, int(port)))
            problems += _order_problem(index + 1, endpoints)
    return problems or tuple(endpoints)


def _entry_problems(line: int, host: str, port: str) -> list[Problem]:
    problems = []
    if not canonical_host(host):
        problems.append(Problem(line, f"host '{host}' is not a lowercase ascii host name"))
    elif (kind := scalar_type(host)) is not None:
        problems.append(Problem(line, f"host '{host}' is read as a {kind}, not a string"))
    if not _PORT.fullmatch(port) or int(port) > 65535:
        problems.append(Problem(line + 1, f"port '{port}' is not an integer from 1 to 65535"))
    return problems


def _order_problem(line: int, endpoints: list[Endpoint]) -> list[Problem]:
    if len(endpoints) < 2 or endpoints[-2] < endpoints[-1]:
        return []
    last, before = endpoints[-1], endpoints[-2]
    if last == before:
        return [Problem(line, f"endpoint '{last}' repeats the entry before it")]
    return [Problem(line, f"endpoint '{last}' comes after '{before}' but sorts before it")]


_KEYS = ("apiVersion", "kind", "metadata", "generation", "spec", "endpoints", "host", "port")
_KEY = re.compile(r" *(?:- *)?([^:\s][^:]*):")


def _expect(lines: list[str], index: int, want: str, *, exact: bool) -> Problem | None:
    """A problem when line ``index`` is not ``want`` (or does not start with it)."""
    if index >= len(lines):
        return Problem(index + 1, f"bundle ends early; expected '{want.strip()}'")
    got = lines[index]
    if got == want if exact else got.startswith(want):
        return None
    match = _KEY.match(got)
    key = match.group(1) if match else ""
    wanted = _KEY.match(want)
    want_key = wanted.group(1) if wanted else want
    if not got:
        return Problem(index + 1, f"blank line; expected '{want.strip()}'")
    if key and key != want_key and key in _KEYS:
        return Problem(index + 1, f"key '{key}' is out of order; expected '{want_key}'")
    if key and key != want_key:
        return Problem(index + 1, f"unknown key '{key}'; expected '{want_key}'")
    return Problem(index + 1, f"line '{got}' is not canonical; expected '{want.strip()}'")
