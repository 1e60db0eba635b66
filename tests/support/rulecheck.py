"""yamllint-style helpers: run the rules over a snippet, compare (line, col, rule-id)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from karsgit.findings import Hit
from karsgit.rules.engine import file_hits
from karsgit.settings import Settings
from karsgit.source.load import load_bytes

SANDBOX_HEAD = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: web
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
"""

APPROVAL_HEAD = """\
apiVersion: kars.azure.com/v1alpha1
kind: EgressApproval
metadata:
  name: temp
  namespace: kars-system
spec:
  sandbox: web
  reason: debugging a build
  ttl: PT4H
  hosts:
"""


def hits(text: str, settings: Settings | None = None, rules: tuple[str, ...] = ()) -> list[Hit]:
    loaded = load_bytes("m.yaml", textwrap.dedent(text).encode("utf-8"))
    found, _ = file_hits(loaded, settings or Settings(root=Path("/nonexistent")))
    return [h for h in found if not rules or h.rule_id in rules]


def where(
    text: str, settings: Settings | None = None, rules: tuple[str, ...] = ()
) -> list[tuple[int, int, str]]:
    """Sorted (line, column, rule-id) of every hit (yamllint's RuleTestCase.check)."""
    found = hits(text, settings, rules)
    return sorted((h.position.line, h.position.column, h.rule_id) for h in found)


def endpoints(body: str) -> str:
    """A Strict sandbox listing ``body`` (indented by 6); the first entry is on line 10."""
    return SANDBOX_HEAD + textwrap.indent(textwrap.dedent(body), "      ")


def approval(body: str) -> str:
    """An approval whose hosts are ``body``; line 11 is the first entry."""
    return APPROVAL_HEAD + textwrap.indent(textwrap.dedent(body), "    ")
