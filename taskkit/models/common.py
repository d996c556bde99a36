"""Shared base model and field types for every document kind."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "DocModel",
    "JsonSchema",
    "Model",
    "Name",
    "Template",
    "ToolRef",
]

SCHEMA_VERSION = 1
"""The document schema version this taskkit reads and writes."""


class Model(BaseModel):
    """Strict base: unknown keys are errors, values are immutable once validated."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )


class DocModel(Model):
    """A top-level document. Every file states its ``kind`` and ``schema_version``."""

    schema_version: Annotated[int, Field(ge=1, le=SCHEMA_VERSION)]
    """Version of the document format; this taskkit reads version 1."""


Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*$", max_length=80)]
"""Lower-case identifier: letters, digits, ``_``, with ``-`` or ``.`` as separators."""

Template = Annotated[str, Field(description="Jinja template, rendered in a sandbox.")]

JsonSchema = Annotated[
    dict[str, Any],
    Field(description="A JSON Schema (draft 2020-12).", json_schema_extra={"type": "object"}),
]

ToolRef = Annotated[
    str,
    Field(
        pattern=r"^(?:[a-z][a-z0-9_]*(?:[-.][a-z0-9_]+)*/)?[a-z][a-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$"
    ),
]
"""``toolset.tool``, or ``pack/toolset.tool`` for another pack's toolset."""
