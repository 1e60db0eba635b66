"""``karsgit diff``: effective egress change between revisions, in process."""

from __future__ import annotations

import json

from tests.support.gitgate import APPROVAL
from tests.support.repos import sandbox

EXTRA = "      - host: {host}\n        port: 443\n"


def test_markdown_summary_then_details(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.commit()
    repo.write(
        "a.yaml", sandbox() + EXTRA.format(host="github.io") + EXTRA.format(host="x.api.github.com")
    )
    repo.write("ap.yaml", APPROVAL)
    done = karsgit("diff", "HEAD", "--format", "markdown")
    assert done.code == 0
    out = done.out
    assert out.index("| Sandbox |") < out.index("<details>")
    assert "| `kars-system/agent` | changed | 2 | 0 | Strict | 1 added |" in out
    assert "public suffix 'github.io'" in out
    assert "nothing new: 'api.github.com' already admits it" in out
    assert "approval `temp` added: pyindex.org:443 for PT2H (install deps)" in out


def test_rename_is_not_remove_and_add_and_noop_is_quiet(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.commit()
    repo.git("mv", "a.yaml", "b.yaml")
    (repo.path / "b.yaml").write_text(sandbox().replace("api.github.com", "API.github.com"))
    done = karsgit("diff", "HEAD", "--format", "markdown")
    assert done.out.endswith("no egress changes\n")


def test_between_two_commits_json(repo, karsgit):
    repo.write("a.yaml", sandbox())
    first = repo.commit()
    repo.write(
        "a.yaml", sandbox().replace("Strict", "Learn").replace("api.github.com", "pyindex.org")
    )
    second = repo.commit()
    data = json.loads(karsgit("diff", first, second, "--format", "json").out)
    (entry,) = data["sandboxes"]
    assert entry["added"][0]["endpoint"] == "pyindex.org:443"
    assert entry["removed"] == ["api.github.com:443"]
    assert (entry["mode_before"], entry["mode_after"]) == ("Strict", "Learn")


def test_default_base_is_the_merge_base_with_main(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.commit()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("b.yaml", sandbox("b"))
    repo.commit("feature")
    done = karsgit("diff")
    assert done.code == 0 and "kars-system/b (added, b.yaml)" in done.out
    assert "kars-system/agent" not in done.out


def test_bundle_digest_and_signature(repo, karsgit):
    repo.write("a.yaml", sandbox())
    repo.write(".kars/bundles/kars-system/agent/allowlist.yaml", "v: 1\n")
    repo.write(".kars/bundles/kars-system/agent/allowlist.yaml.sigstore.json", "{}\n")
    repo.commit()
    repo.write("a.yaml", sandbox() + EXTRA.format(host="pyindex.org"))
    repo.write(".kars/bundles/kars-system/agent/allowlist.yaml", "v: 2\n")
    done = karsgit("diff", "HEAD")
    assert "bundle " in done.out and " → " in done.out
    assert "stale: bundle changed, signature did not" in done.out
