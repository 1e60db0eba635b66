"""Host/port normal form, router matching, and the unsafe-host checks (hostcheck)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from karsgit.normalize.endpoints import (
    CANONICAL_HOST,
    Duplicate,
    Endpoint,
    Issue,
    admits,
    check_port,
    normalize_endpoints,
    normalize_host,
    subsumed_by,
    subsumed_issue,
)
from karsgit.normalize.unsafe import Confusable, confusable, public_suffix, script_of

CYRILLIC_A = "\u0430"
GREEK_O = "\u03bf"

FIXABLE = [
    # raw, normal form, deviation rule ids
    ("api.github.com", "api.github.com", ()),
    ("API.GitHub.com", "api.github.com", ("host-case",)),
    ("  api.github.com\t", "api.github.com", ("host-whitespace",)),
    (" API.github.com ", "api.github.com", ("host-whitespace", "host-case")),
    ("m\u00fcnchen.de", "xn--mnchen-3ya.de", ("host-idna",)),
    ("M\u00dcNCHEN.de", "xn--mnchen-3ya.de", ("host-case", "host-idna")),
    # non-transitional: sharp s stays, it is not mapped to "ss"
    ("fa\u00df.de", "xn--fa-hia.de", ("host-idna",)),
    ("\u65e5\u672c.jp", "xn--wgv71a.jp", ("host-idna",)),
    # UTS-46 maps fullwidth letters and the ideographic full stop to ASCII
    ("\uff21\uff30\uff29.github.com", "api.github.com", ("host-idna",)),
    ("api\u3002github.com", "api.github.com", ("host-idna",)),
    (f"{CYRILLIC_A}pi.github.com", "xn--pi-6kc.github.com", ("host-idna",)),
    ("xn--mnchen-3ya.de", "xn--mnchen-3ya.de", ()),
    # '--' in positions 3-4 is legal DNS even though IDNA2008 refuses it
    ("r4---sn-4g5e6nzz.googlevideo.com", "r4---sn-4g5e6nzz.googlevideo.com", ()),
    ("localhost", "localhost", ()),
    ("a" * 63 + ".com", "a" * 63 + ".com", ()),
    ("123.example.com", "123.example.com", ()),
]


@pytest.mark.parametrize(("raw", "normal", "rules"), FIXABLE)
def test_fixable_hosts(raw: str, normal: str, rules: tuple[str, ...]) -> None:
    verdict = normalize_host(raw)
    assert verdict.error is None
    assert verdict.normal == normal
    assert verdict.rule_ids == rules
    assert all(issue.hint == f"write '{normal}'" for issue in verdict.deviations)


def test_deviation_messages() -> None:
    verdict = normalize_host(" API.github.com")
    assert verdict.deviations == (
        Issue(
            "host-whitespace",
            "host ' API.github.com' has leading or trailing whitespace",
            "write 'api.github.com'",
        ),
        Issue("host-case", "host ' API.github.com' is not lowercase", "write 'api.github.com'"),
    )
    idn = normalize_host("m\u00fcnchen.de").deviations[0]
    assert idn.message == "host 'm\u00fcnchen.de' contains non-ascii characters"


ERRORS = [
    # raw, rule id, message, hint
    ("", "host-invalid", "host '' is empty", "write a host name such as 'api.github.com'"),
    ("   ", "host-invalid", "host '   ' is empty", "write a host name such as 'api.github.com'"),
    (
        "https://api.github.com/repos",
        "host-invalid",
        "host 'https://api.github.com/repos' is a url, not a host name",
        "write 'api.github.com' in host",
    ),
    (
        "https://api.github.com:8443",
        "host-invalid",
        "host 'https://api.github.com:8443' is a url, not a host name",
        "write 'api.github.com' in host and 8443 in port",
    ),
    (
        "api.github.com/v3",
        "host-invalid",
        "host 'api.github.com/v3' contains a path",
        "write 'api.github.com' in host; the router matches names",
    ),
    (
        "api.github.com:8443",
        "host-invalid",
        "host 'api.github.com:8443' includes a port",
        "write 'api.github.com' in host and put 8443 in port",
    ),
    (
        "*.example.com",
        "wildcard-host",
        "host '*.example.com' is a wildcard, which never matches in kars",
        "list 'example.com', which admits all its subdomains",
    ),
    (
        "api.*.com",
        "wildcard-host",
        "host 'api.*.com' is a wildcard, which never matches in kars",
        "list the host names it should admit",
    ),
    ("ex..com", "host-invalid", "host 'ex..com' has an empty label ('..')", "remove the extra dot"),
    (
        ".example.com",
        "host-invalid",
        "host '.example.com' starts with a dot",
        "write 'example.com'",
    ),
    ("example.com.", "host-invalid", "host 'example.com.' ends with a dot", "write 'example.com'"),
    (
        "my_service.local",
        "host-invalid",
        "host 'my_service.local' contains '_', which is not allowed in a host name",
        "use only letters, digits, hyphens and dots",
    ),
    (
        "user@example.com",
        "host-invalid",
        "host 'user@example.com' contains '@', which is not allowed in a host name",
        "use only letters, digits, hyphens and dots",
    ),
    (
        "-a.example.com",
        "host-invalid",
        "host '-a.example.com' has a label that starts or ends with a hyphen",
        "use only letters, digits, hyphens and dots",
    ),
    (
        "a" * 64 + ".com",
        "host-invalid",
        f"host '{'a' * 64}.com' has a label of 64 characters",
        "use at most 63 per label",
    ),
    (
        ".".join(["a" * 63] * 4),
        "host-invalid",
        f"host '{'.'.join(['a' * 63] * 4)}' is 255 characters long",
        "use at most 253",
    ),
    (
        "api github.com",
        "host-invalid",
        "host 'api github.com' contains whitespace or a control character",
        "remove it",
    ),
    (
        "api\x00.github.com",
        "host-invalid",
        "host 'api\\u0000.github.com' contains whitespace or a control character",
        "remove it",
    ),
    (
        "api\u200b.github.com",
        "host-invalid",
        "host 'api\\u200b.github.com' contains the invisible character U+200B",
        "remove it",
    ),
    (
        "xn--zz.com",
        "host-invalid",
        "host 'xn--zz.com' has an invalid punycode label: invalid A-label",
        "check the spelling of the name",
    ),
]

IP_HINT = "list the host name the service is reached by"


@pytest.mark.parametrize(("raw", "rule", "message", "hint"), ERRORS)
def test_host_errors(raw: str, rule: str, message: str, hint: str) -> None:
    verdict = normalize_host(raw)
    assert verdict.normal is None
    assert verdict.error == Issue(rule, message, hint)


IP_LITERALS = ["10.0.0.1", "10.0.0.1:443", "::1", "[::1]", "[::1]:443", "2001:db8::1"]
IP_LITERALS += ["fe80::1%eth0"]
# shorthand IPv4 (the URL parser reads '127.1' as an address) and fullwidth digits
IP_LITERALS += ["127.1", "1234", "\uff11\uff12\uff17.0.0.1"]


@pytest.mark.parametrize("raw", IP_LITERALS)
def test_ip_literals(raw: str) -> None:
    verdict = normalize_host(raw)
    assert verdict.error is not None
    assert verdict.error.rule_id == "ip-literal"
    assert (
        verdict.error.message == f"host '{raw}' is an ip address literal, which the router blocks"
    )
    assert verdict.error.hint == IP_HINT


def test_bad_idn_is_invalid_with_reason() -> None:
    verdict = normalize_host("a\u200db.com")  # ZWJ outside a permitted context
    assert verdict.error is not None
    assert verdict.error.rule_id == "host-invalid"
    assert "is not a valid internationalized name: joiner u+200d" in verdict.error.message.lower()


# Host-ish text: DNS letters, dots, uppercase, some Unicode and junk.
HOSTISH = st.text(
    alphabet=st.sampled_from("abcxyz019-.ABZ_*:/ \u00fc\u00df\u0430\u65e5\uff21\u3002"),
    max_size=40,
)


@given(HOSTISH)
def test_normal_form_is_idempotent(raw: str) -> None:
    verdict = normalize_host(raw)
    assert (verdict.normal is None) == (verdict.error is not None)
    if verdict.normal is not None:
        assert CANONICAL_HOST.fullmatch(verdict.normal)
        again = normalize_host(verdict.normal)
        assert again.normal == verdict.normal
        assert again.deviations == ()
        assert again.error is None


@given(st.text(max_size=30))
def test_normalize_host_never_raises(raw: str) -> None:
    normalize_host(raw)


PORTS = [
    (443, 443, None, None),
    (1, 1, None, None),
    (65535, 65535, None, None),
    (
        None,
        443,
        Issue(
            "port-missing",
            "port is missing; the kars cli reads a missing port as 443",
            "add port: 443",
        ),
        None,
    ),
    (
        0,
        None,
        None,
        Issue("port-invalid", "port 0 is outside 1-65535", "write a port from 1 to 65535"),
    ),
    (
        65536,
        None,
        None,
        Issue("port-invalid", "port 65536 is outside 1-65535", "write a port from 1 to 65535"),
    ),
    (
        "443",
        None,
        None,
        Issue("port-invalid", "port '443' is a string, not a number", "write 443 without quotes"),
    ),
    (
        "https",
        None,
        None,
        Issue(
            "port-invalid", "port 'https' is not a number", "write a port from 1 to 65535, e.g. 443"
        ),
    ),
    (
        True,
        None,
        None,
        Issue("port-invalid", "port true is a boolean, not a number", "write e.g. 443"),
    ),
    (443.0, None, None, Issue("port-invalid", "port 443.0 is not an integer", "write 443")),
    (
        443.5,
        None,
        None,
        Issue(
            "port-invalid",
            "port 443.5 is not an integer",
            "write a whole port number from 1 to 65535",
        ),
    ),
    (
        [443],
        None,
        None,
        Issue("port-invalid", "port [443] is a list, not a number", "write e.g. 443"),
    ),
]


@pytest.mark.parametrize(("value", "normal", "deviation", "error"), PORTS)
def test_ports(
    value: object, normal: int | None, deviation: Issue | None, error: Issue | None
) -> None:
    verdict = check_port(value)
    assert (verdict.normal, verdict.deviation, verdict.error) == (normal, deviation, error)


def test_endpoint_order_is_host_bytes_then_numeric_port() -> None:
    given_order = [Endpoint("b.com", 80), Endpoint("a.com", 8443), Endpoint("a.com", 443)]
    assert sorted(given_order) == [
        Endpoint("a.com", 443),
        Endpoint("a.com", 8443),
        Endpoint("b.com", 80),
    ]
    assert str(Endpoint("a.com", 443)) == "a.com:443"


def test_normalize_endpoints_reports_duplicates_and_order() -> None:
    a443, a80, d443 = (
        Endpoint("api.github.com", 443),
        Endpoint("api.github.com", 80),
        Endpoint("dev.azure.com", 443),
    )
    result = normalize_endpoints([d443, a443, a443, a80, d443])
    assert result.endpoints == (a80, a443, d443)
    assert result.duplicates == (Duplicate(2, 1, a443), Duplicate(4, 0, d443))
    assert result.reordered
    assert result.duplicates[0].issue == Issue(
        "endpoint-duplicate",
        "endpoint 'api.github.com:443' at index 2 repeats index 1",
        "remove the duplicate entry",
    )
    assert result.order_issue == Issue(
        "endpoint-order",
        "endpoints are not in canonical order (host, then port)",
        "sort the entries by host, then by port",
    )


def test_sorted_list_with_duplicate_is_not_reordered() -> None:
    a, b = Endpoint("a.com", 443), Endpoint("b.com", 443)
    result = normalize_endpoints([a, a, b])
    assert not result.reordered
    assert result.order_issue is None
    assert [d.index for d in result.duplicates] == [1]


ENDPOINTS = st.builds(
    Endpoint, st.sampled_from(["a.com", "b.a.com", "a.b", "z"]), st.integers(1, 65535)
)


@given(st.lists(ENDPOINTS, max_size=12))
def test_normalize_endpoints_is_sorted_set(entries: list[Endpoint]) -> None:
    result = normalize_endpoints(entries)
    assert list(result.endpoints) == sorted(set(entries))
    assert len(result.duplicates) == len(entries) - len(set(entries))
    assert normalize_endpoints(result.endpoints).reordered is False


@pytest.mark.parametrize(
    ("entry", "request_host", "expected"),
    [
        ("example.com", "example.com", True),
        ("example.com", "a.b.example.com", True),
        ("example.com", "API.Example.COM", True),
        ("example.com", "badexample.com", False),
        ("a.example.com", "example.com", False),
        ("*.example.com", "a.example.com", False),
        ("", "example.com", False),
    ],
)
def test_admits(entry: str, request_host: str, expected: bool) -> None:
    assert admits(entry, request_host) is expected


def test_subsumed_by_nearest_parent() -> None:
    hosts = ["com", "github.com", "api.github.com", "x.api.github.com", "gitlab.com"]
    assert subsumed_by("x.api.github.com", hosts) == "api.github.com"
    assert subsumed_by("github.com", hosts) == "com"
    assert subsumed_by("com", hosts) is None
    assert subsumed_by("api.github.com", ["api.github.com"]) is None
    assert subsumed_issue("api.github.com", "github.com") == Issue(
        "entry-subsumed",
        "host 'api.github.com' is already admitted by 'github.com'",
        "remove 'api.github.com'; the router admits every subdomain of 'github.com'",
    )


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("com", True),
        ("co.uk", True),
        ("github.io", True),  # private section
        ("azurewebsites.net", True),  # private section
        ("xn--p1ai", True),  # .рф in punycode
        ("COM", True),
        ("api.github.com", False),
        ("github.com", False),
        ("user.github.io", False),
        ("my-service", False),  # unlisted single labels are cluster names, not registries
        ("", False),
    ],
)
def test_public_suffix(host: str, expected: bool) -> None:
    assert public_suffix(host) is expected


def test_confusable_mixed_script() -> None:
    found = confusable(f"{CYRILLIC_A}pi.github.com")
    assert found == Confusable(
        host=f"{CYRILLIC_A}pi.github.com",
        punycode="xn--pi-6kc.github.com",
        skeleton="api.github.com",
        reason=f"label '{CYRILLIC_A}pi' mixes cyrillic and latin letters",
    )
    # the same spoof already written in punycode is caught too
    assert confusable("xn--pi-6kc.github.com") == Confusable(
        "xn--pi-6kc.github.com", "xn--pi-6kc.github.com", "api.github.com", found.reason
    )


def test_confusable_whole_script() -> None:
    apple = "\u0430\u0440\u0440\u04cf\u0435"  # Cyrillic letters only
    found = confusable(f"{apple}.com")
    assert found is not None
    assert found.skeleton == "apple.com"
    assert found.punycode == "xn--80ak6aa92e.com"
    assert found.reason == f"label '{apple}' is written in cyrillic letters that look like 'apple'"
    greek = confusable(f"paypal.c{GREEK_O}m")
    assert greek is not None
    assert greek.skeleton == "paypal.com"


@pytest.mark.parametrize(
    "host",
    [
        "api.github.com",
        "m\u00fcnchen.de",
        "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",  # Cyrillic, no look-alike
        "\u65e5\u672c\u8a9e.jp",
        "\u30e9\u30fc\u30e1\u30f3.jp",  # katakana with the prolonged sound mark
        "\uff21\uff30\uff29.github.com",  # maps to the very ASCII name
        "xn--mnchen-3ya.de",
        "xn--zz.com",  # invalid: normalize's business
    ],
)
def test_not_confusable(host: str) -> None:
    assert confusable(host) is None


def test_script_of() -> None:
    assert script_of(CYRILLIC_A) == "CYRILLIC"
    assert script_of("a") == "LATIN"
    assert script_of("\u65e5") == "CJK"
    assert script_of("1") is None
    assert script_of("-") is None


def test_heavy_libraries_load_lazily_and_once() -> None:
    # The hook path imports these modules for every run; idna and the public
    # suffix list are only paid for when a non-ASCII host or a PSL check occurs.
    code = (
        "import sys, karsgit.normalize.endpoints, karsgit.normalize.unsafe\n"
        "import karsgit.bundle.canonical, karsgit.normalize.duration\n"
        "assert 'idna' not in sys.modules and 'publicsuffixlist' not in sys.modules\n"
        "karsgit.normalize.endpoints.normalize_host('API.github.com')\n"
        "assert 'idna' not in sys.modules\n"
        "karsgit.normalize.unsafe.public_suffix('com')\n"
        "assert karsgit.normalize.unsafe._psl() is karsgit.normalize.unsafe._psl()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
