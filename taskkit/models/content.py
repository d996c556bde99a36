"""Content datasets: the entries that fill abstract tasks into concrete user commands."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import model_validator

from .common import DocModel, JsonSchema, Name

__all__ = ["Content"]


class Content(DocModel):
    """A JSON Schema of one entry (``fields``) and the entries, inline or in a JSONL file."""

    kind: Literal["content"]
    name: Name
    """Name tasks use to draw from this dataset."""
    description: str = ""
    fields: JsonSchema
    """JSON Schema that every entry must satisfy. Its properties are the template variables
    of the tasks that use this dataset."""
    entries: list[dict[str, Any]] | None = None
    """The entries, each a mapping with a unique string ``id``."""
    entries_file: str | None = None
    """A sibling ``.jsonl`` file holding the entries, one JSON object a line."""

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.entries is None) == (self.entries_file is None):
            raise ValueError("give exactly one of 'entries' or 'entries_file'")
        return self
