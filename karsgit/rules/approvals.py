"""EgressApproval rules.

``approval-hosts-count``
    ``spec.hosts`` must hold 1..16 entries (the cluster's CEL bound).

``approval-reason-invalid``
    ``spec.reason`` must be 1..512 characters with no ASCII control bytes.

``approval-ticket-invalid``
    ``spec.ticket``, when set, must be 1..128 characters.

``approval-ttl-invalid``
    ``spec.ttl`` must follow the controller's grammar.
"""

from __future__ import annotations

from karsgit.findings import Severity
from karsgit.rules import RuleInfo

E = Severity.ERROR
RULES = (
    RuleInfo("approval-hosts-count", E, "an approval lists fewer than 1 or more than 16 hosts"),
    RuleInfo("approval-reason-invalid", E, "an approval reason is empty, too long or has control bytes"),
    RuleInfo("approval-ticket-invalid", E, "an approval ticket is empty or longer than 128 characters"),
    RuleInfo("approval-ttl-invalid", E, "an approval TTL is not the controller's duration grammar"),
)
