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

`pattern` becomes Amplitude's regex and RudderStack's pattern rule; `format`,
`min_length`/`max_length`, `minimum`/`maximum`, `nullable` (a second type, null) and
nested `properties` exist only in RudderStack, and non-track events too.
"""

from __future__ import annotations

from typing import Any

from pulumi_taxonomy.plan.models import Event, Plan, PropertyDef

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
    rules = {
        key: value
        for key, value in (
            ("enum", list(prop.values) if prop.values is not None else None),
            ("pattern", prop.pattern),
            ("format", prop.format),
            ("min_length", prop.min_length),
            ("max_length", prop.max_length),
            ("minimum", prop.minimum),
            ("maximum", prop.maximum),
            ("min_items", prop.min_items),
            ("max_items", prop.max_items),
        )
        if value is not None
    }
    kind = {"enum": "string", "any": None}.get(prop.type, prop.type)
    body: dict[str, Any] = {
        "name": name,
        "description": prop.description,
        "required": required,
        "rules": rules,
    }
    if kind is not None and prop.nullable:
        body["types"] = [kind, "null"]
    else:
        body["type"] = kind
    if prop.properties is not None:
        body["properties"] = [rudderstack_property(p.name, p, p.required) for p in prop.properties]
        body["additional_properties"] = prop.additional_properties
    return body


def amplitude_events(plan: Plan) -> list[Event]:
    """Amplitude plans track events only (identify/group/page/screen are RudderStack's)."""
    return [e for e in plan.events if e.type == "track"]


def rudderstack_event(plan: Plan, event: Event) -> dict[str, Any]:
    """A plan event as TrackingPlanEvent's inputs (without the plan id)."""
    return {
        "event_type": event.type,
        "name": event.name if event.type == "track" else "",
        "description": event.description,
        "properties": [rudderstack_property(p.name, p, p.required) for p in plan.resolved(event)],
    }
