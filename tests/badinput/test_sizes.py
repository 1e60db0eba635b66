"""One size limit on every read path (issue 10, item 12).

``max_file_bytes`` bounds what any command reads: files that ``fix`` rewrites,
manifests read from git objects (``check --base``, ``diff``, the pre-receive
hook, which runs ``check --base``), the work-tree side of a change, and bundle
and signature files. A git object's size is asked of ``git cat-file
--batch-check`` before it is read. A document with many nodes is not an alias
bomb: only what aliases add counts against the alias budget.
"""

from __future__ import annotations

import shutil

import pytest

from karsgit.source import gitio
from karsgit.source.load import load_bytes
from tests.support.corpus import SANDBOX, messages, where
from tests.support.gitgate import run
from tests.support.repos import ROOT, Repo

LIMIT = 2000
CONFIG = f"max_file_bytes: {LIMIT}\n"


def padded(text: str, size: int) -> str:
    """``text`` with a trailing comment making it exactly ``size`` bytes."""
    filler = size - len(text) - 3
    return text + "# " + "x" * filler + "\n"


def test_fix_keeps_the_size_limit(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    big = padded(SANDBOX.replace("api.github.com", "API.github.com"), 3000)
    repo.write("sb.yaml", big)
    result = karsgit("fix")
    assert (
        "sb.yaml: not fixed: file is 3000 bytes, over the 2000-byte limit (max_file_bytes); "
        "not read" in result.err
    )
    assert (repo.path / "sb.yaml").read_text() == big


@pytest.fixture
def big_base(repo: Repo) -> str:
    """A base commit holding a manifest over the limit; the work tree shrinks it."""
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("sb.yaml", padded(SANDBOX, 5000))
    base = repo.commit("big")
    repo.write("sb.yaml", SANDBOX)
    return base


@pytest.fixture
def blob_reads(monkeypatch) -> list[list[str]]:
    """Every list of paths whose git objects are read whole."""
    calls: list[list[str]] = []
    real = gitio.read_blobs

    def spy(root, rev, paths):
        calls.append(list(paths))
        return real(root, rev, paths)

    monkeypatch.setattr(gitio, "read_blobs", spy)
    return calls


@pytest.mark.parametrize("command", [("check", "--base"), ("diff",)])
def test_committed_manifest_over_the_limit_is_refused_unread(
    repo: Repo, karsgit, big_base: str, blob_reads: list[list[str]], command: tuple[str, ...]
) -> None:
    result = karsgit(*command, big_base)
    assert result.code == 3
    assert result.err.splitlines() == [
        f"karsgit: error: sb.yaml at {big_base[:12]} is 5000 bytes, over the 2000-byte "
        "limit (max_file_bytes); not read",
        "hint: split it into smaller files, or raise max_file_bytes in .karsgit.yaml",
    ]
    assert all("sb.yaml" not in paths for paths in blob_reads)


def test_work_tree_side_over_the_limit_is_refused(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("sb.yaml", SANDBOX)
    base = repo.commit("small")
    repo.write("sb.yaml", padded(SANDBOX, 5000))
    result = karsgit("diff", base)
    assert result.code == 3
    assert result.err.splitlines()[0] == (
        "karsgit: error: sb.yaml is 5000 bytes, over the 2000-byte limit (max_file_bytes); not read"
    )


def test_under_the_limit_both_sides_are_read(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("sb.yaml", SANDBOX)
    base = repo.commit("small")
    repo.write("sb.yaml", SANDBOX.replace("api.github.com", "example.com"))
    result = karsgit("diff", base)
    assert result.code == 0, result.err
    assert "example.com" in result.out


def big_list(count: int) -> str:
    return "---\nkind: List\nitems: [" + ", ".join(["1"] * count) + "]\n"


def loader_hits(text: str) -> list[str]:
    return [hit.message for hit in load_bytes("m.yaml", text.encode()).hits]


def test_a_large_document_is_not_an_alias_bomb() -> None:
    # 150,000 nodes written out, no alias at all
    loaded = load_bytes("m.yaml", (SANDBOX + big_list(150_000)).encode())
    assert loaded.hits == []
    assert len(loaded.documents[1].data["items"]) == 150_000


def test_a_large_document_with_a_few_aliases_is_not_an_alias_bomb() -> None:
    text = SANDBOX + big_list(150_000) + "extra: {a: &a [1, 2, 3], b: [*a, *a, *a, *a]}\n"
    assert loader_hits(text) == []


def test_an_alias_bomb_is_still_one() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = SANDBOX + "\n".join(lines) + "\n"
    assert messages(text, "syntax") == [
        "aliases expand the document by more than 100000 nodes (a YAML alias bomb)"
    ]


def test_signature_file_over_the_limit_is_a_finding_unread(
    repo: Repo, karsgit, monkeypatch
) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example")
    repo.write(".karsgit.yaml", "max_file_bytes: 100000\n")
    repo.write("sb.yaml", SANDBOX)
    assert karsgit("compile").code == 0
    signature = repo.path / ".kars/bundles/kars-system/web/allowlist.cosign.json"
    with signature.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB that take no disk
    result = karsgit("verify", "-f", "parsable")
    assert result.code == 1
    assert result.out.splitlines() == [
        ".kars/bundles/kars-system/web/allowlist.cosign.json:0:0: [error] "
        "allowlist.cosign.json is 209715200 bytes, over the 100000-byte limit "
        "(max_file_bytes); not read (signature-invalid)"
    ]


def test_no_findings_for_the_padding_itself() -> None:
    assert where(padded(SANDBOX, 3000)) == []


def test_pre_receive_rejects_a_pushed_manifest_over_the_limit(repo: Repo, tmp_path) -> None:
    # the real hook on a bare repository: the pushed tree's side of the change is
    # over the limit, so the push is refused with the one-line reason
    bare = tmp_path / "server.git"
    run(tmp_path, "git", "init", "-q", "--bare", "-b", "main", str(bare), check=True)
    repo.git("remote", "add", "origin", str(bare))
    repo.write(".karsgit.yaml", CONFIG)
    repo.write("sb.yaml", SANDBOX)
    repo.commit("base")
    assert run(repo.path, "git", "push", "-q", "origin", "main").returncode == 0
    # installed once the repository has its config (docs/ci.md), as the gate tests do
    hook = bare / "hooks" / "pre-receive"
    shutil.copy(ROOT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
    repo.write("sb.yaml", padded(SANDBOX, 5000))
    repo.commit("big")
    done = run(repo.path, "git", "push", "-q", "origin", "main")
    assert done.returncode != 0
    assert (
        "karsgit: error: sb.yaml is 5000 bytes, over the 2000-byte limit (max_file_bytes); "
        "not read" in done.stderr
    )
    assert "big" not in run(bare, "git", "log", "--format=%s", "main").stdout
