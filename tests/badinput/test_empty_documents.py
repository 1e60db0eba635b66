"""Empty documents are not findings, as kubectl skips them (issue 10, item 18).

A trailing ``---``, a document of comments only, or one that is just ``~`` or
``null`` beside a kars object: kubectl applies the object and ignores the rest,
so ``check`` reports nothing and ``compile`` writes the bundle. A document that
is a real scalar (a string, a number) is still reported, as kubectl refuses it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import kube
from tests.support.corpus import SANDBOX, where
from tests.support.repos import Repo

EMPTY = {
    "trailing-separator": SANDBOX + "---\n",
    "two-trailing-separators": SANDBOX + "---\n---\n",
    "leading-separator-and-comment": "---\n# the agent's sandbox\n---\n" + SANDBOX,
    "tilde": SANDBOX + "---\n~\n",
    "null": SANDBOX + "---\nnull\n",
    "comments-only": SANDBOX + "---\n# nothing here yet\n",
    "document-end": SANDBOX + "...\n",
}


@pytest.mark.parametrize("text", EMPTY.values(), ids=EMPTY.keys())
def test_empty_documents_are_not_findings(text: str) -> None:
    assert where(text) == []


@kube.needs_kubectl
@pytest.mark.parametrize("text", EMPTY.values(), ids=EMPTY.keys())
def test_kubectl_reads_just_the_sandbox(tmp_path: Path, text: str) -> None:
    [obj] = kube.decode(tmp_path, text)
    assert obj["kind"] == "KarsSandbox"


@pytest.mark.parametrize("text", [EMPTY["trailing-separator"], EMPTY["comments-only"]])
def test_compile_is_not_refused(repo: Repo, karsgit, monkeypatch, text: str) -> None:
    monkeypatch.setenv("KARS_REGISTRY", "registry.example")
    repo.write("sb.yaml", text)
    result = karsgit("compile")
    assert result.code == 0, result.out + result.err
    assert (repo.path / ".kars/bundles/kars-system/web/allowlist.yaml").is_file()


@pytest.mark.parametrize(("scalar", "line"), [('""', 13), ("just words", 13), ("5", 13)])
def test_a_scalar_document_is_still_reported(scalar: str, line: int) -> None:
    assert where(SANDBOX + "---\n" + scalar + "\n") == [(line, 1, "schema")]


@kube.needs_kubectl
@pytest.mark.parametrize("scalar", ['""', "just words", "5"])
def test_kubectl_refuses_a_scalar_document(tmp_path: Path, scalar: str) -> None:
    with pytest.raises(kube.Refused):
        kube.decode(tmp_path, SANDBOX + "---\n" + scalar + "\n")
