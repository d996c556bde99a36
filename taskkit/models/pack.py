"""The pack manifest: ``pack.yaml`` at the root of every pack folder."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .common import DocModel, JsonSchema, Name

__all__ = ["SEMVER", "Pack"]

SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


class Pack(DocModel):
    """A task pack: the unit people write, version, share and install."""

    kind: Literal["pack"]
    name: Name
    """Namespace of every task, toolset and dataset inside the pack."""
    version: Annotated[str, Field(pattern=SEMVER)]
    """Semantic version of the pack, e.g. ``1.2.0``."""
    title: str
    """One line naming the pack."""
    description: str = ""
    """What the pack covers, for people choosing packs."""
    license: Annotated[str, Field(min_length=1)]
    """SPDX license identifier of the pack's contents, e.g. ``Apache-2.0``."""
    taskkit: str = ">=0.1"
    """Versions of taskkit the pack works with, as a PEP 440 specifier."""
    requires: dict[str, str] = {}
    """Other packs this one uses, by name, with a PEP 440 version specifier."""
    authors: list[str] = []
    homepage: str | None = None
    world: dict[Name, str] = {}
    """Shared world files: collection name -> a ``.json`` or ``.jsonl`` file inside the pack
    folder (a JSON object keyed by id, or a list of records). Every task of the pack starts
    from this world; its own ``initial_state`` replaces or adds whole collections (``null``
    removes one). Loaded once; compiled output refers to it by content hash."""
    world_schema: dict[Name, JsonSchema | str] = {}
    """JSON Schema of one record of a world collection, inline or as a ``.json`` file inside
    the pack folder; lint checks every record of the world file against it (TK420)."""
    trusted: bool = False
    """Declares that the pack ships Python handlers. They still run only when the user
    trusts the pack (``--trust NAME``); this flag only documents the need."""
