"""What a lint rule reads: where it runs when lint runs in shards (:mod:`.shards`), and
what the lint cache may keep of its findings (:mod:`.cache`).

* ``loader``: reports what reading and validating the files found (syntax, encoding,
  kinds, schemas); the coordinator collects it from every shard.
* ``document``: reads nothing but the document it reports on; shards run it between the
  rounds, before the index is known.
* ``index``: reads the document it reports on and the index documents (packs, toolsets,
  datasets, evaluators) it refers to; shards run it in round two. Its findings in a file
  are cached with the index's fingerprint.
* ``library``: compares documents with each other (duplicate ids, unused datasets, one
  finding per pack); the coordinator runs it, every time, over the whole index.

A rule that reads any other file must say so in :func:`.cache.index_fingerprint`.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Scope"]

Scope = Literal["loader", "document", "index", "library"]
