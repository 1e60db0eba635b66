"""Time karsgit beside its peers, all in the same run on this machine.

    python benchmarks/run.py [--sandboxes N] [--runs N] [--quick] [--only SECTION]
                             [--json FILE] [--workdir DIR]

Every figure is the median wall time of whole processes (subprocess, timed with
``time.perf_counter``) after one untimed warm-up; peers are run round-robin so
background load hits them alike. Commands slower than 5 s run at most 3 times.
Sections: hook, full, compile, verify, base (see docs/benchmarks.md). Sections
whose karsgit subcommand does not exist yet print "not available yet".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus

REPO = Path(__file__).resolve().parents[1]
SANDBOX_SCHEMA = REPO / "schemas" / "karssandbox.schema.json"
SECTIONS = ("hook", "full", "compile", "verify", "base")
SLOW_SECONDS = 5.0
SLOW_RUNS = 3
QUICK_SUBSET = 1000
PASSWORD = "karsgit-bench"
NOT_YET = "not available yet"
RACY_WAIT = 2.2  # karsgit does not cache files modified within 2 s of its index write


@dataclass
class Command:
    label: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] | None = None

    def shown(self) -> str:
        words = [Path(self.argv[0]).name, *self.argv[1:]]
        text = " ".join(words)
        return text if len(text) <= 110 else text[:107] + "..."


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)
    returncode: int = 0
    stderr: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass
class Row:
    section: str
    label: str
    command: str = ""
    status: str = "ok"
    median_s: float | None = None
    min_s: float | None = None
    max_s: float | None = None
    runs: int = 0
    returncode: int | None = None
    items: int = 0
    item_name: str = ""
    compare: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    def rate(self) -> float | None:
        if not self.items or not self.median_s or self.status != "ok":
            return None
        return self.items / self.median_s


@dataclass
class Context:
    corpus: Path
    meta: dict[str, Any]
    workdir: Path
    runs: int
    quick: bool
    tools: dict[str, str]
    commands: set[str]
    check_help: str
    rows: list[Row] = field(default_factory=list)

    def find(self, section: str, label: str) -> Row | None:
        return next((r for r in self.rows if r.section == section and r.label == label), None)


# ----------------------------------------------------------------------------- timing


def _run_once(cmd: Command) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    env = {**os.environ, **(cmd.env or {})}
    start = time.perf_counter()
    done = subprocess.run(
        cmd.argv,
        cwd=cmd.cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    return time.perf_counter() - start, done


def time_group(commands: Sequence[Command], runs: int, warmup: bool = True) -> list[Timing]:
    """Warm each command up once, then run them round-robin; slow ones at most 3 times."""
    timings = [Timing() for _ in commands]
    wanted = [runs] * len(commands)
    for i, cmd in enumerate(commands):
        if warmup:
            seconds, _ = _run_once(cmd)
            wanted[i] = min(runs, SLOW_RUNS) if seconds > SLOW_SECONDS else runs
    for round_no in range(max(wanted, default=0)):
        for i, cmd in enumerate(commands):
            if round_no < wanted[i]:
                _record(timings[i], *_run_once(cmd))
    return timings


def _record(timing: Timing, seconds: float, done: subprocess.CompletedProcess[bytes]) -> None:
    timing.samples.append(seconds)
    timing.returncode = done.returncode
    timing.stderr = done.stderr.decode("utf-8", "replace").strip()


def timed_row(section: str, cmd: Command, timing: Timing, **extra: Any) -> Row:
    row = Row(section, cmd.label, cmd.shown(), **extra)
    row.median_s, row.min_s, row.max_s = timing.median, min(timing.samples), max(timing.samples)
    row.runs, row.returncode = len(timing.samples), timing.returncode
    if timing.returncode not in (0, 1):
        row.status = f"failed (exit {timing.returncode})"
        row.note = _first_line(timing.stderr)
    return row


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0][:160] if lines else ""


def judge(row: Row, value: float, limit: float, at_most: bool) -> None:
    row.met = value <= limit if at_most else value >= limit
    if row.status != "ok":
        row.met = None


# ----------------------------------------------------------------------------- machine


def _output(argv: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        return f"unavailable ({error})"
    return (done.stdout or done.stderr).strip()


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return match.group(1) if match else platform.processor()


def machine_facts(tools: dict[str, str]) -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    dirty = _output(["git", "status", "--porcelain", "--", "karsgit", "schemas"], REPO)
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": affinity,
        "cpu": _cpu_model(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "karsgit": _output([tools["karsgit"], "--version"]),
        "karsgit_commit": _output(["git", "rev-parse", "--short", "HEAD"], REPO)
        + (" (with uncommitted changes)" if dirty else ""),
        "yamllint": _output([tools["yamllint"], "--version"]),
        "check-jsonschema": _output([tools["check-jsonschema"], "--version"]),
        "git": _output(["git", "--version"]),
    }


def find_tools() -> dict[str, str]:
    here = Path(sys.executable).parent
    tools = {}
    for name in ("karsgit", "yamllint", "check-jsonschema"):
        local = here / name
        tools[name] = str(local) if local.exists() else (shutil.which(name) or name)
    return tools


def karsgit_commands(karsgit: str) -> set[str]:
    text = _output([karsgit, "--help"])
    section = text.split("Commands:", 1)[-1] if "Commands:" in text else ""
    return {line.split()[0] for line in section.splitlines() if line.startswith("  ")}


# ----------------------------------------------------------------------------- corpus


def ensure_corpus(workdir: Path, sandboxes: int, seed: int) -> tuple[Path, dict[str, Any]]:
    corpus = workdir / f"corpus-{sandboxes}-seed{seed}"
    meta_path = corpus / gen_corpus.META_NAME
    if meta_path.is_file() and (corpus / ".git").is_dir():
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        if meta.get("sandboxes") == sandboxes and meta.get("seed") == seed:
            return corpus, meta
    print(f"generating {sandboxes} sandboxes into {corpus} ...", file=sys.stderr)
    return corpus, gen_corpus.generate(corpus, sandboxes, seed)


def clone(corpus: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    subprocess.run(["git", "clone", "-q", "--local", str(corpus), str(dest)], check=True)
    return dest


def git_commit_all(repo: Path, message: str) -> None:
    ident = ["-c", "user.name=karsgit bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", *ident, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
        cwd=repo,
        check=True,
    )


def kars(ctx: Context, label: str, args: list[str], cwd: Path | None = None) -> Command:
    env = {"COSIGN_PASSWORD": PASSWORD, "KARS_REGISTRY": "registry.example.com"}
    return Command(label, [ctx.tools["karsgit"], *args], cwd or ctx.corpus, env)


def missing(ctx: Context, section: str, needs: Sequence[str], planned: Sequence[str]) -> bool:
    """Add "not available yet" rows when a needed subcommand or option is absent."""
    absent = [name for name in needs if not _available(ctx, name)]
    if not absent:
        return False
    for command in planned:
        ctx.rows.append(Row(section, command, command, NOT_YET, note="needs: " + ", ".join(absent)))
    return True


def _available(ctx: Context, need: str) -> bool:
    if need.startswith("--"):
        return need in ctx.check_help
    return need in ctx.commands


# ----------------------------------------------------------------------------- sections


def reset_index_cache(repo: Path) -> None:
    """Drop karsgit's repository index (``.git/karsgit``) for a cold hook run, then
    wait out its racy-mtime window so that fresh files are cacheable."""
    shutil.rmtree(repo / ".git" / "karsgit", ignore_errors=True)
    time.sleep(RACY_WAIT)


def cold_hook_row(ctx: Context, section: str, repo: Path, files: list[str]) -> Row:
    reset_index_cache(repo)
    cmd = kars(ctx, "karsgit check (5 files, cold index)", ["check", *files], repo)
    [timing] = time_group([cmd], 1, warmup=False)
    row = timed_row(section, cmd, timing)
    row.note = "1 run with no .git/karsgit cache (first hook run in a clone)"
    return row


def section_hook(ctx: Context) -> None:
    files = list(ctx.meta["hook_files"])
    ctx.rows.append(cold_hook_row(ctx, "hook", ctx.corpus, files))
    # The corpus keeps a kustomization per team: the default run renders the roots
    # the 5 files reach (kubectl kustomize). The plain-manifest figure, the one to
    # hold beside yamllint, is the same run with rendering off in the config.
    plain = ctx.workdir / "plain-manifests.karsgit.yaml"
    corpus_config = (ctx.corpus / ".karsgit.yaml").read_text(encoding="utf-8")
    plain.write_text(corpus_config + "render:\n  enabled: false\n", encoding="utf-8")
    commands = [
        kars(ctx, "karsgit check (5 files, plain)", ["check", "--config", str(plain), *files]),
        kars(ctx, "karsgit check (5 files, 5 roots rendered)", ["check", *files]),
        Command("yamllint (5 files)", [ctx.tools["yamllint"], *files], ctx.corpus),
        Command(
            "check-jsonschema (5 files)",
            [ctx.tools["check-jsonschema"], "--schemafile", str(SANDBOX_SCHEMA), *files],
            ctx.corpus,
        ),
    ]
    timings = time_group(commands, ctx.runs)
    rows = [timed_row("hook", c, t) for c, t in zip(commands, timings, strict=True)]
    ours, rendered, lint, cjs = rows
    if rendered.median_s and lint.median_s:
        rendered.compare = f"{rendered.median_s / lint.median_s:.2f}x yamllint"
    if ours.median_s and lint.median_s and cjs.median_s:
        ratio = ours.median_s / lint.median_s
        ours.compare = f"{ratio:.2f}x yamllint, {ours.median_s / cjs.median_s:.2f}x c-j"
        ours.target = "<= 0.6x yamllint"
        judge(ours, ratio, 0.6, at_most=True)
    ctx.rows += rows


def section_full(ctx: Context) -> None:
    report = ctx.workdir / "full-report.json"
    probe = kars(ctx, "probe", ["check", "-f", f"json:{report}"])
    _run_once(probe)  # untimed: counts and findings for the notes
    summary = _report_summary(report)
    ours_cmd = kars(ctx, "karsgit check (whole repo)", ["check"])
    [timing] = time_group([ours_cmd], ctx.runs, warmup=False)
    ours = timed_row("full", ours_cmd, timing, items=summary["objects"], item_name="manifests")
    ours.note = summary["note"]
    ctx.rows.append(ours)
    cjs = _cjs_full(ctx)
    ctx.rows.append(cjs)
    _compare_full(ours, cjs)


def _report_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        return {"objects": 0, "note": f"no JSON report ({error})"}
    counts: dict[str, int] = {}
    for finding in data.get("findings", []):
        counts[finding["rule_id"]] = counts.get(finding["rule_id"], 0) + 1
    listed = ", ".join(f"{rule} x{n}" for rule, n in sorted(counts.items())) or "none"
    info = data.get("summary", {})
    files, objects = info.get("files_checked", 0), info.get("objects_checked", 0)
    return {"objects": objects, "note": f"{files} files, {objects} objects; findings: {listed}"}


def sandbox_doc_files(ctx: Context) -> list[str]:
    """Every KarsSandbox document as one single-document file (check-jsonschema reads
    only single-document YAML): single-document files in place, the documents of
    multi-document files split out under the work directory."""
    split_dir = ctx.workdir / "cjs-split"
    if split_dir.exists():
        shutil.rmtree(split_dir)
    split_dir.mkdir(parents=True)
    out: list[str] = []
    for path in sorted(ctx.corpus.glob("clusters/**/*.yaml")):
        docs = path.read_text(encoding="utf-8").split("\n---\n")
        sandboxes = [d for d in docs if "\nkind: KarsSandbox\n" in d]
        if len(docs) == 1 and sandboxes:
            out.append(str(path.relative_to(ctx.corpus)))
            continue
        for n, doc in enumerate(sandboxes):
            target = split_dir / f"{path.stem}-{n}.yaml"
            target.write_text(doc if doc.endswith("\n") else doc + "\n", encoding="utf-8")
            out.append(str(target))
    return out


def _cjs_full(ctx: Context) -> Row:
    files = sandbox_doc_files(ctx)
    subset = files[:QUICK_SUBSET] if ctx.quick else files
    cmd = Command(
        f"check-jsonschema ({len(subset)} sandbox docs)",
        [ctx.tools["check-jsonschema"], "--schemafile", str(SANDBOX_SCHEMA), *subset],
        ctx.corpus,
    )
    [timing] = time_group([cmd], 1, warmup=False)  # ~40 s for 10,000: once
    row = timed_row("full", cmd, timing, items=len(subset), item_name="manifests")
    row.note = "timed once (no warm-up)"
    if ctx.quick:
        row.note += f"; --quick: {len(subset)}-file subset, 10k time extrapolated by rate"
    return row


def _compare_full(ours: Row, cjs: Row) -> None:
    ours.target = ">= 2,500 manifests/s; >= 10x check-jsonschema"
    ours_rate, cjs_rate = ours.rate(), cjs.rate()
    if ours_rate is None or cjs_rate is None:
        return
    speedup = ours_rate / cjs_rate
    ours.compare = f"{speedup:.1f}x faster per manifest than c-j"
    ours.met = ours_rate >= 2500 and speedup >= 10 if ours.status == "ok" else None


def section_compile(ctx: Context) -> None:
    planned = ["karsgit compile (cold)", "karsgit compile (warm)", "karsgit compile --check"]
    if missing(ctx, "compile", ["compile"], planned):
        return
    repo = clone(ctx.corpus, ctx.workdir / "compile-repo")
    strict = int(ctx.meta.get("strict_sandboxes", ctx.meta["sandboxes"]))
    cold_cmd = kars(ctx, planned[0], ["compile"], repo)
    [cold] = time_group([cold_cmd], 1, warmup=False)
    cold_row = timed_row("compile", cold_cmd, cold, items=strict, item_name="bundles")
    cold_row.note = "1 run on a fresh clone (writes every bundle)"
    ctx.rows.append(cold_row)
    if cold_row.status != "ok":
        return
    warm = [
        kars(ctx, planned[1], ["compile"], repo),
        kars(ctx, planned[2], ["compile", "--check"], repo),
    ]
    timings = time_group(warm, ctx.runs)
    rows = [
        timed_row("compile", c, t, items=strict, item_name="bundles")
        for c, t in zip(warm, timings, strict=True)
    ]
    _compare_to_full(ctx, rows[0], 2.0, "<= 2x full check")
    ctx.rows += rows


def _compare_to_full(ctx: Context, row: Row, limit: float, target: str) -> None:
    full = ctx.find("full", "karsgit check (whole repo)")
    row.target = target
    if full is None or not full.median_s or not row.median_s:
        row.note = (row.note + "; " if row.note else "") + "run with section 'full' to compare"
        return
    ratio = row.median_s / full.median_s
    row.compare = f"{ratio:.2f}x full check"
    judge(row, ratio, limit, at_most=True)


def section_verify(ctx: Context) -> None:
    planned = ["karsgit sign --key", "karsgit verify --key"]
    if missing(ctx, "verify", ["compile", "keygen", "sign", "verify"], planned):
        return
    repo = ctx.workdir / "compile-repo"
    if not (repo / ".kars").is_dir():  # reuse the compile section's clone and bundles
        repo = clone(ctx.corpus, repo)
        _run_once(kars(ctx, "compile", ["compile"], repo))
    keys = _keygen(ctx)
    if keys is None:
        return
    strict = int(ctx.meta.get("strict_sandboxes", ctx.meta["sandboxes"]))
    sign_cmd = kars(ctx, planned[0], ["sign", "--key", str(keys / "cosign.key")], repo)
    [signed] = time_group([sign_cmd], 1, warmup=False)
    sign_row = timed_row("verify", sign_cmd, signed, items=strict, item_name="bundles")
    sign_row.note = "1 run: signs bundles with no valid signature (setup for verify)"
    ctx.rows.append(sign_row)
    verify_cmd = kars(ctx, planned[1], ["verify", "--key", str(keys / "cosign.pub")], repo)
    [timing] = time_group([verify_cmd], ctx.runs)
    row = timed_row("verify", verify_cmd, timing, items=strict, item_name="bundles")
    row.target = "< 10 s"
    if row.median_s:
        judge(row, row.median_s, 10.0, at_most=True)
    ctx.rows.append(row)


def _keygen(ctx: Context) -> Path | None:
    keys = ctx.workdir / "keys"
    if keys.exists():
        shutil.rmtree(keys)
    keys.mkdir(parents=True)
    cmd = kars(ctx, "karsgit keygen", ["keygen"], keys)
    _, done = _run_once(cmd)
    if done.returncode == 0 and (keys / "cosign.key").is_file():
        return keys
    note = _first_line(done.stderr.decode("utf-8", "replace")) or "no cosign.key written"
    ctx.rows.append(
        Row("verify", cmd.label, cmd.shown(), f"failed (exit {done.returncode})", note=note)
    )
    return None


TOUCH_ENTRY = "      - host: zoom.us\n        port: 443\n"  # sorts after every generated host


def section_base(ctx: Context) -> None:
    planned = [
        "karsgit check --base HEAD~1",
        "karsgit check --base HEAD~1 (5 files)",
        "karsgit diff HEAD~1 HEAD",
    ]
    has_base, has_diff = _available(ctx, "--base"), _available(ctx, "diff")
    if not has_base and not has_diff:
        missing(ctx, "base", ["--base", "diff"], planned)
        return
    repo = clone(ctx.corpus, ctx.workdir / "base-repo")
    files = list(ctx.meta["hook_files"])
    for rel in files:
        with (repo / rel).open("a", encoding="utf-8") as handle:
            handle.write(TOUCH_ENTRY)
    git_commit_all(repo, "allow zoom.us for five sandboxes")
    cold_hook_row(ctx, "base", repo, files)  # untimed here: builds the index cache
    commands = [kars(ctx, "karsgit check (5 files, peer)", ["check", *files], repo)]
    if has_base:
        commands += [
            kars(ctx, planned[0], ["check", "--base", "HEAD~1"], repo),
            kars(ctx, planned[1], ["check", "--base", "HEAD~1", *files], repo),
        ]
    if has_diff:
        commands.append(kars(ctx, planned[2], ["diff", "HEAD~1", "HEAD"], repo))
    timings = time_group(commands, ctx.runs)
    rows = [timed_row("base", c, t) for c, t in zip(commands, timings, strict=True)]
    _compare_to_peer(rows[0], rows[1:])
    ctx.rows += rows
    if not has_base:
        missing(ctx, "base", ["--base"], planned[:2])
    if not has_diff:
        missing(ctx, "base", ["diff"], planned[2:])


def _compare_to_peer(peer: Row, rows: Sequence[Row]) -> None:
    for row in rows:
        row.target = "<= 1.5x 5-file check"
        if peer.median_s and row.median_s:
            ratio = row.median_s / peer.median_s
            row.compare = f"{ratio:.2f}x 5-file check"
            judge(row, ratio, 1.5, at_most=True)


RUNNERS = {
    "hook": section_hook,
    "full": section_full,
    "compile": section_compile,
    "verify": section_verify,
    "base": section_base,
}


# ----------------------------------------------------------------------------- output


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.2f} s"


def _rate(row: Row) -> str:
    rate = row.rate()
    if rate is None or row.median_s is None:
        return ""
    per = row.median_s / row.items * 1e6
    return f"{rate:,.0f} {row.item_name}/s ({per:,.0f} us each)"


def _met(row: Row) -> str:
    return {True: "yes", False: "NO", None: ""}[row.met]


def table(rows: Sequence[Row]) -> str:
    header = ("section", "figure", "median", "min-max", "runs", "rate", "compared", "target", "met")
    lines = [header]
    for r in rows:
        if r.status != "ok" and r.median_s is None:
            lines.append((r.section, r.label, r.status, "", "", "", "", r.note, ""))
            continue
        span = f"{_seconds(r.min_s)}-{_seconds(r.max_s)}" if r.runs > 1 else ""
        median = _seconds(r.median_s) + ("" if r.status == "ok" else f" [{r.status}]")
        lines.append(
            (r.section, r.label, median, span, str(r.runs), _rate(r), r.compare, r.target, _met(r))
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def details(rows: Sequence[Row]) -> str:
    lines = ["", "commands and notes:"]
    for r in rows:
        extra = f"  [{r.note}]" if r.note else ""
        exit_code = f" (exit {r.returncode})" if r.returncode is not None else ""
        lines.append(f"  {r.section}/{r.label}: {r.command}{exit_code}{extra}")
    return "\n".join(lines)


def facts_text(facts: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = ["machine:"]
    lines += [f"  {key}: {value}" for key, value in facts.items()]
    corpus = {k: v for k, v in meta.items() if k != "hook_files"}
    lines.append(f"corpus: {json.dumps(corpus)}")
    lines.append(f"hook files: {' '.join(meta['hook_files'])}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sandboxes", type=int, default=10_000, help="corpus size (10000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (1)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (10)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"time check-jsonschema on a {QUICK_SUBSET}-file subset",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=REPO / "benchmarks" / ".work",
        help="corpus and scratch space (benchmarks/.work)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def make_context(args: argparse.Namespace) -> Context:
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    corpus, meta = ensure_corpus(workdir, args.sandboxes, args.seed)
    tools = find_tools()
    check_help = _output([tools["karsgit"], "check", "--help"])
    return Context(
        corpus,
        meta,
        workdir,
        args.runs,
        args.quick,
        tools,
        karsgit_commands(tools["karsgit"]),
        check_help,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Users run with bytecode caches; with PYTHONDONTWRITEBYTECODE set (some CI and
    # sandbox shells) every run would recompile karsgit and its peers (~50 ms each).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    ctx = make_context(args)
    facts = machine_facts(ctx.tools)
    print(facts_text(facts, ctx.meta), flush=True)
    for name in args.only or SECTIONS:
        print(f"running section {name} ...", file=sys.stderr, flush=True)
        RUNNERS[name](ctx)
    facts["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(table(ctx.rows))
    print(details(ctx.rows))
    print(f"\nload average at end: {facts['load_average_at_end']}")
    if args.json:
        payload = {
            "machine": facts,
            "corpus": ctx.meta,
            "quick": ctx.quick,
            "runs": ctx.runs,
            "rows": [asdict(r) for r in ctx.rows],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
