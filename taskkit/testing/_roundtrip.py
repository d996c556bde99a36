"""YAML -> model -> YAML -> model must give the same model: what taskkit writes (scaffolds,
importers, formatters) reads back as what it meant."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..io.yamlio import dump_yaml, load_yaml_text
from ..library import LoadedDoc
from ..models import DocModel
from ._compare import first_difference

__all__ = ["dumped", "round_trip_model", "round_trip_problem"]


def dumped(model: DocModel, kind: str | None = None) -> str:
    """The model as the YAML an author would write: only the keys they set."""
    return dump_yaml(model.model_dump(mode="json", exclude_unset=True), kind=kind)


def round_trip_model(model: DocModel, kind: str | None = None) -> tuple[str, Any]:
    """Dump and load ``model`` again: (the YAML text, the model read back or why not)."""
    text = dumped(model, kind)
    loaded = load_yaml_text(text, path="<dumped>")
    if loaded.diagnostics or len(loaded.documents) != 1:
        reasons = "; ".join(f"{d.rule} {d.message}" for d in loaded.diagnostics) or "no document"
        return text, f"the dumped YAML does not load: {reasons}"
    try:
        return text, type(model).model_validate(loaded.documents[0].data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"]))
        return text, f"the dumped YAML does not validate: {where}: {err['msg']}"


def round_trip_problem(ld: LoadedDoc) -> tuple[str, Any] | None:
    """Why ``ld`` does not survive a round trip (message, counterexample), or ``None``."""
    model = ld.model
    if model is None:
        return None
    text, again = round_trip_model(model, ld.kind)
    if isinstance(again, str):
        return again, text
    if again == model:
        return None
    found = first_difference(model.model_dump(mode="json"), again.model_dump(mode="json"))
    where, written, read_back = found if found is not None else ("", None, None)
    return (
        f"the document reads back different at {where or 'the top'}",
        {"at": where, "written": written, "read_back": read_back},
    )
