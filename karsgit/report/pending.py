"""The text of ``karsgit egress NAME --pending``: learned hosts not allowed yet,
grouped by registrable domain, with what approving each would admit."""

from __future__ import annotations

from karsgit.run.egress import label
from karsgit.source.learned import Group, Pending, PendingReport
from karsgit.source.objects import DEFAULT_PORT, Sandbox


def pending_text(sandbox: Sandbox, report: PendingReport, source: str) -> str:
    head = (
        f"sandbox {label(sandbox)} ({sandbox.mode}), learned hosts from {source}: "
        f"{report.count} not allowlisted in {len(report.groups)} domain(s), "
        f"{report.allowed} already allowed"
    )
    lines = [head]
    for group in report.groups:
        lines.extend(["", *_group(group)])
    if report.unusable:
        lines.extend(["", "cannot be approved:"])
        lines.extend(f"  {host}: {why}" for host, why in report.unusable)
    if report.groups:
        lines.extend(["", f"approve with: karsgit egress {sandbox.ref.name} "
                      f"-n {sandbox.ref.namespace} --approve HOST[:PORT]"])  # fmt: skip
    return "\n".join(lines) + "\n"


def _group(group: Group) -> list[str]:
    lines = [f"{group.domain} ({len(group.hosts)} host(s))"]
    lines.extend(_host(entry) for entry in group.hosts)
    names = {entry.host for entry in group.hosts}
    if group.domain not in names and len(group.hosts) > 1:
        lines.append(
            f"  approving {group.domain} instead would admit all {len(group.hosts)} and "
            f"every other subdomain of {group.domain}"
        )
    return lines


def _host(entry: Pending) -> str:
    ports = ",".join(str(p) for p in sorted(entry.ports)) or str(DEFAULT_PORT)
    seen = f", seen {entry.count} times" if entry.count is not None else ""
    what = f"admits {entry.host} and its subdomains"
    if entry.also:
        what += f" (also {', '.join(entry.also)})"
    return f"  {entry.host}:{ports}{seen}: {what}"
