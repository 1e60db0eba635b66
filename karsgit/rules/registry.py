"""Registry rules: what ``karsgit verify --registry`` reports when the registry
does not serve what the kars controller fetches for a sandbox's
``allowlistRef`` (the offline rule ids are reused where the meaning is the
same: ``bundle-noncanonical``, ``inline-drift``, ``signature-invalid``,
``signer-mismatch``).

``registry-manifest-missing``
    The repository has no manifest at ``allowlistRef.digest``, or lacks a blob
    that manifest names. The controller reports ``NotFound`` and keeps the last
    good list or fails closed. Run ``karsgit publish``.

    Fails:

    ```console tested-by=tests/registry/test_verify_registry.py::test_nothing_published
    $ karsgit compile
    $ karsgit sign --keyless
    $ karsgit verify --registry
    ```

    Passes:

    ```console tested-by=tests/registry/test_verify_registry.py::test_published_repository_verifies
    $ karsgit compile
    $ karsgit sign --keyless
    $ karsgit publish
    $ karsgit verify --registry
    ```

    Fix: Run ``karsgit publish`` (it uploads the bundle, then its signature).

``registry-digest-mismatch``
    The registry answered bytes whose sha256 is not the digest asked for (the
    manifest, its config or a layer). The controller rejects them.

    Fails:

    ```console tested-by=tests/registry/test_verify_registry.py::test_registry_serving_other_bytes
    $ karsgit verify --registry    # a registry that answers other bytes
    ```

    Passes:

    ```console tested-by=tests/registry/test_verify_registry.py::test_published_repository_verifies
    $ karsgit compile
    $ karsgit sign --keyless
    $ karsgit publish
    $ karsgit verify --registry
    ```

    Fix: Publish to a registry that stores what it is given; ``karsgit publish``
    checks the digest it answers.

``registry-media-type``
    The manifest is not an OCI image manifest, has no layer, or has a layer
    whose media type is not ``application/vnd.kars.egress-allowlist.v1+yaml``.

    Fails:

    ```console tested-by=tests/registry/test_verify_registry.py::test_layer_of_another_media_type
    $ karsgit verify --registry    # a manifest another tool pushed, with another layer type
    ```

    Passes:

    ```console tested-by=tests/registry/test_verify_registry.py::test_published_repository_verifies
    $ karsgit compile
    $ karsgit sign --keyless
    $ karsgit publish
    $ karsgit verify --registry
    ```

    Fix: Publish with ``karsgit publish``, which writes the manifest compile computed.

``registry-signature-missing``
    No ``sha256-<hex>.sig`` tag beside the manifest: the controller finds no
    signature. Run ``karsgit publish`` (it uploads the committed
    ``allowlist.cosign.json``), after ``karsgit sign --keyless``.

    Fails:

    ```console tested-by=tests/registry/test_verify_registry.py::test_signature_tag_missing
    $ karsgit publish --bytes-only
    $ karsgit verify --registry
    ```

    Passes:

    ```console tested-by=tests/registry/test_verify_registry.py::test_published_repository_verifies
    $ karsgit compile
    $ karsgit sign --keyless
    $ karsgit publish
    $ karsgit verify --registry
    ```

    Fix: Run ``karsgit sign --keyless`` on the trusted branch, then ``karsgit publish``.

``registry-signature-foreign``
    The ``.sig`` tag holds a signature for another digest or another
    ``<registry>/<repository>``, or no simple-signing layer: it signs
    something else, so the controller finds no signature for this bundle.

    Fails:

    ```console tested-by=tests/registry/test_verify_registry.py::test_foreign_signature_tag
    $ karsgit verify --registry    # the .sig tag holds another bundle's signature
    ```

    Passes:

    ```console tested-by=tests/registry/test_verify_registry.py::test_published_repository_verifies
    $ karsgit compile
    $ karsgit sign --keyless
    $ karsgit publish
    $ karsgit verify --registry
    ```

    Fix: Run ``karsgit publish``: it replaces a foreign ``.sig`` tag with the committed signature.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules.base import RuleInfo

E = Severity.ERROR

RULES = (
    RuleInfo("registry-manifest-missing", E, "the registry lacks the manifest or one of its blobs"),
    RuleInfo("registry-digest-mismatch", E, "the registry serves bytes of another digest"),
    RuleInfo("registry-media-type", E, "the registry's manifest or layer has the wrong media type"),
    RuleInfo("registry-signature-missing", E, "the registry has no .sig tag for the manifest"),
    RuleInfo("registry-signature-foreign", E, "the .sig tag signs another digest or repository"),
)
