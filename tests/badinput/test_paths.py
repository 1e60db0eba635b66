"""Issue 10 item 7 (and the name cases of item 14): no command writes outside the
repository or into .git, and none follows a link out of it; each refuses with
one line (exit 3) and leaves everything as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.fs import BUNDLE, CONFIG, MANIFEST, gitops, one_line_error, snapshot
from tests.support.repos import Repo, sandbox

SCHEMA_OFF = CONFIG + 'rules:\n  schema: "off"\n'


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("untouched\n")
    return folder


def _refused(result, before: dict, outside: Path) -> None:
    assert result.code == 3, (result.out, result.err)
    assert one_line_error(result.err), result.err
    assert snapshot(outside) == before


@pytest.mark.parametrize("name", ["../x", "../../outside/x", "a/b"])
@pytest.mark.parametrize("command", [("compile",), ("compile", "--check"), ("verify",)])
def test_sandbox_name_with_a_path_is_refused(repo: Repo, karsgit, outside, name, command) -> None:
    gitops(repo, SCHEMA_OFF, name=name)
    before = snapshot(outside)
    result = karsgit(*command)
    _refused(result, before, outside)
    assert "as a bundle folder" in result.err
    assert not (repo.path / ".kars").exists()
    assert not (repo.path / "x").exists()


@pytest.mark.parametrize("command", [("compile",), ("verify",)])
def test_nul_in_a_name_is_one_line_not_exit_4(repo: Repo, karsgit, command) -> None:
    repo.write(".karsgit.yaml", SCHEMA_OFF)
    repo.write(MANIFEST, sandbox("agent").replace("name: agent", 'name: "a\\0b"'))
    repo.commit()
    result = karsgit(*command)
    assert result.code == 3, result.err
    assert one_line_error(result.err) and "NUL byte" in result.err


@pytest.mark.parametrize("value", ["../outside", "/ABS", ".git/bundles", "a/../../outside", "."])
def test_bundles_dir_must_stay_in_the_repository(repo: Repo, karsgit, outside, value) -> None:
    value = value.replace("/ABS", str(outside / "abs"))
    gitops(repo, CONFIG + f"  dir: {value}\n")
    before = snapshot(outside)
    for command in (("compile",), ("sign", "--keyless"), ("verify",)):
        result = karsgit(*command)
        _refused(result, before, outside)
        assert ".karsgit.yaml:3: key 'bundles.dir'" in result.err
    assert not (repo.path / ".git" / "bundles").exists()


def test_kars_symlink_to_outside_is_refused(repo: Repo, karsgit, outside) -> None:
    gitops(repo)
    (repo.path / ".kars").symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    for command in (("compile",), ("compile", "--check"), ("verify",), ("sign", "--keyless")):
        result = karsgit(*command)
        _refused(result, before, outside)
        assert ".kars is a symlink" in result.err


def test_bundle_folder_symlink_refused_by_compile_and_sign_alike(
    repo: Repo, karsgit, outside
) -> None:
    gitops(repo)
    assert karsgit("compile").code == 0
    bundles = repo.path / ".kars" / "bundles"
    (bundles / "kars-system").rename(outside / "kars-system")
    (bundles / "kars-system").symlink_to(outside / "kars-system", target_is_directory=True)
    before = snapshot(outside)
    for command in (("compile",), ("sign", "--keyless"), ("verify",)):
        result = karsgit(*command)
        _refused(result, before, outside)
        assert ".kars/bundles/kars-system is a symlink" in result.err
        assert "signed" not in result.out


@pytest.mark.parametrize("command", [("verify",), ("compile", "--check")])
def test_bundle_file_symlink_to_outside_is_flagged(repo: Repo, karsgit, outside, command) -> None:
    gitops(repo)
    assert karsgit("compile").code == 0
    bundle = repo.path / BUNDLE
    (outside / "allowlist.yaml").write_bytes(bundle.read_bytes())
    bundle.unlink()
    bundle.symlink_to(outside / "allowlist.yaml")
    result = karsgit(*command)
    assert result.code == 3, (result.out, result.err)
    assert one_line_error(result.err) and f"{BUNDLE} is a symlink" in result.err


@pytest.mark.parametrize("folder", ["../outside", "/ABS", ".git/hooks", "sub/../../outside"])
def test_allow_extra_dir_outside_is_refused(repo: Repo, karsgit, outside, folder) -> None:
    gitops(repo)
    folder = folder.replace("/ABS", str(outside))
    before, hooks = snapshot(outside), snapshot(repo.path / ".git" / "hooks")
    result = karsgit(
        "egress", "allow-extra", "agent", "--host", "example.org", "--ttl", "PT1H",
        "--reason", "test", "--dir", folder,
    )  # fmt: skip
    _refused(result, before, outside)
    assert snapshot(repo.path / ".git" / "hooks") == hooks


def test_allow_extra_dir_through_a_symlink_is_refused(repo: Repo, karsgit, outside) -> None:
    gitops(repo)
    (repo.path / "approvals").symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    result = karsgit(
        "egress", "allow-extra", "agent", "--host", "example.org", "--ttl", "PT1H",
        "--reason", "test", "--dir", "approvals",
    )  # fmt: skip
    _refused(result, before, outside)
    assert "outside the repository" in result.err


def test_allow_extra_for_a_253_character_name(repo: Repo, karsgit) -> None:
    name = ("a" * 62 + ".") * 3 + "b" * 64
    assert len(name) == 253
    gitops(repo, name=name)
    result = karsgit(
        "egress", "allow-extra", name, "--host", "example.org", "--ttl", "PT1H",
        "--reason", "test",
    )  # fmt: skip
    assert result.code == 0, (result.out, result.err)
    written = [p for p in (repo.path / "sandboxes").iterdir() if p.name != "agent.yaml"]
    assert len(written) == 1
    assert len(written[0].name.encode()) <= 255
    assert karsgit("check").code in (0, 1)
    assert "schema" not in karsgit("check", "-f", "parsable").out


def test_keygen_never_replaces_a_dangling_symlink(tmp_path: Path, karsgit, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COSIGN_PASSWORD", "x")
    target = tmp_path / "elsewhere" / "stolen.key"
    (tmp_path / "elsewhere").mkdir()
    os.symlink(target, tmp_path / "cosign.key")
    result = karsgit("keygen")
    assert result.code == 3, (result.out, result.err)
    assert "already exists" in result.err
    assert (tmp_path / "cosign.key").is_symlink() and not target.exists()
    assert not (tmp_path / "cosign.pub").exists()
