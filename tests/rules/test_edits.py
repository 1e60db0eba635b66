"""``check --base REF``: edit rules against a base revision, in process."""

from __future__ import annotations

from tests.support.gitgate import APPROVAL
from tests.support.repos import sandbox


def _ids(out: str) -> set[str]:
    return {part.split(")")[0] for part in out.split("(")[1:] if "-" in part.split(")")[0]}


def test_noop_edit_is_a_warning(repo, karsgit):
    repo.write("a.yaml", sandbox() + "      - host: dev.azure.com\n        port: 443\n")
    repo.commit()
    text = (repo.path / "a.yaml").read_text()
    repo.write("a.yaml", text.replace("api.github.com", '"api.github.com"'))
    done = karsgit("check", "--base", "HEAD")
    assert done.code == 0 and "(noop-edit)" in done.out


def test_move_is_not_remove_and_add(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.write("ap.yaml", APPROVAL)
    repo.commit()
    repo.git("mv", "a.yaml", "moved.yaml")
    done = karsgit("check", "--base", "HEAD")
    assert done.code == 0, done.out
    assert "no findings" in done.out


def test_mode_relaxed_needs_a_reason(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.commit()
    repo.write("a.yaml", sandbox().replace("Strict", "Learn"))
    assert "(mode-relaxed)" in karsgit("check", "--base", "HEAD").out
    reason = "  annotations:\n    karsgit.io/mode-relaxed-reason: onboarding a new agent\n"
    text = sandbox().replace("Strict", "Learn").replace("spec:\n", reason + "spec:\n")
    repo.write("a.yaml", text)
    assert "(mode-relaxed)" not in karsgit("check", "--base", "HEAD").out


def test_emptied_widened_and_removed_with_approvals(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.write("b.yaml", sandbox("b"))
    repo.write("ap.yaml", APPROVAL)
    repo.commit()
    repo.write(
        "b.yaml",
        sandbox("b").split("      - host")[0].replace("allowedEndpoints:", "allowedEndpoints: []"),
    )
    assert "(allowlist-emptied)" in karsgit("check", "--base", "HEAD").out
    repo.write("b.yaml", sandbox("b") + "      - host: pyindex.org\n        port: 443\n")
    done = karsgit("check", "--base", "HEAD")
    assert "(egress-widened)" in done.out and "pyindex.org:443" in done.out and done.code == 0
    (repo.path / "a.yaml").unlink()
    done = karsgit("check", "--base", "HEAD")
    assert done.code == 1 and "(sandbox-removed-with-approvals)" in done.out
    assert "ap.yaml" in done.out  # reported where the approval lives, from the repo index


def test_artifact_edited(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.write(".kars/bundles/kars-system/agent/allowlist.yaml", "x: 1\n")
    repo.commit()
    repo.write(".kars/bundles/kars-system/agent/allowlist.yaml", "x: 2\n")
    done = karsgit("check", "--base", "HEAD")
    assert done.code == 1 and "(artifact-edited)" in done.out


def test_only_changed_files_are_checked(repo, karsgit):
    repo.write("bad.yaml", sandbox("bad").replace("api.github.com", "API.github.com"))
    repo.write("a.yaml", sandbox())
    repo.commit()
    repo.write("a.yaml", sandbox() + "      - host: dev.azure.com\n        port: 443\n")
    done = karsgit("check", "--base", "HEAD")
    assert "bad.yaml" not in done.out and "1 file checked" in done.out


def test_unknown_base_is_exit_3(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.commit()
    done = karsgit("check", "--base", "nope")
    assert done.code == 3 and "unknown revision 'nope'" in done.err
