"""``karsgit compile``: canonical bundles and allowlistRef edits from the manifests."""

from __future__ import annotations

from pathlib import Path

import click

from karsgit import __version__
from karsgit.cli.common import config_option, progress_meter, settings_for, use_color
from karsgit.errors import ExitCode
from karsgit.report import ReportData, render
from karsgit.rules import catalog
from karsgit.run.check import run_check
from karsgit.run.compile import blocking, compile_repo


@click.command("compile")
@click.option("--check", "dry", is_flag=True, help="Change nothing; exit 1 if anything is stale.")
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@config_option
def compile_command(dry: bool, color: str, config: Path | None) -> int:
    """Write the canonical allowlist bundle of every Strict sandbox.

    Bundles go to <bundles.dir>/<namespace>/<name>/allowlist.yaml and each
    manifest's spec.networkPolicy.allowlistRef is updated to the bundle's OCI
    manifest digest. Only changed files are written, atomically. Refuses
    (writes nothing, exit 1) while 'karsgit check' reports an error.
    """
    settings = settings_for(config)
    result = run_check(settings, (), progress_meter())
    errors = blocking(result.findings)
    if errors:
        data = ReportData(errors, result.files_checked, len(result.objects), catalog(), __version__)
        click.echo(render("text", data, color=use_color(color)), nl=False)
        click.echo("karsgit: compile refused: fix the errors above first", err=True)
        return int(ExitCode.FINDINGS)
    outcome = compile_repo(settings, result, write=not dry)
    if dry:
        for change in outcome.changes:
            click.echo(change.describe())
        return int(ExitCode.FINDINGS if outcome.changes else ExitCode.OK)
    for path in outcome.written:
        click.echo(f"wrote {path}")
    for change in outcome.unresolved:
        click.echo(change.describe(), err=True)
    return int(ExitCode.FINDINGS if outcome.unresolved else ExitCode.OK)
