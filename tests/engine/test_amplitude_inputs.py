"""Bad inputs fail at check (so `pulumi preview` fails) naming the field, and no
request reaches the vendor."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_taxonomy.amplitude.resources import (
    EventCategoryProvider,
    EventPropertyProvider,
    EventTypeProvider,
    GroupPropertyProvider,
    UserPropertyProvider,
)
from pulumi_taxonomy.core.provider import TaxonomyProvider
from pulumi_taxonomy.testing import CheckFailed, Engine, SandboxProcess

CASES: list[tuple[TaxonomyProvider[Any], dict[str, Any], str, str]] = [
    (EventCategoryProvider(), {}, "name", "required"),
    (EventCategoryProvider(), {"name": ""}, "name", "empty"),
    (EventCategoryProvider(), {"name": "x" * 1025}, "name", "1024"),
    (EventCategoryProvider(), {"name": "a\nb"}, "name", "control"),
    (EventTypeProvider(), {"name": 42}, "name", "string"),
    (EventTypeProvider(), {"name": "A", "colour": "red"}, "colour", "Extra"),
    (EventTypeProvider(), {"name": "A", "description": "d" * 10_001}, "description", "10000"),
    (EventTypeProvider(), {"name": "A", "adopt": "perhaps"}, "adopt", "bool"),
    (EventPropertyProvider(), {"name": "p", "type": "date"}, "type", "'string'"),
    (
        EventPropertyProvider(),
        {"name": "p", "type": "string", "enum_values": ["a"]},
        "",
        "only allowed with type",
    ),
    (EventPropertyProvider(), {"name": "p", "type": "enum"}, "", "needs enum_values"),
    (EventPropertyProvider(), {"name": "p", "type": "enum", "enum_values": ["a,b"]}, "enum_values", "commas"),
    (
        EventPropertyProvider(),
        {"name": "p", "type": "enum", "enum_values": ["a", "a"]},
        "enum_values",
        "unique",
    ),
    (EventPropertyProvider(), {"name": "p", "type": "string", "regex": "(["}, "", "regex does not compile"),
    (EventPropertyProvider(), {"name": "p", "type": "number", "regex": "^1$"}, "", "regex is only allowed"),
    (EventPropertyProvider(), {"name": "p", "classifications": ["SECRET"]}, "classifications[0]", "PII"),
    (EventPropertyProvider(), {"name": "p", "event_type": "E", "classifications": ["PII"]}, "", "shared"),
    (EventPropertyProvider(), {"name": "p", "is_required": "maybe"}, "is_required", "bool"),
    (UserPropertyProvider(), {"name": "u", "is_required": True}, "is_required", "Extra"),
    (UserPropertyProvider(), {"name": " "}, "name", "empty"),
    (UserPropertyProvider(), {"name": "gp:"}, "", "needs a name after"),
    (GroupPropertyProvider(), {"name": "grp: "}, "", "needs a name after"),
    (GroupPropertyProvider(), {"name": "g", "group_type": "C", "classifications": ["PII"]}, "", "shared"),
    (GroupPropertyProvider(), {"name": "g", "group_type": ""}, "group_type", "empty"),
    (
        EventTypeProvider(),
        {"name": "A", "connection": {"api_key": "k", "token": "t"}},
        "connection.token",
        "Extra",
    ),
    (EventTypeProvider(), {"name": "A", "connection": {"region": "mars"}}, "connection.region", "'us'"),
    # Names that go into URL paths must name exactly one object: a front end may decode
    # `%2F` and resolve dot segments, so these could reach another object.
    (EventTypeProvider(), {"name": "."}, "name", "dot segment"),
    (EventTypeProvider(), {"name": ".."}, "name", "dot segment"),
    (EventTypeProvider(), {"name": "Checkout / Payment"}, "name", "slash"),
    (EventTypeProvider(), {"name": "../category/412941"}, "name", "slash"),
    (EventTypeProvider(), {"name": "a\\b"}, "name", "slash"),
    (EventPropertyProvider(), {"name": ".."}, "name", "dot segment"),
    (EventPropertyProvider(), {"name": "utm/source"}, "name", "slash"),
    (UserPropertyProvider(), {"name": "gp:a/b"}, "name", "slash"),
    (UserPropertyProvider(), {"name": "."}, "name", "dot segment"),
    (GroupPropertyProvider(), {"name": "grp:x/y", "group_type": "C"}, "name", "slash"),
    (
        EventPropertyProvider(),
        {"name": "p", "type": "enum", "enum_values": ["a", " b"]},
        "enum_values",
        "spaces",
    ),
]


@pytest.mark.parametrize(("provider", "inputs", "field", "reason"), CASES)
def test_rejected_at_check_naming_the_field_with_no_vendor_call(
    engine: Engine,
    sandbox: SandboxProcess,
    provider: TaxonomyProvider[Any],
    inputs: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    with pytest.raises(CheckFailed) as failed:
        engine.up("r", provider, inputs)
    failures = failed.value.failures
    assert any(prop == (field or "inputs") and reason in text for prop, text in failures), failures
    assert sandbox.stats()["total_requests"] == 0
