"""``karsgit check`` and ``karsgit rules``."""

from __future__ import annotations

from pathlib import Path

import click

from karsgit import __version__
from karsgit.cli.common import (
    config_option,
    exit_code,
    parse_format,
    settings_for,
    use_color,
    write_output,
)
from karsgit.pipeline import run_check
from karsgit.report import FORMATS, ReportData, render
from karsgit.rules import catalog

FORMAT_HELP = (
    "Output format, optionally with a file: FORMAT[:FILE]. Repeatable. "
    f"Formats: {', '.join(FORMATS)}. Default: text on stdout."
)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT[:FILE]", help=FORMAT_HELP)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run (default: config fail_on, else error).",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@click.option(
    "--base",
    metavar="REF",
    help="Also judge the edits since REF; without PATHS, check only the changed files.",
)
@config_option
def check(
    paths: tuple[str, ...],
    formats: tuple[str, ...],
    fail_on: str | None,
    color: str,
    config: Path | None,
    base: str | None = None,
) -> int:
    """Validate kars manifests and report findings.

    With no PATHS, checks the git repository's tracked and untracked (not
    ignored) files that match the include/exclude globs of the config. With
    PATHS (as pre-commit passes them), checks exactly those files; a directory
    is searched for files matching the globs.
    """
    targets = [parse_format(spec) for spec in formats] or [("text", None)]
    settings = settings_for(config, fail_on)
    if base is not None:
        from karsgit.basecheck import run_base_check

        result = run_base_check(settings, base, paths)
    else:
        result = run_check(settings, paths)
    data = ReportData(
        findings=result.findings,
        files_checked=result.files_checked,
        objects_checked=len(result.objects),
        rules=catalog(),
        tool_version=__version__,
    )
    for name, target in targets:
        write_output(render(name, data, color=use_color(color) and target is None), target)
    return int(exit_code(result.findings, settings.fail_on))


@click.command()
def rules() -> int:
    """List every rule id with its default severity and summary."""
    for info in catalog().values():
        fix = " (fixable)" if info.fixable else ""
        click.echo(f"{info.id:28} {info.severity.label:8} {info.summary}{fix}")
    return 0
