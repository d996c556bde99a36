"""Content digests: how taskkit's caches (the pack index, lint's) know a file unchanged."""

from __future__ import annotations

import hashlib
import hmac
import os

from .regular_files import read_regular

__all__ = ["digest", "file_digest", "keyed_digest"]

SIZE = 16
MAX_DIGEST_BYTES = 1 << 30


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=SIZE).digest()


def file_digest(path: str | os.PathLike[str]) -> bytes:
    """The digest of a file's bytes; empty when it cannot be read (no digest is empty), or
    is not a regular file (a FIFO would block, a link to a device never end)."""
    try:
        return digest(read_regular(path, max_bytes=MAX_DIGEST_BYTES))
    except OSError:
        return b""


def keyed_digest(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 of ``data`` under ``key``: a digest only the key's holder can make."""
    return hmac.digest(key, data, "sha256")
