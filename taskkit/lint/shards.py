"""Linting a library in shards of files, so that reading and the rules run on every core
and no process holds every parsed document.

Round one, in each shard: read and validate the shard's files, and the entries of their
datasets (JSONL files too), and run the rules' per-document parts (:mod:`.engine`; duplicate
entry ids, say) on what was read. The coordinator gets back the loader's diagnostics, the
*index documents* (packs, toolsets, content datasets, evaluators: what tasks refer to by
name; a small part of a library), the id and dataset of every task, and the per-document
findings, so that it never reads an entries file itself.

Round two: the coordinator sends every shard the index documents it did not read itself
(of the datasets, only those its tasks read). Each shard runs the rules over its own
documents, index documents included, and returns diagnostics only. Meanwhile the
coordinator runs the rules that compare documents with each other,
:data:`COORDINATOR_RULES`, over the whole index, with the task ids standing in for the
tasks (see :attr:`LintContext.task_names`).

Between the rounds, while the coordinator reads the answers and prepares round two, each
shard runs the rules that need nothing but the document itself, :data:`DOCUMENT_RULES`.

Every other rule reports on one document at a time, given the index, so running it per
shard finds what one pass over the whole library finds. A file's documents stay in one
shard, and findings are sorted by file, so the order in which shards report does not show.
Documents cross processes with :mod:`marshal` (they are JSON-like), many times faster than
pickling them or their models.

With a lint cache (:mod:`.cache`), each shard notes how each file was when it read it (and
what each task refers to, :mod:`.depends`), and what was found in it is kept. A later run
takes the round-one answer and the rules' findings of unchanged files from the cache, if
what the rules read for them is as it was (:class:`.cache.Fingerprints`), and reads the
others in one shard in this process (:func:`_warm`), if they are few, with the tasks that
name an index document of theirs (:mod:`.ripple`: found stale later, they would make the
run start over).
"""

from __future__ import annotations

import marshal
import os
import pickle
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..io.yamlio import Document, load_yaml_file
from ..library import (
    INDEX_MODELS,
    Library,
    LoadedDoc,
    PackFinder,
    index_document,
    manifest_name,
    namespace,
    validate_document,
)
from ..models import Content, Task
from ..runtime.parallel import Rounds, workers
from .cache import Fingerprints, LintCache, Record, stamp
from .context import LintContext, TaskName
from .depends import task_refs
from .engine import document_hooks, run_document, run_rule
from .file_text import FileText
from .registry import rules_reading
from .reuse import Stale, answer_from, record
from .ripple import dependents
from .shard_results import Found, IndexDoc, Loaded, Stamped, Summary

__all__ = ["COORDINATOR_RULES", "ShardedLint", "lint_in_shards", "split"]

COORDINATOR_RULES = rules_reading("loader", "library")
"""Rules that the coordinator runs, over the index documents and the task summaries."""

DOCUMENT_RULES = rules_reading("document")
"""Rules that read nothing but the document they report on (template syntax, entries
against their own dataset's schema, schemas): a shard runs them on what it read while the
coordinator prepares round two. A fifth of lint's work, no longer waiting on the gap."""


@dataclass(frozen=True)
class ShardedLint:
    """What the coordinator has after both rounds."""

    library: Library
    """The index documents (tasks stay in the shards that linted them)."""
    by_rule: dict[str, list[Diagnostic]]
    """Each selected rule's findings, in the order one pass over the library finds them."""
    paths: set[str]
    """Every file with a document in it."""


def split(files: Sequence[str], parts: int) -> list[list[str]]:
    """``files`` in ``parts`` shards of about equal size in bytes (reading costs follow size),
    a folder at a time where folders are small: a pack's tasks stay together, and share
    the caches of templates and gold actions; a pack's datasets and its tasks need not."""
    parts = max(1, parts)
    cap = max(50, len(files) // (parts * 4))  # no folder so big that the shards cannot even out
    groups: dict[str, list[str]] = {}
    for path in files:
        groups.setdefault(os.path.dirname(path), []).append(path)
    out: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for group in groups.values():
        for start in range(0, len(group), cap):
            chunk = group[start : start + cap]
            lightest = loads.index(min(loads))
            out[lightest].extend(chunk)
            loads[lightest] += sum(_size(path) for path in chunk)
    return out


def _size(path: str) -> int:
    try:
        return os.path.getsize(path) + 256  # a small file still costs a little
    except OSError:
        return 256


def lint_in_shards(
    files: Sequence[str],
    lib: Library,
    rules: Sequence[str],
    *,
    trust: frozenset[str] = frozenset(),
    shards: int | None = None,
    cache: LintCache | None = None,
) -> ShardedLint:
    """Read ``files`` and run ``rules`` (ids, in registry order) over them.

    ``lib`` is empty but for discovery's diagnostics. ``shards`` defaults to one per worker
    process; a number given runs that many shards one after the other in this process (the
    tests use it to check that sharding changes nothing). With a ``cache``, files unchanged
    since it recorded them are not read again (see :func:`_warm`), and what this run finds
    is recorded."""
    settings = _Settings(tuple(rules), trust, lib.max_bytes, stamps=cache is not None)
    if cache is not None:
        cache.linting(files)
        warm = _warm(files, lib, settings, cache)
        if warm is not None:
            return warm
    fork = shards is None and workers(len(files)) > 1
    n = workers(len(files)) if shards is None else shards
    position = {path: i for i, path in enumerate(files)}
    parts = [_Shard([(position[p], p) for p in part], settings) for part in split(files, n)]
    return _run(parts, lib, settings, fork=fork, cache=cache)


@dataclass(frozen=True, slots=True)
class _Settings:
    """What a run was asked for, as every shard needs it."""

    rules: tuple[str, ...]
    """Every rule selected, in registry order."""
    trust: frozenset[str]
    max_bytes: int
    stamps: bool
    """Whether to note how each file was when read (for the cache)."""

    @property
    def local(self) -> list[str]:
        """The rules that shards run."""
        return [r for r in self.rules if r not in COORDINATOR_RULES]

    @property
    def per_document(self) -> tuple[str, ...]:
        """The rules whose per-document part shards run in round one, on what they read."""
        return document_hooks(self.rules)


WARM_SHARE = 4
"""With a cache, the files it has no record of are read in this process, one shard, when
they are at most this fraction of the library; beyond that, all are read in shards."""


def _warm(
    files: Sequence[str], lib: Library, settings: _Settings, cache: LintCache
) -> ShardedLint | None:
    """Lint with the cache's records of unchanged files, reading only the others; None when
    too many changed (or the index did, so that the rules must read every file again)."""
    now = time.time_ns()
    finder = PackFinder()
    roots: dict[str, str | None] = {}
    known: dict[int, tuple[str, Record]] = {}
    for at, path in enumerate(files):
        folder = os.path.dirname(path)
        if folder not in roots:
            roots[folder] = finder.pack_root(os.path.dirname(os.path.abspath(path)))
        record = cache.fresh(path, roots[folder], now)
        if record is not None and record.found is not None:
            known[at] = (path, record)
    # The tasks that name what changed would turn out stale once it is read: read them now.
    edited = [path for at, path in enumerate(files) if at not in known]
    for at in dependents(cache.records, known, edited):
        del known[at]
    memo = _Memo()
    while known and len(files) - len(known) <= len(files) // WARM_SHARE:
        changed = [(at, path) for at, path in enumerate(files) if at not in known]
        parts = [_Shard(changed, settings)] if changed else []
        attempt = Library(diagnostics=list(lib.diagnostics), max_bytes=lib.max_bytes)
        try:
            return _run(parts, attempt, settings, fork=False, cache=cache, known=known, memo=memo)
        except Stale as stale:
            for at in stale.positions:
                del known[at]
    return None


def _run(
    parts: Sequence[_Shard],
    lib: Library,
    settings: _Settings,
    *,
    fork: bool,
    cache: LintCache | None,
    known: dict[int, tuple[str, Record]] | None = None,
    memo: _Memo | None = None,
) -> ShardedLint:
    """Both rounds over ``parts``, with ``known``'s records standing in for the files they
    hold; what the shards found goes to ``cache``."""
    cached: Loaded | None = None
    cached_found: dict[str, list[Diagnostic]] = {}
    if known:
        # before any work: Stale comes early
        cached, cached_found = answer_from(known, memo.parts if memo else None)
    with Rounds(parts, fork=fork) as rounds:
        answers: list[Loaded] = [pickle.loads(answer) for answer in rounds.first()]
        loaded = [*answers, cached] if cached is not None else answers
        # Shards hold files from all over the library: put everything back in file order,
        # which decides e.g. which of two duplicates is "first defined".
        names: dict[str, str] = {}
        manifests = (m for answer in loaded for m in answer.manifests)
        for _, root, name in sorted(manifests, key=lambda m: m[0]):
            names[root] = name
        decoded = [_decoded(answer) for answer in loaded]
        docs = sorted((d for part in decoded for d in part), key=lambda d: d[0])
        fingerprints: dict[int, bytes] = {}
        snapshot = b""
        if cache is not None:
            fingerprints, snapshot = _fingerprints(
                loaded, answers, docs, names, memo=memo, cache=cache
            )
            stale = [
                at
                for at, (_, rec) in (known or {}).items()
                if at in fingerprints and rec.index != fingerprints[at]
            ]
            if stale:
                raise Stale(stale)
        rounds.second([marshal.dumps((names, index)) for index in _index_for(parts, docs, names)])
        # While the shards lint their own documents, run the library-wide rules here.
        for found in (
            sorted((f for answer in loaded for f in answer.read), key=lambda f: f[0]),
            sorted((f for answer in loaded for f in answer.check), key=lambda f: f[0]),
        ):
            for _, diags in found:
                lib.diagnostics.extend(diags)
        task_names = _index_and_task_names(lib, names, docs)
        ctx = LintContext(lib, trust=settings.trust, task_names=task_names)
        rules = settings.rules
        mine = {r: run_rule(r, ctx) for r in rules if r in COORDINATOR_RULES}
        # the rules' per-document parts, run where each document was read
        per_document = sorted((f for answer in loaded for f in answer.per_document), key=_at)
        for _, diags in per_document:
            for d in diags:
                mine.setdefault(d.rule, []).append(d)
        results: list[Found] = [pickle.loads(answer) for answer in rounds.results()]
    if cache is not None:
        for shard, answer, part, result in zip(
            parts, answers, decoded[: len(answers)], results, strict=True
        ):
            record(cache, fingerprints, files=shard.files, answer=answer, docs=part, result=result)
        cache.verify(snapshot)
    theirs = [result.by_rule for result in results]
    if known:
        theirs.append(cached_found)
    by_rule = {
        rule_id: [*mine.get(rule_id, ()), *(d for shard in theirs for d in shard.get(rule_id, ()))]
        for rule_id in rules
    }
    return ShardedLint(lib, by_rule, {item[0] for _, _, item in docs})


@dataclass
class _Memo:
    """What one attempt of :func:`_warm` worked out that the next can use."""

    parts: dict[int, Any] = field(default_factory=dict)
    """Each cached record's checked parts (:func:`.reuse.answer_from`)."""
    fingerprints: tuple[dict[str, bytes], dict[str, str], dict[int, bytes], bytes] | None = None
    """The digests and pack names the fingerprints were worked out from, they, and the
    snapshot."""


def _fingerprints(
    loaded: list[Loaded],
    answers: list[Loaded],
    docs: list[tuple[int, bool, Any]],
    names: dict[str, str],
    *,
    memo: _Memo | None,
    cache: LintCache,
) -> tuple[dict[int, bytes], bytes]:
    """Each file's fingerprint of what the rules read besides it, by position, and the
    index's snapshot. When the cache :meth:`~.cache.LintCache.verified` the snapshot, only of
    the files read (``answers``): the cached records stand as they are. ``memo`` keeps them
    for another attempt (after a :class:`Stale`): the same files, with the same digests,
    have the same fingerprints."""
    stamps = [s for answer in loaded for s in answer.stamps]
    digests = {s.path: s.stamp.digest for s in stamps}
    if memo is not None and memo.fingerprints is not None:
        before_digests, before_names, before, snapshot = memo.fingerprints
        if before_digests == digests and before_names == names:
            return before, snapshot
    index = ((item[0], item[1], item[3]) for _, is_index, item in docs if is_index)
    fps = Fingerprints(index, names, digests)
    snapshot = fps.snapshot()
    verified = cache.verified(snapshot)
    if verified:
        wanted = {s.at for answer in answers for s in answer.stamps}
    else:
        wanted = {s.at for s in stamps}
    fingerprints = dict.fromkeys(wanted, fps.names)  # a file without documents: the names
    parts: list[bytes] = []
    last = -1
    for at, is_index, item in docs:  # in file order: a file's documents one after another
        if at not in wanted:
            continue
        if is_index:
            part = fps.index_part(item[0], item[3])
        else:
            part = fps.task_part(item[0], item[1], item[5])
        if at != last:
            parts, last = [], at
        parts.append(part)
        fingerprints[at] = fps.of_file(parts)
    if memo is not None and not verified:  # every file's: good for another attempt
        memo.fingerprints = (digests, names, fingerprints, snapshot)
    return fingerprints, snapshot


def _decoded(answer: Loaded) -> list[tuple[int, bool, Any]]:
    docs = marshal.loads(answer.docs) if isinstance(answer.docs, bytes) else answer.docs
    answer.docs = []  # decoded: free it
    return docs


class _Seen:
    """The stat and bytes of the file last read."""

    st: os.stat_result | None = None
    raw: bytes | None = None

    def __call__(self, st: os.stat_result, raw: bytes) -> None:
        self.st, self.raw = st, raw


class _Shard:
    """Files read in round one, linted meanwhile (:data:`DOCUMENT_RULES`) and in round two."""

    def __init__(self, files: Sequence[tuple[int, str]], settings: _Settings) -> None:
        self.files = files
        self.settings = settings
        self.rules = settings.local
        self.own: list[tuple[int, str | None, LoadedDoc]] = []
        """Every valid-kind document this shard read, with its file's position and pack root."""
        self.lib = Library(max_bytes=settings.max_bytes)
        self.ctx = LintContext(self.lib, trust=settings.trust)
        self.found: dict[str, list[Diagnostic]] = {}

    def first(self) -> bytes:
        finder = PackFinder()
        read: list[tuple[int, list[Diagnostic]]] = []
        checked: list[tuple[int, list[Diagnostic]]] = []
        manifests: list[tuple[int, str, str]] = []
        docs: list[tuple[int, bool, IndexDoc | Summary]] = []
        stamps: list[Stamped] = []
        per_document: list[tuple[int, list[Diagnostic]]] = []
        hooks = self.settings.per_document
        started = time.time_ns()
        seen = _Seen()
        settings = self.settings
        for at, path in self.files:
            seen.raw = None
            result = load_yaml_file(
                path, max_bytes=settings.max_bytes, on_read=seen if settings.stamps else None
            )
            read.append((at, result.diagnostics))
            root = finder.pack_root(os.path.dirname(os.path.abspath(path)))
            if seen.st is not None and seen.raw is not None:
                stamps.append(Stamped(at, path, stamp(seen.st, seen.raw, root, started)))
            check: list[Diagnostic] = []
            checked.append((at, check))
            for doc in result.documents:
                name = manifest_name(path, root, doc)
                if name is not None and root is not None:
                    manifests.append((at, root, name))
                ld = validate_document(doc, "", check)
                self.own.append((at, root, ld))
                if isinstance(ld.model, Content):
                    # Reading entries is reading: their diagnostics go with the dataset's.
                    before = len(self.lib.diagnostics)
                    self.lib.entries(ld)
                    check += self.lib.diagnostics[before:]
                if hooks and ld.model is not None:
                    per_document.append((at, run_document(hooks, self.ctx, ld)))
                if isinstance(ld.model, INDEX_MODELS):
                    docs.append((at, True, (path, root, doc.index, doc.data, doc.text)))
                    continue
                task = ld.model if isinstance(ld.model, Task) else None
                names = (task.id, task.content) if task else (None, None)
                refs = "\n".join(task_refs(task)) if task and settings.stamps else ""
                docs.append((at, False, (path, root, doc.index, *names, refs)))
        answer = Loaded(read, checked, manifests, marshal.dumps(docs), per_document, stamps)
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)

    def meanwhile(self) -> None:
        # The rules run on this shard's documents only; their caches (entries, validators,
        # template sites) serve round two too.
        self.lib.docs.extend(ld for _, _, ld in self.own)
        self.found = {r: run_rule(r, self.ctx) for r in self.rules if r in DOCUMENT_RULES}

    def second(self, shared: bytes) -> bytes:
        names, index_docs = marshal.loads(shared)
        for _, root, ld in self.own:
            ld.pack = namespace(ld.path, root, names)
        documents = [(at, _index_doc(item, names)) for at, item in index_docs]
        documents += [(at, ld) for at, _, ld in self.own]
        # In file order, as one pass indexes them: the first of a name wins.
        for _, ld in sorted(documents, key=lambda d: d[0]):
            index_document(self.lib, ld)
        for rule_id in self.rules:
            if rule_id not in DOCUMENT_RULES:
                self.found[rule_id] = run_rule(rule_id, self.ctx)
        mine = {path for _, path in self.files}
        owners: dict[str, str | None] = {}
        for diags in self.found.values():
            for d in diags:
                if d.path not in mine and d.path not in owners:
                    readers = set(self.lib.entry_files.get(d.path, ()))
                    owners[d.path] = readers.pop() if len(readers) == 1 else None
        answer = Found(self.found, owners)
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)


def _index_for(
    shards: Sequence[_Shard], docs: list[tuple[int, bool, Any]], names: dict[str, str]
) -> list[list[tuple[int, IndexDoc]]]:
    """The index documents each shard needs, with their files' positions, but for those it
    read itself: all but the content datasets, which are most of an index, and of those the
    ones its tasks read -- a task reads its own pack's datasets (by name, or their names for
    a hint) and those it names as ``pack/name``."""
    shard_of = {at: i for i, shard in enumerate(shards) for at, _ in shard.files}
    wanted: list[set[tuple[str, str]]] = [set() for _ in shards]
    packs: list[set[str]] = [set() for _ in shards]
    for at, is_index, item in docs:
        if not is_index and item[3] is not None and at in shard_of:  # a valid task, read
            path, root, content = item[0], item[1], item[4]
            pack = namespace(path, root, names)
            packs[shard_of[at]].add(pack)
            wanted[shard_of[at]].add(Library.resolve(pack, content))
    out: list[list[tuple[int, IndexDoc]]] = [[] for _ in shards]
    for at, is_index, item in docs:
        if not is_index:
            continue
        path, root, _, data, _ = item
        key = (namespace(path, root, names), data["name"]) if data["kind"] == "content" else None
        for i in range(len(shards)):
            if i != shard_of.get(at) and (key is None or key in wanted[i] or key[0] in packs[i]):
                out[i].append((at, item))
    return out


def _index_doc(item: IndexDoc, names: dict[str, str]) -> LoadedDoc:
    """An index document, validated again here (cheap: they are few); its shard reported
    what was wrong with it."""
    path, root, number, data, text = item
    if isinstance(text, str):
        doc = Document(path=path, data=data, text=text, index=number)
    else:  # from the cache: the digest of its file, read if a finding needs positions
        doc = FileText.unread(path, data, number, text)
    return validate_document(doc, namespace(path, root, names), [])


def _index_and_task_names(
    lib: Library, names: dict[str, str], docs: list[tuple[int, bool, Any]]
) -> list[TaskName]:
    """Add the index documents to ``lib``, and name every valid task. A task stands in
    with an empty document, read again only when its id is not unique (TK201 points there)."""
    task_names: list[TaskName] = []
    for _, is_index, item in docs:
        if is_index:
            ld = _index_doc(item, names)
            lib.docs.append(ld)
            index_document(lib, ld)
            continue
        path, root, number, task_id, content = item[:5]
        if task_id is not None:
            doc = Document(path=path, data=None, text="", index=number)
            stand_in = LoadedDoc(doc, namespace(path, root, names), "task", None)
            task_names.append(TaskName(stand_in, task_id, content))
    counts = Counter((t.owner.pack, t.id) for t in task_names)
    for t in task_names:
        if counts[t.owner.pack, t.id] > 1:
            t.owner.doc = _reread(t.owner.doc)
    return task_names


def _reread(stand_in: Document) -> Document:
    for doc in load_yaml_file(stand_in.path).documents:
        if doc.index == stand_in.index:
            return doc
    return stand_in  # changed since: positions fall back to the top of the file


def _at(item: tuple[int, list[Diagnostic]]) -> int:
    return item[0]
