"""docs/rules.md documents every rule id of the catalog."""

from __future__ import annotations

import re

from karsgit.rules import catalog
from tests.conftest import ROOT

# Families whose rules carry the full section: what/why, fails, passes, fix.
FULL = {"document", "structure", "hosts", "policy", "references", "approvals", "scalars"}
FULL.add("suppression")


def _sections() -> dict[str, str]:
    text = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z0-9-]+)`\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_rule_id_has_a_section() -> None:
    sections = _sections()
    assert sorted(set(catalog()) - set(sections)) == []
    assert sorted(set(sections) - set(catalog())) == []


def test_full_sections_have_examples_and_a_fix() -> None:
    sections = _sections()
    for rule_id, info in catalog().items():
        if info.family in FULL:
            body = sections[rule_id]
            for part in ("**What and why.**", "**Fails:**", "**Passes:**", "**Fix:**"):
                assert part in body, f"{rule_id}: missing {part}"
