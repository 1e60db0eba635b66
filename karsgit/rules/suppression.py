"""Suppression rules: the ``# karsgit: ignore[...]`` comments themselves.

Write ``# karsgit: ignore[rule-id] reason="why" until=YYYY-MM-DD`` at the end of
the line a finding is on, or alone on the line before it. Several ids may be
listed with commas; ``until`` is optional.

``suppression-invalid``
    A directive without a ``reason="..."``, naming no or an unknown rule id,
    with an unknown option or a malformed ``until`` date. It silences nothing:
    an unexplained exception is how gates rot.

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
          - host: API.github.com  # karsgit: ignore[host-case]
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
          - host: API.github.com  # karsgit: ignore[host-case] reason="vendor pin"
            port: 443
    ```

    Fix: Add ``reason="..."`` and use a rule id from ``karsgit rules``.

``suppression-expired``
    A directive past its ``until`` date. It silences nothing any more, and is
    itself an error, so the exception is reviewed again rather than forgotten.

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
          # karsgit: ignore[public-suffix] reason="pilot" until=2024-01-31
          - host: github.io
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
          - host: my-org.github.io
            port: 443
    ```

    Fix: Fix the finding, or renew the suppression with a new reason and date.
"""

from __future__ import annotations

from collections.abc import Iterator

from karsgit.findings import Hit, Position, Severity
from karsgit.rules import suppressions as suppress
from karsgit.rules.base import RuleInfo

RULES = (
    RuleInfo(
        "suppression-invalid",
        Severity.ERROR,
        "a suppression comment without a reason or a known id",
    ),
    RuleInfo("suppression-expired", Severity.ERROR, "a suppression comment past its until date"),
)


def check_text(text: str, rule_ids: frozenset[str]) -> Iterator[Hit]:
    if "karsgit:" not in text:
        return
    for directive in suppress.parse(text, rule_ids):
        where = Position(directive.line, directive.column)
        if directive.problems:
            yield Hit(
                "suppression-invalid",
                where,
                "suppression " + "; ".join(directive.problems),
                'write # karsgit: ignore[rule-id] reason="why it is safe"',
            )
        elif directive.expired:
            ids = ", ".join(directive.rule_ids)
            yield Hit(
                "suppression-expired",
                where,
                f"suppression of {ids} expired on {directive.until}",
                "fix the finding, or renew the suppression with a new reason and date",
            )
