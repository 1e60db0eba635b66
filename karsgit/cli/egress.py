"""``karsgit egress``: the kars egress flows as reviewed edits of the GitOps repo
(approve, deny, enforce, learn, pending, allow-extra; docs/egress.md).

Exit codes: 0 done, 1 refused (ambiguous name, unsafe or invalid change:
nothing written), 2 usage, 3 could not run, or signing failed after the edit
was written and compiled (the change is not yet signed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from karsgit.cli.common import config_option, settings_for
from karsgit.errors import KarsgitError, SigningError, UsageError
from karsgit.findings import Finding
from karsgit.run.allow_extra import ExtraRequest
from karsgit.run.egress import Refused, Request, label, resolve
from karsgit.settings import Settings
from karsgit.source.objects import LEARN, STRICT, Sandbox

if TYPE_CHECKING:
    from karsgit.render.tree import Graph
    from karsgit.run.egress_rendered import Rendered

SignPlan = tuple[str, Path | None, Path | None]


class _FlowContext(click.Context):
    """The flows read as ``karsgit egress NAME ...``, not as a named subcommand."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent is not None else "egress"


class _Flows(click.Command):
    context_class = _FlowContext


class EgressGroup(click.Group):
    """``egress NAME ...`` runs the flows; ``egress allow-extra ...`` the subcommand."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "", flows, args

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["NAME [-n NAMESPACE] [OPTIONS]", "|", "allow-extra NAME [OPTIONS]"]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        flows.format_options(_FlowContext(flows, parent=ctx), formatter)
        self.format_commands(ctx, formatter)


def _echo_findings(findings: Sequence[Finding]) -> None:
    """The findings exactly as 'karsgit check' prints them (text format, by file)."""
    from karsgit.findings import sort_findings
    from karsgit.report.text import findings_block

    if findings:
        click.echo(findings_block(sort_findings(findings)), err=True)


def _load_rendered(
    config: Path | None, name: str, namespace: str | None, root: str | None
) -> tuple[Settings, Any, Graph | None, Sandbox | Rendered]:
    """In a kustomize repository, the sandbox as a root renders it (``--root``)."""
    from karsgit.run.check import run_check
    from karsgit.run.egress_rendered import find, load_graph, root_of

    settings = settings_for(config)
    graph = load_graph(settings)
    directory = root_of(settings, graph, root) if root is not None else None
    if graph is None:
        result = run_check(settings, ())
        return settings, result, None, resolve(result.objects, name, namespace)
    result = run_check(settings, (), render=True)
    return settings, result, graph, find(settings, result, name, namespace, directory)


def _sign_plan(settings: Settings, no_sign: bool) -> SignPlan | None:
    if no_sign or settings.signing.get("mode") == "none":
        return None
    from karsgit.cli.common import require_sign_extra
    from karsgit.signing.choice import signing_mode

    require_sign_extra()  # before the edit is written, not after
    try:
        return signing_mode(settings, None, False, None)
    except UsageError as error:
        raise UsageError(
            "no signing mode configured", "set signing.mode in .karsgit.yaml or pass --no-sign"
        ) from error


def _sign(settings: Settings, sandbox: Sandbox, bundle: str, plan: SignPlan) -> list[str]:
    from karsgit.bundle.layout import SIG_SUFFIX, SIGSTORE_SUFFIX
    from karsgit.cli.sign import open_signer
    from karsgit.run.sign import refuse_private_keys, sign_bundles

    try:
        refuse_private_keys(settings.root)
        if plan[0] == "keyless":
            return _sign_keyless(settings, sandbox, bundle, plan[2])
        with open_signer(plan[0], plan[1], None, plan[2]) as (signer, is_current):
            outcome = sign_bundles(settings.root, [bundle], signer, is_current)
    except KarsgitError as error:
        raise SigningError(
            f"the change to {label(sandbox)} is written and compiled but NOT YET SIGNED: "
            f"{error.message}; the old signature was left in place",
            error.hint or "fix the cause, then run 'karsgit sign'",
        ) from error
    for rel in outcome.signed:
        click.echo(f"signed {rel}")
    if not outcome.signed:
        return []
    paths = [bundle + SIGSTORE_SUFFIX, bundle + SIG_SUFFIX]
    return [p for p in paths if (settings.root / p).is_file()]


def _sign_keyless(
    settings: Settings, sandbox: Sandbox, bundle: str, trust: Path | None
) -> list[str]:
    from karsgit.run.sign import image_target, sign_images
    from karsgit.signing import KeylessSigner

    target = image_target(settings, sandbox, bundle)
    with KeylessSigner(trust_config=trust) as signer:
        outcome = sign_images(settings.root, [target], signer)
    for rel in outcome.signed:
        click.echo(f"signed {rel}")
    return [target.artifact_rel]


def _request(
    approve: tuple[str, ...], deny: tuple[str, ...], enforce: bool, learn: bool | None, empty: bool
) -> Request:
    if enforce and learn:
        raise UsageError("--enforce and --learn exclude each other", "pick one mode")
    mode = STRICT if enforce or learn is False else LEARN if learn else None
    if not (approve or deny or mode):
        raise UsageError(
            "nothing to do", "pass --approve, --deny, --enforce, --learn/--no-learn or --pending"
        )
    return Request(approve, deny, mode, empty)


@click.command(cls=_Flows, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("name")
@click.option(
    "-n", "--namespace", help="Namespace of the sandbox (required when NAME is ambiguous)."
)
@click.option(
    "--approve",
    multiple=True,
    metavar="HOST[:PORT]",
    help="Allow an endpoint (port 443 by default).",
)
@click.option(
    "--deny", multiple=True, metavar="HOST[:PORT]", help="Remove every port of HOST (or one port)."
)
@click.option("--enforce", is_flag=True, help="Set egressMode: Strict and compile the bundle.")
@click.option("--learn/--no-learn", default=None, help="Set egressMode: Learn / Strict.")
@click.option(
    "--pending", is_flag=True, help="List learned hosts not allowlisted yet (needs --learned)."
)
@click.option(
    "--learned",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The router's learned-hosts export (JSON or one host a line).",
)
@click.option(
    "--allow-empty", is_flag=True, help="Allow an empty Strict list: mark deny-all on purpose."
)
@click.option("--no-sign", is_flag=True, help="Leave the recompiled bundle unsigned.")
@click.option("--commit", is_flag=True, help="Make one git commit of the change.")
@click.option(
    "--root",
    metavar="ROOT",
    help="Kustomization root whose rendered sandbox to change: its directory, or the "
    "name of the Flux Kustomization or Argo CD Application that applies it.",
)
@config_option
def flows(name: str, namespace: str | None, approve: tuple[str, ...], deny: tuple[str, ...],
          enforce: bool, learn: bool | None, pending: bool, learned: Path | None,
          allow_empty: bool, no_sign: bool, commit: bool, root: str | None,
          config: Path | None) -> int:  # fmt: skip
    """Change the egress of sandbox NAME by editing its manifest."""
    if pending:
        if learned is None or approve or deny or enforce or learn is not None:
            raise UsageError("--pending needs --learned FILE and no other change", "")
        return _pending(config, name, namespace, learned, root)
    from karsgit.edit.lock import repository_lock

    request = _request(approve, deny, enforce, learn, allow_empty)
    with repository_lock(settings_for(config).root):
        settings, result, graph, found = _load_rendered(config, name, namespace, root)
        plan = _sign_plan(settings, no_sign)
        if isinstance(found, Sandbox):
            return _change(settings, found, request, plan, commit)
        assert graph is not None
        return _change_rendered(settings, (graph, result), found, request, plan, commit)


def _change(
    settings: Settings, sandbox: Sandbox, request: Request, plan: SignPlan | None, commit: bool
) -> int:
    from karsgit.edit.files import read_text
    from karsgit.run import egress_apply as flow

    text, form = read_text(settings.root / sandbox.location.path)
    try:
        edit = flow.build_edit(settings, sandbox, text, request)
        warnings = flow.check_edit(settings, text, edit)
        edited = flow.edited_sandbox(settings, edit, sandbox.ref)
        flow.require_compilable(settings, edited)
    except Refused as refused:
        _echo_findings(refused.findings)
        raise
    for line in edit.changes:
        click.echo(f"{label(sandbox)}: {line}")
    if edit.text == text:
        if edited.mode != STRICT:
            click.echo("nothing to change")
            return 0
        # A run killed after its manifest write left the bundle, ref or signature
        # behind: finish them, so a rerun of the same command completes the job.
        click.echo(f"nothing to change in {edit.path}; finishing its bundle and signature")
    _echo_findings(warnings)
    applied = flow.apply_edit(settings, edit, edited, form)
    for rel in applied.written:
        click.echo(f"wrote {rel}")
    paths = list(applied.written)
    status = _sign_status(settings, edited, applied.bundle, plan, paths)
    if commit and paths:
        _commit(settings, paths, flow.commit_message(edited, edit.changes, status))
    return 0


def _change_rendered(
    settings: Settings, loaded: tuple[Graph, Any], found: Rendered, request: Request,
    plan: SignPlan | None, commit: bool,
) -> int:  # fmt: skip
    from karsgit.edit.files import write_in_repo
    from karsgit.run import egress_apply
    from karsgit.run import egress_rendered as flow
    from karsgit.run.check import run_check
    from karsgit.run.compile_rendered import compile_selected

    graph, result = loaded
    try:
        edit, sources = flow.plan(settings, graph, result, found, request)
        warnings, after = flow.check(settings, graph, result, found, edit, sources)
        for rendered in after:
            egress_apply.require_compilable(settings, rendered.sandbox)
    except Refused as refused:
        _echo_findings(refused.findings)
        raise
    for line in edit.changes:
        click.echo(f"{found.name}: {line}")
    for line in edit.notes:
        click.echo(line)
    if not edit.edits:
        if found.sandbox.mode != STRICT:
            click.echo("nothing to change")
            return 0
        click.echo(f"nothing to change in the sources of {found.root or '.'}; "
                   "finishing its bundle and signature")  # fmt: skip
    _echo_findings(warnings)
    paths = []
    for rel, change in edit.edits.items():
        if write_in_repo(settings.root, rel, sources.text(rel)[1].encode(change.text)):
            paths.append(rel)
    origin = found.origin
    assert origin is not None
    key = (origin.location.path, origin.document_index)
    written, targets = compile_selected(
        settings,
        run_check(settings, (), render=True),
        lambda t: (
            t.root.directory in edit.roots
            and t.origin is not None
            and (t.origin.location.path, t.origin.document_index) == key
        ),
    )
    paths += [p for p in written if p not in paths]
    for rel in paths:
        click.echo(f"wrote {rel}")
    bundles = [(t.target.sandbox, t.target.rel) for t in targets
               if (settings.root / t.target.rel).is_file()]  # fmt: skip
    status = _sign_all(settings, found.sandbox, bundles, plan, paths)
    if commit and paths:
        message = egress_apply.commit_message(found.sandbox, edit.changes + edit.notes, status)
        _commit(settings, paths, message)
    return 0


def _sign_all(
    settings: Settings, sandbox: Sandbox, bundles: list[tuple[Sandbox, str]],
    plan: SignPlan | None, paths: list[str],
) -> str:  # fmt: skip
    if not bundles:
        click.echo(f"{label(sandbox)} is in {sandbox.mode} mode: no bundle to compile or sign")
        return f"No bundle: the sandbox is in {sandbox.mode} mode."
    if plan is None:
        for _, bundle in bundles:
            click.echo(
                f"NOT SIGNED (--no-sign or signing.mode: none): {bundle} has no current "
                "signature; 'karsgit verify' reports it until 'karsgit sign' runs"
            )
        return "Bundle not signed yet (--no-sign)."
    for rendered, bundle in bundles:
        paths.extend(p for p in _sign(settings, rendered, bundle, plan) if p not in paths)
    return "Bundle recompiled and signed."


def _sign_status(
    settings: Settings, sandbox: Sandbox, bundle: str | None, plan: SignPlan | None,
    paths: list[str],
) -> str:  # fmt: skip
    if bundle is None:
        click.echo(f"{label(sandbox)} is in {sandbox.mode} mode: no bundle to compile or sign")
        return f"No bundle: the sandbox is in {sandbox.mode} mode."
    if plan is None:
        click.echo(
            f"NOT SIGNED (--no-sign or signing.mode: none): {bundle} has no current signature; "
            "'karsgit verify' reports it until 'karsgit sign' runs"
        )
        return "Bundle not signed yet (--no-sign)."
    paths.extend(p for p in _sign(settings, sandbox, bundle, plan) if p not in paths)
    return "Bundle recompiled and signed."


def _commit(settings: Settings, paths: list[str], message: str) -> None:
    from karsgit.source import gitio

    commit = gitio.commit_paths(settings.root, paths, message)
    click.echo(f"committed {commit[:12]}: {message.splitlines()[0]}")


def _pending(
    config: Path | None, name: str, namespace: str | None, learned: Path, root: str | None
) -> int:
    from karsgit.normalize.entries import normal_entries
    from karsgit.report.pending import pending_text
    from karsgit.source.learned import parse_learned, pending

    _, _, _, found = _load_rendered(config, name, namespace, root)
    sandbox = found if isinstance(found, Sandbox) else found.sandbox
    items = parse_learned(learned.read_bytes(), str(learned))
    normals = list(normal_entries(sandbox))
    report = pending(items, sorted({n.host for n in normals if n is not None}))
    click.echo(pending_text(sandbox, report, learned.name), nl=False)
    return 0


@click.group(
    "egress",
    cls=EgressGroup,
    invoke_without_command=False,
    no_args_is_help=True,
    context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]},
)
def egress() -> None:
    """Change sandbox egress as reviewed edits of the GitOps repo.

    \b
    karsgit egress NAME --approve HOST[:PORT]...   add endpoints (normal form)
    karsgit egress NAME --deny HOST...             remove every port of a host
    karsgit egress NAME --enforce | --no-learn     egressMode: Strict
    karsgit egress NAME --learn                    egressMode: Learn
    karsgit egress NAME --pending --learned FILE   learned hosts not allowed yet
    karsgit egress allow-extra NAME --host ... --ttl ... --reason ...

    Edits keep comments, recompile the sandbox's bundle and sign it with the
    configured signer (signing.* in .karsgit.yaml). A NAME found in several
    namespaces needs -n. In a kustomize repository a NAME rendered by several
    roots needs --root DIR; the edit goes to the file that sets the list or mode
    for that root (docs/egress.md). Exit 1: refused, nothing written. Exit 3
    after an edit: written and compiled, but not yet signed.
    """


@egress.command("allow-extra")
@click.argument("name")
@click.option(
    "-n", "--namespace", help="Namespace of the sandbox (required when NAME is ambiguous)."
)
@click.option(
    "--host",
    "hosts",
    multiple=True,
    required=True,
    metavar="HOST[:PORT]",
    help="Extra endpoint (port 443 by default); 1 to 16.",
)
@click.option(
    "--ttl",
    required=True,
    help="ISO-8601 duration: PT30M, PT4H, P1D (ceiling: approvals.ttl_ceiling).",
)
@click.option(
    "--reason", required=True, help="Why the extra egress is needed (goes to audit logs)."
)
@click.option("--ticket", help="Ticket id, 1 to 128 characters.")
@click.option(
    "--dir",
    "directory",
    help="Repo-relative folder for the file (default: beside the sandbox; with a "
    "kustomization root, the root's folder).",
)
@click.option("--commit", is_flag=True, help="Make one git commit of the new file.")
@click.option(
    "--root",
    metavar="ROOT",
    help="Kustomization root (directory or application name, as for the other flows) "
    "whose rendered sandbox the approval is for; the root's kustomization lists the new file.",
)
@config_option
def allow_extra(name: str, namespace: str | None, hosts: tuple[str, ...], ttl: str, reason: str,
                ticket: str | None, directory: str | None, commit: bool, root: str | None,
                config: Path | None) -> int:  # fmt: skip
    """Write an EgressApproval NAME-extra-<yyyymmdd-hhmmss>z for sandbox NAME.

    The approval widens the router allowlist for TTL; it is not signed and the
    sandbox's bundle does not change. Refused (exit 1, nothing written) when
    'karsgit check' would report an error in it.
    """
    from karsgit.edit.lock import repository_lock

    with repository_lock(settings_for(config).root):
        request = ExtraRequest(hosts, ttl, reason, ticket, directory)
        return _allow_extra(config, name, namespace, root, request, commit)


def _allow_extra(
    config: Path | None,
    name: str,
    namespace: str | None,
    root: str | None,
    request: ExtraRequest,
    commit: bool,
) -> int:
    from karsgit.edit.files import write_in_repo
    from karsgit.run.allow_extra import plan_extra, plan_extra_rendered

    hosts, ttl, reason = request.hosts, request.ttl, request.reason
    settings, result, graph, found = _load_rendered(config, name, namespace, root)
    now = datetime.now(UTC)
    listed: tuple[str, bytes] | None = None
    try:
        if isinstance(found, Sandbox):
            sandbox, extra = found, plan_extra(settings, result.objects, found, request, now)
        else:
            assert graph is not None
            planned = plan_extra_rendered(settings, graph, result, found, request, now)
            sandbox, extra = found.sandbox, planned.extra
            listed = planned.kustomization, planned.kustomization_bytes
    except Refused as refused:
        _echo_findings(refused.findings)
        raise
    _echo_findings(extra.warnings)
    paths = [extra.path]
    write_in_repo(settings.root, extra.path, extra.text.encode("utf-8"))
    if listed is not None:
        write_in_repo(settings.root, *listed)
        paths.append(listed[0])
    click.echo(f"wrote {extra.path}: EgressApproval {sandbox.ref.namespace}/{extra.name}")
    if listed is not None:
        click.echo(f"wrote {listed[0]}: lists {extra.path} under resources")
    shown = label(sandbox) if isinstance(found, Sandbox) else found.name
    click.echo(f"{shown}: extra egress to {', '.join(hosts)} for {ttl} (unsigned)")
    if commit:
        message = f"egress {shown}: allow extra {', '.join(hosts)} for {ttl}\n\n{reason}\n"
        _commit(settings, paths, message)
    return 0
