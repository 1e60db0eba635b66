"""``sign``: sign the committed bundles whose signature is missing or no longer
verifies, one at a time, failing closed (docs/bundles.md, docs/signing.md).

Keyless mode signs what the controller verifies: the cosign simple-signing
payload for the bundle's OCI manifest digest, written as
``allowlist.cosign.json``. Key mode signs the YAML bytes, for offline checks
only. A signature file is written only after its signing succeeded; a failure
stops the run with the earlier bundles signed and the later ones untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from karsgit.bundle.canonical import parse_canonical
from karsgit.bundle.layout import SIG_SUFFIX, SIGSTORE_SUFFIX
from karsgit.bundle.plan import committed_bundles, read_bytes
from karsgit.errors import FileTooLarge, SigningError
from karsgit.settings import Settings

if TYPE_CHECKING:
    from karsgit.bundle.plan import Target
    from karsgit.signing import Signer, SignerIdentity
    from karsgit.signing.cosignkey import PublicKey
    from karsgit.signing.cosignsig import SigArtifact, TrustMaterial
    from karsgit.source.objects import Sandbox

# (bundle json, .sig bytes or None, artifact bytes) -> the signature is current
IsCurrent = Callable[[bytes, bytes | None, bytes], bool]
Progress = Callable[[str], None]


@dataclass
class SignOutcome:
    signed: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    # committed bundles that no sandbox names: there is no ref to sign for
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImageTarget:
    """One bundle as the controller fetches it: ``registry/repository@digest``."""

    rel: str
    artifact_rel: str
    registry: str
    repository: str
    digest: str


class ImageSigner(Protocol):
    """What keyless signing needs (``karsgit.signing.keyless.KeylessSigner``)."""

    def sign_image(self, reference: str, digest: str) -> SigArtifact: ...

    def identity(self) -> SignerIdentity: ...

    def trust_material(self) -> TrustMaterial: ...


def refuse_private_keys(root: Path) -> None:
    from karsgit.rules.keys import private_key_paths

    found = private_key_paths(root)
    if found:
        raise SigningError(
            f"refusing to sign: private key file '{found[0]}' is tracked or staged in git "
            "(private-key-in-repo)",
            f"run 'git rm --cached {found[0]}' and keep the key outside the repository",
        )


def bundles_to_sign(settings: Settings) -> list[str]:
    """Every committed ``allowlist.yaml``; all must be canonical before any is signed."""
    paths = [p for p in committed_bundles(settings) if (settings.root / p).is_file()]
    for rel in paths:
        parsed = parse_canonical(read_bytes(settings.root / rel, settings.max_file_bytes) or b"")
        if isinstance(parsed, list):
            raise SigningError(
                f"refusing to sign: {rel}:{parsed[0].line}: {parsed[0].message}",
                "run 'karsgit compile' to rewrite the bundle, then sign",
            )
    return paths


def key_is_current(public_key: PublicKey) -> IsCurrent:
    from karsgit.signing import VerificationFailed, verify_key_bundle, verify_key_signature

    def check(bundle_json: bytes, sig: bytes | None, data: bytes) -> bool:
        try:
            verify_key_bundle(bundle_json, data, public_key)
            if sig is None:
                return False
            verify_key_signature(sig, data, public_key)
        except VerificationFailed:
            return False
        return True

    return check


def image_targets(
    settings: Settings, planned: Sequence[Target], paths: Sequence[str]
) -> tuple[list[ImageTarget], list[str]]:
    """The ref of every committed bundle in ``paths``, and the bundles no sandbox names.

    ``planned``: every bundle compile writes (run.sign_coverage.planned_targets).
    The digest is that of the committed bytes (what ``publish`` pushes); the
    registry is resolved for all before anything is signed, so a missing one
    stops the run with nothing written.
    """
    by_rel = {t.rel: t for t in planned if t.ref is not None}
    targets, orphans = [], []
    for rel in paths:
        target = by_rel.get(rel)
        if target is None:
            orphans.append(rel)
        else:
            targets.append(image_target(settings, target.sandbox, rel))
    return targets, orphans


def image_target(settings: Settings, sandbox: Sandbox, rel: str) -> ImageTarget:
    from karsgit.bundle.canonical import oci_manifest_digest
    from karsgit.bundle.plan import repository_for, require_registry
    from karsgit.signing.cosignsig import SIG_ARTIFACT_NAME

    return ImageTarget(
        rel=rel,
        artifact_rel=f"{rel.rsplit('/', 1)[0]}/{SIG_ARTIFACT_NAME}",
        registry=require_registry(settings, sandbox),
        repository=repository_for(settings, sandbox.ref),
        digest=oci_manifest_digest((settings.root / rel).read_bytes()),
    )


def sign_images(
    root: Path,
    targets: Sequence[ImageTarget],
    signer: ImageSigner,
    progress: Progress | None = None,
) -> SignOutcome:
    """Write ``allowlist.cosign.json`` for every target whose artifact is not current.

    Current means: it verifies for this ref under the trust root *and* was made by
    the identity this signer signs as (issue 10 item 5: a sound signature by
    someone else, or a forged one, is replaced, never kept).
    """
    from karsgit.edit.files import atomic_write
    from karsgit.signing.cosignsig import docker_reference, render_sig_artifact

    outcome = SignOutcome()
    # Roots that render the same bundle under one repository are one image: one
    # signature, written beside each (publish sends it once).
    made: dict[tuple[str, str], bytes] = {}
    for index, target in enumerate(targets):
        reference = docker_reference(target.registry, target.repository)
        earlier = made.get((reference, target.digest))
        if earlier is None and _image_current(root, target, signer):
            outcome.current.append(target.rel)
            made[reference, target.digest] = (root / target.artifact_rel).read_bytes()
            _drop_keyless_yaml_signature(root / target.rel)
            continue
        if earlier is not None and read_bytes(root / target.artifact_rel) == earlier:
            outcome.current.append(target.rel)
            continue
        try:
            data = earlier or render_sig_artifact(signer.sign_image(reference, target.digest))
        except SigningError as error:
            raise _stopped(
                target.rel, error, len(outcome.signed), len(targets) - index - 1
            ) from error
        made[reference, target.digest] = data
        atomic_write(root / target.artifact_rel, data)
        _drop_keyless_yaml_signature(root / target.rel)
        outcome.signed.append(target.rel)
        if progress is not None:
            progress(target.rel)
    return outcome


def _image_current(root: Path, target: ImageTarget, signer: ImageSigner) -> bool:
    from karsgit.signing.cosignsig import parse_sig_artifact, verify_sig_artifact
    from karsgit.signing.errors import VerificationFailed

    data = read_bytes(root / target.artifact_rel)
    if data is None:
        return False
    try:
        art = parse_sig_artifact(data)
        verify_sig_artifact(
            art,
            target.registry,
            target.repository,
            target.digest,
            signer.identity(),
            signer.trust_material(),
        )
    except VerificationFailed:
        return False
    return True


def _drop_keyless_yaml_signature(bundle: Path) -> None:
    """Keyless signatures over the YAML bytes have no consumer any more
    (docs/signing.md); key-mode ones are left for ``verify --key``."""
    from karsgit.signing.bundle import parse_bundle
    from karsgit.signing.errors import MalformedBundle

    path = Path(str(bundle) + SIGSTORE_SUFFIX)
    data = read_bytes(path)
    if data is None:
        return
    try:
        keyless = parse_bundle(data).has_certificate
    except MalformedBundle:
        return  # not ours to judge here; verify --key reports it
    if keyless:
        path.unlink(missing_ok=True)


def sign_bundles(
    root: Path,
    paths: Sequence[str],
    signer: Signer,
    is_current: IsCurrent,
    progress: Progress | None = None,
) -> SignOutcome:
    from karsgit.edit.files import write_in_repo

    outcome = SignOutcome()
    for index, rel in enumerate(paths):
        data = read_bytes(root / rel) or b""
        if _current(root / rel, data, is_current):
            outcome.current.append(rel)
            continue
        try:
            signed = signer.sign(data)
        except SigningError as error:
            raise _stopped(rel, error, len(outcome.signed), len(paths) - index - 1) from error
        write_in_repo(root, rel + SIGSTORE_SUFFIX, signed.bundle_json)
        if signed.signature is not None:
            write_in_repo(root, rel + SIG_SUFFIX, signed.signature)
        outcome.signed.append(rel)
        if progress is not None:
            progress(rel)
    return outcome


def _current(path: Path, data: bytes, is_current: IsCurrent) -> bool:
    try:
        bundle_json = read_bytes(Path(str(path) + SIGSTORE_SUFFIX))
        sig = read_bytes(Path(str(path) + SIG_SUFFIX))
    except FileTooLarge:
        return False  # not a signature anyone made: sign again, replacing it
    if bundle_json is None:
        return False
    return is_current(bundle_json, sig, data)


def _stopped(rel: str, error: SigningError, done: int, left: int) -> SigningError:
    return SigningError(
        f"signing {rel} failed: {error.message}; {done} bundle(s) signed in this run "
        f"were kept, {left} later bundle(s) left untouched",
        error.hint or "fix the cause and re-run 'karsgit sign'; signed bundles are skipped",
    )
