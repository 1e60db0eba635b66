"""Time ``karsgit check`` on a kustomize repository against kustomize itself.

    python benchmarks/render_bench.py [--roots 20] [--per-root 100] [--runs 5] [--workdir DIR]

Generates a git repository of ``--roots`` overlays over five shared bases
(``roots * per_root`` rendered sandboxes; 2,000 by default), each overlay with a
namespace, a strategic-merge patch file and an inline JSON6902 op, then reports
the median wall time of whole processes, after one untimed warm-up:

- full: ``karsgit check`` of the whole repository;
- floor: ``kubectl kustomize`` of every root, one after the other (the renders
  alone, which any rendering gate pays);
- hook: ``karsgit check`` of one overlay's patch file, beside one
  ``kubectl kustomize`` of that root.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASES = 5
SANDBOX = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: agent-{index:04d}
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api.github.com
        port: 443
      - host: pypi.example.org
        port: 443
"""
PATCH = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: agent-{index:04d}
spec:
  networkPolicy:
    egressMode: Strict
"""
OVERLAY = """\
namespace: kars-{root:02d}
resources:
  - ../../bases/b{base}
patches:
  - path: strict.yaml
  - target:
      kind: KarsSandbox
      name: agent-{first:04d}
    patch: |-
      - op: add
        path: /spec/networkPolicy/allowedEndpoints/-
        value:
          host: r{root:02d}.example.net
          port: 443
"""


def generate(out: Path, roots: int, per_root: int) -> list[str]:
    """Bases of ``per_root`` sandboxes; root i overlays base i % BASES."""
    for base in range(BASES):
        folder = out / "apps" / "bases" / f"b{base}"
        folder.mkdir(parents=True)
        names = []
        for i in range(per_root):
            index = base * per_root + i
            (folder / f"agent-{index:04d}.yaml").write_text(SANDBOX.format(index=index))
            names.append(f"  - agent-{index:04d}.yaml\n")
        (folder / "kustomization.yaml").write_text("resources:\n" + "".join(names))
    overlays = []
    for root in range(roots):
        base = root % BASES
        folder = out / "apps" / "overlays" / f"o{root:02d}"
        folder.mkdir(parents=True)
        first = base * per_root
        text = OVERLAY.format(root=root, base=base, first=first)
        (folder / "kustomization.yaml").write_text(text)
        (folder / "strict.yaml").write_text(PATCH.format(index=first + 1))
        overlays.append(f"apps/overlays/o{root:02d}")
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}  # fmt: skip
    for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "corpus"]):
        subprocess.run(["git", *argv], cwd=out, check=True, env=env)
    return overlays


def timed(argv: list[str], cwd: Path, runs: int) -> tuple[float, int]:
    subprocess.run(argv, cwd=cwd, capture_output=True)  # warm-up
    samples = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(argv, cwd=cwd, capture_output=True).returncode
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), code


def floor(overlays: list[str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        for overlay in overlays:
            subprocess.run(["kubectl", "kustomize", overlay], cwd=cwd, capture_output=True,
                           check=True)  # fmt: skip
        samples.append(time.perf_counter() - start)
    return statistics.median(samples[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roots", type=int, default=20)
    parser.add_argument("--per-root", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="karsgit-render-bench-"))
    repo = work / "repo"
    overlays = generate(repo, args.roots, args.per_root)
    karsgit = [sys.executable, "-m", "karsgit", "check", "-f", "parsable"]
    full, code = timed(karsgit, repo, args.runs)
    renders = floor(overlays, repo, args.runs)
    hook_file = f"{overlays[len(overlays) // 2]}/strict.yaml"
    hook, hook_code = timed([*karsgit, hook_file], repo, args.runs)
    one, _ = timed(["kubectl", "kustomize", overlays[len(overlays) // 2]], repo, args.runs)
    sandboxes = args.roots * args.per_root
    print(f"repository: {args.roots} roots over {BASES} bases, {sandboxes} rendered sandboxes")
    print(f"full check           {full:7.3f} s  (exit {code})")
    print(f"kustomize every root {renders:7.3f} s  (floor; full/floor = {full / renders:.2f}x)")
    print(f"hook check, 1 root   {hook:7.3f} s  (exit {hook_code})")
    print(f"kustomize that root  {one:7.3f} s  (hook - render = {(hook - one) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
