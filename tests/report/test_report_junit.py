"""JUnit XML: exact document, escaping, and always well-formed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace

from karsgit.findings import Finding, Severity
from karsgit.report import ReportData, render

SAMPLE = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="karsgit check" tests="4" failures="2" errors="0">
  <testsuite name="sandboxes/db.yaml" tests="1" failures="0" errors="0">
    <testcase name="egress-widened at 3:5" classname="sandboxes/db.yaml">
      <system-out>info: KarsSandbox kars-system/db adds egress to db.internal:5432
file: sandboxes/db.yaml:3:5</system-out>
    </testcase>
  </testsuite>
  <testsuite name="sandboxes/web.yaml" tests="2" failures="2" errors="0">
    <testcase name="unsafe-path (whole file)" classname="sandboxes/web.yaml">
      <failure message="symbolic link points outside the repository (to '/etc/web.yaml'); not followed" type="warning">warning: symbolic link points outside the repository (to '/etc/web.yaml'); not followed
hint: commit the manifest itself instead of a link to it
file: sandboxes/web.yaml</failure>
    </testcase>
    <testcase name="host-case at 7:11" classname="sandboxes/web.yaml">
      <failure message="host 'API.github.com' is not lowercase" type="error">error: host 'API.github.com' is not lowercase
hint: write 'api.github.com'
at: $.spec.networkPolicy.allowedEndpoints[0].host
file: sandboxes/web.yaml:7:11</failure>
    </testcase>
  </testsuite>
  <testsuite name="karsgit" tests="1" failures="0" errors="0">
    <testcase name="1 file without findings" classname="karsgit" />
  </testsuite>
</testsuites>
"""  # noqa: E501 (the document's own long lines)

EMPTY = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="karsgit check" tests="1" failures="0" errors="0">
  <testsuite name="karsgit" tests="1" failures="0" errors="0">
    <testcase name="3 files without findings" classname="karsgit" />
  </testsuite>
</testsuites>
"""


def test_sample(sample: ReportData) -> None:
    # fail_on warning: the warning fails too (tests/report/test_junit_threshold.py: the default)
    assert render("junit", replace(sample, fail_on=Severity.WARNING)) == SAMPLE


def test_empty_is_one_passing_testcase(empty: ReportData) -> None:
    assert render("junit", empty) == EMPTY


def test_no_clean_suite_when_every_file_has_findings(
    make: Callable[..., ReportData], host: Finding
) -> None:
    root = ET.fromstring(render("junit", make(host, files=1)))
    assert [s.get("name") for s in root.findall("testsuite")] == ["sandboxes/web.yaml"]
    assert (root.get("tests"), root.get("failures")) == ("1", "1")


def test_command_names_the_suites(make: Callable[..., ReportData]) -> None:
    data = replace(make(), command="compile")
    assert ET.fromstring(render("junit", data)).get("name") == "karsgit compile"


def test_markup_and_control_characters_stay_well_formed(
    make: Callable[..., ReportData], host: Finding
) -> None:
    odd = replace(
        host,
        path="a&b/<c>.yaml",
        message='value "<&>" has \x1b[0m and \x00 and \ufffe\ud800; ☕',
        hint="",
        json_path="",
    )
    out = render("junit", make(odd, files=1))
    root = ET.fromstring(out)
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("classname") == "a&b/<c>.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'value "<&>" has \\x1b[0m and \\x00 and \\ufffe\\ud800; ☕'
    assert failure.text == (
        'error: value "<&>" has \\x1b[0m and \\x00 and \\ufffe\\ud800; ☕\nfile: a&b/<c>.yaml:7:11'
    )
    assert '<failure message="value &quot;&lt;&amp;&gt;&quot; has' in out


def test_message_newline_survives_in_attribute(
    make: Callable[..., ReportData], host: Finding
) -> None:
    out = render("junit", make(replace(host, message="two\nlines"), files=1))
    assert 'message="two&#10;lines"' in out
    failure = ET.fromstring(out).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "two\nlines"


def test_suppressed_findings_are_hidden(sample: ReportData) -> None:
    assert "DB.internal" not in render("junit", sample)
