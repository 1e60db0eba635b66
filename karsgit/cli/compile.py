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
from karsgit.run.compile import blocking
from karsgit.run.compile_rendered import compile_all
from karsgit.settings import Settings


@click.command("compile")
@click.option("--check", "dry", is_flag=True, help="Change nothing; exit 1 if anything is stale.")
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@click.option("-v", "--verbose", is_flag=True, help="List every file written.")
@config_option
@click.pass_context
def compile_command(
    ctx: click.Context, dry: bool, color: str, verbose: bool, config: Path | None
) -> int:
    """Write the canonical allowlist bundle of every Strict sandbox.

    Bundles go to <bundles.dir>/<namespace>/<name>/allowlist.yaml and each
    manifest's spec.networkPolicy.allowlistRef is updated to the bundle's OCI
    manifest digest. A sandbox a kustomization root renders gets
    <bundles.dir>/<root>/<namespace>/<name>/allowlist.yaml, and its ref goes
    where kustomize renders it from (docs/kustomize.md). Only changed files are
    written, atomically. Refuses (writes nothing, exit 1) while 'karsgit check'
    reports an error.
    """
    settings = settings_for(config)
    listed = verbose or bool((ctx.obj or {}).get("verbose"))
    if dry:
        return _compile(settings, dry, color, listed)
    from karsgit.edit.lock import repository_lock

    with repository_lock(settings.root):
        return _compile(settings, dry, color, listed)


def _compile(settings: Settings, dry: bool, color: str, listed: bool) -> int:
    result = run_check(settings, (), progress_meter(), render=True)
    errors = blocking(result.findings)
    if errors:
        data = ReportData(errors, result.files_checked, len(result.objects), catalog(), __version__)
        click.echo(render("text", data, color=use_color(color)), nl=False)
        click.echo("karsgit: compile refused: fix the errors above first", err=True)
        return int(ExitCode.FINDINGS)
    outcome = compile_all(settings, result, write=not dry)
    if dry:
        for change in outcome.changes:
            click.echo(change.describe())
        return int(ExitCode.FINDINGS if outcome.changes else ExitCode.OK)
    if listed:
        for path in outcome.written:
            click.echo(f"wrote {path}")
    if outcome.written:  # a no-op run stays silent, as hooks expect
        click.echo(_summary(settings.bundle_dir, outcome.written, listed))
    for change in outcome.unresolved:
        click.echo(change.describe(), err=True)
    return int(ExitCode.FINDINGS if outcome.unresolved else ExitCode.OK)


def _summary(bundle_dir: str, written: list[str], listed: bool) -> str:
    """One line however many files: a 2,000-sandbox repo is not 3,000 lines of 'wrote'."""
    prefix = bundle_dir.strip("/") + "/"
    ours = [path for path in written if path.startswith(prefix)]
    bundles = sum(1 for path in ours if path.count("/") > prefix.count("/"))
    parts = [_plural(bundles, "bundle"), _plural(len(written) - len(ours), "manifest")]
    if len(ours) > bundles:
        parts.append("the kustomization guard")
    tail = "" if listed else " (-v lists them)"
    return f"compile: wrote {', '.join(parts[:-1])} and {parts[-1]}{tail}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
