"""Helpers shared by the bad-input corpus: run the loader and the file rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from karsgit.rules.engine import file_hits
from karsgit.settings import Settings
from karsgit.source.load import iter_kars_documents, load_bytes, parse_documents

SETTINGS = Settings(root=Path("/nonexistent"))

SANDBOX = """\
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
"""


def where(text: str) -> list[tuple[int, int, str]]:
    """Sorted (line, column, rule-id) of every hit karsgit reports for one file."""
    found, _ = file_hits(load_bytes("m.yaml", text.encode("utf-8")), SETTINGS)
    return sorted((h.position.line, h.position.column, h.rule_id) for h in found)


def messages(text: str, rule: str) -> list[str]:
    found, _ = file_hits(load_bytes("m.yaml", text.encode("utf-8")), SETTINGS)
    return [h.message for h in found if h.rule_id == rule]


def kars_data(text: str) -> list[Any]:
    """The plain values of the kars objects karsgit reads from ``text``."""
    return [doc.data for doc in iter_kars_documents(load_bytes("m.yaml", text.encode("utf-8")))]


def values(text: str) -> list[Any]:
    """The plain value of every document, whatever its kind (no fast path)."""
    return [doc.data for doc in parse_documents("m.yaml", text).documents]
