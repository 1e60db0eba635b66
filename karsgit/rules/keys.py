"""Secret rules: signing material that must never be committed.

``private-key-in-repo``
    A file tracked or staged in the repository holds a private key: a PEM
    block of a cosign/Sigstore encrypted key (``ENCRYPTED SIGSTORE PRIVATE KEY``,
    ``ENCRYPTED COSIGN PRIVATE KEY``), a PKCS#8 key, plain or encrypted
    (``PRIVATE KEY``, ``ENCRYPTED PRIVATE KEY``), or a SEC1, PKCS#1, DSA or
    OpenSSH key (``EC PRIVATE KEY``, ``RSA PRIVATE KEY``, ...); or a binary DER
    private key in a file named ``*.der``, ``*.key``, ``*.p8``, ``*.pk8`` or
    ``*.pkcs8``. An encrypted key is only as strong as its password once
    it is public, and every clone keeps it forever. ``karsgit sign`` refuses to
    run while one is there. Move the key out of the work tree (or into a secret
    store), ``git rm --cached`` it, and rotate it if it was ever pushed.

    Fails:

    (a cosign key, shortened here, staged for commit)

    ```text cosign.key
    -----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
    eyJrZGYiOnsibmFtZSI6InNjcnlwdCJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94In19
    -----END ENCRYPTED SIGSTORE PRIVATE KEY-----
    ```

    ```console
    $ git add cosign.key
    $ karsgit check
    ```

    Passes:

    (only the public key is committed)

    ```text cosign.pub
    -----BEGIN PUBLIC KEY-----
    MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
    -----END PUBLIC KEY-----
    ```

    ```console
    $ git add cosign.pub
    $ karsgit check
    ```

    Fix: Run ``git rm --cached`` on the file, keep the key outside the repository,
    and rotate it if it was pushed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from karsgit.der import tlv
from karsgit.findings import WHOLE_FILE, Hit, Severity
from karsgit.rules.base import RuleInfo

if TYPE_CHECKING:
    from karsgit.rules.base import RepoContext

RULES = (
    RuleInfo("private-key-in-repo", Severity.ERROR, "a private key file is tracked or staged"),
)

PEM_LABELS = (
    "ENCRYPTED SIGSTORE PRIVATE KEY",
    "ENCRYPTED COSIGN PRIVATE KEY",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "RSA PRIVATE KEY",
    "DSA PRIVATE KEY",
    "OPENSSH PRIVATE KEY",
)
# Binary keys cannot be grepped: files with these names are read and parsed.
DER_SUFFIXES = (".der", ".key", ".p8", ".pk8", ".pkcs8")


def private_key_paths(root: Path, staged_only: bool = False) -> list[str]:
    """Repo-relative paths of index entries (tracked or staged) holding a private key.

    One ``git grep`` over the index: no file is read in Python. With ``staged_only``
    (the pre-commit path) only entries that differ from HEAD are searched: a whole
    index of 10,000 files costs ~0.1 s, more than the rest of a hook run.
    """
    from karsgit.errors import GitError
    from karsgit.source.gitio import run_git, staged_changes

    patterns = [arg for label in PEM_LABELS for arg in ("-e", f"-----BEGIN {label}-----")]
    try:
        scope = staged_changes(root) if staged_only else []
    except GitError:
        return []  # not a repository: nothing is tracked or staged
    if staged_only and not scope:
        return []
    try:
        out = run_git(root, "grep", "--cached", "-I", "-l", "-z", "-F", *patterns, "--", *scope)
    except GitError:
        out = b""  # exit 1: no match
    found = {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}
    return sorted(found | set(_der_keys(root, scope if staged_only else None)))


def _der_keys(root: Path, scope: list[str] | None) -> list[str]:
    """Index entries with a key-file name whose bytes parse as a DER private key."""
    from karsgit.errors import GitError
    from karsgit.source.gitio import read_blobs, run_git

    try:
        listed = scope if scope is not None else _index_paths(run_git(root, "ls-files", "-z"))
        candidates = [p for p in listed if p.lower().endswith(DER_SUFFIXES)]
        blobs = read_blobs(root, "", candidates) if candidates else {}
    except GitError:
        return []
    return [path for path, data in blobs.items() if is_der_private_key(data)]


def _index_paths(out: bytes) -> list[str]:
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


# ASN.1 tags of the structures below (X.690).
_INTEGER, _OCTETS, _SEQUENCE = 0x02, 0x04, 0x30


def is_der_private_key(data: bytes) -> bool:
    """A DER private key by its shape: PKCS#8 (plain or encrypted), SEC1 EC, or PKCS#1
    RSA / OpenSSL DSA. Read structurally, not with cryptography: the check hooks run
    without the signing libraries, and a key never needs to be decoded to be refused."""
    top = tlv(data, 0)
    if top is None or top[0] != _SEQUENCE or top[2] != len(data):
        return False
    fields = _children(data, top[1], top[2])
    if fields is None or len(fields) < 2:
        return False
    tags = [tag for tag, _, _ in fields]
    first = data[fields[0][1] : fields[0][2]]
    if tags[:3] == [_INTEGER, _SEQUENCE, _OCTETS] and first == b"\x00":
        return True  # PKCS#8 PrivateKeyInfo (RFC 5208)
    if tags == [_SEQUENCE, _OCTETS]:
        return True  # PKCS#8 EncryptedPrivateKeyInfo (a public key has a BIT STRING)
    if tags[:2] == [_INTEGER, _OCTETS] and first == b"\x01":
        return True  # SEC1 ECPrivateKey (RFC 5915)
    # PKCS#1 RSAPrivateKey (9 integers) and OpenSSL's DSA private key (6)
    return len(tags) in (6, 9) and all(t == _INTEGER for t in tags) and first == b"\x00"


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]] | None:
    out = []
    pos = start
    while pos < end:
        element = tlv(data, pos)
        if element is None or element[2] > end:
            return None
        out.append(element)
        pos = element[2]
    return out


def check_repo(context: RepoContext) -> Iterator[tuple[str, Hit]]:
    for path in private_key_paths(context.settings.root, staged_only=context.partial):
        yield (
            path,
            Hit(
                "private-key-in-repo",
                WHOLE_FILE,
                f"'{path}' holds a private key and is tracked or staged in git",
                f"run 'git rm --cached {path}', keep the key outside the repository, "
                "and rotate it if it was pushed",
            ),
        )
