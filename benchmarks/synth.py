#!/usr/bin/env python3
"""Generate a synthetic but realistic-shaped taskkit library, for scale benchmarks.

    python benchmarks/synth.py OUT_DIR --tasks 14000 [--packs 100] [--entries-per-dataset 20]
                                       [--seed 0] [--verify]

writes ``OUT_DIR/task_library/<pack>/{pack.yaml,tools/*.yaml,tasks/*.yaml}`` and
``OUT_DIR/content_datasets/<pack>/*.yaml`` (some datasets with their entries inline, some
with a sibling ``.jsonl`` entries file), plus ``OUT_DIR/synth.json`` (parameters and counts,
which ``bench_lint.py`` uses to reuse a library it generated before).

The shape follows the starter pack ``home``: every pack has 4 toolsets (one per collection of
its world state) of 5 tools -- always a ``select`` search and a ``get``, plus three of
``count``/``insert``/``update``/``delete`` -- and 10 content datasets whose ``fields`` schema has
5 to 8 typed properties (the collection's records, a target record's id and label, a group
value, and 1 to 4 of: a quantity, a budget, a date, a status, an expected count). Every task
offers 2 or 3 tools and 1 distractor, has a user command that reads 2 to 4 fields, a templated
initial state, 1 to 3 action checks, one gold action per offered tool whose arguments satisfy
the tool's ``parameters`` for every entry, and ``expect`` with ``state: matches_gold`` and an
answer check. Texts come from several phrasings per operation so that the templates are not
all identical (the template caches of a real library see many distinct sources). The first
pack also has a fifth toolset, :data:`SHARED_TOOLSET`, whose one tool every task of that pack
offers as a second distractor: ``bench_lint.py`` edits it to time a re-lint after an edit of
a toolset that a whole pack of tasks (140 by default) reads.

The output is lint-clean: ``taskkit lint --strict OUT_DIR/task_library OUT_DIR/content_datasets``
exits 0. The same arguments always produce the same bytes. YAML is emitted by a small writer
of our own (block style, JSON-quoted scalars when needed) because PyYAML's dumper is the slow
part otherwise; ``--verify`` re-reads every file with PyYAML and checks it equals the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import shutil
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DEFAULTS", "Params", "generate", "main"]

DEFAULTS = {
    "tasks": 14000,
    "tasks_per_pack": 140,
    "entries_per_dataset": 20,
    "datasets_per_pack": 10,
    "toolsets_per_pack": 4,
    "seed": 0,
}
MANIFEST = "synth.json"
GENERATOR_VERSION = 1
"""Bump when the output for given parameters changes, so that cached libraries are rebuilt."""

# --------------------------------------------------------------------------------------------
# Vocabulary. Collections are (plural, singular); names are chosen so that no content field,
# tool parameter or collection name collides with another or with a Jinja global.

DOMAINS: dict[str, list[tuple[str, str]]] = {
    "bookshop": [
        ("books", "book"),
        ("orders", "order"),
        ("customers", "customer"),
        ("suppliers", "supplier"),
        ("reviews", "review"),
        ("events", "event"),
    ],
    "clinic": [
        ("patients", "patient"),
        ("appointments", "appointment"),
        ("doctors", "doctor"),
        ("prescriptions", "prescription"),
        ("invoices", "invoice"),
        ("referrals", "referral"),
    ],
    "airline": [
        ("flights", "flight"),
        ("bookings", "booking"),
        ("passengers", "passenger"),
        ("crews", "crew"),
        ("claims", "claim"),
        ("lounges", "lounge"),
    ],
    "hotel": [
        ("rooms", "room"),
        ("reservations", "reservation"),
        ("visitors", "visitor"),
        ("cleanings", "cleaning"),
        ("invoices", "invoice"),
        ("amenities", "amenity"),
    ],
    "grocery": [
        ("products", "product"),
        ("carts", "cart"),
        ("deliveries", "delivery"),
        ("coupons", "coupon"),
        ("stores", "store"),
        ("recipes", "recipe"),
    ],
    "helpdesk": [
        ("tickets", "ticket"),
        ("agents", "agent"),
        ("articles", "article"),
        ("incidents", "incident"),
        ("assets", "asset"),
        ("changes", "change"),
    ],
    "library": [
        ("loans", "loan"),
        ("members", "member"),
        ("holds", "hold"),
        ("branches", "branch"),
        ("periodicals", "periodical"),
        ("study_rooms", "study_room"),
    ],
    "fitness": [
        ("classes", "class"),
        ("trainers", "trainer"),
        ("memberships", "membership"),
        ("workouts", "workout"),
        ("lockers", "locker"),
        ("sessions", "session"),
    ],
    "logistics": [
        ("shipments", "shipment"),
        ("warehouses", "warehouse"),
        ("trucks", "truck"),
        ("routes", "route"),
        ("parcels", "parcel"),
        ("drivers", "driver"),
    ],
    "school": [
        ("courses", "course"),
        ("students", "student"),
        ("assignments", "assignment"),
        ("exams", "exam"),
        ("classrooms", "classroom"),
        ("teachers", "teacher"),
    ],
    "restaurant": [
        ("tables", "table"),
        ("menu_items", "menu_item"),
        ("orders", "order"),
        ("reservations", "reservation"),
        ("suppliers", "supplier"),
        ("shifts", "shift"),
    ],
    "realty": [
        ("listings", "listing"),
        ("viewings", "viewing"),
        ("offers", "offer"),
        ("agents", "agent"),
        ("leases", "lease"),
        ("inspections", "inspection"),
    ],
    "banking": [
        ("accounts", "account"),
        ("transfers", "transfer"),
        ("cards", "card"),
        ("loans", "loan"),
        ("payees", "payee"),
        ("disputes", "dispute"),
    ],
    "concerts": [
        ("venues", "venue"),
        ("shows", "show"),
        ("tickets", "ticket"),
        ("artists", "artist"),
        ("sponsors", "sponsor"),
        ("vendors", "vendor"),
    ],
    "garage": [
        ("vehicles", "vehicle"),
        ("repairs", "repair"),
        ("parts", "part"),
        ("mechanics", "mechanic"),
        ("quotes", "quote"),
        ("bays", "bay"),
    ],
    "cinema": [
        ("films", "film"),
        ("screenings", "screening"),
        ("screens", "screen"),
        ("snacks", "snack"),
        ("ushers", "usher"),
        ("vouchers", "voucher"),
    ],
    "pharmacy": [
        ("medicines", "medicine"),
        ("refills", "refill"),
        ("pharmacists", "pharmacist"),
        ("insurers", "insurer"),
        ("batches", "batch"),
        ("recalls", "recall"),
    ],
    "travel": [
        ("trips", "trip"),
        ("itineraries", "itinerary"),
        ("tours", "tour"),
        ("visas", "visa"),
        ("guides", "guide"),
        ("transfers", "transfer"),
    ],
    "farm": [
        ("fields", "field"),
        ("harvests", "harvest"),
        ("tractors", "tractor"),
        ("herds", "herd"),
        ("orders", "order"),
        ("workers", "worker"),
    ],
    "museum": [
        ("exhibits", "exhibit"),
        ("tours", "tour"),
        ("loans", "loan"),
        ("donors", "donor"),
        ("galleries", "gallery"),
        ("restorations", "restoration"),
    ],
}

GROUPS: dict[str, list[str]] = {
    "city": [
        "Austin",
        "Denver",
        "Portland",
        "Raleigh",
        "Madison",
        "Boise",
        "Tucson",
        "Omaha",
        "Fresno",
        "Tulsa",
    ],
    "category": ["essentials", "premium", "seasonal", "clearance", "imported", "local"],
    "region": ["north", "south", "east", "west", "central", "coastal"],
    "department": ["finance", "operations", "sales", "support", "research", "legal"],
    "genre": ["mystery", "fantasy", "history", "poetry", "science", "travel writing"],
    "brand": ["Acme", "Northwind", "Contoso", "Globex", "Initech", "Umbrella"],
    "team": ["alpha", "bravo", "charlie", "delta", "echo"],
    "location": ["Main Street", "Harbor Point", "Old Town", "Riverside", "Airport"],
    "channel": ["web", "phone", "email", "in person", "partner"],
    "tier": ["bronze", "silver", "gold", "platinum"],
}
QTY_NAMES = [
    "quantity",
    "seats",
    "units",
    "copies",
    "nights",
    "stock",
    "headcount",
    "capacity",
    "party_size",
    "slots",
]
AMOUNT_NAMES = ["price", "fee", "total", "budget", "cost", "rate", "amount"]
DATE_NAMES = ["date", "due_date", "start_date", "scheduled_for", "delivery_date", "requested_on"]
LABEL_NAMES = ["name", "title", "label", "summary", "display_name"]
COUNT_NAMES = ["matching", "match_count", "expected_count", "n_matching", "hits"]
STATUSES: list[tuple[str, list[str]]] = [
    ("status", ["open", "pending", "closed"]),
    ("status", ["active", "suspended", "cancelled"]),
    ("state", ["draft", "submitted", "approved", "rejected"]),
    ("stage", ["new", "in_progress", "done"]),
    ("status", ["scheduled", "completed", "no_show"]),
    ("phase", ["planned", "running", "finished", "archived"]),
]
DATASET_PURPOSES = [
    "requests",
    "queries",
    "scenarios",
    "cases",
    "jobs",
    "snapshots",
    "samples",
    "workloads",
    "examples",
    "situations",
]
ADJECTIVES = [
    "Amber",
    "Blue",
    "Cedar",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Linden",
    "Maple",
    "Nova",
    "Onyx",
    "Pine",
    "Quartz",
    "Rowan",
    "Sage",
    "Tidal",
    "Umber",
    "Vesper",
    "Willow",
    "Zephyr",
]
NOUNS = [
    "Summit",
    "Meadow",
    "Atlas",
    "Orchard",
    "Beacon",
    "Crest",
    "Harbor",
    "Ridge",
    "Grove",
    "Lantern",
    "Compass",
    "Quarry",
    "Anchor",
    "Canyon",
    "Prairie",
    "Signal",
]
LICENSES = ["Apache-2.0", "MIT", "CC-BY-4.0", "BSD-3-Clause"]
DATE_ORIGIN = dt.date(2026, 9, 1)

OP_VERBS = {
    "search": ["search", "find", "list"],
    "get": ["get", "lookup", "fetch"],
    "count": ["count"],
    "create": ["create", "add", "register"],
    "update": ["set", "update"],
    "delete": ["delete", "remove", "cancel"],
}
WRITE_OPS = frozenset({"create", "update", "delete"})

INTENTS: list[tuple[str, tuple[str, ...], str]] = [
    # (intent, operations in gold order, category)
    ("lookup", ("search", "get"), "data"),
    ("find_and_update", ("search", "update"), "database"),
    ("find_and_delete", ("search", "delete"), "database"),
    ("check_and_update", ("get", "update"), "tools"),
    ("check_and_delete", ("get", "delete"), "tools"),
    ("count_and_create", ("count", "create"), "database"),
    ("search_and_create", ("search", "create"), "data"),
    ("survey", ("search", "count"), "data"),
    ("verify_and_create", ("get", "create"), "tools"),
    ("review_and_update", ("search", "get", "update"), "database"),
    ("review_and_delete", ("search", "get", "delete"), "database"),
    ("audit", ("count", "get", "update"), "tools"),
    ("restock", ("search", "get", "create"), "data"),
    ("census", ("count", "search", "get"), "data"),
]


# --------------------------------------------------------------------------------------------
# The world of one pack.


@dataclass
class Collection:
    plural: str
    singular: str
    prefix: str
    label: str
    group: str
    qty: str
    amount: str
    date: str
    status: str
    statuses: list[str]
    groups: list[str]
    tool_names: dict[str, str] = field(default_factory=dict)  # op -> tool name
    toolset: str = ""

    def ref(self, op: str) -> str:
        return f"{self.toolset}.{self.tool_names[op]}"

    @property
    def id_param(self) -> str:
        return f"{self.singular}_id"

    @property
    def words(self) -> str:
        return self.plural.replace("_", " ")

    @property
    def word(self) -> str:
        return self.singular.replace("_", " ")


@dataclass
class Dataset:
    name: str
    coll: Collection
    fields: dict[str, str]  # role -> field name
    jsonl: bool


@dataclass
class Stats:
    packs: int = 0
    files: int = 0
    yaml_files: int = 0
    jsonl_files: int = 0
    toolsets: int = 0
    tools: int = 0
    tasks: int = 0
    datasets: int = 0
    entries: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class Params:
    tasks: int = DEFAULTS["tasks"]
    packs: int | None = None
    entries_per_dataset: int = DEFAULTS["entries_per_dataset"]
    datasets_per_pack: int = DEFAULTS["datasets_per_pack"]
    seed: int = DEFAULTS["seed"]

    def resolved_packs(self) -> int:
        if self.packs is not None:
            return max(1, min(self.packs, self.tasks))
        return max(1, math.ceil(self.tasks / DEFAULTS["tasks_per_pack"]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator_version": GENERATOR_VERSION,
            "tasks": self.tasks,
            "packs": self.resolved_packs(),
            "entries_per_dataset": self.entries_per_dataset,
            "datasets_per_pack": self.datasets_per_pack,
            "toolsets_per_pack": DEFAULTS["toolsets_per_pack"],
            "tools_per_toolset": 5,
            "seed": self.seed,
        }


def _j(expr: str) -> str:
    """A Jinja expression tag: ``{{ expr }}``."""
    return "{{ " + expr + " }}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _collections(rng: random.Random, domain: str) -> list[Collection]:
    chosen = rng.sample(DOMAINS[domain], DEFAULTS["toolsets_per_pack"])
    out: list[Collection] = []
    prefixes: set[str] = set()
    for plural, singular in chosen:
        prefix = "".join(w[0] for w in singular.split("_")) + singular.replace("_", "")[1:3]
        while prefix in prefixes:
            prefix += "x"
        prefixes.add(prefix)
        status, statuses = rng.choice(STATUSES)
        group = rng.choice(sorted(GROUPS))
        coll = Collection(
            plural=plural,
            singular=singular,
            prefix=prefix,
            label=rng.choice(LABEL_NAMES),
            group=group,
            qty=rng.choice(QTY_NAMES),
            amount=rng.choice(AMOUNT_NAMES),
            date=rng.choice(DATE_NAMES),
            status=status,
            statuses=statuses,
            groups=GROUPS[group],
        )
        coll.toolset = plural.replace("_", "-") if rng.random() < 0.3 else plural
        # 5 tools: search and get always, three of the four others.
        ops = ["search", "get", *sorted(rng.sample(["count", "create", "update", "delete"], 3))]
        for op in ops:
            verb = rng.choice(OP_VERBS[op])
            if op == "search":
                name = f"{verb}_{plural}"
            elif op == "count":
                name = f"count_{plural}"
            elif op == "update":
                name = f"{verb}_{singular}_{status}"
            else:
                name = f"{verb}_{singular}"
            coll.tool_names[op] = name
        out.append(coll)
    return out


# --------------------------------------------------------------------------------------------
# Documents.


def _pack_doc(name: str, domain: str, index: int, rng: random.Random) -> dict[str, Any]:
    return {
        "kind": "pack",
        "schema_version": 1,
        "name": name,
        "version": f"{rng.randint(0, 2)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        "title": f"{domain.capitalize()} operations #{index}",
        "description": (
            f"Synthetic {domain} tasks on a simulated back office: search, inspect, create, "
            f"update and remove records. Generated by benchmarks/synth.py for scale tests."
        ),
        "license": rng.choice(LICENSES),
        "taskkit": ">=0.1",
        "authors": [f"synth bot {rng.randint(1, 9)}"],
    }


def _record_schema(c: Collection) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            c.label: {"type": "string"},
            c.group: {"type": "string"},
            c.qty: {"type": "integer", "minimum": 0},
            c.amount: {"type": "number", "minimum": 0},
            c.date: {"type": "string", "format": "date"},
            c.status: {"type": "string", "enum": list(c.statuses)},
        },
        "required": ["id", c.label, c.group, c.qty, c.amount, c.date, c.status],
    }


def _tool(c: Collection, op: str, rng: random.Random) -> dict[str, Any]:
    name = c.tool_names[op]
    if op == "search":
        sort = rng.choice([c.amount, f"-{c.qty}", c.date, c.label])
        return {
            "name": name,
            "description": rng.choice(
                [
                    f"Search {c.words} by {c.group}, sorted by {sort.lstrip('-')}.",
                    f"List {c.words} in one {c.group}; optional filters narrow the results.",
                    f"Find {c.words} matching a {c.group} and optional limits.",
                ]
            ),
            "effect": "read",
            "parameters": {
                "type": "object",
                "properties": {
                    c.group: {
                        "type": "string",
                        "description": f"The {c.group}, e.g. {c.groups[0]}.",
                    },
                    f"min_{c.qty}": {
                        "type": "integer",
                        "minimum": 0,
                        "description": f"Fewest {c.qty.replace('_', ' ')} acceptable.",
                    },
                    f"max_{c.amount}": {"type": "number", "minimum": 0},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                },
                "required": [c.group],
                "additionalProperties": False,
            },
            "behavior": {
                "select": c.plural,
                "where": {
                    c.group: {"eq": _j(f"args.{c.group}")},
                    c.qty: {"gte": _j(f"args.min_{c.qty} | default(none)")},
                    c.amount: {"lte": _j(f"args.max_{c.amount} | default(none)")},
                },
                "sort": sort,
                "limit": "{{ args.limit | default(10) }}",
                "fields": ["id", c.label, c.group, c.amount],
            },
        }
    if op == "get":
        tool: dict[str, Any] = {
            "name": name,
            "description": rng.choice(
                [
                    f"Get the full record of one {c.word} by its id.",
                    f"Look up a {c.word} by id; errors when there is none.",
                ]
            ),
            "effect": "read",
            "parameters": {
                "type": "object",
                "properties": {c.id_param: {"type": "string"}},
                "required": [c.id_param],
                "additionalProperties": False,
            },
            "behavior": {
                "get": c.plural,
                "id": _j(f"args.{c.id_param}"),
                "error": f"no {c.word} with id {_j('args.' + c.id_param)}",
            },
        }
        if rng.random() < 0.5:
            tool["returns"] = _record_schema(c)
        return tool
    if op == "count":
        return {
            "name": name,
            "description": f"Count the {c.words} in a {c.group}, optionally with one {c.status}.",
            "effect": "read",
            "parameters": {
                "type": "object",
                "properties": {
                    c.group: {"type": "string"},
                    c.status: {"type": "string", "enum": list(c.statuses)},
                },
                "required": [c.group],
                "additionalProperties": False,
            },
            "behavior": {
                "count": c.plural,
                "where": {
                    c.group: _j(f"args.{c.group}"),
                    c.status: {"eq": _j(f"args.{c.status} | default(none)")},
                },
            },
        }
    if op == "create":
        tool = {
            "name": name,
            "description": rng.choice(
                [
                    f"Create a {c.word} with a {c.label} in a {c.group}.",
                    f"Add a new {c.word}; it starts as {c.statuses[0]!r}.",
                ]
            ),
            "effect": "write",
            "parameters": {
                "type": "object",
                "properties": {
                    c.label: {"type": "string", "minLength": 1},
                    c.group: {"type": "string"},
                    c.qty: {"type": "integer", "minimum": 1},
                    c.date: {"type": "string", "format": "date"},
                },
                "required": [c.label, c.group],
                "additionalProperties": False,
            },
            "behavior": {
                "insert": c.plural,
                "record": {
                    c.label: _j(f"args.{c.label}"),
                    c.group: _j(f"args.{c.group}"),
                    c.qty: _j(f"args.{c.qty} | default(1)"),
                    c.amount: 0,
                    c.date: _j(f"args.{c.date} | default(none)"),
                    c.status: c.statuses[0],
                },
                "id_prefix": f"{c.prefix}-",
            },
        }
        if rng.random() < 0.5:
            tool["behavior"]["require"] = [
                {
                    "absent": {
                        "collection": c.plural,
                        "where": {c.label: _j(f"args.{c.label}"), c.group: _j(f"args.{c.group}")},
                    },
                    "error": f"{_j('args.' + c.label)} already exists in {_j('args.' + c.group)}",
                }
            ]
        return tool
    if op == "update":
        return {
            "name": name,
            "description": f"Change the {c.status} of a {c.word}.",
            "effect": "write",
            "parameters": {
                "type": "object",
                "properties": {
                    c.id_param: {"type": "string"},
                    c.status: {"type": "string", "enum": list(c.statuses)},
                },
                "required": [c.id_param, c.status],
                "additionalProperties": False,
            },
            "behavior": {
                "require": [
                    {
                        "exists": {"collection": c.plural, "id": _j(f"args.{c.id_param}")},
                        "error": f"no {c.word} with id {_j('args.' + c.id_param)}",
                    }
                ],
                "update": c.plural,
                "id": _j(f"args.{c.id_param}"),
                "set": {c.status: _j(f"args.{c.status}")},
            },
        }
    assert op == "delete"
    return {
        "name": name,
        "description": rng.choice(
            [
                f"Remove a {c.word} by its id.",
                f"Delete one {c.word}; this cannot be undone.",
            ]
        ),
        "effect": "write",
        "parameters": {
            "type": "object",
            "properties": {c.id_param: {"type": "string"}},
            "required": [c.id_param],
            "additionalProperties": False,
        },
        "behavior": {
            "delete": c.plural,
            "id": _j(f"args.{c.id_param}"),
            "error": f"no {c.word} with id {_j('args.' + c.id_param)}",
        },
    }


def _toolset_doc(c: Collection, domain: str, rng: random.Random) -> dict[str, Any]:
    return {
        "kind": "toolset",
        "schema_version": 1,
        "name": c.toolset,
        "description": f"The {domain} {c.words} service: {len(c.tool_names)} tools over "
        f"the {c.plural!r} collection.",
        "tools": [_tool(c, op, rng) for op in c.tool_names],
    }


SHARED_TOOLSET = "help_desk"
SHARED_TOOL = "lookup_policy"


def _shared_toolset_doc(domain: str) -> dict[str, Any]:
    """The toolset every task of the first pack names (see the module's docstring). Written
    without the pack's random stream, so that the other documents stay as they were."""
    return {
        "kind": "toolset",
        "schema_version": 1,
        "name": SHARED_TOOLSET,
        "description": f"The {domain} help desk: the store's policies, one topic at a time.",
        "tools": [
            {
                "name": SHARED_TOOL,
                "description": "Look up the policy on one topic (returns, delivery, privacy).",
                "effect": "read",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "topic": {"type": "string", "enum": ["returns", "delivery", "privacy"]}
                    },
                    "required": ["topic"],
                    "additionalProperties": False,
                },
                "behavior": {"respond": {"topic": _j("args.topic"), "policy": "See the terms."}},
            }
        ],
    }


EXTRA_ROLES = ("qty", "amount", "date", "status", "count")


def _dataset(c: Collection, name: str, rng: random.Random, jsonl: bool) -> Dataset:
    fields = {
        "records": c.plural,
        "target_id": c.id_param,
        "target_label": f"{c.singular}_{c.label}",
        "group": c.group,
    }
    names = {
        "qty": c.qty,
        "amount": f"max_{c.amount}",
        "date": c.date,
        "status": f"new_{c.status}",
        "count": rng.choice(COUNT_NAMES),
    }
    for role in sorted(rng.sample(EXTRA_ROLES, rng.randint(1, 4)), key=EXTRA_ROLES.index):
        fields[role] = names[role]
    assert len(set(fields.values())) == len(fields), fields
    return Dataset(name, c, fields, jsonl)


FIELD_SCHEMAS: dict[str, dict[str, Any]] = {
    "target_id": {"type": "string", "minLength": 1},
    "target_label": {"type": "string"},
    "group": {"type": "string"},
    "qty": {"type": "integer", "minimum": 1},
    "amount": {"type": "number", "minimum": 0},
    "date": {"type": "string", "format": "date"},
    "count": {"type": "integer", "minimum": 0},
}


def _content_doc(ds: Dataset, entries: list[dict[str, Any]], domain: str) -> dict[str, Any]:
    c = ds.coll
    props: dict[str, Any] = {}
    for role, fname in ds.fields.items():
        if role == "records":
            props[fname] = {"type": "array", "items": _record_schema(c), "minItems": 1}
        elif role == "status":
            props[fname] = {"type": "string", "enum": list(c.statuses)}
        else:
            props[fname] = dict(FIELD_SCHEMAS[role])
    doc: dict[str, Any] = {
        "kind": "content",
        "schema_version": 1,
        "name": ds.name,
        "description": f"{domain.capitalize()} {c.words}: one target {c.word} per entry, with "
        f"the {c.plural} on record and the values its tasks need.",
        "fields": {
            "type": "object",
            "properties": props,
            "required": list(props),
            "additionalProperties": False,
        },
    }
    if ds.jsonl:
        doc["entries_file"] = f"{ds.name}.jsonl"
    else:
        doc["entries"] = entries
    return doc


_DATES = [(DATE_ORIGIN + dt.timedelta(days=i)).isoformat() for i in range(431)]
_LABELS = [f"{a} {n}" for a in ADJECTIVES for n in NOUNS]


def _entries(
    ds: Dataset, count: int, rng: random.Random, serial: list[int]
) -> list[dict[str, Any]]:
    """Entries of one dataset. Uses ``rng.random()`` arithmetic rather than ``randint`` and
    ``choice``: the same determinism, a third of the cost."""
    c, f = ds.coll, ds.fields
    r = rng.random
    groups, statuses = c.groups, c.statuses
    ng, ns, nl = len(groups), len(statuses), len(_LABELS)
    out: list[dict[str, Any]] = []
    n = serial[0]
    for k in range(count):
        group = groups[int(r() * ng)]
        records: list[dict[str, Any]] = []
        for _ in range(4 + int(r() * 5)):
            n += 1
            records.append(
                {
                    "id": f"{c.prefix}-{n}",
                    c.label: _LABELS[int(r() * nl)],
                    c.group: group if r() < 0.6 else groups[int(r() * ng)],
                    c.qty: 1 + int(r() * 12),
                    c.amount: round(5 + r() * 895, 2),
                    c.date: _DATES[int(r() * 401)],
                    c.status: statuses[int(r() * ns)],
                }
            )
        target = records[int(r() * len(records))]
        target[c.group] = group
        entry: dict[str, Any] = {"id": f"{_slug(group)}-{k + 1}"}
        entry[f["records"]] = records
        entry[f["target_id"]] = target["id"]
        entry[f["target_label"]] = target[c.label]
        entry[f["group"]] = group
        if "qty" in f:
            entry[f["qty"]] = 1 + int(r() * target[c.qty])
        if "amount" in f:
            entry[f["amount"]] = round(target[c.amount] * (1 + r() / 2) + 1, 2)
        if "date" in f:
            entry[f["date"]] = _DATES[30 + int(r() * 401)]
        if "status" in f:
            others = [s for s in statuses if s != target[c.status]]
            entry[f["status"]] = others[int(r() * len(others))]
        else:
            target[c.status] = statuses[0]
        if "count" in f:
            entry[f["count"]] = sum(rec[c.group] == group for rec in records)
        out.append(entry)
    serial[0] = n
    return out


# --------------------------------------------------------------------------------------------
# Tasks.

# Clauses per operation: (text, roles it needs beyond the always-present ones). Placeholders
# are role names, filled with ``{{ field }}``; ``C``/``S`` are the collection's words.
CLAUSES: dict[str, list[tuple[str, frozenset[str]]]] = {
    "search": [
        ("look through the {C} in {group}", frozenset()),
        ("search the {C} for {group}", frozenset()),
        ("find {C} in {group} with at least {qty} {Q}", frozenset({"qty"})),
        ("list the {C} in {group} that cost under {amount}", frozenset({"amount"})),
        ("check which {C} we have in {group}", frozenset()),
    ],
    "get": [
        ("pull up {S} {target_id}", frozenset()),
        ("open the record for {target_label} ({target_id})", frozenset()),
        ("check the details of {S} {target_id}", frozenset()),
        ("confirm what we have on file for {target_label}", frozenset()),
    ],
    "count": [
        ("tell me how many {C} there are in {group}", frozenset()),
        ("count the {C} in {group}", frozenset()),
        ("count how many {C} in {group} are {status}", frozenset({"status"})),
    ],
    "create": [
        ("add a new {S} called {target_label} in {group}", frozenset()),
        ("create {S} {target_label} for {group}, dated {date}", frozenset({"date"})),
        ("register {target_label} under {group} with {qty} {Q}", frozenset({"qty"})),
        ("set up a {S} named {target_label} ({group})", frozenset()),
    ],
    "update": [
        ("mark {S} {target_id} as {status}", frozenset({"status"})),
        ("change the {T} of {target_label} to {status}", frozenset({"status"})),
        ("move {S} {target_id} to {LIT}", frozenset()),
        ("update {target_label} ({target_id}) to {LIT}", frozenset()),
    ],
    "delete": [
        ("remove {S} {target_id}", frozenset()),
        ("delete {target_label} ({target_id}) from the system", frozenset()),
        ("get rid of {S} {target_id}; it was entered by mistake", frozenset()),
    ],
}
OPENERS = [
    "",
    "Please ",
    "Could you ",
    "I need you to ",
    "Hi! Can you ",
    "Quick one: ",
    "When you have a moment, ",
    "Hey, ",
]
JOINERS = [", then ", " and ", ". After that, ", "; next, ", ", and once that is done "]
CLOSERS = [
    ".",
    ", thanks.",
    ". Tell me what you did.",
    " please.",
    ". Reply with the id.",
    " before {date}.",
    " (it is for the {group} office).",
]


def _ref(field_name: str, style: str) -> str:
    if style in ("title", "upper"):
        return _j(f"{field_name} | {style}")
    return _j(field_name)


class _Slots(dict[str, str]):
    """``str.format_map`` target: role -> ``{{ field }}``, recording which roles are read."""

    def __init__(self, ds: Dataset, words: dict[str, str], styles: dict[str, str]) -> None:
        super().__init__(words)
        self.ds = ds
        self.styles = styles
        self.used: set[str] = set()

    def __missing__(self, role: str) -> str:
        fname = self.ds.fields[role]
        self.used.add(role)
        return _ref(fname, self.styles.get(role, "plain"))


def _user_command(
    ds: Dataset, ops: tuple[str, ...], lit_status: str, rng: random.Random, domain: str
) -> str:
    c = ds.coll
    have = set(ds.fields)
    words = {
        "C": c.words,
        "S": c.word,
        "Q": c.qty.replace("_", " "),
        "T": c.status,
        "LIT": lit_status.replace("_", " "),
    }
    styles: dict[str, str] = {}
    r = rng.random()
    if r < 0.08:
        styles["group"] = "title"
    elif r < 0.12:
        styles["target_label"] = "upper"
    for _attempt in range(12):
        clauses = []
        for op in ops:
            options = [
                t
                for t, need in CLAUSES[op]
                if need <= have and not ("{LIT}" in t and "status" in have)
            ]
            clauses.append(rng.choice(options))
        closers = [x for x in CLOSERS if ("{date}" not in x or "date" in have)]
        text = rng.choice(OPENERS) + clauses[0]
        for cl in clauses[1:]:
            text += rng.choice(JOINERS) + cl
        text += rng.choice(closers)
        slots = _Slots(ds, words, styles)
        out = text.format_map(slots)
        if 2 <= len(slots.used) <= 4:
            break
    else:  # fall back to the plainest phrasing, then add a field if it reads only one
        text = " and ".join(
            CLAUSES[op][0][0] if op != "update" else CLAUSES[op][2][0] for op in ops
        )
        slots = _Slots(ds, words, styles)
        out = text.format_map(slots)
        if len(slots.used) < 2:
            extra = "group" if "group" not in slots.used else "target_id"
            out += (" - the one in " if extra == "group" else " - id ") + slots[extra]
        out += "."
    out = out[0].upper() + out[1:]
    if "qty" in have and "qty" not in slots.used and len(slots.used) < 4 and rng.random() < 0.06:
        q = ds.fields["qty"]
        out += "{% if " + q + " > 1 %} There will be " + _j(q) + " of us.{% endif %}"
    if rng.random() < 0.03:
        out = f"[{domain}] " + out
    return out


def _gold_args(ds: Dataset, op: str, rng: random.Random, lit_status: str) -> dict[str, Any]:
    c, f = ds.coll, ds.fields
    v = {role: _j(name) for role, name in f.items()}
    if op == "search":
        args: dict[str, Any] = {c.group: v["group"]}
        if "qty" in f and rng.random() < 0.5:
            args[f"min_{c.qty}"] = v["qty"]
        if "amount" in f and rng.random() < 0.5:
            args[f"max_{c.amount}"] = v["amount"]
        if rng.random() < 0.3:
            args["limit"] = rng.choice([5, 20, 50])
        return args
    if op in ("get", "delete"):
        return {c.id_param: v["target_id"]}
    if op == "count":
        args = {c.group: v["group"]}
        if "status" in f and rng.random() < 0.5:
            args[c.status] = v["status"]
        return args
    if op == "create":
        # a new record: the target's label with a suffix, so it never exists already
        args = {c.label: _j(f["target_label"]) + " II", c.group: v["group"]}
        if "qty" in f:
            args[c.qty] = v["qty"]
        if "date" in f and rng.random() < 0.7:
            args[c.date] = v["date"]
        return args
    assert op == "update"
    return {c.id_param: v["target_id"], c.status: v.get("status", lit_status)}


def _task_doc(
    ds: Dataset,
    colls: list[Collection],
    op_of: dict[str, str],
    intent: tuple[str, tuple[str, ...], str],
    *,
    index: int,
    rng: random.Random,
    domain: str,
) -> dict[str, Any]:
    name, ops, category = intent
    c, f = ds.coll, ds.fields
    v = {role: _j(fname) for role, fname in f.items()}
    # A literal status is never the first one, which targets of datasets without a status
    # field always have (see _entries): an update must change something for every entry.
    lit_status = rng.choice(c.statuses[1:])
    tools = [c.ref(op) for op in ops]
    spare = [c.ref(op) for op in c.tool_names if op not in ops]
    if spare and rng.random() < 0.7:
        distractor = rng.choice(spare)
    else:
        other = rng.choice([o for o in colls if o is not c])
        distractor = other.ref(rng.choice(list(other.tool_names)))
    distractor_op = op_of[distractor]
    gold = [{"tool": c.ref(op), "args": _gold_args(ds, op, rng, lit_status)} for op in ops]
    writes = [op for op in ops if op in WRITE_OPS]

    # Action checks: 1 to 3 of those that make sense here.
    pool: list[dict[str, Any]] = [{"check": "no_repeated_calls"}]
    if distractor_op in WRITE_OPS:
        pool.append({"check": "forbidden_tools", "tools": [distractor]})
    pool.append({"check": "order", "first": tools[0], "then": tools[-1]})
    pool.append({"check": "call_budget", "max": len(ops) + rng.randint(1, 3)})
    if writes:
        w = writes[-1]
        key = c.label if w == "create" else c.id_param
        pool.append(
            {
                "check": "arg_values",
                "tool": c.ref(w),
                "args": {key: v["target_label" if w == "create" else "target_id"]},
            }
        )
    else:
        pool.append({"check": "read_only"})
    checks = rng.sample(pool, rng.randint(1, min(3, len(pool))))

    # The gold answer and what the final evaluator expects of it.
    last = ops[-1]
    answer_check: dict[str, Any]
    if "count" in ops and "count" in f and rng.random() < 0.7:
        answer = rng.choice(
            [
                f"There are {v['count']} {c.words} in {v['group']}.",
                f"I counted {v['count']} {c.words} in {v['group']}.",
            ]
        )
        if last != "count":
            answer += f" {v['target_label']} is {v['target_id']}."
        answer_check = {"number": {"value": v["count"]}}
    elif last == "create":
        answer = f"Created {c.word} {v['target_label']} in {v['group']}."
        answer_check = {"contains": [v["target_label"]]}
    elif last == "update":
        new = v.get("status", lit_status)
        answer = f"{c.word.capitalize()} {v['target_id']} is now {new}."
        answer_check = {"contains": [v["target_id"]]}
        if rng.random() < 0.3:
            answer_check["contains"].append(new)
    elif last == "delete":
        answer = rng.choice(
            [
                f"Removed {c.word} {v['target_id']}.",
                f"{v['target_label']} ({v['target_id']}) has been deleted.",
            ]
        )
        answer_check = {"contains": [v["target_id"]]}
    else:
        answer = f"{v['target_label']} ({v['target_id']}) is in {v['group']}."
        answer_check = (
            {"contains": [v["target_id"]]}
            if rng.random() < 0.6
            else {"contains": [v["target_label"]], "not_contains": ["error"]}
        )
    expect: dict[str, Any] = {"state": "matches_gold"}
    if "create" in ops:
        expect["ignore"] = [f"{c.plural}.*.id"]
    if rng.random() < 0.5:
        if "create" in ops:
            expect["diff"] = [{"collection": c.plural, "added": 1, "removed": 0}]
        elif "delete" in ops:
            expect["diff"] = [{"collection": c.plural, "removed": 1, "added": 0}]
        elif "update" in ops:
            expect["diff"] = [{"collection": c.plural, "changed": 1}]
    expect["answer"] = answer_check

    initial_state: dict[str, Any] = {c.plural: v["records"]}
    dc = distractor.split(".", 1)[0]
    for o in colls:
        if o.toolset == dc and o is not c:
            initial_state[o.plural] = []
    if rng.random() < 0.15:
        initial_state["audit_log"] = []

    difficulty = "easy" if len(ops) == 2 and not writes else ("hard" if len(ops) == 3 else "medium")
    doc: dict[str, Any] = {
        "kind": "task",
        "schema_version": 1,
        "id": f"{name}_{c.plural}_{index:03d}",
        "version": rng.choice([1, 1, 1, 2, 3]),
        "title": f"{name.replace('_', ' ').capitalize()} ({c.words})",
        "category": domain if rng.random() < 0.1 else category,
        "difficulty": difficulty,
        "tools": tools,
        "distractors": [distractor],
        "content": ds.name,
    }
    if rng.random() < 0.2:
        doc["system_prompt"] = rng.choice(
            [
                f"You are the {domain} operations assistant. Use the tools; never guess ids.",
                f"You help the {v['group']} team of a {domain} business. Be brief.",
            ]
        )
    doc["user_command"] = _user_command(ds, ops, lit_status, rng, domain)
    doc["initial_state"] = initial_state
    doc["max_turns"] = 2 * len(ops) + rng.randint(1, 3)
    if rng.random() < 0.1:
        doc["faults"] = {
            "rate": rng.choice([0.1, 0.2, 0.25]),
            "kinds": sorted(rng.sample(["error", "timeout", "rate_limit"], 2)),
            "seed": rng.randint(1, 99),
        }
    doc["action_checks"] = checks
    doc["final"] = {"gold_actions": gold, "answer": answer, "expect": expect}
    doc["tags"] = [domain, name]
    return doc


# --------------------------------------------------------------------------------------------
# YAML writer: block mappings, flow style for short scalar-only collections, JSON quoting for
# any string that is not obviously a plain scalar. Output is valid YAML 1.1 for PyYAML.

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .()/'+-]*$")
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"})
_FLOW_WIDTH = 96


_SCALARS: dict[str, str] = {}


def _str_scalar(v: str) -> str:
    r = _SCALARS.get(v)
    if r is None:
        if (
            _PLAIN.match(v)
            and v.lower() not in _RESERVED
            and v == v.strip()
            and "  " not in v
            and not v.endswith(("-", "'"))
        ):
            r = v
        else:
            r = json.dumps(v, ensure_ascii=False)
        if len(_SCALARS) < 500_000:
            _SCALARS[v] = r
    return r


def _scalar(v: Any) -> str:
    t = type(v)
    if t is str:
        return _SCALARS.get(v) or _str_scalar(v)
    if t is int:
        return str(v)
    if t is float:
        r = repr(v)
        assert "e" not in r and r not in ("inf", "nan", "-inf"), r
        return r
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    raise TypeError(f"cannot emit {t.__name__}")


def _flow(v: Any, budget: int = _FLOW_WIDTH) -> str | None:
    """A one-line flow rendering of ``v`` if it fits in ``budget`` characters, with at most
    short mappings and scalar lists nested inside, else None (decided as early as possible)."""
    t = type(v)
    parts = []
    used = 2
    if t is dict:
        for k, x in v.items():
            key = _SCALARS.get(k) or _str_scalar(k)
            tx = type(x)
            if tx is str:
                fx = _SCALARS.get(x) or _str_scalar(x)
            elif tx is dict or tx is list:
                fx = _flow(x, budget - used)  # type: ignore[assignment]
                if fx is None:
                    return None
            else:
                fx = _scalar(x)
            part = f"{key}: {fx}"
            used += len(part) + 2
            if used > budget:
                return None
            parts.append(part)
        return "{" + ", ".join(parts) + "}"
    if t is list:
        for x in v:
            tx = type(x)
            if tx is dict or tx is list:
                return None
            part = _scalar(x)
            used += len(part) + 2
            if used > budget:
                return None
            parts.append(part)
        return "[" + ", ".join(parts) + "]"
    return _scalar(v)


def _emit(v: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    append = out.append
    if type(v) is dict:
        for k, x in v.items():
            key = _SCALARS.get(k) or _str_scalar(k)
            tx = type(x)
            if tx is dict or tx is list:
                if not x:
                    append(f"{pad}{key}: {'{}' if tx is dict else '[]'}")
                    continue
                fx = _flow(x, _FLOW_WIDTH + 18 - indent - len(key))
                if fx is not None:
                    append(f"{pad}{key}: {fx}")
                else:
                    append(f"{pad}{key}:")
                    _emit(x, indent + 2 if tx is dict else indent, out)
            elif tx is str and len(x) > 80 and key in _FOLDED_KEYS and "\n" not in x:
                append(f"{pad}{key}: >-")
                # keep Jinja tags on one line: hide their spaces from the wrapper
                glued = _JINJA_TAG.sub(lambda m: m.group(0).replace(" ", "\x00"), x)
                for line in textwrap.wrap(
                    glued, width=90, break_on_hyphens=False, break_long_words=False
                ):
                    append(f"{pad}  {line.replace(chr(0), ' ')}")
            else:
                append(f"{pad}{key}: {_scalar(x)}")
    elif type(v) is list:
        for x in v:
            tx = type(x)
            if tx is dict and x:
                fx = _flow(x, _FLOW_WIDTH + 18 - indent)
                if fx is not None:
                    append(f"{pad}- {fx}")
                else:
                    sub: list[str] = []
                    _emit(x, indent + 2, sub)
                    sub[0] = f"{pad}- {sub[0][indent + 2 :]}"
                    out.extend(sub)
            elif tx is list and x:
                fx = _flow(x, _FLOW_WIDTH + 18 - indent)
                if fx is None:
                    raise ValueError("nested block lists are not used by this generator")
                append(f"{pad}- {fx}")
            elif tx is dict or tx is list:
                append(f"{pad}- {'{}' if tx is dict else '[]'}")
            else:
                append(f"{pad}- {_scalar(x)}")
    else:
        append(f"{pad}{_scalar(v)}")


_FOLDED_KEYS = frozenset({"description", "user_command", "system_prompt"})
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def dump(data: dict[str, Any], schema: str | None = None) -> str:
    out: list[str] = []
    if schema:
        out.append(f"# yaml-language-server: $schema={schema}")
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, root: str, verify: bool) -> None:
        self.root = root
        self.verify = verify
        self.stats = Stats()
        self._dirs: set[str] = set()
        if verify:
            import yaml

            self._yaml = yaml
            self._loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def _write(self, rel: str, raw: bytes) -> None:
        path = f"{self.root}/{rel}"
        folder = path.rpartition("/")[0]
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, raw)
        finally:
            os.close(fd)
        self.stats.files += 1
        self.stats.bytes += len(raw)

    def yaml(self, rel: str, data: dict[str, Any], schema: str) -> None:
        text = dump(data, schema)
        if self.verify:
            back = self._yaml.load(text, Loader=self._loader)
            if back != data:
                raise AssertionError(f"{rel}: YAML round trip differs")
        self._write(rel, text.encode())
        self.stats.yaml_files += 1

    def jsonl(self, rel: str, records: list[dict[str, Any]]) -> None:
        raw = "".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records
        ).encode()
        self._write(rel, raw)
        self.stats.jsonl_files += 1


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _write_pack(root: str, params: Params, p: int, n_tasks: int, verify: bool) -> Stats:
    """Everything of pack number ``p``. Its random stream depends only on (seed, p), so packs
    can be written in any order, by any process, with the same bytes."""
    w = _Writer(root, verify)
    rng = random.Random(f"{params.seed}:{p}")
    domains = sorted(DOMAINS)
    domain = domains[(p + params.seed) % len(domains)]
    pack = f"{domain}_{p:03d}"
    base = f"task_library/{pack}"
    w.yaml(f"{base}/pack.yaml", _pack_doc(pack, domain, p, rng), "../../schemas/pack.schema.json")
    colls = _collections(rng, domain)
    for c in colls:
        w.yaml(
            f"{base}/tools/{c.toolset}.yaml",
            _toolset_doc(c, domain, rng),
            "../../../schemas/toolset.schema.json",
        )
        w.stats.toolsets += 1
        w.stats.tools += len(c.tool_names)
    shared = p == 0
    if shared:
        w.yaml(
            f"{base}/tools/{SHARED_TOOLSET}.yaml",
            _shared_toolset_doc(domain),
            "../../../schemas/toolset.schema.json",
        )
        w.stats.toolsets += 1
        w.stats.tools += 1
    op_of = {o.ref(op): op for o in colls for op in o.tool_names}
    # Datasets: as many as the pack has tasks (up to the default), so none is unused.
    n_ds = max(1, min(params.datasets_per_pack, n_tasks))
    purposes = {c.plural: rng.sample(DATASET_PURPOSES, len(DATASET_PURPOSES)) for c in colls}
    datasets: list[Dataset] = []
    serial = [rng.randint(100, 900) * 100]
    for d in range(n_ds):
        c = colls[d % len(colls)]
        name = f"{c.singular}_{purposes[c.plural][d // len(colls)]}"
        ds = _dataset(c, name, rng, jsonl=(d % 3 == (p % 3)))
        entries = _entries(ds, params.entries_per_dataset, rng, serial)
        rel = f"content_datasets/{pack}/{name}"
        w.yaml(
            f"{rel}.yaml", _content_doc(ds, entries, domain), "../../schemas/content.schema.json"
        )
        if ds.jsonl:
            w.jsonl(f"{rel}.jsonl", entries)
        datasets.append(ds)
        w.stats.datasets += 1
        w.stats.entries += len(entries)
    for t in range(n_tasks):
        ds = datasets[t % len(datasets)]
        ops_have = set(ds.coll.tool_names)
        intent = rng.choice([i for i in INTENTS if set(i[1]) <= ops_have])
        doc = _task_doc(ds, colls, op_of, intent, index=t, rng=rng, domain=domain)
        if shared:
            doc["distractors"].append(f"{SHARED_TOOLSET}.{SHARED_TOOL}")
        w.yaml(f"{base}/tasks/{doc['id']}.yaml", doc, "../../../schemas/task.schema.json")
        w.stats.tasks += 1
    w.stats.packs += 1
    return w.stats


def _write_pack_star(args: tuple[str, Params, int, int, bool]) -> Stats:
    return _write_pack(*args)


def generate(
    out_dir: str | os.PathLike[str], params: Params, *, verify: bool = False, jobs: int = 1
) -> Stats:
    """Write the library under ``out_dir`` (with ``jobs`` processes) and return the counts."""
    root = os.fspath(out_dir)
    for sub in ("task_library", "content_datasets"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    work = [
        (root, params, p, n, verify)
        for p, n in enumerate(_split(params.tasks, params.resolved_packs()))
    ]
    total = Stats()
    if jobs > 1 and len(work) > 1:
        import multiprocessing

        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(min(jobs, len(work))) as pool:
            results = pool.map(_write_pack_star, work, chunksize=max(1, len(work) // (4 * jobs)))
    else:
        results = [_write_pack_star(item) for item in work]
    for st in results:
        for k, v in st.__dict__.items():
            setattr(total, k, getattr(total, k) + v)
    return total


def prepare(out_dir: Path, force: bool) -> None:
    """Clear what an earlier run wrote; refuse to touch a folder we did not write."""
    ours = (out_dir / MANIFEST).is_file()
    for sub in ("task_library", "content_datasets"):
        target = out_dir / sub
        if target.exists():
            if not (ours or force):
                raise SystemExit(
                    f"{target} exists and {out_dir} has no {MANIFEST}: "
                    "not a folder synth.py wrote (use --force to overwrite)"
                )
            shutil.rmtree(target)
    (out_dir / MANIFEST).unlink(missing_ok=True)


def write_manifest(out_dir: Path, params: Params, stats: Stats, seconds: float) -> dict[str, Any]:
    manifest = {"params": params.as_dict(), "stats": stats.__dict__, "seconds": round(seconds, 3)}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def build(
    out_dir: str | os.PathLike[str],
    params: Params,
    *,
    verify: bool = False,
    force: bool = False,
    jobs: int = 1,
) -> dict[str, Any]:
    """Clear, generate and write the manifest; returns the manifest."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    prepare(root, force)
    t0 = time.perf_counter()
    stats = generate(root, params, verify=verify, jobs=jobs)
    return write_manifest(root, params, stats, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out_dir", help="folder to write task_library/ and content_datasets/ into")
    ap.add_argument("--tasks", type=int, default=DEFAULTS["tasks"], help="total tasks (14000)")
    ap.add_argument(
        "--packs",
        type=int,
        default=None,
        help="packs to spread them over (default: one per 140 tasks, 100 for 14000)",
    )
    ap.add_argument("--entries-per-dataset", type=int, default=DEFAULTS["entries_per_dataset"])
    ap.add_argument("--datasets-per-pack", type=int, default=DEFAULTS["datasets_per_pack"])
    ap.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    ap.add_argument(
        "--verify",
        action="store_true",
        help="re-read every YAML file with PyYAML and compare (slower)",
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: CPU count); the output does not depend on it",
    )
    ap.add_argument(
        "--force",
        action="store_true",
        help="overwrite task_library/ and content_datasets/ not written by synth.py",
    )
    args = ap.parse_args(argv)
    if args.tasks < 1 or args.entries_per_dataset < 1 or args.datasets_per_pack < 1:
        ap.error("--tasks, --entries-per-dataset and --datasets-per-pack must be >= 1")
    max_ds = DEFAULTS["toolsets_per_pack"] * len(DATASET_PURPOSES)
    if args.datasets_per_pack > max_ds:
        ap.error(f"--datasets-per-pack is at most {max_ds}")
    params = Params(
        tasks=args.tasks,
        packs=args.packs,
        entries_per_dataset=args.entries_per_dataset,
        datasets_per_pack=args.datasets_per_pack,
        seed=args.seed,
    )
    manifest = build(
        args.out_dir, params, verify=args.verify, force=args.force, jobs=max(1, args.jobs)
    )
    s = manifest["stats"]
    print(
        f"wrote {s['files']} files ({s['yaml_files']} YAML, {s['jsonl_files']} JSONL, "
        f"{s['bytes'] / 2**20:.1f} MiB) in {manifest['seconds']:.2f} s: {s['packs']} packs, "
        f"{s['toolsets']} toolsets, {s['tools']} tools, {s['tasks']} tasks, "
        f"{s['datasets']} datasets, {s['entries']} entries -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
