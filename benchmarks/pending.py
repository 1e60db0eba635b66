"""Time ``karsgit egress NAME --pending --learned FILE`` as the learned list grows.

    python benchmarks/pending.py [--hosts 1000 --hosts 10000 --hosts 100000]
                                 [--runs N] [--workdir DIR]

For each size it writes a learned-hosts export (one ``host:port`` a line: hosts
under a few hundred registrable domains, a tenth of them parents of others, so
the "also admits" column has work to do) and a one-sandbox repository, then
times the whole command as a process (median of ``--runs`` after one warm-up)
and, in this process, the report step alone (``karsgit.source.learned.pending``).
Run it with ``PYTHONPATH`` set to another checkout to time that one instead.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MANIFEST = """apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: agent
  namespace: kars-system
spec:
  networkPolicy:
    egressMode: Learn
    allowedEndpoints:
      - host: api.github.com
        port: 443
"""


def learned_lines(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    domains = [f"vendor{d}.example.com" for d in range(max(1, count // 400))]
    lines = []
    for index in range(count):
        domain = domains[index % len(domains)]
        if index % 10 == 0:
            host = f"team{index // 10}.{domain}"
        else:
            host = f"svc{index}.team{rng.randrange(max(1, index // 10))}.{domain}"
        lines.append(f"{host}:{rng.choice((443, 443, 80, 8443))}")
    return lines


def make_repo(work: Path) -> Path:
    repo = work / "repo"
    if repo.exists():
        return repo
    (repo / "sandboxes").mkdir(parents=True)
    (repo / "sandboxes" / "agent.yaml").write_text(MANIFEST)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run(
            ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
            cwd=repo,
            check=True,
        )
    return repo


def time_command(repo: Path, learned: Path, runs: int) -> tuple[float, float, float, int]:
    command = [sys.executable, "-m", "karsgit", "egress", "agent", "--pending"]
    command += ["--learned", str(learned)]
    times = []
    returncode = 0
    for attempt in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=repo, stdout=subprocess.DEVNULL, check=False)
        returncode = done.returncode
        if attempt:
            times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times), returncode


def time_report(lines: list[str]) -> float:
    from karsgit.source.learned import parse_learned, pending

    items = parse_learned("\n".join(lines).encode())
    start = time.perf_counter()
    pending(items, ["api.github.com"])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, action="append")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / ".work" / "pending")
    args = parser.parse_args()
    sizes = args.hosts or [1000, 10000, 100000]
    args.workdir.mkdir(parents=True, exist_ok=True)
    repo = make_repo(args.workdir)
    import karsgit

    print(f"karsgit {karsgit.__version__} from {Path(karsgit.__file__).parent}")
    print(f"{'hosts':>8}  {'command median (min-max) s':>28}  {'pending() s':>11}")
    for size in sizes:
        lines = learned_lines(size)
        learned = args.workdir / f"learned-{size}.txt"
        learned.write_text("\n".join(lines) + "\n")
        median, low, high, code = time_command(repo, learned, args.runs)
        report = time_report(lines)
        spread = f"{median:.2f} ({low:.2f}-{high:.2f})"
        print(f"{size:>8}  {spread:>28}  {report:>11.3f}  exit {code}")
    shutil.rmtree(args.workdir / "repo", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
