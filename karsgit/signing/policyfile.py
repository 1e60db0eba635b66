"""The controller's signer-policy ConfigMap (``kars-signer-policy``), read as it reads it.

Data keys ``fulcioIssuers`` and ``sanPatterns`` (and ``ed25519Keys`` for the
grant lane) hold one value a line; blank lines and ``#`` comments are skipped.
Anything the controller refuses as ``SignerPolicyMalformed`` is a ``Problem``
here, with the line it sits on, so ``verify`` can refuse and the
``signer-policy`` rules can point at it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from karsgit.findings import Position
from karsgit.signing.signers import is_url_pattern, regex_problem

CONFIGMAP_NAME = "kars-signer-policy"
ISSUERS_KEY = "fulcioIssuers"
SANS_KEY = "sanPatterns"
KEYS_KEY = "ed25519Keys"
REGEX_PREFIX = "re:"


@dataclass(frozen=True, slots=True)
class Entry:
    value: str
    position: Position


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the controller would call the policy malformed."""

    position: Position
    message: str
    hint: str


@dataclass
class PolicyFile:
    issuers: list[Entry] = field(default_factory=list)
    sans: list[Entry] = field(default_factory=list)
    keys: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    name: str = ""
    # the ``data`` key's position, for findings about the policy as a whole
    position: Position = field(default_factory=lambda: Position(1, 1))
    # the file is not one ConfigMap with ``data`` (nor karsgit's ``signers:`` list)
    shape_error: str = ""
    signers_list: object = None


def read_policy(path: str, text: str) -> PolicyFile:
    """Parse the ConfigMap text; never raises for bad content (see ``problems``)."""
    from karsgit.source.load import parse_documents

    loaded = parse_documents(path, text)
    docs = [d for d in loaded.documents if isinstance(d.data, dict)]
    policy = PolicyFile()
    if len(docs) == 1 and "signers" in docs[0].data:  # docs/signing.md's list form
        policy.signers_list = docs[0].data
        return policy
    data = docs[0].data.get("data") if len(docs) == 1 and not loaded.hits else None
    if not isinstance(data, dict):
        policy.shape_error = "is not one ConfigMap with 'data'"
        return policy
    doc = docs[0]
    policy.name = doc.name
    policy.position = doc.key_pos(("data",))
    lines = text.splitlines()
    for key, target in ((ISSUERS_KEY, policy.issuers), (SANS_KEY, policy.sans)):
        target += _entries(data.get(key), doc.pos(("data", key)), lines)
    if KEYS_KEY in data:
        policy.keys += _entries(data.get(KEYS_KEY), doc.pos(("data", KEYS_KEY)), lines)
    policy.problems = [*_issuer_problems(policy), *_san_problems(policy), *_key_problems(policy)]
    return policy


def _entries(value: object, start: Position, lines: list[str]) -> list[Entry]:
    """Non-comment lines of a data value, each placed at the first source line at or
    after the value's start that holds it (exact for block scalars)."""
    if not isinstance(value, str):
        return []
    found, cursor = [], max(start.line - 1, 0)
    for raw in value.split("\n"):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        line = next(
            (i for i in range(cursor, len(lines)) if text in lines[i]), max(start.line - 1, 0)
        )
        cursor = line
        column = lines[line].find(text) + 1 if line < len(lines) else 1
        found.append(Entry(text, Position(line + 1, max(column, 1))))
    return found


def _issuer_problems(policy: PolicyFile) -> list[Problem]:
    problems = []
    for entry in policy.issuers:
        parts = urlsplit(entry.value)
        if parts.scheme not in ("http", "https") or not parts.netloc or _spaced(entry.value):
            problems.append(
                Problem(
                    entry.position,
                    f"fulcio issuer '{entry.value}' is not an http(s) url",
                    "write the oidc issuer url, e.g. 'https://token.actions.githubusercontent.com'",
                )
            )
    return problems


def _san_problems(policy: PolicyFile) -> list[Problem]:
    problems = []
    for entry in policy.sans:
        if _spaced(entry.value):
            problems.append(
                Problem(
                    entry.position,
                    f"san pattern '{entry.value}' contains whitespace",
                    "write one pattern a line, without spaces",
                )
            )
        elif entry.value.startswith(REGEX_PREFIX):
            problem = regex_problem(entry.value[len(REGEX_PREFIX) :])
            if problem:
                problems.append(
                    Problem(
                        entry.position,
                        f"san pattern '{entry.value}' does not compile: {problem}",
                        "write a regex that rust's regex crate accepts (no backreferences, "
                        "lookaround or possessive quantifiers)",
                    )
                )
    return problems


def _key_problems(policy: PolicyFile) -> list[Problem]:
    problems = []
    for entry in policy.keys:
        try:
            raw = base64.b64decode(entry.value, validate=True)
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            problems.append(
                Problem(
                    entry.position,
                    f"ed25519 key {entry.value[:24]!r} is not base64 of a 32-byte public key",
                    "write each raw ed25519 public key as standard base64, one a line",
                )
            )
    return problems


def _spaced(value: str) -> bool:
    return any(char.isspace() for char in value)


def san_kind(pattern: str) -> str:
    """'url', 'regex' or 'email': how the controller reads the pattern."""
    if is_url_pattern(pattern):
        return "url"
    return "regex" if pattern.startswith(REGEX_PREFIX) else "email"
