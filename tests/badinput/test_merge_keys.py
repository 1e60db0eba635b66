"""Merge keys read exactly as go-yaml v2 (kubectl) reads them (issue 10, item 3).

go-yaml v2 applies ``<<`` in document order: a key written before the merge is
replaced by the merged value, a key written after it wins; in a list merge the
earlier mapping wins. kustomize (go-yaml v3) keeps a key written before the
merge instead, so that order is also reported as a duplicate key. Expected
values are written by hand from those rules, then asked of kubectl.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import kube
from tests.support.corpus import SANDBOX, kars_data, messages, values, where

HEAD = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: m, annotations: &base {p: "1", q: "2"}}
data:
"""

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "explicit-before-merge": ("a: explicit\n<<: {a: merged, b: mb}", {"a": "merged", "b": "mb"}),
    "explicit-after-merge": ("<<: {a: merged, b: mb}\na: explicit", {"a": "explicit", "b": "mb"}),
    "list-earlier-wins": (
        "<<: [{a: first, c: c1}, {a: second, b: b2, c: c2}]\nb: explicit",
        {"a": "first", "b": "explicit", "c": "c1"},
    ),
    "list-after-explicit": (
        "b: explicit\n<<: [{a: first}, {b: second}]",
        {"a": "first", "b": "second"},
    ),
    "alias-after-explicit": ('p: "0"\n<<: *base', {"p": "1", "q": "2"}),
    "alias-in-list": ('<<: [*base, {p: "9", r: "9"}]\nq: e', {"p": "1", "q": "e", "r": "9"}),
    "two-merge-keys": ('<<: {a: "1"}\n<<: {a: "2"}', {"a": "2"}),
    "quoted-is-a-key": ('"<<": {a: b}', {"<<": {"a": "b"}}),
    "tagged-merge": ("a: explicit\n!!merge <<: {a: merged}", {"a": "merged"}),
}


def manifest(body: str) -> str:
    return HEAD + "".join(f"  {line}\n" for line in body.splitlines())


@pytest.mark.parametrize(("body", "expected"), CASES.values(), ids=CASES.keys())
def test_karsgit_reads_merges_as_go_yaml_v2(body: str, expected: dict[str, Any]) -> None:
    [doc] = values(manifest(body))
    assert doc["data"] == expected


@kube.needs_kubectl
@pytest.mark.parametrize(("body", "expected"), CASES.values(), ids=CASES.keys())
def test_kubectl_reads_the_same(tmp_path: Path, body: str, expected: dict[str, Any]) -> None:
    [obj] = kube.decode(tmp_path, manifest(body))
    assert obj["data"] == expected


@kube.needs_kubectl
def test_kustomize_keeps_the_key_before_the_merge(tmp_path: Path) -> None:
    # the disagreement that makes "explicit key before '<<'" a finding
    out = kube.kustomize(tmp_path, manifest(CASES["explicit-before-merge"][0]))
    assert "  a: explicit\n" in out


def test_merge_after_explicit_key_flips_strict_to_learn() -> None:
    text = SANDBOX.replace(
        "    egressMode: Strict\n", "    egressMode: Strict\n    <<: {egressMode: Learn}\n"
    )
    [data] = kars_data(text)
    assert data["spec"]["networkPolicy"]["egressMode"] == "Learn"
    assert (8, 5, "duplicate-key") in where(text)
    [message] = messages(text, "duplicate-key")
    assert message == (
        "key 'egressMode' is given here and again by the merge key ('<<') at line 9; "
        "kubectl takes the merged value, kustomize this one"
    )


def test_merge_before_explicit_key_is_not_a_finding() -> None:
    text = SANDBOX.replace(
        "    egressMode: Strict\n", "    <<: {egressMode: Learn}\n    egressMode: Strict\n"
    )
    [data] = kars_data(text)
    assert data["spec"]["networkPolicy"]["egressMode"] == "Strict"
    assert where(text) == []


def test_positions_follow_the_merged_value() -> None:
    # the merge replaces the endpoint list: findings point into the merged mapping
    text = SANDBOX + "    <<: {allowedEndpoints: [{host: com, port: 443}]}\n"
    [data] = kars_data(text)
    assert data["spec"]["networkPolicy"]["allowedEndpoints"] == [{"host": "com", "port": 443}]
    assert where(text) == [(9, 5, "duplicate-key"), (12, 36, "public-suffix")]


@pytest.mark.parametrize("value", ["5", "[a, b]", "[{a: b}, c]"])
def test_merge_of_a_non_mapping_is_refused_as_the_cluster_refuses_it(value: str) -> None:
    text = SANDBOX + f"  <<: {value}\n"
    assert (12, 7, "syntax") in where(text)
    assert messages(text, "syntax") == [
        "a merge key ('<<') takes a mapping or a list of mappings; the cluster refuses the document"
    ]


@kube.needs_kubectl
@pytest.mark.parametrize("value", ["5", "[a, b]", "[{a: b}, c]"])
def test_kubectl_refuses_a_merge_of_a_non_mapping(tmp_path: Path, value: str) -> None:
    with pytest.raises(kube.Refused, match="map merge requires map or sequence of maps"):
        kube.decode(tmp_path, SANDBOX + f"  <<: {value}\n")
