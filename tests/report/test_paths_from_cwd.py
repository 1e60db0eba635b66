"""Inside a subdirectory, text and parsable paths are relative to it (as yamllint
and ruff print them); json, sarif, github and junit stay repository-relative."""

from __future__ import annotations

import json

import pytest

from tests.support.repos import sandbox

BAD = sandbox("dev").replace("api.github.com", "API.github.com")


@pytest.fixture
def nested(repo, monkeypatch):
    repo.write("clusters/dev/dev.yaml", BAD)
    repo.write("clusters/prod/prod.yaml", BAD.replace("name: dev", "name: prod"))
    repo.commit()
    monkeypatch.chdir(repo.path / "clusters" / "dev")
    return repo


def test_parsable_is_relative_to_the_working_directory(nested, karsgit) -> None:
    done = karsgit("check", "-f", "parsable")
    assert done.code == 1
    assert [line.split(":", 1)[0] for line in done.out.splitlines()] == [
        "../prod/prod.yaml",
        "dev.yaml",
    ]


def test_text_is_relative_to_the_working_directory(nested, karsgit) -> None:
    out = karsgit("check", "dev.yaml").out
    assert out.splitlines()[0] == "dev.yaml"
    assert "clusters/dev" not in out


def test_machine_formats_stay_repository_relative(nested, karsgit) -> None:
    data = json.loads(karsgit("check", "-f", "json").out)
    assert sorted({f["path"] for f in data["findings"]}) == [
        "clusters/dev/dev.yaml",
        "clusters/prod/prod.yaml",
    ]
    github = karsgit("check", "-f", "github").out
    assert "file=clusters/dev/dev.yaml," in github
    sarif = json.loads(karsgit("check", "-f", "sarif").out)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"]
    }
    assert uris == {"clusters/dev/dev.yaml", "clusters/prod/prod.yaml"}


def test_at_the_root_nothing_changes(repo, karsgit) -> None:
    repo.write("clusters/dev/dev.yaml", BAD)
    repo.commit()
    out = karsgit("check", "-f", "parsable").out
    assert out.startswith("clusters/dev/dev.yaml:10:15: [error] ")
