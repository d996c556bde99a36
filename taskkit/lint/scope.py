"""What a lint rule reads: where it runs when lint runs in shards (:mod:`.shards`), and
what the lint cache may keep of its findings (:mod:`.cache`).

* ``loader``: reports what reading and validating the files found (syntax, encoding,
  kinds, schemas); the coordinator collects it from every shard.
* ``document``: reads nothing but the document it reports on; shards run it between the
  rounds, before the index is known.
* ``index``: reads the document it reports on, the names of the index, and the index
  documents (packs, toolsets, datasets, evaluators) it refers to, as :mod:`.depends`
  lists them; shards run it in round two. Its findings in a file are cached with the
  fingerprint of those (:class:`.cache.Fingerprints`).
* ``library``: compares documents with each other (duplicate ids, unused datasets, one
  finding per pack); the coordinator runs it, every time, over the whole index.

A rule that reads anything else must say so in :mod:`.depends` (or
:class:`.cache.Fingerprints`, for files other than documents).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Scope"]

Scope = Literal["loader", "document", "index", "library"]
