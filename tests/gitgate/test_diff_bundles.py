"""``karsgit diff`` shows a bundle nobody recompiled as stale, not as unchanged."""

from __future__ import annotations

import json

from tests.support.repos import sandbox

EXTRA = "      - host: pyindex.org\n        port: 443\n"
CONFIG = "bundles:\n  registry: registry.example.test\n"


def _compiled(repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("a.yaml", sandbox())
    assert karsgit("compile").code == 0
    repo.commit("compiled")


def _add_endpoint(repo) -> None:
    text = (repo.path / "a.yaml").read_text()
    (repo.path / "a.yaml").write_text(
        text.replace("        port: 443\n", "        port: 443\n" + EXTRA, 1)
    )


def test_endpoints_changed_without_compile_is_stale(repo, karsgit) -> None:
    _compiled(repo, karsgit)
    _add_endpoint(repo)
    done = karsgit("diff", "HEAD", "--format", "markdown")
    assert done.code == 0
    row = next(line for line in done.out.splitlines() if line.startswith("| `kars-system/agent`"))
    assert "**stale**" in row
    assert (
        "- bundle stale: not recompiled after the endpoints changed (run 'karsgit compile')"
        in done.out
    )
    data = json.loads(karsgit("diff", "HEAD", "--format", "json").out)
    (entry,) = data["sandboxes"]
    assert entry["bundle"].startswith("stale: ")


def test_recompiled_bundle_is_current(repo, karsgit) -> None:
    _compiled(repo, karsgit)
    _add_endpoint(repo)
    assert karsgit("compile").code == 0
    data = json.loads(karsgit("diff", "HEAD", "--format", "json").out)
    (entry,) = data["sandboxes"]
    assert entry["bundle"] == "current"
    assert entry["bundle_before"] != entry["bundle_after"]
    assert "stale" not in karsgit("diff", "HEAD").out


def test_a_stale_ref_alone_is_stale(repo, karsgit) -> None:
    _compiled(repo, karsgit)
    _add_endpoint(repo)
    assert karsgit("compile").code == 0
    # the bundle was recompiled but the manifest's ref was put back by hand
    text = (repo.path / "a.yaml").read_text()
    old = repo.git("show", "HEAD:a.yaml")
    old_digest = next(line for line in old.splitlines() if "digest:" in line)
    new_digest = next(line for line in text.splitlines() if "digest:" in line)
    (repo.path / "a.yaml").write_text(text.replace(new_digest, old_digest))
    data = json.loads(karsgit("diff", "HEAD", "--format", "json").out)
    assert data["sandboxes"][0]["bundle"].startswith("stale: ")


def test_strict_sandbox_never_compiled_is_missing(repo, karsgit) -> None:
    repo.write("b.yaml", "# none yet\n")
    repo.commit()
    repo.write("a.yaml", sandbox())
    done = karsgit("diff", "HEAD")
    assert "  bundle missing: never compiled (run 'karsgit compile')" in done.out


def test_learn_sandbox_has_no_bundle_state(repo, karsgit) -> None:
    repo.write("b.yaml", "# none yet\n")
    repo.commit()
    repo.write("a.yaml", sandbox().replace("Strict", "Learn"))
    data = json.loads(karsgit("diff", "HEAD", "--format", "json").out)
    assert data["sandboxes"][0]["bundle"] == ""


def test_json_has_a_version(repo, karsgit) -> None:
    repo.write("b.yaml", "# none yet\n")
    repo.commit()
    data = json.loads(karsgit("diff", "HEAD", "--format", "json").out)
    assert data["version"] == 1
    assert data["sandboxes"] == []
