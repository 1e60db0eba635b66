"""The bundle layout of rendered roots (karsgit.bundle.layout): a root's bundles
sit under its own folders, plain ones keep `<dir>/<namespace>/<name>/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from karsgit.bundle.layout import bundle_rel, in_bundle_dir, is_bundle_file, sandbox_of
from karsgit.bundle.plan import committed_bundles
from karsgit.edit.paths import UnsafePath
from karsgit.settings import Settings
from karsgit.source.objects import SANDBOX, ObjectRef

REF = ObjectRef(SANDBOX, "kars-system", "research-agent")


def test_a_plain_sandbox_keeps_the_old_path() -> None:
    settings = Settings(root=Path("."))
    assert bundle_rel(settings, REF) == ".kars/bundles/kars-system/research-agent/allowlist.yaml"


@pytest.mark.parametrize(
    ("root", "rel"),
    [
        ("apps/overlays/prod", ".kars/bundles/apps/overlays/prod/kars-system/research-agent/"),
        ("prod", ".kars/bundles/prod/kars-system/research-agent/"),
        ("", ".kars/bundles/_root/kars-system/research-agent/"),
    ],
)
def test_a_rendered_sandbox_sits_under_its_root(root: str, rel: str) -> None:
    settings = Settings(root=Path("."))
    path = bundle_rel(settings, REF, root=root)
    assert path == rel + "allowlist.yaml"
    assert is_bundle_file(settings, path)
    assert sandbox_of(settings, path) == REF


def test_two_roots_and_a_plain_sandbox_never_share_a_path() -> None:
    settings = Settings(root=Path("."))
    paths = {
        bundle_rel(settings, REF),
        bundle_rel(settings, REF, root="apps/overlays/prod"),
        bundle_rel(settings, REF, root="apps/overlays/staging"),
        bundle_rel(settings, REF, root=""),
    }
    assert len(paths) == 4


def test_a_root_folder_that_is_not_a_plain_name_is_refused() -> None:
    with pytest.raises(UnsafePath):
        bundle_rel(Settings(root=Path(".")), REF, root="apps/../../etc")


def test_committed_bundles_finds_plain_and_rendered_ones(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path)
    for rel in (
        bundle_rel(settings, REF),
        bundle_rel(settings, REF, root="apps/overlays/prod"),
    ):
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / ".kars/bundles/kustomization.yaml").write_text("resources: []\n")
    assert committed_bundles(settings) == [
        ".kars/bundles/apps/overlays/prod/kars-system/research-agent/allowlist.yaml",
        ".kars/bundles/kars-system/research-agent/allowlist.yaml",
    ]


def test_the_bundle_directory_is_never_a_root() -> None:
    settings = Settings(root=Path("."))
    assert in_bundle_dir(settings, ".kars/bundles")
    assert in_bundle_dir(settings, ".kars/bundles/x")
    assert not in_bundle_dir(settings, ".kars/bundles-old")
