"""``karsgit diff``: the effective egress change between two revisions."""

from __future__ import annotations

from pathlib import Path

import click

from karsgit.cli.common import config_option, settings_for, write_output
from karsgit.report.diff import FORMATS
from karsgit.source import gitio


@click.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="markdown for pull-request comments, json for tools.",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@config_option
def diff(
    base: str | None, head: str | None, fmt: str, output: str | None, config: Path | None
) -> int:
    """Show the effective egress change per sandbox from BASE to HEAD.

    BASE defaults to the merge base of HEAD with the default branch
    (origin/HEAD, else main, else master); HEAD defaults to the work tree.
    Only the files that differ are read, from git objects (no checkout).
    """
    from karsgit.bundle.layout import bundle_rel
    from karsgit.bundle.plan import compiled_bytes
    from karsgit.normalize.unsafe import public_suffix
    from karsgit.report.diff import render
    from karsgit.run.diff import compute
    from karsgit.source.revisions import load_change

    settings = settings_for(config)
    start = base or gitio.default_base(settings.root)
    change = load_change(settings, start, head)
    names = (base or f"merge-base {start[:12]}", head or "work tree")
    where = lambda ref, leaf: bundle_rel(settings, ref, leaf)  # noqa: E731
    from karsgit.render.sides import rendered_diff

    result = rendered_diff(settings, change, where, public_suffix, names) or compute(
        change.old,
        change.new,
        where,
        public_suffix,
        names,
        lambda sandbox, current: compiled_bytes(settings, sandbox, current),
    )
    write_output(render(result, fmt), output)
    return 0
