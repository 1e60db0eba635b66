"""Cross-file rules, over real git repositories in tmp_path."""

from __future__ import annotations

from karsgit.run.check import run_check
from karsgit.settings import Settings
from tests.conftest import Repo, sandbox

RULES = ("duplicate-resource", "ambiguous-sandbox", "approval-target-missing")


def approval(target: str, namespace: str | None = "kars-system") -> str:
    meta = f"  namespace: {namespace}\n" if namespace else ""
    return (
        "apiVersion: kars.azure.com/v1alpha1\nkind: EgressApproval\nmetadata:\n  name: temp\n"
        f"{meta}spec:\n  sandbox: {target}\n  reason: debugging\n  ttl: PT4H\n"
        "  hosts:\n    - {host: example.org, port: 443}\n"
    )


def found(repo: Repo, *paths: str) -> list[tuple[str, int, int, str, str]]:
    result = run_check(Settings(root=repo.path), paths)
    return sorted(
        (f.path, f.line, f.column, f.rule_id, f.message)
        for f in result.findings
        if f.rule_id in RULES
    )


def test_duplicate_resource_names_both_locations(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web"))
    repo.write("b.yaml", "# copy\n" + sandbox("web"))
    assert found(repo) == [
        ("a.yaml", 1, 1, "duplicate-resource",
         "KarsSandbox kars-system/web is defined here and at b.yaml:2:1"),
        ("b.yaml", 2, 1, "duplicate-resource",
         "KarsSandbox kars-system/web is defined here and at a.yaml:1:1"),
    ]  # fmt: skip


def test_duplicate_in_two_documents_of_one_file(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web") + "---\n" + sandbox("web"))
    assert [(p, line, rule) for p, line, _, rule, _ in found(repo)] == [
        ("a.yaml", 1, "duplicate-resource"),
        ("a.yaml", 13, "duplicate-resource"),
    ]


def test_same_name_in_two_namespaces_is_ambiguous(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web", "kars-system"))
    repo.write("b.yaml", sandbox("web", "team-a"))
    message = (
        "sandbox name 'web' exists in namespaces 'kars-system', 'team-a'; "
        "kars commands by name refuse to guess"
    )
    assert found(repo) == [
        ("a.yaml", 1, 1, "ambiguous-sandbox", message),
        ("b.yaml", 1, 1, "ambiguous-sandbox", message),
    ]


def test_approval_without_namespace_is_ambiguous(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web", "kars-system"))
    repo.write("b.yaml", sandbox("web", "team-a"))
    repo.write("ap.yaml", approval("web", None))
    assert ("ap.yaml", 6, 12, "ambiguous-sandbox",
            "approval without a namespace targets sandbox 'web', which exists in namespaces "
            "'kars-system', 'team-a'") in found(repo)  # fmt: skip


def test_approval_target_missing_mentions_other_namespace(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web", "team-a"))
    repo.write("ap.yaml", approval("web"))
    assert found(repo) == [
        ("ap.yaml", 7, 12, "approval-target-missing",
         "approval targets sandbox 'web', which is not defined in namespace 'kars-system' "
         "in the repository; it exists in namespace 'team-a'"),
    ]  # fmt: skip


def test_approval_target_found(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web"))
    repo.write("ap.yaml", approval("web"))
    assert found(repo) == []


def test_only_checked_paths_are_reported_but_all_objects_count(repo: Repo) -> None:
    repo.write("a.yaml", sandbox("web"))
    repo.write("b.yaml", sandbox("web"))
    repo.write("ap.yaml", approval("web"))
    repo.commit()
    # pre-commit passes one file: the duplicate elsewhere still counts.
    assert [(p, rule) for p, _, _, rule, _ in found(repo, "b.yaml")] == [
        ("b.yaml", "duplicate-resource")
    ]
    assert found(repo, "ap.yaml") == []
