"""Response formats, one module each, in one table."""

from __future__ import annotations

from . import hermes, openai, react, xlam
from .base import AgentInput, Exchange, Parsed, Response, ResponseFormat

__all__ = [
    "FORMATS",
    "AgentInput",
    "Exchange",
    "Parsed",
    "Response",
    "ResponseFormat",
    "get_format",
]

FORMATS: dict[str, ResponseFormat] = {
    "openai": openai,
    "xlam": xlam,
    "hermes": hermes,
    "react": react,
}


def get_format(name: str) -> ResponseFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown response format {name!r}; one of {', '.join(FORMATS)}") from None
