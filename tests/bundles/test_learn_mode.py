"""Learn mode (issue 11 item 6): the controller resolves allowlistRef and programs L4
ports whatever the mode, and with REQUIRE_SIGNED_ALLOWLIST fails a Learn sandbox with
inline endpoints and no ref closed. So every sandbox with endpoints or a ref is
compiled, signed and verified."""

from __future__ import annotations

from tests.bundles.conftest import bundle_path, manifest
from tests.support.fakesigstore import DEFAULT_IDENTITY


def learn(*endpoints: str) -> str:
    return manifest("agent", *endpoints).replace("egressMode: Strict", "egressMode: Learn")


def _sign(karsgit, fake):
    token = fake.sigstore.identity_token()
    return karsgit(
        "sign", "--keyless", "--identity-token", token, "--trust-config", str(fake.trust_config)
    )


def _verify(karsgit, fake):
    return karsgit(
        "verify",
        "-f",
        "parsable",
        "--cert-identity",
        DEFAULT_IDENTITY,
        "--cert-oidc-issuer",
        fake.sigstore.oidc_issuer,
        "--trust-config",
        str(fake.trusted_root),
    )


def test_learn_with_endpoints_and_no_ref_is_compiled_signed_verified(repo, karsgit, fake):
    repo.write("sandboxes/agent.yaml", learn())
    check = karsgit("compile", "--check")
    assert check.code == 1
    assert f"{bundle_path()}: bundle is missing (kars-system/agent)" in check.out
    assert "allowlistRef is missing or out of date" in check.out
    assert karsgit("compile").code == 0
    assert "allowlistRef:" in (repo.path / "sandboxes/agent.yaml").read_text()
    assert _sign(karsgit, fake).code == 0
    assert (repo.path / ".kars/bundles/kars-system/agent/allowlist.cosign.json").is_file()
    result = _verify(karsgit, fake)
    assert result.code == 0, result.out


def test_switch_to_learn_does_not_leave_a_stale_ref_authoritative(repo, karsgit, fake):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0 and _sign(karsgit, fake).code == 0
    text = (repo.path / "sandboxes/agent.yaml").read_text()
    edited = text.replace("egressMode: Strict", "egressMode: Learn").replace(
        "        port: 443\n",
        "        port: 443\n      - host: example.org\n        port: 443\n",
        1,
    )
    repo.write("sandboxes/agent.yaml", edited)
    check = karsgit("compile", "--check")
    assert check.code == 1, check.out  # was green before: the old ref stayed authoritative
    assert "bundle is stale" in check.out and "allowlistRef" in check.out
    stale = _verify(karsgit, fake)
    assert "(bundle-stale)" in stale.out and "(inline-drift)" in stale.out
    assert karsgit("compile").code == 0 and _sign(karsgit, fake).code == 0
    assert _verify(karsgit, fake).code == 0


def test_learn_with_only_a_ref_keeps_its_committed_bundle(repo, karsgit, fake):
    repo.write("sandboxes/agent.yaml", manifest("agent"))
    assert karsgit("compile").code == 0 and _sign(karsgit, fake).code == 0
    text = (repo.path / "sandboxes/agent.yaml").read_text()
    head, ref = text.split("    allowedEndpoints:")[0], text.split("    allowlistRef:")[1]
    repo.write(
        "sandboxes/agent.yaml",
        head.replace("egressMode: Strict", "egressMode: Learn") + "    allowlistRef:" + ref,
    )
    assert karsgit("compile", "--check").code == 0
    result = _verify(karsgit, fake)
    assert result.code == 0, result.out  # not an orphan: the controller still reads it
    (repo.path / ".kars/bundles/kars-system/agent/allowlist.cosign.json").unlink()
    missing = _verify(karsgit, fake)
    assert missing.code == 1 and "(signature-missing)" in missing.out
