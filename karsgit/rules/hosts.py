"""Endpoint rules (hosts and ports of allowlists and approvals).

``port-invalid``
    A port outside 1..65535, not an integer, or a quoted string such as ``"443"``.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules import RuleInfo

RULES = (RuleInfo("port-invalid", Severity.ERROR, "a port that is not an integer in 1..65535"),)
