"""JSON Schemas of every document kind, generated from the pydantic models.

They are committed under ``schemas/`` so editors (yaml-language-server) can complete and
check documents; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ..io.atomic import atomic_writer
from ..models import SCHEMA_FILES
from ..models.records import RECORD_SCHEMAS

__all__ = ["SCHEMA_BASE_URL", "export_schemas", "generate_schemas"]

SCHEMA_BASE_URL = "https://taskkit.dev/schemas/v1"


def generate_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, for every document kind, the compiled task, the data rows
    and the records of episodes (trajectories, explored episodes, report summaries)."""
    out = {}
    generated = [(f, m.model_json_schema(mode="validation")) for f, m in SCHEMA_FILES.items()]
    generated += [(f, TypeAdapter(t).json_schema()) for f, t in RECORD_SCHEMAS.items()]
    for filename, schema in generated:
        out[filename] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE_URL}/{filename}",
            **schema,
        }
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def export_schemas(directory: str | os.PathLike[str]) -> list[Path]:
    """Write every schema into ``directory``; return the paths written."""
    written = []
    for filename, schema in generate_schemas().items():
        path = Path(directory) / filename
        with atomic_writer(path) as f:
            f.write(render(schema))
        written.append(path)
    return written


def stale_schemas(directory: str | os.PathLike[str]) -> list[str]:
    """Schema files in ``directory`` that are missing or differ from the models."""
    stale = []
    for filename, schema in generate_schemas().items():
        path = Path(directory) / filename
        if not path.is_file() or path.read_text(encoding="utf-8") != render(schema):
            stale.append(filename)
    return stale
