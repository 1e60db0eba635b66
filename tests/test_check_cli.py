"""`karsgit check` end to end in real git repositories: discovery, config, exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import Repo, sandbox

BAD = sandbox().replace("Strict", "Strikt")


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def test_discovery_uses_tracked_and_untracked_not_ignored(repo: Repo, karsgit) -> None:
    repo.write(".gitignore", "ignored/\n")
    repo.write("tracked/sb.yaml", BAD)
    repo.commit()
    repo.write("untracked/sb.yml", BAD)
    repo.write("ignored/sb.yaml", BAD)
    repo.write("other/sb.json", BAD)
    result = karsgit("check", "-f", "parsable")
    paths = sorted({line.split(":")[0] for line in lines(result.out)})
    assert paths == ["tracked/sb.yaml", "untracked/sb.yml"]
    assert result.code == 1


def test_include_and_exclude_globs(repo: Repo, karsgit) -> None:
    repo.write(".karsgit.yaml", "include: ['clusters/**/*.yaml']\nexclude: ['**/legacy/**']\n")
    repo.write("clusters/prod/sb.yaml", BAD)
    repo.write("clusters/prod/legacy/sb.yaml", BAD)
    repo.write("apps/sb.yaml", BAD)
    result = karsgit("check", "-f", "parsable")
    assert [line.split(":")[0] for line in lines(result.out)] == ["clusters/prod/sb.yaml"]


def test_explicit_paths_are_exactly_those_files(repo: Repo, karsgit) -> None:
    repo.write("a.yaml", BAD.replace("name: agent", "name: a"))
    repo.write("b.yaml", BAD.replace("name: agent", "name: b"))
    result = karsgit("check", "-f", "parsable", "b.yaml")
    assert [line.split(":")[0] for line in lines(result.out)] == ["b.yaml"]


def test_multi_document_positions(repo: Repo, karsgit) -> None:
    second = BAD.replace("name: agent", "name: second")
    repo.write(
        "multi.yaml", "apiVersion: v1\nkind: ConfigMap\n---\n" + sandbox() + "---\n" + second
    )
    result = karsgit("check", "-f", "parsable", "multi.yaml")
    assert lines(result.out) == [
        'multi.yaml:23:17: [error] spec.networkPolicy.egressMode: "Strikt" is not one of '
        '"Strict" or "Learn" (schema)'
    ]


def test_rule_severity_and_off(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", BAD + "    defaultDeny: true\n    defaultDeny: false\n")
    repo.write(".karsgit.yaml", "rules:\n  schema: warning\n  duplicate-key: 'off'\n")
    result = karsgit("check", "-f", "parsable", "sb.yaml")
    assert result.code == 0
    assert lines(result.out) == [
        'sb.yaml:8:17: [warning] spec.networkPolicy.egressMode: "Strikt" is not one of '
        '"Strict" or "Learn" (schema)'
    ]


def test_fail_on_threshold(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", BAD)
    repo.write(".karsgit.yaml", "rules: {schema: warning}\nfail_on: warning\n")
    assert karsgit("check", "sb.yaml").code == 1
    assert karsgit("check", "--fail-on", "error", "sb.yaml").code == 0


@pytest.mark.parametrize(
    ("config", "first_line"),
    [
        ("inclde: ['*.yaml']\n", ".karsgit.yaml:1: unknown key 'inclde'"),
        ("rules:\n  schema: loud\n", ".karsgit.yaml:2: key 'rules.schema': \"loud\" is not one of"),
        (
            "include: '*.yaml'\n",
            '.karsgit.yaml:1: key \'include\': "*.yaml" is not of type "array"',
        ),
        ("rules:\n  no-such-rule: error\n", ".karsgit.yaml:2: unknown rule id 'no-such-rule'"),
        ("max_file_bytes: [1]\n", ".karsgit.yaml:1: key 'max_file_bytes'"),
        ("include: [\n", ".karsgit.yaml:2: yaml syntax error"),
    ],
)
def test_bad_config_is_exit_3(repo: Repo, karsgit, config: str, first_line: str) -> None:
    repo.write(".karsgit.yaml", config)
    repo.write("sb.yaml", sandbox())
    result = karsgit("check")
    assert result.code == 3
    err = result.err.splitlines()
    assert len(err) == 2 and err[1].startswith("hint: ")
    assert err[0].startswith(f"karsgit: error: {repo.path}/{first_line}"), err[0]
    assert "Traceback" not in result.err


def test_several_formats_in_one_run(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", BAD)
    result = karsgit("check", "-f", "parsable", "-f", "json:out/report.json", "-f", "sarif:r.sarif")
    assert result.code == 1
    assert lines(result.out)[0].startswith("sb.yaml:8:17: [error]")
    report = json.loads((repo.path / "out/report.json").read_text())
    assert report["findings"][0]["rule_id"] == "schema"
    assert report["findings"][0]["json_path"] == "$.spec.networkPolicy.egressMode"
    sarif = json.loads((repo.path / "r.sarif").read_text())
    assert sarif["version"] == "2.1.0"


def test_unknown_format_is_usage_error(repo: Repo, karsgit) -> None:
    result = karsgit("check", "-f", "yaml")
    assert result.code == 2
    assert result.err.splitlines()[0] == "karsgit: error: unknown format 'yaml'"


def test_unknown_option_is_usage_error(repo: Repo, karsgit) -> None:
    result = karsgit("check", "--frobnicate")
    assert result.code == 2
    assert result.err.startswith("karsgit: error: No such option '--frobnicate'")


def test_outside_git_repository(tmp_path, monkeypatch, karsgit) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sb.yaml").write_text(BAD)
    assert karsgit("check", "-f", "parsable", "sb.yaml").code == 1
    result = karsgit("check")
    assert result.code == 3
    assert result.err.startswith("karsgit: error: git ls-files failed")


def test_internal_error_is_exit_4_without_traceback(repo: Repo, karsgit, monkeypatch) -> None:
    import karsgit.run.check as pipeline

    def boom(*_: object) -> None:
        raise ValueError("kaboom")

    monkeypatch.setattr(pipeline, "discover", boom)
    result = karsgit("check")
    assert result.code == 4
    assert result.err.splitlines()[0] == "karsgit: error: internal error: ValueError: kaboom"
    assert "Traceback" not in result.err
    assert "Traceback" in karsgit("--verbose", "check").err


def test_interrupt_is_exit_130(repo: Repo) -> None:
    repo.write("sb.yaml", sandbox())
    code = (
        "import time, karsgit.run.check as p\n"
        "p.discover = lambda *a: time.sleep(30)\n"
        "from karsgit.cli import main\nmain(['check'])\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=repo.path, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert err.strip() == "karsgit: error: interrupted"


def test_text_format_groups_by_file_with_hints(repo: Repo, karsgit) -> None:
    repo.write("sb.yaml", BAD)
    result = karsgit("check")
    assert "\x1b[" not in result.out  # not a tty: no colour
    assert result.out.splitlines()[:3] == [
        "sb.yaml",
        '  8:17      error    spec.networkPolicy.egressMode: "Strikt" is not one of '
        '"Strict" or "Learn"  (schema)',
        "    hint: write one of: Strict, Learn",
    ]
