"""Canonical bundle v1 bytes, the strict parse, the generation rule, the OCI manifest."""

from __future__ import annotations

import base64
import hashlib
import json
import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from karsgit.bundle.canonical import (
    ARTIFACT_TYPE,
    EMPTY_CONFIG_DIGEST,
    LAYER_MEDIA_TYPE,
    MAX_GENERATION,
    ParsedBundle,
    Problem,
    canonical_bytes,
    deny_all_bytes,
    next_generation,
    oci_manifest,
    oci_manifest_digest,
    parse_canonical,
)
from karsgit.normalize.endpoints import Endpoint, normalize_host

A80 = Endpoint("api.github.com", 80)
A443 = Endpoint("api.github.com", 443)
D443 = Endpoint("dev.azure.com", 443)
GOLDEN_INPUT = [D443, A443, A443, A80]
GOLDEN = (
    b"apiVersion: kars.dev/v1alpha1\n"
    b"kind: EgressAllowlist\n"
    b"metadata:\n"
    b"  generation: 1\n"
    b"spec:\n"
    b"  endpoints:\n"
    b"    - host: api.github.com\n"
    b"      port: 80\n"
    b"    - host: api.github.com\n"
    b"      port: 443\n"
    b"    - host: dev.azure.com\n"
    b"      port: 443\n"
)
GOLDEN_SHA256 = "68cfc3c618aa23c95c5d4500d3f0fd7e3bc68b80bb917fbf159b952b9666a73a"
# Reviewed by hand: the 471-byte manifest below, hashed independently with sha256sum.
GOLDEN_MANIFEST = (
    b'{"schemaVersion":2,'
    b'"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    b'"artifactType":"application/vnd.kars.egress-allowlist.v1+yaml",'
    b'"config":{"mediaType":"application/vnd.oci.empty.v1+json",'
    b'"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",'
    b'"size":2,"data":"e30="},'
    b'"layers":[{"mediaType":"application/vnd.kars.egress-allowlist.v1+yaml",'
    b'"digest":"sha256:68cfc3c618aa23c95c5d4500d3f0fd7e3bc68b80bb917fbf159b952b9666a73a",'
    b'"size":224}]}'
)
GOLDEN_MANIFEST_DIGEST = "sha256:d6d9d71e940c253ba7567549477ddf377eb9500c5e69255ba48a66ff59d446b3"
DENY_ALL = GOLDEN.split(b"  endpoints:\n")[0] + b"  endpoints: []\n"


def test_golden_vector() -> None:
    data = canonical_bytes(1, GOLDEN_INPUT)
    assert data == GOLDEN
    assert len(data) == 224
    assert hashlib.sha256(data).hexdigest() == GOLDEN_SHA256


def test_golden_vector_parses_back() -> None:
    assert parse_canonical(GOLDEN) == ParsedBundle(1, (A80, A443, D443))


def test_producer_refuses_empty_list() -> None:
    with pytest.raises(ValueError, match="empty"):
        canonical_bytes(1, [])


@pytest.mark.parametrize("generation", [0, -1, True, MAX_GENERATION + 1])
def test_producer_refuses_bad_generation(generation: int) -> None:
    with pytest.raises(ValueError, match="generation"):
        canonical_bytes(generation, [A443])


@pytest.mark.parametrize(
    "endpoint",
    [
        Endpoint("API.github.com", 443),
        Endpoint("a..com", 443),
        Endpoint(".a.com", 443),
        Endpoint("a.com", 0),
        Endpoint("a.com", 65536),
        Endpoint("m\u00fcnchen.de", 443),
    ],
)
def test_producer_refuses_non_normal_endpoints(endpoint: Endpoint) -> None:
    with pytest.raises(ValueError, match=r"host|port"):
        canonical_bytes(1, [endpoint])


def test_consumer_accepts_deny_all() -> None:
    assert parse_canonical(DENY_ALL) == ParsedBundle(1, ())


def _edit(old: bytes, new: bytes, data: bytes = GOLDEN) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


PARSE_PROBLEMS = [
    (b"", 1, "bundle is empty"),
    (GOLDEN[:-1], 12, "bundle does not end with a newline"),
    (GOLDEN + b"\n", 13, "bundle ends with a blank line"),
    (GOLDEN.replace(b"\n", b"\r\n"), 1, "line contains a carriage return"),
    (_edit(b"spec:", b"spec:\t"), 5, "line contains a tab"),
    (_edit(b"spec:", b"spec: # signed"), 5, "line contains a comment"),
    (_edit(b"host: dev.azure.com", b'host: "dev.azure.com"'), 11, "line contains a quote"),
    (_edit(b"host: dev.azure.com", b"host: 'dev.azure.com'"), 11, "line contains a quote"),
    (b"---\n" + GOLDEN, 1, "line is a document marker"),
    (_edit(b"spec:", b"spec: "), 5, "line has trailing whitespace"),
    (_edit(b"host: dev", b"host: d\xc3\xa9v"), 11, "line contains a non-ascii or control byte"),
    (
        _edit(b"apiVersion: kars.dev/v1alpha1", b"apiVersion: v1"),
        1,
        "line 'apiVersion: v1' is not canonical; expected 'apiVersion: kars.dev/v1alpha1'",
    ),
    (
        _edit(b"kind: EgressAllowlist\nmetadata:\n", b"metadata:\nkind: EgressAllowlist\n"),
        2,
        "key 'metadata' is out of order; expected 'kind'",
    ),
    (_edit(b"metadata:", b"meta:"), 3, "unknown key 'meta'; expected 'metadata'"),
    (
        _edit(b"  generation: 1", b"   generation: 1"),
        4,
        "line '   generation: 1' is not canonical; expected 'generation:'",
    ),
    (
        _edit(b"  generation: 1", b"  generation: 01"),
        4,
        "generation '01' is not an integer >= 1 without leading zeros",
    ),
    (
        _edit(b"  generation: 1", b"  generation: 0"),
        4,
        "generation '0' is not an integer >= 1 without leading zeros",
    ),
    (
        _edit(b"  generation: 1", b"  generation: 1.0"),
        4,
        "generation '1.0' is not an integer >= 1 without leading zeros",
    ),
    (
        _edit(b"  generation: 1", b"  generation: 9223372036854775808"),
        4,
        "generation '9223372036854775808' is not an integer >= 1 without leading zeros",
    ),
    (
        _edit(b"      port: 80\n", b"      port: 80\n      weight: 1\n"),
        9,
        "unknown key 'weight'; expected 'host'",
    ),
    (
        _edit(
            b"    - host: api.github.com\n      port: 80\n",
            b"    - port: 80\n      host: api.github.com\n",
        ),
        7,
        "key 'port' is out of order; expected 'host'",
    ),
    (_edit(b"      port: 80", b"      port: 0"), 8, "port '0' is not an integer from 1 to 65535"),
    (
        _edit(b"      port: 80", b"      port: 080"),
        8,
        "port '080' is not an integer from 1 to 65535",
    ),
    (
        _edit(b"      port: 80", b"      port: 65536"),
        8,
        "port '65536' is not an integer from 1 to 65535",
    ),
    (
        _edit(b"host: dev.azure.com", b"host: Dev.azure.com"),
        11,
        "host 'Dev.azure.com' is not a lowercase ascii host name",
    ),
    (
        _edit(b"host: dev.azure.com", b"host: dev..azure.com"),
        11,
        "host 'dev..azure.com' is not a lowercase ascii host name",
    ),
    (
        _edit(b"host: dev.azure.com", b"host: *.azure.com"),
        11,
        "host '*.azure.com' is not a lowercase ascii host name",
    ),
    (
        _edit(b"      port: 80", b"      port: 8443"),
        9,
        "endpoint 'api.github.com:443' comes after 'api.github.com:8443' but sorts before it",
    ),
    (
        _edit(b"      port: 80", b"      port: 443"),
        9,
        "endpoint 'api.github.com:443' repeats the entry before it",
    ),
    (
        GOLDEN.split(b"    - host")[0],
        6,
        "endpoints list has no entries; a deny-all list is 'endpoints: []'",
    ),
    (GOLDEN.split(b"spec:")[0], 5, "bundle ends early; expected 'spec:'"),
    (GOLDEN[: -len(b"      port: 443\n")], 12, "bundle ends early; expected 'port:'"),
    (DENY_ALL + b"    - host: a.com\n", 7, "unexpected line after 'endpoints: []'"),
    (_edit(b"spec:\n", b"spec:\n\n"), 6, "blank line; expected 'endpoints:'"),
    (
        _edit(b"    - host: api.github.com\n", b"    -  host: api.github.com\n"),
        7,
        "line '    -  host: api.github.com' is not canonical; expected '- host:'",
    ),
]


@pytest.mark.parametrize(("data", "line", "message"), PARSE_PROBLEMS)
def test_parse_problems(data: bytes, line: int, message: str) -> None:
    assert parse_canonical(data) == [Problem(line, message)]


def test_parse_reports_every_bad_entry() -> None:
    data = _edit(b"port: 443\n    - host: dev", b"port: 0\n    - host: DEV")
    assert parse_canonical(data) == [
        Problem(10, "port '0' is not an integer from 1 to 65535"),
        Problem(11, "host 'DEV.azure.com' is not a lowercase ascii host name"),
    ]


def _yaml_string(host: str) -> bool:
    from karsgit.bundle.serdeyaml import scalar_type

    return scalar_type(host) is None


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
# names serde_yaml reads as numbers or bools ("0", "1e5") can never be in a bundle
HOSTS = st.lists(LABEL, min_size=1, max_size=4).map(".".join).filter(_yaml_string)
ENDPOINTS = st.builds(Endpoint, HOSTS, st.integers(1, 65535))
RAW_HOSTS = st.text(alphabet="abcXYZ09-.\u00fc\u00df\u0430 ", min_size=1, max_size=20)


@given(st.integers(1, MAX_GENERATION), st.lists(ENDPOINTS, min_size=1, max_size=10))
def test_round_trip(generation: int, endpoints: list[Endpoint]) -> None:
    parsed = parse_canonical(canonical_bytes(generation, endpoints))
    assert parsed == ParsedBundle(generation, tuple(sorted(set(endpoints))))


@given(st.lists(st.tuples(RAW_HOSTS, st.integers(1, 65535)), min_size=1, max_size=8))
def test_normal_form_of_any_allowlist_is_accepted(raw: list[tuple[str, int]]) -> None:
    normal = [(normalize_host(host).normal, port) for host, port in raw]
    endpoints = [Endpoint(host, port) for host, port in normal if host is not None]
    assume(endpoints)
    parsed = parse_canonical(canonical_bytes(1, endpoints))
    assert isinstance(parsed, ParsedBundle)
    assert set(parsed.endpoints) == set(endpoints)


@given(st.lists(ENDPOINTS, min_size=1, max_size=10), st.randoms(use_true_random=False))
def test_compile_is_deterministic(endpoints: list[Endpoint], rng: random.Random) -> None:
    shuffled = list(endpoints)
    rng.shuffle(shuffled)
    first = canonical_bytes(3, endpoints)
    assert canonical_bytes(3, shuffled + endpoints) == first
    assert oci_manifest_digest(canonical_bytes(3, shuffled)) == oci_manifest_digest(first)


@given(st.binary(max_size=400))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    result = parse_canonical(data)
    assert isinstance(result, ParsedBundle) or all(p.line >= 1 for p in result)


@given(st.integers(0, len(GOLDEN) - 1), st.binary(min_size=0, max_size=3), st.integers(0, 3))
def test_parse_never_raises_on_near_misses(at: int, insert: bytes, cut: int) -> None:
    data = GOLDEN[:at] + insert + GOLDEN[at + cut :]
    result = parse_canonical(data)
    if isinstance(result, ParsedBundle):
        # anything it accepts is exactly what the producer writes for it
        assert canonical_bytes(result.generation, result.endpoints) == data


def test_next_generation() -> None:
    previous = ParsedBundle(4, (A80, A443))
    assert next_generation(None, [A443]) == 1
    assert next_generation(previous, [A443, A80, A443]) == 4
    assert next_generation(previous, [A443]) == 5
    assert next_generation(previous, [A443, A80, D443]) == 5
    assert next_generation(ParsedBundle(2, ()), []) == 2


def test_empty_config_digest_is_sha256_of_empty_object() -> None:
    assert "sha256:" + hashlib.sha256(b"{}").hexdigest() == EMPTY_CONFIG_DIGEST
    assert base64.b64decode("e30=") == b"{}"


def test_oci_manifest_fields() -> None:
    manifest = json.loads(oci_manifest(GOLDEN))
    assert list(manifest) == ["schemaVersion", "mediaType", "artifactType", "config", "layers"]
    assert manifest["schemaVersion"] == 2
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert manifest["artifactType"] == ARTIFACT_TYPE == LAYER_MEDIA_TYPE
    assert ARTIFACT_TYPE == "application/vnd.kars.egress-allowlist.v1+yaml"
    assert manifest["config"] == {
        "mediaType": "application/vnd.oci.empty.v1+json",
        "digest": EMPTY_CONFIG_DIGEST,
        "size": 2,
        "data": "e30=",
    }
    assert manifest["layers"] == [
        {"mediaType": LAYER_MEDIA_TYPE, "digest": f"sha256:{GOLDEN_SHA256}", "size": 224}
    ]
    assert "annotations" not in manifest


def test_oci_manifest_golden_bytes_and_digest() -> None:
    assert oci_manifest(GOLDEN) == GOLDEN_MANIFEST
    assert len(GOLDEN_MANIFEST) == 471
    assert oci_manifest_digest(GOLDEN) == GOLDEN_MANIFEST_DIGEST
    assert "sha256:" + hashlib.sha256(GOLDEN_MANIFEST).hexdigest() == GOLDEN_MANIFEST_DIGEST


def test_oci_manifest_digest_follows_the_bytes() -> None:
    other = canonical_bytes(2, GOLDEN_INPUT)
    digest = oci_manifest_digest(other)
    assert digest != GOLDEN_MANIFEST_DIGEST
    assert len(digest) == len("sha256:") + 64
    assert digest == oci_manifest_digest(other)


def test_deny_all_bytes_are_the_consumers_empty_form() -> None:
    expected = (
        b"apiVersion: kars.dev/v1alpha1\nkind: EgressAllowlist\nmetadata:\n"
        b"  generation: 3\nspec:\n  endpoints: []\n"
    )
    assert deny_all_bytes(3) == expected
    assert parse_canonical(expected) == ParsedBundle(3, ())
