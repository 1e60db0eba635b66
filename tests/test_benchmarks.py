"""Smoke test of the benchmark corpus generator (no timing assertions)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _gen_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_corpus", BENCHMARKS / "gen_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_small_corpus_parses_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    info = _gen_corpus().generate(out, 20, 1)
    files = sorted(out.glob("clusters/**/*.yaml"))
    docs = [doc for path in files for doc in yaml.safe_load_all(path.read_text("utf-8"))]
    kinds = [doc["kind"] for doc in docs]
    assert kinds.count("KarsSandbox") == info["sandboxes"] == 20
    assert kinds.count("EgressApproval") == info["approvals"]
    assert len(info["hook_files"]) == 5
    assert json.loads((out / ".karsgit-bench.json").read_text())["seed"] == 1
    done = subprocess.run(
        [sys.executable, "-m", "karsgit", "check"], cwd=out, capture_output=True, text=True
    )
    assert done.returncode in (0, 1), done.stderr


def test_generator_is_deterministic() -> None:
    gen = _gen_corpus()
    assert gen.build(30, 7).files == gen.build(30, 7).files
