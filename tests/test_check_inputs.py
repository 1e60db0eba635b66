"""`karsgit check` on bad input: each case is a precise finding or a one-line error."""

from __future__ import annotations

import os
import time
import tracemalloc

import pytest

from karsgit.source.load import load_bytes
from tests.conftest import Repo, sandbox


def parsable(result: object) -> list[str]:
    return [line for line in result.out.splitlines() if line]  # type: ignore[attr-defined]


def test_clean_repo_exits_zero(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", sandbox())
    result = karsgit("check", "-f", "parsable")
    assert (result.code, result.out, result.err) == (0, "", "")


def test_non_utf8_file(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", sandbox().encode() + b"# caf\xe9\n")
    result = karsgit("check", "-f", "parsable", "sb.yaml")
    assert result.code == 1
    offset = len(sandbox().encode()) + len(b"# caf")
    assert parsable(result) == [
        f"sb.yaml:12:6: [error] file is not valid UTF-8 (byte 0xe9 at offset {offset}) (encoding)"
    ]


def test_binary_file(repo: Repo, karsgit) -> None:
    repo.write("blob.yaml", b"\x00\x01kars.azure.com\xff")
    result = karsgit("check", "-f", "parsable", "blob.yaml")
    assert parsable(result) == [
        "blob.yaml:0:0: [error] file is binary (NUL byte at offset 0) (encoding)"
    ]


@pytest.mark.parametrize("text", ["", "---\n", "---\n---\n", "# only a comment\n"])
def test_empty_documents_are_not_objects(repo: Repo, karsgit, text: str) -> None:
    repo.write("empty.yaml", text)
    result = karsgit("check", "-f", "parsable", "empty.yaml")
    assert (result.code, result.out, result.err) == (0, "", "")


@pytest.mark.parametrize(
    ("text", "shape", "line"),
    [
        ("- apiVersion: kars.azure.com/v1alpha1\n  kind: KarsSandbox\n", "a list", 1),
        ("# kars.azure.com/v1alpha1\n--- just a scalar\n", "a scalar", 2),
    ],
)
def test_top_level_list_or_scalar(repo: Repo, karsgit, text: str, shape: str, line: int) -> None:
    repo.write("odd.yaml", text)
    result = karsgit("check", "-f", "parsable", "odd.yaml")
    assert result.code == 1
    assert parsable(result) == [
        f"odd.yaml:{line}:{5 if shape == 'a scalar' else 1}: [error] document is {shape}, "
        f"not a Kubernetes object (schema)"
    ]


def test_alias_bomb_is_bounded(repo: Repo, karsgit) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    text = "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSandbox\n" + "\n".join(levels) + "\n"
    repo.write("bomb.yaml", text)
    tracemalloc.start()
    started = time.process_time()
    result = karsgit("check", "-f", "parsable", "bomb.yaml")
    cpu = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.code == 1
    assert "a YAML alias bomb" in result.out and "(syntax)" in result.out
    # Bounds, not timings: a 10^9-node expansion would need minutes and gigabytes.
    assert peak < 200 * 1024 * 1024 and cpu < 60


def test_large_file_is_refused(repo: Repo, karsgit) -> None:
    big = repo.path / "big.yaml"
    with open(big, "wb") as handle:
        handle.write(sandbox().encode())
        handle.truncate(50 * 1024 * 1024)
    result = karsgit("check", "-f", "parsable", "big.yaml")
    assert result.code == 1
    assert parsable(result) == [
        "big.yaml:0:0: [error] file is 52428800 bytes, over the 10485760-byte limit; "
        "not read (file-too-large)"
    ]


def test_tab_indentation(repo: Repo, karsgit) -> None:
    repo.write("tabs.yaml", sandbox().replace("    egressMode", "\tegressMode"))
    result = karsgit("check", "-f", "parsable", "tabs.yaml")
    assert parsable(result) == ["tabs.yaml:8:1: [error] tab character in indentation (syntax)"]


def test_unknown_kars_api_version(repo: Repo, karsgit) -> None:
    repo.write("v2.yaml", sandbox().replace("v1alpha1", "v2"))
    result = karsgit("check", "-f", "parsable", "v2.yaml")
    assert parsable(result) == [
        "v2.yaml:1:13: [error] apiVersion 'kars.azure.com/v2' is not a version of "
        "KarsSandbox that kars serves (schema)"
    ]


def test_other_kinds_of_the_group_are_skipped(repo: Repo, karsgit) -> None:
    repo.write("pair.yaml", "apiVersion: kars.azure.com/v1alpha1\nkind: KarsPairing\nfoo: 1\n")
    assert karsgit("check", "pair.yaml").code == 0


def test_missing_path_is_a_usage_error(repo: Repo, karsgit) -> None:
    result = karsgit("check", "nope.yaml")
    assert result.code == 2
    assert result.err.splitlines() == [
        "karsgit: error: path 'nope.yaml' does not exist",
        "hint: pass existing files or directories",
    ]


def test_directory_is_searched(repo: Repo, karsgit) -> None:
    repo.write("clusters/a/sb.yaml", sandbox().replace("Strict", "Strikt"))
    repo.write("clusters/a/notes.txt", "not yaml")
    result = karsgit("check", "-f", "parsable", "clusters")
    assert result.code == 1
    assert parsable(result)[0].startswith("clusters/a/sb.yaml:8:17: [error]")


def test_symlink_outside_repo_is_not_followed(repo: Repo, karsgit, tmp_path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(sandbox().replace("Strict", "Strikt"))
    os.symlink(outside, repo.path / "link.yaml")
    result = karsgit("check", "-f", "parsable", "link.yaml")
    assert result.code == 0  # a warning does not fail the default threshold
    assert parsable(result) == [
        f"link.yaml:0:0: [warning] symbolic link points outside the repository "
        f"(to '{outside}'); not followed (unsafe-path)"
    ]


def test_unreadable_file(repo: Repo, karsgit) -> None:
    if os.geteuid() == 0:
        os.symlink("missing-target.yaml", repo.path / "dangling.yaml")
        result = karsgit("check", "-f", "parsable", "dangling.yaml")
        assert result.code == 0 and result.out == ""
        return
    path = repo.write("locked.yaml", sandbox())
    path.chmod(0)
    assert "(unreadable)" in karsgit("check", "-f", "parsable", "locked.yaml").out


def test_loader_never_raises_on_garbage() -> None:
    for raw in [
        b"kars.azure.com: [",
        b"kars.azure.com\n\t- a",
        b"{kars.azure.com: *x}",
        b"\xef\xbb\xbf",
    ]:
        assert load_bytes("x.yaml", raw) is not None
