"""The text format: exact expected output, written by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from karsgit.findings import Finding, Severity, Suppression
from karsgit.report import ReportData, render

SAMPLE = (
    "sandboxes/db.yaml\n"
    "  3:5       info     KarsSandbox kars-system/db adds egress to db.internal:5432 "
    " (egress-widened)\n"
    "\n"
    "sandboxes/web.yaml\n"
    "            warning  symbolic link points outside the repository (to"
    " '/etc/web.yaml'); not followed  (unsafe-path)\n"
    "    hint: commit the manifest itself instead of a link to it\n"
    "  7:11      error    host 'API.github.com' is not lowercase  (host-case)\n"
    "    hint: write 'api.github.com'\n"
    "\n"
    "1 error, 1 warning, 1 info in 2 files (3 files checked, 1 suppressed)\n"
)


def test_sample(sample: ReportData) -> None:
    assert render("text", sample) == SAMPLE


def test_sample_in_colour(sample: ReportData) -> None:
    bold, dim, red, yellow, cyan, off = (
        "\033[1m",
        "\033[2m",
        "\033[31m",
        "\033[33m",
        "\033[36m",
        "\033[0m",
    )
    expected = (
        f"{bold}sandboxes/db.yaml{off}\n"
        f"  3:5       {cyan}info   {off}  KarsSandbox kars-system/db adds egress to"
        f" db.internal:5432  {dim}(egress-widened){off}\n"
        "\n"
        f"{bold}sandboxes/web.yaml{off}\n"
        f"            {yellow}warning{off}  symbolic link points outside the repository (to"
        " '/etc/web.yaml'); not followed  "
        f"{dim}(unsafe-path){off}\n"
        f"    {dim}hint:{off} commit the manifest itself instead of a link to it\n"
        f"  7:11      {red}error  {off}  host 'API.github.com' is not lowercase  "
        f"{dim}(host-case){off}\n"
        f"    {dim}hint:{off} write 'api.github.com'\n"
        "\n"
        f"{red}1 error, 1 warning, 1 info in 2 files{off} (3 files checked, 1 suppressed)\n"
    )
    assert render("text", sample, color=True) == expected


def test_no_colour_means_no_escape_at_all(sample: ReportData) -> None:
    assert "\033" not in render("text", sample)


def test_empty(empty: ReportData) -> None:
    assert render("text", empty) == "no findings in 3 files\n"
    assert render("text", empty, color=True) == "\033[32mno findings in 3 files\033[0m\n"


def test_only_suppressed_counts_as_clean(make: Callable[..., ReportData], host: Finding) -> None:
    quiet = replace(host, suppressed=Suppression("reviewed"))
    assert render("text", make(quiet, files=1)) == "no findings in 1 file (1 suppressed)\n"


def test_singular_and_warning_only_summary(make: Callable[..., ReportData], host: Finding) -> None:
    warning = replace(host, severity=Severity.WARNING, hint="")
    expected = (
        "sandboxes/web.yaml\n"
        "  7:11      warning  host 'API.github.com' is not lowercase  (host-case)\n"
        "\n"
        "0 errors, 1 warning in 1 file (1 file checked)\n"
    )
    assert render("text", make(warning, files=1)) == expected


def test_line_without_column_shows_the_line(make: Callable[..., ReportData], host: Finding) -> None:
    out = render("text", make(replace(host, column=0, hint="")))
    assert out.splitlines()[1] == (
        "  7         error    host 'API.github.com' is not lowercase  (host-case)"
    )


def test_control_characters_cannot_reach_the_terminal(
    make: Callable[..., ReportData], host: Finding
) -> None:
    nasty = replace(
        host,
        path="sandboxes/\x1b]0;pwned\x07.yaml",
        message="host 'a\nb' has \x1b[2J a newline",
        hint="remove the \u202enewline",
    )
    expected = (
        "sandboxes/\\x1b]0;pwned\\x07.yaml\n"
        "  7:11      error    host 'a\\nb' has \\x1b[2J a newline  (host-case)\n"
        "    hint: remove the \\u202enewline\n"
        "\n"
        "1 error, 0 warnings in 1 file (3 files checked)\n"
    )
    assert render("text", make(nasty)) == expected


def test_unicode_and_markup_pass_through(make: Callable[..., ReportData], host: Finding) -> None:
    finding = replace(host, message="host 'bücher.例え' has <&> and 100%", hint="")
    line = render("text", make(finding)).splitlines()[1]
    assert line == "  7:11      error    host 'bücher.例え' has <&> and 100%  (host-case)"
