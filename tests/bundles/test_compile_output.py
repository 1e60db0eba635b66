"""compile prints one summary line; the per-file lines only with -v."""

from __future__ import annotations

from tests.support.repos import sandbox

CONFIG = "bundles:\n  registry: registry.example.test\n"


def _three(repo) -> None:
    repo.write(".karsgit.yaml", CONFIG)
    for name in ("a", "b", "c"):
        repo.write(f"sandboxes/{name}.yaml", sandbox(name))
    repo.commit()


def test_compile_prints_a_summary(repo, karsgit) -> None:
    _three(repo)
    done = karsgit("compile")
    assert done.code == 0
    assert done.out == (
        "compile: wrote 3 bundles, 3 manifests and the kustomization guard (-v lists them)\n"
    )


def test_compile_verbose_lists_every_file(repo, karsgit) -> None:
    _three(repo)
    done = karsgit("compile", "-v")
    assert done.out.splitlines() == [
        "wrote .kars/bundles/kars-system/a/allowlist.yaml",
        "wrote .kars/bundles/kars-system/b/allowlist.yaml",
        "wrote .kars/bundles/kars-system/c/allowlist.yaml",
        "wrote sandboxes/a.yaml",
        "wrote sandboxes/b.yaml",
        "wrote sandboxes/c.yaml",
        "wrote .kars/bundles/kustomization.yaml",
        "compile: wrote 3 bundles, 3 manifests and the kustomization guard",
    ]


def test_global_verbose_lists_them_too(repo, karsgit) -> None:
    _three(repo)
    done = karsgit("-v", "compile")
    assert "wrote sandboxes/b.yaml" in done.out.splitlines()


def test_one_of_each_is_singular(repo, karsgit) -> None:
    _three(repo)
    assert karsgit("compile").code == 0
    repo.write("sandboxes/b.yaml", sandbox("b").replace("api.github.com", "pyindex.org"))
    done = karsgit("compile")
    assert done.out == "compile: wrote 1 bundle and 1 manifest (-v lists them)\n"
