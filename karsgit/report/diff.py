"""Render an ``EgressDiff`` as markdown (pull-request comments), json or text.

Markdown puts a summary table first and the details of each sandbox in a
collapsed ``<details>`` block; order is stable and an empty diff is one line.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from karsgit.run.diff import EgressDiff, SandboxDiff

FORMATS = ("markdown", "json", "text")
NOTHING = "no egress changes"


def render(diff: EgressDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(asdict(diff), indent=2, sort_keys=True) + "\n"
    if fmt == "markdown":
        return _markdown(diff)
    return _text(diff)


def _short(digest: str | None) -> str:
    return digest.removeprefix("sha256:")[:12] if digest else "none"


def _mode(entry: SandboxDiff) -> str:
    if entry.mode_before == entry.mode_after:
        return entry.mode_after or entry.mode_before or "-"
    return f"{entry.mode_before or '-'} → {entry.mode_after or '-'}"


def _approvals(entry: SandboxDiff) -> str:
    counts: dict[str, int] = {}
    for item in entry.approvals:
        counts[item.change] = counts.get(item.change, 0) + 1
    return ", ".join(f"{n} {change}" for change, n in sorted(counts.items())) or "-"


def _bundle(entry: SandboxDiff) -> str:
    if entry.bundle_before == entry.bundle_after:
        return _short(entry.bundle_after)
    return f"{_short(entry.bundle_before)} → {_short(entry.bundle_after)}"


def _heading(diff: EgressDiff) -> str:
    return f"### karsgit: egress changes `{diff.base}` → `{diff.head}`"


def _markdown(diff: EgressDiff) -> str:
    if not diff.sandboxes:
        return f"{_heading(diff)}\n\n{NOTHING}\n"
    lines = [
        _heading(diff),
        "",
        "| Sandbox | Change | Added | Removed | Mode | Approvals | Bundle | Signature |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for e in diff.sandboxes:
        lines.append(
            f"| `{e.namespace}/{e.name}` | {e.status} | {len(e.added)} | {len(e.removed)} "
            f"| {_mode(e)} | {_approvals(e)} | `{_bundle(e)}` | {e.signature} |"
        )
    for e in diff.sandboxes:
        lines += [
            "",
            f"<details><summary><code>{e.namespace}/{e.name}</code> ({e.path})</summary>",
            "",
            *_details(e, "- "),
            "",
            "</details>",
        ]
    return "\n".join(lines) + "\n"


def _details(e: SandboxDiff, bullet: str) -> list[str]:
    out = [f"{bullet}added `{a.endpoint}`: admits {a.admits}" for a in e.added]
    out += [f"{bullet}removed `{r}`" for r in e.removed]
    if e.mode_before != e.mode_after:
        out.append(f"{bullet}mode {_mode(e)}")
    for item in e.approvals:
        hosts = ", ".join(item.hosts) or "-"
        out.append(
            f"{bullet}approval `{item.name}` {item.change}: {hosts} for {item.ttl or '?'}"
            f" ({item.reason or 'no reason'})"
        )
    if e.bundle_before != e.bundle_after:
        out.append(f"{bullet}bundle {_short(e.bundle_before)} → {_short(e.bundle_after)}")
    out.append(f"{bullet}signature: {e.signature}")
    return out


def _text(diff: EgressDiff) -> str:
    if not diff.sandboxes:
        return f"{NOTHING} ({diff.base}..{diff.head})\n"
    lines = [f"egress changes {diff.base}..{diff.head}"]
    for e in diff.sandboxes:
        lines += ["", f"{e.namespace}/{e.name} ({e.status}, {e.path})", *_details(e, "  ")]
    return "\n".join(lines) + "\n"
