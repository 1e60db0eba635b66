"""A kars object hidden from the raw text is still read as one (issue 10, item 2).

kubectl decides the kind on the decoded value: an escape in a double-quoted
scalar, a backslash line continuation or a !!binary apiVersion all give
``kars.azure.com/v1alpha1``. karsgit must parse such a document, and may skip a
text unparsed only when no document in it can be a kars object.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from karsgit.source.load import may_hold_kars
from tests.support import kube
from tests.support.corpus import kars_data, where

BODY = """\
kind: KarsSandbox
metadata: {name: web, namespace: kars-system}
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: com
        port: 443
"""
# 'kars.azure.com/v1alpha1' in base64
B64 = "a2Fycy5henVyZS5jb20vdjFhbHBoYTE="

HIDDEN = {
    "hex-escape": 'apiVersion: "kars\\x2eazure.com/v1alpha1"\n',
    "u-escape": 'apiVersion: "kars\\u002eazure.com/v1alpha1"\n',
    "U-escape": 'apiVersion: "\\U0000006bars.azure.com/v1alpha1"\n',
    "line-continued": 'apiVersion: "kars.azure\\\n  .com/v1alpha1"\n',
    "binary": f"apiVersion: !!binary {B64}\n",
    "verbatim-binary": f"apiVersion: !<tag:yaml.org,2002:binary> {B64}\n",
}


@pytest.mark.parametrize("head", HIDDEN.values(), ids=HIDDEN.keys())
def test_hidden_group_is_read_as_a_kars_object(head: str) -> None:
    text = head + BODY
    assert "kars.azure.com" not in text
    [data] = kars_data(text)
    assert data["apiVersion"] == "kars.azure.com/v1alpha1"
    # the public-suffix host (7th line of BODY) is judged like in any other manifest
    assert (head.count("\n") + 7, 15, "public-suffix") in where(text)


@kube.needs_kubectl
@pytest.mark.parametrize("head", HIDDEN.values(), ids=HIDDEN.keys())
def test_kubectl_reads_the_hidden_group(tmp_path: Path, head: str) -> None:
    [obj] = kube.decode(tmp_path, head + BODY)
    assert obj["apiVersion"] == "kars.azure.com/v1alpha1"
    assert obj["spec"]["networkPolicy"]["allowedEndpoints"] == [{"host": "com", "port": 443}]


def test_json_manifest_with_an_escaped_group() -> None:
    text = (
        '{"apiVersion": "kars\\u002eazure.com/v1alpha1", "kind": "KarsSandbox",\n'
        ' "metadata": {"name": "web", "namespace": "kars-system"},\n'
        ' "spec": {"networkPolicy": {"egressMode": "Strict",\n'
        '   "allowedEndpoints": [{"host": "com", "port": 443}]}}}\n'
    )
    assert (4, 34, "public-suffix") in where(text)


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: v1\nkind: ConfigMap\ndata: {a: 'x\\y', b: x\\y}\n",  # not in double quotes
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
        "a: 'kars.azure.\n  com'\n",  # folding joins lines with a space
        "#!/bin/sh\nscript: echo hi!\n",
    ],
)
def test_fast_path_skips_only_texts_that_cannot_hold_a_kars_object(text: str) -> None:
    assert not may_hold_kars(text)


@pytest.mark.parametrize("head", HIDDEN.values(), ids=HIDDEN.keys())
def test_fast_path_never_skips_a_hidden_group(head: str) -> None:
    assert may_hold_kars(head + BODY)


def test_broken_yaml_that_is_not_a_kars_manifest_is_still_not_judged() -> None:
    # parsed because of the escape, but no document is a kars object: no finding,
    # as for any other YAML that does not name the kars group
    text = 'a: "tab\\there"\nb: [unclosed\n'
    assert may_hold_kars(text)
    assert where(text) == []
