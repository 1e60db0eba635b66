"""One module per command's flow (check, fix, compile, sign, verify, diff, egress). Each
takes settings and returns outcomes; none prints or exits.
"""
