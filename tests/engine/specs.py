"""One description per Amplitude resource: how to create it, change it, and look at it
in the sandbox directly (as a person in Amplitude's UI would), for the lifecycle tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from pulumi_taxonomy.amplitude.resources import (
    EventCategoryProvider,
    EventPropertyProvider,
    EventTypeProvider,
    GroupPropertyProvider,
    UserPropertyProvider,
)
from pulumi_taxonomy.core.provider import TaxonomyProvider
from pulumi_taxonomy.testing import introspect

Inputs = dict[str, Any]
Remote = Callable[[httpx.Client, Inputs], dict[str, Any] | None]


def _data(response: httpx.Response) -> Any:
    return response.json()["data"] if response.status_code == 200 else None


def _ingest(amp: httpx.Client, **body: Any) -> None:
    base = str(amp.base_url).split("/api/2/taxonomy")[0]
    introspect(base, "POST", "amplitude/ingest", body)


@dataclass
class Spec:
    id: str
    provider: TaxonomyProvider[Any]
    inputs: Inputs
    update: Inputs
    rename: Inputs
    remote: Remote
    oob_change: Callable[[httpx.Client, Inputs], None]
    drift_field: str
    oob_delete: Callable[[httpx.Client, Inputs], None] | None
    pre_existing: Callable[[httpx.Client, Inputs], None]
    soft_delete: Callable[[httpx.Client, Inputs], None] | None = None
    setup: Callable[[httpx.Client], None] = lambda amp: None
    deletable: bool = True
    expected: Callable[[Inputs], dict[str, Any]] = field(default=lambda inputs: {})


# -- event category -----------------------------------------------------------------------


def category_remote(amp: httpx.Client, inputs: Inputs) -> dict[str, Any] | None:
    return _data(amp.get(f"/category/{quote(inputs['name'], safe='')}"))


def category_id(amp: httpx.Client, name: str) -> int:
    return int(amp.get(f"/category/{quote(name, safe='')}").json()["data"]["id"])


CATEGORY = Spec(
    id="EventCategory",
    provider=EventCategoryProvider(),
    inputs={"name": "Growth"},
    update={"name": "Growth Team"},
    rename={"name": "Growth & Ads"},
    remote=category_remote,
    oob_change=lambda amp, i: amp.put(
        f"/category/{category_id(amp, i['name'])}", data={"category_name": "UI name"}
    ),
    drift_field="name",
    oob_delete=lambda amp, i: amp.delete(f"/category/{category_id(amp, i['name'])}"),
    pre_existing=lambda amp, i: amp.post("/category", data={"category_name": i["name"]}),
    expected=lambda i: {"name": i["name"]},
)

# -- event type ---------------------------------------------------------------------------


def event_remote(amp: httpx.Client, inputs: Inputs) -> dict[str, Any] | None:
    # From the list: a single GET also answers deleted events (the docs leave it open).
    return next((e for e in _data(amp.get("/event")) or [] if e["event_type"] == inputs["name"]), None)


def event_setup(amp: httpx.Client) -> None:
    for name in ("Media", "Other"):
        amp.post("/category", data={"category_name": name}).raise_for_status()


def event_soft_delete(amp: httpx.Client, inputs: Inputs) -> None:
    amp.post("/event", data={"event_type": inputs["name"]}).raise_for_status()
    _ingest(amp, event_type=inputs["name"])
    amp.delete(f"/event/{quote(inputs['name'], safe='')}").raise_for_status()


EVENT = Spec(
    id="EventType",
    provider=EventTypeProvider(),
    setup=event_setup,
    inputs={
        "name": "Song Played",
        "category": "Media",
        "description": "A song started.",
        "display_name": "Song",
    },
    update={"description": "A song started playing.", "category": "Other", "display_name": None},
    rename={"name": "Song Started"},
    remote=event_remote,
    oob_change=lambda amp, i: amp.put(
        f"/event/{quote(i['name'], safe='')}", data={"description": "edited in UI"}
    ),
    drift_field="description",
    oob_delete=lambda amp, i: amp.delete(f"/event/{quote(i['name'], safe='')}"),
    pre_existing=lambda amp, i: amp.post(
        "/event", data={"event_type": i["name"], "description": "someone's"}
    ),
    soft_delete=event_soft_delete,
    expected=lambda i: {
        "event_type": i["name"],
        "category": {"name": i["category"]} if i.get("category") else None,
        "description": i.get("description") or None,
    },
)

# -- event property on an event -------------------------------------------------------------


def on_event_remote(amp: httpx.Client, inputs: Inputs) -> dict[str, Any] | None:
    props = _data(amp.get("/event-property", params={"event_type": inputs["event_type"]})) or []
    return next((p for p in props if p["event_property"] == inputs["name"]), None)


def _property_expected(inputs: Inputs) -> dict[str, Any]:
    enum = inputs.get("enum_values") or []
    return {
        "type": inputs.get("type", "any"),
        "enum_values": ",".join(enum) if enum else None,
        "description": inputs.get("description") or None,
    }


def on_event_setup(amp: httpx.Client) -> None:
    for name in ("Song Played", "Song Skipped"):
        amp.post("/event", data={"event_type": name}).raise_for_status()


EVENT_PROPERTY = Spec(
    id="EventProperty-on-event",
    provider=EventPropertyProvider(),
    setup=on_event_setup,
    inputs={
        "name": "genre",
        "event_type": "Song Played",
        "type": "enum",
        "enum_values": ["rock", "jazz"],
        "is_required": True,
        "description": "Genre",
    },
    update={"enum_values": ["rock", "jazz", "pop"], "is_required": False},
    rename={"name": "music_genre"},
    remote=on_event_remote,
    oob_change=lambda amp, i: amp.put(
        f"/event-property/{quote(i['name'], safe='')}",
        data={"event_type": i["event_type"], "overrideScope": "override", "description": "UI"},
    ),
    drift_field="description",
    oob_delete=lambda amp, i: amp.request(
        "DELETE", f"/event-property/{quote(i['name'], safe='')}", data={"event_type": i["event_type"]}
    ),
    pre_existing=lambda amp, i: amp.post(
        "/event-property",
        data={"event_property": i["name"], "event_type": i["event_type"], "description": "someone's"},
    ),
    expected=lambda i: {**_property_expected(i), "is_required": i.get("is_required", False)},
)

# -- shared event property ------------------------------------------------------------------


def shared_remote(amp: httpx.Client, inputs: Inputs) -> dict[str, Any] | None:
    return _data(amp.get(f"/event-property/{quote(inputs['name'], safe='')}"))


def shared_soft_delete(amp: httpx.Client, inputs: Inputs) -> None:
    amp.post("/event-property", data={"event_property": inputs["name"]}).raise_for_status()
    _ingest(amp, event_type="Anything", event_properties=[inputs["name"]])
    amp.delete(f"/event-property/{quote(inputs['name'], safe='')}").raise_for_status()


SHARED_PROPERTY = Spec(
    id="EventProperty-shared",
    provider=EventPropertyProvider(),
    inputs={"name": "platform", "type": "string", "classifications": ["PII"], "description": "Where"},
    update={"classifications": ["PII", "SENSITIVE"], "regex": "^(ios|web)$"},
    rename={"name": "device_platform"},
    remote=shared_remote,
    oob_change=lambda amp, i: amp.put(
        f"/event-property/{quote(i['name'], safe='')}", data={"description": "UI"}
    ),
    drift_field="description",
    oob_delete=lambda amp, i: amp.delete(f"/event-property/{quote(i['name'], safe='')}"),
    pre_existing=lambda amp, i: amp.post(
        "/event-property", data={"event_property": i["name"], "type": "number"}
    ),
    soft_delete=shared_soft_delete,
    expected=lambda i: {**_property_expected(i), "classifications": i.get("classifications", [])},
)

# -- user property ---------------------------------------------------------------------------


def user_name(inputs: Inputs) -> str:
    name = str(inputs["name"])
    return name if name.startswith("gp:") else "gp:" + name


def user_remote(amp: httpx.Client, inputs: Inputs) -> dict[str, Any] | None:
    data = _data(amp.get(f"/user-property/{quote(user_name(inputs), safe='')}"))
    return None if data is None or data["deleted"] else data


def user_soft_delete(amp: httpx.Client, inputs: Inputs) -> None:
    amp.post("/user-property", data={"user_property": inputs["name"]}).raise_for_status()
    _ingest(amp, user_properties=[inputs["name"]])
    amp.delete(f"/user-property/{quote(user_name(inputs), safe='')}").raise_for_status()


USER_PROPERTY = Spec(
    id="UserProperty",
    provider=UserPropertyProvider(),
    inputs={"name": "plan", "type": "enum", "enum_values": ["free", "pro"]},
    update={"description": "Subscription plan", "is_array_type": True},
    rename={"name": "gp:subscription_plan"},
    remote=user_remote,
    oob_change=lambda amp, i: amp.put(
        f"/user-property/{quote(user_name(i), safe='')}", data={"description": "UI"}
    ),
    drift_field="description",
    oob_delete=lambda amp, i: amp.delete(f"/user-property/{quote(user_name(i), safe='')}"),
    pre_existing=lambda amp, i: amp.post(
        "/user-property", data={"user_property": i["name"], "type": "string"}
    ),
    soft_delete=user_soft_delete,
    expected=lambda i: {**_property_expected(i), "user_property": user_name(i)},
)

# -- group property ---------------------------------------------------------------------------


def group_name(inputs: Inputs) -> str:
    name = str(inputs["name"])
    return name if name.startswith("grp:") else "grp:" + name


def group_remote(amp: httpx.Client, inputs: Inputs) -> dict[str, Any] | None:
    props = _data(amp.get("/group-property", params={"group_type": inputs["group_type"]})) or []
    return next((p for p in props if p["group_property"] == group_name(inputs)), None)


GROUP_PROPERTY = Spec(
    id="GroupProperty",
    provider=GroupPropertyProvider(),
    setup=lambda amp: _ingest(amp, group_properties={"Company": []}),
    inputs={"name": "seats", "group_type": "Company", "type": "number"},
    update={"description": "Licensed seats"},
    rename={"name": "grp:licenses"},
    remote=group_remote,
    oob_change=lambda amp, i: amp.put(
        f"/group-property/{quote(group_name(i), safe='')}",
        data={"group_type": i["group_type"], "description": "UI"},
    ),
    drift_field="description",
    oob_delete=None,  # Amplitude has no delete for group properties
    pre_existing=lambda amp, i: amp.post(
        "/group-property", data={"group_property": i["name"], "group_type": i["group_type"], "type": "string"}
    ),
    deletable=False,
    expected=lambda i: {**_property_expected(i), "group_property": group_name(i)},
)

SPECS = [CATEGORY, EVENT, EVENT_PROPERTY, SHARED_PROPERTY, USER_PROPERTY, GROUP_PROPERTY]


def matches(remote: dict[str, Any] | None, expected: dict[str, Any]) -> bool:
    """Whether the vendor holds what is expected ("" and None both mean "no text")."""
    return remote is not None and all((remote.get(k) or None) == (v or None) for k, v in expected.items())
