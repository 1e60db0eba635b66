"""Structure rules: files that cannot be read as kars manifests.

``syntax``
    The file is not valid YAML (unclosed quote, bad indentation, a tab used for
    indentation, an alias bomb, nesting deeper than 100 levels), or the cluster's
    decoder refuses a document (a value its explicit tag cannot read, such as
    ``!!int abc``; a merge key ``<<`` on a scalar). Nothing else is checked in a
    document that does not parse, so fix this first.

``schema``
    A KarsSandbox or EgressApproval violates karsgit's schema, which is at least as
    strict as the cluster's CRD: unknown fields in ``spec.networkPolicy``, a wrong
    type, an ``egressMode`` other than ``Strict``/``Learn``, a malformed
    ``allowlistRef``, an apiVersion of the kars group that kars does not serve, or
    a document that is a list or a scalar instead of an object.

``duplicate-key``
    A mapping key given twice. YAML readers disagree on which value wins (the
    cluster keeps one, a reviewer sees the other): an ambiguous edit. This
    includes a key written before a merge key ``<<`` that merges the same key:
    kubectl (go-yaml v2) takes the merged value, kustomize (go-yaml v3) the
    explicit one.

``encoding``
    The file is binary or not UTF-8; Kubernetes tools read UTF-8 YAML only.

``file-too-large``
    The file is over ``max_file_bytes`` (default 10 MiB) and was not read, which
    keeps memory bounded.

``unreadable``
    The file could not be read (permissions, a dangling link).

``unsafe-path``
    A symbolic link that points outside the repository; karsgit does not follow
    it, because a manifest must live in the reviewed tree.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules import RuleInfo

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
