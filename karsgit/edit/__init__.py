"""Writes: round-trip manifest edits that keep comments, exact text splices, and atomic
file writes.
"""
