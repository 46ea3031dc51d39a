"""The JSON Schemas shipped in sitegen/schemas (for editors, and for the open data),
with their vocabularies and key sets taken from the model's and the reader's tables:
every enum is written from model.py, and the keys each object may have must be the
reader's own (validate.py's *_KEYS). ``python -m sitegen.schema`` writes them again;
a test fails when a shipped file differs from what this writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import model as m
from . import validate as v

FOLDER = Path(__file__).resolve().parent / "schemas"

_ITEM = "properties/items/items/properties"
_DECISION = f"{_ITEM}/decisions/items/properties"

# (schema, path to an "enum"): the values, from the one table that owns them
ENUMS: dict[tuple[str, str], tuple[Any, ...]] = {
    ("meeting", "properties/status"): m.STATUSES,
    ("meeting", "properties/record"): m.RECORDS,
    ("meeting", f"{_ITEM}/amendments/items/properties/result"): m.RESULTS,
    ("meeting", f"{_DECISION}/type"): m.DECISION_TYPES,
    ("meeting", f"{_DECISION}/decides/items/properties/outcome"): m.OUTCOMES,
    ("bodies", "items/properties/kind"): m.BODY_KINDS,
    ("people", "items/properties/role"): m.ROLES,
    ("record", "properties/organizations/items/properties/classification"): m.BODY_KINDS,
    ("record", "properties/people/items/properties/role"): m.ROLES,
    ("record", "$defs/event/properties/status"): m.STATUSES,
    ("record", "$defs/event/properties/record"): m.RECORDS,
    ("record", "$defs/item/properties/amendments/items/properties/result"): (*m.RESULTS, None),
    ("record", "$defs/decision/properties/type"): m.DECISION_TYPES,
    ("record", "$defs/decision/properties/status"): (*m.STATES, None),
    ("record", "$defs/decision/properties/outcomes/items/properties/outcome"): m.OUTCOMES,
}

# (schema, path to "properties"): the keys the reader takes there
KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("meeting", "properties"): v.MEETING_KEYS,
    ("meeting", "properties/documents/items/properties"): v.DOCUMENT_KEYS,
    ("meeting", _ITEM): v.ITEM_KEYS,
    ("meeting", f"{_ITEM}/interests/items/properties"): v.INTEREST_KEYS,
    ("meeting", f"{_ITEM}/amendments/items/properties"): v.AMENDMENT_KEYS,
    ("meeting", f"{_ITEM}/votes/items/properties"): v.VOTE_KEYS,
    ("meeting", f"{_ITEM}/documents/items/properties"): v.DOCUMENT_KEYS,
    ("meeting", _DECISION): v.DECISION_KEYS,
    ("meeting", f"{_DECISION}/decides/items/properties"): v.DECIDES_KEYS,
    ("bodies", "items/properties"): v.BODY_KEYS,
    ("people", "items/properties"): v.PERSON_KEYS,
}

NAMES = ("meeting", "bodies", "people", "record")


class SchemaMismatch(Exception):
    """A shipped schema's keys differ from the reader's: its fields need writing there."""


def _at(node: Any, path: str) -> Any:
    for part in path.split("/"):
        node = node[part]
    return node


def generate(name: str) -> str:
    """The text of schemas/NAME.schema.json, its enums written from the model's tables."""
    schema = json.loads((FOLDER / f"{name}.schema.json").read_text(encoding="utf-8"))
    for (owner, path), values in ENUMS.items():
        if owner == name:
            _at(schema, path)["enum"] = list(values)
    for (owner, path), keys in KEYS.items():
        if owner == name:
            have = set(_at(schema, path))
            if have != set(keys):
                raise SchemaMismatch(
                    f"{name}.schema.json {path}: the reader takes {sorted(set(keys) - have)} that the schema lacks, "
                    f"and the schema has {sorted(have - set(keys))} that the reader refuses"
                )
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    for name in NAMES:
        path = FOLDER / f"{name}.schema.json"
        text = generate(name)
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
