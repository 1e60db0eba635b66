"""Issue 10 item 14: a write that fails for an ordinary reason (a full disk, a file
size limit) is one ``karsgit: error:`` line with a hint and exit 3, never exit 4.

The conditions are real, made without root and without mocks: ``/dev/full``
answers every write with ENOSPC, and RLIMIT_FSIZE (set in the child before it
starts) makes every write past the limit fail with EFBIG (Python ignores
SIGXFSZ, so the write fails instead of killing the process). Tests run as root
here, so a read-only folder would not stop a write and is not used.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from tests.support.environment import needs
from tests.support.fs import (
    BUNDLE,
    MANIFEST,
    PASSWORD,
    REGISTRY,
    gitops,
    one_line_error,
    run,
)
from tests.support.repos import Repo

FULL = Path("/dev/full")
needs_dev_full = needs(FULL.exists(), "no /dev/full")


def _limit(size: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


@pytest.fixture
def keyed(repo: Repo, tmp_path: Path) -> Repo:
    keys = tmp_path / "keys"
    keys.mkdir()
    assert run(keys, "keygen", env={"COSIGN_PASSWORD": PASSWORD}).returncode == 0
    config = f"bundles:\n  registry: {REGISTRY}\nsigning:\n  mode: key\n  key: {keys}/cosign.key\n"
    return gitops(repo, config)


def _unchanged(repo: Repo) -> None:
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""


def test_fix_with_a_file_size_limit(keyed: Repo) -> None:
    manifest = keyed.path / MANIFEST
    manifest.write_text(manifest.read_text().replace("api.github.com", "API.github.com"))
    keyed.commit()
    done = run(keyed.path, "fix", preexec_fn=_limit(64))
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr) and "File too large" in done.stderr
    _unchanged(keyed)


def test_compile_with_a_file_size_limit(keyed: Repo) -> None:
    done = run(keyed.path, "compile", preexec_fn=_limit(64))
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr)
    _unchanged(keyed)


def test_sign_with_a_file_size_limit(keyed: Repo) -> None:
    assert run(keyed.path, "compile").returncode == 0
    keyed.commit()
    env = {"COSIGN_PASSWORD": PASSWORD}
    done = run(keyed.path, "sign", env=env, preexec_fn=_limit(300))
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr) and "File too large" in done.stderr
    assert not Path(keyed.path / (BUNDLE + ".sigstore.json")).exists()
    _unchanged(keyed)


@pytest.mark.parametrize(
    "args",
    [
        ("egress", "agent", "--approve", "example.org"),
        ("egress", "allow-extra", "agent", "--host", "example.org", "--ttl", "PT1H",
         "--reason", "test"),
    ],
)  # fmt: skip
def test_egress_with_a_file_size_limit(keyed: Repo, args) -> None:
    env = {"COSIGN_PASSWORD": PASSWORD}
    done = run(keyed.path, *args, env=env, preexec_fn=_limit(64))
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr) and "File too large" in done.stderr
    _unchanged(keyed)


@needs_dev_full
def test_check_report_file_on_a_full_disk(keyed: Repo) -> None:
    done = run(keyed.path, "check", "-f", f"json:{FULL}")
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr) and "No space left on device" in done.stderr


@needs_dev_full
def test_diff_output_on_a_full_disk(keyed: Repo) -> None:
    keyed.write(MANIFEST, (keyed.path / MANIFEST).read_text() + "")
    done = run(keyed.path, "diff", "HEAD", "-o", str(FULL))
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert one_line_error(done.stderr) and "No space left on device" in done.stderr


def test_report_to_dev_stdout_is_written_in_place(keyed: Repo) -> None:
    """A device or FIFO is written as it is: there is nothing to rename over."""
    done = run(keyed.path, "check", "-f", "json:/dev/stdout")
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("{")
