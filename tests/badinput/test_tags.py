"""Explicit YAML tags read the way the cluster reads them (issue 10, item 4).

go-yaml v2 resolves the standard scalar tags (``!!int 443`` is 443, ``!!binary``
is decoded), refuses a value its tag cannot read, and ignores any other tag (the
value is the text). Expected values are written by hand from those rules, then
asked of kubectl. Custom tags and ``!!binary`` on a kars object are reported as
``yaml-tag``: other readers (or reviewers) read them differently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import kube
from tests.support.corpus import SANDBOX, kars_data, messages, values, where

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  v: "

READ: dict[str, tuple[str, Any]] = {
    "str": ("!!str 443", "443"),
    "int": ("!!int 443", 443),
    "int-quoted": ('!!int "443"', 443),
    "int-octal": ("!!int 0443", 291),
    "int-underscore": ("!!int 1_000", 1000),
    "float-from-int": ("!!float 1", 1.0),
    "float": ("!!float 2.5", 2.5),
    "bool": ("!!bool yes", True),
    "null": ("!!null ~", None),
    "timestamp": ("!!timestamp 2001-12-14", "2001-12-14"),
    "binary": ("!!binary Y29t", "com"),
    "binary-lines": ("!!binary |\n    Y2\n    9t", "com"),
    "custom": ("!foo 443", "443"),
    "non-specific": ("! 443", "443"),
    "non-specific-quoted": ('! "443"', "443"),
    "non-specific-anchored": ("&a ! 443", "443"),
    "anchored-plain": ("&a 443", 443),
    "set-on-scalar": ("!!set 443", "443"),
    "custom-mapping": ("!foo {a: b}", {"a": "b"}),
    "custom-sequence": ("!foo [a]", ["a"]),
}

REFUSED: dict[str, str] = {
    "int-word": "!!int abc",
    "int-float": "!!int 1.5",
    "bool-number": "!!bool 1",
    "null-word": "!!null x",
    "timestamp-word": "!!timestamp abc",
    "binary-junk": "!!binary '%%%'",
}


@pytest.mark.parametrize(("value", "expected"), READ.values(), ids=READ.keys())
def test_karsgit_reads_tags_as_the_cluster(value: str, expected: Any) -> None:
    [doc] = values(HEAD + value + "\n")
    assert doc["data"]["v"] == expected
    assert type(doc["data"]["v"]) is type(expected)


@kube.needs_kubectl
@pytest.mark.parametrize(("value", "expected"), READ.values(), ids=READ.keys())
def test_kubectl_reads_the_same(tmp_path: Path, value: str, expected: Any) -> None:
    [obj] = kube.decode(tmp_path, HEAD + value + "\n")
    assert obj["data"]["v"] == expected  # JSON has no float/int distinction for 1.0


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_a_value_its_tag_cannot_read_is_a_syntax_finding(value: str) -> None:
    text = SANDBOX.replace("port: 443", f"port: {value}")
    assert (11, 15, "syntax") in where(text)
    [message] = messages(text, "syntax")
    assert message.endswith("; the cluster refuses the document")


@kube.needs_kubectl
@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_kubectl_refuses_the_same(tmp_path: Path, value: str) -> None:
    with pytest.raises(kube.Refused):
        kube.decode(tmp_path, HEAD + value + "\n")


def test_int_tagged_port_is_a_port() -> None:
    text = SANDBOX.replace("port: 443", "port: !!int 443")
    assert kars_data(text)[0]["spec"]["networkPolicy"]["allowedEndpoints"][0]["port"] == 443
    assert where(text) == []


def test_binary_host_is_read_decoded_and_reported() -> None:
    text = SANDBOX.replace("host: api.github.com", "host: !!binary Y29t")
    assert kars_data(text)[0]["spec"]["networkPolicy"]["allowedEndpoints"][0]["host"] == "com"
    assert where(text) == [(10, 15, "public-suffix"), (10, 15, "yaml-tag")]
    assert messages(text, "yaml-tag") == [
        "'Y29t' is !!binary: the cluster reads the decoded text 'com', a reviewer sees base64"
    ]


def test_custom_tag_on_a_kars_field_is_ambiguous() -> None:
    text = SANDBOX.replace("host: api.github.com", "host: !host api.github.com")
    assert where(text) == [(10, 15, "yaml-tag")]
    assert messages(text, "yaml-tag") == [
        "tag '!host' is not a standard YAML tag: the cluster ignores it and reads the string "
        "'api.github.com', other YAML readers reject it or build another type"
    ]


def test_custom_tag_on_a_mapping_is_ambiguous() -> None:
    text = SANDBOX.replace("  networkPolicy:\n", "  networkPolicy: !policy\n")
    assert where(text) == [(7, 18, "yaml-tag")]


def test_non_specific_tag_on_a_port_is_a_string_port() -> None:
    text = SANDBOX.replace("port: 443", "port: ! 443")
    assert kars_data(text)[0]["spec"]["networkPolicy"]["allowedEndpoints"][0]["port"] == "443"
    assert (11, 15, "yaml-tag") in where(text)


def test_standard_tags_on_kars_fields_are_not_reported() -> None:
    text = SANDBOX.replace("host: api.github.com", "host: !!str api.github.com").replace(
        "egressMode: Strict", "egressMode: !!str Strict"
    )
    assert where(text) == []


def test_int_tag_with_a_leading_zero_is_ambiguous() -> None:
    text = SANDBOX.replace("port: 443", "port: !!int 0443")
    assert (11, 15, "yaml-ambiguous-scalar") in where(text)
