"""JUnit failures are exactly the findings that fail the run (fail_on), no more."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.support.repos import sandbox


def _suites(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def test_warnings_only_run_exits_0_with_no_failures(repo, karsgit) -> None:
    repo.write("a.yaml", sandbox().replace("Strict", "Learn"))  # learn-mode: a warning
    repo.commit()
    done = karsgit("check", "-f", "junit")
    assert done.code == 0
    root = _suites(done.out)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    (case,) = root.iter("testcase")
    assert case.get("name", "").startswith("learn-mode at ")
    assert case.find("failure") is None
    assert "warning: " in (case.findtext("system-out") or "")


def test_fail_on_warning_makes_the_warning_a_failure(repo, karsgit) -> None:
    repo.write("a.yaml", sandbox().replace("Strict", "Learn"))
    repo.commit()
    done = karsgit("check", "-f", "junit", "--fail-on", "warning")
    assert done.code == 1
    root = _suites(done.out)
    assert root.get("failures") == "1"
    (failure,) = root.iter("failure")
    assert failure.get("type") == "warning"


def test_errors_fail_and_warnings_pass_in_one_report(repo, karsgit) -> None:
    repo.write("a.yaml", sandbox().replace("Strict", "Learn"))
    repo.write("b.yaml", sandbox("b").replace("api.github.com", "API.github.com"))
    repo.commit()
    done = karsgit("check", "-f", "junit")
    assert done.code == 1
    root = _suites(done.out)
    failures = [f.get("type") for f in root.iter("failure")]
    assert failures == ["error"]
    assert root.get("failures") == "1"
    assert root.get("tests") == "2"
