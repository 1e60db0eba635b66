"""Stage 7, compile: the canonical allowlist bundle (bytes, digest, strict parse) and the
plan of which bundle each sandbox gets.
"""
