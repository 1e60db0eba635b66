"""The hook path (`karsgit check FILE...`) imports only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.repos import Repo, sandbox
from tests.support.startup import HEAVY, PROBE


def test_hook_path_stays_lean(repo: Repo) -> None:
    repo.write("sb.yaml", sandbox())
    repo.commit()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "sb.yaml"],
        cwd=repo.path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    roots = {name.split(".")[0] for name in loaded}
    assert not roots & set(HEAVY), sorted(roots & set(HEAVY))
    assert "karsgit.report.text" in loaded and "karsgit.report.sarif" not in loaded
