"""Fixtures of this folder; their code lives in tests/support/registry_repo.py (shared helpers)."""

from tests.support.registry_repo import (  # noqa: F401 - pytest finds fixtures by name
    _no_ambient_registry_config,
    auth_registry,
    make_repo,
    registry,
    stand,
    tls_registry,
)
