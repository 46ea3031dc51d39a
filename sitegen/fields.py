"""Every key a clerk may type, declared once: the reader (validate.py) takes its key
sets from here, and the editors' JSON Schemas (sitegen/schemas) are written from here
by ``python -m sitegen.schema``, with their vocabularies from the model's tables. A
test requires the shipped schemas to be what this gives, and the reader to report
every key declared required when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import model as m


@dataclass(frozen=True)
class Key:
    """One key: the JSON Schema of its value (or the object, or list of objects, it holds)."""

    schema: dict[str, Any] = field(default_factory=dict)
    required: bool = False
    translatable: bool = False  # a text a clerk may give by language (cy: ..., en: ...)
    holds: Obj | None = None  # a mapping of its own
    holds_list: Obj | None = None  # a list of mappings


@dataclass(frozen=True, eq=False)
class Obj:
    """A mapping a clerk types: its keys, in the order the schema lists them."""

    what: str  # as the reader names it in messages ("meeting", "decides entry")
    keys: dict[str, Key]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.keys)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, key in self.keys.items() if key.required)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": False}
        if self.required:
            out["required"] = list(self.required)
        out["properties"] = {name: key_schema(key) for name, key in self.keys.items()}
        return out


def key_schema(key: Key) -> dict[str, Any]:
    if key.holds is not None:
        return key.holds.schema()
    if key.holds_list is not None:
        return {"type": "array", "items": key.holds_list.schema()}
    return dict(key.schema)


SLUG_PATTERN = "^[a-z0-9][a-z0-9-]*$"
TEXT = {"type": "string"}
SLUG = {"type": "string", "pattern": SLUG_PATTERN}
MARKDOWN = {"type": "string", "description": "Markdown"}
DATE = {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}
TIME = {"type": "string", "pattern": "^\\d{1,2}:\\d{2}$"}
TEXTS = {"type": "array", "items": TEXT}
SLUGS = {"type": "array", "items": SLUG}
TEXT_OR_NUMBER = {"type": ["string", "integer"]}
ORIGIN = {
    "type": "string",
    "pattern": "^https?://",
    "description": "the address of the original record this was taken from (a ModernGov page, say)",
}
LANGUAGE_PATTERN = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
BY_LANGUAGE = {
    "type": "object",
    "description": "the text by language, for a bilingual site (site.yaml languages)",
    "propertyNames": {"pattern": LANGUAGE_PATTERN},
    "additionalProperties": {"type": "string"},
    "minProperties": 1,
}
WORDS = {"anyOf": [TEXT, BY_LANGUAGE]}  # a text a clerk types, in one language or several
PROSE = {"anyOf": [MARKDOWN, BY_LANGUAGE]}
COUNT_OR_NAMES = {"type": ["integer", "array"]}


def one_of(values: tuple[str, ...]) -> dict[str, Any]:
    return {"enum": list(values)}


def k(schema: dict[str, Any], required: bool = False) -> Key:
    return Key(dict(schema), required, translatable=schema is WORDS or schema is PROSE)


DOCUMENT = Obj(
    "document",
    {
        "title": k(WORDS, required=True),
        "href": k({"type": "string", "description": "a path under files/ or an https:// address"}, required=True),
    },
)
INTEREST = Obj("interest", {"person": k(TEXT, required=True), "interest": k(PROSE)})
AMENDMENT = Obj(
    "amendment",
    {
        "id": k(TEXT_OR_NUMBER),
        "moved_by": k(TEXT),
        "seconded_by": k(TEXT),
        "text": k(PROSE),
        "result": k(one_of(m.RESULTS)),
    },
)
VOTE = Obj(
    "vote",
    {
        "on": k(TEXT_OR_NUMBER),
        "for": k(COUNT_OR_NAMES),
        "against": k(COUNT_OR_NAMES),
        "abstained": k(COUNT_OR_NAMES),
    },
)
MONEY = Obj(
    "money entry",
    {
        "amount": k({"type": "number", "minimum": 0, "description": "in the site's currency"}, required=True),
        "kind": k(one_of(m.MONEY_KINDS), required=True),
        "what": k(WORDS),
    },
)
DECIDES = Obj(
    "decides entry",
    {
        "ref": k(TEXT, required=True),
        "outcome": k(one_of(m.OUTCOMES), required=True),
        "note": k(PROSE),
        "text": k(PROSE),
        "money": Key(holds_list=MONEY),
    },
)
CALL_IN = Obj(
    "call_in",
    {
        "called_in": k(DATE, required=True),
        "by": k(TEXTS),
        "considered_at": k(SLUG),
        "outcome": k(one_of(m.CALL_IN_OUTCOMES)),
    },
)
#: what any decision may carry for the executive's rules (in a meeting or in a decision file)
EXECUTIVE = {
    "key": k({"type": "boolean"}),
    "plan": k(SLUG),
    "published": k(DATE),
    "urgency": k(PROSE),
    "call_in": Key(holds=CALL_IN),
}
DECISION = Obj(
    "decision",
    {
        "id": k({"type": ["string", "integer"], "pattern": "^[A-Za-z0-9]+$"}, required=True),
        "type": k(one_of(m.DECISION_TYPES)),
        "to": k(SLUG),
        "at": k(SLUG),
        "text": k(PROSE, required=True),
        "decides": Key(holds_list=DECIDES),
        "supersedes": k(
            {
                "type": "string",
                "description": "The recommendation, referred back, that this recommendation re-makes: "
                "MEETING/ITEM/DECISION.",
            }
        ),
        **EXECUTIVE,
        "money": Key(holds_list=MONEY),
        "source": k(ORIGIN),
    },
)
ITEM = Obj(
    "item",
    {
        "id": k(SLUG, required=True),
        "number": k(TEXT_OR_NUMBER),
        "title": k(WORDS, required=True),
        "report": k(WORDS),
        "issue": k(SLUG),
        "exempt": Key({"anyOf": [{"type": ["boolean", "string"]}, BY_LANGUAGE]}, translatable=True),
        "interests": Key(holds_list=INTEREST),
        "minutes": k(PROSE),
        "amendments": Key(holds_list=AMENDMENT),
        "votes": Key(holds_list=VOTE),
        "decisions": Key(holds_list=DECISION),
        "documents": Key(holds_list=DOCUMENT),
        "considers": k(TEXTS),
        "aliases": k(SLUGS),
        "source": k(ORIGIN),
        "inferred": k(
            {
                "type": "boolean",
                "description": "its considers and decides were linked by an importer: check them, then remove this",
            }
        ),
    },
)
MEETING = Obj(
    "meeting",
    {
        "body": k(SLUG, required=True),
        "date": k(DATE, required=True),
        "start": k(TIME),
        "end": k(TIME),
        "location": k(WORDS),
        "status": k(one_of(m.STATUSES)),
        "record": k(one_of(m.RECORDS)),
        "chair": k(TEXT),
        "present": k(TEXTS),
        "apologies": k(TEXTS),
        "in_attendance": k(TEXTS),
        "documents": Key(holds_list=DOCUMENT),
        "items": Key(holds_list=ITEM),
        "notes": k(PROSE),
        "aliases": k(SLUGS),
        "source": k(ORIGIN),
    },
)
DECISION_FILE = Obj(
    "decision file",
    {
        "date": k(DATE, required=True),
        "decision_maker": k(SLUG, required=True),
        "title": k(WORDS, required=True),
        **EXECUTIVE,
        "issue": k(SLUG),
        "exempt": ITEM.keys["exempt"],
        "interests": Key(holds_list=INTEREST),
        "text": k(PROSE, required=True),
        "reasons": k(PROSE),
        "alternatives": k(PROSE),
        "money": Key(holds_list=MONEY),
        "documents": Key(holds_list=DOCUMENT),
        "aliases": k(SLUGS),
        "source": k(ORIGIN),
    },
)
PLAN_ENTRY = Obj(
    "forward plan entry",
    {
        "id": k(SLUG, required=True),
        "title": k(WORDS, required=True),
        "decision_maker": k(SLUG, required=True),
        "expected": k({"type": "string", "pattern": "^\\d{4}-\\d{2}(-\\d{2})?$"}, required=True),
        "first_published": k(DATE, required=True),
        "key": k({"type": "boolean"}),
        "wards": k(TEXTS),
        "summary": k(PROSE),
        "consultation": k(PROSE),
        "exempt": ITEM.keys["exempt"],
        "documents": Key(holds_list=DOCUMENT),
        "withdrawn": k(DATE),
    },
)
BODY = Obj(
    "body",
    {
        "id": k(SLUG, required=True),
        "name": k(WORDS, required=True),
        "kind": k(one_of(m.BODY_KINDS), required=True),
        "description": k(PROSE),
        "reports_to": k(SLUG),
        "members": k(TEXTS),
        "aliases": k(SLUGS),
    },
)
PERSON = Obj(
    "person",
    {
        "id": k(SLUG, required=True),
        "name": k(WORDS, required=True),
        "role": k(one_of(m.ROLES)),
        "party": k(WORDS),
        "ward": k(WORDS),
        "aliases": k(SLUGS),
    },
)
ISSUE = Obj(
    "issue",
    {"id": k(SLUG, required=True), "title": k(WORDS), "summary": k(PROSE), "aliases": k(SLUGS)},
)
SITE = Obj(
    "site",
    {
        "authority": k(WORDS),
        "title": k(WORDS),
        "base_url": k(TEXT),
        "language": k(TEXT),
        "languages": k({"type": "array", "items": {"type": "string", "pattern": LANGUAGE_PATTERN}}),
        "timezone": k(TEXT),
        "theme": k(TEXT),
        "licence": k(WORDS),
        "description": k(PROSE),
        "region": k(one_of(tuple(m.REGIONS))),
        "call_in_days": k({"type": "integer", "minimum": 0}),
        "currency": k({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 (GBP, EUR)"}),
    },
)

#: every key a clerk may give by language, whatever mapping it is in (the reader's list)
TRANSLATABLE = frozenset(
    name
    for obj in [value for value in dict(globals()).values() if isinstance(value, Obj)]  # (every object above)
    for name, key in obj.keys.items()
    if key.translatable
)

#: the editors' schemas: file name -> (title, the object, whether the file is a list of them)
EDITOR_SCHEMAS: dict[str, tuple[str, Obj, bool]] = {
    "meeting": ("A sitegen meeting file", MEETING, False),
    "bodies": ("sitegen bodies.yaml", BODY, True),
    "people": ("sitegen people.yaml", PERSON, True),
    "decision": ("A sitegen decision file (a decision made by one person)", DECISION_FILE, False),
    "forward-plan": ("sitegen forward-plan.yaml", PLAN_ENTRY, True),
}


def editor_schema(name: str) -> dict[str, Any]:
    title, obj, listed = EDITOR_SCHEMAS[name]
    head: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title}
    if listed:
        return {**head, "type": "array", "items": obj.schema()}
    return {**head, **obj.schema()}
