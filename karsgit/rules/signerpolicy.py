"""Signer-policy rules: the controller's ``kars-signer-policy`` ConfigMap, linted.

They run on the file named by ``signing.signer_policy`` in ``.karsgit.yaml`` (in
``check``) and on the ``--signer-policy`` file (in ``verify``).

``signer-policy-malformed``
    The controller calls the whole policy malformed (``SignerPolicyMalformed``)
    and accepts no allowlist at all: an issuer that is not an ``http(s)`` URL, a
    SAN pattern with whitespace, a ``re:`` pattern that Rust's ``regex`` does not
    compile (backreferences, lookaround, possessive quantifiers, ``\\Z`` are
    refused even though Python accepts them), or an ``ed25519Keys`` line that is
    not base64 of a 32-byte key.

``signer-policy-empty``
    No ``fulcioIssuers`` or no ``sanPatterns``: the controller treats the policy
    as missing (``SignerPolicyMissing``) and every signed allowlist fails.

``signer-pattern-lookalike``
    A ``re:`` pattern admits look-alike signers. The controller searches the
    regex anywhere in the email (Rust's ``is_match`` is unanchored), so
    ``re:ci@example\\.com`` also admits ``ci@example.com.attacker.net``; and an
    unescaped ``.`` matches any character, so ``re:^ci@corp.example\\.com$``
    admits ``ci@corpxexample.com``. Anchor with ``^...$`` and escape dots.

``signer-pattern-literal-glob``
    A pattern that looks like a glob (``*``) but is compared literally: the
    controller matches ``http(s)`` patterns and plain emails exactly, so the kars
    Helm default ``https://github.com/ORG/REPO/.github/workflows/*.yml@*`` can
    never match a real certificate. List exact workflow URLs instead (a ``re:``
    pattern only applies to email SANs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from karsgit.findings import Hit, Position, Severity
from karsgit.rules import RuleInfo

if TYPE_CHECKING:
    from karsgit.rules.engine import RepoContext
    from karsgit.signing.policyfile import Entry, PolicyFile

RULES = (
    RuleInfo("signer-policy-malformed", Severity.ERROR, "the controller refuses the signer policy"),
    RuleInfo("signer-policy-empty", Severity.ERROR, "the signer policy admits no signer"),
    RuleInfo("signer-pattern-lookalike", Severity.ERROR, "a re: san pattern admits look-alikes"),
    RuleInfo(
        "signer-pattern-literal-glob", Severity.ERROR, "a glob-looking san pattern is literal"
    ),
)

# a '.' that no backslash escapes and that sits outside a character class
_BARE_DOT = re.compile(r"(?<!\\)(?:\\\\)*\.")


def check_repo(context: RepoContext) -> Iterator[tuple[str, Hit]]:
    rel = context.settings.signing.get("signer_policy")
    if not isinstance(rel, str) or not rel:
        return
    if context.partial and rel not in context.checked_paths:
        return
    try:
        text = (context.settings.root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # verify names an unreadable policy with exit 3
    yield from ((rel, hit) for hit in policy_hits(rel, text))


def policy_hits(path: str, text: str) -> Iterator[Hit]:
    from karsgit.signing.policyfile import read_policy

    policy = read_policy(path, text)
    if policy.signers_list is not None:
        return  # karsgit's own list form: no ConfigMap to lint
    if policy.shape_error:
        yield Hit(
            "signer-policy-malformed",
            Position(1, 1),
            f"signer policy {policy.shape_error}",
            "write a ConfigMap named kars-signer-policy with data.fulcioIssuers and "
            "data.sanPatterns",
        )
        return
    for problem in policy.problems:
        yield Hit("signer-policy-malformed", problem.position, problem.message, problem.hint)
    yield from _empty(policy)
    for entry in policy.sans:
        yield from _pattern_hits(entry)


def _empty(policy: PolicyFile) -> Iterator[Hit]:
    from karsgit.signing.policyfile import ISSUERS_KEY, SANS_KEY

    missing = [
        key for key, got in ((ISSUERS_KEY, policy.issuers), (SANS_KEY, policy.sans)) if not got
    ]
    if missing:
        yield Hit(
            "signer-policy-empty",
            policy.position,
            f"signer policy lists no {' and no '.join(missing)}: the controller accepts no "
            "signed allowlist",
            "list the ci issuer in fulcioIssuers and its identity in sanPatterns",
        )


def _pattern_hits(entry: Entry) -> Iterator[Hit]:
    from karsgit.signing.policyfile import REGEX_PREFIX, san_kind

    kind = san_kind(entry.value)
    if kind != "regex" and "*" in entry.value:
        yield Hit(
            "signer-pattern-literal-glob",
            entry.position,
            f"san pattern '{entry.value}' looks like a glob but the controller compares it "
            "literally, so no certificate ever matches it",
            "list each exact workflow url (or, for email identities, a 're:' regex)",
        )
    if kind == "regex":
        pattern = entry.value[len(REGEX_PREFIX) :]
        reason = _lookalike(pattern)
        if reason:
            yield Hit(
                "signer-pattern-lookalike",
                entry.position,
                f"san pattern '{entry.value}' {reason}",
                "anchor the regex with '^' and '$' and escape every literal '.' as '\\.'",
            )


def _lookalike(pattern: str) -> str | None:
    from karsgit.signing.rustregex import skip_class

    outside = []
    i = 0
    while i < len(pattern):  # drop character classes: a '.' inside one is literal
        if pattern[i] == "[":
            i = skip_class(pattern, i)
            outside.append("X")
            continue
        outside.append(pattern[i])
        i += 1
    plain = "".join(outside)
    if not re.search(r"(?<!\\)(?:\\\\)*(?:\$|\\z)$", plain):
        sample = _sample(pattern)
        example = f"{sample}.attacker.net" if sample else "<match>.attacker.net"
        return f"is not anchored at the end, so it also admits {example!r}"
    if _BARE_DOT.search(plain):
        return "has an unescaped '.', which matches any character (a look-alike domain)"
    return None


def _sample(pattern: str) -> str | None:
    """A string the pattern matches, when it is a plain literal with anchors."""
    body = re.sub(r"^(\^|\\A)", "", pattern)
    literal = body.replace("\\.", ".").replace("\\-", "-")
    if re.search(r"[\\^$.*+?()\[\]{}|]", body.replace("\\.", "").replace("\\-", "")):
        return None
    return literal
