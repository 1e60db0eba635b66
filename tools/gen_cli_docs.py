"""Regenerate docs/cli.md from the commands' own --help (tests keep them in sync).

Usage: python tools/gen_cli_docs.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from karsgit.cli import COMMANDS, cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
INTRO = """\
# CLI reference

Generated from `karsgit --help` by `tools/gen_cli_docs.py`; a test fails when
this page and the commands drift apart.

Every command exits 0 when clean, 1 on findings at or above the failure
threshold, 2 on a usage error, 3 when it could not run (config, I/O, git,
signing: one line and a hint, no traceback), 4 on an internal error and 130
when interrupted.

The writing commands (`fix`, `compile`, `sign`, `egress`, `keygen`) hold a
repository lock while they run; a second one waits up to `KARSGIT_LOCK_TIMEOUT`
seconds (default 120), then exits 3. No command writes outside the repository
or into `.git`, or through a symlink that leads there
([design choices](design-choices.md#writes-stay-in-the-repository)).
"""


def help_text(*path: str) -> str:
    context = click.Context(
        cli,
        info_name="karsgit",
        terminal_width=88,
        max_content_width=88,
        help_option_names=["-h", "--help"],
    )
    command: click.Command = cli
    for name in path:
        group = command
        assert isinstance(group, click.Group)
        sub = group.get_command(context, name)
        assert sub is not None
        context = click.Context(
            sub, info_name=name, parent=context, terminal_width=88, max_content_width=88
        )
        command = sub
    return command.get_help(context)


def _commands() -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    context = click.Context(cli, info_name="karsgit")
    for name in sorted(COMMANDS):
        out.append((name,))
        command = cli.get_command(context, name)
        if isinstance(command, click.Group):
            out.extend((name, sub) for sub in sorted(command.list_commands(context)))
    return out


def render() -> str:
    parts = [INTRO, "## karsgit\n", "```\n" + help_text() + "\n```\n"]
    for path in _commands():
        parts.append(f"## karsgit {' '.join(path)}\n")
        parts.append("```\n" + help_text(*path) + "\n```\n")
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        return 0 if DOC.read_text(encoding="utf-8") == text else 1
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
