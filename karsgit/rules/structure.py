"""Structure rules: files that cannot be read as kars manifests.

Parse failures are data, not exceptions (check-jsonschema's way): the loader
(``karsgit/source/load.py``) and discovery report them as these rule ids while
reading, since only the reader knows where a file stopped making sense.

``syntax``
    The file is not valid YAML (unclosed quote, bad indentation, a tab used for
    indentation, an alias bomb, nesting deeper than 100 levels), or the cluster's
    decoder refuses a document (a value its explicit tag cannot read, such as
    ``!!int abc``; a merge key ``<<`` on a scalar). Nothing else is checked in a
    document that does not parse, so fix this first.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: 'api.github.com
            port: 443
    ```

    Passes:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: Strict
        allowedEndpoints:
          - host: 'api.github.com'
            port: 443
    ```

    Fix: Fix the YAML syntax at the reported position; nothing else is checked until it
    parses.

``schema``
    A KarsSandbox or EgressApproval violates karsgit's schema, which is at least as
    strict as the cluster's CRD: unknown fields in ``spec.networkPolicy``, a wrong
    type, an ``egressMode`` other than ``Strict``/``Learn``, a malformed
    ``allowlistRef``, an apiVersion of the kars group that kars does not serve, or
    a document that is a list or a scalar instead of an object.

    Fails:

    ```yaml
    apiVersion: kars.azure.com/v1alpha1
    kind: KarsSandbox
    metadata:
      name: web
      namespace: kars-system
    spec:
      networkPolicy:
        egressMode: strict   # must be Strict or Learn
        allowedEndpoints:
          - host: api.github.com
            port: 443
    ```

    Passes:

    ```yaml
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

    Fix: Correct the field as the message says (see docs/schemas.md).

``duplicate-key``
    A mapping key given twice. YAML readers disagree on which value wins (the
    cluster keeps one, a reviewer sees the other): an ambiguous edit. This
    includes a key written before a merge key ``<<`` that merges the same key:
    kubectl (go-yaml v2) takes the merged value, kustomize (go-yaml v3) the
    explicit one.

    Fails:

    ```yaml
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
            port: 80
    ```

    Passes:

    ```yaml
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

    Fix: Remove one of the two keys.

``encoding``
    The file is binary or not UTF-8; Kubernetes tools read UTF-8 YAML only.

    Fails:

    (a manifest saved as UTF-16)

    ```yaml encoding=utf-16
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

    Passes:

    (the same manifest saved as UTF-8)

    ```yaml
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

    Fix: Save the file as UTF-8.

``file-too-large``
    The file is over ``max_file_bytes`` (default 10 MiB) and was not read, which
    keeps memory bounded.

    Fails:

    (an 11 MiB file, over the default ``max_file_bytes`` of 10 MiB)

    ```console
    $ truncate -s 11M big.yaml
    ```

    Passes:

    (manifests under max_file_bytes, default 10 MiB)

    ```yaml
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

    Fix: Split the file, or raise ``max_file_bytes`` in ``.karsgit.yaml``.

``unreadable``
    The file could not be read (permissions, a dangling link).

    Fails:

    (a file without read permission)

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
    $ chmod 000 web.yaml
    ```

    Passes:

    (a readable regular file)

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

    Fix: Fix the path or its permissions.

``unsafe-path``
    A symbolic link that points outside the repository; karsgit does not follow
    it, because a manifest must live in the reviewed tree.

    Fails:

    (``web.yaml`` links to a file outside the repository)

    ```console
    $ ln -s /etc/kars/web.yaml web.yaml
    ```

    Passes:

    (``web.yaml`` is a regular file in the repository)

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

    Fix: Commit the manifest itself instead of a link outside the repository.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules.base import RuleInfo

E, W = Severity.ERROR, Severity.WARNING

RULES = (
    RuleInfo("syntax", E, "the file is not valid YAML"),
    RuleInfo("schema", E, "a kars object violates the schema"),
    RuleInfo("duplicate-key", E, "a mapping key is given twice"),
    RuleInfo("encoding", E, "the file is binary or not UTF-8"),
    RuleInfo("file-too-large", E, "the file is over the size limit and was not read"),
    RuleInfo("unreadable", E, "the file could not be read"),
    RuleInfo("unsafe-path", W, "a symbolic link points outside the repository"),
)
