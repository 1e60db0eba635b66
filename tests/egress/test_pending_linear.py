"""``pending`` walks each host's own labels instead of testing every pair (issue 10
item 17; timed in benchmarks/pending.py). Its answers must equal the router's
matching rule applied pair by pair, written out here independently."""

from __future__ import annotations

import random

from karsgit.source.learned import Learned, pending


def _admits(entry: str, host: str) -> bool:
    """DESIGN.md §2: exact, or any parent domain."""
    return host == entry or host.endswith("." + entry)


def _hosts(seed: int) -> list[str]:
    rng = random.Random(seed)
    labels = ["a", "b", "api", "x1", "svc", "eu"]
    bases = ["example.com", "example.org", "corp.example.net"]
    hosts = []
    for _ in range(300):
        parts = [rng.choice(labels) for _ in range(rng.randrange(0, 4))]
        hosts.append(".".join([*parts, rng.choice(bases)]))
    return hosts


def test_pending_matches_the_pairwise_rule() -> None:
    for seed in range(5):
        hosts = _hosts(seed)
        allow = sorted(set(random.Random(seed).sample(hosts, 20)) | {"corp.example.net"})
        report = pending([Learned(h) for h in hosts], allow)
        left = sorted({h for h in hosts if not any(_admits(a, h) for a in allow)})
        listed = [p.host for g in report.groups for p in g.hosts]
        assert sorted(listed) == left
        assert report.allowed == len({h for h in hosts} - set(left))
        for entry in (p for g in report.groups for p in g.hosts):
            assert entry.also == [h for h in left if h != entry.host and _admits(entry.host, h)]


def test_pending_parent_and_children() -> None:
    hosts = ["b.example.com", "a.b.example.com", "c.a.b.example.com", "ab.example.com"]
    report = pending([Learned(h) for h in hosts], ["api.github.com"])
    also = {p.host: p.also for g in report.groups for p in g.hosts}
    assert also == {
        "a.b.example.com": ["c.a.b.example.com"],
        "ab.example.com": [],
        "b.example.com": ["a.b.example.com", "c.a.b.example.com"],
        "c.a.b.example.com": [],
    }
