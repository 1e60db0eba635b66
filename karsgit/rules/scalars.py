"""Scalar rules: values that different YAML readers read differently.

``yaml-ambiguous-scalar``
    A plain scalar in a kars object that the cluster reads differently from
    what it looks like. Kubernetes' decoder (go-yaml v2 semantics: kubectl,
    Argo CD, Flux) reads ``0443`` as octal 291 and ``yes``/``no``/``on``/``off``/
    ``y``/``n`` as booleans, where a YAML 1.2 reader (editors, ruamel.yaml) sees
    443 and strings; a full YAML 1.1 reader (PyYAML) reads ``1:30`` as 90, which
    the cluster keeps as a string. karsgit reads the value the way the cluster
    does, and flags the scalar because reviewers and tools may not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from karsgit.findings import Hit, Severity, json_path_of
from karsgit.rules import RuleInfo
from karsgit.settings import Settings
from karsgit.source.load import AmbiguousScalar, Document
from karsgit.source.objects import KarsObject
from karsgit.source.scalars import yaml12_value

RULES = (
    RuleInfo("yaml-ambiguous-scalar", Severity.ERROR, "a scalar that YAML readers disagree on"),
)


def check_document(doc: Document, obj: KarsObject | None, settings: Settings) -> Iterator[Hit]:
    for scalar in doc.ambiguous:
        yield Hit(
            "yaml-ambiguous-scalar",
            scalar.position,
            _message(scalar),
            _hint(scalar),
            json_path_of(scalar.path),
        )


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string '{value}'"
    return "null" if value is None else repr(value)


def _message(scalar: AmbiguousScalar) -> str:
    other = "yaml 1.2 readers" if _is_yaml12(scalar) else "yaml 1.1 readers such as pyyaml"
    return (
        f"'{scalar.text}' is read as {_shown(scalar.cluster_value)} by the cluster "
        f"but as {_shown(scalar.other_value)} by {other}"
    )


def _is_yaml12(scalar: AmbiguousScalar) -> bool:
    mine = yaml12_value(scalar.text)
    return type(mine) is type(scalar.other_value) and mine == scalar.other_value


def _hint(scalar: AmbiguousScalar) -> str:
    ours, other = scalar.cluster_value, scalar.other_value
    if _number(ours) and _number(other):
        return f"write {other} if you mean {other}; a leading zero makes it octal"
    if isinstance(ours, bool):
        word = "true" if ours else "false"
        return (
            f'quote it ("{scalar.text}") if you mean a string; write {word} if you mean a boolean'
        )
    return f'quote it ("{scalar.text}") to make the string explicit'


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
