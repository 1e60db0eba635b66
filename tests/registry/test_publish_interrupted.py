"""Publish killed half way (SIGKILL, SIGINT): a rerun completes the job and
nothing is recorded as published that is not (the tags go up last)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.support.registry_repo import ref_of, sandbox_names

COUNT = 60


def tags_written(registry) -> int:
    base = registry.blobs / "repositories/policy/egress-allowlist"
    return len(list(base.glob("*/_manifests/tags/*.sig")))


def head(host: str, path: str) -> int:
    request = urllib.request.Request(
        f"http://{host}/v2/{path}",
        method="HEAD",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_rerun_after_an_interrupted_publish_completes_it(registry, make_repo, karsgit, stand, how):
    repo = make_repo(registry.host, COUNT)
    argv = [sys.executable, "-m", "karsgit", "publish", "--plain-http", "-j", "1", *stand.trust]
    process = subprocess.Popen(argv, cwd=repo.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while tags_written(registry) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "publish finished before it could be interrupted"
    process.send_signal(how)
    _, err = process.communicate(timeout=60)
    if how == signal.SIGINT:
        # click echoes a newline after ^C before the error line
        assert (process.returncode, err.decode().strip()) == (130, "karsgit: error: interrupted")
    else:
        assert process.returncode == -signal.SIGKILL
    done = tags_written(registry)
    assert 3 <= done < COUNT
    rerun = karsgit("publish", "--plain-http", *stand.trust)
    assert rerun.code == 0, rerun.err
    changed = int(rerun.out.splitlines()[-1].split()[1])
    assert changed == COUNT - done
    assert tags_written(registry) == COUNT
    for name in sandbox_names(COUNT):
        repository, digest = ref_of(repo, name)
        assert head(registry.host, f"{repository}/manifests/{digest}") == 200
        assert head(registry.host, f"{repository}/manifests/latest") == 200
    again = karsgit("publish", "--plain-http", *stand.trust)
    assert again.out == f"published 0 of {COUNT} bundle(s); {COUNT} up to date\n"
