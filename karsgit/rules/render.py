"""Render rules: kustomization roots that karsgit cannot render and judge.

``render-failed``
    kustomize could not render a root (a missing resource, a bad patch). The
    message is kustomize's own, at the kustomization entry it names when it
    names one. The root's files are then judged one by one, as without
    rendering.

    Fails:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
      - base/missing.yaml
    ```

    Passes:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
    ```

    Fix: Fix the entry kustomize names; ``kubectl kustomize DIR`` shows the same error.

``render-remote``
    A root includes a remote base or component (a URL). karsgit renders offline
    and does not fetch it, so the root is judged file by file; vendor the base
    or check the rendered stream with ``karsgit check -``.

    Fails:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
      - https://github.com/example/bases//agents?ref=v1
    ```

    Passes:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
    ```

    Fix: Vendor the base into the repository, or check the rendered stream with
    ``kustomize build DIR | karsgit check -``.

``render-helm``
    A root inflates helm charts (``helmCharts:``), which needs
    ``kustomize build --enable-helm`` and helm; karsgit does not run them.

    Fails:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
    helmCharts:
      - name: agent
        repo: https://charts.example.test
        version: 1.0.0
    ```

    Passes:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
    ```

    Fix: Render the chart in CI (``kustomize build --enable-helm DIR | karsgit check -``),
    or commit its output.

``render-cycle``
    Kustomizations include each other in a cycle; kustomize cannot render it.

    Fails:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
      - other
    ```

    ```yaml other/kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - ..
    ```

    Passes:

    ```yaml base/agent.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: agent
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Learn
    ```

    ```yaml kustomization.yaml
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    resources:
      - base/agent.yaml
    ```

    Fix: Remove the include that closes the loop.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules.base import RuleInfo

E = Severity.ERROR

RULES = (
    RuleInfo("render-failed", E, "kustomize cannot render a kustomization root"),
    RuleInfo("render-remote", E, "a root includes a remote base that is not fetched"),
    RuleInfo("render-helm", E, "a root inflates helm charts, which karsgit does not render"),
    RuleInfo("render-cycle", E, "kustomizations include each other in a cycle"),
)
