"""Time ``karsgit check`` on a kustomize repository against kustomize itself.

    python benchmarks/render_bench.py [--roots 20] [--per-root 100] [--runs 5] [--workdir DIR]

Generates a git repository of ``--roots`` overlays over five shared bases
(``roots * per_root`` rendered sandboxes; 2,000 by default), each overlay with a
namespace, a strategic-merge patch file and an inline JSON6902 op, and one
sandbox file outside every kustomization, then reports
the median wall time of whole processes, after one untimed warm-up; each figure
is timed round-robin with its peers, so background load hits them alike:

- full: ``karsgit check`` of the whole repository;
- floor: ``kubectl kustomize`` of every root, one after the other (the renders
  alone, which any rendering gate pays);
- hook: ``karsgit check`` of one overlay's patch file, beside one
  ``kubectl kustomize`` of that root, plain and as ``check`` asks for it (through
  a wrapper kustomization with origin and transformer annotations, which the
  findings are mapped back to source lines with), and beside ``karsgit check``
  of the one sandbox file no kustomization lists (a hook run that renders
  nothing);
- diff: ``karsgit diff`` of a commit that changes one overlay's inline op,
  beside what it cannot avoid: that root rendered at both revisions (as ``check``
  renders it) and both revisions' trees exported with git.
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
IDENTITY = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
            "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}  # fmt: skip
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
    # One sandbox no kustomization lists: a hook run on it renders nothing.
    (out / "plain").mkdir()
    (out / "plain" / "sandbox.yaml").write_text(SANDBOX.format(index=9999))
    for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "corpus"]):
        subprocess.run(["git", *argv], cwd=out, check=True, env={**os.environ, **IDENTITY})
    return overlays


Steps = list[list[str]]  # commands run one after the other, timed as one


def together(groups: list[Steps], cwd: Path, runs: int) -> tuple[list[float], list[int]]:
    """Median wall time of each group and the exit code of its last command; the
    groups run in turn, round after round, after one untimed round."""
    samples: list[list[float]] = [[] for _ in groups]
    codes = [0] * len(groups)
    for round_ in range(runs + 1):
        for i, steps in enumerate(groups):
            start = time.perf_counter()
            for argv in steps:
                codes[i] = subprocess.run(argv, cwd=cwd, capture_output=True).returncode
            if round_:
                samples[i].append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples], codes


def wrapped(root: Path, overlay: str, folder: Path) -> Path:
    """A wrapper kustomization as karsgit.render.kustomize writes one."""
    folder.mkdir(parents=True, exist_ok=True)
    target = os.path.relpath(root / overlay, folder)
    (folder / "kustomization.yaml").write_text(
        f"resources:\n  - {target}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"
    )
    return folder


def change_one_overlay(repo: Path, overlay: str) -> None:
    """One commit that moves the host of the overlay's inline JSON6902 op."""
    path = repo / overlay / "kustomization.yaml"
    text = path.read_text()
    path.write_text(text.replace(".example.net", "-moved.example.net"))
    subprocess.run(["git", "commit", "-qam", f"{overlay} moves its host"], cwd=repo, check=True,
                   env={**os.environ, **IDENTITY})  # fmt: skip


def export_both(repo: Path, work: Path) -> dict[str, list[str]]:
    """Shell steps that export HEAD~1 and HEAD as karsgit.source.gitio.export_tree
    does (a throwaway index, then checkout-index), by the folder they fill."""
    steps = {}
    for side, rev in (("base", "HEAD~1"), ("head", "HEAD")):
        dest, index = work / f"export-{side}", work / f"index-{side}"
        script = (
            f'rm -rf "{dest}" "{index}" && GIT_INDEX_FILE="{index}" git read-tree {rev} && '
            f'GIT_INDEX_FILE="{index}" git checkout-index --all --force --prefix="{dest}/"'
        )
        steps[side] = ["sh", "-c", script]
    return steps


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
    every_root = [["kubectl", "kustomize", overlay] for overlay in overlays]
    (full, renders), (code, _) = together([[karsgit], every_root], repo, args.runs)
    overlay = overlays[len(overlays) // 2]
    annotated = ["kubectl", "kustomize", str(wrapped(repo, overlay, work / "wrapper"))]
    hook_group = [[[*karsgit, f"{overlay}/strict.yaml"]], [["kubectl", "kustomize", overlay]],
                  [annotated], [[*karsgit, "plain/sandbox.yaml"]]]  # fmt: skip
    (hook, one, one_annotated, plain), (hook_code, *_) = together(hook_group, repo, args.runs)
    change_one_overlay(repo, overlay)
    exports = export_both(repo, work)
    renders_of_both = []
    for side, step in exports.items():
        subprocess.run(step, cwd=repo, check=True, capture_output=True)
        folder = wrapped(work / f"export-{side}", overlay, work / f"wrapper-{side}")
        renders_of_both.append(["kubectl", "kustomize", str(folder)])
    diff_argv = [sys.executable, "-m", "karsgit", "diff", "HEAD~1", "HEAD"]
    diff_group = [[diff_argv], renders_of_both, list(exports.values())]
    (diff, twice, exported), (diff_code, *_) = together(diff_group, repo, args.runs)
    sandboxes = args.roots * args.per_root
    print(f"repository: {args.roots} roots over {BASES} bases, {sandboxes} rendered sandboxes")
    print(f"full check                 {full:7.3f} s  (exit {code})")
    print(
        f"kustomize every root       {renders:7.3f} s  (floor; full/floor = {full / renders:.2f}x)"
    )
    print(f"hook check, 1 root         {hook:7.3f} s  (exit {hook_code})")
    print(
        f"kustomize that root        {one:7.3f} s  (hook - render = {(hook - one) * 1000:.0f} ms)"
    )
    print(f"  with origin annotations  {one_annotated:7.3f} s  "
          f"(hook - render = {(hook - one_annotated) * 1000:.0f} ms)")  # fmt: skip
    print(f"hook check, no root        {plain:7.3f} s  (a file no kustomization lists)")
    print(f"diff, 1 overlay changed    {diff:7.3f} s  (exit {diff_code})")
    print(f"  that root at both revs   {twice:7.3f} s  (annotated, 2 renders)")
    print(f"  both trees exported      {exported:7.3f} s  "
          f"(diff - renders - exports = {(diff - twice - exported) * 1000:.0f} ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
