"""``publish``: put each compiled bundle and its committed signature where the
controller fetches them (DESIGN.md §2), content-addressed and fail closed.

Two stages: :func:`prepare` decides, without the network, which bundles may go
up (fresh, signed for themselves) and refuses the rest; :func:`push` verifies
every signature under the signer policy while it asks the registry what it
has, and only when all verify sends what is missing. Per bundle, in this
order: config blob and layer (unless the registry has them), the manifest by
digest (its exact bytes), the tag, then the signature's config and payload
blobs and its ``sha256-<hex>.sig`` manifest; so the signature never names a
manifest the registry lacks, and a run killed at any point is completed by the
next one. A bundle whose tag and ``.sig`` tag already resolve to the expected
digests costs two HEAD requests.

Never prints, never exits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from karsgit.bundle import canonical as canon
from karsgit.bundle.layout import root_of
from karsgit.bundle.plan import Target
from karsgit.errors import ExitCode, KarsgitError
from karsgit.registry.client import DEFAULT_TIMEOUT, Registry, sha256
from karsgit.render.bundles import Planned, all_targets
from karsgit.run.check import CheckResult
from karsgit.run.compile import blocking
from karsgit.run.compile_rendered import outdated
from karsgit.settings import Settings
from karsgit.signing.cosignsig import MANIFEST_MEDIA_TYPE as SIG_MEDIA_TYPE
from karsgit.signing.cosignsig import SIG_ARTIFACT_NAME, SigArtifact, parse_sig_artifact
from karsgit.signing.errors import VerificationFailed

_T = TypeVar("_T")
DEFAULT_TAG = "latest"  # the kars CLI's default; the controller reads by digest
DEFAULT_WORKERS = 16
# (artifact, registry, repository, digest); raises VerificationFailed
SigCheck = Callable[[SigArtifact, str, str, str], None]
_RECOMPILE = "run 'karsgit compile' and commit the result"
_RESIGN = "run 'karsgit sign --keyless' and commit the signature artifact"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one bundle may not be published."""

    path: str
    message: str
    hint: str

    def describe(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Bundle:
    """One bundle ready to go up."""

    sandbox: str  # namespace/name
    rel: str
    registry: str
    repository: str
    digest: str  # allowlistRef.digest == sha256(manifest)
    layer: bytes
    signature: SigArtifact | None  # None: the bytes alone (publish --bytes-only)

    @property
    def manifest(self) -> bytes:
        return canon.oci_manifest(self.layer)

    @property
    def reference(self) -> str:
        return f"{self.registry}/{self.repository}@{self.digest}"


@dataclass
class Pushed:
    """What one bundle needed: the requests that wrote (or, dry, would write)."""

    bundle: Bundle
    sent: list[str] = field(default_factory=list)


def sig_tag(digest: str) -> str:
    """cosign's legacy signature tag: ``sha256:<hex>`` -> ``sha256-<hex>.sig``."""
    return digest.replace(":", "-", 1) + ".sig"


def prepare(
    settings: Settings,
    result: CheckResult,
    paths: Sequence[Path],
    *,
    signed: bool = True,
) -> tuple[list[Bundle], list[Refusal]]:
    """The bundles under ``paths`` (all when empty) that may be published, and
    why the others may not: stale, unsigned, or a signature artifact that is
    malformed or made for another digest or repository. (:func:`push` verifies
    the signatures themselves under the signer policy.) ``signed=False``
    prepares the bundle bytes alone (pull-request CI, whose identity the signer
    policy does not allow): no signature is read or sent."""
    refusals = [
        Refusal(f.path, f"{f.rule_id}: {f.message}", f.hint or "fix it first")
        for f in blocking(result.findings)
    ]
    planned = all_targets(settings, result.objects, result.renders)
    chosen = [t for t in planned.targets if _selected(settings, t, paths)]
    stale = _outdated(settings, planned, chosen, paths)
    if stale:  # recompiled bundles need new signatures: nothing else is worth judging
        return [], refusals + stale
    # Roots that render the same bytes under one repository share one artifact:
    # it goes up once, named for all of them.
    ready: dict[str, Bundle] = {}
    for target in chosen:
        problems, art = _refusals(settings, target, signed)
        refusals += problems
        if not problems:
            bundle = _bundle(settings, target, art)
            same = ready.get(bundle.reference)
            if same is not None:
                bundle = replace(same, sandbox=f"{same.sandbox}, {bundle.sandbox}")
            ready[bundle.reference] = bundle
    return list(ready.values()), refusals


def crowded(bundles: Sequence[Bundle]) -> list[str]:
    """``registry/repository`` that receive bundles of different content in one run
    (kustomize roots whose sandboxes share a name): one tag cannot name them all,
    so it is left where it is; the controller reads by digest."""
    digests: dict[str, set[str]] = {}
    for bundle in bundles:
        digests.setdefault(f"{bundle.registry}/{bundle.repository}", set()).add(bundle.digest)
    return sorted(where for where, found in digests.items() if len(found) > 1)


def _selected(settings: Settings, target: Target, paths: Sequence[Path]) -> bool:
    return _under(settings, (target.sandbox.location.path, target.rel), paths)


def _under(settings: Settings, own: Iterable[str], paths: Sequence[Path]) -> bool:
    if not paths:
        return True
    for given in paths:
        absolute = given if given.is_absolute() else Path.cwd() / given
        try:
            rel = absolute.resolve().relative_to(settings.root.resolve()).as_posix()
        except ValueError:
            continue
        if rel == "." or any(p == rel or p.startswith(rel.rstrip("/") + "/") for p in own):
            return True
    return False


def _outdated(
    settings: Settings, planned: Planned, chosen: Sequence[Target], paths: Sequence[Path]
) -> list[Refusal]:
    """What ``compile --check`` reports for the chosen bundles (a rendered root's
    patch file included): a bundle that no longer matches its source never goes up."""
    own = {p for t in chosen for p in (t.sandbox.location.path, t.rel)}
    split = [
        change.describe().partition(": ")
        for change in outdated(settings, planned)
        if change.path in own or _under(settings, [change.path], paths)
    ]
    return [Refusal(where, fact, _RECOMPILE) for where, _, fact in split]


def _refusals(
    settings: Settings, target: Target, signed: bool
) -> tuple[list[Refusal], SigArtifact | None]:
    assert target.ref is not None and target.current is not None
    registry, repository = target.ref["registry"], target.ref["repository"]
    if not registry:
        return [Refusal(target.rel, "allowlistRef names no registry",
                        "set bundles.registry in .karsgit.yaml, then compile")], None  # fmt: skip
    if not signed:
        return [], None
    sig_rel = target.rel.rsplit("/", 1)[0] + "/" + SIG_ARTIFACT_NAME
    try:
        data = (settings.root / sig_rel).read_bytes()
    except FileNotFoundError:
        return [Refusal(target.rel, f"bundle is unsigned ({sig_rel} is missing)", _RESIGN)], None
    except OSError as error:
        return [Refusal(sig_rel, f"cannot read it: {error.strerror or error}", _RESIGN)], None
    try:
        art = parse_sig_artifact(data)
        _same_subject(art, registry, repository, target.ref["digest"])
    except VerificationFailed as failure:
        hint = failure.hint or _RESIGN
        return [Refusal(sig_rel, f"{failure.rule_id}: {failure.message}", hint)], None
    return [], art


def _same_subject(art: SigArtifact, registry: str, repository: str, digest: str) -> None:
    from karsgit.signing.errors import SignatureInvalid

    want = f"{registry}/{repository}"
    if art.digest != digest:
        raise SignatureInvalid(
            f"signature is for {art.digest}, not this bundle's {digest}", _RESIGN
        )
    if art.reference != want:
        raise SignatureInvalid(f"signature is for {art.reference}, not {want}", _RESIGN)


def _bundle(settings: Settings, target: Target, art: SigArtifact | None) -> Bundle:
    assert target.ref is not None and target.current is not None
    ref = target.sandbox.ref
    root = root_of(settings, target.rel)
    return Bundle(
        f"{ref.namespace}/{ref.name}" + (f" of {root}" if root is not None else ""),
        target.rel,
        target.ref["registry"],
        target.ref["repository"],
        target.ref["digest"],
        target.current,
        art,
    )


class _Mounts:
    """Which repository is known to hold a blob: a later repository mounts it
    instead of uploading (the empty config ``{}`` is in every bundle)."""

    def __init__(self) -> None:
        self._where: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def source(self, registry: str, digest: str) -> str | None:
        with self._lock:
            return self._where.get((registry, digest))

    def add(self, registry: str, digest: str, repo: str) -> None:
        with self._lock:
            self._where.setdefault((registry, digest), repo)


class Refused(KarsgitError):
    """Signatures that do not verify: nothing was sent."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        super().__init__(f"{len(refusals)} signature(s) do not verify", "see the lines above")
        self.refusals = list(refusals)


@dataclass(frozen=True, slots=True)
class _Probe:
    tagged: bool  # the tag resolves to the bundle's digest
    signed: bool  # the .sig tag resolves to the committed signature's manifest


def push(
    bundles: Sequence[Bundle],
    *,
    check: SigCheck | None = None,
    plain_http: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = DEFAULT_WORKERS,
    tag: str = DEFAULT_TAG,
    dry_run: bool = False,
    on_done: Callable[[Pushed], None] | None = None,
) -> list[Pushed]:
    """Verify every signature with ``check``, then upload what the registries
    lack, ``workers`` bundles at a time.

    The registry is asked what it has (HEAD requests, waiting on the network)
    while this thread verifies the signatures (CPU), so the two overlap; a
    signature that does not verify raises Refused before anything is sent. The
    first registry failure stops the run (RegistryError); what was already
    pushed stays, and is content-addressed, so a rerun goes on from there.
    """
    clients = {
        host: Registry(host, plain_http=plain_http, timeout=timeout, write=not dry_run)
        for host in sorted({b.registry for b in bundles})
    }
    mounts = _Mounts()
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="karsgit-publish")

    def send(bundle: Bundle, probe: _Probe) -> Pushed:
        outcome = _send(clients[bundle.registry], bundle, probe, tag_of(bundle), mounts, dry_run)
        if on_done is not None:
            on_done(outcome)
        return outcome

    untagged = set(crowded(bundles))

    def tag_of(bundle: Bundle) -> str | None:
        return None if f"{bundle.registry}/{bundle.repository}" in untagged else tag

    try:
        probes = [pool.submit(_probe, clients[b.registry], b, tag_of(b)) for b in bundles]
        refusals = _verify_all(bundles, check)
        states = _results(probes)
        if refusals:
            raise Refused(refusals)
        return _results([pool.submit(send, b, p) for b, p in zip(bundles, states, strict=True)])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for client in clients.values():
            client.close()


def _verify_all(bundles: Sequence[Bundle], check: SigCheck | None) -> list[Refusal]:
    refusals = []
    for bundle in bundles:
        if check is None or bundle.signature is None:
            continue
        try:
            check(bundle.signature, bundle.registry, bundle.repository, bundle.digest)
        except VerificationFailed as failure:
            where = bundle.rel.rsplit("/", 1)[0] + "/" + SIG_ARTIFACT_NAME
            fact = f"{failure.rule_id}: {failure.message}"
            refusals.append(Refusal(where, fact, failure.hint or _RESIGN))
    return refusals


def _results(futures: Sequence[Future[_T]]) -> list[_T]:
    """Every result, or the first failure (the rest are cancelled by the caller)."""
    finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
    for future in futures:
        if future in finished and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]
    return [future.result() for future in futures]


def _probe(client: Registry, bundle: Bundle, tag: str | None) -> _Probe:
    repo, art = bundle.repository, bundle.signature
    # without a tag to move (see crowded), the manifest itself is looked for
    tagged = tag is not None and client.manifest_digest(repo, tag) == bundle.digest
    signed = art is None or (
        client.manifest_digest(repo, sig_tag(bundle.digest)) == sha256(art.manifest)
    )
    return _Probe(tagged, signed)


def _send(
    client: Registry,
    bundle: Bundle,
    probe: _Probe,
    tag: str | None,
    mounts: _Mounts,
    dry_run: bool,
) -> Pushed:
    repo, art = bundle.repository, bundle.signature
    outcome = Pushed(bundle)
    if not probe.tagged:
        if client.manifest_digest(repo, bundle.digest) is None:
            _blobs(client, outcome, (canon.EMPTY_CONFIG, bundle.layer), mounts, dry_run)
            outcome.sent.append(f"manifest {bundle.digest}")
            if not dry_run:
                client.put_manifest(repo, bundle.digest, canon.MANIFEST_MEDIA_TYPE,
                                    bundle.manifest)  # fmt: skip
        if tag is not None:
            outcome.sent.append(f"tag {tag}")
            if not dry_run:
                client.put_manifest(repo, tag, canon.MANIFEST_MEDIA_TYPE, bundle.manifest)
    if art is not None and not probe.signed:
        _blobs(client, outcome, (art.config, art.payload), mounts, dry_run)
        outcome.sent.append(f"signature {sig_tag(bundle.digest)}")
        if not dry_run:
            client.put_manifest(repo, sig_tag(bundle.digest), SIG_MEDIA_TYPE, art.manifest)
    return outcome


def _blobs(
    client: Registry, outcome: Pushed, blobs: Iterable[bytes], mounts: _Mounts, dry_run: bool
) -> None:
    """Each blob the repository lacks. A mount request answers "have it" and
    "send it" in one round trip (HEAD, then POST and PUT, would take three):
    from a repository known to hold the blob, else from this one, which the
    registry answers 201 when the blob is already here."""
    repo = outcome.bundle.repository
    for data in blobs:
        digest = sha256(data)
        if dry_run:
            if not client.blob_exists(repo, digest):
                outcome.sent.append(f"blob {digest} ({len(data)} bytes)")
            continue
        if client.push_blob(repo, data, mounts.source(client.host, digest) or repo):
            outcome.sent.append(f"blob {digest} ({len(data)} bytes)")
        mounts.add(client.host, digest, repo)
