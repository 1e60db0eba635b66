"""docs/rules.md documents every rule id of the catalog, as its generator makes it."""

from __future__ import annotations

import importlib.util
import re

from karsgit.rules import catalog
from tests.support.repos import ROOT


def _sections() -> dict[str, str]:
    text = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z0-9-]+)`\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_rule_id_has_a_section() -> None:
    sections = _sections()
    assert sorted(set(catalog()) - set(sections)) == []
    assert sorted(set(sections) - set(catalog())) == []


def test_every_section_has_examples_and_a_fix() -> None:
    for rule_id, body in _sections().items():
        for part in ("**What and why.**", "**Fails:**", "**Passes:**", "**Fix:**"):
            assert part in body, f"{rule_id}: missing {part}"
        assert body.index("**Fails:**") < body.index("**Passes:**") < body.index("**Fix:**")
        assert "```" in body.split("**Passes:**")[0], f"{rule_id}: no failing example"


def test_committed_page_is_what_the_generator_makes() -> None:
    path = ROOT / "tools/gen_rules_docs.py"
    spec = importlib.util.spec_from_file_location("gen_rules_docs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    on_disk = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert on_disk == module.render(), "docs/rules.md is stale: run python tools/gen_rules_docs.py"
