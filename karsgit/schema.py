"""Validate documents against the shipped JSON schemas (the only validator importer).

jsonschema-rs validates about 100x faster than the Python ``jsonschema`` package
(docs/design-choices.md); every error becomes a hit at the offending node's
position, under the rule id that owns that field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from karsgit.findings import Hit, json_path_of
from karsgit.source.load import Document, PathKey
from karsgit.source.objects import API_VERSION, APPROVAL, SANDBOX

SCHEMA_FILES = {SANDBOX: "karssandbox.schema.json", APPROVAL: "egressapproval.schema.json"}

# Fields whose own rule explains them better than a generic schema finding.
_RULE_BY_PATH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        (r"^\$\.spec\.(networkPolicy\.allowedEndpoints|hosts)\[\d+\]\.port$", "port-invalid"),
        (r"^\$\.spec\.hosts$", "approval-hosts-count"),
        (r"^\$\.spec\.reason$", "approval-reason-invalid"),
        (r"^\$\.spec\.ticket$", "approval-ticket-invalid"),
        (r"^\$\.spec\.ttl$", "approval-ttl-invalid"),
    )
)


def schema_dir() -> Path:
    """Packaged schemas in a wheel; the repository's ``schemas/`` in a checkout."""
    packaged = Path(str(resources.files("karsgit"))) / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


@cache
def load_schema(filename: str) -> dict[str, Any]:
    with open(schema_dir() / filename, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@cache
def _registry() -> Any:
    return jsonschema_rs.Registry(
        [(load_schema(name)["$id"], load_schema(name)) for name in SCHEMA_FILES.values()]
    )


@cache
def validator(filename: str) -> Any:
    return jsonschema_rs.validator_for(load_schema(filename), registry=_registry())


def validate_document(doc: Document) -> Iterator[Hit]:
    filename = SCHEMA_FILES.get(doc.kind)
    if filename is None:
        return
    if doc.api_version != API_VERSION:
        yield _api_version_hit(doc)
        return
    for error in validator(filename).iter_errors(doc.data):
        yield _hit(doc, error)


@dataclass(frozen=True, slots=True)
class Violation:
    """The first schema violation of a plain document (the config file's check)."""

    at: PathKey  # for an unknown key: the path of that key
    message: str
    unknown_key: bool


def first_violation(filename: str, data: Any) -> Violation | None:
    for error in validator(filename).iter_errors(data):
        at: PathKey = tuple(error.instance_path)
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            return Violation((*at, sorted(error.kind.unexpected)[0]), "unknown key", True)
        return Violation(at, _lower_first(str(error.message)), False)
    return None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _api_version_hit(doc: Document) -> Hit:
    return Hit(
        "schema",
        doc.pos(("apiVersion",)),
        f"apiVersion '{doc.api_version}' is not a version of {doc.kind} that kars serves",
        f"use apiVersion: {API_VERSION}",
        "$.apiVersion",
    )


def _hit(doc: Document, error: Any) -> Hit:
    at: PathKey = tuple(error.instance_path)
    kind = error.kind
    message = _message(at, kind, error)
    json_path = json_path_of(at)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        extra = sorted(kind.unexpected)[0]
        at = (*at, extra)
        return Hit("schema", doc.key_pos(at), message, _hint(kind), json_path_of(at))
    rule = next((r for pattern, r in _RULE_BY_PATH if pattern.match(json_path)), "schema")
    return Hit(rule, doc.pos(at), message, _hint(kind), json_path)


def _where(at: PathKey) -> str:
    return json_path_of(at).removeprefix("$.") if at else "document"


def _message(at: PathKey, kind: Any, error: Any) -> str:
    kinds = jsonschema_rs.ValidationErrorKind
    if isinstance(kind, kinds.Required):
        return f"{_where(at)} is missing required field '{kind.property}'"
    if isinstance(kind, kinds.AdditionalProperties):
        names = ", ".join(f"'{name}'" for name in sorted(kind.unexpected))
        return f"{_where(at)} has unknown field {names}"
    return f"{_where(at)}: {_lower_first(str(error.message))}"


def _hint(kind: Any) -> str:
    kinds = jsonschema_rs.ValidationErrorKind
    if isinstance(kind, kinds.Required):
        return f"add '{kind.property}'"
    if isinstance(kind, kinds.AdditionalProperties):
        return "remove the field or fix its spelling (see docs/schemas.md)"
    if isinstance(kind, kinds.Enum):
        return "write one of: " + ", ".join(str(option) for option in kind.options)
    if isinstance(kind, kinds.Constant):
        return f"write {kind.expected_value}"
    if isinstance(kind, kinds.Maximum | kinds.MaxLength | kinds.MaxItems):
        return f"use at most {kind.limit}"
    if isinstance(kind, kinds.Minimum | kinds.MinLength | kinds.MinItems):
        return f"use at least {kind.limit}"
    if isinstance(kind, kinds.Type):
        return "write a value of the expected type; quote strings, leave numbers unquoted"
    return "correct the value (see docs/schemas.md)"
