"""The wheel carries the schemas (pre-commit installs hook repos with pip)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.repos import ROOT


def test_wheel_ships_the_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("karsgit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for schema in sorted((ROOT / "schemas").glob("*.json")):
        packaged = f"karsgit/schemas/{schema.name}"
        assert packaged in names
        shipped = json.loads(zipfile.ZipFile(wheel).read(packaged))
        assert shipped == json.loads(schema.read_text())
    assert "karsgit/py.typed" in names


def test_schemas_are_valid_json_schema() -> None:
    import jsonschema

    for schema in sorted((ROOT / "schemas").glob("*.json")):
        jsonschema.Draft202012Validator.check_schema(json.loads(schema.read_text()))
