"""Pin how karsgit reads plain scalars: exactly as the cluster's go-yaml v2 decoder.

Expected values come from go-yaml v2's resolve rules (and Go's strconv.ParseInt
with base 0), not from running this code.
"""

from __future__ import annotations

import math

import pytest

from karsgit.source import scalars
from karsgit.source.load import load_bytes

CLUSTER = [
    ("443", 443),
    ("0443", 291),  # leading zero: octal
    ("0o17", 15),
    ("0x1F", 31),
    ("0b101", 5),
    ("1_000", 1000),
    ("09", 9.0),  # not octal, so a float
    ("1e3", 1000.0),
    ("-5", -5),
    ("+.inf", math.inf),
    ("yes", True),
    ("Yes", True),
    ("on", True),
    ("ON", True),
    ("y", True),
    ("Y", True),
    ("no", False),
    ("off", False),
    ("n", False),
    ("N", False),
    ("False", False),
    ("~", None),
    ("null", None),
    ("", None),
    ("1:30", "1:30"),  # base 60 is YAML 1.1 only; the cluster keeps a string
    ("api.github.com", "api.github.com"),
    ("Strict", "Strict"),
    ("PT1H", "PT1H"),
    ("yesterday", "yesterday"),
    ("0o", "0o"),  # a prefix without digits is no number (found by hypothesis)
    ("0x", "0x"),
    ("0b", "0b"),
]


@pytest.mark.parametrize(("text", "expected"), CLUSTER)
def test_cluster_reading(text: str, expected: object) -> None:
    value = scalars.cluster_value(text)
    assert type(value) is type(expected)
    assert value == expected


@pytest.mark.parametrize(
    ("text", "cluster", "other"),
    [("0443", 291, 443), ("yes", True, "yes"), ("off", False, "off"), ("1:30", "1:30", 90)],
)
def test_readers_disagree(text: str, cluster: object, other: object) -> None:
    assert scalars.disagreement(text) == (cluster, other)


@pytest.mark.parametrize("text", ["443", "true", "api.github.com", "1.5", "null", "0", "0x10"])
def test_readers_agree(text: str) -> None:
    assert scalars.disagreement(text) is None


def test_quoted_and_tagged_scalars_stay_strings() -> None:
    raw = (
        b"apiVersion: kars.azure.com/v1alpha1\n"
        b"a: '0443'\nb: \"yes\"\nc: !!str 0443\nd: 0443\ne: !!str yes\n"
    )
    doc = load_bytes("x.yaml", raw).documents[0]
    assert doc.data == {
        "apiVersion": "kars.azure.com/v1alpha1",
        "a": "0443",
        "b": "yes",
        "c": "0443",
        "d": 291,
        "e": "yes",
    }
    assert [(a.path, a.text) for a in doc.ambiguous] == [(("d",), "0443")]


def test_positions_are_one_based_from_the_yaml() -> None:
    raw = b"apiVersion: kars.azure.com/v1alpha1\nspec:\n  hosts:\n    - host: a\n      port: 1\n"
    doc = load_bytes("x.yaml", raw).documents[0]
    pos = doc.pos(("spec", "hosts", 0, "port"))
    assert (pos.line, pos.column) == (5, 13)
    key = doc.key_pos(("spec", "hosts", 0, "port"))
    assert (key.line, key.column) == (5, 7)
    missing = doc.pos(("spec", "hosts", 0, "nope"))
    assert (missing.line, missing.column) == (4, 7)


def test_merge_keys_follow_go_yaml() -> None:
    raw = (
        b"apiVersion: kars.azure.com/v1alpha1\n"
        b"base: &b {port: 443, host: a}\nep:\n  <<: *b\n  host: c\n"
    )
    doc = load_bytes("x.yaml", raw).documents[0]
    assert doc.data["ep"] == {"port": 443, "host": "c"}
    assert doc.pos(("ep", "port")).line == 2
