"""The JSON document: exact text, and every output valid against its schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from karsgit.findings import Finding, Severity, Suppression
from karsgit.report import ReportData, render

SCHEMA_PATH = Path(__file__).parents[2] / "schemas" / "report.schema.json"

EXPECTED = """\
{
  "version": 1,
  "tool": {
    "name": "karsgit",
    "version": "0.1.0"
  },
  "summary": {
    "error": 0,
    "warning": 1,
    "info": 0,
    "suppressed": 1,
    "files_checked": 2,
    "objects_checked": 5
  },
  "findings": [
    {
      "rule_id": "unsafe-path",
      "severity": "warning",
      "path": "a.yaml",
      "line": 0,
      "column": 0,
      "message": "symbolic link points outside the repository (to '/etc/web.yaml'); not followed",
      "hint": "",
      "json_path": "",
      "fixable": false,
      "suppressed": null
    },
    {
      "rule_id": "host-case",
      "severity": "error",
      "path": "a.yaml",
      "line": 4,
      "column": 9,
      "message": "host 'B\\u00fccher.de' is not lowercase",
      "hint": "write 'b\\u00fccher.de'",
      "json_path": "$.spec.networkPolicy.allowedEndpoints[0].host",
      "fixable": true,
      "suppressed": {
        "reason": "matches the \\"vendor\\" <list>",
        "until": null
      }
    }
  ]
}
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_exact_text(make: Callable[..., ReportData]) -> None:
    silenced = Finding(
        "host-case",
        Severity.ERROR,
        "a.yaml",
        4,
        9,
        "host 'Bücher.de' is not lowercase",
        "write 'bücher.de'",
        "$.spec.networkPolicy.allowedEndpoints[0].host",
        fixable=True,
        suppressed=Suppression('matches the "vendor" <list>'),
    )
    start = Finding(
        "unsafe-path",
        Severity.WARNING,
        "a.yaml",
        0,
        0,
        "symbolic link points outside the repository (to '/etc/web.yaml'); not followed",
    )
    assert render("json", make(silenced, start, files=2, objects=5)) == EXPECTED


def test_sample_lists_suppressed_and_counts_the_rest(sample: ReportData) -> None:
    doc = json.loads(render("json", sample))
    assert doc["summary"] == {
        "error": 1,
        "warning": 1,
        "info": 1,
        "suppressed": 1,
        "files_checked": 3,
        "objects_checked": 4,
    }
    assert [(f["path"], f["line"], f["rule_id"]) for f in doc["findings"]] == [
        ("sandboxes/db.yaml", 3, "egress-widened"),
        ("sandboxes/db.yaml", 9, "host-case"),
        ("sandboxes/web.yaml", 0, "unsafe-path"),
        ("sandboxes/web.yaml", 7, "host-case"),
    ]
    assert doc["findings"][1]["suppressed"] == {
        "reason": "the vendor matches case",
        "until": "2026-01-01",
    }


def test_empty(empty: ReportData) -> None:
    doc = json.loads(render("json", empty))
    assert doc["findings"] == []
    assert doc["summary"]["files_checked"] == 3


def test_output_is_ascii_with_trailing_newline(sample: ReportData) -> None:
    out = render("json", sample)
    assert out.endswith("}\n")
    assert out.isascii()


@pytest.mark.parametrize("name", ["sample", "empty"])
def test_valid_against_schema(
    name: str, request: pytest.FixtureRequest, validator: jsonschema.Draft202012Validator
) -> None:
    data: ReportData = request.getfixturevalue(name)
    validator.validate(json.loads(render("json", data)))


def test_escapes_valid_against_schema(
    make: Callable[..., ReportData], host: Finding, validator: jsonschema.Draft202012Validator
) -> None:
    odd = replace(host, message="a\nb\t%<&>\x00\u202e ☕", hint="\r\n", path="ü/ s.yaml")
    doc = json.loads(render("json", make(odd)))
    validator.validate(doc)
    assert doc["findings"][0]["message"] == "a\nb\t%<&>\x00\u202e ☕"


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(extra=1),
        lambda d: d["tool"].update(name="other"),
        lambda d: d["summary"].pop("suppressed"),
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["findings"][0].update(rule_id="Not_Kebab"),
        lambda d: d["findings"][0].update(line=-1),
        lambda d: d["findings"][0].update(suppressed={"reason": "x"}),
        lambda d: d["findings"][0].update(colour="red"),
    ],
)
def test_schema_is_strict(
    breakage: Callable[[dict[str, Any]], object],
    sample: ReportData,
    validator: jsonschema.Draft202012Validator,
) -> None:
    doc = json.loads(render("json", sample))
    breakage(doc)
    assert not validator.is_valid(doc)
