"""Issue 10 items 9 and 10, with real processes and real SIGKILLs: forked workers
die with their parent, a rerun finishes what a killed ``egress`` left, and the
temp files a killed writer leaves are removed by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.environment import needs
from tests.support.fs import BUNDLE, MANIFEST, PASSWORD, REGISTRY, gitops, run
from tests.support.repos import GIT_ENV, Repo, sandbox

# generous deadlines for a loaded 2-core machine; a hung worker never meets them
DEADLINE = 60.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping: a zombie has exited (only its reaper has not looked)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _spawn(cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **GIT_ENV, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "karsgit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {DEADLINE:g} s waiting for {what}")
        time.sleep(0.02)


@needs(Path("/proc/self/stat").exists(), "reads /proc")
@needs((os.cpu_count() or 1) >= 2, "one core: no worker pool")
def test_workers_die_with_a_sigkilled_parent(repo: Repo) -> None:
    for index in range(1200):
        repo.write(f"sandboxes/s{index:04d}.yaml", sandbox(f"s{index:04d}"))
    repo.commit()
    parent = _spawn(repo.path, "check")
    own = b"\0".join([os.fsencode(sys.executable), b"-m", b"karsgit", b"check", b""])
    workers: list[int] = []

    def forked() -> bool:
        if parent.poll() is not None:
            pytest.fail("the run ended before its workers were seen; raise the file count")
        workers[:] = [p for p in _children(parent.pid) if _cmdline(p) == own]
        return len(workers) >= 2

    _wait_until(forked, "the forked workers")
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    try:
        _wait_until(lambda: not any(_alive(p) for p in workers), "the workers to exit")
    finally:
        for pid in workers:  # never leave a hung worker behind on failure
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def signed(repo: Repo, tmp_path: Path) -> Repo:
    keys = tmp_path / "keys"
    keys.mkdir()
    assert run(keys, "keygen", env={"COSIGN_PASSWORD": PASSWORD}).returncode == 0
    key = keys / "cosign.key"
    config = f"bundles:\n  registry: {REGISTRY}\nsigning:\n  mode: key\n  key: {key}\n"
    gitops(repo, config)
    env = {"COSIGN_PASSWORD": PASSWORD}
    assert run(repo.path, "compile").returncode == 0
    assert run(repo.path, "sign", env=env).returncode == 0
    repo.commit("compiled and signed")
    return repo


def test_rerun_finishes_an_egress_approve_killed_after_its_first_write(
    signed: Repo, tmp_path: Path
) -> None:
    """The bundle path is made a FIFO: ``egress`` writes the manifest, then blocks
    reading the committed bundle, and is SIGKILLed there, exactly after its first
    write. The same command run again must compile and sign, not say "done"."""
    env = {"COSIGN_PASSWORD": PASSWORD}
    bundle = signed.path / BUNDLE
    committed = bundle.read_bytes()
    bundle.unlink()
    os.mkfifo(bundle)
    manifest = signed.path / MANIFEST
    proc = subprocess.Popen(
        [sys.executable, "-m", "karsgit", "egress", "agent", "--approve", "example.org"],
        cwd=signed.path,
        env={**os.environ, **GIT_ENV, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(lambda: "example.org" in manifest.read_text(), "the manifest write")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    bundle.unlink()
    bundle.write_bytes(committed)
    assert run(signed.path, "compile", "--check").returncode == 1  # the half-done state

    again = run(signed.path, "egress", "agent", "--approve", "example.org", env=env)
    assert again.returncode == 0, again.stderr
    assert f"wrote {BUNDLE}" in again.stdout and f"signed {BUNDLE}" in again.stdout
    assert run(signed.path, "compile", "--check").returncode == 0
    public = tmp_path / "keys" / "cosign.pub"
    verified = run(signed.path, "verify", "--key", str(public))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert b"example.org" in bundle.read_bytes()


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_run(signed: Repo) -> None:
    """What a SIGKILL between the temp write and the rename leaves (mkstemp's name)."""
    bundle_dir = (signed.path / BUNDLE).parent
    leftovers = [
        bundle_dir / ".allowlist.yaml.k3j4h5g6.tmp",
        bundle_dir / ".allowlist.yaml.sigstore.json.a_b2c3d4.tmp",
        signed.path / "sandboxes" / ".agent.yaml.zz9y8x7w.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half written")
    keep = signed.path / "sandboxes" / ".agent.yaml.notes.tmp"  # not karsgit's pattern
    keep.write_text("mine\n")
    assert run(signed.path, "compile").returncode == 0
    assert not any(path.exists() for path in leftovers)
    assert keep.exists()
    signed.git("add", ".kars")
    assert ".tmp" not in signed.git("diff", "--cached", "--name-only")


def test_sign_and_fix_also_remove_leftovers(signed: Repo) -> None:
    bundle_dir = (signed.path / BUNDLE).parent
    leftover = bundle_dir / ".allowlist.yaml.sig.q1w2e3r4.tmp"
    leftover.write_bytes(b"x")
    assert run(signed.path, "sign", env={"COSIGN_PASSWORD": PASSWORD}).returncode == 0
    assert not leftover.exists()
    beside = signed.path / "sandboxes" / ".agent.yaml.q1w2e3r4.tmp"
    beside.write_bytes(b"x")
    assert run(signed.path, "fix").returncode == 0
    assert not beside.exists()
