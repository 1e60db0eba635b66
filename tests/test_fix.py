"""``karsgit fix``: round-trip fidelity, idempotence, refusal, CLI, and properties."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from karsgit.cli import cli
from karsgit.normalize.endpoints import normalize_host
from karsgit.rules.engine import file_hits
from karsgit.run.fix import fix_bytes
from karsgit.settings import Settings
from karsgit.source.load import load_bytes
from tests.support.repos import Repo

SETTINGS = Settings(root=Path("/nonexistent"))

BEFORE = """\
---
# keep me
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: web   # aligned comment
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
    # GitHub
    - host: "B.com"  # bee
      port: 443
    # Azure
    - host: a.com # no port
    - {host: c.com, port: 80}
    - host: a.com
      port: 443
    # trailing
  runtime: {image: 'x:1'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: x}   # untouched
data:
  k: "v"
"""

AFTER = """\
---
# keep me
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: web   # aligned comment
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
    # Azure
    - host: a.com # no port
      port: 443
    # GitHub
    - host: "b.com"  # bee
      port: 443
    - {host: c.com, port: 80}
    # trailing
  runtime: {image: 'x:1'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: x}   # untouched
data:
  k: "v"
"""


def fixable(text: str) -> list[str]:
    hits, _ = file_hits(load_bytes("m.yaml", text.encode()), SETTINGS)
    return sorted(h.rule_id for h in hits if h.fixable)


def test_fix_keeps_comments_quoting_and_layout() -> None:
    result = fix_bytes("m.yaml", BEFORE.encode(), SETTINGS)
    assert result.fixed == AFTER
    assert result.summary() == (
        "m.yaml: fixed 4 findings (endpoint-duplicate, endpoint-order, host-case, port-missing)"
    )
    assert fixable(AFTER) == []
    assert not fix_bytes("m.yaml", AFTER.encode(), SETTINGS).changed


def test_indented_sequences_idna_and_approvals() -> None:
    text = (
        "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata:\n"
        "  name: t\n  namespace: kars-system\nspec:\n  sandbox: web\n  reason: r\n"
        "  ttl: PT1H\n  hosts:\n    - host: ' Bücher.example'\n    - host: a.org\n"
    )
    result = fix_bytes("m.yaml", text.encode(), SETTINGS)
    assert result.fixed is not None
    assert result.fixed.endswith(
        "  hosts:\n    - host: a.org\n      port: 443\n"
        "    - host: 'xn--bcher-kva.example'\n      port: 443\n"
    )
    assert sorted(result.counts.elements()) == [
        "endpoint-order", "host-case", "host-idna", "host-whitespace",
        "port-missing", "port-missing",
    ]  # fmt: skip


def test_crlf_and_bom_are_kept() -> None:
    text = "\ufeff" + BEFORE.replace("\n", "\r\n")
    result = fix_bytes("m.yaml", text.encode(), SETTINGS)
    assert result.fixed == "\ufeff" + AFTER.replace("\n", "\r\n")


def test_never_touches_files_it_cannot_fully_parse() -> None:
    broken = BEFORE.replace("  name: web", "  name: web\n  name: again")
    result = fix_bytes("m.yaml", broken.encode(), SETTINGS)
    assert result.fixed is None
    assert result.skipped == "has duplicate-key findings; run 'karsgit check' and fix them first"
    marker = BEFORE.replace("# keep me", "<<<<<<< HEAD")
    assert "conflict-marker" in fix_bytes("m.yaml", marker.encode(), SETTINGS).skipped


def test_unfixable_entries_are_left_and_not_sorted() -> None:
    text = BEFORE.replace("- host: a.com # no port", "- host: '*.a.com'")
    result = fix_bytes("m.yaml", text.encode(), SETTINGS)
    assert result.fixed is not None
    assert "- host: '*.a.com'\n      port: 443\n" in result.fixed
    assert fixable(result.fixed) == []


def run(*args: str) -> tuple[int, str]:
    """The command's exit code as ``karsgit.cli.main`` maps it, and its output."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)
    return result.return_value, result.output


def test_cli_fix_check_diff_and_exit_codes(repo: Repo) -> None:
    repo.write("m.yaml", BEFORE)
    assert run("fix", "--check", "m.yaml") == (
        1,
        "m.yaml: would fix 4 findings (endpoint-duplicate, endpoint-order, host-case, "
        "port-missing)\n",
    )
    code, diff = run("fix", "--diff", "m.yaml")
    assert code == 1
    assert '-    - host: "B.com"  # bee\n' in diff
    assert (repo.path / "m.yaml").read_text() == BEFORE
    code, done = run("fix")
    assert code == 1
    assert done.startswith("m.yaml: fixed 4 findings")
    assert (repo.path / "m.yaml").read_text() == AFTER
    assert run("fix", "m.yaml") == (0, "")


def test_cli_reports_skipped_files(repo: Repo) -> None:
    repo.write("m.yaml", BEFORE.replace("  name: web", "  name: web\n  name: again"))
    code, output = run("fix", "m.yaml")
    assert code == 1  # a file left unfixed fails the run (issue 10, item 6)
    assert "m.yaml: not fixed: has duplicate-key findings" in output


# Properties ---------------------------------------------------------------

LABEL = st.text("abcXYZ019-ü", min_size=1, max_size=8)
HOSTS = st.builds(
    lambda labels, pad: " " * pad + ".".join(labels),
    st.lists(LABEL, min_size=1, max_size=3),
    st.integers(0, 1),
)
ENTRY = st.fixed_dictionaries(
    {"host": HOSTS}, optional={"port": st.sampled_from([80, 443, 8443, 1])}
)


@given(HOSTS)
def test_host_normalization_is_idempotent(host: str) -> None:
    normal = normalize_host(host).normal
    if normal is not None:
        again = normalize_host(normal)
        assert (again.normal, again.deviations) == (normal, ())


def _manifest(entries: list[dict[str, object]], flow: bool) -> str:
    if flow:
        listed = yaml.safe_dump(entries, default_flow_style=True, allow_unicode=True, width=4096)
        body = f"allowedEndpoints: {listed}"
    else:
        body = yaml.safe_dump({"allowedEndpoints": entries}, allow_unicode=True, width=4096)
    indented = "".join("    " + line for line in body.splitlines(keepends=True))
    return (
        "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\nmetadata:\n  name: w\n"
        "  namespace: kars-system\nspec:\n  networkPolicy:\n    egressMode: Strict\n" + indented
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ENTRY, min_size=1, max_size=6), st.booleans())
def test_fix_then_check_reports_no_fixable_finding(
    entries: list[dict[str, object]], flow: bool
) -> None:
    text = _manifest(entries, flow)
    result = fix_bytes("m.yaml", text.encode(), SETTINGS)
    assert not result.skipped
    fixed = result.fixed if result.fixed is not None else text
    assert fixable(fixed) == []
    assert not fix_bytes("m.yaml", fixed.encode(), SETTINGS).changed


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["KarsSandbox", "EgressApproval"]),
    st.dictionaries(st.sampled_from(["spec", "metadata", "status"]), YAML_VALUES, max_size=3),
    st.builds(
        dict,
        networkPolicy=st.builds(
            dict,
            egressMode=st.sampled_from(["Strict", "Learn", 1]),
            allowedEndpoints=st.lists(
                st.dictionaries(st.sampled_from(["host", "port"]), YAML_VALUES)
            ),
        ),
        hosts=st.lists(st.dictionaries(st.sampled_from(["host", "port"]), YAML_VALUES)),
        ttl=YAML_VALUES,
        reason=YAML_VALUES,
        sandbox=YAML_VALUES,
    ),
)
def test_check_never_raises_on_arbitrary_documents(
    kind: str, top: dict[str, object], spec: dict[str, object]
) -> None:
    document = {"apiVersion": "kars.azure.com/v1alpha1", "kind": kind, **top}
    document.setdefault("spec", spec)
    text = yaml.safe_dump(document, allow_unicode=True)
    hits, _ = file_hits(load_bytes("m.yaml", text.encode()), SETTINGS)
    assert all(h.position.line >= 0 for h in hits)
    fix_bytes("m.yaml", text.encode(), SETTINGS)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_check_never_raises_on_arbitrary_text(text: str) -> None:
    raw = ("apiVersion: kars.azure.com/v1alpha1\n" + text).encode("utf-8", "surrogatepass")
    file_hits(load_bytes("m.yaml", raw), SETTINGS)
