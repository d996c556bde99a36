"""What the findings in one file depend on besides the file itself, so that the lint cache
(:mod:`.cache`) re-lints only the files an edit can change.

Two parts (see :class:`.cache.Fingerprints`):

* the *names* of the index: every pack, toolset, tool, dataset and evaluator name, by pack,
  in file order, and each pack root's name. Did-you-mean hints and "unknown ..." findings
  read all of them, so a change of any name changes every file's fingerprint;
* the *content* of the index documents a document names: of a task, its pack's manifest
  and lock, the toolsets of the tools it names, its dataset (and the dataset's entries
  file) and its evaluators; of a pack manifest, the manifests of the packs it requires
  (TK603); of a dataset, its entries file. Toolsets and evaluators read only themselves.

An ``index`` rule (:mod:`.scope`) may read, of the index, only what is listed here for the
document it reports on; one that reads more must add it to :func:`task_refs` (or to
:class:`.cache.Fingerprints`). The Hypothesis property in
``tests/unit/lint/test_cache.py`` holds a cached run equal to a full run after random edits
of every kind of document.
"""

from __future__ import annotations

from ..models import Task
from ..models.checks import ArgValues, ForbiddenTools, Order

__all__ = ["PACK", "task_refs"]

PACK = "pack:"
"""A task's own pack: its manifest(s) by name, and their locks (TK602)."""
TOOLSET = "toolset:"
CONTENT = "content:"
EVALUATOR = "evaluator:"


def task_refs(task: Task) -> tuple[str, ...]:
    """The index documents a task's findings may read, as ``kind:ref`` (``ref`` as written:
    ``name`` or ``pack/name``, resolved against the task's pack when the index is known),
    sorted and each once."""
    refs = {PACK, CONTENT + task.content}
    tools = [*task.tools, *task.distractors, *(a.tool for a in task.final.calls)]
    if task.faults is not None and task.faults.tools:
        tools += task.faults.tools
    for check in task.action_checks:
        if isinstance(check, ForbiddenTools):
            tools += check.tools
        elif isinstance(check, ArgValues):
            tools.append(check.tool)
        elif isinstance(check, Order):
            tools += (check.first, check.then)
    for ref in tools:
        # `toolset.tool` or `pack/toolset.tool`: the toolset is what is read (split as
        # Library.tool splits it)
        pack, slash, rest = ref.partition("/") if "/" in ref else ("", "", ref)
        refs.add(TOOLSET + pack + slash + rest.partition(".")[0])
    refs.update(EVALUATOR + ref for ref in task.evaluators)
    return tuple(sorted(refs))
