"""Every finding id taskkit can print, in one table: the loader's, lint's rules', the
compiler's and the pack gate's.

Code names an id by its constant here, never by retyping ``"TK..."`` (a test greps the
package for string literals holding one). The rule that owns an id is its module in
:mod:`taskkit.lint.rules`, listed in :data:`taskkit.lint.registry.RULES`; the pack gate's
ids, which no lint rule reports, are described in :data:`PACK_GATE`. A test holds every id
here either in the registry or in :data:`PACK_GATE`, so ``taskkit rules`` lists them all.

This module sits below everything that reports a finding (the YAML reader, the library
loader, lint, the compiler, the pack gate) and imports nothing.
"""

from __future__ import annotations

from typing import Final

# Reading files (the loader: taskkit.io.yamlio, taskkit.library, taskkit.packs.discovery)
YAML_SYNTAX: Final = "TK001"
FILE_UNREADABLE: Final = "TK003"
ENCODING: Final = "TK004"
UNSAFE_TAG: Final = "TK005"
YAML_BOMB: Final = "TK006"
DUPLICATE_KEY: Final = "TK007"
JSONL_SYNTAX: Final = "TK008"
NON_JSON_VALUE: Final = "TK009"
# Documents against their schemas
UNKNOWN_KIND: Final = "TK101"
BAD_SCHEMA_VERSION: Final = "TK102"
SCHEMA_VIOLATION: Final = "TK103"
# Names and references
DUPLICATE_ID: Final = "TK201"
UNKNOWN_TOOL: Final = "TK202"
UNKNOWN_CONTENT: Final = "TK203"
UNKNOWN_EVALUATOR: Final = "TK204"
TOOL_NAME_CLASH: Final = "TK205"
# Templates
JINJA_SYNTAX: Final = "TK301"
UNDEFINED_VARIABLE: Final = "TK302"
PYTHON_BRACES: Final = "TK303"
OPTIONAL_FIELD: Final = "TK304"
UNDECLARED_ARGUMENT: Final = "TK305"
UNBOUND_NAME: Final = "TK306"
STATEMENT_ONLY_EXPRESSION: Final = "TK308"
DICT_METHOD_ATTRIBUTE: Final = "TK309"
# Entries, schemas and the gold path
ENTRY_SCHEMA: Final = "TK401"
INVALID_JSON_SCHEMA: Final = "TK402"
GOLD_ACTION: Final = "TK403"
UNKNOWN_SCHEMA_KEYWORD: Final = "TK404"
EFFECT_MISMATCH: Final = "TK405"
GOLD_ACTION_ERRORS: Final = "TK406"
GOLD_ANSWER: Final = "TK407"
INVALID_REGEX: Final = "TK408"
MAX_TURNS: Final = "TK409"
WRITE_UNKNOWN_COLLECTION: Final = "TK410"
HELPER_MISUSE: Final = "TK411"
TERMINAL_NOT_LAST: Final = "TK412"
# Shared world files of a pack
WORLD_SCHEMA: Final = "TK420"
WORLD_FILE: Final = "TK421"
# The simulated user of a multi-turn task (its `user:` block against the gold conversation)
USER_TRIGGER_UNREACHABLE: Final = "TK440"
HIDDEN_FACT_UNREVEALED: Final = "TK441"
UNKNOWN_HIDDEN_FACT: Final = "TK442"
USER_NEVER_ANSWERED: Final = "TK443"
# Unused things
UNUSED_TOOL: Final = "TK501"
UNUSED_CONTENT: Final = "TK502"
VACUOUS_FINAL: Final = "TK503"
# Pack manifests and locks
PACK_MANIFEST: Final = "TK601"
TASK_VERSION_NOT_BUMPED: Final = "TK602"
PACK_REQUIRES: Final = "TK603"
PACK_LOCK_INVALID: Final = "TK604"
# The pack gate (taskkit pack check), beyond lint
README_MISSING: Final = "TK691"
LICENSE_MISSING: Final = "TK692"
DESCRIPTION_MISSING: Final = "TK693"
LOCK_OUT_OF_DATE: Final = "TK694"
PROPERTY_FAILS: Final = "TK695"
# The compile phase (taskkit compile, taskkit lint --deep)
RENDER_ERROR: Final = "TK701"
GOLD_ACTION_FAILS: Final = "TK702"
GOLD_EXPECTATION: Final = "TK703"
UNTRUSTED_HANDLER: Final = "TK704"
# Python handlers, read (never imported) by lint
HANDLER_MISSING: Final = "TK705"
HANDLER_SIGNATURE: Final = "TK706"

PACK_GATE: Final[dict[str, tuple[str, str]]] = {
    README_MISSING: (
        "readme-missing",
        "A pack has no README in its folder or above it, up to the project root.",
    ),
    LICENSE_MISSING: (
        "license-missing",
        "A pack has no LICENSE, LICENCE or COPYING file, found the same way as its README.",
    ),
    DESCRIPTION_MISSING: (
        "description-missing",
        "A pack manifest has an empty description: people choose packs by it.",
    ),
    LOCK_OUT_OF_DATE: (
        "lock-out-of-date",
        "pack.lock is missing, or does not record a task's version and hash as they are "
        "(run `taskkit pack lock`).",
    ),
    PROPERTY_FAILS: (
        "property-fails",
        "A task's property tests (taskkit test) fail: a generated entry breaks the gold path.",
    ),
}
"""The pack gate's own findings (``taskkit pack check``; its lint step reports lint's ids):
id -> (name, what it means). All are errors: the gate fails on any."""
