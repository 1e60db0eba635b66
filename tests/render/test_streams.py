"""`karsgit check -`, `/dev/stdin` and pipes: rendered streams are read, never dismissed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.repos import Repo, sandbox

TWO = sandbox("a") + "---\n" + sandbox("b").replace("host: api.github.com", "host: API.github.com")


def run(
    repo: Repo, *argv: str, stdin: str = "", shell: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "karsgit", *argv]
    if shell is not None:
        return subprocess.run(["bash", "-c", shell], cwd=repo.path, capture_output=True, text=True)
    return subprocess.run(command, cwd=repo.path, input=stdin, capture_output=True, text=True)


def test_dash_reads_a_multi_document_stream(repo: Repo) -> None:
    done = run(repo, "check", "-f", "parsable", "-", stdin=TWO)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "<stdin>:22:15: [error] host 'API.github.com' is not lowercase (host-case)"
    ]


def test_dev_stdin_is_read_not_an_unsafe_link(repo: Repo) -> None:
    done = run(repo, "check", "-f", "parsable", "/dev/stdin", stdin=TWO)
    assert done.returncode == 1
    assert "unsafe-path" not in done.stdout
    assert done.stdout.startswith("<stdin>:22:15: [error] host 'API.github.com'")


def test_process_substitution_pipe_is_read(repo: Repo) -> None:
    repo.write("src.yaml", TWO)
    script = f"{sys.executable} -m karsgit check -f parsable <(cat src.yaml)"
    done = run(repo, shell=script)
    assert done.returncode == 1
    assert ":22:15: [error] host 'API.github.com' is not lowercase" in done.stdout
    assert done.stdout.startswith("/dev/fd/")
    assert "duplicate-resource" not in done.stdout  # the stream is judged alone


def test_cross_object_rules_judge_the_stream_alone(repo: Repo) -> None:
    repo.write("other.yaml", sandbox("a"))  # same name in the repo: not the stream's concern
    repo.commit()
    done = run(repo, "check", "-f", "parsable", "-", stdin=sandbox("a"))
    assert (done.returncode, done.stdout) == (0, "")
    both = run(repo, "check", "-f", "parsable", "-", stdin=sandbox("a") + "---\n" + sandbox("a"))
    assert "(duplicate-resource)" in both.stdout and both.returncode == 1


def test_empty_stdin_is_not_a_green_run(repo: Repo) -> None:
    done = run(repo, "check", "-")
    assert done.returncode == 3
    assert done.stderr.splitlines() == [
        "karsgit: error: standard input held no YAML documents; nothing was checked",
        "hint: check the command that feeds it (with 'set -o pipefail' a failed render "
        "stops the job)",
    ]


@pytest.mark.parametrize("stream", ["# comments only\n---\n...\n", "\ufeff---\n---\n"])
def test_a_stream_of_markers_and_comments_holds_nothing(repo: Repo, stream: str) -> None:
    assert run(repo, "check", "-", stdin=stream).returncode == 3


def test_a_root_that_renders_other_kinds_only_is_checked_not_empty(repo: Repo) -> None:
    """100,000 objects, none of them kars ones (a rendered root of other workloads):
    read and judged, not reported as an empty stream."""
    objects = "".join(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n---\n" for i in range(100_000)
    )
    done = run(repo, "check", "-", stdin=objects)
    assert (done.returncode, done.stdout, done.stderr) == (0, "no findings in 1 file\n", "")


def test_failed_producer_in_a_pipe_is_not_green(repo: Repo) -> None:
    script = f"kubectl kustomize does-not-exist 2>/dev/null | {sys.executable} -m karsgit check -"
    assert run(repo, shell=script).returncode == 3


def test_explicit_directory_with_nothing_to_check(repo: Repo) -> None:
    repo.write("docs/readme.md", "# not yaml\n")
    done = run(repo, "check", "docs")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "karsgit: error: nothing to check in 'docs'"


def test_stream_over_the_size_limit(repo: Repo) -> None:
    repo.write(".karsgit.yaml", "max_file_bytes: 1024\n")
    done = run(repo, "check", "-f", "parsable", "-", stdin=TWO * 3)
    assert done.stdout.splitlines() == [
        "<stdin>:0:0: [error] stream is over the 1024-byte limit; not read (file-too-large)"
    ]
