"""Time ``karsgit publish`` and ``verify --registry`` against a real local registry.

    python benchmarks/publish.py [--sandboxes N] [--runs N] [--jobs N] [--disk]
                                 [--json FILE] [--workdir DIR]

Builds a repository of N Strict sandboxes, compiles it, signs every bundle
keyless through the local Fulcio/Rekor stand-in (tests/support), starts
Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its storage on
tmpfs (``--disk``: on the work directory's disk instead), then times whole
processes (median of --runs, each from-empty run against a fresh registry):

- publish from empty: every blob, manifest, tag and .sig goes up;
- publish with nothing to do: the same repository again;
- verify --registry: fetch and check what the controller fetches.

Targets (issue 11): <= 10 ms per bundle from empty, <= 2 ms with nothing to do.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.fakesigstore import DEFAULT_IDENTITY, FakeSigstore  # noqa: E402
from tests.support.registry import LocalRegistry, start_registry  # noqa: E402

SANDBOX = """\
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: {name}
  namespace: team-{team}
spec:
  networkPolicy:
    egressMode: Strict
    allowedEndpoints:
      - host: api{index}.example.com
        port: 443
      - host: registry.team-{team}.example.com
        port: 443
"""


@dataclass
class Figure:
    label: str
    samples: list[float]
    bundles: int
    target_ms: float | None
    returncode: int
    karsgit_cpu: list[float]  # user+sys seconds of the karsgit process
    registry_cpu: list[float]  # user+sys seconds the registry spent meanwhile

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def per_bundle_ms(self) -> float:
        return 1000 * self.median / self.bundles

    def cpu_ms(self, samples: list[float]) -> float:
        return 1000 * statistics.median(samples) / self.bundles


def build_repository(root: Path, count: int, fake: FakeSigstore, config: Path, host: str) -> None:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    for index in range(count):
        name, team = f"agent-{index:05d}", f"{index % 40:02d}"
        text = SANDBOX.format(name=name, team=team, index=index)
        target = root / "sandboxes" / f"team-{team}" / f"{name}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    env = {**os.environ, "KARS_REGISTRY": host}
    done = karsgit(["compile"], root, env)
    if done.returncode != 0:
        raise SystemExit(f"compile failed: {done.stderr.decode()}")
    token = fake.identity_token()
    signing = ["sign", "--keyless", "--identity-token", token, "--trust-config", str(config)]
    done = karsgit(signing, root, env)
    if done.returncode != 0:
        raise SystemExit(f"sign --keyless failed: {done.stderr.decode()}")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "corpus"], cwd=root, check=True, env=_git_env())


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }


def karsgit(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "karsgit", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )


@dataclass
class Sample:
    seconds: float
    returncode: int
    stderr: str
    karsgit_cpu: float
    registry_cpu: float


def timed(args: list[str], cwd: Path, env: dict[str, str], registry: LocalRegistry) -> Sample:
    """Wall time, and the CPU time of karsgit and of the registry: on a machine
    shared with other work the CPU figures say what the wall time would be."""
    before, registry_before = resource.getrusage(resource.RUSAGE_CHILDREN), _cpu(registry)
    start = time.perf_counter()
    done = karsgit(args, cwd, env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(seconds, done.returncode, done.stderr.decode()[-400:], used,
                  _cpu(registry) - registry_before)  # fmt: skip


def _cpu(registry: LocalRegistry) -> float:
    fields = Path(f"/proc/{registry.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sandboxes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--disk", action="store_true", help="registry storage on disk, not tmpfs")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path)
    options = parser.parse_args()
    work = options.workdir or Path(tempfile.mkdtemp(prefix="karsgit-publish-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    with FakeSigstore() as fake:
        trust_config, trusted_root = fake.write_trust_files(work)
        trust = [
            "--trust-config", str(trusted_root),
            "--cert-identity", DEFAULT_IDENTITY,
            "--cert-oidc-issuer", fake.oidc_issuer,
        ]  # fmt: skip
        registry = _registry(work, 0, options.disk)
        env = {**os.environ, "KARS_REGISTRY": registry.host, "DOCKER_CONFIG": str(work / "docker")}
        (work / "docker").mkdir(exist_ok=True)
        repo = work / "gitops"
        try:
            print(f"building {options.sandboxes} signed bundles in {repo} ...", file=sys.stderr)
            build_repository(repo, options.sandboxes, fake, trust_config, registry.host)
            publish = ["publish", "--plain-http", "-j", str(options.jobs), *trust]
            verify = ["verify", "--registry", "--plain-http", *trust, "-f", "json:/dev/null"]
            samples: dict[str, list[Sample]] = {"empty": [], "nothing": [], "verify": []}
            for run in range(options.runs):
                if run:  # a fresh registry (same host name) for every from-empty run
                    registry.stop()
                    registry = _registry(work, run, options.disk, registry)
                samples["empty"].append(timed(publish, repo, env, registry))
                if samples["empty"][-1].returncode:
                    raise SystemExit(f"publish failed: {samples['empty'][-1].stderr}")
                samples["nothing"].append(timed(publish, repo, env, registry))
                samples["verify"].append(timed(verify, repo, env, registry))
        finally:
            registry.stop()
    n = options.sandboxes
    labels = {
        "empty": ("publish, from empty", 10.0),
        "nothing": ("publish, nothing to do", 2.0),
        "verify": ("verify --registry", None),
    }
    figures = [
        Figure(label, [s.seconds for s in samples[key]], n, target,
               samples[key][-1].returncode, [s.karsgit_cpu for s in samples[key]],
               [s.registry_cpu for s in samples[key]])
        for key, (label, target) in labels.items()
    ]  # fmt: skip
    storage = "disk" if options.disk else "tmpfs"
    print(f"\n{n} bundles, {options.runs} runs, -j {options.jobs}, registry storage on {storage}")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores; CPU columns: ms per bundle")
    head = f"{'':24}{'median s':>9}{'ms/bundle':>10}{'target':>8}{'met':>5}"
    print(f"{head}{'karsgit CPU':>13}{'registry CPU':>14}")
    for f in figures:
        target = f"<= {f.target_ms:g}" if f.target_ms else "-"
        met = "-" if f.target_ms is None else ("yes" if f.per_bundle_ms <= f.target_ms else "no")
        print(
            f"{f.label:24}{f.median:>9.2f}{f.per_bundle_ms:>10.2f}{target:>8}{met:>5}"
            f"{f.cpu_ms(f.karsgit_cpu):>13.2f}{f.cpu_ms(f.registry_cpu):>14.2f}"
        )
    failed = [f.label for f in figures if f.returncode]
    if failed:
        print(f"(exited non-zero: {', '.join(failed)})")
    if options.json:
        options.json.write_text(json.dumps([asdict(f) for f in figures], indent=2))
    if not options.workdir:
        shutil.rmtree(work, ignore_errors=True)


def _registry(
    work: Path, run: int, disk: bool, previous: LocalRegistry | None = None
) -> LocalRegistry:
    """Start a registry; a restart keeps the port, since the refs name the host."""
    port = int(previous.host.rsplit(":", 1)[1]) if previous is not None else None
    return start_registry(work / f"registry-{run}", memory_disk=not disk, port=port)


if __name__ == "__main__":
    main()
