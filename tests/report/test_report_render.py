"""render(): dispatch, the format list, lazy imports, shared escaping."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

from karsgit.errors import UsageError
from karsgit.findings import Severity
from karsgit.report import FORMATS, ReportData, counts, printable, render


def test_formats_are_the_documented_six() -> None:
    assert FORMATS == ("text", "parsable", "json", "github", "sarif", "junit")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_sample_and_empty(
    fmt: str, sample: ReportData, empty: ReportData
) -> None:
    assert isinstance(render(fmt, sample), str)
    assert isinstance(render(fmt, empty), str)


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_does_not_depend_on_input_order(
    fmt: str, sample: ReportData, make: Callable[..., ReportData]
) -> None:
    reversed_run = make(*reversed(sample.findings))
    assert render(fmt, reversed_run) == render(fmt, sample)


def test_unknown_format_is_a_usage_error(sample: ReportData) -> None:
    with pytest.raises(UsageError) as caught:
        render("yaml", sample)
    assert caught.value.message == "unknown report format 'yaml'"
    assert caught.value.hint == "use one of: text, parsable, json, github, sarif, junit"


def test_hook_formats_do_not_import_json_or_xml() -> None:
    script = textwrap.dedent(
        """
        import sys
        from karsgit.findings import Finding, Severity
        from karsgit.report import ReportData, render
        run = ReportData([Finding("r", Severity.ERROR, "a.yaml", 1, 1, "m")], 1, 1, {}, "0")
        for fmt in ("text", "parsable", "github"):
            render(fmt, run)
        heavy = ("json", "hashlib", "xml.etree.ElementTree", "karsgit.report.sarif")
        print(",".join(m for m in heavy if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_counts_has_every_severity(sample: ReportData) -> None:
    assert counts(sample.visible()) == {Severity.ERROR: 1, Severity.WARNING: 1, Severity.INFO: 1}
    assert counts([]) == {Severity.ERROR: 0, Severity.WARNING: 0, Severity.INFO: 0}


def test_visible_hides_suppressed_and_sorts(sample: ReportData) -> None:
    assert [(f.path, f.line) for f in sample.visible()] == [
        ("sandboxes/db.yaml", 3),
        ("sandboxes/web.yaml", 0),
        ("sandboxes/web.yaml", 7),
    ]
    assert sample.suppressed_count() == 1


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "plain"),
        ("two\nlines", "two\\nlines"),
        ("cr\r\nlf", "cr\\r\\nlf"),
        ("tab\there", "tab\\there"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("del\x7f c1\x85", "del\\x7f c1\\x85"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("café ☕ 東京", "café ☕ 東京"),
    ],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown
