"""The fast allowlistRef edit: exact text, or a refusal that falls back to ruamel."""

from __future__ import annotations

import pytest

from karsgit.edit.rewrite import set_mapping
from karsgit.edit.splice import set_block_mapping
from tests.conftest import sandbox

PATH = ("spec", "networkPolicy", "allowlistRef")
REF = {
    "registry": "registry.example",
    "repository": "policy/egress-allowlist/agent",
    "digest": "sha256:" + "ab" * 32,
    "artifactType": "application/vnd.kars.egress-allowlist.v1+yaml",
}


def test_inserts_after_the_last_entry_keeping_everything_else() -> None:
    text = "# head comment\n" + sandbox().replace("port: 443", "port: 443  # https")
    out = set_block_mapping(text, 0, PATH, REF)
    assert out == text + (
        "    allowlistRef:\n"
        "      registry: registry.example\n"
        "      repository: policy/egress-allowlist/agent\n"
        f"      digest: sha256:{'ab' * 32}\n"
        "      artifactType: application/vnd.kars.egress-allowlist.v1+yaml\n"
    )


def test_replaces_an_existing_ref_in_its_key_order() -> None:
    first = set_block_mapping(sandbox(), 0, PATH, REF)
    assert first is not None
    moved = {**REF, "digest": "sha256:" + "cd" * 32}
    reordered = {k: moved[k] for k in reversed(list(moved))}
    out = set_block_mapping(first + "---\n" + sandbox("other"), 0, PATH, reordered)
    assert out == first.replace("ab" * 32, "cd" * 32) + "---\n" + sandbox("other")


def test_second_document_and_trailing_content() -> None:
    text = sandbox("one") + "---\n" + sandbox("two") + "# trailing note\n"
    out = set_block_mapping(text, 1, PATH, REF)
    assert out is not None
    assert out.startswith(sandbox("one") + "---\n" + sandbox("two") + "    allowlistRef:\n")
    assert out.endswith("application/vnd.kars.egress-allowlist.v1+yaml\n# trailing note\n")


@pytest.mark.parametrize(
    "text",
    [
        sandbox().replace("  networkPolicy:\n", "  networkPolicy: {egressMode: Strict}\n  x:\n"),
        sandbox() + "    allowlistRef: {registry: r}\n",
        sandbox() + "    allowlistRef:\n      registry: r  # pinned\n",
    ],
)
def test_refuses_what_it_cannot_splice_exactly(text: str) -> None:
    assert set_block_mapping(text, 0, PATH, REF) is None


def test_values_needing_quotes_are_quoted_and_verified() -> None:
    odd = {**REF, "repository": "yes", "registry": "a: b"}
    out = set_block_mapping(sandbox(), 0, PATH, odd)
    assert out is not None
    assert '      repository: "yes"\n' in out and '      registry: "a: b"\n' in out


def test_set_mapping_falls_back_to_the_round_trip() -> None:
    text = sandbox() + "    allowlistRef: {registry: r}\n"
    out = set_mapping(text, 0, PATH, REF)
    assert "digest: sha256:" in out and "registry: registry.example" in out
