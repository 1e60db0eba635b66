"""karsgit: GitOps policy compiler and pre-commit gate for kars sandbox egress."""

__version__ = "0.1.0"
