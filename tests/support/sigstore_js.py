"""The independent sigstore-js verifier (verify-offline.js on @sigstore/verify 3.x).

Tests that need it fail, never skip, when node or the npm packages are missing:
CI installs them (`npm ci --prefix tests/support/node`).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent
VERIFY_JS = SUPPORT / "verify-offline.js"
NODE_MODULES = SUPPORT / "node" / "node_modules"

NodeVerify = Callable[..., subprocess.CompletedProcess[str]]


def sigstore_js() -> NodeVerify:
    """``run(bundle, artifact, trusted_root, *flags)`` -> the verifier's process result."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node 20 to run the sigstore-js verifier")
    if not (NODE_MODULES / "@sigstore" / "verify").is_dir():
        pytest.fail(
            f"{NODE_MODULES} is missing: run 'npm ci --prefix tests/support/node' (CI does)"
        )

    def run(
        bundle: Path, artifact: Path, root: Path, *args: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [node, str(VERIFY_JS), str(bundle), str(artifact), str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    return run
