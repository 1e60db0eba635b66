"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from karsgit.errors import ExitCode, UsageError
from karsgit.findings import Finding, Severity, active
from karsgit.report import FORMATS
from karsgit.settings import Settings, load_settings
from karsgit.source import gitio

if TYPE_CHECKING:
    from karsgit.run.check import CheckResult

config_option = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: .karsgit.yaml at the repository root).",
)


FORMAT_HELP = (
    "Output format, optionally with a file: FORMAT[:FILE]. Repeatable. "
    f"Formats: {', '.join(FORMATS)}. Default: text on stdout."
)
format_option = click.option(
    "-f", "--format", "formats", multiple=True, metavar="FORMAT[:FILE]", help=FORMAT_HELP
)
color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour the text format (auto: only on a terminal, and not with NO_COLOR).",
)  # fmt: skip


def emit_report(
    findings: Sequence[Finding],
    result: CheckResult,
    formats: Sequence[str],
    color: str,
    command: str = "check",
) -> None:
    """Render the findings in every requested format (parsed first: a bad one fails early)."""
    from karsgit import __version__
    from karsgit.report import ReportData, render
    from karsgit.rules import catalog

    targets = [parse_format(spec) for spec in formats] or [("text", None)]
    data = ReportData(
        findings, result.files_checked, len(result.objects), catalog(), __version__, command
    )
    for name, target in targets:
        write_output(render(name, data, color=use_color(color) and target is None), target)


def progress_meter() -> Callable[[int, int], None] | None:
    """A one-line counter on an interactive terminal; nothing in hooks, CI or pipes."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\rkarsgit: checked {done}/{total} files", nl=False, err=True)
        if end:
            click.echo("", err=True)

    return show


def repo_root(start: Path | None = None) -> Path:
    here = Path.cwd() if start is None else start
    return gitio.toplevel(here) or here.resolve()


def settings_for(config: Path | None, fail_on: str | None = None) -> Settings:
    settings = load_settings(repo_root(), config)
    if fail_on:
        from dataclasses import replace

        settings = replace(settings, fail_on=Severity.parse(fail_on))
    return settings


def parse_format(spec: str) -> tuple[str, str | None]:
    name, _, target = spec.partition(":")
    if name not in FORMATS:
        raise UsageError(f"unknown format '{name}'", "use one of: " + ", ".join(FORMATS))
    return name, target or None


def use_color(mode: str) -> bool:
    if mode != "auto":
        return mode == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def exit_code(findings: Sequence[Finding], threshold: Severity) -> ExitCode:
    failing = [f for f in active(findings) if f.severity >= threshold]
    return ExitCode.FINDINGS if failing else ExitCode.OK


def write_output(text: str, target: str | None) -> None:
    if target is None or target == "-":
        click.echo(text, nl=False)
        return
    from karsgit.edit.files import atomic_write

    atomic_write(Path(target), text.encode("utf-8"))
