"""Running the real kustomize: the ``kustomize`` binary when on PATH, else
``kubectl kustomize`` (kustomize v5 ships inside kubectl). Choice and figures in
docs/design-choices.md. Subprocesses only; nothing is written to the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from karsgit.errors import KarsgitError
from karsgit.settings import Settings

RENDERERS = ("auto", "kustomize", "kubectl")
TIMEOUT_SECONDS = 300.0
_TIMED_OUT = -9  # the returncode a timed-out run is given here
# kustomize names the source of each object (origin) and the kustomizations that
# changed it (transformations) only when asked, from a kustomization's
# buildMetadata: a throwaway wrapper outside the repository asks for both.
_WRAPPER = "resources:\n  - {target}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"
_KLOG = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err="(.*)"$')


@dataclass(frozen=True)
class Renderer:
    argv: tuple[str, ...]  # the command before the directory
    timeout: float = TIMEOUT_SECONDS  # per kustomize process (render.timeout)


@dataclass(frozen=True)
class Output:
    text: str  # the rendered stream, with origin annotations
    wrapper: str  # the wrapper directory the annotation paths are relative to
    error: str = ""  # kustomize's own message when it failed
    timed_out: bool = False  # it ran past render.timeout and was stopped


def renderer_for(settings: Settings) -> Renderer:
    return find_renderer(settings.renderer, settings.render_timeout)


def find_renderer(choice: str, timeout: float = TIMEOUT_SECONDS) -> Renderer:
    kustomize = shutil.which("kustomize") if choice in ("auto", "kustomize") else None
    if kustomize:
        return Renderer((kustomize, "build"), timeout)
    kubectl = shutil.which("kubectl") if choice in ("auto", "kubectl") else None
    if kubectl:
        return Renderer((kubectl, "kustomize"), timeout)
    wanted = {"auto": "kustomize or kubectl", "kustomize": "kustomize", "kubectl": "kubectl"}
    raise KarsgitError(
        f"{wanted[choice]} is not on PATH; the repository has kustomizations to render",
        "install kubectl (it ships kustomize v5) or the kustomize binary, "
        "or set 'render: {enabled: false}' in .karsgit.yaml to judge the raw files",
    )


def render(renderer: Renderer, root: Path, directory: str) -> Output:
    """Render one kustomization root; a failure is an Output with kustomize's message."""
    target = root / directory if directory else root
    with tempfile.TemporaryDirectory(prefix="karsgit-render-") as wrapper:
        relative = os.path.relpath(target, wrapper)
        Path(wrapper, "kustomization.yaml").write_text(_WRAPPER.format(target=relative))
        done = _run(renderer, wrapper)
        if done.returncode == 0:
            return Output(done.stdout, wrapper)
    if done.returncode == _TIMED_OUT:  # a second run would wait as long again
        return Output("", "", done.stderr, timed_out=True)
    # Again without the wrapper, so the message names the user's paths, not ours.
    plain = _run(renderer, str(target), cwd=root)
    return Output("", "", _message(plain.stderr or done.stderr, root))


def _run(
    renderer: Renderer, target: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [*renderer.argv, target],
            capture_output=True,
            text=True,
            timeout=renderer.timeout,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(
            [],
            _TIMED_OUT,
            "",
            f"kustomize did not finish within render.timeout ({renderer.timeout:g} s)",
        )
    except OSError as error:
        raise KarsgitError(
            f"cannot run {renderer.argv[0]}: {error.strerror or error}",
            "check the renderer installation, or set render.renderer in .karsgit.yaml",
        ) from error


def _message(stderr: str, root: Path) -> str:
    """kustomize's own message, on one line, with the repository path left out."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if lines and lines[0].endswith("err=<"):  # klog's multi-line form: err=< ... >
        text = " ".join(line for line in lines[1:] if line not in (">", "`"))
    else:
        text = lines[-1] if lines else "kustomize failed without a message"
    klog = _KLOG.match(text)
    if klog:
        text = klog.group(1).replace('\\"', '"')
    text = text.removeprefix("Error: ").removeprefix("error: ")
    return text.replace(str(root) + "/", "").replace(str(root), ".")


def render_roots(renderer: Renderer, root: Path, roots: Sequence[str]) -> list[Output]:
    """Each root in its own kustomize process, a few at a time: the renders are
    independent and mostly process start-up (docs/design-choices.md)."""
    if len(roots) <= 1:
        return [render(renderer, root, r) for r in roots]
    from concurrent.futures import ThreadPoolExecutor  # ~5 ms: not for the one root of a hook

    from karsgit import workers

    threads = min(len(roots), workers.worker_count() * 2)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda r: render(renderer, root, r), roots))
