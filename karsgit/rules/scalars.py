"""Scalar rules: values that different YAML readers read differently.

``yaml-ambiguous-scalar``
    A plain scalar in a kars object that the cluster reads differently from
    what it looks like. Kubernetes' decoder (go-yaml v2 semantics: kubectl,
    Argo CD, Flux) reads ``0443`` as octal 291 and ``yes``/``no``/``on``/``off``/
    ``y``/``n`` as booleans, where a YAML 1.2 reader (editors, ruamel.yaml) sees
    443 and strings; a full YAML 1.1 reader (PyYAML) reads ``1:30`` as 90, which
    the cluster keeps as a string. karsgit reads the value the way the cluster
    does, and flags the scalar because reviewers and tools may not.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 0443   # the cluster reads 291
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Write the intended number without a leading zero, or quote a value meant as a
    string (``"yes"``).

``yaml-tag``
    A value in a kars object written with an explicit tag that hides it: a
    custom tag (``!foo 443``, ``!!set`` on a scalar), which the cluster ignores
    (it reads the text as a string) while other YAML readers reject the tag or
    build another type; or ``!!binary``, which the cluster decodes, so a reviewer
    reads base64 where the cluster reads a host. The standard tags ``!!str``,
    ``!!int``, ``!!float``, ``!!bool``, ``!!null`` and ``!!timestamp`` are read
    as the cluster reads them and are not reported.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: !!binary YXBpLmdpdGh1Yi5jb20=   # the cluster reads api.github.com
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Fix: Write the value plainly (quote it if it must stay a string); drop the tag.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from karsgit.findings import Hit, Severity, json_path_of
from karsgit.rules.base import RuleInfo
from karsgit.settings import Settings
from karsgit.source.load import AmbiguousScalar, Document, HiddenValue
from karsgit.source.objects import KarsObject
from karsgit.source.scalars import shown, yaml12_value
from karsgit.source.tags import BINARY, short

RULES = (
    RuleInfo("yaml-ambiguous-scalar", Severity.ERROR, "a scalar that YAML readers disagree on"),
    RuleInfo("yaml-tag", Severity.ERROR, "an explicit YAML tag hides a value"),
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
    for hidden in doc.hidden:
        yield Hit("yaml-tag", hidden.position, *_tag_finding(hidden), json_path_of(hidden.path))


def _tag_finding(hidden: HiddenValue) -> tuple[str, str]:
    if hidden.tag == BINARY:
        return (
            f"'{_clip(hidden.text)}' is !!binary: the cluster reads the decoded text "
            f"'{_clip(hidden.cluster_value)}', a reviewer sees base64",
            f"write '{_clip(hidden.cluster_value)}' as plain text",
        )
    tag = short(hidden.tag)
    read = f"reads the string '{_clip(hidden.text)}'" if hidden.text else "reads it untagged"
    return (
        f"tag '{tag}' is not a standard YAML tag: the cluster ignores it and {read}, "
        "other YAML readers reject it or build another type",
        f"remove the '{tag}' tag",
    )


def _clip(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _message(scalar: AmbiguousScalar) -> str:
    other = "yaml 1.2 readers" if _is_yaml12(scalar) else "yaml 1.1 readers such as pyyaml"
    return (
        f"'{scalar.text}' is read as {shown(scalar.cluster_value)} by the cluster "
        f"but as {shown(scalar.other_value)} by {other}"
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
