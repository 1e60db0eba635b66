"""Generate a realistic, deterministic GitOps repository of kars manifests.

    python benchmarks/gen_corpus.py OUT_DIR --sandboxes 10000 [--seed 1]

The layout is ``clusters/<env>/<team>/{sandboxes,approvals,stacks}/...`` plus a
``kustomization.yaml`` per team directory. Every manifest is meant to be valid:
a finding from ``karsgit check`` on this corpus is a false finding worth a look.

Files (by share of sandboxes): one sandbox per file (~70 %), a sandbox with its
agent ConfigMap (~15 %), two or three sandboxes in one file (~10 %), a sandbox
with its EgressApproval (~5 %); about 2 % of sandboxes also get an approval in
its own file. Five single-document sandbox files are recorded as the files a
commit touches (the hook scenario) in ``.karsgit-bench.json``, which is
committed with the corpus. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

META_NAME = ".karsgit-bench.json"
HOOK_FILES = 5
ENVS = ("dev", "staging", "prod")
TEAMS = (
    "payments", "search", "ml-platform", "data-eng", "identity", "support-bots",
    "devex", "security", "growth", "billing", "observability", "docs-ai",
)  # fmt: skip
ROLES = ("agent", "coder", "reviewer", "triage", "etl", "notebook", "planner")
RUNTIMES = (
    ("LangGraph", "langGraph"), ("OpenAIAgents", "openaiAgents"),
    ("SemanticKernel", "semanticKernel"), ("PydanticAi", "pydanticAi"),
)  # fmt: skip
MODELS = ("gpt-4o-prod", "gpt-4o-mini", "claude-sonnet", "phi-4-local", "llama-3-70b")
FIXED_HOSTS = (
    "api.github.com", "github.com", "codeload.github.com", "uploads.github.com",
    "objects.githubusercontent.com", "raw.githubusercontent.com", "dev.azure.com",
    "vssps.dev.azure.com", "login.microsoftonline.com", "management.azure.com",
    "graph.microsoft.com", "api.openai.com", "api.anthropic.com", "hooks.slack.com",
    "slack.com", "api.stripe.com", "api.datadoghq.com", "http-intake.logs.datadoghq.com",
    "oauth2.googleapis.com", "storage.googleapis.com", "sts.amazonaws.com",
    "api.twilio.com", "api.sendgrid.com", "gitlab.com", "api.atlassian.com",
    "api.pagerduty.com", "events.pagerduty.com", "api.linear.app", "api.notion.com",
)  # fmt: skip
# Per-team resource names: storage accounts, vaults, Azure OpenAI resources, ...
TEMPLATED_HOSTS = (
    "st{t}{e}{n:02d}.blob.core.windows.net", "st{t}{e}{n:02d}.queue.core.windows.net",
    "st{t}{e}{n:02d}.dfs.core.windows.net", "kv-{team}-{env}-{n}.vault.azure.net",
    "oai-{team}-{env}-{n}.openai.azure.com", "sb-{team}-{env}.servicebus.windows.net",
    "cosmos-{team}-{env}-{n}.documents.azure.com", "sql-{team}-{env}.database.windows.net",
    "{team}-{env}-artifacts-{n}.s3.amazonaws.com", "svc{n}.{team}.{env}.corp.example.net",
)  # fmt: skip
PORTS = (443,) * 17 + (80,) * 2 + (8443,)
TTLS = ("PT30M", "PT2H", "PT4H", "PT8H", "PT12H")
GROUP_COMMENTS = {
    "github": "# source control and CI artifacts",
    "windows.net": "# team storage and messaging",
    "azure": "# Azure control plane and model endpoints",
    "corp.example.net": "# internal services",
}


@dataclass(frozen=True)
class Sandbox:
    name: str
    env: str
    team: str
    endpoints: tuple[tuple[str, int], ...]
    strict: bool
    partial: bool


@dataclass
class Corpus:
    files: dict[str, str] = field(default_factory=dict)  # repo-relative path -> text
    sandboxes: int = 0
    strict: int = 0
    approvals: int = 0
    configmaps: int = 0
    single_sandbox_files: list[str] = field(default_factory=list)


def _host_pool(rng: random.Random, env: str, team: str) -> list[str]:
    short = team.replace("-", "")[:8]
    values = {"t": short, "e": env[:3], "team": team, "env": env}
    templated = [t.format(n=rng.randint(1, 12), **values) for t in TEMPLATED_HOSTS for _ in (0, 1)]
    return sorted(set(FIXED_HOSTS) | set(templated))


def _endpoints(rng: random.Random, env: str, team: str) -> tuple[tuple[str, int], ...]:
    pool = _host_pool(rng, env, team)
    chosen = rng.sample(pool, rng.randint(5, min(50, len(pool))))
    kept = [host for host in chosen if not _has_parent(host, chosen)]
    # Canonical order (host bytes, then numeric port), as karsgit's fix writes it.
    return tuple(sorted((host, rng.choice(PORTS)) for host in kept))


def _has_parent(host: str, others: list[str]) -> bool:
    """Whether another listed host admits this one (the router admits subdomains)."""
    return any(host.endswith("." + other) for other in others)


def _group(host: str) -> str:
    return next((key for key in GROUP_COMMENTS if key in host), "~other")


def _sandbox(rng: random.Random, index: int) -> Sandbox:
    env, team = rng.choice(ENVS), rng.choice(TEAMS)
    name = f"{team}-{rng.choice(ROLES)}-{index:05d}"
    strict = rng.random() < 0.9
    return Sandbox(name, env, team, _endpoints(rng, env, team), strict, rng.random() < 0.1)


def _metadata(name: str, sandbox: Sandbox, kind_label: str) -> list[str]:
    return [
        "metadata:",
        f"  name: {name}",
        "  namespace: kars-system",
        "  labels:",
        "    app.kubernetes.io/part-of: kars",
        f"    app.kubernetes.io/component: {kind_label}",
        f"    kars.azure.com/team: {sandbox.team}",
        f"    kars.azure.com/env: {sandbox.env}",
    ]


def _endpoint_lines(rng: random.Random, sandbox: Sandbox) -> list[str]:
    lines: list[str] = []
    for host, port in sandbox.endpoints:
        if rng.random() < 0.1:
            lines.append(f"      {GROUP_COMMENTS.get(_group(host), '# third-party API')}")
        note = f"  # OPS-{rng.randint(100, 9999)}" if rng.random() < 0.08 else ""
        lines += [f"      - host: {host}{note}", f"        port: {port}"]
    return lines


def _runtime_lines(rng: random.Random, sandbox: Sandbox) -> list[str]:
    kind, key = rng.choice(RUNTIMES)
    return [
        "  runtime:",
        f"    kind: {kind}",
        f"    {key}:",
        "      entrypoint: [python, -m, agent.main]",
        "  sandbox:",
        f"    isolation: {rng.choice(('standard', 'enhanced', 'enhanced'))}",
        "    readOnlyRootFilesystem: true",
        "  inferenceRef:",
        f"    name: {rng.choice(MODELS)}",
    ]


def sandbox_text(rng: random.Random, sandbox: Sandbox) -> str:
    mode = "Strict" if sandbox.strict else "Learn"
    lines = [
        f"# {sandbox.name}: egress for the {sandbox.team} {sandbox.env} agent",
        "apiVersion: kars.azure.com/v1alpha1",
        "kind: KarsSandbox",
        *_metadata(sandbox.name, sandbox, "sandbox"),
        "  annotations:",
        f"    kars.azure.com/owner: {sandbox.team}@example.com",
        "spec:",
        *([] if sandbox.partial else _runtime_lines(rng, sandbox)),
        "  networkPolicy:",
        "    defaultDeny: true",
        f"    egressMode: {mode}  # reviewed by {sandbox.team} owners",
        "    allowedEndpoints:",
        *_endpoint_lines(rng, sandbox),
    ]
    return "\n".join(lines) + "\n"


def approval_text(rng: random.Random, sandbox: Sandbox, serial: int) -> str:
    ticket = f"INC-{rng.randint(1000, 99999)}"
    listed = {host for host, _ in sandbox.endpoints}
    fresh = [
        host for host in FIXED_HOSTS if host not in listed and not _has_parent(host, [*listed])
    ]
    picked = rng.sample(fresh, min(len(fresh), rng.randint(1, 3))) or ["vendor-portal.example.org"]
    hosts = sorted(host for host in picked if not _has_parent(host, picked))
    lines = [
        f"# temporary egress for {sandbox.name}; remove after {ticket} is closed",
        "apiVersion: kars.azure.com/v1alpha1",
        "kind: EgressApproval",
        *_metadata(f"{sandbox.name}-approval-{serial}", sandbox, "approval"),
        "spec:",
        f"  sandbox: {sandbox.name}",
        "  hosts:",
        *[f"    - host: {host}\n      port: 443" for host in hosts],
        f'  reason: "Incident {ticket}: fetch vendor runbooks during the outage"',
        f"  ticket: {ticket}",
        f"  ttl: {rng.choice(TTLS)}",
    ]
    return "\n".join(lines) + "\n"


def configmap_text(sandbox: Sandbox) -> str:
    return (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        f"  name: {sandbox.name}-agent-config\n"
        f"  namespace: kars-{sandbox.name}\n"
        "data:\n"
        "  LOG_LEVEL: info\n"
        f"  TEAM: {sandbox.team}\n"
        "  agent.toml: |\n"
        "    [agent]\n"
        "    max_steps = 40\n"
        '    tools = ["git", "http"]\n'
    )


def _path(sandbox: Sandbox, folder: str, stem: str) -> str:
    return f"clusters/{sandbox.env}/{sandbox.team}/{folder}/{stem}.yaml"


def _add(corpus: Corpus, path: str, docs: list[str]) -> None:
    corpus.files[path] = "---\n".join(docs) if len(docs) > 1 else docs[0]


def _emit_group(rng: random.Random, corpus: Corpus, group: list[Sandbox], shape: float) -> None:
    head = group[0]
    docs = [sandbox_text(rng, s) for s in group]
    corpus.sandboxes += len(group)
    corpus.strict += sum(s.strict for s in group)
    if len(group) > 1:
        _add(corpus, _path(head, "stacks", f"{head.name}-pool"), docs)
    elif shape < 0.70:
        path = _path(head, "sandboxes", head.name)
        _add(corpus, path, docs)
        corpus.single_sandbox_files.append(path)
    elif shape < 0.85:
        corpus.configmaps += 1
        _add(corpus, _path(head, "stacks", f"{head.name}-stack"), [*docs, configmap_text(head)])
    else:
        corpus.approvals += 1
        _add(corpus, _path(head, "stacks", head.name), [*docs, approval_text(rng, head, 1)])
    if rng.random() < 0.02:
        corpus.approvals += 1
        _add(corpus, _path(head, "approvals", f"{head.name}-2"), [approval_text(rng, head, 2)])


def build(count: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    corpus = Corpus()
    index = 0
    while index < count:
        shape = rng.random()
        size = rng.choice((2, 3)) if shape >= 0.90 else 1
        size = min(size, count - index)
        group = [_sandbox(rng, index + k) for k in range(size)]
        index += size
        _emit_group(rng, corpus, group, shape if size == 1 else 0.0)
    _add_kustomizations(corpus)
    return corpus


def _add_kustomizations(corpus: Corpus) -> None:
    folders: dict[str, list[str]] = {}
    for path in corpus.files:
        team_dir, _, rest = path.rpartition("/")[0].rpartition("/")
        folders.setdefault(team_dir, []).append(f"{rest}/{path.rsplit('/', 1)[1]}")
    for team_dir, resources in sorted(folders.items()):
        listed = "".join(f"  - {item}\n" for item in sorted(resources))
        corpus.files[f"{team_dir}/kustomization.yaml"] = (
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources:\n{listed}"
        )


CONFIG = """\
# karsgit configuration for the benchmark corpus
bundles:
  registry: registry.example.com
"""


def hook_files(corpus: Corpus, seed: int) -> list[str]:
    """Five single-document sandbox files in different folders, chosen by seed."""
    rng = random.Random(seed + 1)
    candidates = sorted(corpus.single_sandbox_files)
    chosen: list[str] = []
    for path in rng.sample(candidates, len(candidates)):
        if all(path.rsplit("/", 2)[0] != other.rsplit("/", 2)[0] for other in chosen):
            chosen.append(path)
        if len(chosen) == HOOK_FILES:
            break
    spare = [path for path in candidates if path not in chosen]
    return sorted(chosen + spare[: HOOK_FILES - len(chosen)])


def meta(corpus: Corpus, seed: int) -> dict[str, object]:
    return {
        "seed": seed,
        "sandboxes": corpus.sandboxes,
        "strict_sandboxes": corpus.strict,
        "approvals": corpus.approvals,
        "configmaps": corpus.configmaps,
        "yaml_files": len(corpus.files),
        "kars_documents": corpus.sandboxes + corpus.approvals,
        "hook_files": hook_files(corpus, seed),
    }


def write(corpus: Corpus, out: Path, seed: int) -> dict[str, object]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for rel, text in corpus.files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (out / ".karsgit.yaml").write_text(CONFIG, encoding="utf-8")
    info = meta(corpus, seed)
    (out / META_NAME).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def git_commit(out: Path, message: str) -> None:
    env_args = ["-c", "user.name=karsgit bench", "-c", "user.email=bench@example.com"]
    env_args += ["-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=out, check=True)
    subprocess.run(["git", "add", "-A"], cwd=out, check=True)
    subprocess.run(["git", *env_args, "commit", "-q", "-m", message], cwd=out, check=True)


def generate(out: Path, count: int, seed: int) -> dict[str, object]:
    info = write(build(count, seed), out, seed)
    git_commit(out, f"benchmark corpus: {count} sandboxes, seed {seed}")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="directory to (re)create")
    parser.add_argument("--sandboxes", type=int, default=10_000, help="default: 10000")
    parser.add_argument("--seed", type=int, default=1, help="default: 1")
    args = parser.parse_args(argv)
    if args.sandboxes < HOOK_FILES * 4:
        parser.error(f"--sandboxes must be at least {HOOK_FILES * 4}")
    info = generate(args.out_dir, args.sandboxes, args.seed)
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
