"""The public-good Sigstore trusted root without the network (``verify --offline``).

sigstore-python fetches the public-good root through TUF on every online run
and keeps the verified result in its cache; it also ships a copy inside the
package. Offline, karsgit takes the cache when an earlier online run left one
(newer), else the shipped copy, and names which, because neither is refreshed:
a root that predates a key rotation fails signatures made after it.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from karsgit.errors import SigningError

if TYPE_CHECKING:
    from sigstore.models import TrustedRoot

# sigstore-python's public-good TUF repository and where it keeps its targets
# (sigstore/_internal/tuf.py: platformdirs' user cache dir, "sigstore-python").
PUBLIC_GOOD_TUF = "https://tuf-repo-cdn.sigstore.dev"
ROOT_FILE = "trusted_root.json"
_HINT = "run once with network access to refresh the cache, or pass --trust-config"


@dataclass(frozen=True)
class OfflineRoot:
    root: TrustedRoot
    source: str  # "the copy embedded in sigstore-python 4.5.1" or "sigstore-python's cache ..."


def cache_path() -> Path:
    """Where sigstore-python caches the public-good trusted root (Linux, XDG)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sigstore-python" / "tuf" / quote(PUBLIC_GOOD_TUF, safe="") / ROOT_FILE


def public_good_offline() -> OfflineRoot:
    """The cached root when there is one, else the embedded one; never the network."""
    cached = cache_path()
    if cached.is_file():
        stored = datetime.datetime.fromtimestamp(cached.stat().st_mtime, datetime.UTC)
        return _load(cached, f"sigstore-python's cache {cached} (stored {stored:%Y-%m-%d})")
    from importlib import resources

    try:
        folder = resources.files("sigstore._store").joinpath(quote(PUBLIC_GOOD_TUF, safe=""))
        with resources.as_file(folder.joinpath(ROOT_FILE)) as embedded:
            return _load(embedded, f"the copy embedded in sigstore-python {_version()}")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise SigningError(
            "this sigstore-python embeds no public-good trust root and none is cached", _HINT
        ) from exc


def _load(path: Path, source: str) -> OfflineRoot:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import TrustedRoot

    try:
        return OfflineRoot(TrustedRoot.from_file(str(path)), source)
    except (SigstoreError, ValueError, OSError) as exc:
        raise SigningError(
            f"the public-good trust root from {source} does not load", _HINT
        ) from exc


def _version() -> str:
    try:
        return metadata.version("sigstore")
    except metadata.PackageNotFoundError:
        return "(unknown version)"
