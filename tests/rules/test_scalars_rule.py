"""yaml-ambiguous-scalar, and how the cluster reads the values it flags."""

from __future__ import annotations

import pytest

from karsgit.source.extract import to_object
from karsgit.source.load import iter_kars_documents, load_bytes
from karsgit.source.objects import Sandbox
from tests.rules.conftest import endpoints, hits

CASES = [
    # (port text, value the cluster reads, message or "")
    ("0443", 291, "'0443' is read as 291 by the cluster but as 443 by yaml 1.2 readers"),
    ("yes", True, "'yes' is read as true by the cluster but as the string 'yes' by yaml 1.2 "
                  "readers"),
    ("1:30", "1:30", "'1:30' is read as the string '1:30' by the cluster but as 90 by yaml 1.1 "
                     "readers such as pyyaml"),
    ('"443"', "443", ""),
    ("443", 443, ""),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value", "message"), CASES)
def test_cluster_reading_and_finding(text: str, value: object, message: str) -> None:
    manifest = endpoints(f"- host: a.com\n  port: {text}\n")
    [doc] = iter_kars_documents(load_bytes("m.yaml", manifest.encode()))
    sandbox = to_object(doc)
    assert isinstance(sandbox, Sandbox)
    assert sandbox.endpoints[0].port == value
    assert type(sandbox.endpoints[0].port) is type(value)
    found = hits(manifest, rules=("yaml-ambiguous-scalar",))
    assert [(h.position.line, h.position.column, h.message) for h in found] == (
        [(11, 15, message)] if message else []
    )


def test_hints() -> None:
    [octal] = hits(endpoints("- host: a.com\n  port: 0443\n"), rules=("yaml-ambiguous-scalar",))
    assert octal.hint == "write 443 if you mean 443; a leading zero makes it octal"
    text = endpoints("- host: a.com\n  port: 443\n").replace(
        "name: web", "name: web\n  labels: {a: on, b: y}"
    )
    found = hits(text, rules=("yaml-ambiguous-scalar",))
    assert [h.hint for h in found] == [
        'quote it ("on") if you mean a string; write true if you mean a boolean',
        'quote it ("y") if you mean a string; write true if you mean a boolean',
    ]


def test_not_reported_outside_kars_objects() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: yes}\n"
    assert hits(text) == []
