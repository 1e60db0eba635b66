"""One finalize step: a suppression comment means the same under every command
that reports findings (issue 9, bug 2)."""

from __future__ import annotations

from tests.support.repos import sandbox

IGNORE_NOOP = '  # karsgit: ignore[noop-edit] reason="quote style"'


def test_check_base_applies_a_suppression_on_the_findings_line(repo, karsgit):
    repo.write("a.yaml", sandbox() + "      - host: dev.azure.com\n        port: 443\n")
    repo.commit()
    text = (repo.path / "a.yaml").read_text()
    quoted = text.replace("      - host: api.github.com", '      - host: "api.github.com"')
    repo.write("a.yaml", quoted)
    done = karsgit("check", "--base", "HEAD", "-f", "parsable")
    (line,) = [x for x in done.out.splitlines() if "(noop-edit)" in x]
    lineno = int(line.split(":")[1])
    lines = quoted.splitlines(keepends=True)
    lines[lineno - 1] = lines[lineno - 1].rstrip("\n") + IGNORE_NOOP + "\n"
    repo.write("a.yaml", "".join(lines))
    done = karsgit("check", "--base", "HEAD", "-f", "parsable")
    assert "(noop-edit)" not in done.out, done.out
    data = karsgit("check", "--base", "HEAD", "-f", "json").out
    assert '"noop-edit"' in data and '"quote style"' in data  # kept, marked suppressed


def test_verify_applies_a_suppression(repo, karsgit, monkeypatch):
    monkeypatch.setenv("KARS_REGISTRY", "registry.example.test")
    repo.write("a.yaml", sandbox())
    assert karsgit("compile").code == 0
    text = (repo.path / "a.yaml").read_text()
    digest_line = next(x for x in text.splitlines() if "digest:" in x)
    edited = text.replace(digest_line, digest_line[:-4] + "0000")
    repo.write("a.yaml", edited)
    done = karsgit("verify", "-f", "parsable")
    assert "(allowlistref-mismatch)" in done.out
    ignore = '  # karsgit: ignore[allowlistref-mismatch] reason="pinned by hand"'
    repo.write(
        "a.yaml", edited.replace(digest_line[:-4] + "0000", digest_line[:-4] + "0000" + ignore)
    )
    done = karsgit("verify", "-f", "parsable")
    assert "(allowlistref-mismatch)" not in done.out, done.out
