"""The command line: options -> settings -> pipeline -> report -> exit code.

The only module tree that imports click, prints or exits. Subcommands live in
their own modules and are imported only when invoked, so the hook path
(``karsgit check FILE...``) never pays for signing or git-history imports.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NoReturn

import click

from karsgit import __version__
from karsgit.errors import ExitCode, KarsgitError

# name -> (module, attribute, one-line help); the help shows without importing.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("karsgit.cli.check", "check", "Validate kars manifests and report findings."),
    "rules": ("karsgit.cli.check", "rules", "List every rule id with its default severity."),
    "fix": ("karsgit.cli.fix", "fix", "Rewrite endpoint lists to the normal form, in place."),
    "diff": ("karsgit.cli.diff", "diff", "Show the effective egress change between two revisions."),
    "compile": (
        "karsgit.cli.compile",
        "compile_command",
        "Write canonical allowlist bundles and refs.",
    ),
    "keygen": ("karsgit.cli.sign", "keygen", "Write a cosign-compatible key pair."),
    "sign": ("karsgit.cli.sign", "sign", "Sign the allowlist bundles (key or keyless)."),
    "verify": (
        "karsgit.cli.verify",
        "verify",
        "Verify bundles, refs and signatures (offline, or --registry).",
    ),
    "publish": (
        "karsgit.cli.publish",
        "publish",
        "Upload bundles and their signatures to the OCI registry.",
    ),
    "egress": ("karsgit.cli.egress", "egress", "Approve, deny, enforce or learn egress as edits."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        command: click.Command = getattr(importlib.import_module(spec[0]), spec[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="karsgit")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """karsgit: the GitOps gate and policy compiler for kars sandbox egress.

    Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage
    error, 3 could not run (config, I/O, git, signing), 4 internal error,
    130 interrupted.
    """
    ctx.obj = {"verbose": verbose}


SIGN_EXTRA_HINT = (
    "install it where karsgit is installed: pip install '.[sign]' in a clone, or "
    "'karsgit[sign] @ git+URL@TAG' (docs/signing.md)"
)


def _signing_module(name: str | None) -> bool:
    from karsgit.cli.common import SIGN_MODULES

    return (name or "").split(".", 1)[0] in SIGN_MODULES


def _fail(code: ExitCode, message: str, hint: str = "") -> NoReturn:
    click.echo(f"karsgit: error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    sys.exit(int(code))


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: the one place that maps exceptions to exit codes."""
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args or bool(os.environ.get("KARSGIT_DEBUG"))
    try:
        result: Any = cli.main(args=args, prog_name="karsgit", standalone_mode=False)
    except click.exceptions.Abort as error:
        # click turns any EOFError into Abort; only Ctrl-C is an interruption.
        if isinstance(error.__context__, EOFError):
            _fail(ExitCode.CANNOT_RUN, "unexpected end of input", "run it with input available")
        _fail(ExitCode.INTERRUPTED, "interrupted")
    except click.UsageError as error:
        hint = f"run '{error.ctx.command_path} --help'" if error.ctx else "run 'karsgit --help'"
        _fail(ExitCode.USAGE, error.format_message(), hint)
    except click.ClickException as error:
        _fail(ExitCode.USAGE, error.format_message())
    except KarsgitError as error:
        _fail(error.exit_code, error.message, error.hint)
    except KeyboardInterrupt:
        _fail(ExitCode.INTERRUPTED, "interrupted")
    except BrokenPipeError:
        sys.exit(int(ExitCode.OK))
    except Exception as error:  # the internal-error boundary
        if isinstance(error, ModuleNotFoundError) and _signing_module(error.name):
            _fail(
                ExitCode.CANNOT_RUN,
                f"signing needs the 'sign' extra of karsgit ({error.name} is not installed)",
                SIGN_EXTRA_HINT,
            )
        if verbose:
            import traceback  # only here: it costs the hook path ~5 ms to import

            traceback.print_exc()
        _fail(
            ExitCode.INTERNAL,
            f"internal error: {type(error).__name__}: {error}",
            "this is a karsgit bug; rerun with --verbose and report the traceback",
        )
    sys.exit(int(result or 0))
