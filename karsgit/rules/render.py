"""Render rules: kustomization roots that karsgit cannot render and judge.

``render-failed``
    kustomize could not render a root (a missing resource, a bad patch). The
    message is kustomize's own, at the kustomization entry it names when it
    names one. The root's files are then judged one by one, as without
    rendering.

``render-remote``
    A root includes a remote base or component (a URL). karsgit renders offline
    and does not fetch it, so the root is judged file by file; vendor the base
    or check the rendered stream with ``karsgit check -``.

``render-helm``
    A root inflates helm charts (``helmCharts:``), which needs
    ``kustomize build --enable-helm`` and helm; karsgit does not run them.

``render-cycle``
    Kustomizations include each other in a cycle; kustomize cannot render it.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules import RuleInfo

E = Severity.ERROR

RULES = (
    RuleInfo("render-failed", E, "kustomize cannot render a kustomization root"),
    RuleInfo("render-remote", E, "a root includes a remote base that is not fetched"),
    RuleInfo("render-helm", E, "a root inflates helm charts, which karsgit does not render"),
    RuleInfo("render-cycle", E, "kustomizations include each other in a cycle"),
)
