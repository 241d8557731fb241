"""The plan's one type system, mapped to each vendor's.

| plan      | Amplitude                      | RudderStack                         |
|-----------|--------------------------------|-------------------------------------|
| string    | string                         | string                              |
| number    | number                         | number                              |
| integer   | number                         | integer                             |
| boolean   | boolean                        | boolean                             |
| enum      | enum with enum_values          | string with rules.enum              |
| any       | any                            | (no type: any type)                 |
| array     | is_array_type + the items type | array                               |
| object    | any                            | object                              |

`pattern` becomes Amplitude's regex and RudderStack's pattern rule; `minimum` and
`maximum` exist only in RudderStack's rules.
"""

from __future__ import annotations

from typing import Any

from pulumi_taxonomy.plan.models import PropertyDef

AMPLITUDE = {
    "string": "string",
    "number": "number",
    "integer": "number",
    "boolean": "boolean",
    "enum": "enum",
    "any": "any",
    "object": "any",
}


def amplitude_fields(prop: PropertyDef) -> dict[str, Any]:
    """The attributes of an Amplitude property (EventProperty/UserProperty/GroupProperty)."""
    element = prop.items or "any" if prop.type == "array" else prop.type
    return {
        "description": prop.description,
        "type": AMPLITUDE[element],
        "enum_values": list(prop.values or []),
        "regex": prop.pattern,
        "is_array_type": prop.type == "array",
    }


def rudderstack_property(name: str, prop: PropertyDef, required: bool) -> dict[str, Any]:
    """A RudderStack plan property (PlanProperty's fields)."""
    rules: dict[str, Any] = {}
    if prop.values is not None:
        rules["enum"] = list(prop.values)
    if prop.pattern is not None:
        rules["pattern"] = prop.pattern
    if prop.minimum is not None:
        rules["minimum"] = prop.minimum
    if prop.maximum is not None:
        rules["maximum"] = prop.maximum
    kind = {"enum": "string", "any": None}.get(prop.type, prop.type)
    return {"name": name, "type": kind, "description": prop.description, "required": required, "rules": rules}
