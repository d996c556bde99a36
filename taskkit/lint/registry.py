"""Every lint rule, in one table, keyed by its id from :mod:`taskkit.rule_ids`. A rule is a
module with ``ID``, ``NAME``, ``SEVERITY``, ``READS`` (what it reads, see :mod:`.scope`), a
docstring (shown by ``taskkit rules``), ``check(ctx)``, a generator of diagnostics, and
optionally ``check_document(ctx, ld)``, its per-document part (see :mod:`.engine`, and
:mod:`.rules` for how to write one)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from ..diagnostics import Diagnostic, Severity
from ..library import LoadedDoc
from ..rule_ids import (
    BAD_SCHEMA_VERSION,
    DICT_METHOD_ATTRIBUTE,
    DUPLICATE_ID,
    DUPLICATE_KEY,
    EFFECT_MISMATCH,
    ENCODING,
    ENTRY_SCHEMA,
    FILE_UNREADABLE,
    GOLD_ACTION,
    GOLD_ACTION_ERRORS,
    GOLD_ACTION_FAILS,
    GOLD_ANSWER,
    GOLD_EXPECTATION,
    HANDLER_MISSING,
    HANDLER_SIGNATURE,
    HELPER_MISUSE,
    HIDDEN_FACT_UNREVEALED,
    INVALID_JSON_SCHEMA,
    INVALID_REGEX,
    JINJA_SYNTAX,
    JSONL_SYNTAX,
    MAX_TURNS,
    NON_JSON_VALUE,
    OPTIONAL_FIELD,
    PACK_LOCK_INVALID,
    PACK_MANIFEST,
    PACK_REQUIRES,
    PYTHON_BRACES,
    RENDER_ERROR,
    SCHEMA_VIOLATION,
    STATEMENT_ONLY_EXPRESSION,
    TASK_VERSION_NOT_BUMPED,
    TERMINAL_NOT_LAST,
    TOOL_NAME_CLASH,
    UNBOUND_NAME,
    UNDECLARED_ARGUMENT,
    UNDEFINED_VARIABLE,
    UNKNOWN_CONTENT,
    UNKNOWN_EVALUATOR,
    UNKNOWN_HIDDEN_FACT,
    UNKNOWN_KIND,
    UNKNOWN_SCHEMA_KEYWORD,
    UNKNOWN_TOOL,
    UNSAFE_TAG,
    UNTRUSTED_HANDLER,
    UNUSED_CONTENT,
    UNUSED_TOOL,
    USER_NEVER_ANSWERED,
    USER_TRIGGER_UNREACHABLE,
    VACUOUS_FINAL,
    WORLD_FILE,
    WORLD_SCHEMA,
    WRITE_UNKNOWN_COLLECTION,
    YAML_BOMB,
    YAML_SYNTAX,
)
from .context import LintContext
from .rules import (
    dict_method_attribute,
    duplicate_id,
    duplicate_key,
    effect_mismatch,
    encoding,
    entry_schema,
    file_unreadable,
    gold_action,
    gold_action_errors,
    gold_action_fails,
    gold_answer,
    gold_expectation,
    handler_missing,
    handler_signature,
    helper_misuse,
    hidden_fact_unrevealed,
    invalid_json_schema,
    invalid_regex,
    jinja_syntax,
    jsonl_syntax,
    max_turns,
    non_json_value,
    optional_field,
    pack_lock_invalid,
    pack_manifest,
    pack_requires,
    python_braces,
    render_error,
    schema_version,
    schema_violation,
    statement_only_expression,
    task_version_not_bumped,
    terminal_not_last,
    tool_name_clash,
    unbound_name,
    undeclared_argument,
    undefined_variable,
    unknown_content,
    unknown_evaluator,
    unknown_hidden_fact,
    unknown_kind,
    unknown_schema_keyword,
    unknown_tool,
    unsafe_tag,
    untrusted_handler,
    unused_content,
    unused_tool,
    user_never_answered,
    user_trigger_unreachable,
    vacuous_final,
    world_file,
    world_schema,
    write_unknown_collection,
    yaml_bomb,
    yaml_syntax,
)
from .scope import Scope

__all__ = ["DOCUMENT_HOOKS", "RULES", "DocumentHook", "Rule", "rules_reading"]


class Rule(Protocol):
    ID: str
    NAME: str
    SEVERITY: Severity
    READS: Scope

    def check(self, ctx: LintContext) -> Iterable[Diagnostic]: ...


RULES: dict[str, Rule] = {
    YAML_SYNTAX: yaml_syntax,
    FILE_UNREADABLE: file_unreadable,
    ENCODING: encoding,
    UNSAFE_TAG: unsafe_tag,
    YAML_BOMB: yaml_bomb,
    DUPLICATE_KEY: duplicate_key,
    JSONL_SYNTAX: jsonl_syntax,
    NON_JSON_VALUE: non_json_value,
    UNKNOWN_KIND: unknown_kind,
    BAD_SCHEMA_VERSION: schema_version,
    SCHEMA_VIOLATION: schema_violation,
    DUPLICATE_ID: duplicate_id,
    UNKNOWN_TOOL: unknown_tool,
    UNKNOWN_CONTENT: unknown_content,
    UNKNOWN_EVALUATOR: unknown_evaluator,
    TOOL_NAME_CLASH: tool_name_clash,
    JINJA_SYNTAX: jinja_syntax,
    UNDEFINED_VARIABLE: undefined_variable,
    PYTHON_BRACES: python_braces,
    OPTIONAL_FIELD: optional_field,
    UNDECLARED_ARGUMENT: undeclared_argument,
    UNBOUND_NAME: unbound_name,
    STATEMENT_ONLY_EXPRESSION: statement_only_expression,
    DICT_METHOD_ATTRIBUTE: dict_method_attribute,
    ENTRY_SCHEMA: entry_schema,
    INVALID_JSON_SCHEMA: invalid_json_schema,
    GOLD_ACTION: gold_action,
    UNKNOWN_SCHEMA_KEYWORD: unknown_schema_keyword,
    EFFECT_MISMATCH: effect_mismatch,
    # cheap checks of the gold path, on the first entry (--deep: TK702, TK703 on every entry)
    GOLD_ACTION_ERRORS: gold_action_errors,
    GOLD_ANSWER: gold_answer,
    INVALID_REGEX: invalid_regex,
    MAX_TURNS: max_turns,
    WRITE_UNKNOWN_COLLECTION: write_unknown_collection,
    HELPER_MISUSE: helper_misuse,
    TERMINAL_NOT_LAST: terminal_not_last,
    WORLD_SCHEMA: world_schema,
    WORLD_FILE: world_file,
    # the simulated user of a multi-turn task, against its gold conversation
    USER_TRIGGER_UNREACHABLE: user_trigger_unreachable,
    HIDDEN_FACT_UNREVEALED: hidden_fact_unrevealed,
    UNKNOWN_HIDDEN_FACT: unknown_hidden_fact,
    USER_NEVER_ANSWERED: user_never_answered,
    UNUSED_TOOL: unused_tool,
    UNUSED_CONTENT: unused_content,
    VACUOUS_FINAL: vacuous_final,
    # pack manifests and locks (see taskkit.packs)
    PACK_MANIFEST: pack_manifest,
    TASK_VERSION_NOT_BUMPED: task_version_not_bumped,
    PACK_REQUIRES: pack_requires,
    PACK_LOCK_INVALID: pack_lock_invalid,
    # compile phase: found by `taskkit compile` and `taskkit lint --deep`
    RENDER_ERROR: render_error,
    GOLD_ACTION_FAILS: gold_action_fails,
    GOLD_EXPECTATION: gold_expectation,
    UNTRUSTED_HANDLER: untrusted_handler,
    # Python handlers: their source read with ast, never imported
    HANDLER_MISSING: handler_missing,
    HANDLER_SIGNATURE: handler_signature,
}


def rules_reading(*scopes: Scope) -> frozenset[str]:
    """The ids of the rules that read what one of ``scopes`` says."""
    return frozenset(rule_id for rule_id, rule in RULES.items() if rule.READS in scopes)


DocumentHook = Callable[[LintContext, LoadedDoc], Iterable[Diagnostic]]
"""A rule's per-document part: findings that read nothing but one document (see :mod:`.engine`)."""

DOCUMENT_HOOKS: dict[str, DocumentHook] = {
    rule_id: rule.check_document
    for rule_id, rule in RULES.items()
    if hasattr(rule, "check_document")
}
"""The rules with a per-document part, derived from the modules (none is listed by hand)."""
