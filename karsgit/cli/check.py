"""``karsgit check`` and ``karsgit rules``."""

from __future__ import annotations

from pathlib import Path

import click

from karsgit.cli.common import (
    color_option,
    config_option,
    emit_report,
    exit_code,
    format_option,
    parse_format,
    progress_meter,
    settings_for,
)
from karsgit.rules import catalog
from karsgit.run.check import run_check


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@format_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run (default: config fail_on, else error).",
)
@color_option
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
    PATHS (as pre-commit passes them), checks those of the files that match
    the globs too, so a hook run and a CI run agree; a directory is searched
    for files matching the globs. '-' reads a rendered stream from standard
    input (kustomize build, helm template), judged on its own.

    Kustomization roots are rendered with kustomize and judged as the cluster
    receives them, with findings at the source lines (docs/kustomize.md); with
    PATHS, only the roots those files reach.
    """
    for spec in formats:
        parse_format(spec)  # a usage error before any work
    settings = settings_for(config, fail_on)
    if base is not None:
        from karsgit.run.basecheck import run_base_check

        result = run_base_check(settings, base, paths)
    else:
        result = run_check(settings, paths, progress_meter(), render=True)
    emit_report(
        result.findings, result, formats, color, fail_on=settings.fail_on, root=settings.root
    )
    return int(exit_code(result.findings, settings.fail_on))


@click.command()
def rules() -> int:
    """List every rule id with its default severity and summary."""
    for info in catalog().values():
        fix = " (fixable)" if info.fixable else ""
        click.echo(f"{info.id:28} {info.severity.label:8} {info.summary}{fix}")
    return 0
