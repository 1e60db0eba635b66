"""Egress refusals print findings in check's own text format, not a third one."""

from __future__ import annotations

from tests.support.egress import AGENT


def test_refusal_block_is_what_check_prints(gitops, karsgit) -> None:
    refused = karsgit("egress", "agent", "--approve", "https://example.com/")
    assert refused.code == 1
    gitops.write(
        "clusters/prod/agent.yaml",
        AGENT.replace(
            "      # package index\n",
            "      - host: https://example.com/\n        port: 443\n      # package index\n",
        ),
    )
    checked = karsgit("check")
    block = checked.out.split("\n\n", 1)[0]  # the file's block, before the summary
    assert block.startswith("clusters/prod/agent.yaml\n")
    assert refused.err.startswith(block + "\n")
    assert "(host-invalid)" in block
    assert "[host-invalid]" not in refused.err
    assert refused.err.splitlines()[-1].startswith("karsgit: error: the change to ")
