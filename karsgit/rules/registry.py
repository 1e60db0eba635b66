"""Registry rules: what ``karsgit verify --registry`` reports when the registry
does not serve what the kars controller fetches for a sandbox's
``allowlistRef`` (the offline rule ids are reused where the meaning is the
same: ``bundle-noncanonical``, ``inline-drift``, ``signature-invalid``,
``signer-mismatch``).

``registry-manifest-missing``
    The repository has no manifest at ``allowlistRef.digest``, or lacks a blob
    that manifest names. The controller reports ``NotFound`` and keeps the last
    good list or fails closed. Run ``karsgit publish``.

``registry-digest-mismatch``
    The registry answered bytes whose sha256 is not the digest asked for (the
    manifest, its config or a layer). The controller rejects them.

``registry-media-type``
    The manifest is not an OCI image manifest, has no layer, or has a layer
    whose media type is not ``application/vnd.kars.egress-allowlist.v1+yaml``.

``registry-signature-missing``
    No ``sha256-<hex>.sig`` tag beside the manifest: the controller finds no
    signature. Run ``karsgit publish`` (it uploads the committed
    ``allowlist.cosign.json``), after ``karsgit sign --keyless``.

``registry-signature-foreign``
    The ``.sig`` tag holds a signature for another digest or another
    ``<registry>/<repository>``, or no simple-signing layer: it signs
    something else, so the controller finds no signature for this bundle.
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
