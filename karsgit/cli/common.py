"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from karsgit import gitio
from karsgit.errors import ExitCode, UsageError
from karsgit.findings import Finding, Severity, active
from karsgit.settings import Settings, load_settings

config_option = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: .karsgit.yaml at the repository root).",
)


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
    from karsgit.report import FORMATS

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
    from karsgit.artifacts import atomic_write

    atomic_write(Path(target), text.encode("utf-8"))
