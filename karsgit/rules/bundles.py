"""Bundle rules: what ``karsgit verify`` reports about the committed bundles, their
refs and their signatures (the kars controller's checks, made in CI first).

``bundle-missing``
    A bundled sandbox (``Strict``, or any mode with inline endpoints or an
    ``allowlistRef``: the controller reads its bundle whatever the mode) has no
    ``allowlist.yaml`` under the bundle directory. Run ``karsgit compile``.

    Fails:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``.

``bundle-stale``
    The committed bundle differs from what ``karsgit compile`` makes from the
    manifest now (endpoints or generation).

    Fails:

    (an endpoint added to the manifest after ``compile``)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: dev.azure.com
            port: 443
        allowlistRef:
          registry: registry.example
          repository: policy/egress-allowlist/web
          digest: sha256:4b83066a9119fe27884f494d4c5c6b7733e2306d8e6f19fff7147f9c2c64abf1
          artifactType: application/vnd.kars.egress-allowlist.v1+yaml
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``, then ``karsgit sign``.

``bundle-noncanonical``
    The committed bytes fail the controller's strict parse: key order,
    duplicates or order of endpoints, unknown keys, ``\\r``, tabs, comments,
    quotes, a missing or extra trailing newline.

    Fails:

    (a comment added to the bundle)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml .kars/bundles/kars-system/web/allowlist.yaml
    # reviewed by ops
    apiVersion: kars.dev/v1alpha1
    kind: EgressAllowlist
    metadata:
      generation: 1
    spec:
      endpoints:
        - host: api.github.com
          port: 443
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``; never edit a bundle by hand.

``bundle-orphan``
    A bundle (or signature) with no bundled sandbox of that namespace and
    name in the repository. Delete the directory, or restore the sandbox.

    Fails:

    (the sandbox is deleted, its bundle stays)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ rm web.yaml
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Delete the bundle directory, or restore the sandbox.

``allowlistref-mismatch``
    ``spec.networkPolicy.allowlistRef`` is missing, or its digest, repository,
    registry or artifact type disagree with the committed bundle; the
    controller would fetch something else.

    Fails:

    (the manifest loses the ``allowlistRef`` that ``compile`` wrote)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``, which writes the ``allowlistRef``.

``inline-drift``
    The inline ``allowedEndpoints`` are not set-equal to the committed bundle's
    endpoints: the controller reports drift and enforces the signed list, so
    what reviewers read is not what runs.

    Fails:

    (an endpoint added to the manifest after ``compile``)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    ```

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
          - host: dev.azure.com
            port: 443
        allowlistRef:
          registry: registry.example
          repository: policy/egress-allowlist/web
          digest: sha256:4b83066a9119fe27884f494d4c5c6b7733e2306d8e6f19fff7147f9c2c64abf1
          artifactType: application/vnd.kars.egress-allowlist.v1+yaml
    ```

    ```console
    $ karsgit verify
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ karsgit verify
    ```

    Fix: Run ``karsgit compile``, then ``karsgit sign``.

``signature-missing``
    No ``allowlist.cosign.json`` (the cosign signature the controller reads)
    next to the bundle; in key mode, no ``allowlist.yaml.sigstore.json``. A
    bundle signed only with a key, checked against a controller policy, is
    reported here: the controller never accepts key signatures. Run
    ``karsgit sign --keyless``.

    Fails:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ karsgit verify --key ../cosign.pub
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../cosign.pub
    ```

    Fix: Run ``karsgit sign``.

``signature-invalid``
    The signature artifact is unreadable or truncated, was made for another
    repository or digest (or other bytes), or does not verify (signature,
    certificate chain, the Rekor entry and its SET).

    Fails:

    (the Sigstore bundle truncated)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    ```

    ```json .kars/bundles/kars-system/web/allowlist.yaml.sigstore.json
    {}
    ```

    ```console
    $ karsgit verify --key ../cosign.pub
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../cosign.pub
    ```

    Fix: Run ``karsgit sign`` again; if it still fails, check the trust given to
    ``verify``.

``signer-mismatch``
    A sound signature by a key or identity that the trust policy (``--key``,
    ``--cert-identity``/``--cert-oidc-issuer`` or the signer-policy ConfigMap)
    does not allow.

    Fails:

    (signed with one key, verified with another)

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../other
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../other.pub
    ```

    Passes:

    ```yaml web.yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    ```console
    $ KARS_REGISTRY=registry.example karsgit compile
    $ COSIGN_PASSWORD=example karsgit keygen --output-prefix ../cosign
    $ COSIGN_PASSWORD=example karsgit sign --key ../cosign.key
    $ karsgit verify --key ../cosign.pub
    ```

    Fix: Sign with an allowed key or identity, or fix the trust given to ``verify``.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules.base import RuleInfo

E = Severity.ERROR

RULES = (
    RuleInfo("bundle-missing", E, "a bundled sandbox has no committed bundle"),
    RuleInfo("bundle-stale", E, "the committed bundle differs from a fresh compile"),
    RuleInfo("bundle-noncanonical", E, "the committed bundle fails the controller's strict parse"),
    RuleInfo("bundle-orphan", E, "a committed bundle belongs to no bundled sandbox"),
    RuleInfo("allowlistref-mismatch", E, "allowlistRef is missing or disagrees with the bundle"),
    RuleInfo("inline-drift", E, "inline allowedEndpoints differ from the committed bundle"),
    RuleInfo("signature-missing", E, "a bundle has no signature the check can use"),
    RuleInfo("signature-invalid", E, "a bundle's signature does not verify"),
    RuleInfo("signer-mismatch", E, "a bundle is signed by a signer the policy does not allow"),
)
