"""Real keyless ``.sig`` artifacts for the registry tests, made in process with
the local Fulcio/Rekor stand-in (tests/support/fakesigstore.py): an ephemeral
key, a Fulcio-shaped certificate for the identity, a hashedrekord entry with
its SET, assembled by ``karsgit.signing.cosignsig.build_sig_artifact``.

(``sign --keyless`` writes the same artifact once it lands; these tests only
need one per bundle, and a foreign one on demand.)
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from karsgit.signing.cosignsig import (
    RekorEntry,
    build_sig_artifact,
    render_sig_artifact,
    simple_signing_payload,
)
from tests.support.fakesigstore import DEFAULT_IDENTITY, FakeSigstore


def artifact(
    fake: FakeSigstore, reference: str, digest: str, *, identity: str = DEFAULT_IDENTITY
) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = fake.issue_cert(key.public_key(), identity, fake.oidc_issuer)
    payload = simple_signing_payload(reference, digest)
    signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    proposed = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
            "signature": {
                "content": base64.b64encode(signature).decode(),
                "publicKey": {"content": base64.b64encode(pem).decode()},
            },
        },
    }
    (logged,) = fake.rekor_entry(proposed).values()
    entry = RekorEntry(
        signed_entry_timestamp=base64.b64decode(logged["verification"]["signedEntryTimestamp"]),
        body=base64.b64decode(logged["body"]),
        integrated_time=logged["integratedTime"],
        log_index=logged["logIndex"],
        log_id=bytes.fromhex(logged["logID"]),
    )
    art = build_sig_artifact(reference, digest, signature, cert, (fake.root_cert,), entry)
    return render_sig_artifact(art)
