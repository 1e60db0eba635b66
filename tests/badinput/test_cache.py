"""Issue 10 item 10: the repo-index cache never changes a result. A cache of valid
framing but wrong element types is ignored (it made every hook run exit 4), and
a file replaced with ``cp -p`` (same size, same mtime) is read again."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
from pathlib import Path

from tests.support.repos import Repo, sandbox

APPROVAL = """\
apiVersion: kars.azure.com/v1alpha1
kind: EgressApproval
metadata:
  name: temp
  namespace: kars-system
spec:
  sandbox: agent
  reason: debugging a build
  ttl: PT4H
  hosts:
    - host: example.org
      port: 443
"""
OLD = 1_600_000_000  # well before the cache's racy window
MAGIC = b"karsgit-index\n"


def _cache(repo: Repo) -> Path:
    return repo.path / ".git" / "karsgit" / "repoindex.marshal"


def _setup(repo: Repo) -> None:
    repo.write("sandboxes/agent.yaml", sandbox("agent"))
    repo.write("approvals/temp.yaml", APPROVAL)
    repo.commit()
    os.utime(repo.path / "sandboxes" / "agent.yaml", (OLD, OLD))


def _hook(repo: Repo, karsgit):
    return karsgit("check", "-f", "parsable", "approvals/temp.yaml")


def _retyped(value: object) -> object:
    """Every tuple of strings (the names a file's objects relate by) made an int:
    framing, version and offsets stay valid, only element types are wrong."""
    if isinstance(value, dict):
        return {k: _retyped(v) for k, v in value.items()}
    if isinstance(value, tuple) and value and all(isinstance(x, str) for x in value):
        return 7
    if isinstance(value, tuple):
        return tuple(_retyped(x) for x in value)
    return value


def test_cache_with_wrong_element_types_changes_nothing(repo: Repo, karsgit) -> None:
    _setup(repo)
    clean = _hook(repo, karsgit)
    assert clean.code == 0, clean.out + clean.err
    data = _cache(repo).read_bytes()
    assert data.startswith(MAGIC)
    size = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
    version, header = marshal.loads(data[len(MAGIC) + 8 : len(MAGIC) + 8 + size])
    assert "sandboxes/agent.yaml" in header
    head = marshal.dumps((version, _retyped(header)))  # type: ignore[arg-type]
    rows = data[len(MAGIC) + 8 + size :]
    _cache(repo).write_bytes(MAGIC + len(head).to_bytes(8, "little") + head + rows)
    for _ in range(2):  # and the run after it: the damage never sticks
        again = _hook(repo, karsgit)
        assert (again.code, again.out) == (clean.code, clean.out), again.err


def test_file_replaced_with_cp_p_is_read_again(repo: Repo, karsgit, tmp_path: Path) -> None:
    _setup(repo)
    assert _hook(repo, karsgit).code == 0  # caches sandboxes/agent.yaml
    other = tmp_path / "renamed.yaml"
    other.write_text(sandbox("agenx"))  # same size: one letter differs
    target = repo.path / "sandboxes" / "agent.yaml"
    assert other.stat().st_size == target.stat().st_size
    os.utime(other, (OLD, OLD))
    cp = shutil.which("cp")
    assert cp is not None
    subprocess.run([cp, "-p", str(other), str(target)], check=True)
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (other.stat().st_size, OLD * 10**9)
    result = _hook(repo, karsgit)
    assert result.code == 1
    assert "(approval-target-missing)" in result.out
    full = karsgit("check", "-f", "parsable")
    assert "(approval-target-missing)" in full.out
