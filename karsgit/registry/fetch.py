"""``verify --registry``: fetch what the kars controller fetches for each
sandbox's committed ``allowlistRef`` and apply its checks, as findings.

Per sandbox (controller ``policy_fetcher.rs``, sigstore-rs ``triangulate``):
the manifest by digest (its bytes must hash to that digest), every layer of
the allowlist media type, the config blob, the layers concatenated and parsed
strictly; then the ``sha256-<hex>.sig`` tag, its simple-signing layers naming
this digest and ``<registry>/<repository>``, and the signature under the
signer policy. Findings are reported at the ``allowlistRef.digest`` of the
manifest that names the bundle. A registry that cannot be reached is a
RegistryError (exit 3), not a finding.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from karsgit.bundle import canonical as canon
from karsgit.bundle.plan import REF_PATH, Target
from karsgit.findings import Finding, Hit, sort_findings
from karsgit.registry.client import DEFAULT_TIMEOUT, MANIFEST_TYPES, Registry, sha256
from karsgit.registry.publish import DEFAULT_WORKERS, SigCheck, sig_tag
from karsgit.render.bundles import all_targets
from karsgit.rules import engine
from karsgit.rules.bundles import Manifests
from karsgit.run.check import CheckResult
from karsgit.settings import Settings
from karsgit.signing.cosignsig import SIMPLESIGNING_MEDIA_TYPE, SigArtifact
from karsgit.signing.errors import VerificationFailed

_PUBLISH = "run 'karsgit publish' (after compile and sign --keyless)"


@dataclass(frozen=True, slots=True)
class _Ref:
    target: Target  # its sandbox is located where the ref is written
    registry: str
    repository: str
    digest: str

    @property
    def where(self) -> str:
        return f"{self.registry}/{self.repository}"


def verify_registry(
    settings: Settings,
    result: CheckResult,
    check: SigCheck | None,
    *,
    plain_http: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = DEFAULT_WORKERS,
) -> list[Finding]:
    planned = all_targets(settings, result.objects, result.renders)
    # every ref the controller resolves, Learn sandboxes' too; a rendered sandbox
    # is located at the file that writes its ref
    refs = [r for r in map(_ref_of, planned.targets) if r is not None]
    clients = {
        host: Registry(host, plain_http=plain_http, timeout=timeout)
        for host in sorted({r.registry for r in refs})
    }
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            hits = list(pool.map(lambda r: list(_inspect(clients[r.registry], r, check)), refs))
    finally:
        for client in clients.values():
            client.close()
    findings: list[Finding] = []
    manifests = Manifests(result.texts, settings.root)
    for ref, found in zip(refs, hits, strict=True):
        path = ref.target.sandbox.location.path
        at = manifests.position(ref.target, (*REF_PATH, "digest"), key=False)
        stamped = [Hit(rule, at, message, hint, "$.spec.networkPolicy.allowlistRef.digest")
                   for rule, message, hint in found]  # fmt: skip
        findings += engine.stamp(path, stamped, settings)
    return sort_findings(findings)


def _ref_of(target: Target) -> _Ref | None:
    ref = target.sandbox.allowlist_ref or {}
    values = [ref.get(key) for key in ("registry", "repository", "digest")]
    strings = [v for v in values if isinstance(v, str) and v]
    if len(strings) != len(values):
        return None  # offline verify reports the missing or partial ref
    return _Ref(target, *strings)


def _inspect(client: Registry, ref: _Ref, check: SigCheck | None) -> Iterator[tuple[str, str, str]]:
    repo, digest = ref.repository, ref.digest
    manifest = client.get_manifest(repo, digest)
    if manifest is None:
        yield ("registry-manifest-missing",
               f"registry has no manifest {digest} in {ref.where}", _PUBLISH)  # fmt: skip
        return
    if sha256(manifest.body) != digest:
        yield ("registry-digest-mismatch",
               f"registry served a manifest of digest {sha256(manifest.body)} for {digest}",
               "publish to a registry that stores manifests verbatim")  # fmt: skip
        return
    doc = _json(manifest.body)
    problem = _manifest_problem(doc, manifest.headers)
    if problem:
        yield "registry-media-type", problem, _PUBLISH
        return
    layers = []
    for descriptor in [doc["config"], *doc["layers"]]:
        data = yield from _blob(client, ref, descriptor)
        if data is None:
            return
        layers.append(data)
    parsed = canon.parse_canonical(b"".join(layers[1:]))
    if isinstance(parsed, list):
        for problem_at in parsed:
            yield ("bundle-noncanonical",
                   f"registry bundle line {problem_at.line}: {problem_at.message}",
                   "run 'karsgit compile', sign and publish")  # fmt: skip
    yield from _signature(client, ref, check)


def _manifest_problem(doc: Any, headers: Mapping[str, str]) -> str:
    media = doc.get("mediaType") if isinstance(doc, dict) else None
    media = media or headers.get("content-type", "")
    if not isinstance(doc, dict) or media not in MANIFEST_TYPES:
        return f"manifest media type is {media!r}, not an OCI image manifest"
    layers, config = doc.get("layers"), doc.get("config")
    if not isinstance(layers, list) or not layers or not isinstance(config, dict):
        return "manifest has no layers or no config"
    for layer in layers:
        kind = layer.get("mediaType") if isinstance(layer, dict) else None
        if kind != canon.LAYER_MEDIA_TYPE:
            return f"layer media type is {kind!r}, not {canon.LAYER_MEDIA_TYPE}"
    return ""


def _blob(
    client: Registry, ref: _Ref, descriptor: Any
) -> Generator[tuple[str, str, str], None, bytes | None]:
    """Yield the findings about one blob; return its bytes (None when unusable)."""
    digest = descriptor.get("digest") if isinstance(descriptor, dict) else None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        yield "registry-media-type", f"descriptor {descriptor!r} has no sha256 digest", _PUBLISH
        return None
    data = client.get_blob(ref.repository, digest)
    if data is None:
        fact = f"registry lacks blob {digest} that {ref.digest} names in {ref.where}"
        yield "registry-manifest-missing", fact, _PUBLISH
        return None
    if sha256(data) != digest:
        yield ("registry-digest-mismatch",
               f"registry served blob bytes of digest {sha256(data)} for {digest}",
               "delete the damaged blob from the registry and publish again")  # fmt: skip
        return None
    return data


def _signature(
    client: Registry, ref: _Ref, check: SigCheck | None
) -> Iterator[tuple[str, str, str]]:
    tag = sig_tag(ref.digest)
    answer = client.get_manifest(ref.repository, tag)
    if answer is None:
        yield ("registry-signature-missing",
               f"registry has no signature tag {tag} in {ref.where}", _PUBLISH)  # fmt: skip
        return
    doc = _json(answer.body)
    layers = doc.get("layers") if isinstance(doc, dict) else None
    config = doc.get("config") if isinstance(doc, dict) else None
    signing = [
        layer for layer in (layers if isinstance(layers, list) else [])
        if isinstance(layer, dict) and layer.get("mediaType") == SIMPLESIGNING_MEDIA_TYPE
    ]  # fmt: skip
    if not signing or not isinstance(config, dict):
        yield ("registry-signature-foreign",
               f"signature tag {tag} has no simple-signing layer", _PUBLISH)  # fmt: skip
        return
    config_bytes = yield from _blob(client, ref, config)
    if config_bytes is None:
        return
    for layer in signing:
        payload = yield from _blob(client, ref, layer)
        if payload is None:
            return
        named = _names(payload)
        if named != (ref.where, ref.digest):
            yield ("registry-signature-foreign",
                   f"signature tag {tag} signs {named[0]}@{named[1]}, "
                   f"not {ref.where}@{ref.digest}", _PUBLISH)  # fmt: skip
            return
        if check is None:
            continue
        art = SigArtifact(ref.where, ref.digest, payload, config_bytes, answer.body)
        try:
            check(art, ref.registry, ref.repository, ref.digest)
        except VerificationFailed as failure:
            yield failure.rule_id, failure.message, failure.hint or _PUBLISH


def _names(payload: bytes) -> tuple[str, str]:
    critical = _json(payload).get("critical") if isinstance(_json(payload), dict) else None
    identity = critical.get("identity") if isinstance(critical, dict) else None
    image = critical.get("image") if isinstance(critical, dict) else None
    reference = identity.get("docker-reference") if isinstance(identity, dict) else None
    digest = image.get("docker-manifest-digest") if isinstance(image, dict) else None
    return str(reference), str(digest)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None
