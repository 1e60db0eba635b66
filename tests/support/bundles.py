"""Manifests and bundle paths shared by the bundle tests."""

from __future__ import annotations

PASSWORD = "correct horse"
REGISTRY = "registry.example.test"
BUNDLE = ".kars/bundles/{namespace}/{name}/allowlist.yaml"

MANIFEST = """\
# {name}: reviewed by the platform team
apiVersion: kars.azure.com/v1alpha1
kind: KarsSandbox
metadata:
  name: {name}
  namespace: {namespace}
spec:
  networkPolicy:
    egressMode: Strict  # never Learn in prod
    allowedEndpoints:
{entries}"""


def manifest(name: str = "agent", *endpoints: str, namespace: str = "kars-system") -> str:
    """A Strict sandbox; endpoints as 'host:port' (default: api.github.com:443)."""
    entries = ""
    for endpoint in endpoints or ("api.github.com:443",):
        host, port = endpoint.rsplit(":", 1)
        entries += f"      - host: {host}\n        port: {port}\n"
    return MANIFEST.format(name=name, namespace=namespace, entries=entries)


def bundle_path(name: str = "agent", namespace: str = "kars-system") -> str:
    return BUNDLE.format(namespace=namespace, name=name)
