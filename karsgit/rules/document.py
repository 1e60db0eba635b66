"""Text rules: what is wrong in a manifest's characters, whatever its YAML says.

``conflict-marker``
    A line starting with ``<<<<<<<``, ``=======`` or ``>>>>>>>``: an unresolved
    merge conflict committed by accident. The YAML may even still parse, with
    both sides' values in it.

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
    <<<<<<< HEAD
          - host: api.github.com
    =======
          - host: dev.azure.com
    >>>>>>> feature
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
          - host: dev.azure.com
            port: 443
    ```

    Fix: Resolve the merge and delete the three marker lines.

``hidden-unicode``
    A bidirectional control (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
    U+061C) or an invisible format character (zero-width space/joiners, word
    joiner, soft hyphen, BOM inside the text, tag characters): the "Trojan Source"
    class, where a reviewer reads one host and the cluster gets another.

    Fails:

    (an invisible U+200B ZERO WIDTH SPACE after ``com``, written ``\\u200b`` here)

    ```yaml escaped
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com\\u200b
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

    Fix: Delete the character; retype the line if unsure what it hides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from karsgit.findings import Hit, Position, Severity
from karsgit.rules.base import RuleInfo

RULES = (
    RuleInfo("conflict-marker", Severity.ERROR, "an unresolved merge conflict marker"),
    RuleInfo("hidden-unicode", Severity.ERROR, "a bidirectional or invisible character"),
)

_MARKER = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_HIDDEN = re.compile(
    "[\u061c\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\U000e0000-\U000e007f]"
)


def check_text(text: str, rule_ids: frozenset[str]) -> Iterator[Hit]:
    yield from _markers(text)
    yield from _hidden(text)


def _position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _markers(text: str) -> Iterator[Hit]:
    for match in _MARKER.finditer(text):
        yield Hit(
            "conflict-marker",
            _position(text, match.start()),
            f"merge conflict marker '{match.group(1)}'",
            "resolve the conflict and remove the marker lines",
        )


def _hidden(text: str) -> Iterator[Hit]:
    for match in _HIDDEN.finditer(text):
        if match.start() == 0 and match.group() == "\ufeff":
            continue  # a leading byte-order mark is harmless
        char = match.group()
        name = unicodedata.name(char, "FORMAT CHARACTER").lower()
        yield Hit(
            "hidden-unicode",
            _position(text, match.start()),
            f"hidden character U+{ord(char):04X} ({name})",
            "delete it; retype the line if unsure what it hides",
        )
