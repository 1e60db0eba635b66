"""The router's learned hosts: parse its export and say which hosts a sandbox
does not allow yet, grouped by registrable domain (docs/egress.md lists the
accepted shapes). Pure: the CLI reads the file and prints the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from karsgit.errors import KarsgitError
from karsgit.normalize.endpoints import check_port, normalize_host
from karsgit.normalize.unsafe import public_suffix, registrable_domain

_HINT = "see docs/egress.md for the accepted learned-hosts shapes"


@dataclass(frozen=True, slots=True)
class Learned:
    """One host the router saw, as exported (port and count when the export has them)."""

    host: str
    port: int | None = None
    count: int | None = None


@dataclass
class Pending:
    host: str
    ports: set[int] = field(default_factory=set)
    count: int | None = None
    also: list[str] = field(default_factory=list)  # other pending hosts it would admit


@dataclass
class Group:
    domain: str
    hosts: list[Pending] = field(default_factory=list)


@dataclass
class PendingReport:
    groups: list[Group]
    allowed: int
    unusable: list[tuple[str, str]]  # (host as exported, why it cannot be approved)

    @property
    def count(self) -> int:
        return sum(len(g.hosts) for g in self.groups)


def parse_learned(data: bytes, source: str = "learned file") -> list[Learned]:
    """A JSON list, ``{"hosts": [...]}``, or text with one ``host[:port]`` a line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise KarsgitError(f"{source} is not UTF-8 text", _HINT) from error
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return _from_json(_json(stripped, source), source)
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [_from_string(line) for line in lines if line]


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise KarsgitError(
            f"{source}: invalid JSON at line {error.lineno}: {error.msg}", _HINT
        ) from error
    except RecursionError:
        # the json module recurses per level; no learned-hosts export nests at all
        raise KarsgitError(f"{source}: JSON nests too deeply to read", _HINT) from None


def _from_json(value: Any, source: str) -> list[Learned]:
    if isinstance(value, dict):
        value = value.get("hosts")
    if not isinstance(value, list):
        raise KarsgitError(f"{source}: expected a list of hosts or an object with 'hosts'", _HINT)
    return [_item(item, index, source) for index, item in enumerate(value)]


def _item(item: Any, index: int, source: str) -> Learned:
    if isinstance(item, str):
        return _from_string(item)
    host = item.get("host") if isinstance(item, dict) else None
    if not isinstance(host, str):
        raise KarsgitError(f"{source}: entry {index} has no string 'host'", _HINT)
    port, count = item.get("port"), item.get("count")
    return Learned(
        host,
        port if check_port(port).error is None and port is not None else None,
        count if isinstance(count, int) and not isinstance(count, bool) else None,
    )


def _from_string(text: str) -> Learned:
    host, sep, port = text.strip().rpartition(":")
    if sep and port.isdigit() and 1 <= int(port) <= 65535:
        return Learned(host, int(port))
    return Learned(text.strip())


def pending(learned: Iterable[Learned], allowlist: Sequence[str]) -> PendingReport:
    """The learned hosts no allowlist entry admits, grouped by public suffix + 1."""
    found: dict[str, Pending] = {}
    unusable: dict[str, str] = {}
    allowed: set[str] = set()
    entries = {entry.lower() for entry in allowlist if entry}
    for item in learned:
        verdict = normalize_host(item.host)
        host = verdict.normal
        if host is None or verdict.error is not None:
            unusable[item.host] = verdict.error.message if verdict.error else "invalid host"
        elif public_suffix(host):
            unusable[item.host] = f"host '{host}' is a public suffix"
        elif not entries.isdisjoint(_self_and_parents(host)):
            allowed.add(host)
        else:
            _add(found.setdefault(host, Pending(host)), item)
    return PendingReport(_groups(found), len(allowed), sorted(unusable.items()))


def _add(entry: Pending, item: Learned) -> None:
    if item.port is not None:
        entry.ports.add(item.port)
    if item.count is not None:
        entry.count = (entry.count or 0) + item.count


def _self_and_parents(host: str) -> list[str]:
    """``a.b.c`` -> ``a.b.c``, ``b.c``, ``c``: every entry that admits it (``admits``).

    Walking a host's own labels keeps the report linear in the number of learned
    hosts; testing every pair was quadratic (benchmarks/pending.py)."""
    labels = host.lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def _groups(found: dict[str, Pending]) -> list[Group]:
    groups: dict[str, Group] = {}
    hosts = sorted(found)
    for host in hosts:  # sorted, so each ``also`` list comes out sorted
        for parent in _self_and_parents(host)[1:]:
            if parent in found:
                found[parent].also.append(host)
    for host in hosts:
        entry = found[host]
        domain = registrable_domain(host) or host
        groups.setdefault(domain, Group(domain)).hosts.append(entry)
    return [groups[d] for d in sorted(groups)]
