"""The hook-path probe: which modules a real run imports (tests/test_startup.py)."""

PROBE = """
import json, sys
from karsgit.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

HEAVY = ("sigstore", "ruamel", "git", "jsonschema", "requests", "nacl", "cryptography", "idna")
