"""`karsgit egress --root` on the Flux-style kustomize repository (issue 12 item 7):
the flow edits the file that sets the list or mode for that root, refuses where
an inline JSON6902 op makes the place ambiguous, and `kubectl kustomize` renders
the change with the ref of the root's own endpoints (digests computed here)."""

from __future__ import annotations

from tests.support.egress import PASSWORD, Keys, commits, read
from tests.support.render import (
    BASE_SANDBOX,
    expected_digest,
    flux_repo,
    needs_kubectl,
    rendered_sandbox,
)
from tests.support.repos import Repo

pytestmark = needs_kubectl

CONFIG = "bundles:\n  registry: registry.example.com\n"
BASE = "apps/base/sandbox.yaml"
PROD = "apps/overlays/prod"
PROD_PATCH = "apps/overlays/prod/strict.yaml"
NAME = "kars-system/research-agent of apps/overlays/prod"
# prod/strict.yaml with a list of its own: kustomize replaces the base's list whole
PROD_LIST = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: research-agent
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api.github.com  # prod only needs the API
        port: 443
"""


def flux(repo: Repo, prod_list: bool = False) -> Repo:
    repo.write(".karsgit.yaml", CONFIG)
    if prod_list:
        repo.write(PROD_PATCH, PROD_LIST)
    flux_repo(repo)
    if prod_list:
        repo.write(PROD_PATCH, PROD_LIST)
        repo.commit("prod lists its own endpoints")
    return repo


def hosts(repo: Repo, overlay: str) -> list[tuple[str, int]]:
    policy = rendered_sandbox(repo, overlay)
    return [(e["host"], e["port"]) for e in policy["allowedEndpoints"]]


def assert_ref_of_own_endpoints(repo: Repo, overlay: str) -> None:
    policy = rendered_sandbox(repo, overlay)
    assert policy["allowlistRef"]["digest"] == expected_digest(policy), overlay


def test_approve_in_prod_edits_the_base_and_names_the_roots_it_reaches(repo: Repo, karsgit) -> None:
    flux(repo)
    done = karsgit("egress", "research-agent", "--root", PROD, "--approve", "X.example.com",
                   "--no-sign")  # fmt: skip
    assert done.code == 0, done.err
    assert done.out.splitlines()[:3] == [
        f"{NAME}: approved x.example.com:443",
        f"allowedEndpoints of {PROD} is set in {BASE}",
        f"{BASE} is shared: the change reaches apps/overlays/learn, apps/overlays/staging too",
    ]
    assert "wrote apps/base/sandbox.yaml" in done.out.splitlines()
    assert hosts(repo, "prod") == [
        ("api.github.com", 443),
        ("pypi.example.org", 443),
        ("x.example.com", 443),
        ("evil-exfil.example.net", 443),
    ]
    assert (
        hosts(repo, "staging")
        == hosts(repo, "learn")
        == [
            ("api.github.com", 443),
            ("pypi.example.org", 443),
            ("x.example.com", 443),
        ]
    )
    for overlay in ("prod", "staging", "learn"):
        assert_ref_of_own_endpoints(repo, overlay)
    assert karsgit("compile", "--check").code == 0


def test_approve_in_prod_edits_the_patch_that_sets_its_list(repo: Repo, karsgit) -> None:
    flux(repo, prod_list=True)
    done = karsgit("egress", "research-agent", "--root", PROD, "--approve", "b.example.com",
                   "--no-sign")  # fmt: skip
    assert done.code == 0, done.err
    assert done.out.splitlines()[:2] == [
        f"{NAME}: approved b.example.com:443",
        f"allowedEndpoints of {PROD} is set in {PROD_PATCH}",
    ]
    assert "shared" not in done.out
    assert read(repo, PROD_PATCH).startswith(
        PROD_LIST + "      - host: b.example.com\n        port: 443\n"
    )
    # the base and the roots that render it are not touched (nor compiled)
    assert read(repo, BASE) == BASE_SANDBOX
    assert [line for line in done.out.splitlines() if line.startswith("wrote ")] == [
        f"wrote {PROD_PATCH}",
        "wrote .kars/bundles/apps/overlays/prod/kars-system/research-agent/allowlist.yaml",
        "wrote apps/overlays/prod/karsgit-allowlistref.yaml",
        "wrote apps/overlays/prod/kustomization.yaml",
        "wrote .kars/bundles/kustomization.yaml",
    ]
    assert hosts(repo, "prod") == [
        ("api.github.com", 443),
        ("b.example.com", 443),
        ("evil-exfil.example.net", 443),
    ]
    assert hosts(repo, "staging") == [("api.github.com", 443), ("pypi.example.org", 443)]
    assert_ref_of_own_endpoints(repo, "prod")
    assert "allowlistRef" not in rendered_sandbox(repo, "staging")


def test_deny_of_a_host_the_patch_lists_edits_the_patch(repo: Repo, karsgit) -> None:
    flux(repo, prod_list=True)
    repo.write(PROD_PATCH, PROD_LIST + "      - host: pypi.example.org\n        port: 443\n")
    repo.commit("prod needs the index too")
    done = karsgit("egress", "research-agent", "--root", PROD, "--deny", "pypi.example.org",
                   "--no-sign")  # fmt: skip
    assert done.code == 0, done.err
    assert (
        done.out.splitlines()[0] == f"{NAME}: denied pypi.example.org: removed pypi.example.org:443"
    )
    assert read(repo, PROD_PATCH) == PROD_LIST
    assert hosts(repo, "prod") == [("api.github.com", 443), ("evil-exfil.example.net", 443)]
    assert hosts(repo, "staging") == [("api.github.com", 443), ("pypi.example.org", 443)]
    assert_ref_of_own_endpoints(repo, "prod")


def test_deny_of_a_base_host_from_one_overlay_edits_the_base_and_says_so(
    repo: Repo, karsgit
) -> None:
    flux(repo)
    done = karsgit("egress", "research-agent", "--root", "apps/overlays/staging",
                   "--deny", "pypi.example.org", "--no-sign")  # fmt: skip
    assert done.code == 0, done.err
    assert done.out.splitlines()[:3] == [
        "kars-system/research-agent of apps/overlays/staging: denied pypi.example.org: "
        "removed pypi.example.org:443",
        "allowedEndpoints of apps/overlays/staging is set in apps/base/sandbox.yaml",
        f"{BASE} is shared: the change reaches apps/overlays/learn, apps/overlays/prod too",
    ]
    for overlay in ("staging", "learn"):
        assert hosts(repo, overlay) == [("api.github.com", 443)]
        assert_ref_of_own_endpoints(repo, overlay)
    assert hosts(repo, "prod") == [("api.github.com", 443), ("evil-exfil.example.net", 443)]
    assert_ref_of_own_endpoints(repo, "prod")


def test_deny_of_a_host_an_inline_op_adds_is_refused_at_the_op(repo: Repo, karsgit) -> None:
    flux(repo)
    done = karsgit("egress", "research-agent", "--root", PROD,
                   "--deny", "evil-exfil.example.net", "--no-sign")  # fmt: skip
    assert done.code == 1
    assert done.err == (
        f"karsgit: error: 'evil-exfil.example.net' is added to {NAME} by the JSON6902 op at "
        "apps/overlays/prod/kustomization.yaml:12 ('add /spec/networkPolicy/allowedEndpoints/-'); "
        "removing it from apps/base/sandbox.yaml would not remove it from the rendered list; "
        "nothing was written\n"
        "hint: delete that op from apps/overlays/prod/kustomization.yaml "
        "(karsgit does not rewrite inline ops), then rerun\n"
    )
    assert repo.git("status", "--porcelain") == ""


def test_an_op_that_indexes_the_list_makes_an_approve_ambiguous(repo: Repo, karsgit) -> None:
    flux(repo)
    rel = "apps/overlays/prod/kustomization.yaml"
    repo.write(rel, read(repo, rel).replace("allowedEndpoints/-", "allowedEndpoints/0"))
    repo.commit("prod puts its host first")
    done = karsgit("egress", "research-agent", "--root", PROD, "--approve", "y.example.com",
                   "--no-sign")  # fmt: skip
    assert done.code == 1
    assert done.err == (
        "karsgit: error: the JSON6902 op 'add /spec/networkPolicy/allowedEndpoints/0' at "
        f"apps/overlays/prod/kustomization.yaml:12 changes the allowedEndpoints of {NAME} "
        "by position: where the edit belongs is ambiguous; nothing was written\n"
        "hint: edit the op in apps/overlays/prod/kustomization.yaml by hand, or write the "
        "allowedEndpoints in a strategic-merge patch file instead (kustomize replaces the "
        "list whole), then rerun\n"
    )
    assert repo.git("status", "--porcelain") == ""


def test_without_root_a_name_rendered_in_several_roots_is_refused(repo: Repo, karsgit) -> None:
    flux(repo)
    done = karsgit("egress", "research-agent", "--approve", "x.example.com", "--no-sign")
    assert done.code == 1
    assert done.err == (
        "karsgit: error: sandbox 'research-agent' renders in 3 kustomization roots: "
        "apps/overlays/learn (kars-learn/research-agent), "
        "apps/overlays/prod (kars-system/research-agent), "
        "apps/overlays/staging (kars-system/research-agent)\n"
        "hint: pass --root DIR, one of: apps/overlays/learn, apps/overlays/prod, "
        "apps/overlays/staging\n"
    )
    # -n narrows to two roots: still ambiguous
    narrowed = karsgit("egress", "research-agent", "-n", "kars-system", "--enforce", "--no-sign")
    assert narrowed.code == 1
    assert "renders in 2 kustomization roots: apps/overlays/prod" in narrowed.err
    assert repo.git("status", "--porcelain") == ""


def test_without_root_a_name_rendered_in_one_root_uses_it(repo: Repo, karsgit) -> None:
    flux(repo)
    repo.git("rm", "-rq", "apps/overlays/staging", "apps/overlays/learn")
    repo.commit("one cluster")
    done = karsgit("egress", "research-agent", "--approve", "x.example.com", "--no-sign")
    assert done.code == 0, done.err
    assert done.out.splitlines()[:2] == [
        f"{NAME}: approved x.example.com:443",
        f"allowedEndpoints of {PROD} is set in {BASE}",
    ]
    assert_ref_of_own_endpoints(repo, "prod")


def test_root_that_is_not_a_root_is_a_usage_error(repo: Repo, karsgit) -> None:
    flux(repo)
    base = karsgit("egress", "research-agent", "--root", "apps/base", "--enforce")
    assert (base.code, base.out) == (2, "")
    assert base.err == (
        "karsgit: error: --root apps/base: not a kustomization root "
        "(included by apps/overlays/learn, apps/overlays/prod, apps/overlays/staging)\n"
        "hint: pass one of: apps/overlays/learn, apps/overlays/prod, apps/overlays/staging\n"
    )
    missing = karsgit("egress", "research-agent", "--root", "apps/overlays/qa", "--enforce")
    assert missing.code == 2
    assert missing.err.splitlines()[0] == (
        "karsgit: error: --root apps/overlays/qa: no kustomization root there"
    )


def test_root_relative_to_the_current_directory(repo: Repo, karsgit, monkeypatch) -> None:
    flux(repo)
    monkeypatch.chdir(repo.path / "apps/overlays")
    done = karsgit("egress", "research-agent", "--root", "learn", "--enforce", "--no-sign")
    assert done.code == 0, done.err
    assert done.out.splitlines()[:2] == [
        "kars-learn/research-agent of apps/overlays/learn: egressMode: Learn -> Strict",
        "egressMode of apps/overlays/learn is set in apps/base/sandbox.yaml",
    ]
    # prod and staging set Strict in their own patch: the base's mode does not reach them
    assert "shared" not in done.out
    assert rendered_sandbox(repo, "learn")["egressMode"] == "Strict"


def test_mode_change_edits_the_overlay_patch(repo: Repo, karsgit) -> None:
    flux(repo)
    done = karsgit("egress", "research-agent", "--root", PROD, "--learn", "--no-sign")
    assert done.code == 0, done.err
    assert done.out.splitlines()[:3] == [
        f"{NAME}: egressMode: Strict -> Learn",
        f"egressMode of {PROD} is set in {PROD_PATCH}",
        f"wrote {PROD_PATCH}",
    ]
    assert read(repo, PROD_PATCH).endswith("  networkPolicy:\n    egressMode: Learn\n")
    assert rendered_sandbox(repo, "prod")["egressMode"] == "Learn"
    assert rendered_sandbox(repo, "staging")["egressMode"] == "Strict"
    assert read(repo, BASE).count("egressMode: Learn") == 1
    assert_ref_of_own_endpoints(repo, "prod")


def test_commit_signs_every_bundle_the_edit_reached(
    repo: Repo, karsgit, keys: Keys, monkeypatch
) -> None:
    monkeypatch.setenv("COSIGN_PASSWORD", PASSWORD)
    flux(repo)
    repo.write(".karsgit.yaml", CONFIG + f"signing:\n  mode: key\n  key: {keys.private}\n")
    repo.commit("signing")
    before = commits(repo)
    done = karsgit("egress", "research-agent", "--root", PROD, "--approve", "x.example.com",
                   "--commit")  # fmt: skip
    assert done.code == 0, done.err
    signed = [line for line in done.out.splitlines() if line.startswith("signed ")]
    assert signed == [
        f"signed .kars/bundles/apps/overlays/{o}/{ns}/research-agent/allowlist.yaml"
        for o, ns in (("learn", "kars-learn"), ("prod", "kars-system"), ("staging", "kars-system"))
    ]
    assert commits(repo) == before + 1
    assert repo.git("status", "--porcelain") == ""
    assert repo.git("log", "-1", "--format=%s").strip() == (
        "egress kars-system/research-agent: approve x.example.com:443"
    )
    body = repo.git("log", "-1", "--format=%b")
    assert (
        f"- {BASE} is shared: the change reaches apps/overlays/learn, apps/overlays/staging too"
        in body
    )
    assert karsgit("verify").code == 0


# -- allow-extra --------------------------------------------------------------------

EXTRA = ("--host", "pypi.org", "--ttl", "PT4H", "--reason", "pip install")


def rendered_approvals(repo: Repo, overlay: str) -> list[dict]:
    import subprocess

    import yaml

    out = subprocess.run(
        ["kubectl", "kustomize", f"apps/overlays/{overlay}"],
        cwd=repo.path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [d for d in yaml.safe_load_all(out) if d and d["kind"] == "EgressApproval"]


def test_allow_extra_in_a_root_is_listed_by_its_kustomization(repo: Repo, karsgit) -> None:
    flux(repo)
    result = karsgit("egress", "allow-extra", "research-agent", "--root", PROD, *EXTRA)
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f"wrote {PROD}/research-agent-extra-")
    [path] = [p for p in (repo.path / PROD).iterdir() if p.name.startswith("research-agent-extra-")]
    assert lines[1:] == [
        f"wrote {PROD}/kustomization.yaml: lists {PROD}/{path.name} under resources",
        f"{NAME}: extra egress to pypi.org for PT4H (unsigned)",
    ]
    assert read(repo, f"{PROD}/kustomization.yaml").startswith(
        f"namespace: kars-system\nresources:\n  - ../../base\n  - {path.name}\ncomponents:\n"
    )
    [approval] = rendered_approvals(repo, "prod")
    assert approval["metadata"]["namespace"] == "kars-system"
    assert approval["spec"] == {
        "sandbox": "research-agent",
        "hosts": [{"host": "pypi.org", "port": 443}],
        "ttl": "PT4H",
        "reason": "pip install",
    }
    assert rendered_approvals(repo, "staging") == []  # staging is another cluster
    assert karsgit("check").code == 0


def test_allow_extra_without_root_names_the_roots(repo: Repo, karsgit) -> None:
    flux(repo)
    result = karsgit("egress", "allow-extra", "research-agent", *EXTRA)
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "hint: pass --root DIR, one of: apps/overlays/learn, apps/overlays/prod, "
        "apps/overlays/staging"
    )
    assert repo.git("status", "--porcelain") == ""


def test_allow_extra_dir_outside_the_root_is_a_usage_error(repo: Repo, karsgit) -> None:
    flux(repo)
    result = karsgit(
        "egress", "allow-extra", "research-agent", "--root", PROD, "--dir", "approvals", *EXTRA
    )
    assert result.code == 2
    assert result.err.splitlines() == [
        "karsgit: error: --dir approvals: outside the root apps/overlays/prod; kustomize reads "
        "a root's resource files from its own folder only",
        "hint: leave out --dir, or pass a folder under apps/overlays/prod",
    ]
    assert repo.git("status", "--porcelain") == ""


def test_allow_extra_that_check_refuses_writes_nothing(repo: Repo, karsgit) -> None:
    flux(repo)
    result = karsgit(
        "egress", "allow-extra", "research-agent", "--root", PROD,
        "--host", "pypi.org", "--ttl", "P30D", "--reason", "too long",
    )  # fmt: skip
    assert result.code == 1
    assert "(approval-ttl-ceiling)" in result.out + result.err
    assert repo.git("status", "--porcelain") == ""


def flux_object(name: str, overlay: str) -> str:
    return (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
        f"  name: {name}\n  namespace: flux-system\nspec:\n  path: ./apps/overlays/{overlay}\n"
        "  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
    )


def test_root_by_the_name_of_the_flux_kustomization_that_applies_it(repo: Repo, karsgit) -> None:
    flux(repo)
    repo.write("clusters/prod/apps.yaml", flux_object("apps-prod", "prod"))
    repo.write("clusters/staging/apps.yaml", flux_object("apps-staging", "staging"))
    repo.commit("flux objects")
    done = karsgit("egress", "research-agent", "--root", "apps-prod", "--deny", "pypi.example.org",
                   "--no-sign")  # fmt: skip
    assert done.code == 0, done.err
    assert (
        done.out.splitlines()[0] == f"{NAME}: denied pypi.example.org: removed pypi.example.org:443"
    )
    assert ("pypi.example.org", 443) not in hosts(repo, "prod")
    assert_ref_of_own_endpoints(repo, "prod")
    unknown = karsgit("egress", "research-agent", "--root", "apps-qa", "--enforce")
    assert unknown.code == 2
    assert unknown.err.splitlines() == [
        "karsgit: error: --root apps-qa: no kustomization root there",
        "hint: pass one of: apps/overlays/prod, apps/overlays/staging, or an application "
        "name: apps-prod, apps-staging",
    ]


def test_one_application_name_in_two_clusters_needs_the_directory(repo: Repo, karsgit) -> None:
    """Flux's layout names the Kustomization 'apps' in every cluster's folder."""
    flux(repo)
    repo.write("clusters/prod/apps.yaml", flux_object("apps", "prod"))
    repo.write("clusters/staging/apps.yaml", flux_object("apps", "staging"))
    repo.commit("flux objects")
    done = karsgit("egress", "research-agent", "--root", "apps", "--enforce")
    assert done.code == 2
    assert done.err.splitlines() == [
        "karsgit: error: --root apps: GitOps objects of that name apply 2 roots: "
        "apps/overlays/prod, apps/overlays/staging",
        "hint: pass the root's directory",
    ]
    assert repo.git("status", "--porcelain") == ""
