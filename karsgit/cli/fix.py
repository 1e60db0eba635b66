"""``karsgit fix``: rewrite manifests to the normal form (pre-commit: exit 1 when files changed)."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from karsgit.cli.common import config_option, settings_for
from karsgit.run.fix import FileFix, fix_path, write
from karsgit.settings import Settings
from karsgit.source.discover import discover


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--diff", "show_diff", is_flag=True, help="Show the changes as a diff; write nothing."
)
@click.option("--check", "check_only", is_flag=True, help="Only say which files would change.")
@config_option
def fix(paths: tuple[str, ...], show_diff: bool, check_only: bool, config: Path | None) -> int:
    """Rewrite hosts, ports and endpoint order to the normal form, in place.

    Lowercases, trims and converts hosts to punycode, adds 'port: 443' where a
    port is missing, removes duplicate endpoints and sorts them like the signed
    bundle. Comments, quoting and layout of everything else are kept. Files with
    syntax, duplicate-key, conflict-marker or encoding findings are left alone.
    Exit 1 when files were (or, with --diff/--check, would be) changed, or when
    any file was left unfixed ("not fixed: ...").
    """
    settings = settings_for(config)
    if show_diff or check_only:
        return _fix(settings, discover(settings, paths).files, show_diff, check_only)
    from karsgit.edit.lock import repository_lock
    from karsgit.edit.paths import remove_leftovers_of

    with repository_lock(settings.root):
        # what a fix killed between its temp write and its rename left behind
        files = discover(settings, paths).files
        remove_leftovers_of(settings.root, (rel for _, rel in files))
        return _fix(settings, files, show_diff, check_only)


def _fix(
    settings: Settings, files: list[tuple[str, str]], show_diff: bool, check_only: bool
) -> int:
    from karsgit.edit.paths import UnsafePath

    changed = refused = 0
    for abspath, relpath in files:
        result = fix_path(abspath, relpath, settings)
        if result.skipped:
            click.echo(f"{relpath}: not fixed: {result.skipped}", err=True)
            refused += 1
        if not result.changed:
            continue
        changed += 1
        if show_diff:
            click.echo(_diff(result), nl=False)
        elif check_only:
            click.echo(f"{relpath}: would fix {result.summary().split(': fixed ', 1)[1]}")
        else:
            try:
                write(settings.root, result)
            except UnsafePath as error:
                click.echo(f"{relpath}: not fixed: {error.message}", err=True)
                refused += 1
                continue
            click.echo(result.summary())
    # A file left unfixed is never a pass: the hook and CI must not go green on it.
    return 1 if changed or refused else 0


def _diff(result: FileFix) -> str:
    lines = difflib.unified_diff(
        result.original.splitlines(keepends=True),
        (result.fixed or "").splitlines(keepends=True),
        f"a/{result.path}",
        f"b/{result.path}",
    )
    return "".join(lines)
