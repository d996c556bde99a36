"""Lint rules, one module each, listed in :data:`taskkit.lint.registry.RULES`.

A rule module declares::

    from ...rule_ids import UNUSED_TOOL      # its id, a constant of the id table

    ID = UNUSED_TOOL
    NAME = "unused-tool"
    SEVERITY = Severity.WARNING               # the engine stamps it on every finding
    READS: Scope = "index"                    # what it reads (lint/scope.py)

    def check(ctx: LintContext) -> Iterator[Diagnostic]: ...

and, when part of it reads nothing but one document (and what only that document brings, a
dataset's entries), optionally::

    def check_document(ctx: LintContext, ld: LoadedDoc) -> Iterator[Diagnostic]: ...

which the engine (:mod:`taskkit.lint.engine`) runs wherever the document is read, so that
``check`` never asks whether it runs in a shard.

Adding a rule: this module, one line in :mod:`taskkit.rule_ids` (``NEW_NAME: Final =
"TKnnn"``) and one line in :data:`~taskkit.lint.registry.RULES` (``NEW_NAME: new_module``),
a folder of ``tests/examples/invalid/TKnnn-...`` and the docs table (``python -m
taskkit.docs_gen``).

Adapting a rule module written before the id table (``ID = "TKnnn"``, ``severity=SEVERITY``
passed to each finding), mechanically: add the id's line to :mod:`taskkit.rule_ids`, write
``ID = NEW_NAME`` with ``from ...rule_ids import NEW_NAME``, and use the constant wherever
the module names that id or another one (``tests/unit/lint/test_rule_ids.py`` lists every
``"TKnnn"`` literal left). Passing ``severity=SEVERITY`` still works (the engine stamps the
same value); it can be dropped.
"""
