"""The JSON Schemas shipped in sitegen/schemas. The editors' (meeting, bodies, people)
are written whole from the reader's declaration of every key (sitegen/fields.py), their
vocabularies from the model's tables; the open data's (record) is written by hand, with
its vocabularies taken from the model. ``python -m sitegen.schema`` writes them again;
a test fails when a shipped file differs from what this writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import fields
from . import model as m

FOLDER = Path(__file__).resolve().parent / "schemas"

# (schema, path to an "enum") in the open data's schema: the values, from the one table that owns them
ENUMS: dict[tuple[str, str], tuple[Any, ...]] = {
    ("record", "properties/organizations/items/properties/classification"): m.BODY_KINDS,
    ("record", "properties/people/items/properties/role"): m.ROLES,
    ("record", "$defs/event/properties/status"): m.STATUSES,
    ("record", "$defs/event/properties/record"): m.RECORDS,
    ("record", "$defs/item/properties/amendments/items/properties/result"): (*m.RESULTS, None),
    ("record", "$defs/decision/properties/type"): m.DECISION_TYPES,
    ("record", "$defs/decision/properties/status"): (*m.STATES, None),
    ("record", "$defs/decision/properties/outcomes/items/properties/outcome"): m.OUTCOMES,
    ("record", "$defs/decision/properties/call_in_status"): (*m.CALL_IN_STATES, None),
    ("record", "$defs/decision/properties/call_in/anyOf/1/properties/outcome"): (*m.CALL_IN_OUTCOMES, None),
    ("record", "$defs/plan_entry/properties/state"): m.PLAN_STATES,
    ("record", "$defs/money/items/properties/kind"): m.MONEY_KINDS,
}

NAMES = (*fields.EDITOR_SCHEMAS, "record")


def _at(node: Any, path: str) -> Any:
    for part in path.split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def generate(name: str) -> str:
    """The text of schemas/NAME.schema.json."""
    if name in fields.EDITOR_SCHEMAS:
        schema = fields.editor_schema(name)
    else:
        schema = json.loads((FOLDER / f"{name}.schema.json").read_text(encoding="utf-8"))
        for (owner, path), values in ENUMS.items():
            if owner == name:
                _at(schema, path)["enum"] = list(values)
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    for name in NAMES:
        path = FOLDER / f"{name}.schema.json"
        text = generate(name)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
