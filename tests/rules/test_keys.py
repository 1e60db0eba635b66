"""private-key-in-repo: the whole index without paths, staged changes on the hook path."""

from __future__ import annotations

from tests.support.repos import Repo, sandbox

LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY"
KEY = f"-----BEGIN {LABEL}-----\nabc\n-----END {LABEL}-----\n"


def keys_reported(out: str) -> list[str]:
    return sorted(
        line.split(":")[0] for line in out.splitlines() if "(private-key-in-repo)" in line
    )


def test_scope_of_the_private_key_scan(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", sandbox())
    repo.write("old/cosign.key", KEY)
    repo.commit("a key slipped in long ago")
    repo.write("new/signing.pem", KEY)
    repo.git("add", "new/signing.pem")
    repo.write("loose/untracked.key", KEY)  # neither tracked nor staged
    full = karsgit("check", "-f", "parsable")
    assert full.code == 1
    assert keys_reported(full.out) == ["new/signing.pem", "old/cosign.key"]
    hook = karsgit("check", "-f", "parsable", "sb.yaml")
    assert hook.code == 1
    assert keys_reported(hook.out) == ["new/signing.pem"]
