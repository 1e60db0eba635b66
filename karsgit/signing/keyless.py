"""Keyless (Fulcio certificate + Rekor) signing and verification via sigstore-python.

Importing ``sigstore.sign`` costs about half a second, and the pre-commit hook
never signs, so every sigstore import lives inside a function: importing this
module is as cheap as importing ``karsgit.signing``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography.exceptions import InvalidSignature

from karsgit.errors import SigningError
from karsgit.signing.base import SignedArtifact
from karsgit.signing.bundle import parse_bundle
from karsgit.signing.cosignsig import (
    RekorEntry,
    SigArtifact,
    TrustMaterial,
    build_sig_artifact,
    simple_signing_payload,
)
from karsgit.signing.errors import MalformedBundle, SignatureInvalid, SignerMismatch
from karsgit.signing.signers import SignerIdentity, SignerPolicy, identity_from_certificate

if TYPE_CHECKING:
    from cryptography import x509
    from sigstore.models import Bundle, ClientTrustConfig, TrustedRoot
    from sigstore.oidc import IdentityToken
    from sigstore.sign import Signer as SigstoreSigner
    from sigstore.verify import Verifier

_T = TypeVar("_T")

TOKEN_ENV = "SIGSTORE_ID_TOKEN"
_TOKEN_HINT = (
    "pass --identity-token, set SIGSTORE_ID_TOKEN, or run in CI with an OIDC token "
    "(GitHub Actions: 'permissions: id-token: write'; GitLab: 'id_tokens: SIGSTORE_ID_TOKEN')"
)
_TRUST_HINT = "pass --trust-config with a sigstore client trust config or trusted root json"


class KeylessSigner:
    """Signs with a short-lived Fulcio certificate bound to an OIDC identity.

    The certificate is requested on the first ``sign`` and reused (it lives 10
    minutes) so that signing many bundles costs one Fulcio round trip; each
    artifact still gets its own Rekor entry. Never opens a browser.
    """

    def __init__(self, identity_token: str | None = None, trust_config: Path | None = None) -> None:
        self._explicit_token = identity_token
        self._trust_config = trust_config
        self._stack = contextlib.ExitStack()
        self._signer: SigstoreSigner | None = None
        self._material = TrustMaterial((), {})
        self._identity: SignerIdentity | None = None

    def sign(self, data: bytes) -> SignedArtifact:
        from sigstore._internal.fulcio.client import ExpiredCertificate

        try:
            try:
                bundle = self._active_signer().sign_artifact(data)
            except ExpiredCertificate:
                # a long run outlived the certificate: ask Fulcio for a fresh one
                self.close()
                bundle = self._active_signer().sign_artifact(data)
        except _signing_errors() as exc:
            raise _signing_failed(exc) from exc
        return SignedArtifact(bundle_json=bundle.to_json().encode(), signature=None)

    def sign_image(self, reference: str, digest: str) -> SigArtifact:
        """The cosign ``.sig`` image for ``reference@digest``: a message signature over
        the simple-signing payload, logged in Rekor v1 with its inclusion promise."""
        payload = simple_signing_payload(reference, digest)
        from sigstore._internal.fulcio.client import ExpiredCertificate

        try:
            try:
                bundle = self._active_signer().sign_artifact(payload)
            except ExpiredCertificate:
                self.close()
                bundle = self._active_signer().sign_artifact(payload)
        except _signing_errors() as exc:
            raise _signing_failed(exc) from exc
        cert = bundle.signing_certificate
        return build_sig_artifact(
            reference,
            digest,
            bundle.signature,
            cert,
            _issuing_chain(cert, self.trust_material()),
            _rekor_v1_entry(bundle),
        )

    def identity(self) -> SignerIdentity:
        """Who this signer signs as: the identity of its Fulcio certificate."""
        if self._identity is not None:
            return self._identity
        from sigstore._internal.fulcio.client import ExpiredCertificate

        try:
            try:
                cert = self._active_signer()._signing_cert()
            except ExpiredCertificate:
                self.close()
                cert = self._active_signer()._signing_cert()
        except _signing_errors() as exc:
            raise _signing_failed(exc) from exc
        # a fresh certificate after expiry names the same identity: keep it for the run
        self._identity = identity_from_certificate(cert)
        return self._identity

    def close(self) -> None:
        self._stack.close()
        self._signer = None

    def __enter__(self) -> KeylessSigner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _active_signer(self) -> SigstoreSigner:
        if self._signer is None:
            from sigstore.sign import SigningContext

            config = load_trust_config(self._trust_config)
            context = SigningContext.from_trust_config(config)
            _require_rekor_v1(context)
            token = _identity_token(resolve_identity_token(self._explicit_token))
            try:
                self._signer = self._stack.enter_context(context.signer(token, cache=True))
            except _signing_errors() as exc:
                raise _signing_failed(exc) from exc
            self._material = trust_material(config.trusted_root)
        return self._signer

    def trust_material(self) -> TrustMaterial:
        """The trust root of the signing config, as cosign verification needs it."""
        self._active_signer()
        return self._material


def trust_material(root: TrustedRoot) -> TrustMaterial:
    """Fulcio chains and Rekor keys of a trusted root, as plain cryptography objects."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    chains = tuple(
        tuple(x509.load_der_x509_certificate(c.raw_bytes) for c in ca.cert_chain.certificates)
        for ca in root._inner.certificate_authorities
    )
    keys: dict[bytes, ec.EllipticCurvePublicKey] = {}
    for tlog in root._inner.tlogs:
        try:
            key = load_der_public_key(tlog.public_key.raw_bytes or b"")
        except ValueError:
            continue  # a log key type Rekor v1 never signs with
        if isinstance(key, ec.EllipticCurvePublicKey):
            keys[tlog.log_id.key_id] = key
    return TrustMaterial(chains, keys)


def load_trust_material(path: Path | None) -> TrustMaterial:
    """Verify-side trust for cosign signatures (same sources as load_trusted_root)."""
    return trust_material(load_trusted_root(path))


_REKOR_V1_HINT = (
    "use a signing config whose rekorTlogUrls list a log with majorApiVersion 1 "
    "(the public-good config does)"
)


def _require_rekor_v1(context: Any) -> None:
    """sigstore-rs (the kars controller) accepts a cosign signature only with a SET,
    and only Rekor v1 gives one."""
    from sigstore._internal.rekor.client import RekorClient

    if not isinstance(context._rekor, RekorClient):
        raise SigningError(
            "the signing config selects a Rekor v2 log, whose entries carry no inclusion "
            "promise (SET); the kars controller (sigstore-rs) needs the SET",
            _REKOR_V1_HINT,
        )


def _rekor_v1_entry(bundle: Bundle) -> RekorEntry:
    inner = bundle.log_entry._inner
    kind = inner.kind_version
    promise, integrated = inner.inclusion_promise, inner.integrated_time
    if (kind.kind, kind.version) != ("hashedrekord", "0.0.1") or not promise or not integrated:
        raise SigningError(
            f"the log returned a {kind.kind} {kind.version} entry without an inclusion "
            "promise; the kars controller needs a Rekor v1 hashedrekord entry with its SET",
            _REKOR_V1_HINT,
        )
    return RekorEntry(
        signed_entry_timestamp=promise.signed_entry_timestamp,
        body=inner.canonicalized_body,
        integrated_time=int(integrated),
        log_index=int(inner.log_index),
        log_id=inner.log_id.key_id,
    )


def _issuing_chain(cert: x509.Certificate, trust: TrustMaterial) -> tuple[x509.Certificate, ...]:
    """The trusted Fulcio chain that issued ``cert`` (cosign's chain annotation)."""
    for chain in trust.fulcio_chains:
        if chain and chain[0].subject == cert.issuer:
            try:
                cert.verify_directly_issued_by(chain[0])
            except (ValueError, TypeError, InvalidSignature):
                continue
            return chain
    raise SigningError(
        "fulcio issued a certificate that no ca in the trust root signed",
        "check that the trust config names the fulcio that signed",
    )


class KeylessVerifier:
    """Verifies keyless bundles offline against one trusted root (load once, verify many)."""

    def __init__(self, trust: Path | None = None, root: TrustedRoot | None = None) -> None:
        from sigstore.verify import Verifier

        trusted = root if root is not None else load_trusted_root(trust)
        self._verifier: Verifier = Verifier(trusted_root=trusted)

    def verify(self, bundle_json: bytes, data: bytes, policy: SignerPolicy) -> SignerIdentity:
        """Return the signer, or raise SignatureInvalid / SignerMismatch / MalformedBundle.

        The policy is checked after the signature, so a bundle that is both
        forged and foreign is reported as signature-invalid, and signer-mismatch
        always means a sound signature by someone the policy does not allow.
        """
        from sigstore.errors import Error as SigstoreError

        bundle = _load_bundle(bundle_json)
        recorder = _RecordingPolicy()
        try:
            self._verifier.verify_artifact(data, bundle, recorder)
        except (SigstoreError, ValueError) as exc:
            raise SignatureInvalid(
                f"bundle does not verify: {_first_line(exc)}",
                "re-sign the artifact, or check that --trust-config names the signing instance",
            ) from exc
        identity = recorder.identity
        if identity is None or not policy.allows(identity):
            shown = identity.describe() if identity else "an unknown signer"
            raise SignerMismatch(
                f"bundle is signed by {shown}, which the signer policy does not allow",
                "sign from an allowed identity, or allow this one with --cert-identity / "
                "--cert-oidc-issuer or --signer-policy",
            )
        return identity


def verify_keyless_bundle(
    bundle_json: bytes, data: bytes, trust: Path | None, policy: SignerPolicy
) -> SignerIdentity:
    """One-shot form of ``KeylessVerifier(trust).verify(...)``."""
    return KeylessVerifier(trust).verify(bundle_json, data, policy)


def resolve_identity_token(explicit: str | None) -> str:
    """Explicit token, else SIGSTORE_ID_TOKEN, else the CI's ambient credential."""
    from sigstore.oidc import IdentityError, detect_credential

    token = explicit or os.environ.get(TOKEN_ENV)
    if not token:
        try:
            token = detect_credential()
        except IdentityError as exc:
            raise SigningError(
                f"cannot get an ambient oidc token: {_first_line(exc)}", _TOKEN_HINT
            ) from exc
    if not token:
        raise SigningError("no oidc identity token for keyless signing", _TOKEN_HINT)
    return token.strip()


def load_trust_config(path: Path | None) -> ClientTrustConfig:
    """The signing-side trust: a client trust config file, or the public-good instance."""
    from sigstore.models import ClientTrustConfig

    if path is None:
        return _production_trust()
    doc = _read_trust_file(path)
    if not str(doc.get("mediaType", "")).startswith(_CLIENT_TRUST_MEDIA):
        raise SigningError(
            f"trust config {path} is not a sigstore client trust config", _TRUST_HINT
        )
    return _guard_trust(path, lambda: ClientTrustConfig.from_json(json.dumps(doc)))


def load_trusted_root(path: Path | None) -> TrustedRoot:
    """Verify-side trust: a trusted root, a client trust config, or the public-good root."""
    from sigstore.models import ClientTrustConfig, TrustedRoot

    if path is None:
        try:
            return _production_trust().trusted_root
        except SigningError as error:
            raise SigningError(error.message, error.hint + "; verify also has --offline") from error
    doc = _read_trust_file(path)
    media = str(doc.get("mediaType", ""))
    if media.startswith(_CLIENT_TRUST_MEDIA):
        return _guard_trust(path, lambda: ClientTrustConfig.from_json(json.dumps(doc)).trusted_root)
    if media.startswith(_TRUSTED_ROOT_MEDIA):
        return _guard_trust(path, lambda: TrustedRoot.from_file(str(path)))
    raise SigningError(f"trust file {path} has unknown media type {media!r}", _TRUST_HINT)


_CLIENT_TRUST_MEDIA = "application/vnd.dev.sigstore.clienttrustconfig"
_TRUSTED_ROOT_MEDIA = "application/vnd.dev.sigstore.trustedroot"


class _RecordingPolicy:
    """A sigstore VerificationPolicy that notes the signer instead of judging it.

    sigstore checks the policy before the log entry and the signature; deciding
    afterwards lets us tell a bad signature from a good one by the wrong signer.
    """

    def __init__(self) -> None:
        self.identity: SignerIdentity | None = None

    def verify(self, cert: x509.Certificate) -> None:
        self.identity = identity_from_certificate(cert)


def _load_bundle(bundle_json: bytes) -> Bundle:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import Bundle

    parsed = parse_bundle(bundle_json)  # junk and wrong media types get a clear message
    if not parsed.has_certificate:
        raise SignerMismatch(
            "bundle is signed with a key, not with a keyless certificate",
            "verify with --key, or re-sign with --keyless",
        )
    try:
        return Bundle.from_json(bundle_json)
    except (SigstoreError, ValueError) as exc:
        raise MalformedBundle(f"bundle is not a valid sigstore bundle: {_first_line(exc)}") from exc


def _identity_token(raw: str) -> IdentityToken:
    from sigstore.oidc import IdentityError, IdentityToken

    try:
        return IdentityToken(raw)
    except IdentityError as exc:
        raise SigningError(
            f"identity token is not usable: {_first_line(exc)}", _TOKEN_HINT
        ) from exc


def _production_trust() -> ClientTrustConfig:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import ClientTrustConfig

    try:
        return ClientTrustConfig.production()
    except SigstoreError as exc:
        raise SigningError(
            f"cannot fetch the public-good sigstore trust root: {_first_line(exc)}",
            "check network access, or " + _TRUST_HINT,
        ) from exc


def _read_trust_file(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise SigningError(f"cannot read trust file {path}: {exc.strerror}", _TRUST_HINT) from exc
    except (ValueError, RecursionError) as exc:
        raise SigningError(f"trust file {path} is not valid json", _TRUST_HINT) from exc
    if not isinstance(doc, dict):
        raise SigningError(f"trust file {path} is not a json object", _TRUST_HINT)
    return doc


def _guard_trust(path: Path, load: Callable[[], _T]) -> _T:
    from sigstore.errors import Error as SigstoreError

    try:
        return load()
    except (SigstoreError, ValueError, KeyError) as exc:
        raise SigningError(
            f"trust file {path} is invalid: {_first_line(exc)}", _TRUST_HINT
        ) from exc


def _signing_errors() -> tuple[type[BaseException], ...]:
    # sigstore-python surfaces service failures through a mix of public and
    # internal exception types; all of them mean nothing was signed.
    from requests import RequestException
    from sigstore._internal.fulcio.client import ExpiredCertificate, FulcioClientError
    from sigstore._internal.rekor import RekorClientError
    from sigstore.errors import Error as SigstoreError
    from sigstore.oidc import ExpiredIdentity

    return (
        SigstoreError,
        ExpiredIdentity,
        ExpiredCertificate,
        FulcioClientError,
        RekorClientError,
        RequestException,
    )


def _signing_failed(exc: BaseException) -> SigningError:
    from sigstore.oidc import ExpiredIdentity

    if isinstance(exc, ExpiredIdentity):
        return SigningError("identity token has expired", "request a fresh oidc token and re-run")
    return SigningError(
        f"keyless signing failed: {_first_line(exc) or exc.__class__.__name__}",
        "check that the fulcio and rekor urls in the trust config are reachable",
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
